"""The rule: what counts toward a town, town results, city targets and the pipeline."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from geo import Targets, check, load_register
from tests.conftest import carrier

PERIOD = Targets()


def run(register_csv, rows, towns, targets=PERIOD):
    return check(load_register(register_csv(rows)), towns, targets)


def town(result, name):
    return result.towns.set_index("town").loc[name]


def reason(result, carrier_id):
    return result.carriers.set_index("id").loc[carrier_id, "reason"]


def test_counts_an_in_use_carrier_opened_in_the_period(register_csv, towns):
    result = run(register_csv, [carrier(area="12000")], towns)
    jia = town(result, "甲镇")
    assert (jia.new_area_m2, jia.met, jia.shortfall_m2, jia.carrier_ids) == (12000, True, 0,
                                                                            ["C1"])
    assert reason(result, "C1") == "counted"


def test_every_town_is_listed_even_with_zero(register_csv, towns):
    result = run(register_csv, [carrier()], towns)
    assert result.towns["town"].tolist() == ["甲镇", "乙镇", "丙镇", "丁区"]
    assert town(result, "乙镇").new_area_m2 == 0 and not town(result, "乙镇").met


def test_met_at_exactly_the_target_and_shortfall_below(register_csv, towns):
    result = run(register_csv, [carrier(id="A", area="10000"),
                                carrier(id="B", lon="121.15", area="9999")], towns)
    assert town(result, "甲镇").met
    assert not town(result, "乙镇").met and town(result, "乙镇").shortfall_m2 == 1


@pytest.mark.parametrize(("opened", "counted"), [
    ("2018", True), ("2020", True), ("2017", False), ("2021", False),
    ("2018-01-01", True), ("2017-12-31", False), ("2020-12-31", True), ("2021-01-01", False),
    ("2020年12月", True), ("2017年12月", False),
])
def test_period_is_inclusive_and_a_year_alone_must_lie_inside(register_csv, towns, opened,
                                                               counted):
    result = run(register_csv, [carrier(opened=opened)], towns)
    assert (reason(result, "C1") == "counted") is counted


def test_a_year_straddling_a_mid_year_period_start_does_not_count(register_csv, towns):
    targets = Targets(period_start=dt.date(2018, 7, 1))
    result = run(register_csv, [carrier(opened="2018"), carrier(id="C2", opened="2018-08")],
                 towns, targets)
    assert reason(result, "C1") == "opened_outside_period"
    assert reason(result, "C2") == "counted"


@pytest.mark.parametrize(("status", "why"), [("在建", "not_in_use"), ("规划", "not_in_use")])
def test_only_in_use_counts(register_csv, towns, status, why):
    result = run(register_csv, [carrier(status=status)], towns)
    assert reason(result, "C1") == why and result.city.new_carriers == 0


def test_no_opening_date_is_its_own_reason(register_csv, towns):
    result = run(register_csv, [carrier(opened="")], towns)
    assert reason(result, "C1") == "no_opening_date"


def test_the_polygon_decides_and_a_mismatch_is_reported(register_csv, towns):
    result = run(register_csv, [carrier(town="乙镇")], towns)
    assert town(result, "甲镇").new_area_m2 == 12000 and town(result, "乙镇").new_area_m2 == 0
    mismatch = [p for p in result.problems if p.code == "row.town_mismatch"]
    assert len(mismatch) == 1 and mismatch[0].severity == "warning"
    assert "乙镇" in mismatch[0].message() and "甲镇" in mismatch[0].message()


def test_declared_town_in_another_spelling_is_no_mismatch(register_csv, towns):
    result = run(register_csv, [carrier(town="甲"), carrier(id="C2", town="Jia")], towns)
    assert not [p for p in result.problems if p.code == "row.town_mismatch"]


def test_no_coordinates_counts_for_the_declared_town(register_csv, towns):
    result = run(register_csv, [carrier(lon="", lat="", town="丁区")], towns)
    assert town(result, "丁区").new_area_m2 == 12000


def test_no_coordinates_and_unknown_town_is_reported_not_counted(register_csv, towns):
    result = run(register_csv, [carrier(lon="", lat="", town="火星镇")], towns)
    assert result.towns["new_area_m2"].sum() == 0
    assert reason(result, "C1") == "outside_boundary"
    assert [p.code for p in result.problems] == ["row.town_unknown"]


def test_point_outside_every_town_is_reported_not_counted(register_csv, towns):
    result = run(register_csv, [carrier(lon="120.5", lat="31.45")], towns)
    assert result.towns["new_area_m2"].sum() == 0 and result.city.new_carriers == 0
    assert reason(result, "C1") == "outside_boundary"
    problem = result.problems[0]
    assert (problem.code, problem.row, problem.severity) == ("row.outside_boundaries", 2,
                                                             "error")


def test_a_point_on_a_shared_line_counts_once(register_csv, towns):
    result = run(register_csv, [carrier(lon="121.1", lat="31.5")], towns)
    assert result.towns["carriers_counted"].sum() == 1
    assert result.towns["new_area_m2"].sum() == 12000


def test_unusable_rows_are_left_out_of_every_figure(register_csv, towns):
    rows = [carrier(id="A", type="???"), carrier(id="B", status="规划", area="abc"),
            carrier(id="C", type="研究院", opened="yesterday")]
    result = run(register_csv, rows, towns)
    assert result.towns[["new_area_m2", "under_construction_m2", "planned_m2"]].sum().sum() == 0
    assert result.city.new_carriers == 0 and result.city.research_institutes == 0
    assert set(result.carriers["reason"]) == {"data_problem"}


def test_city_targets(register_csv, towns):
    rows = [
        carrier(id="R1", type="研究院", opened="2015"),
        carrier(id="R2", type="大院大所", opened="2020-06"),
        carrier(id="R3", type="新型研发机构", opened="2021"),
        carrier(id="R4", type="研究院", status="在建", opened="2019"),
        carrier(id="I1", type="孵化器", opened="2019"),
        carrier(id="M1", type="众创空间", opened="2016"),
    ]
    result = run(register_csv, rows, towns)
    assert result.city.new_carriers == 2  # R2, I1
    assert result.city.research_institutes == 2  # R1, R2
    assert result.city.new_carriers_goal == 30 and result.city.research_institutes_goal == 10


def test_pipeline_per_town(register_csv, towns):
    rows = [carrier(id="A", status="在建", area="5000", opened="2022"),
            carrier(id="B", status="规划", area="3000", opened=""),
            carrier(id="C", area="2000")]
    jia = town(run(register_csv, rows, towns), "甲镇")
    assert (jia.under_construction_m2, jia.planned_m2, jia.new_area_m2, jia.projected_m2) == (
        5000, 3000, 2000, 2000)  # expected 2022 and undated: outside the projection


def test_targets_per_town_and_unknown_town_override(register_csv, towns):
    targets = Targets(default_target_m2=5000, town_target_m2={"甲镇": 20000, "外星镇": 1})
    result = run(register_csv, [carrier(), carrier(id="C2", lon="121.15")], towns, targets)
    assert town(result, "甲镇").target_m2 == 20000 and not town(result, "甲镇").met
    assert town(result, "乙镇").target_m2 == 5000 and town(result, "乙镇").met
    assert [p.code for p in result.problems] == ["target.unknown_town"]


def test_check_does_not_change_its_inputs(register_csv, towns):
    register = load_register(register_csv([carrier()]))
    before = register.carriers.copy()
    towns_before = towns.towns.copy()
    check(register, towns, PERIOD)
    assert register.carriers.equals(before) and towns.towns.equals(towns_before)



def test_the_ranking_puts_the_towns_furthest_from_their_target_first(register_csv, towns):
    from geo.check import ranking

    rows = [carrier("A", lon="121.05", area="12000"),   # 甲镇 met
            carrier("B", lon="121.15", area="2000"),    # 乙镇 20 %
            carrier("C", lat="31.55", area="6000")]     # 丙镇 60 %; 丁区 nothing
    result = run(register_csv, rows, towns, Targets(default_target_m2=10000))
    assert ranking(result) == ["丁区", "乙镇", "丙镇", "甲镇"]


@pytest.mark.parametrize("detailed_vertices", [0, 10**9], ids=["points-tree", "towns-tree"])
def test_both_ways_of_placing_points_give_the_same_town(monkeypatch, detailed_vertices):
    """Detailed towns put the points in the tree, plain ones the towns: the same answer,
    including points on shared lines and corners (the first town in file order) and outside."""
    import geopandas as gpd
    import numpy as np
    import shapely

    placing = importlib.import_module("geo.locate")  # geo.locate is also a function
    from tests.province import detailed_coverage

    outlines = detailed_coverage(40, seed=3)
    towns = gpd.GeoDataFrame(geometry=outlines, crs="EPSG:4326")
    rng = np.random.default_rng(4)
    on_lines = shapely.get_coordinates(shapely.boundary(outlines))[::7]
    lon = np.concatenate([rng.uniform(-0.1, 1.1, 3000), on_lines[:, 0]])
    lat = np.concatenate([rng.uniform(-0.1, 1.1, 3000), on_lines[:, 1]])
    monkeypatch.setattr(placing, "DETAILED_VERTICES", detailed_vertices)
    placed = placing.towns_of_points(lon, lat, towns)
    hits = shapely.intersects(outlines[None, :], shapely.points(lon, lat)[:, None])
    expected = np.where(hits.any(axis=1), hits.argmax(axis=1), -1)
    assert (placed == expected).all()
    assert (placed == -1).any() and len(on_lines) > 100
