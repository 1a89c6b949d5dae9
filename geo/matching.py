"""Which register carrier a ledger row is, what it would change, and ids for new carriers.

A ledger row is matched to a stored carrier by its id when it has one that
is stored; otherwise (序号 is never an id) by the probable-duplicate rule of
:mod:`geo.duplicates` — same normalised name in the same town, else the same
name within the duplicate distance. A matched row changes only the fields
whose *values* differ (``5500`` and ``0.55万`` are the same area, ``2018-10``
and ``2018年10月`` the same date), so re-importing a ledger of carriers already
in the register changes nothing.

New carriers get ids ``<town>-<sequence>`` (``浏河镇-0007``): readable, unique
across towns, stable once given, never a bare small number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["FIELD_COLUMNS", "changed_fields", "new_ids"]

FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "type": ("type",),
    "status": ("status",),
    "town": ("town",),
    "location": ("lon", "lat", "crs"),
    "floor_area_m2": ("floor_area_m2",),
    "opened": ("opened",),
    "level": ("level",),
    "operator": ("operator",),
    "industry": ("industry",),
    "source": ("source",),
}
"""Each compared field and the register text columns that hold it."""

_COMPARED: dict[str, tuple[str, ...]] = {
    "name": ("name",), "type": ("type",), "status": ("status",), "town": ("town_declared",),
    "location": ("lon", "lat"), "floor_area_m2": ("floor_area_m2",),
    "opened": ("opened_start", "opened_end"), "level": ("level",), "operator": ("operator",),
    "industry": ("industry",), "source": ("source",),
}
_NEAR = {"lon": 1e-6, "lat": 1e-6, "floor_area_m2": 1e-6}


def _differs(new: pd.Series, old: pd.Series, column: str) -> np.ndarray:
    a, b = new.to_numpy(), old.to_numpy()
    missing_a, missing_b = pd.isna(a), pd.isna(b)
    if column in _NEAR:
        a, b = a.astype(float), b.astype(float)
        close = np.isclose(a, b, rtol=_NEAR[column], atol=_NEAR[column], equal_nan=True)
        return ~close
    if np.issubdtype(a.dtype, np.datetime64) or np.issubdtype(b.dtype, np.datetime64):
        same = (pd.to_datetime(a) == pd.to_datetime(b)) | (missing_a & missing_b)
        return ~np.asarray(same)
    text_a = [_folded(v) for v in np.where(missing_a, "", a)]
    text_b = [_folded(v) for v in np.where(missing_b, "", b)]
    return np.array([x != y for x, y in zip(text_a, text_b, strict=True)], dtype=bool)


def _folded(value: object) -> str:
    """Text as compared: full-width and half-width forms alike, outer spaces ignored."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def changed_fields(new: pd.DataFrame, old: pd.DataFrame, fields: Iterable[str]) -> pd.DataFrame:
    """For aligned validated rows, which of ``fields`` differ in value (one bool column each).

    ``new`` and ``old`` are :func:`geo.register.validate_register` carriers in
    the same order (row *i* of ``new`` is compared with row *i* of ``old``).
    """
    result = {}
    for name in fields:
        differs = np.zeros(len(new), dtype=bool)
        for column in _COMPARED[name]:
            differs |= _differs(new[column].reset_index(drop=True),
                                old[column].reset_index(drop=True), column)
        result[name] = differs
    return pd.DataFrame(result)


def new_ids(towns: Sequence[str | None], taken: Iterable[str]) -> list[str]:
    """Ids for new carriers: ``<town>-<sequence>``, after the highest one already taken.

    A carrier in no town gets the prefix ``载体``. Sequences count per prefix
    and never reuse a taken number, so ids stay unique across towns.
    """
    highest: dict[str, int] = {}
    for carrier_id in taken:
        match = re.fullmatch(r"(.+)-(\d+)", str(carrier_id))
        if match:
            prefix, number = match.group(1), int(match.group(2))
            highest[prefix] = max(highest.get(prefix, 0), number)
    ids = []
    for town in towns:
        prefix = town if isinstance(town, str) and town.strip() else "载体"
        highest[prefix] = highest.get(prefix, 0) + 1
        ids.append(f"{prefix}-{highest[prefix]:04d}")
    return ids
