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


def _seed_once(store: Store, carriers: str | Path, boundaries: str | Path) -> None:
    with store.writing(register_changes=False) as connection:
        seeded = connection.execute(sa.select(meta.c.value).where(meta.c.key == "seeded")
                                    ).scalar_one_or_none()
        if seeded:
            return
        connection.execute(sa.insert(meta).values(key="seeded", value=1))
    store.replace_boundaries(SYSTEM, load_boundaries(boundaries))
    commit_import(store, preview_import(store, read_table(carriers), SYSTEM), SYSTEM)


def store_dataset(store: Store, targets: str | Path | None = None) -> Dataset:
    """The stored register and towns with the targets file, as a :class:`geo.Dataset`.

    The register is read in one transaction, so it is never half of an import.
    """
    register = store.register()
    return Dataset(register=register, boundaries=store.boundaries(),
                   targets=load_targets(targets),
                   sources={"carriers": {"path": store.description, "sha256": register.sha256},
                            "boundaries": {"path": store.description, "sha256": ""}})
