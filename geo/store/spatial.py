"""The check's spatial step (points in towns) done by PostGIS inside the database.

The same placement as :func:`geo.locate.towns_of_points`, point for point:
a point in a town's interior or on its boundary lies in it, and a point in
several towns (on a shared line) goes to the first town in file order
(``boundaries.position``); a point in a hole or outside every town lies in
none. Plain ``ST_Contains`` would drop boundary points, and ``ST_Intersects``
or ``ST_Covers`` on a point and a polygon run PostGIS's own point-in-polygon
test in plain floating point, which decides a point within rounding distance
of an edge differently from GEOS's exact one (2 of 20,100 points on the
bundled towns' edges). So a pair is found with the spatial index
(``ST_DWithin`` of :data:`_EDGE_TOLERANCE_DEG`, which no point lying in the
town can miss) and decided exactly by GEOS: ``ST_ContainsProperly`` (prepared,
for the interior), else ``NOT ST_Disjoint`` (only for the few points within
the tolerance of an edge).

Which carriers count and how their areas add up stays in :mod:`geo.check`,
the one rule: it needs the values only Python reads (areas in 万, a year or
month alone, status words, probable duplicates), and summing a million
counted areas takes it well under a second. The placement goes in through
:data:`geo.locate.PLACED_TOWN`, so :func:`check_in_database` is
:func:`geo.check.check` with the points placed here.

The points are the register's WGS84 coordinates (:mod:`geo.register` converts
GCJ-02 and BD-09 in Python, once), kept in
:data:`geo.store.postgis.POINTS_TABLE`: every placement compares them with the
register, bit for bit, and rewrites and places again the ones that differ,
so a stale point is never used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.check import CheckResult, check
from geo.locate import PLACED_TOWN
from geo.register import Register
from geo.settings import Targets
from geo.store.postgis import POINTS_TABLE
from geo.store.store import Store

__all__ = ["check_in_database", "placed_register", "towns_in_database"]

_EDGE_TOLERANCE_DEG = 1e-9
"""Candidate pairs lie this close (about 0.1 mm); far above any rounding of a degree value."""
_CHUNK = 50_000
"""Points per statement when the points table is rewritten."""
_SYNC_LOCK = 7310423
"""Advisory lock: one process at a time brings the points table up to date."""

_PLACE = f"""
WITH placed AS (
    SELECT p.id, min(b.position) AS position
    FROM boundaries AS b JOIN {POINTS_TABLE} AS p
      ON ST_DWithin(b.geom, p.geom, :tolerance)
     AND CASE WHEN ST_ContainsProperly(b.geom, p.geom) THEN true
              ELSE NOT ST_Disjoint(b.geom, p.geom) END
    {{only}}
    GROUP BY p.id)
SELECT p.id, p.lon, p.lat, placed.position
FROM {POINTS_TABLE} AS p LEFT JOIN placed USING (id)
{{where}}
"""
"""Every stored point with its town's position (NULL in none); ``only``/``where`` narrow it."""


def towns_in_database(store: Store, register: Register) -> pd.Series:
    """The town of each usable carrier with a point, placed by PostGIS in ``store``.

    Parameters
    ----------
    store
        A PostgreSQL store with PostGIS (``store.postgis``); its boundaries
        are the towns, in their stored order.
    register
        The validated register (normally ``store.register()``); its WGS84
        points are what is placed. Its usable carriers' ids must be unique,
        as a store's are.

    Returns
    -------
    pandas.Series
        Indexed like ``register.carriers``: the town's name, or ``None`` for
        a point in no town and for every carrier without a usable point.

    Raises
    ------
    ValueError
        When the store has no PostGIS, or the usable ids repeat.
    """
    if not getattr(store, "postgis", False):
        raise ValueError(f"`store` {store.description} has no PostGIS: placing points in the "
                         "database needs PostgreSQL with the postgis extension; use "
                         "geo.check.check, which places them in Python")
    carriers = register.carriers
    chosen = (carriers["usable"] & carriers["has_point"]).to_numpy()
    wanted = pd.DataFrame({"lon": carriers["lon"].to_numpy()[chosen],
                           "lat": carriers["lat"].to_numpy()[chosen]},
                          index=pd.Index(carriers["id"].to_numpy(dtype=object)[chosen]))
    if not wanted.index.is_unique:
        repeated = wanted.index[wanted.index.duplicated()].unique().tolist()
        raise ValueError(f"`register` has usable carriers sharing an id ({repeated[:5]}): "
                         "each point needs its own id to be placed in the database")
    with store.writing(register_changes=False) as connection:
        names = dict(connection.execute(sa.text(
            "SELECT position, name FROM boundaries")).all())
        positions = _placed_positions(connection, wanted)
    named = positions.map(names)
    town = pd.Series(None, index=carriers.index, dtype=object)
    town.iloc[np.flatnonzero(chosen)] = np.where(named.notna(), named.to_numpy(dtype=object), None)
    return town


