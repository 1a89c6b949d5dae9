"""Read a register table (CSV in any of the usual encodings, .xlsx or old .xls) as text.

Every cell comes back as a string (or NA) so nothing is lost to type guessing:
ids like ``001`` stay ``001`` and dates stay as written. Row numbers are those a
spreadsheet shows (the first row of the file is row 1).

Ledgers as offices keep them are read as they are: title rows above the
header, a two-row header (a merged 「位置坐标」 over 经度 / 纬度), units in the
header (``建筑面积（万平方米）``) or in a title line (``面积单位：万平方米``),
merged cells, and 合计 / 填表人 rows at the end (set aside with a note, see
:mod:`geo.ledger`). A source is a path or the bytes of an upload; messages
name the file by the name the user knows (an upload's own name).

A workbook is read by what its bytes hold, not by its name: a CSV saved as
``.xlsx`` is read as CSV (with a note), a damaged workbook or a zip of
something else is called that. A quote opened in a CSV cell and never closed
is reported on its row, and the rows it would swallow are read as rows. A file
over the limits of :mod:`geo.limits` is refused before it is parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from geo import limits
from geo._errors import InputFileError
from geo.ledger import Header, area_unit, find_header, header_crs, set_aside_footer
from geo.problems import Problem

__all__ = ["RawTable", "SheetInfo", "Source", "default_sheet", "list_sheets", "read_table"]

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_SNIFF_BYTES = 64 * 1024
_SAMPLE_RECORDS = 40
_DELIMITERS = (",", "\t", ";", "|")

Source = str | Path | bytes | BinaryIO
"""A file path, or the bytes (or a binary file object) of an uploaded file."""


@dataclass
class RawTable:
    """A table of strings with the spreadsheet row number of each record.

    ``frame`` holds the data columns by position; ``fields`` says which
    position holds which register column, and ``header`` how each column is
    labelled in the file (``位置坐标/经度`` for a two-row header). ``notes``
    are things worth knowing that need no fix (rows set aside, the unit read).
    """

    frame: pd.DataFrame
    rows: pd.Series
    header: list[str]
    path: str
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""
    fields: dict[str, int] | None = None
    area_unit: str | None = None
    area_unit_source: str | None = None
    notes: list[Problem] = field(default_factory=list)
    sheet: str | None = None
    crs: str | None = None
    """The coordinate system the 经度 / 纬度 headers name, for rows that name none."""
    crs_source: str | None = None
    shared_area_rows: dict[int, int] = field(default_factory=dict)
    """Rows whose area sat in a cell merged down from an earlier row: row -> that row."""

    def __post_init__(self) -> None:
        if self.fields is None:
            header = find_header([self.header], self.path, search_rows=1)
            self.fields = header.fields
            self.area_unit, self.area_unit_source, note = area_unit(header, None, self.path)
            self.crs, self.crs_source, crs_note = header_crs(header, self.path)
            self.notes = [*header.notes, *(n for n in (note, crs_note) if n), *self.notes]


@dataclass(frozen=True)
class SheetInfo:
    """One worksheet of a workbook, for choosing which to read."""

    name: str
    visible: bool
    active: bool
    has_header: bool


def _open(source: Source, name: str | None) -> tuple[bytes, str, str]:
    """The file's bytes, the name to show the user, and its lower-case suffix."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        shown = name or str(source)
        if not path.is_file():
            raise InputFileError("file.missing", path=shown)
        limits.check_file_size(path.stat().st_size, shown)
        raw = path.read_bytes()
    else:
        shown = name or "upload"
        if isinstance(source, (bytes, bytearray, memoryview)):
            raw = bytes(source)
            limits.check_file_size(len(raw), shown)
        else:
            raw = limits.read_limited(source, shown)
    suffix = Path(name or (str(source) if isinstance(source, (str, Path)) else "")).suffix.lower()
    return raw, shown, suffix


