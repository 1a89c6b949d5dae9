"""What a ledger says about its areas, dates and coordinates is read as it means, or reported.

Each case is a way an office's own file would otherwise have given a wrong
figure without a word: an area merged over two carriers, 2019.10 typed into
an Excel number cell, a unit in a 注 line or a row of units, 亩, full-width
digits in a 万 column, a Baidu system named only in the 经度 header.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from geo import InputFileError
from geo.register import MAX_AREA_M2, MIN_AREA_M2, load_register
from geo.schema import unit_in_text
from tests.conftest import HEADER, carrier


def _workbook(tmp_path, rows, merges=(), formats=()):
    """An .xlsx with a title row, then ``rows``; ``formats`` = (cell, number format)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["浏河镇创新载体台账"])
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for cell, number_format in formats:
        sheet[cell].number_format = number_format
    path = tmp_path / "台账.xlsx"
    workbook.save(path)
    return path


LEDGER_HEADER = ["序号", "名称", "类型", "镇区", "建筑面积（平方米）", "投用时间", "状态"]


def test_an_area_merged_over_two_carriers_counts_once_and_the_other_row_is_reported(tmp_path):
    path = _workbook(tmp_path, [
        LEDGER_HEADER,
        [1, "甲孵化器", "孵化器", "浏河镇", 6000, "2019-05", "已投用"],
        [2, "乙众创空间", "众创空间", None, None, "2019-05", "已投用"],
        [3, "丙研究院", "研究院", "浏河镇", 1500, "2019-06", "已投用"],
        ["合计", None, None, None, 7500, None, None],
    ], merges=["D3:D4", "E3:E4"])
    register = load_register(path)
    usable = register.usable
    assert usable["name"].tolist() == ["甲孵化器", "丙研究院"]
    assert usable["floor_area_m2"].sum() == 7500  # as the ledger's own 合计 says
    assert register.carriers["town_declared"].tolist() == ["浏河镇"] * 3  # a town is filled down
    [shared] = [p for p in register.problems if p.code == "row.area_shared"]
    assert (shared.row, shared.params["shared_with"], shared.severity) == (4, "3", "error")
    assert "第 4 行" in shared.message() and "第 3 行" in shared.message()
    assert not [p for p in register.problems if p.code == "row.value_missing"]


def test_a_merged_header_cell_above_the_data_is_still_a_header(tmp_path):
    path = _workbook(tmp_path, [
        ["序号", "名称", "类型", "镇区", "面积", "投用时间", "状态"],
        [None, None, None, None, "（平方米）", None, None],
        [1, "甲孵化器", "孵化器", "浏河镇", 6000, "2019-05", "已投用"],
    ], merges=["A2:A3"])
    register = load_register(path)
    assert register.usable["floor_area_m2"].tolist() == [6000]
    assert not [p for p in register.problems if p.code == "row.area_shared"]


def test_2019_10_typed_into_a_number_cell_is_october_when_the_cell_shows_it(tmp_path):
    path = _workbook(tmp_path, [
        LEDGER_HEADER,
        [1, "甲孵化器", "孵化器", "浏河镇", 6000, 2019.10, "已投用"],
        [2, "乙孵化器", "孵化器", "浏河镇", 3000, 2019.1, "已投用"],
        [3, "丙孵化器", "孵化器", "浏河镇", 121.1234, 2019.12, "已投用"],
    ], formats=[("F3", "0.00"), ("E5", "0.0"), ("F5", "0.00")])
    register = load_register(path)
    carriers = register.carriers.set_index("name")
    assert carriers.loc["甲孵化器", "opened_start"] == dt.datetime(2019, 10, 1)
    assert carriers.loc["丙孵化器", "floor_area_m2"] == 121.1234  # a format never rounds
    assert carriers.loc["丙孵化器", "opened_start"] == dt.datetime(2019, 12, 1)
    [ambiguous] = [p for p in register.problems if p.code == "row.opened_ambiguous"]
    assert (ambiguous.row, ambiguous.value) == (4, "2019.1")
    assert not carriers.loc["乙孵化器", "usable"]


