"""Tables as files people open in Excel: CSV (UTF-8 with BOM) and .xlsx.

The CSV is the plain table, for machines. The workbook is what a person hands
in: optionally a few lines above the table (:class:`geo.cover.Cover`: title,
period, time of export, data source, verdict, notes), then the table with a
bold, frozen header, number formats and fitted column widths.

Text that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is
prefixed with an apostrophe, so a carrier name typed as ``=HYPERLINK(...)``
stays text when the file is opened (CSV/formula injection); so is every line
above the table.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from geo.cover import Cover
from geo.i18n import Lang, translate
from geo.register import Register
from geo.schema import COLUMNS

__all__ = ["AREA_FORMAT", "COORDINATE_FORMAT", "COUNT_FORMAT", "PERCENT_FORMAT",
           "register_export", "to_csv_bytes", "to_geojson_bytes", "to_xlsx_bytes"]

AREA_FORMAT = "#,##0"
"""Square metres: whole numbers with thousands separators (the value keeps its decimals)."""
PERCENT_FORMAT = "0.0%"
"""A share stored as a fraction (0.85 shows as 85.0%)."""
COORDINATE_FORMAT = "0.000000"
"""Decimal degrees to about 10 cm."""
COUNT_FORMAT = "0"

_WIDTH_SAMPLE = 2000
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: object) -> object:
    r"""Text as it may go into a file, control characters removed and formulas defused.

    Excel refuses control characters (a ``\x0b`` pasted from Word); a start like
    ``=`` gets an apostrophe, which the reader removes again on import.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(_defuse)
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, which Excel opens without garbling Chinese."""
    return _safe(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Sheet1", cover: Cover | None = None,
                  formats: Mapping[str, str] | None = None) -> bytes:
    """An Excel workbook with one sheet: ``cover``'s lines, a blank row, then ``frame``.

    Without a cover the table starts in the first row. ``formats`` maps a
    column to an Excel number format (:data:`AREA_FORMAT`,
    :data:`PERCENT_FORMAT`, ...); values stay numbers. The header row is
    bold, frozen, filterable and repeated on every printed page.

    Raises
    ------
    ValueError
        When ``cover`` has not been stamped with its time of export
        (:meth:`geo.cover.Cover.at`).
    """
    formats = dict(formats or {})
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_name))
    safe = _safe(frame)
    lines = [_defuse(line) for line in cover.lines()] if cover else []
    header_row = len(lines) + 2 if lines else 1
    width = max(len(frame.columns), 1)

    for index, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _column_width(
            frame[column], str(column), formats.get(column))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if len(frame.columns):
        sheet.auto_filter.ref = (f"A{header_row}:{get_column_letter(width)}"
                                 f"{header_row + max(len(frame), 1)}")

    filtered = 1 if cover is not None and cover.filters else None  # the filters' line
    for index, line in enumerate(lines):
        cell = WriteOnlyCell(sheet, value=line)
        cell.font = (Font(bold=True, size=14) if index == 0
                     else Font(bold=True, size=11) if index == filtered else Font(size=10))
        sheet.append([cell])
    if lines:
        sheet.append([])
    sheet.append([_header_cell(sheet, column) for column in frame.columns])

    styles = [formats.get(column) for column in frame.columns]
    for record in safe.itertuples(index=False, name=None):
        sheet.append([_value_cell(sheet, value, style)
                      for value, style in zip(record, styles, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_HEADER_BORDER = Border(bottom=Side(style="thin"))
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")


def _header_cell(sheet: object, column: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_defuse(str(column)))
    cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    cell.border, cell.alignment = _HEADER_BORDER, _HEADER_ALIGNMENT
    return cell


def _plain(value: object) -> object:
    """A value openpyxl writes as itself: numbers as numbers, blanks as empty cells."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _value_cell(sheet: object, value: object, number_format: str | None) -> object:
    value = _plain(value)
    if number_format is None or not isinstance(value, int | float) or isinstance(value, bool):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _text_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value: object, number_format: str | None) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if number_format == AREA_FORMAT:
            return f"{value:,.0f}"
        if number_format == PERCENT_FORMAT:
            return f"{value:.1%}"
        if number_format == COORDINATE_FORMAT:
            return f"{value:.6f}"
        return f"{value:,.6g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _column_width(values: pd.Series, header: str, number_format: str | None) -> float:
    """Wide enough for the header and the widest of the first values, within limits."""
    sample = values.iloc[:_WIDTH_SAMPLE]
    widest = max((_text_width(_shown(v, number_format)) for v in sample), default=0)
    header_width = min(_text_width(header), 24)  # a long header wraps instead
    return float(min(max(widest, header_width, _MIN_WIDTH) + 2, _MAX_WIDTH))


def _sheet_title(name: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, no slashes, ``*?:[]``."""
    return _SHEET_FORBIDDEN.sub("-", name)[:31] or "Sheet1"


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
