"""Ledgers as Chinese offices keep them: where the header is, and which rows are not carriers.

A town's 台账 has a title row (「浏河镇创新载体台账（2020年）」), maybe a unit line
(「面积单位：万平方米」), a header of one or two rows (a merged 「位置坐标」 over
经度 / 纬度, 「面积」 over 建筑面积 / 使用面积), a 序号 column, then the carriers,
then a 合计 row and 「填表人：… 联系电话：…」 lines. This module finds the
header and its units, and sets the footer aside with a note for each row —
never silently, and never as an error to fix.

Footer rows are found only among rows that have neither a type nor a status
(every carrier row has them), so the check stays vectorised at a million rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo._errors import InputFileError
from geo.problems import Problem
from geo.schema import (
    AREA_UNITS,
    ROW_COUNTER,
    STATUS_ALIASES,
    TYPE_ALIASES,
    HeaderCell,
    crs_in_text,
    normalise_token,
    read_header_cell,
    unit_in_text,
)

__all__ = ["FOOTER_KINDS", "Footer", "Header", "area_unit", "find_header", "header_crs",
           "set_aside_footer"]

HEADER_SEARCH_ROWS = 20
"""How many rows from the top may hold the header (title and unit lines come first)."""

_TOTAL_WORDS = ("合计", "总计", "小计", "累计", "共计", "总和", "total", "subtotal", "sum")
_SIGNATURE_WORDS = ("填表人", "填报人", "制表人", "制表", "审核人", "审核", "审批人", "负责人",
                    "单位负责人", "分管领导", "联系人", "联系电话", "电话", "填表日期",
                    "填报日期", "日期", "填报单位", "填表单位", "盖章", "单位(盖章)")
_NOTE_WORDS = ("备注", "注:", "注1", "注①", "说明", "附注", "数据截至", "数据来源", "资料来源")
_NUMBER = re.compile(r"^\d{1,5}$")
_SPACES = re.compile(r"\s+")

FOOTER_KINDS = ("total", "signature", "note", "numbered_blank", "trailing")
"""Why a row was set aside: a 合计/小计 row, a 填表人/联系电话 line, a note, an empty row
that only has its 序号, or a row after the last carrier with no name, type or status."""


@dataclass(frozen=True)
class Header:
    """Where the header is and what its columns are.

    ``start`` is the index of the header's first record and ``depth`` its
    number of rows (1, or 2 for a group header over sub-headers); ``labels``
    names each column as the file does; ``fields`` maps register columns to
    positions (the first column wins when two name the same field). A row of
    units under the header (「（万平方米）」 under 面积) is part of the header.
    """

    start: int
    depth: int
    labels: list[str]
    fields: dict[str, int]
    units: list[tuple[str, str]] = field(default_factory=list)
    """Every area unit the header states, with the text that says so (cell, unit row, title)."""
    crs: list[tuple[str, str]] = field(default_factory=list)
    """The coordinate systems the 经度 / 纬度 headers name (``经度（百度坐标）``), with them."""
    notes: list[Problem] = field(default_factory=list)


def _text(cell: object) -> str:
    return "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(
        cell).strip()


def _fold(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


def _known_columns(record: Sequence[object]) -> set[str]:
    return {c.column for c in map(read_header_cell, map(_text, record))
            if c.column and c.column != ROW_COUNTER}


def _is_sub_header(top: list[str], below: list[str]) -> bool:
    """True when ``below`` names columns under group labels of ``top`` (a two-row header).

    A cell of ``below`` counts when it names a column that ``top`` does not
    already name in another position, so a data row is never taken for one.
    """
    top_columns = {j: read_header_cell(t).column for j, t in enumerate(top)}
    for j, text in enumerate(below):
        if not text or (j < len(top) and text == top[j]):
            continue
        column = read_header_cell(text).column
        if column and column != ROW_COUNTER and all(
                other != column or k == j for k, other in top_columns.items()):
            return True
    return False


def _stated_unit(records: Sequence[Sequence[object]]) -> tuple[str, str] | None:
    """An area unit announced in a line of its own (「面积单位：万平方米」), with the line."""
    for record in records:
        for cell in map(_text, record):
            unit = unit_in_text(cell) if "单位" in cell else None
            if unit:
                return unit, cell
    return None


_SQUARE_METRES = re.compile(r"m\^?[2²]", re.IGNORECASE)


def _units_row(record: Sequence[object], area: int) -> tuple[str, str] | None:
    """The area unit of a row of units under the header (「（万平方米）」), or ``None``.

    Such a row names a unit under 面积 and has no number anywhere (``m2``
    aside) and no type or status, so a carrier row never is one.
    """
    cells = [_text(c) for c in record]
    text = cells[area] if area < len(cells) else ""
    unit = unit_in_text(text) if text else None
    if unit is None or any(re.search(r"\d", _SQUARE_METRES.sub("", c)) for c in cells):
        return None
    vocabulary = TYPE_ALIASES.keys() | STATUS_ALIASES.keys()
    return None if any(normalise_token(c) in vocabulary for c in cells if c) else (unit, text)


def find_header(records: Sequence[Sequence[object]], path: str,
                search_rows: int = HEADER_SEARCH_ROWS) -> Header:
    """Find the header among the first records: the first naming two known columns.

    Raises
    ------
    InputFileError
        When none of the first ``search_rows`` records is a header.
    """
    start = next((i for i, record in enumerate(records[:search_rows])
                  if len(_known_columns(record)) >= 2), None)
    if start is None:
        raise InputFileError("file.no_header", path=path, rows=search_rows,
                             required="名称/name、类型/type、面积/area、状态/status")
    top = [_text(c) for c in records[start]]
    below = [_text(c) for c in records[start + 1]] if start + 1 < len(records) else []
    depth = 2 if below and _is_sub_header(top, below) else 1
    width = max(len(top), len(below) if depth == 2 else 0)
    top += [""] * (width - len(top))
    below += [""] * (width - len(below))
    labels: list[str] = []
    cells: list[HeaderCell] = []
    group = ""  # a group label over several sub-headers sits in the first cell of its merge
    for upper, lower in zip(top, below, strict=False):
        if depth == 2 and lower and lower != upper:
            group = upper or group
            cell = read_header_cell(lower)
            if cell.column == "floor_area_m2" and cell.unit is None:
                cell = HeaderCell(cell.column, read_header_cell(group).unit or unit_in_text(group))
            if cell.column in ("lon", "lat") and cell.crs is None:  # 位置坐标（百度） over 经度
                cell = HeaderCell(cell.column, None, crs_in_text(group))
            labels.append(f"{group}/{lower}" if group else lower)
        else:
            group = ""
            cell = read_header_cell(upper)
            labels.append(upper)
        cells.append(cell)
    labels += top[len(labels):]
    fields, notes = _fields(cells, labels)
    units: list[tuple[str, str]] = []
    if "floor_area_m2" in fields:
        area = fields["floor_area_m2"]
        if cells[area].unit:
            units.append((cells[area].unit, labels[area]))
        below_header = records[start + depth] if start + depth < len(records) else None
        unit_row = _units_row(below_header, area) if below_header is not None else None
        if unit_row:
            units.append(unit_row)
            depth += 1
        title = _stated_unit(records[:start])
        if title:
            units.append(title)
    crs = [(cells[fields[c]].crs, labels[fields[c]]) for c in ("lon", "lat")
           if c in fields and cells[fields[c]].crs]
    return Header(start=start, depth=depth, labels=labels, fields=fields, units=units,
                  crs=crs, notes=notes)


def header_crs(header: Header, path: str) -> tuple[str | None, str | None, Problem | None]:
    """The coordinate system the 经度 / 纬度 headers name, the header saying so, and a note.

    Raises
    ------
    InputFileError
        When 经度 and 纬度 name different systems.
    """
    if not header.crs:
        return None, None, None
    if len({crs for crs, _ in header.crs}) > 1:
        raise InputFileError("file.crs_conflict", path=path,
                             statements="；".join(f"“{label}”" for _, label in header.crs))
    crs, label = header.crs[0]
    return crs, label, Problem("carriers", "note.crs_header", field="crs", value=label,
                               severity="info", params={"crs": crs})


def area_unit(header: Header, footer: tuple[str, str] | None,
              path: str) -> tuple[str | None, str | None, Problem | None]:
    """The unit the areas are read in, the text that says so, and the note saying which.

    Every statement of a unit (the 面积 header, a row of units, a title line,
    a 注 line under the table) must agree; with none, areas are read in m²
    and the note says so. ``None`` as the note when there is no area column.

    Raises
    ------
    InputFileError
        When a stated unit is neither 平方米 nor 万平方米 (亩, 千平方米), or two
        statements disagree: every area would be read in a wrong unit.
    """
    if "floor_area_m2" not in header.fields:
        return None, None, None
    stated = [*header.units, *([footer] if footer else [])]
    for unit, source in stated:
        if unit not in AREA_UNITS:
            raise InputFileError("file.area_unit_unknown", path=path, unit=unit, value=source)
    if len({unit for unit, _ in stated}) > 1:
        raise InputFileError("file.area_unit_conflict", path=path,
                             statements="；".join(f"“{source}”" for _, source in stated))
    unit, source = stated[0] if stated else (None, None)
    code = {"万平方米": "note.area_unit_wan", "平方米": "note.area_unit"}.get(
        unit or "", "note.area_unit_assumed")
    return unit, source, Problem("carriers", code, field="floor_area_m2", value=source,
                                 severity="info", params={"unit": unit or "平方米"})


def _fields(cells: list[HeaderCell], labels: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Register column -> position; a second column naming the same field is noted, unused."""
    fields: dict[str, int] = {}
    notes: list[Problem] = []
    for position, cell in enumerate(cells):
        if cell.column is None or cell.column == ROW_COUNTER:
            continue
        if cell.column in fields:
            notes.append(Problem("carriers", "note.column_duplicate", field=cell.column,
                                 value=labels[position], severity="warning",
                                 params={"used": labels[fields[cell.column]]}))
        else:
            fields[cell.column] = position
    return fields, notes


