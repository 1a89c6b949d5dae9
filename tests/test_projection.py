"""The projection: new area plus the pipeline expected to open in the period, nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import Targets, check, format_area, load_register, translate
from geo.check import pipeline_timing
from geo.report import as_json, as_table
from tests.conftest import carrier

PERIOD = Targets()  # 2018-01-01 to 2020-12-31


def run(register_csv, rows, towns, targets=PERIOD):
    return check(load_register(register_csv(rows)), towns, targets)


def jia(result):
    return result.towns.set_index("town").loc["甲镇"]


def timing(result, carrier_id):
    return result.carriers.set_index("id").loc[carrier_id, "pipeline"]


def test_planned_for_after_the_period_is_not_projected(register_csv, towns):
    result = run(register_csv, [carrier("N", area="2000"),
                                carrier("P", status="规划", area="5000", opened="2021")], towns)
    town = jia(result)
    assert town.projected_m2 == 2000
    assert town.planned_in_period_m2 == 0 and town.pipeline_after_period_m2 == 5000
    assert town.planned_m2 == 5000  # the existing column keeps its meaning: all planned
    assert timing(result, "P") == "after_period"


def test_pipeline_without_a_date_is_apart(register_csv, towns):
    result = run(register_csv, [carrier("B", status="在建", area="3000", opened="")], towns)
    town = jia(result)
    assert (town.projected_m2, town.under_construction_in_period_m2,
            town.pipeline_no_date_m2, town.under_construction_m2) == (0, 0, 3000, 3000)
    assert timing(result, "B") == "no_date"


def test_a_year_alone_inside_the_period_is_projected(register_csv, towns):
    rows = [carrier("N", area="2000"),
            carrier("P", status="规划", area="5000", opened="2020"),
            carrier("B", status="在建", area="3000", opened="2020年12月")]
    town = jia(run(register_csv, rows, towns))
    assert town.planned_in_period_m2 == 5000 and town.under_construction_in_period_m2 == 3000
    assert town.projected_m2 == 10000
    assert town.pipeline_after_period_m2 == town.pipeline_no_date_m2 == 0


@pytest.mark.parametrize(("opened", "start", "end", "expected"), [
    ("2020", dt.date(2018, 1, 1), dt.date(2020, 12, 31), "in_period"),
    ("2020", dt.date(2018, 1, 1), dt.date(2020, 6, 30), "after_period"),  # partly after
    ("2018", dt.date(2018, 7, 1), dt.date(2020, 12, 31), "before_period"),  # partly before
    ("2017-12-31", dt.date(2018, 1, 1), dt.date(2020, 12, 31), "before_period"),
    ("2021-01-01", dt.date(2018, 1, 1), dt.date(2020, 12, 31), "after_period"),
    ("2020-12-31", dt.date(2018, 1, 1), dt.date(2020, 12, 31), "in_period"),
    ("2019年6月", dt.date(2019, 6, 1), dt.date(2019, 6, 30), "in_period"),
    ("", dt.date(2018, 1, 1), dt.date(2020, 12, 31), "no_date"),
])
def test_expected_dates_use_the_opening_date_rule(register_csv, towns, opened, start, end,
                                                  expected):
    """The pipeline is in the period exactly when the same date would count if in use."""
    targets = Targets(period_start=start, period_end=end)
    rows = [carrier("P", status="规划", opened=opened), carrier("U", opened=opened)]
    result = run(register_csv, rows, towns, targets)
    assert timing(result, "P") == expected
    if opened:
        counted = result.carriers.set_index("id").loc["U", "reason"] == "counted"
        assert counted == (expected == "in_period")


def test_the_pipeline_splits_into_in_period_later_earlier_and_undated(register_csv, towns):
    targets = Targets(period_start=dt.date(2018, 7, 1), period_end=dt.date(2020, 12, 31))
    rows = [carrier("A", status="规划", area="100", opened="2019"),
            carrier("B", status="在建", area="200", opened="2022"),
            carrier("C", status="规划", area="400", opened="2018"),
            carrier("D", status="在建", area="800", opened=""),
            carrier("E", status="在建", area="1600", opened="2020-03"),
            carrier("X", status="规划", area="abc", opened="2019")]  # unusable: nowhere
    town = jia(run(register_csv, rows, towns, targets))
    assert town.planned_in_period_m2 == 100 and town.under_construction_in_period_m2 == 1600
    assert town.pipeline_after_period_m2 == 200
    assert town.pipeline_before_period_m2 == 400
    assert town.pipeline_no_date_m2 == 800
    parts = (town.under_construction_in_period_m2 + town.planned_in_period_m2
             + town.pipeline_after_period_m2 + town.pipeline_before_period_m2
             + town.pipeline_no_date_m2)
    assert parts == town.under_construction_m2 + town.planned_m2 == 3100
    assert town.projected_m2 == town.new_area_m2 + 1700


def test_only_usable_pipeline_has_a_timing(register_csv, towns):
    rows = [carrier("U"), carrier("X", status="规划", area="abc", opened="2019")]
    carriers = run(register_csv, rows, towns).carriers
    assert carriers["pipeline"].isna().all()
    assert pipeline_timing(carriers.assign(status="planned"), PERIOD.period_start,
                           PERIOD.period_end).tolist() == ["in_period", None]


def test_unplaced_pipeline_is_in_no_town(register_csv, towns):
    rows = [carrier("P", status="规划", opened="2019", town="火星镇", lon="", lat="")]
    result = run(register_csv, rows, towns)
    assert result.towns[["planned_m2", "planned_in_period_m2", "projected_m2"]].sum().sum() == 0


def test_json_adds_the_projection_and_keeps_the_old_fields(register_csv, towns):
    rows = [carrier("N", area="2000"),
            carrier("P", status="规划", area="5000", opened="2020"),
            carrier("L", status="规划", area="700", opened="2021"),
            carrier("B", status="在建", area="3000", opened="")]
    document = as_json(run(register_csv, rows, towns))
    town = document["towns"][0]
    assert town["town"] == "甲镇"
    assert (town["under_construction_m2"], town["planned_m2"]) == (3000, 5700)
    assert (town["under_construction_in_period_m2"], town["planned_in_period_m2"],
            town["pipeline_after_period_m2"], town["pipeline_before_period_m2"],
            town["pipeline_no_date_m2"], town["projected_m2"]) == (0, 5000, 700, 0, 3000, 7000)
    assert document["city"]["projected_m2"] == 7000


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_table_shows_the_projection_and_what_is_left_apart(register_csv, towns, lang):
    rows = [carrier("N", area="2000"), carrier("L", status="规划", area="700", opened="2021"),
            carrier("C", status="规划", area="900", opened="2017")]
    text = as_table(run(register_csv, rows, towns), lang)
    header = next(line for line in text.splitlines() if "甲镇" not in line and (
        "镇区" in line or "Town" in line) and len(line.split()) > 6)
    for code in ("report.projected", "report.after_period", "report.no_date",
                 "report.before_period"):
        assert translate(code, lang) in header
    assert format_area(700, lang) in text
