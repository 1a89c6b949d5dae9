"""Read a register table (CSV in any of the usual encodings, or .xlsx) as text.

Every cell comes back as a string (or NA) so nothing is lost to type guessing:
ids like ``001`` stay ``001`` and dates stay as written. Row numbers are those a
spreadsheet shows (the header is row 1, or wherever the header was found).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from geo._errors import InputFileError
from geo.problems import Problem
from geo.schema import HEADER_ALIASES, normalise_token

__all__ = ["RawTable", "read_table"]

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
_HEADER_SEARCH_ROWS = 10
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = (",", "\t", ";", "|")


@dataclass
class RawTable:
    """A table of strings with the spreadsheet row number of each record."""

    frame: pd.DataFrame
    rows: pd.Series
    header: list[str]
    path: str
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""


def read_table(path: str | Path) -> RawTable:
    """Read a CSV or Excel register, detecting encoding, delimiter and header row.

    Raises
    ------
    InputFileError
        When the file is missing, empty, binary, in an unsupported format or
        has no recognisable header.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError("file.missing", path=str(path))
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputFileError("file.xls", path=str(path))
    if suffix not in TABLE_SUFFIXES:
        raise InputFileError("file.format", path=str(path), suffix=suffix or "—",
                             allowed=", ".join(TABLE_SUFFIXES))
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError("file.empty", path=str(path))
    table = _read_excel(raw, path) if suffix in (".xlsx", ".xlsm") else _read_delimited(raw, path)
    table.sha256 = hashlib.sha256(raw).hexdigest()
    return table


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """Return the text's encoding (for pyarrow) and a decoded sample."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", raw.decode("utf-16", errors="replace")[:_SNIFF_BYTES]
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise InputFileError("file.binary", path=str(path))
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    for encoding in ("utf-8", "gb18030"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text[:_SNIFF_BYTES]):
            raise InputFileError("file.binary", path=str(path))
        return encoding, text[:_SNIFF_BYTES]
    raise InputFileError("file.encoding", path=str(path))


def _looks_binary(sample: str) -> bool:
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return control > max(4, len(sample) // 100)


def _find_header(rows: list[list[str]], path: Path) -> int:
    """Index of the first row that names at least two known columns."""
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        known = {HEADER_ALIASES.get(normalise_token(cell)) for cell in row if cell}
        known.discard(None)
        if len(known) >= 2:
            return index
    raise InputFileError("file.no_header", path=str(path), rows=_HEADER_SEARCH_ROWS,
                         required="编号/id、名称/name、类型/type、面积/floor_area_m2、状态/status")


def _sniff_delimiter(sample_lines: list[str]) -> str:
    first = next((line for line in sample_lines if line.strip()), "")
    return max(_DELIMITERS, key=first.count)


def _read_delimited(raw: bytes, path: Path) -> RawTable:
    encoding, sample = _decode(raw, path)
    if encoding == "utf-16":
        body = raw.decode("utf-16").encode("utf-8")
    elif encoding == "gb18030":
        body = raw.decode("gb18030").encode("utf-8")
    else:
        body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if sample.startswith("\ufeff"):
        sample = sample[1:]
    lines = sample.splitlines()[: _HEADER_SEARCH_ROWS + 1]
    delimiter = _sniff_delimiter(lines)
    rows = list(csv.reader(lines, delimiter=delimiter))
    header_index = _find_header(rows, path)
    header = [cell.strip() for cell in rows[header_index]]
    table = _read_with_arrow(body, header_index, len(header), delimiter, path)
    if table is None:
        return _read_with_csv_module(body.decode("utf-8"), header_index, header, delimiter,
                                     path)
    frame = table.to_pandas()
    frame.columns = header
    return _finish(frame, _row_numbers(header_index, len(frame)), header, path, [])


def _row_numbers(header_index: int, count: int) -> pd.Series:
    first = header_index + 2
    return pd.Series(range(first, first + count))


def _read_with_arrow(body: bytes, header_index: int, width: int, delimiter: str,
                     path: Path) -> pa.Table | None:
    """Fast multi-threaded read; None when a record has the wrong number of fields."""
    names = [f"c{i}" for i in range(width)]
    malformed: list[int] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        malformed.append(row.actual_columns)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(skip_rows=header_index + 1, column_names=names,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False,
                                             invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputFileError("file.unreadable", path=str(path),
                             reason=str(exc).splitlines()[0]) from exc
    return None if malformed else table


def _read_with_csv_module(text: str, header_index: int, header: list[str], delimiter: str,
                          path: Path) -> RawTable:
    """Exact, slower read that reports each malformed record by its row number."""
    records = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""),
                              delimiter=delimiter))
    width = len(header)
    body: list[list[str]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    for index, record in enumerate(records[header_index + 1:], start=header_index + 2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != width:
            problems.append(Problem("carriers", "row.malformed", row=index,
                                    params={"actual": len(record), "expected": width}))
            continue
        body.append(record)
        numbers.append(index)
    frame = pd.DataFrame(body, columns=range(width), dtype="str")
    frame.columns = header
    return _finish(frame, pd.Series(numbers), header, path, problems)


def _excel_cell(value: object) -> str | None:
    """One worksheet cell as the text a person would read in it."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_excel(raw: bytes, path: Path) -> RawTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputFileError("file.unreadable", path=str(path),
                             reason=type(exc).__name__) from exc
    except Exception as exc:  # zipfile.BadZipFile and friends: not a workbook at all
        raise InputFileError("file.binary", path=str(path)) from exc
    sheet = workbook.worksheets[0]
    cells = [[_excel_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not any(any(c is not None and str(c).strip() for c in row) for row in cells):
        raise InputFileError("file.empty", path=str(path))
    header_index = _find_header([[c or "" for c in row] for row in cells], path)
    header = [(c or "").strip() for c in cells[header_index]]
    width = len(header)
    body = [(row + [None] * width)[:width] for row in cells[header_index + 1:]]
    frame = pd.DataFrame(body, columns=range(width), dtype="str")
    frame.columns = header
    return _finish(frame, _row_numbers(header_index, len(frame)), header, path, [])


def _finish(frame: pd.DataFrame, rows: pd.Series, header: list[str], path: Path,
            problems: list[Problem]) -> RawTable:
    """Strip cells, turn blanks into NA and drop records that are wholly empty."""
    for column in range(frame.shape[1]):
        values = frame.iloc[:, column].astype("str").str.strip()
        frame.isetitem(column, values.mask(values == ""))
    keep = frame.notna().any(axis=1)
    return RawTable(frame=frame[keep], rows=rows[keep], header=header, path=str(path),
                    problems=problems)
