"""Planner filters: types, statuses and period narrow the check, never the inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import ConfigError, Targets, check, load_register, prepare_boundaries
from geo.check import progress_band
from geo.filters import Filters, apply_filters
from tests.conftest import carrier, square_towns


@pytest.fixture
def register(register_csv):
    return load_register(register_csv([
        carrier("I1", type="孵化器", area="6000", opened="2019-03"),
        carrier("R1", type="研究院", area="5000", opened="2020-06"),
        carrier("P1", type="孵化器", area="9000", opened="2021", status="规划"),
        carrier("B1", type="未知类型", area="100"),
    ]))


def test_no_filter_is_the_plain_check(register):
    towns = prepare_boundaries(square_towns())
    register_out, targets_out = apply_filters(register, Targets(), Filters())
    assert check(register_out, towns, targets_out).city == check(register, towns, Targets()).city


def test_type_filter_keeps_rows_whose_type_could_not_be_read(register):
    filtered, _ = apply_filters(register, Targets(), Filters(types=frozenset({"incubator"})))
    assert filtered.carriers["id"].tolist() == ["I1", "P1", "B1"]
    assert len(register.carriers) == 4, "the input register is unchanged"


def test_status_filter(register):
    filtered, _ = apply_filters(register, Targets(), Filters(statuses=frozenset({"planned"})))
    assert filtered.carriers["id"].tolist() == ["P1"]


def test_period_replaces_the_plan_period(register):
    towns = prepare_boundaries(square_towns())
    chosen = Filters(period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31))
    filtered, targets = apply_filters(register, Targets(), chosen)
    assert (targets.period_start, targets.period_end) == (dt.date(2020, 1, 1),
                                                         dt.date(2020, 12, 31))
    result = check(filtered, towns, targets)
    assert result.towns.set_index("town").loc["甲镇", "new_area_m2"] == 5000


@pytest.mark.parametrize("bad", [
    {"types": frozenset({"castle"})},
    {"statuses": frozenset({"done"})},
    {"period_start": dt.date(2021, 1, 1), "period_end": dt.date(2020, 1, 1)},
])
def test_invalid_filters_are_refused_with_the_allowed_values(bad):
    with pytest.raises(ConfigError):
        Filters(**bad)


def test_filters_are_hashable_for_caching():
    assert hash(Filters(types=frozenset({"incubator"}))) == hash(
        Filters(types=frozenset({"incubator"})))


@pytest.mark.parametrize(("area", "target", "band"), [
    (10000, 10000, "met"), (9999, 10000, "close"), (5000, 10000, "close"),
    (4999, 10000, "far"), (0, 0, "met"),
])
def test_progress_band(area, target, band):
    import pandas as pd
    assert progress_band(pd.Series([float(area)]), pd.Series([float(target)]), 0.5)[0] == band
