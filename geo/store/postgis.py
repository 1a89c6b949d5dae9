"""PostGIS, where the PostgreSQL server has it: town boundaries and carrier points as geometries.

The store does not need PostGIS — the check runs in geopandas on any
database — but where the extension is installed the boundaries table gets a
``geom`` column (MultiPolygon, EPSG:4326) generated from the stored WKB, with
a spatial index, so GIS tools such as QGIS can read and query the towns
straight from the database. Applied on every start, and harmless to repeat.

It also adds :data:`POINTS_TABLE`, the carriers' WGS84 points for placing them
in towns inside the database (:mod:`geo.store.spatial`). The ``carriers``
table keeps coordinates as the user entered them (text, in WGS84, GCJ-02 or
BD-09); only :mod:`geo.register` converts them, in Python, so this table holds
its results — ``lon``/``lat`` in WGS84 and a ``geom`` point generated from
them, with a spatial index. It is a cache: :mod:`geo.store.spatial` checks it
against the register on every use and rewrites what differs, so it can be
emptied at any time.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["POINTS_TABLE", "enable_postgis", "has_postgis"]

POINTS_TABLE = "carrier_points"
"""The carriers' WGS84 points (``id``, ``lon``, ``lat``, generated ``geom``), where PostGIS is."""


def has_postgis(connection: sa.Connection) -> bool:
    """Whether the PostGIS extension is installed in this database."""
    return connection.execute(sa.text(
        "SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is not None


def enable_postgis(engine: sa.Engine) -> bool:
    """Create the extension if offered, add ``boundaries.geom`` and the points; say if done."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.begin() as connection:
        offered = connection.execute(sa.text(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first()
        if offered is None:
            return False
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7310422)"))
        if not has_postgis(connection):
            try:
                with connection.begin_nested():
                    connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
            except sa.exc.DBAPIError:  # no right to create extensions: carry on without
                return False
        has_geom = connection.execute(sa.text(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'boundaries' AND column_name = 'geom'")).first()
        if has_geom is None:
            connection.execute(sa.text(
                "ALTER TABLE boundaries ADD COLUMN geom geometry(MultiPolygon, 4326) "
                "GENERATED ALWAYS AS (ST_Multi(ST_GeomFromWKB(decode(geometry_wkb, 'hex'), "
                "4326))) STORED"))
            connection.execute(sa.text(
                "CREATE INDEX IF NOT EXISTS boundaries_geom ON boundaries USING gist (geom)"))
        _add_points_table(connection)
    return True


def _add_points_table(connection: sa.Connection) -> None:
    """Create :data:`POINTS_TABLE` and its spatial index unless they exist."""
    connection.execute(sa.text(
        f"CREATE TABLE IF NOT EXISTS {POINTS_TABLE} (id text PRIMARY KEY, "
        "lon double precision NOT NULL, lat double precision NOT NULL, "
        "geom geometry(Point, 4326) GENERATED ALWAYS AS "
        "(ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED)"))
    connection.execute(sa.text(
        f"CREATE INDEX IF NOT EXISTS {POINTS_TABLE}_geom ON {POINTS_TABLE} USING gist (geom)"))
