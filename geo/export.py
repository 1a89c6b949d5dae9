"""Tables as files people open in Excel: CSV (UTF-8 with BOM) and .xlsx.

Text that starts like a formula (``=``, ``+``, ``-``, ``@``) is prefixed with
an apostrophe, so a carrier name typed as ``=HYPERLINK(...)`` stays text when
the file is opened (CSV/formula injection).
"""

from __future__ import annotations

import io

import pandas as pd

__all__ = ["to_csv_bytes", "to_xlsx_bytes"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(_defuse)
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, which Excel opens without garbling Chinese."""
    return _safe(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Sheet1") -> bytes:
    """An Excel workbook with one sheet holding ``frame``."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _safe(frame).to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buffer.getvalue()