def read_table(source: Source, name: str | None = None, sheet: str | None = None) -> RawTable:
    """Read a CSV or Excel register, detecting encoding, delimiter, header rows and footer.

    Parameters
    ----------
    source
        A path, or the bytes / binary file of an upload.
    name
        The file's name as the user knows it (an upload's name); messages use
        it instead of any path on the server. Its suffix decides the format.
    sheet
        The worksheet to read from a workbook; by default the active sheet if
        it is visible and has a header, else the first visible sheet that has.

    Raises
    ------
    InputFileError
        When the file is missing, empty, binary, in an unsupported format or
        has no recognisable header.
    """
    raw, shown, suffix = _open(source, name)
    if suffix not in TABLE_SUFFIXES:
        raise InputFileError("file.format", path=shown, suffix=suffix or "—",
                             allowed=", ".join(TABLE_SUFFIXES))
    if not raw.strip():
        raise InputFileError("file.empty", path=shown)
    if suffix in _EXCEL_SUFFIXES and _container(raw) == "text":
        table = _read_delimited(raw, shown)  # a CSV saved under an Excel name
        table.notes.append(Problem("carriers", "note.text_named_excel", value=shown,
                                   severity="info"))
    elif suffix in _EXCEL_SUFFIXES:
        table = _read_workbook(raw, shown, sheet)
    else:
        table = _read_delimited(raw, shown)
    table.sha256 = hashlib.sha256(raw).hexdigest()
    return table


def list_sheets(source: Source, name: str | None = None) -> list[SheetInfo]:
    """The worksheets of a workbook (one entry for a CSV file), for a sheet chooser."""
    raw, shown, suffix = _open(source, name)
    if suffix not in _EXCEL_SUFFIXES or _container(raw) == "text":
        return [SheetInfo(name=shown, visible=True, active=True, has_header=True)]
    return [info for info, _ in _workbook_sheets(raw, shown)]


