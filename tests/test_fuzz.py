"""Fuzzing the inputs: mangled registers, random workbooks and odd targets files.

Whatever comes in, ``python -m geo check`` ends with exit 0 and strict JSON,
or exit 2 and a message — never a traceback — and no data row disappears:
each one the file holds below its header is a carrier record, a reported
problem or a note (a 合计 row set aside, say). The default run keeps a few
dozen examples per input; ``-m slow`` runs many more.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from geo import InputFileError, readers
from geo.cli import main
from geo.readers import read_table
from geo.register import validate_register
from tests.conftest import HEADER, REPO, square_towns

DATA = REPO / "tests" / "data"


@dataclass(frozen=True)
class Seed:
    """A real register: its text, how many lines its header takes, its delimiter."""

    name: str
    text: str
    header_lines: int


SEEDS = [
    Seed("carriers.csv", (REPO / "data" / "carriers.csv").read_text(encoding="utf-8-sig"), 1),
    Seed("沙溪镇载体台账.csv", (DATA / "沙溪镇载体台账_GBK.csv").read_text(encoding="gbk"), 4),
    Seed("header-only.csv", (DATA / "header-only.csv").read_text(encoding="utf-8-sig"), 2),
]

INSERTS = [b'"', b'""', b"\x00", b"\x0b", b"\x1b[2J", b"\r", b"\n", b"\r\n", b",", b",,,",
           b"\t", b"\xff\xfe", b"\xef\xbb\xbf", "合计".encode(), "填表人：".encode(),
           b"1e308", b"NaN", b"-", b"'="]


@st.composite
def mangled(draw: st.DrawFn) -> tuple[Seed, bytes, str]:
    """A seed whose body (below its header) was mangled, then perhaps re-encoded."""
    seed = draw(st.sampled_from(SEEDS))
    lines = seed.text.split("\n")
    head = "\n".join(lines[:seed.header_lines]) + "\n"
    body = bytearray("\n".join(lines[seed.header_lines:]).encode("utf-8"))
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, max(len(body), 1))) % (len(body) + 1)
        kind = draw(st.sampled_from(["insert", "bytes", "delete_line", "duplicate_line",
                                     "truncate", "drop"]))
        if kind == "insert":
            body[where:where] = draw(st.sampled_from(INSERTS))
        elif kind == "bytes":
            body[where:where] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "drop":
            del body[where:where + draw(st.integers(1, 40))]
        elif kind == "truncate":
            del body[where:]
        else:
            start = body.rfind(b"\n", 0, where) + 1
            end = body.find(b"\n", where)
            end = len(body) if end < 0 else end + 1
            line = bytes(body[start:end])
            body[start:end] = line * 2 if kind == "duplicate_line" else b""
    raw = head.encode("utf-8") + bytes(body)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "utf-16-le"]))
    if encoding != "utf-8":
        try:
            raw = raw.decode("utf-8").encode(encoding)
        except UnicodeError:  # bytes that are not UTF-8, or a character GBK lacks: keep as is
            encoding = "utf-8"
    return seed, raw, encoding


@pytest.fixture(scope="module")
def towns_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("towns") / "towns.geojson"
    square_towns().to_file(path, driver="GeoJSON")
    return path


def _strict(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def run_check(*args: str) -> tuple[int, dict | None, str]:
    """``python -m geo check … --format json`` in-process: exit code, document, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", *args, "--format", "json"])
    assert code in (0, 2), code
    if code == 2:
        assert err.getvalue().strip() and "Traceback" not in err.getvalue()
        assert out.getvalue() == ""
        return code, None, err.getvalue()
    document = _strict(out.getvalue())
    assert _finite(document)
    return code, document, err.getvalue()


def seen_rows(raw: bytes, name: str) -> set[int] | None:
    """Every row number the reader accounts for: records, problems and notes (None: refused)."""
    try:
        register = validate_register(read_table(raw, name=name))
    except InputFileError:
        return None
    return ({int(r) for r in register.carriers["row"]}
            | {p.row for p in [*register.problems, *register.notes] if p.row is not None})


def seen_ids(raw: bytes, name: str) -> set[str]:
    """The first cell of every record read, and the first word of every row set aside."""
    table = read_table(raw, name=name)
    return set(table.frame.iloc[:, 0].dropna()) | {
        n.value.split(" ")[0] for n in table.notes if n.row is not None and n.value}


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _blank(line: str, delimiter: str) -> bool:
    """Nothing but delimiters and blanks; a stray byte-order mark (U+FEFF, which a
    spliced export leaves mid-file) shows as nothing too, so it is blank."""
    return not line.replace(delimiter, "").replace("\ufeff", "").strip()


