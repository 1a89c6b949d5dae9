"""Load and check the data once, cached by the content of the input files.

A file's SHA-256 is computed once per version of the file (its path, size
and modification time), so a rerun caused by a widget reads no file; the
dataset and each filtered check are then cached by those digests.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from geo import CheckResult, Dataset, file_digest, load_dataset
from geo.filters import Filters
from geo.settings import DataPaths, data_paths

__all__ = ["configured_paths", "dataset", "filtered_check", "secrets"]


def secrets() -> dict:
    """Streamlit secrets as a plain dict; empty when there is no secrets file."""
    try:
        return dict(st.secrets)
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


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


def _content(paths: DataPaths) -> tuple[str, ...]:
    """What the data is: the digest of each input file, and the boundary name field."""
    files = (paths.carriers, paths.boundaries, paths.targets)
    return (*(_content_key(p) for p in files), paths.name_field)


@st.cache_data(show_spinner=False, max_entries=4)
def _load(content: tuple[str, ...], _paths: DataPaths) -> Dataset:
    return load_dataset(_paths.carriers, _paths.boundaries, _paths.targets, _paths.name_field)


def dataset(paths: DataPaths) -> Dataset:
    """The validated dataset, read once per content of its files.

    Raises
    ------
    geo.InputFileError, geo.ConfigError
        When an input cannot be used (the page shows the message).
    """
    return _load(_content(paths), paths)


@st.cache_data(show_spinner=False, max_entries=64)
def _check(content: tuple[str, ...], filters: Filters, _data: Dataset) -> CheckResult:
    return _data.check(filters)


def filtered_check(paths: DataPaths, filters: Filters) -> CheckResult:
    """The check of the chosen carriers and period, cached per filter choice."""
    return _check(_content(paths), filters, dataset(paths))