# --- CSV ---------------------------------------------------------------------------------
def _decode(raw: bytes, path: str) -> tuple[str, str]:
    """The text's encoding and the whole text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", raw.decode("utf-16", errors="replace")
    sample = raw[:_SNIFF_BYTES]
    for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if len(zeros) > 8 and zeros.count(0) > 0.4 * len(zeros):  # UTF-16 without its BOM
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                break
            if _looks_binary(text[:_SNIFF_BYTES]):
                raise InputFileError("file.binary", path=path)
            return "utf-16", text
    if _looks_binary(sample.decode("latin-1")):
        raise InputFileError("file.binary", path=path)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    for encoding in ("utf-8", "gb18030"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text[:_SNIFF_BYTES]):
            raise InputFileError("file.binary", path=path)
        return encoding, text
    raise InputFileError("file.encoding", path=path)


def _looks_binary(sample: str) -> bool:
    """Many control characters: not a text table (a few are reported and removed per row)."""
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return control > max(4, len(sample) // 100)


def _sample_records(sample: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    r"""The first records of ``sample`` and, for each, how many physical lines end with it.

    Lines are split on ``\n`` only (a CRLF keeps its ``\r`` for the csv module),
    which is also how the fast reader splits them, so a quoted line break in
    a title cell never shifts the header or the row numbers.
    """
    lines = sample.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    reader = csv.reader(iter(lines), delimiter=delimiter)
    records: list[list[str]] = []
    ends: list[int] = []
    try:
        for record in reader:
            records.append(record)
            ends.append(reader.line_num)
            if len(records) >= _SAMPLE_RECORDS:
                break
    except csv.Error:
        pass  # a broken record late in the sample: the header search has what it needs
    return records, ends


def _header_of_text(sample: str, path: str) -> tuple[str, Header, list[int]]:
    """The delimiter whose reading of the first records finds the best header."""
    best: tuple[int, str, Header, list[int]] | None = None
    error: InputFileError | None = None
    for delimiter in _DELIMITERS:
        records, ends = _sample_records(sample, delimiter)
        try:
            header = find_header(records, path)
        except InputFileError as exc:
            error = error or exc
            continue
        score = len(header.fields)
        if best is None or score > best[0]:
            best = (score, delimiter, header, ends)
    if best is None:
        assert error is not None
        raise error
    return best[1], best[2], best[3]


def _read_delimited(raw: bytes, path: str) -> RawTable:
    encoding, text = _decode(raw, path)
    text = text.removeprefix("\ufeff")
    delimiter, header, ends = _header_of_text(text[:_SNIFF_BYTES], path)
    lines_before_data = ends[header.start + header.depth - 1]
    end = -1
    for _ in range(lines_before_data):
        end = text.find("\n", end + 1)
        if end < 0:  # the header is the file's last line
            break
    prefix = text[:end + 1] if end >= 0 else text
    if encoding == "utf-8":
        body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        data = body[len(prefix.encode("utf-8")):]
    else:
        data = text[len(prefix):].encode("utf-8")
    lines = _physical_lines(data)
    if lines > limits.MAX_ROWS:  # counted before parsing: one pass at memchr speed
        raise InputFileError("file.too_many_rows", path=path, limit=limits.MAX_ROWS)
    first_row = header.start + header.depth + 1
    width = len(header.labels)
    table = _read_with_arrow(data, width, delimiter, path)
    if table is not None and _swallows_lines(table, lines, delimiter, width):
        table = None  # the exact reader says which row opened the quote
    if table is None:
        frame, rows, problems = _read_with_csv_module(data.decode("utf-8"), width, delimiter,
                                                      header.labels, first_row)
    else:
        frame = table.to_pandas()
        frame.columns = range(width)
        rows, problems = _row_numbers(first_row, len(frame)), []
    return _finish(frame, rows, header, path, problems, _has_controls(data), b"'" in data)


def _row_numbers(first: int, count: int) -> pd.Series:
    return pd.Series(range(first, first + count))


def _read_with_arrow(body: bytes, width: int, delimiter: str, path: str) -> pa.Table | None:
    """Fast multi-threaded read; None when a record has the wrong number of fields."""
    names = [f"c{i}" for i in range(width)]
    malformed: list[int] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        malformed.append(row.actual_columns)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False,
                                             invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        if "Empty CSV file" in str(exc):
            return pa.table({name: pa.array([], pa.string()) for name in names})
        raise InputFileError("file.unreadable", path=path,
                             reason=str(exc).splitlines()[0]) from exc
    return None if malformed else table


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _physical_lines(data: bytes) -> int:
    """How many lines the bytes hold (a last line without its line end counts)."""
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def _swallowing(cell: str, delimiter: str, width: int) -> bool:
    """Whether a cell's text after its first line break looks like rows of the file.

    A quoted line break in a title or remark holds a few words; an unclosed
    quote runs on into the following records, so the cell goes on with at
    least half a row's worth of delimiters after its first line break.
    """
    parts = _LINE_BREAK.split(cell, maxsplit=1)
    return len(parts) == 2 and parts[1].count(delimiter) >= max(1, (width - 1) // 2)


def _swallows_lines(table: pa.Table, lines: int, delimiter: str, width: int) -> bool:
    """Whether a quoted cell of the fast read ran on over later rows (an unclosed quote).

    Only looked at when there are fewer records than ``lines``, that is when
    some cell holds a line break, so a clean file costs nothing.
    """
    if table.num_rows >= lines:
        return False
    for column in table.columns:
        broken = pc.filter(column, pc.fill_null(pc.match_substring(column, "\n"), False))
        if any(_swallowing(cell, delimiter, width) for cell in broken.to_pylist()):
            return True
    return False


class _Lines:
    r"""The lines of a text for :mod:`csv`, with a position to go back to.

    Lines end at ``\n``, ``\r\n`` or a lone ``\r``, each kept with its line
    end, as :class:`io.StringIO` with ``newline=""`` splits them (and as the
    fast reader does).
    """

    def __init__(self, text: str) -> None:
        self.lines = list(io.StringIO(text, newline=""))
        self.position = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def _read_with_csv_module(text: str, width: int, delimiter: str, header: list[str],
                          first_row: int) -> tuple[pd.DataFrame, pd.Series, list[Problem]]:
    """Exact, slower read that reports each malformed record by its row number.

    A record with fewer fields than the header is read with the rest empty
    (as Excel opens it: a 填表人 line typed by hand has one field); one with
    more non-empty fields is reported and skipped. A quote that is never
    closed would swallow every line up to the next quote into one cell: that
    row is reported (naming the column and how many lines it swallowed) and
    skipped, and reading goes on from the line after it, so no row is lost.
    """
    body: list[list[str]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    lines = _Lines(text)
    records = csv.reader(lines, delimiter=delimiter)
    index = first_row - 1
    while True:
        start = lines.position
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error:  # in this reading, only a field longer than csv allows
            index += 1
            problems.append(Problem("carriers", "row.unreadable", row=index,
                                    value=lines.lines[start][:60].strip(),
                                    params={"limit": csv.field_size_limit()}))
            lines.position = start + 1
            records = csv.reader(lines, delimiter=delimiter)
            continue
        index += 1
        if not any(cell.strip() for cell in record):
            continue
        if lines.position - start > 1:
            column = next((j for j, cell in enumerate(record)
                           if _swallowing(cell, delimiter, width)), None)
            if column is not None:
                problems.append(Problem(
                    "carriers", "row.unclosed_quote", row=index,
                    field=header[column] if column < width else None,
                    value=_LINE_BREAK.split(record[column], maxsplit=1)[0][:60],
                    params={"count": lines.position - start - 1}))
                lines.position = start + 1
                continue
        if len(record) > width and not any(cell.strip() for cell in record[width:]):
            record = record[:width]  # trailing empty cells, as Excel writes them
        if len(record) > width:
            problems.append(Problem("carriers", "row.malformed", row=index,
                                    params={"actual": len(record), "expected": width}))
            continue
        body.append(record + [""] * (width - len(record)))  # short: the rest is empty
        numbers.append(index)
    return pd.DataFrame(body, columns=range(width), dtype="str"), pd.Series(numbers), problems


# --- Excel -------------------------------------------------------------------------------
_FIXED_DECIMALS = re.compile(r"^0\.(0+)$")
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _excel_cell(value: object, number_format: str | None = None) -> str | None:
    """One worksheet cell as the text a person would read in it.

    ``number_format`` (openpyxl's; an old .xls has none) is looked at where
    the value alone would say something else than the sheet shows: a date
    shown as a month (``2019年10月``) is that month, not its first day, and
    ``2019.10`` typed into a number cell is stored as 2019.1 but shown, in a
    ``0.00`` format, as 2019.10. A format never rounds a value here: 121.1234
    shown as ``0.0`` stays 121.1234.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        shown = _date_shown(number_format)
        if shown == "year":
            return f"{value.year:04d}"
        if shown == "month":
            return f"{value.year:04d}-{value.month:02d}"
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float) and number_format:
        decimals = _FIXED_DECIMALS.match(number_format)
        if decimals:
            shown = f"{value:.{len(decimals.group(1))}f}"
            if float(shown) == value:  # trailing zeros added, nothing rounded away
                return shown
    return str(value)


