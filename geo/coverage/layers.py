"""Map layers of the coverage: distance bands and the gap as polygons, sites as points.

Built from the grid's cells (runs of equal band along each row become boxes,
then one union per band), so each polygon's edge follows the cell
staircase; given the boundaries, it is cut to the town lines (slower on a province).
Everything comes back in WGS84, ready for folium or a GeoJSON download.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from geo.boundaries import Boundaries
from geo.coverage._validate import check_radius_km, check_type
from geo.coverage.distance import DistanceSurface
from geo.coverage.suggest import SiteSuggestions
from geo.projection import WGS84

__all__ = ["band_polygons", "gap_polygons", "site_points"]


def _runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row, first column, end column (exclusive) and label of each run of equal labels ≥ 0."""
    rows, cols = labels.shape
    padded = np.full((rows, cols + 1), -1, dtype=labels.dtype)
    padded[:, :cols] = labels
    flat = padded.ravel()
    change = np.flatnonzero(np.diff(np.concatenate([[-2], flat])) != 0)
    starts = change
    ends = np.append(change[1:], flat.size)
    label = flat[starts]
    keep = label >= 0
    starts, ends, label = starts[keep], ends[keep], label[keep]
    width = cols + 1
    return starts // width, starts % width, ends - (starts // width) * width, label


def band_polygons(surface: DistanceSurface, carrier_type: str, edges_km: Sequence[float],
                  boundaries: Boundaries | None = None) -> gpd.GeoDataFrame:
    """The area in each distance band from the nearest carrier of ``carrier_type``.

    Band ``i`` holds the cells with ``edges_km[i-1] < distance ≤ edges_km[i]``
    (the first from 0, the last open: beyond the last edge, which includes
    "no carrier of this type anywhere"). Columns: ``band``, ``lower_km``,
    ``upper_km`` (NaN for the open band), ``area_km2`` (of the cells), geometry.
    With ``boundaries``, the polygons are cut to the town lines.

    Raises
    ------
    CoverageError
        When the type is unknown or an edge is not a radius in (0, 100] km.
    """
    carrier_type = check_type(carrier_type)
    edges = sorted({check_radius_km(e) for e in edges_km})
    grid = surface.grid
    h = grid.resolution_m
    band = np.searchsorted(np.array(edges) * 1000.0, surface.distance_m[carrier_type],
                           side="left")
    labels = grid.raster(band.astype(np.int64), fill=-1)
    row, first, end, label = _runs(labels)
    x0, y0 = grid.origin
    boxes = shapely.box(x0 + first * h, y0 + row * h, x0 + end * h, y0 + (row + 1) * h)
    lower = [0.0, *edges]
    upper = [*edges, np.nan]
    geometries, records = [], []
    for index in range(len(edges) + 1):
        chosen = boxes[label == index]
        if not len(chosen):
            continue
        # union_all, not coverage_union_all: boxes meeting only at a corner would
        # otherwise leave self-touching (invalid) rings.
        merged = shapely.union_all(chosen)
        geometries.append(merged)
        cells = int((end - first)[label == index].sum())
        records.append({"band": index, "lower_km": lower[index], "upper_km": upper[index],
                        "area_km2": cells * h * h / 1e6})
    frame = gpd.GeoDataFrame(records, geometry=geometries, crs=grid.crs,
                             columns=["band", "lower_km", "upper_km", "area_km2"])
    if boundaries is not None and len(frame):
        outline = shapely.union_all(boundaries.towns.geometry.to_crs(grid.crs).to_numpy())
        frame = frame.set_geometry(frame.geometry.intersection(outline))
    return frame.to_crs(WGS84)


def gap_polygons(surface: DistanceSurface, carrier_type: str, radius_km: float,
                 boundaries: Boundaries | None = None) -> gpd.GeoDataFrame:
    """The uncovered area: farther than ``radius_km`` from every carrier of the type."""
    bands = band_polygons(surface, carrier_type, [radius_km], boundaries)
    return bands[bands["band"] == 1].reset_index(drop=True)


def site_points(suggestions: SiteSuggestions) -> gpd.GeoDataFrame:
    """The suggested sites as WGS84 points with their figures (for the map and GeoJSON)."""
    sites = suggestions.sites.drop(columns=["x", "y"])
    return gpd.GeoDataFrame(sites, geometry=shapely.points(sites["lon"], sites["lat"]),
                            crs=WGS84).assign(type=suggestions.carrier_type,
                                              radius_km=suggestions.radius_km)
