"""Database engines for the store: SQLite for one machine, PostgreSQL for a shared deployment.

SQLite runs in WAL mode so readers never wait for a writer, and every write
transaction starts with ``BEGIN IMMEDIATE`` so concurrent writers queue (with
a busy timeout) instead of failing half-way. PostgreSQL needs nothing special.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

__all__ = ["describe_url", "make_engines", "sqlite_url"]

_BUSY_TIMEOUT_MS = 60_000


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of an SQLite file (its folder is created)."""
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and provenance."""
    return sa.make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: str, begin: str) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000,
                                                 "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy issues BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql(begin)

    return engine


def make_engines(url: str) -> tuple[sa.Engine, sa.Engine]:
    """A writer and a reader engine for ``url`` (the same engine except for SQLite)."""
    if sa.make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, "BEGIN IMMEDIATE"), _sqlite_engine(url, "BEGIN")
    engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine, engine