def _date_shown(number_format: str | None) -> str:
    """What a date format shows: ``"year"``, ``"month"`` or ``"day"`` (the default).

    Quoted text (``"年"``), escaped characters and ``[…]`` sections are not
    codes; a format with a year and no day (``yyyy"年"m"月"``, ``mmm-yy``)
    shows a month.
    """
    codes = _FORMAT_LITERALS.sub("", number_format or "").lower()
    if "y" not in codes or "d" in codes or "h" in codes or "s" in codes:
        return "day"
    return "month" if "m" in codes else "year"


@dataclass
class _Grid:
    """One worksheet's cells as text, with merged ranges filled in (and kept, 0-based)."""

    cells: list[list[str | None]]
    hidden_rows: list[int]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def _fill_merged(cells: list[list[str | None]],
                 ranges: list[tuple[int, int, int, int]]) -> None:
    """Fill a merged cell's value down its rows, as the person who merged them meant.

    ``ranges`` are (first row, first column, last row, last column), 0-based. A
    镇区 merged over several carrier rows names the town of each of them; a
    title, 合计 or 填表人 line merged across columns stays in its first cell
    (it is one text, not a value of every column). An area merged down is
    filled too, for the header search, and then taken back from every row but
    the first (:func:`_shared_areas`): an area is added up, a town is not.
    """
    for top, left, bottom, _right in ranges:
        if top >= len(cells) or bottom == top:
            continue
        value = cells[top][left] if left < len(cells[top]) else None
        for r in range(top + 1, min(bottom, len(cells) - 1) + 1):
            row = cells[r]
            if len(row) <= left:
                row.extend([None] * (left + 1 - len(row)))
            row[left] = value


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_WORKBOOK_PART = "xl/workbook.xml"