def _check_rows_accounted_for(seed: Seed, raw: bytes, encoding: str) -> None:
    seen = seen_rows(raw, seed.name)
    if seen is None:
        return  # the whole file was refused with a message: nothing was silently dropped
    text = raw.decode(encoding).removeprefix("\ufeff")
    lines = _LINE_BREAK.split(text)  # Excel's lines (and the reader's): CR LF, CR or LF
    body = lines[seed.header_lines:]
    if '"' not in "\n".join(body):  # one record per line: each row number is known
        expected = {seed.header_lines + 1 + i for i, line in enumerate(body)
                    if not _blank(line, ",")}
        assert expected <= seen, sorted(expected - seen)
    else:  # quotes may join lines: at least every record the csv module sees is accounted for
        records = [r for r in csv.reader(io.StringIO("\n".join(body), newline=""))
                   if any(cell.strip() for cell in r)]
        first = seed.header_lines + 1
        assert len({r for r in seen if r >= first}) >= len(records)
        assert max(seen, default=0) <= seed.header_lines + len(body)
        # and a whole carrier line untouched by the mangling is read, even after a quote
        # that was opened and never closed (which the csv module would run on over it)
        width = lines[seed.header_lines - 1].count(",")
        untouched = {line.split(",")[0] for line in body
                     if '"' not in line and line.count(",") == width
                     and re.fullmatch(r"TC\d{3}", line.split(",")[0])}
        assert untouched <= seen_ids(raw, seed.name), sorted(untouched - seen_ids(raw, seed.name))


