"""Store fixtures: the same tests run on SQLite and, when a URL is given, on PostgreSQL.

Set ``CARRIER_MAP_TEST_DATABASE_URL`` (``.ci/run`` does) to a PostgreSQL
database the tests may wipe; without it the PostgreSQL runs are skipped. Under
pytest-xdist each worker gets its own database next to it (``<name>_gw0``, …,
created on first use), so parallel workers never wipe each other's tables.
"""

from __future__ import annotations

import functools
import os

import pytest
import sqlalchemy as sa

from geo.store.engine import sqlite_url

POSTGRES_URL = os.environ.get("CARRIER_MAP_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


@functools.cache
def worker_postgres_url() -> str | None:
    """The PostgreSQL URL for this test process: the given one, or a per-worker copy."""
    if not POSTGRES_URL:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return POSTGRES_URL
    base = sa.engine.make_url(POSTGRES_URL)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": name}).first()
        if exists is None:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def wipe_postgres(url: str) -> None:
    """Drop the store's tables from the test database (extensions such as PostGIS stay)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in ("changes", "users", "signing_keys", "carrier_points", "boundaries",
                      "carriers", "meta"):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


def database_url(backend: str, tmp_path) -> str:
    """A fresh, empty database of ``backend`` for one test."""
    if backend == "sqlite":
        return sqlite_url(tmp_path / "store.db")
    url = worker_postgres_url()
    if not url:
        pytest.skip("PostgreSQL not configured: set CARRIER_MAP_TEST_DATABASE_URL "
                    "(e.g. postgresql+psycopg://user:pw@127.0.0.1/db); .ci/run does")
    wipe_postgres(url)
    return url