def _container(raw: bytes) -> str:
    """What a file named as a workbook holds, by its first bytes, not by its name.

    ``"zip"`` (an .xlsx/.xlsm, or something else zipped), ``"ole"`` (an old
    .xls, or an encrypted workbook), ``"text"`` (a CSV or text table saved
    under an Excel name, as many systems export), or ``"binary"``.
    """
    if raw.startswith(_ZIP_MAGIC):
        return "zip"
    if raw.startswith(_OLE_MAGIC):
        return "ole"
    sample = raw[:_SNIFF_BYTES]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or not _looks_binary(
            sample.decode("latin-1")):
        return "text"
    return "binary"


def _check_zip_workbook(raw: bytes, path: str) -> None:
    """Make sure, from its directory alone, that a zip is whole, a workbook and not a bomb.

    Raises
    ------
    InputFileError
        When the zip is cut short or damaged, holds no workbook, or would
        unpack to more than :data:`geo.limits.MAX_WORKBOOK_UNPACKED_BYTES`.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:  # e.g. cut in half
        raise InputFileError("file.excel_damaged", path=path) from exc
    names = archive.namelist()
    if _WORKBOOK_PART not in names:
        shown = "、".join(names[:5]) + ("…" if len(names) > 5 else "") if names else "—"
        raise InputFileError("file.zip_not_workbook", path=path, members=shown)
    limits.check_unpacked_size(archive, path, limits.MAX_WORKBOOK_UNPACKED_BYTES)


def _openpyxl_sheets(raw: bytes, path: str) -> list[tuple[SheetInfo, _Grid | None]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip_workbook(raw, path)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, ElementTree.ParseError, KeyError,
            ValueError, TypeError, IndexError, AttributeError, OSError,
            EOFError) as exc:  # a damaged part (bad CRC, broken XML, missing piece)
        raise InputFileError("file.excel_damaged", path=path) from exc
    active = workbook.active.title if workbook.active is not None else None
    sheets = []
    for sheet in workbook.worksheets:
        cells = [[_excel_cell(c.value, _number_format(c)) for c in row]
                 for row in _limited(sheet.iter_rows(), path)]
        ranges = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1)
                  for r in sheet.merged_cells.ranges]
        _fill_merged(cells, ranges)
        hidden = [number for number, dimension in sheet.row_dimensions.items()
                  if dimension.hidden and number <= len(cells)]
        info = SheetInfo(name=sheet.title, visible=sheet.sheet_state == "visible",
                         active=sheet.title == active, has_header=_has_header(cells, path))
        sheets.append((info, _Grid(cells, sorted(hidden), ranges)))
    workbook.close()
    return sheets


def _number_format(cell: object) -> str | None:
    """A cell's number format where it matters (a date, a decimal); ``None`` elsewhere."""
    value = getattr(cell, "value", None)
    if isinstance(value, dt.datetime) or (isinstance(value, float) and not value.is_integer()):
        return getattr(cell, "number_format", None)
    return None


