"""Distance from every cell of the grid to the nearest chosen carrier, per type.

The carriers come from the check (``CheckResult.carriers``): placed in towns
by :func:`geo.locate.locate`, probable duplicates left out — the same
placement every other figure uses. Distances are exact Euclidean distances in
the grid's metric CRS from each cell centre, by a KD-tree
(``scipy.spatial.cKDTree`` when SciPy is installed, else shapely's STRtree).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.coverage._validate import ALL_TYPES, check_radius_km, check_type
from geo.coverage.grid import Grid
from geo.schema import CARRIER_TYPES

try:  # SciPy is optional: shapely's STRtree answers the same question, slower.
    from scipy.spatial import cKDTree
except ImportError:  # pragma: no cover - exercised only without SciPy
    cKDTree = None

__all__ = ["COVER_TOLERANCE_M", "PIPELINE", "DistanceSurface", "distance_surface",
           "nearest_distance", "select_carriers", "within_radius"]

PIPELINE: tuple[str, ...] = ("under_construction", "planned")


def select_carriers(carriers: pd.DataFrame, grid: Grid,
                    include_pipeline: bool = False) -> pd.DataFrame:
    """The carriers that exist for coverage, with metric ``x``/``y``.

    Parameters
    ----------
    carriers
        Located carriers: ``CheckResult.carriers`` (columns ``usable``,
        ``has_point``, ``town``, ``type``, ``status``, ``lon``/``lat``,
        ``floor_area_m2``, ``id``).
    grid
        Gives the metric CRS.
    include_pipeline
        Also count carriers under construction and planned (the future);
        by default only those in use. The opening date does not matter here.

    Returns
    -------
    pandas.DataFrame
        Usable carriers of a known type and chosen status placed in a town:
        ``id``, ``type``, ``status``, ``town``, ``floor_area_m2``, ``lon``,
        ``lat``, ``x``, ``y`` (NaN without a point), ``has_point``.
    """
    statuses = ("in_use", *PIPELINE) if include_pipeline else ("in_use",)
    keep = (carriers["usable"].to_numpy(dtype=bool)
            & carriers["town"].notna().to_numpy()
            & carriers["type"].isin(CARRIER_TYPES).to_numpy()
            & carriers["status"].isin(statuses).to_numpy())
    chosen = carriers.loc[keep, ["id", "type", "status", "town", "floor_area_m2", "lon", "lat",
                                 "has_point"]].reset_index(drop=True)
    chosen["has_point"] = chosen["has_point"].astype(bool)
    x, y = grid.from_wgs84(chosen["lon"].to_numpy(dtype=float),
                           chosen["lat"].to_numpy(dtype=float))
    chosen["x"] = np.where(chosen["has_point"], x, np.nan)
    chosen["y"] = np.where(chosen["has_point"], y, np.nan)
    return chosen


def nearest_distance(points_xy: np.ndarray, targets_xy: np.ndarray) -> np.ndarray:
    """Distance (m) from each target to the nearest point; ``inf`` when there are none."""
    if len(points_xy) == 0:
        return np.full(len(targets_xy), np.inf)
    if cKDTree is not None:
        distances, _ = cKDTree(points_xy).query(targets_xy, k=1, workers=-1)
        return np.asarray(distances, dtype=float)
    tree = shapely.STRtree(shapely.points(points_xy))  # pragma: no cover - without SciPy
    query = shapely.points(targets_xy)
    (target_index, _), distances = tree.query_nearest(query, return_distance=True,
                                                      all_matches=False)
    out = np.full(len(targets_xy), np.inf)
    out[target_index] = distances
    return out


COVER_TOLERANCE_M = 1e-3
"""A point this close outside the radius still counts as within it (a millimetre).

Cell centres on the circle itself (a 2 km radius on a 500 m grid) come out a
rounding error either side of it depending on the path (a stencil of whole
cells, a tree of projected coordinates); one tolerance, used by every test of
"within the radius", gives every path the same answer.
"""


def within_radius(distance_m: np.ndarray, radius_m: float) -> np.ndarray:
    """Whether each distance is within ``radius_m`` (the one test of coverage)."""
    return np.asarray(distance_m) <= radius_m + COVER_TOLERANCE_M


@dataclass(frozen=True, eq=False)
class DistanceSurface:
    """Per carrier type (and ``"all"``), the distance in metres from each grid sample.

    ``distance_m[type][i]`` is the distance from ``grid.x[i], grid.y[i]`` to
    the nearest carrier of ``type`` in ``carriers``; ``inf`` when there is none.
    """

    grid: Grid
    carriers: pd.DataFrame
    distance_m: Mapping[str, np.ndarray]
    include_pipeline: bool

    def covered(self, carrier_type: str, radius_km: float) -> np.ndarray:
        """Whether each sample lies within ``radius_km`` of a carrier of that type."""
        radius = check_radius_km(radius_km) * 1000.0
        return within_radius(self.distance_m[check_type(carrier_type)], radius)

    def with_carriers(self, added: pd.DataFrame) -> DistanceSurface:
        """The surface with more carriers (rows as :func:`select_carriers` returns).

        Only the added carriers are measured: each distance becomes the
        smaller of the old one and the distance to the nearest added carrier.
        """
        samples = np.column_stack([self.grid.x, self.grid.y])
        with_point = added[added["has_point"]]
        distances = dict(self.distance_m)
        for carrier_type in CARRIER_TYPES:
            of_type = with_point[with_point["type"] == carrier_type]
            if len(of_type):
                new = nearest_distance(of_type[["x", "y"]].to_numpy(), samples)
                distances[carrier_type] = np.minimum(distances[carrier_type], new)
        distances[ALL_TYPES] = np.minimum.reduce([distances[t] for t in CARRIER_TYPES])
        carriers = pd.concat([self.carriers, added], ignore_index=True)
        return dataclasses.replace(self, carriers=carriers, distance_m=distances)


def distance_surface(grid: Grid, carriers: pd.DataFrame,
                     include_pipeline: bool = False) -> DistanceSurface:
    """The distance from every grid sample to the nearest carrier of each type.

    Parameters
    ----------
    grid
        From :func:`geo.coverage.make_grid`.
    carriers
        Located carriers (``CheckResult.carriers``); see :func:`select_carriers`.
    include_pipeline
        Count carriers under construction and planned as present.
    """
    chosen = select_carriers(carriers, grid, include_pipeline)
    samples = np.column_stack([grid.x, grid.y])
    with_point = chosen[chosen["has_point"]]
    distances = {t: nearest_distance(with_point.loc[with_point["type"] == t, ["x", "y"]]
                                     .to_numpy(), samples)
                 for t in CARRIER_TYPES}
    distances[ALL_TYPES] = np.minimum.reduce([distances[t] for t in CARRIER_TYPES])
    return DistanceSurface(grid=grid, carriers=chosen, distance_m=distances,
                           include_pipeline=include_pipeline)
