"""Row rules of the register: every unusable value is reported and left out."""

from __future__ import annotations

import pytest

from geo.register import load_register
from tests.conftest import carrier


def codes(register):
    return [(p.row, p.code, p.field) for p in register.problems]


def test_a_clean_row_has_no_problem(register_csv):
    register = load_register(register_csv([carrier()]))
    assert register.problems == []
    assert register.usable["id"].tolist() == ["C1"]


@pytest.mark.parametrize("column", ["name", "type", "area", "status"])
def test_required_value_missing(register_csv, column):
    register = load_register(register_csv([carrier(**{column: ""})]))
    field = {"area": "floor_area_m2"}.get(column, column)
    assert (2, "row.value_missing", field) in codes(register)
    assert register.usable.empty


def test_a_row_without_an_id_is_named_by_its_row_never_a_bare_number(register_csv):
    register = load_register(register_csv([carrier(id=""), carrier(id="R2", name="乙")]))
    assert register.problems == []
    assert register.usable["id"].tolist() == ["R2~", "R2"]
    assert register.usable["id_generated"].tolist() == [True, False]


@pytest.mark.parametrize(("kwargs", "code", "field"), [
    ({"type": "实验室"}, "row.type_unknown", "type"),
    ({"status": "暂停"}, "row.status_unknown", "status"),
    ({"area": "很大"}, "row.area_invalid", "floor_area_m2"),
    ({"area": "0"}, "row.area_not_positive", "floor_area_m2"),
    ({"area": "-100"}, "row.area_not_positive", "floor_area_m2"),
    ({"opened": "去年"}, "row.opened_invalid", "opened"),
    ({"crs": "Mercator"}, "row.crs_unknown", "crs"),
    ({"lon": "东经121"}, "row.coord_invalid", "lon"),
    ({"lat": "abc"}, "row.coord_invalid", "lat"),
    ({"lon": "", "town": "甲镇"}, "row.coord_incomplete", None),
    ({"lon": "31.45", "lat": "121.05"}, "row.coord_swapped", "lat"),
    ({"lon": "200", "lat": "31"}, "row.coord_out_of_range", "lon"),
    ({"lon": "", "lat": "", "town": ""}, "row.location_missing", None),
])
def test_unusable_values_are_reported_with_row_and_left_out(register_csv, kwargs, code, field):
    register = load_register(register_csv([carrier(id="OK"), carrier(id="BAD", **kwargs)]))
    assert (3, code, field) in codes(register)
    assert register.usable["id"].tolist() == ["OK"]
    problem = next(p for p in register.problems if p.code == code)
    assert problem.id == "BAD"
    assert "3" in problem.message("zh") and "3" in problem.message("en")


def test_messages_name_the_value_and_the_fix(register_csv):
    register = load_register(register_csv([carrier(area="很大")]))
    message = register.problems[0].message("zh")
    assert "很大" in message and "面积" in message and "1.2万" in message
    assert "not an area" in register.problems[0].message("en")


def test_duplicate_ids_keep_the_first_and_name_it(register_csv):
    register = load_register(register_csv([carrier(id="X"), carrier(id="Y"), carrier(id="X")]))
    assert register.usable["row"].tolist() == [2, 3]
    problem = register.problems[0]
    assert (problem.row, problem.code) == (4, "row.id_duplicate")
    assert "第 2 行" in problem.message("zh")


def test_a_duplicate_id_names_a_whole_row_number_when_some_rows_have_no_id(register_csv):
    register = load_register(register_csv([carrier(id="X"), carrier(id="", name="无编号"),
                                           carrier(id="X")]))
    [problem] = [p for p in register.problems if p.code == "row.id_duplicate"]
    assert problem.params["first_row"] == "2" and "第 2 行重复" in problem.message("zh")


def test_in_use_without_date_is_a_warning_and_kept(register_csv):
    register = load_register(register_csv([carrier(opened="")]))
    assert [(p.code, p.severity) for p in register.problems] == [("row.opened_missing",
                                                                   "warning")]
    assert len(register.usable) == 1


def test_planned_without_date_is_fine(register_csv):
    register = load_register(register_csv([carrier(opened="", status="规划")]))
    assert register.problems == []


def test_gcj_and_bd_coordinates_are_converted_to_wgs84(register_csv):
    from geo.coords import wgs84_to_bd09, wgs84_to_gcj02
    g_lon, g_lat = (float(v) for v in wgs84_to_gcj02(121.05, 31.45))
    b_lon, b_lat = (float(v) for v in wgs84_to_bd09(121.05, 31.45))
    register = load_register(register_csv([
        carrier(id="G", lon=f"{g_lon:.8f}", lat=f"{g_lat:.8f}", crs="GCJ02"),
        carrier(id="B", lon=f"{b_lon:.8f}", lat=f"{b_lat:.8f}", crs="百度"),
        carrier(id="W", crs="CGCS2000"),
    ]))
    assert register.carriers["lon"].round(6).tolist() == [121.05] * 3
    assert register.carriers["lat"].round(6).tolist() == [31.45] * 3


def test_town_only_rows_are_usable_without_a_point(register_csv):
    register = load_register(register_csv([carrier(lon="", lat="", town="甲镇")]))
    assert register.problems == []
    assert not register.carriers["has_point"].iloc[0]


def test_illustrative_rows_are_counted(register_csv):
    register = load_register(register_csv([carrier(source="示意数据"), carrier(id="C2"),
                                           carrier(id="C3", source="Illustrative only")]))
    assert register.illustrative_count == 2


def test_every_problem_of_a_row_is_reported_not_just_the_first(register_csv):
    register = load_register(register_csv([carrier(type="x", status="y", area="z")]))
    assert {p.code for p in register.problems} == {"row.type_unknown", "row.status_unknown",
                                                    "row.area_invalid"}
