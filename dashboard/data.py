"""Load and check the data once, cached by what the data is.

From the store (the default), the key is the store's data version, which
changes with every committed change, so a rerun costs one tiny query and a
reader never sees half an import. From files, a file's SHA-256 is computed
once per version of the file (path, size, modification time). Either way a
widget rerun reads nothing, and each filtered check is cached too.

The dataset and the checks are shared objects (``st.cache_resource``), not
copies made on every rerun (``st.cache_data`` unpickles its value each time:
about 30 ms a rerun at 10,000 carriers, ten times that at 100,000, and the
dataset's placement of its carriers would be lost with each copy). Nothing
changes them: the domain's functions return new frames, and
``tests/test_caching.py`` walks the pages and compares both with fresh ones.
The checks are kept by their carrier rows as well as by their number
(:mod:`dashboard.bounded`): a national register must not fill the memory.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard.bounded import BoundedCache
from geo import CheckResult, Dataset, file_digest, load_dataset
from geo._errors import ConfigError
from geo.filters import Filters
from geo.settings import DEFAULT_TIMEZONE, DataPaths, data_paths, display_timezone
from geo.store import Store
from geo.store.setup import open_store, store_dataset, store_url

__all__ = ["configured_paths", "data_identity", "dataset", "filtered_check", "illustrative_count",
           "open_account_store", "open_configured_store", "result_identity", "secrets"]


def secrets() -> dict:
    """Streamlit secrets as a plain dict; empty when there is no secrets file."""
    try:
        return dict(st.secrets)
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def deployment_zone() -> ZoneInfo:
    """The deployment's time zone (``CARRIER_MAP_TIMEZONE``); the default when it is unusable.

    The Data page says when the setting is wrong (``dashboard.editing``); here
    dates and stamps simply fall back to the default zone.
    """
    try:
        return display_timezone({**os.environ, **secrets()})
    except ConfigError:
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_today() -> dt.date:
    """Today in the deployment's time zone (the default as-of date, the date on a brief)."""
    return dt.datetime.now(deployment_zone()).date()


def configured_paths() -> DataPaths:
    """The input files: Streamlit secrets, then environment variables, then bundled."""
    return data_paths({**os.environ, **secrets()})


@st.cache_data(show_spinner=False, max_entries=32)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    """The file's SHA-256; ``size`` and ``mtime_ns`` are part of the cache key."""
    return file_digest(path)


def _content_key(path: Path) -> str:
    if not path.exists():
        return f"missing:{path}"
    stat = path.stat()
    return _digest(str(path), stat.st_size, stat.st_mtime_ns)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    """One store (and connection pool) per database, shared by every session."""
    return open_store(url, boundaries=configured_paths().boundaries)


def open_configured_store() -> Store | None:
    """The configured store, or ``None`` when the register is read from a file."""
    url = configured_paths().store_url
    return _store(url) if url else None


@st.cache_resource(show_spinner=False)
def _accounts(url: str) -> Store:
    """The accounts' database when the register is read from files: opened, never seeded."""
    return open_store(url, seed=False)


def open_account_store() -> Store:
    """The store that holds the user accounts, also when the register is read from a file.

    That is the configured store; with ``CARRIER_MAP_CARRIERS`` set it is the
    database ``python -m geo users add`` writes to (``CARRIER_MAP_DATABASE_URL``
    or ``CARRIER_MAP_DB_PATH``), so signing in works the same in both modes.
    """
    store = open_configured_store()
    return store if store is not None else _accounts(store_url({**os.environ, **secrets()}))


def _content(paths: DataPaths) -> tuple[str, ...]:
    """What the data is: the store's data version or the files' digests, and the settings."""
    if paths.store_url:
        version = str(_store(paths.store_url).data_version())
        return ("store", paths.store_url, version, _content_key(paths.targets))
    files = (paths.carriers, paths.boundaries, paths.targets)
    return (*(_content_key(p) for p in files), paths.name_field)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(content: tuple[str, ...], _paths: DataPaths) -> Dataset:
    if _paths.store_url:
        return store_dataset(_store(_paths.store_url), _paths.targets)
    return load_dataset(_paths.carriers, _paths.boundaries, _paths.targets, _paths.name_field)


def dataset(paths: DataPaths) -> Dataset:
    """The validated dataset, read once per content of its files.

    Raises
    ------
    geo.InputFileError, geo.ConfigError
        When an input cannot be used (the page shows the message).
    """
    return _load(_content(paths), paths)


CHECKS_KEPT = 64
"""At most this many check results are kept per process (filters × dates × data versions)."""
CHECKED_ROWS_KEPT = 6_000_000
"""…and at most this many carrier rows in all (about 440 MB): a million carriers keep six."""


@st.cache_resource(show_spinner=False)
def _checks() -> BoundedCache[CheckResult]:
    return BoundedCache(CHECKS_KEPT, CHECKED_ROWS_KEPT, lambda result: len(result.carriers))


def filtered_check(data: Dataset, filters: Filters,
                   as_of: dt.date | None = None) -> CheckResult:
    """The check of ``data`` for the chosen carriers and period, cached per filter choice.

    ``as_of``: the figures as they stood on that date (``None``: the whole period).

    The key is the data's own provenance (file digests, or the store's data
    version read with the rows), so a result is never filed under newer data
    than it was computed from, and nothing is read again to make the key.
    """
    return _checks().get((data_identity(data), filters, as_of),
                         lambda: data.check(filters, as_of=as_of))


@st.cache_data(show_spinner=False, max_entries=8)
def _illustrative(identity: tuple, _data: Dataset) -> int:
    return _data.register.illustrative_count


def illustrative_count(data: Dataset) -> int:
    """How many records of the whole register are illustrative (read once per data)."""
    return _illustrative(data_identity(data), data)


def result_identity(data: Dataset, filters: Filters, result: CheckResult) -> tuple:
    """What a check result is, as a cache key: the data, the filters and its date."""
    return (data_identity(data), filters, result.period_start, result.period_end,
            result.as_of.date if result.as_of is not None else None)


def data_identity(data: Dataset) -> tuple:
    """What the data is, as a cache key: its sources' digests (or store version) and targets."""
    return (tuple((kind, source["path"], source["sha256"])
                  for kind, source in sorted(data.sources.items())), repr(data.targets))
