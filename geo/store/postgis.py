"""PostGIS, where the PostgreSQL server has it: town boundaries as real geometries.

The store does not need PostGIS — the check runs in geopandas on any
database — but where the extension is installed the boundaries table gets a
``geom`` column (MultiPolygon, EPSG:4326) generated from the stored WKB, with
a spatial index, so GIS tools such as QGIS can read and query the towns
straight from the database. Applied on every start, and harmless to repeat.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["enable_postgis", "has_postgis"]


def has_postgis(connection: sa.Connection) -> bool:
    """Whether the PostGIS extension is installed in this database."""
    return connection.execute(sa.text(
        "SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is not None


def enable_postgis(engine: sa.Engine) -> bool:
    """Create the extension if the server offers it and add ``boundaries.geom``; say if done."""
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
    return True
