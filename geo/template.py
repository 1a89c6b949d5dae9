"""The ledger template: an Excel workbook an office fills in and imports back unchanged.

Sheet 1 holds the header (the names the reader accepts) with drop-downs for
类型, 状态 and 坐标系; sheet 2 explains every column with its accepted values
and examples. Offered on the Data page and by ``python -m geo template``.
"""

from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from geo.i18n import Lang, translate
from geo.schema import COLUMNS, REQUIRED_COLUMNS

__all__ = ["TEMPLATE_ROWS", "template_xlsx"]

TEMPLATE_ROWS = 500
"""Rows prepared with drop-downs below the header."""

_CHOICES: dict[str, tuple[str, ...]] = {
    "type": ("孵化器", "研究院", "新型研发机构", "大院大所", "众创空间", "产业化基地"),
    "status": ("规划", "在建", "已投用"),
    "crs": ("WGS84", "GCJ02", "BD09", "CGCS2000"),
}
_WIDTHS = {"id": 12, "name": 32, "type": 12, "town": 12, "lon": 12, "lat": 12, "crs": 10,
           "floor_area_m2": 16, "opened": 14, "status": 10, "level": 10, "operator": 24,
           "industry": 14, "source": 16}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _header(column: str, lang: Lang) -> str:
    return translate(f"field.{column}", "zh") if lang == "zh" else column


def template_xlsx(lang: Lang = "zh") -> bytes:
    """The template workbook's bytes (headers in ``lang``; both languages import)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = translate("template.sheet", lang)
    sheet.append([_header(column, lang) for column in COLUMNS])
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True, color="C00000" if column in REQUIRED_COLUMNS else "000000")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = _WIDTHS.get(column, 12)
        if column in _CHOICES:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(_CHOICES[column]) + '"',
                allow_blank=True, showErrorMessage=True,
                errorTitle=translate("template.invalid_title", lang),
                error=translate("template.invalid", lang, values="、".join(_CHOICES[column])))
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
        if column in ("id", "lon", "lat", "opened"):
            for row in range(2, TEMPLATE_ROWS + 2):  # text, so 007 and 2019-06 stay as typed
                sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "C2"
    guide = workbook.create_sheet(translate("template.guide_sheet", lang))
    guide.append([translate("template.guide_column", lang),
                  translate("template.guide_required", lang),
                  translate("template.guide_values", lang)])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for column in COLUMNS:
        guide.append([_header(column, lang),
                      translate("report.yes" if column in REQUIRED_COLUMNS else "report.no",
                                lang),
                      translate(f"template.help_{column}", lang)])
    guide.append([])
    for line in ("template.note_rows", "template.note_units", "template.note_id"):
        guide.append([translate(line, lang)])
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 8
    guide.column_dimensions["C"].width = 100
    for row in guide.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