def _placed_positions(connection: sa.Connection, wanted: pd.DataFrame) -> pd.Series:
    """Each wanted point's town position (NaN in none), after bringing the stored points up to date.

    The stored points are placed and compared with ``wanted`` (``lon``,
    ``lat`` by id); points missing or different are written and placed
    again, and stored points no longer wanted are deleted.
    """
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _SYNC_LOCK})
    stored = _place(connection)
    found = wanted.index.get_indexer(stored.index)
    obsolete = stored.index[found < 0]
    stored = stored[found >= 0]
    current = wanted.loc[stored.index]
    same = ((stored["lon"].to_numpy() == current["lon"].to_numpy())
            & (stored["lat"].to_numpy() == current["lat"].to_numpy()))
    stale = wanted.index.difference(stored.index[same], sort=False)
    if len(obsolete) or len(stale):
        _delete(connection, [*obsolete, *stale])
        _insert(connection, wanted.loc[stale])
    placed = stored.loc[same, "position"]
    if len(stale):
        placed = pd.concat([placed, _place(connection, stale.tolist())["position"]])
    return placed.reindex(wanted.index)


def _place(connection: sa.Connection, ids: list[str] | None = None) -> pd.DataFrame:
    """The stored points (all, or those of ``ids``) with their town's position, by id."""
    if ids is None:
        statement, parameters = _PLACE.format(only="", where=""), {}
    else:
        statement = _PLACE.format(only="WHERE p.id = ANY(:ids)", where="WHERE p.id = ANY(:ids)")
        parameters = {"ids": ids}
    rows = connection.execute(sa.text(statement),
                              {"tolerance": _EDGE_TOLERANCE_DEG, **parameters}).all()
    frame = pd.DataFrame(rows, columns=["id", "lon", "lat", "position"])
    return frame.set_index("id")


def _delete(connection: sa.Connection, ids: list[str]) -> None:
    for start in range(0, len(ids), _CHUNK):
        connection.execute(sa.text(f"DELETE FROM {POINTS_TABLE} WHERE id = ANY(:ids)"),
                           {"ids": ids[start:start + _CHUNK]})


def _insert(connection: sa.Connection, points: pd.DataFrame) -> None:
    """Write points (WGS84 ``lon``, ``lat`` by id) exactly: Python floats go as shortest repr."""
    ids = points.index.tolist()
    lon, lat = points["lon"].tolist(), points["lat"].tolist()
    for start in range(0, len(ids), _CHUNK):
        end = start + _CHUNK
        connection.execute(sa.text(
            f"INSERT INTO {POINTS_TABLE} (id, lon, lat) SELECT * FROM unnest("
            "CAST(:ids AS text[]), CAST(:lon AS double precision[]), "
            "CAST(:lat AS double precision[]))"),
            {"ids": ids[start:end], "lon": lon[start:end], "lat": lat[start:end]})


def placed_register(store: Store, register: Register) -> Register:
    """A copy of ``register`` whose carriers carry PostGIS's placement (:data:`PLACED_TOWN`).

    :func:`geo.check.check` of it equals the check of ``register`` to the
    last digit; only the spatial step ran in the database.
    """
    carriers = register.carriers.assign(**{PLACED_TOWN: towns_in_database(store, register)})
    return dataclasses.replace(register, carriers=carriers)


def check_in_database(store: Store, targets: Targets,
                      as_of: dt.date | str | None = None) -> CheckResult:
    """:func:`geo.check.check` of the stored register and towns, points placed by PostGIS.

    Raises
    ------
    ValueError
        When the store has no PostGIS (:func:`towns_in_database`).
    ConfigError
        When ``as_of`` is not a date.
    """
    register = store.register()
    return check(placed_register(store, register), store.boundaries(), targets, as_of=as_of)