def test_a_date_cell_shown_as_a_month_is_that_month(tmp_path):
    path = _workbook(tmp_path, [
        LEDGER_HEADER,
        [1, "甲孵化器", "孵化器", "浏河镇", 6000, dt.datetime(2019, 10, 1), "已投用"],
        [2, "乙孵化器", "孵化器", "浏河镇", 3000, dt.datetime(2019, 10, 1), "已投用"],
        [3, "丙孵化器", "孵化器", "浏河镇", 3000, dt.datetime(2019, 1, 1), "已投用"],
    ], formats=[("F3", 'yyyy"年"m"月"'), ("F4", "yyyy-mm-dd"), ("F5", "yyyy")])
    carriers = load_register(path).carriers.set_index("name")
    assert carriers.loc["甲孵化器", ["opened_text", "opened_end"]].tolist() == [
        "2019-10", dt.datetime(2019, 10, 31)]
    assert carriers.loc["乙孵化器", "opened_end"] == dt.datetime(2019, 10, 1)
    assert carriers.loc["丙孵化器", "opened_end"] == dt.datetime(2019, 12, 31)


@pytest.mark.parametrize(("text", "unit"), [
    ("建筑面积（万平方米）", "万平方米"), ("面积(万㎡)", "万平方米"), ("面积（万方）", "万平方米"),
    ("面积（万平）", "万平方米"), ("面积（平方米）", "平方米"), ("面积(m2)", "平方米"),
    ("建筑面积（千平方米）", "千平方米"), ("面积（亩）", "亩"), ("面积(公顷)", "公顷"),
    ("1万平方公里", "平方公里"), ("面积（万平方千米）", "平方千米"),
    ("填报单位：某地方政府 面积单位：万平方米", "万平方米"), ("万方式", None), ("面积", None),
])
def test_the_unit_a_text_names(text, unit):
    assert unit_in_text(text) == unit


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize("header", ["建筑面积（千平方米）", "面积（亩）", "建筑面积（公顷）"])
def test_an_area_unit_that_is_neither_m2_nor_wan_refuses_the_file_naming_it(header):
    head = ",".join([*HEADER[:7], header, *HEADER[8:]])
    with pytest.raises(InputFileError) as raised:
        load_register(_csv([head, ",".join(carrier(area="12"))]), name="沙溪镇.csv")
    message = raised.value.message()
    assert "沙溪镇.csv" in message and header in message and "平方米或万平方米" in message


def test_two_units_for_the_areas_refuse_the_file():
    lines = ["面积单位：平方米", ",".join([*HEADER[:7], "面积（万平方米）", *HEADER[8:]]),
             ",".join(carrier(area="1.2"))]
    with pytest.raises(InputFileError) as raised:
        load_register(_csv(lines), name="r.csv")
    assert raised.value.code == "file.area_unit_conflict"


def test_a_unit_in_a_note_under_the_table_applies_to_a_header_without_one():
    lines = [",".join(HEADER), ",".join(carrier("A", area="0.8")),
             ",".join(carrier("B", area="0.25")), "注：面积单位为万平方米。"]
    register = load_register(_csv(lines), name="r.csv")
    assert register.usable["floor_area_m2"].tolist() == [8000, 2500]
    assert [n.code for n in register.notes if n.code.startswith("note.area_unit")] == [
        "note.area_unit_wan"]


@pytest.mark.parametrize(("area_unit", "other"), [
    ("（万平方米）", "（年月）"), ("（万m2）", "年月"), ("万㎡", "")])
