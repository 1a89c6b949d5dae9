"""Reading registers: encodings, delimiters, Excel, header aliases and bad files."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from geo import InputFileError, limits
from geo.readers import read_table
from geo.register import load_register
from tests.conftest import HEADER, carrier, write_csv

CHINESE_HEADER = ["编号", "名称", "类型", "镇区", "经度", "纬度", "坐标系", "面积（平方米）",
                  "投用时间", "状态", "来源"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings_are_detected(tmp_path, encoding):
    path = write_csv(tmp_path / "r.csv", [carrier(name="太仓市软件园")], header=CHINESE_HEADER,
                     encoding=encoding)
    register = load_register(path)
    assert register.carriers["name"].tolist() == ["太仓市软件园"]
    assert register.carriers["floor_area_m2"].tolist() == [12000]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters_are_detected(tmp_path, delimiter):
    path = write_csv(tmp_path / "r.csv", [carrier()], delimiter=delimiter)
    assert load_register(path).carriers["id"].tolist() == ["C1"]


ALIASES = {
    "id": ["编号", "id", "ID", "载体编号"],
    "name": ["名称", "name", "载体名称"],
    "type": ["类型", "type"],
    "town": ["镇区", "town", "所在镇区"],
    "lon": ["经度", "lon", "longitude", "lng"],
    "lat": ["纬度", "lat", "latitude"],
    "crs": ["坐标系", "crs"],
    "floor_area_m2": ["面积", "建筑面积", "面积（平方米）", "面积(平方米)", "floor_area_m2"],
    "opened": ["投用时间", "投入使用时间", "opened"],
    "status": ["状态", "status"],
    "source": ["来源", "source"],
}


@pytest.mark.parametrize(("column", "alias"),
                         [(c, a) for c, names in ALIASES.items() for a in names])
def test_header_aliases(tmp_path, column, alias):
    header = [alias if name == column else name for name in HEADER]
    path = write_csv(tmp_path / "r.csv", [carrier(crs="GCJ02", source="示意")], header=header)
    register = load_register(path)
    assert register.usable["id"].tolist() == ["C1"]
    expected = {"id": "C1", "name": "某孵化器C1", "type": "incubator", "town": None,
                "crs": "GCJ02", "floor_area_m2": 12000, "status": "in_use", "source": "示意"}
    if column in expected and column != "town":
        assert register.carriers[column].iloc[0] == expected[column]


def test_ids_keep_leading_zeros_and_cells_are_trimmed(tmp_path):
    path = write_csv(tmp_path / "r.csv", [carrier(id=" 007 ", name="  甲  ")])
    register = load_register(path)
    assert register.carriers[["id", "name"]].iloc[0].tolist() == ["007", "甲"]


def test_title_rows_above_the_header_are_skipped_and_rows_numbered_as_in_excel(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("太仓市创新载体台账\n\n" + ",".join(HEADER) + "\n"
                    + ",".join(carrier(area="x")) + "\n", encoding="utf-8")
    register = load_register(path)
    assert register.carriers["row"].tolist() == [4]
    assert register.problems[0].row == 4


def test_blank_lines_keep_row_numbers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(carrier(id="A")) + "\n\n"
                    + ",".join(carrier(id="B", area="bad")) + "\n", encoding="utf-8")
    register = load_register(path)
    assert register.carriers["row"].tolist() == [2, 4]
    assert [p.row for p in register.problems] == [4]


def test_a_record_with_too_many_fields_is_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(carrier(id="A"))
                    + "\nB,x,y,z,1,2,3,4,5,6,7,8\n" + ",".join(carrier(id="C")) + "\n",
                    encoding="utf-8")
    register = load_register(path)
    assert register.carriers["id"].tolist() == ["A", "C"]
    assert register.carriers["row"].tolist() == [2, 4]
    assert [(p.code, p.row) for p in register.problems] == [("row.malformed", 3)]


def test_a_short_record_is_read_with_the_rest_empty_and_reported(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(carrier(id="A")) + "\nB,only,三\n"
                    + ",".join(carrier(id="C")) + "\n", encoding="utf-8")
    register = load_register(path)
    assert register.usable["id"].tolist() == ["A", "C"]
    assert {(p.row, p.code, p.field) for p in register.problems} >= {
        (3, "row.value_missing", "floor_area_m2"), (3, "row.type_unknown", "type")}


def test_multiline_cells_are_one_record(tmp_path):
    path = write_csv(tmp_path / "r.csv", [carrier(name="第一行\n第二行"), carrier(id="C2")])
    register = load_register(path)
    assert register.carriers["name"].iloc[0] == "第一行\n第二行"
    assert register.carriers["row"].tolist() == [2, 3]


def write_xlsx(path, rows, header=CHINESE_HEADER, title=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_with_real_dates_and_numbers(tmp_path):
    row = carrier()
    row[7] = 12000.0
    row[8] = dt.datetime(2019, 6, 30)
    path = write_xlsx(tmp_path / "r.xlsx", [row, carrier(id="C2", opened="2019年6月")],
                      title="台账")
    register = load_register(path)
    assert register.carriers["row"].tolist() == [3, 4]
    assert register.carriers["floor_area_m2"].tolist() == [12000, 12000]
    assert register.carriers["opened_start"].iloc[0] == dt.datetime(2019, 6, 30)
    assert register.carriers["opened_start"].iloc[1] == dt.datetime(2019, 6, 1)
    assert register.usable["id"].tolist() == ["C1", "C2"]


def test_xlsx_blank_rows_keep_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [carrier(id="A"), [None] * 11, carrier(id="B")])
    assert load_register(path).carriers["row"].tolist() == [2, 4]


@pytest.mark.parametrize(("name", "content", "code"), [
    ("empty.csv", b"", "file.empty"),
    ("blank.csv", b"  \n\n", "file.empty"),
    ("binary.csv", bytes(range(256)) * 40, "file.binary"),
    ("zip.csv", b"PK\x03\x04" + b"\x00" * 200, "file.binary"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "file.unreadable"),
    ("data.json", b"{}", "file.format"),
    ("fake.xlsx", b"this is not a workbook", "file.no_header"),  # text: read as CSV
    ("fake.xlsx", bytes(range(256)) * 40, "file.binary"),
    ("noheader.csv", b"a,b,c\n1,2,3\n", "file.no_header"),
])
def test_unusable_files_raise_a_clear_error(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    assert caught.value.code == code
    assert str(path) in caught.value.message("zh") and str(path) in caught.value.message("en")


def test_latin1_garbage_is_not_mistaken_for_a_register(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xff\xfa\xfb" * 100)
    with pytest.raises(InputFileError):
        load_register(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError) as caught:
        read_table(tmp_path / "nope.csv")
    assert caught.value.code == "file.missing"


def test_required_columns_absent_are_named(tmp_path):
    path = write_csv(tmp_path / "r.csv", [["C1", "甲", "孵化器"]], header=["编号", "名称", "类型"])
    with pytest.raises(InputFileError) as caught:
        load_register(path)
    assert caught.value.code == "file.missing_columns"
    message = caught.value.message("zh")
    assert "floor_area_m2" in message and "status" in message and "面积" in message


def test_no_location_columns(tmp_path):
    header = ["编号", "名称", "类型", "面积", "状态"]
    path = write_csv(tmp_path / "r.csv", [["C1", "甲", "孵化器", "100", "在建"]], header=header)
    with pytest.raises(InputFileError) as caught:
        load_register(path)
    assert caught.value.code == "file.no_location_columns"


def test_input_file_is_never_modified(tmp_path):
    path = write_csv(tmp_path / "r.csv", [carrier(), carrier(area="bad")], encoding="gbk")
    before = path.read_bytes()
    load_register(path)
    assert path.read_bytes() == before



# --- an unclosed quote, a damaged or disguised workbook, the limits -----------------------
def _lines(count: int = 8) -> list[str]:
    """A register as CSV lines: the header, then carriers C1 … C<count> on rows 2 …"""
    return [",".join(HEADER)] + [",".join(carrier(id=f"C{i}")) for i in range(1, count + 1)]


@pytest.mark.parametrize(("opened_in", "closed_in"), [(3, 7), (3, None), (8, None), (2, 3)])
def test_an_unclosed_quote_is_reported_and_the_rows_it_swallowed_are_read(opened_in,
                                                                             closed_in):
    lines = _lines()
    lines[opened_in - 1] = lines[opened_in - 1].replace("某孵化器", '"某孵化器', 1)
    if closed_in is not None:  # a later quoted cell ends the runaway one, as "2,500" would
        lines[closed_in - 1] = lines[closed_in - 1].replace(",12000,", ',"12,000",', 1)
    table = read_table("\n".join(lines).encode(), name="台账.csv")
    [problem] = table.problems
    assert (problem.code, problem.row, problem.field) == ("row.unclosed_quote", opened_in, "name")
    assert problem.params["count"] == (closed_in or 9) - opened_in
    assert problem.value.startswith("某孵化器C")
    assert table.rows.tolist() == [r for r in range(2, 10) if r != opened_in]
    assert "台账.csv" not in problem.message("zh") and f"第 {opened_in} 行" in problem.message("zh")
    if closed_in is not None:
        counted = table.frame.iloc[:, 7].tolist()
        assert counted[table.rows.tolist().index(closed_in)] == "12,000"


def test_a_quoted_line_break_in_a_cell_is_not_an_unclosed_quote():
    lines = _lines(3)
    lines[2] = lines[2].replace("某孵化器C2", '"某孵化器C2\n（一期, 二期）\n备注"', 1)
    table = read_table("\n".join(lines).encode(), name="r.csv")
    assert table.problems == []
    assert table.rows.tolist() == [2, 3, 4]
    assert table.frame.iloc[1, 1] == "某孵化器C2\n（一期, 二期）\n备注"


def test_an_unclosed_quote_in_a_file_with_short_rows_is_still_found():
    lines = _lines()
    lines[4] += ","  # one row too many fields: the exact reader is used anyway
    lines[2] = lines[2].replace("某孵化器", '"某孵化器', 1)
    table = read_table("\n".join(lines).encode(), name="r.csv")
    assert [(p.code, p.row) for p in table.problems] == [("row.unclosed_quote", 3)]
    assert table.rows.tolist() == [2, 4, 5, 6, 7, 8, 9]


def test_an_unclosed_quote_longer_than_the_csv_module_allows_is_a_row_problem():
    lines = _lines(2)
    lines.insert(2, "C9," + "x" * 140_000)  # a long first line so the slow reader is used
    lines[1] = lines[1].replace("某孵化器", '"某孵化器', 1) + "," + "y" * 140_000
    table = read_table("\n".join(lines).encode(), name="r.csv")
    assert table.problems[0].code in {"row.unclosed_quote", "row.unreadable"}
    assert table.problems[0].row == 2


def _workbook_bytes(rows: list[list[str]]) -> bytes:
    import io

    workbook = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_cut_in_half_is_called_damaged_not_binary():
    content = _workbook_bytes([carrier()])
    with pytest.raises(InputFileError) as caught:
        read_table(content[: len(content) // 2], name="台账.xlsx")
    assert caught.value.code == "file.excel_damaged"
    assert "台账.xlsx" in caught.value.message("zh") and "incomplete" in caught.value.message("en")


def test_a_zip_of_photos_named_xlsx_is_called_a_zip_not_a_workbook():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("IMG_0001.jpg", b"\xff\xd8\xff" * 50)
    with pytest.raises(InputFileError) as caught:
        read_table(buffer.getvalue(), name="照片.xlsx")
    assert caught.value.code == "file.zip_not_workbook"
    assert "IMG_0001.jpg" in caught.value.message("zh")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_csv_named_as_a_workbook_is_read_as_csv_with_a_note(suffix):
    text = "\n".join(_lines(2)).encode("gbk")
    table = read_table(text, name=f"导出{suffix}")
    assert table.rows.tolist() == [2, 3]
    assert [n.value for n in table.notes if n.code == "note.text_named_excel"] == [
        f"导出{suffix}"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(monkeypatch, tmp_path):
    import io

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    content = "\n".join(_lines()).encode()
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    for source in (path, content, io.BytesIO(content)):
        with pytest.raises(InputFileError) as caught:
            read_table(source, name="big.csv")
        assert caught.value.code == "file.too_large"
        assert "big.csv" in caught.value.message("en") and "MB" in caught.value.message("en")


def test_a_workbook_that_would_unpack_past_the_limit_is_refused_before_opening(monkeypatch):
    import io
    import zipfile

    content = _workbook_bytes([carrier(id=f"C{i}") for i in range(200)])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        declared = sum(member.file_size for member in archive.infolist())
    monkeypatch.setattr(limits, "MAX_WORKBOOK_UNPACKED_BYTES", declared - 1)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    with pytest.raises(InputFileError) as caught:
        read_table(content, name="炸弹.xlsx")
    assert caught.value.code == "file.expands_too_large" and opened == []
    assert "xl/worksheets/sheet1.xml" in caught.value.message("zh")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_over_the_row_limit_is_refused(monkeypatch, suffix):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    rows = [carrier(id=f"C{i}") for i in range(8)]
    content = (_workbook_bytes(rows) if suffix == ".xlsx"
               else "\n".join([",".join(HEADER), *(",".join(r) for r in rows)]).encode())
    with pytest.raises(InputFileError) as caught:
        read_table(content, name=f"r{suffix}")
    assert caught.value.code == "file.too_many_rows"
    monkeypatch.setattr(limits, "MAX_ROWS", 9)
    assert len(read_table(content, name=f"r{suffix}").rows) == 8


def test_a_small_workbook_declaring_a_huge_sheet_is_refused_with_the_default_limit():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml",
                         b" " * (limits.MAX_WORKBOOK_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < limits.MAX_WORKBOOK_UNPACKED_BYTES // 100  # it packs small
    with pytest.raises(InputFileError) as caught:
        read_table(buffer.getvalue(), name="小文件.xlsx")
    assert caught.value.code == "file.expands_too_large"
    assert "小文件.xlsx" in caught.value.message("zh")
