"""Invariants of the check, over generated registers (hypothesis)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import Targets, check, prepare_boundaries
from geo.readers import RawTable
from geo.register import validate_register
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
})


def build(rows):
    records = [[f"C{i}", f"载体{i}", r["type"], r["town"], r["lon"], r["lat"], "",
                r["area"], r["opened"], r["status"], ""] for i, r in enumerate(rows)]
    frame = pd.DataFrame(records, columns=HEADER, dtype="str")
    raw = RawTable(frame=frame, rows=pd.Series(range(2, len(rows) + 2)), header=HEADER,
                   path="<generated>")
    return validate_register(raw)


registers = st.lists(row, min_size=0, max_size=40)
quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
