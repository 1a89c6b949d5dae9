"""Town outlines as the map draws them: simplified for display, with their label points.

Real township boundaries carry hundreds or thousands of vertices each; a
province of 1,250 towns is tens of megabytes of GeoJSON, far more than a
screen can show. The map draws outlines simplified to a fraction of a pixel
at the zoom that shows them, all towns together with
:func:`shapely.coverage_simplify`, so neighbours still share every edge (no
gaps, no overlaps). The check never sees these shapes: it always uses the
boundaries as read (:mod:`geo.locate`).

Simplifying and finding label points takes seconds for a province, and the
outlines only change with the boundary file, so the results are kept per
boundary content (:func:`town_shapes`), in whatever coordinate system the
map draws them (WGS84, or GCJ-02 for Gaode tiles).
"""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from pyproj import CRS
from shapely.ops import polylabel

from geo.projection import WGS84, metric_crs

__all__ = ["OUTLINE_SCALE", "SCREEN_FRACTION", "TownShapes", "display_tolerance",
           "town_shapes"]

OUTLINE_SCALE = 1e-5
"""The unit of the outlines sent to the browser: a hundred-thousandth of a degree (~1 m)."""

SCREEN_FRACTION = 1 / 2000
"""The simplification tolerance as a share of the drawn extent: about half a pixel at the
zoom that fits the extent in a map 1,000 px wide."""

_KEPT = 8
_cache: OrderedDict[tuple, TownShapes] = OrderedDict()


@dataclass(frozen=True)
class TownShapes:
    """The towns as drawn, in file order, in the system of the towns given.

    ``geometry`` holds the display outlines; ``label_lat``/``label_lon`` each
    town's label point (the point of its largest part farthest from its
    edges, so the name stays inside); ``label_room`` the distance from that
    point to the nearest edge, in degrees (the browser draws a label only
    when this room is wide enough on screen); ``rank`` orders towns by true
    area, 0 for the largest, whose label wins when two would touch.
    ``x0``/``y0`` are the whole degrees west and south of the towns as
    given, the origin of :attr:`outline_json`.
    """

    geometry: gpd.GeoSeries
    label_lat: list[float]
    label_lon: list[float]
    label_room: list[float]
    rank: list[int]
    x0: float = 0.0
    y0: float = 0.0

    @functools.cached_property
    def outline_json(self) -> Markup:
        """Every town's display rings as integer steps, as JSON safe inside a script.

        Per town a list of polygons, each a list of rings, each ring
        ``[x, y, dx, dy, …]`` in units of :data:`OUTLINE_SCALE` from
        ``x0``/``y0``: the first vertex absolute, the others as steps from
        the one before, no closing vertex — a third of the GeoJSON's size.
        Encoded once per boundary content, not on every map built.
        """
        steps = _outline_steps(self.geometry.to_numpy(), self.x0, self.y0)
        return htmlsafe_json_dumps(steps, separators=(",", ":"))


def display_tolerance(bounds: tuple[float, float, float, float] | np.ndarray) -> float:
    """The simplification tolerance (degrees) for a map that shows ``bounds`` whole."""
    west, south, east, north = bounds
    return max(east - west, north - south, 1e-9) * SCREEN_FRACTION


def town_shapes(towns: gpd.GeoDataFrame, tolerance: float | None = None) -> TownShapes:
    """The towns' display outlines and label points, computed once per boundary content.

    Parameters
    ----------
    towns
        The boundaries in file order, in the map's coordinate system.
    tolerance
        In degrees; default :func:`display_tolerance` of the towns' extent.
        When the towns are not a clean coverage (the file itself has gaps or
        overlaps), each is simplified on its own at a quarter of it, so any
        new gap stays well under a pixel.
    """
    geometry = towns.geometry.to_numpy()
    digest = hashlib.blake2b(shapely.get_coordinates(geometry).tobytes(), digest_size=16)
    digest.update(shapely.get_num_coordinates(geometry).tobytes())
    key = (digest.hexdigest(), tolerance)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    shapes = _compute(towns, tolerance)
    _cache[key] = shapes
    while len(_cache) > _KEPT:
        _cache.popitem(last=False)
    return shapes


def _compute(towns: gpd.GeoDataFrame, tolerance: float | None) -> TownShapes:
    shown = towns.geometry
    if not len(shown):
        return TownShapes(shown, [], [], [], [])
    x0, y0 = (float(v) for v in np.floor(shown.total_bounds[:2]))
    tolerance = display_tolerance(shown.total_bounds) if tolerance is None else tolerance
    outlines = shown.to_numpy()
    if shapely.coverage_is_valid(outlines):
        simplified = shapely.coverage_simplify(outlines, tolerance)
    else:
        simplified = shapely.simplify(outlines, tolerance / 4, preserve_topology=True)
    simplified = shapely.transform(simplified, lambda xy: np.round(xy, 6))
    display = gpd.GeoSeries(simplified, index=shown.index, crs=shown.crs)
    points, rooms = zip(*(_label_point(part) for part in simplified), strict=True)
    metric = shown.to_crs(_metric_crs(tuple(np.round(shown.total_bounds, 2))))
    order = np.argsort(-metric.area.to_numpy(), kind="stable")
    rank = np.empty(len(towns), dtype=int)
    rank[order] = np.arange(len(towns))
    return TownShapes(display, [round(p.y, 6) for p in points],
                      [round(p.x, 6) for p in points], [round(r, 6) for r in rooms],
                      rank.tolist(), x0, y0)


def _outline_steps(geometry: np.ndarray, west: float, south: float) -> list[list[list[list]]]:
    """Every town's rings as integer steps (:attr:`TownShapes.outline_json`)."""
    parts, part_town = shapely.get_parts(geometry, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    closing = np.r_[vertex_ring[1:] != vertex_ring[:-1], True]
    coords, vertex_ring = coords[~closing], vertex_ring[~closing]
    units = np.rint((coords - (west, south)) / OUTLINE_SCALE).astype(np.int64)
    steps = np.diff(units, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    first = np.r_[True, vertex_ring[1:] != vertex_ring[:-1]]
    steps[first] = units[first]
    flat = steps.ravel().tolist()
    bounds = 2 * np.r_[0, np.cumsum(np.bincount(vertex_ring, minlength=len(rings)))]
    towns: list[list[list[list]]] = [[] for _ in geometry]
    for ring in range(len(rings)):
        part = ring_part[ring]
        polygons = towns[part_town[part]]
        if ring == 0 or ring_part[ring - 1] != part:
            polygons.append([])
        polygons[-1].append(flat[bounds[ring]:bounds[ring + 1]])
    return towns


@functools.lru_cache(maxsize=64)
def _metric_crs(bounds: tuple[float, ...]) -> CRS:
    """The metric system of an extent (finding it takes 0.1 s)."""
    return metric_crs(gpd.GeoSeries([shapely.box(*bounds)], crs=WGS84))


def _label_point(geometry) -> tuple[shapely.Point, float]:
    """The point of the town's largest part farthest from its edges, and that distance."""
    if geometry is None or geometry.is_empty:
        return shapely.Point(0, 0), 0.0
    parts = getattr(geometry, "geoms", [geometry])
    largest = max(parts, key=lambda part: part.area)
    west, south, east, north = largest.bounds
    point = polylabel(largest, tolerance=max(east - west, north - south) / 200)
    return point, float(shapely.distance(point, largest.boundary))
