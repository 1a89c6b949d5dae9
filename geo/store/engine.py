"""Database engines for the store: SQLite for one machine, PostgreSQL for a shared deployment.

SQLite runs in WAL mode so readers never wait for a writer, and every write
transaction starts with ``BEGIN IMMEDIATE`` so concurrent writers queue (with
a busy timeout) instead of failing half-way. PostgreSQL needs nothing special.

:func:`database_faults` turns what the driver says about the database itself
(read-only, disk full, not a database, a folder, unreachable, a row taken by
another writer meanwhile) into one localised :class:`~geo.store.access.StoreError`,
so the pages and the command line show a paragraph, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from geo.settings import sqlite_url
from geo.store.access import ConflictError, StoreUnavailable

__all__ = ["database_faults", "database_name", "describe_url", "make_engines", "sqlite_url"]

_BUSY_TIMEOUT_MS = 60_000

_FAULTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("store.fault_read_only", ("readonly", "read-only")),
    ("store.fault_disk_full", ("disk is full", "no space left", "could not extend file",
                               "disk full")),
    ("store.fault_not_database", ("not a database", "malformed", "file is encrypted")),
    ("store.fault_busy", ("database is locked", "lock timeout", "deadlock detected")),
    ("store.fault_cannot_open", ("unable to open database file",)),
    ("store.fault_cannot_connect", ("connection refused", "could not connect",
                                    "connection failed", "authentication failed",
                                    "could not translate host name", "timeout expired")),
)
"""Catalogue code of each fault, by what the SQLite or PostgreSQL driver says (lower case)."""


def database_name(url: str) -> str:
    """What messages call the database of ``url``: ``carrier-map.db``, ``PostgreSQL “carriers”``."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database or ":memory:").name
    return f"{parsed.get_backend_name()} “{parsed.database or '—'}”"


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and provenance."""
    return sa.make_url(url).render_as_string(hide_password=True)


def _reason(error: BaseException) -> str:
    """The driver's own first line (no SQL, no parameters), for an unexpected fault."""
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or ["—"])[0][:200]


def _unavailable(error: sa.exc.DBAPIError, database: str) -> StoreUnavailable:
    text = str(getattr(error, "orig", None) or error).lower()
    code = next((code for code, needles in _FAULTS if any(n in text for n in needles)),
                "store.fault_other")
    return StoreUnavailable(code, database=database, reason=_reason(error))


@contextmanager
def database_faults(database: str) -> Iterator[None]:
    """Raise a localised :class:`StoreError` for a fault of the database ``database`` itself.

    A unique key taken by a concurrent writer becomes :class:`ConflictError`
    (``store.taken_meanwhile``: try again); a database that cannot be opened
    or written becomes :class:`StoreUnavailable` naming why (read-only, disk
    full, not a database, busy, unreachable). The transaction was rolled back
    by then, so the data is as it was. Errors of the program's own SQL
    (``ProgrammingError``) are not hidden.
    """
    try:
        yield
    except sa.exc.IntegrityError as error:
        raise ConflictError("store.taken_meanwhile", database=database) from error
    except (sa.exc.OperationalError, sa.exc.InternalError) as error:
        raise _unavailable(error, database) from error
    except sa.exc.DatabaseError as error:
        if type(error) is not sa.exc.DatabaseError:  # ProgrammingError, DataError: our bug
            raise
        raise _unavailable(error, database) from error
    except IsADirectoryError as error:
        raise StoreUnavailable("store.fault_is_directory", database=database) from error
    except PermissionError as error:
        raise StoreUnavailable("store.fault_read_only", database=database,
                               reason=_reason(error)) from error


def _sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (``None`` for memory or ``file:`` URI databases)."""
    database = sa.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _sqlite_engine(url: str, begin: str) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000,
                                                 "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy issues BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")  # a write: only when not WAL already
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql(begin)

    return engine


def make_engines(url: str) -> tuple[sa.Engine, sa.Engine]:
    """A writer and a reader engine for ``url`` (the same engine except for SQLite).

    An SQLite file's folder is created here, when the store is opened.

    Raises
    ------
    StoreUnavailable
        When the SQLite path is a folder (``store.fault_is_directory``).
    OSError
        When its folder cannot be created (:func:`database_faults` names it).
    """
    if sa.make_url(url).get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        if path is not None:
            if path.is_dir():
                raise StoreUnavailable("store.fault_is_directory", database=str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_engine(url, "BEGIN IMMEDIATE"), _sqlite_engine(url, "BEGIN")
    engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine, engine
