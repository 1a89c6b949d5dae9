"""Invariants of the check, over generated registers (hypothesis)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from geo import Dataset, Targets, check, prepare_boundaries
from geo.filters import Filters, apply_filters
from geo.locate import locate_once
from geo.readers import RawTable
from geo.register import validate_register
from geo.schema import CARRIER_TYPES, STATUSES
from tests.conftest import HEADER, square_towns

TOWNS = prepare_boundaries(square_towns())
TARGETS = Targets()

row = st.fixed_dictionaries({
    "lon": st.floats(120.95, 121.25).map(lambda v: f"{v:.5f}"),
    "lat": st.floats(31.35, 31.65).map(lambda v: f"{v:.5f}"),
    "type": st.sampled_from(["孵化器", "研究院", "众创空间", "产业化基地"]),
    "status": st.sampled_from(["已投用", "在建", "规划"]),
    "area": st.integers(1, 50000).map(str),
    "opened": st.sampled_from(["2016", "2018", "2019-06", "2020年12月", "2021-01-01",
                               "2018-01-01", "2017-12-31"]),
    "town": st.sampled_from(["", "甲镇", "乙镇", "外星镇"]),
    # Mostly usable: a point without its coordinate system is an error row, left out.
    "crs": st.sampled_from(["WGS84", "WGS84", "高德", ""]),
})


def build(rows):
    """A validated register of ``rows``; a row without ``crs`` is in WGS84."""
    records = [[f"C{i}", f"载体{i}", r["type"], r["town"], r["lon"], r["lat"],
                r.get("crs", "WGS84"), r["area"], r["opened"], r["status"], ""]
               for i, r in enumerate(rows)]
    frame = pd.DataFrame(records, columns=HEADER, dtype="str")
    raw = RawTable(frame=frame, rows=pd.Series(range(2, len(rows) + 2)), header=HEADER,
                   path="<generated>")
    return validate_register(raw)


registers = st.lists(row, min_size=0, max_size=40)
quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_generated_registers_count_carriers_and_report_problems():
    """The properties below are about something: most generated rows are usable."""
    rows = [{"lon": "121.05", "lat": "31.45", "type": "孵化器", "status": "已投用",
             "area": "100", "opened": "2019", "town": "乙镇", "crs": crs}
            for crs in ("WGS84", "高德")]
    result = check(build(rows), TOWNS, TARGETS)
    assert result.city.new_carriers == 2
    assert {p.code for p in result.problems} == {"row.town_mismatch"}


@quick
@given(registers)
def test_each_counted_carrier_is_in_exactly_one_town(rows):
    result = check(build(rows), TOWNS, TARGETS)
    counted = result.carriers.loc[result.carriers["reason"] == "counted", "id"]
    listed = [i for ids in result.towns["carrier_ids"] for i in ids]
    assert sorted(listed) == sorted(counted) and len(listed) == len(set(listed))


@quick
@given(registers)
def test_town_totals_add_up_to_the_counted_total(rows):
    result = check(build(rows), TOWNS, TARGETS)
    counted = result.carriers.loc[result.carriers["reason"] == "counted", "floor_area_m2"].sum()
    assert result.towns["new_area_m2"].sum() == counted == result.city.new_area_m2
    assert result.towns["carriers_counted"].sum() == result.city.new_carriers


@quick
@given(registers, st.data())
def test_moving_a_date_out_of_the_period_never_raises_a_total(rows, data):
    if not rows:
        return
    before = check(build(rows), TOWNS, TARGETS).towns.set_index("town")["new_area_m2"]
    index = data.draw(st.integers(0, len(rows) - 1))
    moved = [dict(r) for r in rows]
    moved[index]["opened"] = data.draw(st.sampled_from(["2015", "2017-12-31", "2021", "2030-01"]))
    after = check(build(moved), TOWNS, TARGETS).towns.set_index("town")["new_area_m2"]
    assert (after <= before).all()


@quick
@given(registers)
def test_met_means_new_area_at_least_target(rows):
    towns = check(build(rows), TOWNS, TARGETS).towns
    assert (towns["met"] == (towns["new_area_m2"] >= towns["target_m2"])).all()
    assert (towns["shortfall_m2"] == (towns["target_m2"] - towns["new_area_m2"]).clip(0)).all()


some_without_point = st.lists(st.tuples(row, st.booleans()).map(
    lambda pair: {**pair[0], "lon": "", "lat": ""} if pair[1] else pair[0]), max_size=40)
filter_choices = st.builds(
    Filters,
    types=st.none() | st.frozensets(st.sampled_from(CARRIER_TYPES)),
    statuses=st.none() | st.frozensets(st.sampled_from(STATUSES)))


@quick
@given(some_without_point, filter_choices, st.sampled_from([None, "2019-06-30"]))
def test_a_filtered_check_from_the_placement_kept_equals_placing_that_part_anew(
        rows, filters, as_of):
    """The dataset places its register once; each filtered check takes its rows' places."""
    register = build(rows)
    data = Dataset(register, TOWNS, TARGETS, sources={})
    data.check()
    kept = data.check(filters, as_of=as_of)
    part, targets = apply_filters(register, TARGETS, filters)
    anew = check(part, TOWNS, targets, as_of=as_of)
    assert_frame_equal(kept.towns, anew.towns)
    assert_frame_equal(kept.carriers, anew.carriers)
    assert kept.problems == anew.problems


def test_a_placement_refuses_rows_it_did_not_place():
    register = build([{"lon": "121.05", "lat": "31.45", "type": "孵化器", "status": "已投用",
                       "area": "100", "opened": "2019", "town": "甲镇", "crs": "WGS84"}])
    location = locate_once(register.carriers, TOWNS)
    with pytest.raises(ValueError, match="not rows"):
        location.of(register.carriers.set_axis([7]))
