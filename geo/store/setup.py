"""Which database to use, and a new store's first contents.

By default the store is an SQLite file (``CARRIER_MAP_DB_PATH``, else
``var/carrier-map.db`` in the project), created on first start and seeded
with the bundled register and boundaries. A shared deployment sets
``CARRIER_MAP_DATABASE_URL`` (Streamlit secrets or environment) to a
PostgreSQL URL such as ``postgresql+psycopg://user:password@host/db``.
Which URL that is, is a setting (:func:`geo.settings.store_url`, re-exported
here with :data:`~geo.settings.DEFAULT_DB_PATH`): settings never import the store.
"""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from geo.boundaries import load_boundaries
from geo.dataset import Dataset
from geo.readers import read_table
from geo.settings import (
    BUNDLED_BOUNDARIES,
    BUNDLED_CARRIERS,
    DEFAULT_DB_PATH,
    load_targets,
    store_url,
)
from geo.store.access import Actor
from geo.store.imports import commit_import, preview_import
from geo.store.schema import meta
from geo.store.store import Store

__all__ = ["DEFAULT_DB_PATH", "SYSTEM", "open_store", "store_dataset", "store_url"]

SYSTEM = Actor("system", "admin")
"""The actor of changes made by the program itself (seeding) or its command line."""


def open_store(url: str, seed: bool = True, carriers: str | Path = BUNDLED_CARRIERS,
               boundaries: str | Path = BUNDLED_BOUNDARIES) -> Store:
    """Open (create, upgrade) the store; seed a brand-new one with the given files once."""
    store = Store(url)
    if seed:
        _seed_once(store, carriers, boundaries)
    return store


SEEDING_STALE_S = 600
"""A claim to seed older than this is taken to be from a start that died half-way."""


def _seed_once(store: Store, carriers: str | Path, boundaries: str | Path) -> None:
    """Seed a brand-new store once, even with several processes starting together.

    A seeded store reads no file (the seed files may be gone since). Else the
    files are read before anything is written, so a wrong path or an
    unreadable file leaves the store as new and the next start seeds it. One
    process claims the seeding (``seeding`` in ``meta``, with the time); the
    others start on the empty store meanwhile. Only a finished seed is marked
    ``seeded``: a start that failed or died half-way leaves its claim, which is
    dropped on failure and taken over once stale, so a later start seeds again.
    """
    with store.reading() as connection:
        wanted, _ = _seed_wanted(connection, int(time.time()))
    if not wanted:
        return
    towns, table = load_boundaries(boundaries), read_table(carriers)
    with store.writing(register_changes=False) as connection:
        now = int(time.time())
        wanted, stale = _seed_wanted(connection, now)
        if not wanted or not _claim(connection, stale, now):
            return  # seeded, or claimed by another process a moment ago
    try:
        store.replace_boundaries(SYSTEM, towns)
        commit_import(store, preview_import(store, table, SYSTEM), SYSTEM)
    except BaseException:
        with store.writing(register_changes=False) as connection:
            connection.execute(sa.delete(meta).where(meta.c.key == "seeding"))
        raise
    with store.writing(register_changes=False) as connection:
        connection.execute(sa.delete(meta).where(meta.c.key == "seeding"))
        connection.execute(sa.insert(meta).values(key="seeded", value=1))


def _seed_wanted(connection: sa.Connection, now: int) -> tuple[bool, int | None]:
    """Whether to seed (neither seeded nor being seeded), and a stale claim to take over."""
    state = dict(connection.execute(sa.select(meta.c.key, meta.c.value).where(
        meta.c.key.in_(("seeded", "seeding")))).all())
    if state.get("seeded") or now - state.get("seeding", 0) < SEEDING_STALE_S:
        return False, None
    return True, state.get("seeding")


def _claim(connection: sa.Connection, stale: int | None, now: int) -> bool:
    """Claim the seeding at ``now``; ``False`` when another process was first.

    A new claim is an insert (the key is unique: of two processes one fails);
    taking over a stale one changes it only if it is still ``stale``.
    """
    if stale is not None:
        return connection.execute(sa.update(meta).where(
            meta.c.key == "seeding", meta.c.value == stale).values(value=now)).rowcount == 1
    try:
        with connection.begin_nested():
            connection.execute(sa.insert(meta).values(key="seeding", value=now))
    except sa.exc.IntegrityError:
        return False
    return True


def store_dataset(store: Store, targets: str | Path | None = None) -> Dataset:
    """The stored register and towns with the targets file, as a :class:`geo.Dataset`.

    The register is read in one transaction, so it is never half of an import.
    """
    register = store.register()
    return Dataset(register=register, boundaries=store.boundaries(),
                   targets=load_targets(targets),
                   sources={"carriers": {"path": store.description, "sha256": register.sha256},
                            "boundaries": {"path": store.description, "sha256": ""}})