def _calamine_sheets(raw: bytes, path: str) -> list[tuple[SheetInfo, _Grid | None]]:
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = []
        for index, meta in enumerate(workbook.sheets_metadata):
            sheet = workbook.get_sheet_by_name(meta.name)
            cells = [[_excel_cell(v) for v in row]
                     for row in _limited(sheet.to_python(skip_empty_area=False), path)]
            ranges = [(top, left, bottom, right)
                      for (top, left), (bottom, right) in (sheet.merged_cell_ranges or [])]
            _fill_merged(cells, ranges)
            info = SheetInfo(name=meta.name, visible=meta.visible == SheetVisibleEnum.Visible,
                             active=index == 0, has_header=_has_header(cells, path))
            sheets.append((info, _Grid(cells, [], ranges)))
    except CalamineError as exc:
        raise InputFileError("file.unreadable", path=path, reason=type(exc).__name__) from exc
    return sheets


def _limited(rows: Iterable[Sequence[object]], path: str) -> Iterator[Sequence[object]]:
    """The rows of a worksheet, refusing it once past :data:`geo.limits.MAX_ROWS`."""
    for count, row in enumerate(rows, start=1):
        if count > limits.MAX_ROWS:
            raise InputFileError("file.too_many_rows", path=path, limit=limits.MAX_ROWS)
        yield row


def _workbook_sheets(raw: bytes, path: str) -> list[tuple[SheetInfo, _Grid | None]]:
    """The sheets of a workbook, read by what the file holds whatever its name says."""
    kind = _container(raw)
    if kind == "zip":
        return _openpyxl_sheets(raw, path)
    if kind == "ole":
        return _calamine_sheets(raw, path)
    raise InputFileError("file.binary", path=path)


def _has_header(cells: list[list[str | None]], path: str) -> bool:
    try:
        find_header(cells, path)
    except InputFileError:
        return False
    return True


def default_sheet(sheets: list[SheetInfo]) -> SheetInfo:
    """The sheet read when none is chosen.

    The active sheet if it is visible and has a header, else the first visible
    sheet with a header, else the first with one, else the first.
    """
    ordered = sorted(sheets, key=lambda s: (not s.visible, not s.active))
    return next((s for s in ordered if s.visible and s.has_header),
                next((s for s in ordered if s.has_header), ordered[0]))


def _choose_sheet(sheets: list[tuple[SheetInfo, _Grid | None]], wanted: str | None,
                  path: str) -> tuple[SheetInfo, _Grid]:
    names = [info.name for info, _ in sheets]
    if wanted is None:
        wanted = default_sheet([info for info, _ in sheets]).name
    elif wanted not in names:
        raise InputFileError("file.no_sheet", path=path, sheet=wanted, sheets="、".join(names))
    return sheets[names.index(wanted)]


def _shared_areas(cells: list[list[str | None]], grid: _Grid, header: Header) -> dict[int, int]:
    """Empty the area of every data row but the first of a merged area cell; row -> first row.

    Two carriers in one building often share one merged 面积 cell. Filled down
    like a 镇区 it would count the building once per carrier; kept on its
    first row only it counts once, as the ledger's own 合计 does, and each
    other row is reported (:func:`geo.register.validate_register`) instead of
    being given a share nobody wrote down.
    """
    column = header.fields.get("floor_area_m2")
    first_data = header.start + header.depth
    shared: dict[int, int] = {}
    if column is None:
        return shared
    for top, left, bottom, _right in grid.merged:
        if left != column or bottom == top or top < first_data:
            continue
        for r in range(top + 1, min(bottom, len(cells) - 1) + 1):
            if len(cells[r]) > column:
                cells[r][column] = None
            shared[r + 1] = top + 1
    return shared


