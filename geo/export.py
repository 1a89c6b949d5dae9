"""Tables as files people open in Excel: CSV (UTF-8 with BOM) and .xlsx.

Text that starts like a formula (``=``, ``+``, ``-``, ``@``) is prefixed with
an apostrophe, so a carrier name typed as ``=HYPERLINK(...)`` stays text when
the file is opened (CSV/formula injection).
"""

from __future__ import annotations

import io
import json

import pandas as pd

from geo.i18n import Lang, translate
from geo.register import Register
from geo.schema import COLUMNS

__all__ = ["register_export", "to_csv_bytes", "to_geojson_bytes", "to_xlsx_bytes"]

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


def register_export(rows: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Stored register rows under headers the import reads back (Chinese, or column names)."""
    frame = pd.DataFrame({column: rows[column] if column in rows else None
                          for column in COLUMNS})
    if lang == "zh":
        frame.columns = [translate(f"field.{column}", "zh") for column in COLUMNS]
    return frame


def to_geojson_bytes(register: Register) -> bytes:
    """Carriers with a usable point as GeoJSON points (WGS84), every register column a property."""
    carriers = register.carriers[register.carriers["usable"] & register.carriers["has_point"]]
    columns = ["id", "name", "type", "status", "town_declared", "floor_area_m2", "opened_text",
               "level", "operator", "industry", "source"]
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(row["lon"]), float(row["lat"])]},
        "properties": {c: (None if pd.isna(row[c]) else row[c]) for c in columns},
    } for row in carriers.to_dict("records")]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode("utf-8")
