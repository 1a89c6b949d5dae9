"""Store fixtures: the same tests run on SQLite and, when a URL is given, on PostgreSQL.

Set ``CARRIER_MAP_TEST_DATABASE_URL`` (``.ci/run`` does) to a PostgreSQL
database the tests may wipe; without it the PostgreSQL runs are skipped.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from geo.store.engine import sqlite_url

POSTGRES_URL = os.environ.get("CARRIER_MAP_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


def wipe_postgres(url: str) -> None:
    """Drop the store's tables from the test database (extensions such as PostGIS stay)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in ("changes", "users", "signing_keys", "boundaries", "carriers", "meta"):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


def database_url(backend: str, tmp_path) -> str:
    """A fresh, empty database of ``backend`` for one test."""
    if backend == "sqlite":
        return sqlite_url(tmp_path / "store.db")
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set CARRIER_MAP_TEST_DATABASE_URL "
                    "(e.g. postgresql+psycopg://user:pw@127.0.0.1/db); .ci/run does")
    wipe_postgres(POSTGRES_URL)
    return POSTGRES_URL