def _read_workbook(raw: bytes, path: str, wanted: str | None) -> RawTable:
    sheets = _workbook_sheets(raw, path)
    info, grid = _choose_sheet(sheets, wanted, path)
    cells = grid.cells
    if not any(any(c is not None and c.strip() for c in row) for row in cells):
        raise InputFileError("file.empty", path=path)
    try:
        header = find_header(cells, path)
    except InputFileError as error:
        if error.code != "file.no_header" or len(sheets) < 2:
            raise
        raise InputFileError("file.no_header_sheet", sheet=info.name, **error.params) from error
    shared = _shared_areas(cells, grid, header)
    width = len(header.labels)
    body = [(row + [None] * width)[:width] for row in cells[header.start + header.depth:]]
    frame = pd.DataFrame(body, columns=range(width), dtype="str")
    first_row = header.start + header.depth + 1
    notes: list[Problem] = []
    if len(sheets) > 1:
        notes.append(Problem("carriers", "note.sheet_read", value=info.name, severity="info",
                             params={"sheets": "、".join(s.name for s, _ in sheets)}))
    if not info.visible:
        notes.append(Problem("carriers", "note.sheet_hidden", value=info.name, severity="info"))
    hidden = [r for r in grid.hidden_rows if r >= first_row]
    if hidden:
        notes.append(Problem("carriers", "note.hidden_rows", severity="info",
                             params={"count": len(hidden),
                                     "rows": "、".join(str(r) for r in hidden[:20])}))
    table = _finish(frame, _row_numbers(first_row, len(frame)), header, path, [])
    table.notes.extend(notes)
    table.sheet = info.name
    table.shared_area_rows = shared
    return table


# --- both --------------------------------------------------------------------------------
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _has_controls(data: bytes) -> bool:
    """Whether UTF-8 text holds control characters other than tab and line ends.

    Counted with memchr-speed byte counts, not a regular expression: a
    100 MB register is checked in a few hundredths of a second.
    """
    below_32 = int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) < 32))
    allowed = data.count(b"\n")
    if below_32 > allowed:  # CR line ends or tabs are fine too
        allowed += data.count(b"\r") + data.count(b"\t")
    return below_32 > allowed or b"\x7f" in data


def _without_controls(values: pd.Series, rows: pd.Series, label: str,
                      problems: list[Problem]) -> pd.Series:
    """The cells without control characters; a warning for each cell that had some."""
    found = values.str.contains(_CONTROL, regex=True).fillna(False).to_numpy(dtype=bool)
    for position in np.flatnonzero(found):
        problems.append(Problem("carriers", "row.control_characters", row=int(rows.iloc[position]),
                                field=label, value=repr(values.iloc[position])[1:-1][:60],
                                severity="warning"))
    return values.str.replace(_CONTROL, "", regex=True) if found.any() else values


def _finish(frame: pd.DataFrame, rows: pd.Series, header: Header, path: str,
            problems: list[Problem], controls: bool = True,
            apostrophes: bool = True) -> RawTable:
    r"""Strip cells, turn blanks into NA, drop empty records and set the footer aside.

    Control characters (NUL, Word's manual line break ``\x0b`` …) are removed
    from every cell, with a warning naming the row and column, when
    ``controls`` says the file has any. A protective apostrophe that an
    export put before ``=``, ``+``, ``-``, ``@`` (against formula injection) is
    removed, so an exported register imports back exactly (looked for only
    when ``apostrophes`` says the file has one).
    """
    for column in range(frame.shape[1]):
        values = frame.iloc[:, column].astype("str").str.strip()
        if controls:
            values = _without_controls(values, rows, header.labels[column], problems)
        if apostrophes and values.str.startswith("'").any():
            values = values.str.replace(r"^'([=+\-@\t\r])", r"\1", regex=True)
        frame.isetitem(column, values.mask(values == ""))
    keep = frame.notna().any(axis=1).to_numpy()
    frame, rows = frame[keep].reset_index(drop=True), rows[keep].reset_index(drop=True)
    frame, rows, footer = set_aside_footer(frame, rows, header.fields)
    unit, source, note = area_unit(header, footer.unit, path)
    crs, crs_source, crs_note = header_crs(header, path)
    return RawTable(frame=frame, rows=rows, header=header.labels, path=path,
                    problems=problems, fields=header.fields, area_unit=unit,
                    area_unit_source=source, crs=crs, crs_source=crs_source,
                    notes=[*header.notes, *(n for n in (note, crs_note) if n), *footer.notes])