def test_a_row_of_units_under_the_header_is_part_of_the_header(area_unit, other):
    units = ["" for _ in HEADER]
    units[HEADER.index("floor_area_m2")] = area_unit
    units[HEADER.index("opened")] = other
    lines = [",".join(HEADER), ",".join(units), ",".join(carrier("A", area="1.2")),
             ",".join(carrier("B", area="0.5"))]
    register = load_register(_csv(lines), name="r.csv")
    assert register.problems == []
    assert register.usable["floor_area_m2"].tolist() == [12000, 5000]
    assert register.carriers["row"].tolist() == [3, 4]


def test_a_carrier_row_with_a_unit_for_its_area_is_no_row_of_units():
    lines = [",".join(HEADER), ",".join(carrier("A", area="万平方米")),
             ",".join(carrier("B", area="5000"))]
    register = load_register(_csv(lines), name="r.csv")
    assert [(p.row, p.code) for p in register.problems] == [(2, "row.area_invalid")]


def test_areas_too_small_or_too_large_for_one_carrier_are_reported_and_left_out():
    lines = [",".join(HEADER), ",".join(carrier("A", area="1.2")),
             ",".join(carrier("B", area="5000")), ",".join(carrier("C", area="800万")),
             ",".join(carrier("D", area=str(int(MIN_AREA_M2)))),
             ",".join(carrier("E", area=str(int(MAX_AREA_M2))))]
    register = load_register(_csv(lines), name="r.csv")
    assert [(p.row, p.code) for p in register.problems] == [
        (2, "row.area_too_small"), (4, "row.area_implausible")]
    assert register.usable["id"].tolist() == ["B", "D", "E"]
    assert "万平方米" in register.problems[0].message()


@pytest.mark.parametrize("lon_header", ["经度（百度坐标）", "经度(BD-09)", "经度（百度坐标系）"])
def test_a_coordinate_system_named_in_the_lon_lat_headers_places_the_points(lon_header):
    header = [h for h in HEADER if h != "crs"]
    header[header.index("lon")] = lon_header
    header[header.index("lat")] = lon_header.replace("经度", "纬度")
    row = [v for h, v in zip(HEADER, carrier(lon="121.0565", lat="31.4563"), strict=True)
           if h != "crs"]
    register = load_register(_csv([",".join(header), ",".join(row)]), name="r.csv")
    point = register.usable.iloc[0]
    assert point["crs"] == "BD09"
    assert abs(point["lon"] - 121.0565) > 0.005  # moved out of Baidu's offset
    assert [n.code for n in register.notes if n.code == "note.crs_header"] == ["note.crs_header"]


def test_a_row_naming_another_system_than_its_header_is_left_out():
    header = list(HEADER)
    header[header.index("lon")] = "经度（百度坐标）"
    header[header.index("lat")] = "纬度（百度坐标）"
    lines = [",".join(header), ",".join(carrier("A", crs="高德坐标")),
             ",".join(carrier("B", crs="百度")), ",".join(carrier("C"))]
    register = load_register(_csv(lines), name="r.csv")
    assert [(p.row, p.code) for p in register.problems] == [(2, "row.crs_conflict")]
    assert register.usable["crs"].tolist() == ["BD09", "BD09"]


def test_lon_and_lat_headers_naming_two_systems_refuse_the_file():
    header = list(HEADER)
    header[header.index("lon")], header[header.index("lat")] = "经度（百度）", "纬度（高德）"
    with pytest.raises(InputFileError) as raised:
        load_register(_csv([",".join(header), ",".join(carrier())]), name="r.csv")
    assert raised.value.code == "file.crs_conflict"


def test_a_group_header_names_the_system_of_its_sub_headers(tmp_path):
    path = _workbook(tmp_path, [
        ["序号", "名称", "类型", "位置坐标（百度）", None, "面积", "投用时间", "状态"],
        [None, None, None, "经度", "纬度", None, None, None],
        [1, "甲孵化器", "孵化器", 121.0565, 31.4563, 6000, "2019-05", "已投用"],
    ], merges=["D2:E2"])
    register = load_register(path)
    assert register.usable["crs"].tolist() == ["BD09"]
