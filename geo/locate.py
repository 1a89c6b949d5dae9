"""Place each carrier in a town: by its point where it has one, else by its declared town."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import Boundaries
from geo.problems import Problem
from geo.values import parse_vocabulary

__all__ = ["DETAILED_VERTICES", "PLACED_TOWN", "Location", "locate", "locate_once",
           "towns_of_points"]

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
    return locate_once(carriers, boundaries).of(carriers)


@dataclass(frozen=True)
class Location:
    """:func:`locate`'s answer for every row of a register, to take any part of it from.

    Each row's town, declared town and problems depend on that row alone, so
    the answer for a part of the register (the carriers a filter keeps) is
    the rows' part of this one: a filter change then places nothing again.
    """

    declared_town: pd.Series
    town: pd.Series
    problems: tuple[Problem, ...]
    problem_rows: np.ndarray
    """The index label of the row each of ``problems`` is about."""

    def of(self, carriers: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
        """What :func:`locate` gives for ``carriers``, rows of the located register.

        Raises
        ------
        ValueError
            When ``carriers`` has a row the located register did not have.
        """
        result = carriers.drop(columns=PLACED_TOWN, errors="ignore")
        # Series of object dtype, as locate made them: an array would be inferred as pandas'
        # Arrow strings, which every later ``to_numpy`` of the check converts back.
        if carriers.index.equals(self.town.index):
            result["declared_town"] = self.declared_town
            result["town"] = self.town
            return result, list(self.problems)
        if not carriers.index.isin(self.town.index).all() or not carriers.index.is_unique:
            raise ValueError("these carriers are not rows of the located register")
        result["declared_town"] = self.declared_town.loc[carriers.index]
        result["town"] = self.town.loc[carriers.index]
        kept = np.isin(self.problem_rows, carriers.index.to_numpy())
        return result, [problem for problem, keep in zip(self.problems, kept, strict=True)
                        if keep]


def locate_once(carriers: pd.DataFrame, boundaries: Boundaries) -> Location:
    """Place every row of ``carriers`` (:func:`locate`), to reuse for any part of them.

    Raises
    ------
    ValueError
        When :data:`PLACED_TOWN` names a town the boundaries do not have.
    """
    if not carriers.index.is_unique:
        raise ValueError("the carriers' index must be unique to locate them once")
    names = np.asarray(boundaries.towns["name"], dtype=object)
    declared = parse_vocabulary(carriers["town_declared"], boundaries.lookup())
    town = pd.Series(None, index=carriers.index, dtype=object)
    usable = carriers["usable"].to_numpy(dtype=bool)
    has_point = carriers["has_point"].to_numpy(dtype=bool)
    with_point = usable & has_point
    if with_point.any() and PLACED_TOWN in carriers:
        town.iloc[np.flatnonzero(with_point)] = _placed_elsewhere(
            carriers[PLACED_TOWN].to_numpy(dtype=object)[with_point], names)
    elif with_point.any():
        index = towns_of_points(carriers["lon"].to_numpy()[with_point],
                                carriers["lat"].to_numpy()[with_point], boundaries.towns)
        town.iloc[np.flatnonzero(with_point)] = np.where(index >= 0, names[index.clip(0)], None)
    without_point = usable & ~has_point
    town[without_point] = declared[without_point]

    placed = town.notna().to_numpy()
    outside = with_point & ~placed
    unknown = without_point & ~placed
    mismatch = (with_point & placed & carriers["town_declared"].notna().to_numpy()
                & (declared.to_numpy() != town.to_numpy()))
    problems: list[Problem] = []
    for record in carriers.loc[outside, ["row", "id", "lon", "lat"]].itertuples():
        problems.append(Problem("carriers", "row.outside_boundaries", row=record.row,
                                id=record.id, field="lon",
                                params={"lon": record.lon, "lat": record.lat}))
    known_names = "、".join(boundaries.names)
    for record in carriers.loc[unknown, ["row", "id", "town_declared"]].itertuples():
        problems.append(Problem("carriers", "row.town_unknown", row=record.row, id=record.id,
                                field="town", value=record.town_declared,
                                params={"towns": known_names}))
    for record, located in zip(
            carriers.loc[mismatch, ["row", "id", "town_declared"]].itertuples(),
            town.to_numpy()[mismatch], strict=True):
        problems.append(Problem("carriers", "row.town_mismatch", row=record.row, id=record.id,
                                field="town", value=record.town_declared, severity="warning",
                                params={"located": located}))
    labels = carriers.index.to_numpy()
    rows = np.concatenate([labels[outside], labels[unknown], labels[mismatch]])
    return Location(declared_town=declared, town=town, problems=tuple(problems),
                    problem_rows=rows)
