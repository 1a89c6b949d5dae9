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


def test_narrowed_names_each_narrowed_filter_in_words_and_nothing_when_everything():
    from geo.filters import narrowed
    from geo.i18n import translate
    from geo.schema import CARRIER_TYPES, STATUSES

    targets = Targets()
    assert narrowed(Filters(), targets, "zh") == []
    everything = Filters(types=frozenset(CARRIER_TYPES), statuses=frozenset(STATUSES),
                         period_start=targets.period_start, period_end=targets.period_end)
    assert narrowed(everything, targets, "en") == []
    lines = narrowed(Filters(types=frozenset({"maker_space", "incubator"})), targets, "zh")
    assert lines == ["载体类型：仅孵化器、众创空间"]  # in the catalogue's order
    lines = narrowed(Filters(statuses=frozenset()), targets, "en")
    assert lines == [translate("filters.statuses", "en",
                               chosen=translate("filters.none", "en"))]
    later = dt.date(2019, 1, 1)
    lines = narrowed(Filters(types=frozenset({"incubator"}), statuses=frozenset({"in_use"}),
                             period_start=later), targets, "en")
    assert lines == ["Carrier types: only Incubator", "Statuses: only In use",
                     f"Period: 2019-01-01 to {targets.period_end} (the plan period is "
                     f"{targets.period_start} to {targets.period_end})"]
    wider = narrowed(Filters(period_end=dt.date(2021, 12, 31)), targets, "zh")
    assert len(wider) == 1 and "2021-12-31" in wider[0], "a different period is said too"


@pytest.mark.parametrize("page", ["views/city.py", "views/gaps.py"])
def test_a_filtered_page_says_so_above_its_figures_and_an_unfiltered_one_does_not(page):
    from geo import translate
    from tests.test_app import open_app, shown

    banner = translate("filters.banner", "zh")
    plain = open_app("zh", page)
    assert not [w for w in plain.warning if banner in shown(w.value)]
    app = open_app("zh", page, types=["incubator"], statuses=["in_use"])
    warnings = [shown(w.value) for w in app.warning if banner in shown(w.value)]
    assert len(warnings) == 1
    assert "载体类型：仅孵化器" in warnings[0] and "状态：仅已投用" in warnings[0]


def test_the_data_page_says_the_filters_do_not_apply_to_the_register():
    from geo import translate
    from tests.test_app import open_app, shown

    app = open_app("zh", "views/data.py", types=["incubator"])
    assert any(translate("filters.not_applied", "zh") in shown(c.value) for c in app.caption)
    assert not [w for w in app.warning if translate("filters.banner", "zh") in shown(w.value)]