fuzz = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
fuzz_more = settings(max_examples=120, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _csv_case(towns_path: Path, case: tuple[Seed, bytes, str]) -> None:
    seed, raw, encoding = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / seed.name
        path.write_bytes(raw)
        run_check("--carriers", str(path), "--boundaries", str(towns_path))
    _check_rows_accounted_for(seed, raw, encoding)


@fuzz
@given(case=mangled())
def test_a_mangled_csv_register_is_read_or_refused_and_loses_no_row(towns_path, case):
    _csv_case(towns_path, case)


@pytest.mark.slow
@fuzz_more
@given(case=mangled())
def test_a_mangled_csv_register_many_more_cases(towns_path, case):
    _csv_case(towns_path, case)


def test_the_row_check_fails_when_a_row_is_lost(monkeypatch):
    """The check of the fuzz tests is not vacuous: a reader that drops a row fails it."""
    seed = SEEDS[0]
    raw = seed.text.encode("utf-8")
    _check_rows_accounted_for(seed, raw, "utf-8")
    validate = validate_register

    def losing_one(table):
        table.frame, table.rows = table.frame.iloc[1:], table.rows.iloc[1:]
        return validate(table)

    monkeypatch.setattr(sys.modules[__name__], "validate_register", losing_one)
    with pytest.raises(AssertionError):
        _check_rows_accounted_for(seed, raw, "utf-8")


def test_the_row_check_fails_when_an_unclosed_quote_swallows_rows(monkeypatch):
    """With the unclosed-quote check switched off, the rows a quote swallows are missed."""
    seed = SEEDS[0]
    lines = seed.text.split("\n")
    lines[3] = lines[3].replace(",", ',"', 1)
    raw = "\n".join(lines).encode("utf-8")
    _check_rows_accounted_for(seed, raw, "utf-8")
    monkeypatch.setattr(readers, "_swallowing", lambda cell, delimiter, width: False)
    with pytest.raises(AssertionError):
        _check_rows_accounted_for(seed, raw, "utf-8")


# --- workbooks ---------------------------------------------------------------------------
CELL = st.one_of(
    st.none(),
    st.sampled_from(["孵化器", "众创空间", "研究院", "产业化基地", "已投用", "在建", "规划",
                     "甲镇", "乙镇", "合计", "填表人：张三", "备注", "121.05", "31.45", "1.2万",
                     "12,000", "2019-06", "2019年6月", "=SUM(A1:A3)", "'=1+1", "-", "—"]),
    st.text(max_size=20).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.dates(),
)


def _has_value(cell: object) -> bool:
    """Whether a cell written by openpyxl holds a value a reader can see.

    A formula written by openpyxl has no value until a spreadsheet program
    computes and saves it (Excel does on every save); until then it reads as
    empty, as it would in any program reading saved values.
    """
    return cell is not None and bool(str(cell).strip()) and not str(cell).startswith("=")


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[bytes, int, list[int]]:
    """A workbook: blank or title rows, the header, random rows; and the data rows' numbers."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    above = draw(st.integers(0, 3))
    for number in range(1, above + 1):
        if draw(st.booleans()):
            sheet.cell(number, 1, "某镇创新载体台账")
    header = [h if draw(st.integers(0, 9)) else None for h in HEADER]
    for column, label in enumerate(header, start=1):
        sheet.cell(above + 1, column, label)
    width = max((i for i, label in enumerate(header) if label), default=0) + 1
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(HEADER) + 2), max_size=25))
    data_rows = []
    for offset, row in enumerate(rows, start=above + 2):
        for column, value in enumerate(row, start=1):
            sheet.cell(offset, column, value)
        if any(_has_value(v) for v in row[:width]):  # under a header cell
            data_rows.append(offset)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), above + 1, data_rows


@fuzz
@given(case=workbooks())
def test_a_random_workbook_is_read_or_refused_and_loses_no_row(towns_path, case):
    _workbook_case(towns_path, case)


@pytest.mark.slow
@fuzz_more
@given(case=workbooks())
def test_a_random_workbook_many_more_cases(towns_path, case):
    _workbook_case(towns_path, case)


def _workbook_case(towns_path: Path, case: tuple[bytes, int, list[int]]) -> None:
    raw, header_row, data_rows = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "台账.xlsx"
        path.write_bytes(raw)
        run_check("--carriers", str(path), "--boundaries", str(towns_path))
    seen = seen_rows(raw, "台账.xlsx")
    if seen is not None:
        assert set(data_rows) <= seen, sorted(set(data_rows) - seen)
        assert all(r > header_row for r in seen)


# --- targets files -----------------------------------------------------------------------
KEYS = ["period.start", "period.end", "towns.default_target_m2", "towns.close_ratio",
        'towns.target_m2."甲镇"', "towns.target_m2.x", "city.new_carriers",
        "city.research_institutes", "register.duplicate_distance_m", "period", "towns", "x"]
VALUES = st.one_of(
    st.integers(-2**63, 2**63 - 1).map(str),
    st.sampled_from(["nan", "inf", "-inf", "+inf", "1e400", "-0.0", "0", "1e-400", "true",
                     '"10000"', '""', "[]", "[1, 2]", "{}", "{a = 1}", "2019-02-30",
                     "2019-01-01", "0001-01-01", "9999-12-31", "2019-01-01T00:00:00Z",
                     "12:00:00", '"2019-01-01"', "1_000", "0x10"]),
    st.floats().map(repr),
)


@st.composite
def targets_files(draw: st.DrawFn) -> str:
    """A targets file: the bundled one with values replaced, keys added, or text mangled."""
    text = (REPO / "data" / "targets.toml").read_text(encoding="utf-8")
    lines = [f"{key} = {draw(VALUES)}"
             for key in draw(st.lists(st.sampled_from(KEYS), max_size=4, unique=True))]
    if draw(st.booleans()):
        return "\n".join(lines) + "\n"  # dotted keys only, nothing bundled
    text = text + "\n" + "\n".join(f"[extra{i}]\n{line}" for i, line in enumerate(lines))
    if draw(st.booleans()):
        where = draw(st.integers(0, len(text)))
        text = text[:where] + draw(st.text(max_size=6)) + text[where:]
    return text


@fuzz
@given(text=targets_files())
def test_any_targets_file_gives_exit_0_or_a_message(towns_path, text):
    _targets_case(towns_path, text)


@pytest.mark.slow
@fuzz_more
@given(text=targets_files())
def test_any_targets_file_many_more_cases(towns_path, text):
    _targets_case(towns_path, text)


def _targets_case(towns_path: Path, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "targets.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        run_check("--targets", str(path), "--boundaries", str(towns_path))


# --- boundary files ----------------------------------------------------------------------
@st.composite
def boundary_files(draw: st.DrawFn) -> bytes:
    """The test towns as GeoJSON with a few bytes inserted, removed or the end cut off."""
    text = bytearray(square_towns().to_json().encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "drop", "truncate"]))
        if kind == "insert":
            text[where:where] = draw(st.sampled_from(
                [b"-", b"9", b"e9", b",", b"]", b"[", b"null", b'"', b"\x00", b"1e400", b"{}"]))
        elif kind == "drop":
            del text[where:where + draw(st.integers(1, 20))]
        else:
            del text[where:]
    return bytes(text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=boundary_files())
def test_a_mangled_boundary_file_gives_exit_0_or_a_message(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "towns.geojson"
        path.write_bytes(content)
        run_check("--boundaries", str(path))
