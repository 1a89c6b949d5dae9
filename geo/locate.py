"""Place each carrier in a town: by its point where it has one, else by its declared town."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import Boundaries
from geo.problems import Problem
from geo.values import parse_vocabulary

__all__ = ["DETAILED_VERTICES", "PLACED_TOWN", "locate", "towns_of_points"]

PLACED_TOWN = "placed_town"
"""Optional carriers column: the town each usable point was placed in elsewhere, by the same
rule as :func:`towns_of_points` (a name, or ``None`` when in none) — PostGIS in the database,
:mod:`geo.store.spatial`. :func:`locate` then uses it instead of placing the points itself."""


DETAILED_VERTICES = 64
"""Above this many vertices a town on average, :func:`towns_of_points` puts the points in
the tree instead of the towns. Measured on 1,000,000 points over 1,250 towns: with the towns
in the tree the time grows with their detail (0.8 s at 7 vertices a town, 2.3 s at 78,
7.6 s at 311); with the points in the tree it stays at 2.2–2.7 s."""


def towns_of_points(lon: np.ndarray, lat: np.ndarray, towns: gpd.GeoDataFrame) -> np.ndarray:
    """Index of the town each WGS84 point lies in, or -1 when in none.

    A point on a shared line is given to the first town in file order, so
    every point belongs to at most one town.
    """
    points = shapely.points(lon, lat)
    outlines = np.asarray(towns.geometry.values)
    if len(outlines) and shapely.get_num_coordinates(outlines).mean() > DETAILED_VERTICES:
        # Each town asks a tree of the points for its own: GEOS prepares the town once and
        # tests its points against it, so the cost hardly grows with the town's detail.
        town_index, point_index = shapely.STRtree(points).query(outlines,
                                                                predicate="intersects")
    else:
        point_index, town_index = towns.sindex.query(points, predicate="intersects")
    by_town = np.argsort(town_index, kind="stable")
    town_index, point_index = town_index[by_town], point_index[by_town]
    result = np.full(len(points), -1, dtype=np.int64)
    first = np.unique(point_index, return_index=True)[1]  # in town order: the first town
    result[point_index[first]] = town_index[first]
    return result


def _placed_elsewhere(placed: np.ndarray, names: np.ndarray) -> np.ndarray:
    """The :data:`PLACED_TOWN` values of the located points, checked against the town names."""
    given = pd.Series(placed, dtype=object)
    unknown = sorted(set(given.dropna().unique()) - set(names.tolist()))
    if unknown:
        raise ValueError(f"`{PLACED_TOWN}` names {unknown[:5]} but the towns are "
                         f"{names.tolist()[:20]}: place the points with the same boundaries")
    return np.where(given.notna(), given.to_numpy(), None)


def locate(carriers: pd.DataFrame, boundaries: Boundaries) -> tuple[pd.DataFrame, list[Problem]]:
    """Add ``town`` (resolved name or None) and ``declared_town`` to the carriers.

    Where a usable carrier has a point, the polygon decides; a declared town
    that differs is reported (and the carrier counted by location). Without a
    point, the declared town counts if it exists. A point outside every town,
    or an unknown declared town without a point, is reported and not placed.

    When ``carriers`` has a :data:`PLACED_TOWN` column, the points were placed
    already (in the database) and that placement is taken as it is; the
    column is not kept in the result, so the rest of the check cannot tell
    which placement it got.

    Raises
    ------
    ValueError
        When :data:`PLACED_TOWN` names a town the boundaries do not have.
    """
    result = carriers.drop(columns=PLACED_TOWN, errors="ignore")
    names = np.asarray(boundaries.towns["name"], dtype=object)
    declared = parse_vocabulary(result["town_declared"], boundaries.lookup())
    result["declared_town"] = declared

    town = pd.Series(None, index=result.index, dtype=object)
    with_point = (result["usable"] & result["has_point"]).to_numpy()
    if with_point.any() and PLACED_TOWN in carriers:
        town.iloc[np.flatnonzero(with_point)] = _placed_elsewhere(
            carriers[PLACED_TOWN].to_numpy(dtype=object)[with_point], names)
    elif with_point.any():
        index = towns_of_points(result["lon"].to_numpy()[with_point],
                                result["lat"].to_numpy()[with_point], boundaries.towns)
        town.iloc[np.flatnonzero(with_point)] = np.where(index >= 0, names[index.clip(0)], None)
    without_point = (result["usable"] & ~result["has_point"]).to_numpy()
    town[without_point] = declared[without_point]
    result["town"] = town

    problems: list[Problem] = []
    outside = with_point & town.isna().to_numpy()
    for record in result[outside].itertuples():
        problems.append(Problem("carriers", "row.outside_boundaries", row=record.row,
                                id=record.id, field="lon",
                                params={"lon": record.lon, "lat": record.lat}))
    unknown = without_point & town.isna().to_numpy()
    known_names = "、".join(boundaries.names)
    for record in result[unknown].itertuples():
        problems.append(Problem("carriers", "row.town_unknown", row=record.row, id=record.id,
                                field="town", value=record.town_declared,
                                params={"towns": known_names}))
    mismatch = (with_point & town.notna().to_numpy() & result["town_declared"].notna().to_numpy()
                & (declared.to_numpy() != town.to_numpy()))
    for record in result[mismatch].itertuples():
        problems.append(Problem("carriers", "row.town_mismatch", row=record.row, id=record.id,
                                field="town", value=record.town_declared, severity="warning",
                                params={"located": record.town}))
    return result, problems

