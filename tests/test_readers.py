"""Reading registers: encodings, delimiters, Excel, header aliases and bad files."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from geo import InputFileError
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
    ("fake.xlsx", b"this is not a workbook", "file.binary"),
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