def _footer_kind(cells: list[str]) -> str | None:
    folded = [_fold(c) for c in cells]
    if any(text.startswith(_TOTAL_WORDS) or text.endswith(_TOTAL_WORDS) for text in folded):
        return "total"  # 合计, 合计：, and a town's subtotal in a city's ledger: 浏河镇小计
    if any(text.startswith(_SIGNATURE_WORDS) for text in folded):
        return "signature"
    if any(text.startswith(_NOTE_WORDS) for text in folded):
        return "note"
    if all(_NUMBER.match(text) for text in folded):
        return "numbered_blank"
    return None


@dataclass
class Footer:
    """What :func:`set_aside_footer` set aside: a note for each row, and a unit they state."""

    notes: list[Problem]
    unit: tuple[str, str] | None = None
    """An area unit a note states (「注：面积单位为万平方米」), with the note's text."""


def set_aside_footer(frame: pd.DataFrame, rows: pd.Series,
                     fields: dict[str, int]) -> tuple[pd.DataFrame, pd.Series, Footer]:
    """Remove 合计 / 填表人 / note rows and empty numbered rows; a note names each one.

    Only rows with neither a type nor a status are looked at. Among them a
    row is set aside when a cell starts with a total, signature or note word,
    when its only cells are numbers (a pre-numbered empty row), or when it
    comes after the last carrier row and has no name either. A unit stated
    in a set-aside row (「注：面积单位为万平方米」) is given back with them.
    """
    def missing(name: str) -> np.ndarray:
        if name not in fields:
            return np.ones(len(frame), dtype=bool)
        return frame.iloc[:, fields[name]].isna().to_numpy()

    candidates = np.flatnonzero(missing("type") & missing("status"))
    if not len(candidates):
        return frame, rows, Footer([])
    carrier_rows = np.flatnonzero(~(missing("type") & missing("status")))
    last_carrier = carrier_rows[-1] if len(carrier_rows) else -1
    no_name = missing("name")
    drop: list[int] = []
    notes: list[Problem] = []
    unit: tuple[str, str] | None = None
    for position in candidates:
        cells = [str(c) for c in frame.iloc[position] if isinstance(c, str)]
        kind = _footer_kind(cells)
        if kind is None and position > last_carrier and no_name[position]:
            kind = "trailing"
        if kind is None:
            continue
        unit = unit or _stated_unit([cells])
        drop.append(position)
        text = " ".join(cells)
        notes.append(Problem("carriers", f"note.skipped_{kind}", row=int(rows.iloc[position]),
                             value=text[:80] + ("…" if len(text) > 80 else ""),
                             severity="info"))
    keep = np.ones(len(frame), dtype=bool)
    keep[drop] = False
    return (frame[keep].reset_index(drop=True), rows[keep].reset_index(drop=True),
            Footer(notes, unit))
