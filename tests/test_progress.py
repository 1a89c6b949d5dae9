"""Progress over time: the check as of a date, the pace, and changes since a date."""

from __future__ import annotations

import datetime as dt
import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import ConfigError, Targets, check, load_register, prepare_boundaries
from geo.check import REASONS, timeline
from geo.i18n import CATALOGUE
from geo.progress import changes_since, pace, pace_points
from tests.conftest import carrier, square_towns
from tests.test_properties import build

PERIOD = Targets()
START, END = PERIOD.period_start, PERIOD.period_end
TOWNS = prepare_boundaries(square_towns())
JIA, YI = {}, {"lon": "121.15"}  # a point in 甲镇 (the default), one in 乙镇


def run(register_csv, rows, as_of=None, targets=PERIOD):
    return check(load_register(register_csv(rows)), TOWNS, targets, as_of=as_of)


def area(result, name):
    return result.towns.set_index("town").loc[name, "new_area_m2"]


def reason(result, carrier_id):
    return result.carriers.set_index("id").loc[carrier_id, "reason"]


# --- as of a date ------------------------------------------------------------------


@pytest.mark.parametrize(("opened", "last_day_before", "first_day_counted"), [
    ("2019", "2019-12-30", "2019-12-31"),
    ("2019-05", "2019-05-30", "2019-05-31"),
    ("2019年2月", "2019-02-27", "2019-02-28"),
    ("2019-05-10", "2019-05-09", "2019-05-10"),
])
def test_a_carrier_counts_from_the_last_day_its_opening_can_mean(register_csv, opened,
                                                                  last_day_before,
                                                                  first_day_counted):
    before = run(register_csv, [carrier(opened=opened)], as_of=last_day_before)
    counted = run(register_csv, [carrier(opened=opened)], as_of=first_day_counted)
    assert (area(before, "甲镇"), reason(before, "C1")) == (0, "opens_after_as_of")
    assert (area(counted, "甲镇"), reason(counted, "C1")) == (12000, "counted")
    assert counted.city.new_carriers == 1 and before.city.new_carriers == 0


def test_a_year_or_month_alone_is_flagged_and_pending_while_it_runs(register_csv):
    rows = [carrier("Y", opened="2019"), carrier("M", opened="2019-05"),
            carrier("D", opened="2019-05-10"), carrier("L", opened="2020-03")]
    as_of = run(register_csv, rows, as_of="2019-05-15").as_of
    assert as_of.imprecise_ids == ("Y", "M", "L")
    assert as_of.pending_ids == ("Y", "M")  # begun, not ended; L has not begun
    assert (as_of.requested, as_of.date, as_of.clipped, as_of.before_period) == (
        dt.date(2019, 5, 15), dt.date(2019, 5, 15), False, False)
    english = " ".join(as_of.messages("en"))
    assert "3 carriers have only a year or a month" in english and "Y, M" in english
    assert "Y, M" in " ".join(as_of.messages("zh"))


def test_as_of_the_period_end_or_later_is_the_plain_check(register_csv):
    rows = [carrier("A", opened="2020"), carrier("B", opened="2018-01-01", **YI),
            carrier("R", type="研究院", opened="2015"), carrier("P", status="在建", opened="2020"),
            carrier("X", opened="2021")]
    plain = run(register_csv, rows)
    for as_of in (END, "2020-12-31", dt.date(2031, 1, 1)):
        result = run(register_csv, rows, as_of=as_of)
        assert result.towns.equals(plain.towns) and result.city == plain.city
        assert result.carriers.equals(plain.carriers) and result.problems == plain.problems
    late = run(register_csv, rows, as_of="2031-01-01").as_of
    assert late.clipped and late.date == END and late.requested == dt.date(2031, 1, 1)
    assert "2031-01-01" in late.messages("en")[0] and late.messages("en")[1:] == []
    assert plain.as_of is None


def test_before_the_period_every_town_has_nothing_yet(register_csv):
    rows = [carrier("A", opened="2018-01-01"), carrier("R", type="研究院", opened="2015-03-01")]
    result = run(register_csv, rows, as_of="2017-12-31")
    assert result.towns["new_area_m2"].sum() == 0 and not result.towns["met"].any()
    assert result.city.new_carriers == 0
    assert result.city.research_institutes == 1, "institutes count cumulatively"
    assert result.as_of.before_period and not result.as_of.clipped
    assert result.as_of.messages("en") == [
        "2017-12-31 is before the period starts; no town has any new area yet."]


def test_the_projection_does_not_depend_on_the_date(register_csv):
    rows = [carrier("A", area="4000", opened="2018-03"), carrier("B", area="5000",
                                                                 opened="2020-06"),
            carrier("P", area="3000", status="在建", opened="2020-10")]
    plain = run(register_csv, rows)
    early = run(register_csv, rows, as_of="2019-01-01")
    jia = early.towns.set_index("town").loc["甲镇"]
    assert (jia.new_area_m2, jia.after_as_of_m2, jia.projected_m2) == (4000, 5000, 12000)
    assert early.city.projected_m2 == plain.city.projected_m2 == 12000
    assert plain.towns["after_as_of_m2"].sum() == 0


def test_research_institutes_count_from_their_opening(register_csv):
    rows = [carrier("R1", type="研究院", opened="2016"),
            carrier("R2", type="大院大所", opened="2019-06"),
            carrier("R3", type="新型研发机构", opened="2020-02-01")]
    counts = [run(register_csv, rows, as_of=day).city.research_institutes
              for day in ("2016-12-30", "2016-12-31", "2019-06-30", "2020-02-01")]
    assert counts == [0, 1, 2, 3]


@pytest.mark.parametrize("value", ["2019-02-29", "yesterday", "2019/12/31", "", "1899-12-31",
                                   20191231, True])
def test_a_date_that_is_not_a_date_is_refused_in_words(register_csv, value):
    with pytest.raises(ConfigError) as caught:
        run(register_csv, [carrier()], as_of=value)
    assert caught.value.code == "asof.invalid"
    assert f'"{value}"' in caught.value.message("en") and "YYYY-MM-DD" in caught.value.message()


def test_a_date_object_a_datetime_and_text_agree(register_csv):
    rows = [carrier(opened="2019-06")]
    results = [run(register_csv, rows, as_of=value).city
               for value in (dt.date(2019, 6, 30), pd.Timestamp("2019-06-30 18:00"),
                             "2019-06-30", " ２０１９-０６-３０ ")]
    assert all(city == results[0] for city in results) and results[0].new_carriers == 1


def test_check_as_of_does_not_change_its_inputs(register_csv):
    register = load_register(register_csv([carrier(opened="2019")]))
    before = register.carriers.copy()
    check(register, TOWNS, PERIOD, as_of="2019-06-30")
    assert register.carriers.equals(before)


def test_every_reason_has_words():
    assert all(f"reason.{r}" in CATALOGUE for r in REASONS)
    assert REASONS[-1] == "opens_after_as_of", "appended: earlier codes keep their position"


# --- pace -------------------------------------------------------------------------


def test_pace_points():
    assert len(pace_points(START, END, "month")) == 37  # the start and 36 month ends
    quarters = pace_points(START, END, "quarter")
    assert quarters[:3] == [START, dt.date(2018, 3, 31), dt.date(2018, 6, 30)]
    assert len(quarters) == 13 and quarters[-1] == END
    assert pace_points(dt.date(2019, 1, 15), dt.date(2019, 3, 10)) == [
        dt.date(2019, 1, 15), dt.date(2019, 1, 31), dt.date(2019, 2, 28), dt.date(2019, 3, 10)]
    with pytest.raises(ConfigError) as caught:
        pace_points(START, END, "week")
    assert "week" in caught.value.message("en")


def test_pace_per_town_and_behind_at_the_as_of_date(register_csv):
    rows = [carrier("A", area="6000", opened="2018-06"),
            carrier("B", area="1000", opened="2018-03-01", **YI),
            carrier("C", area="9000", opened="2020-12", **YI)]
    result = run(register_csv, rows)
    progress = pace(result, "quarter", as_of="2019-07-02")  # day 547 of 0 … 1095
    summary = progress.summary.set_index("town")
    assert summary.loc["甲镇", "counted_m2"] == 6000 and not summary.loc["甲镇", "behind"]
    assert summary.loc["乙镇", "counted_m2"] == 1000 and summary.loc["乙镇", "behind"]
    assert summary.loc["乙镇", "expected_m2"] == pytest.approx(10000 * 547 / 1095)
    assert summary.loc["乙镇", "gap_m2"] == pytest.approx(10000 * 547 / 1095 - 1000)
    assert progress.behind == ("乙镇", "丙镇", "丁区") and progress.as_of == dt.date(2019, 7, 2)

    yi = progress.towns[progress.towns["town"] == "乙镇"]
    assert yi["period_end"].dt.date.tolist() == pace_points(START, END, "quarter")
    assert yi["cumulative_area_m2"].tolist() == [0, 1000] + [1000] * 10 + [10000]
    assert yi["pace_line_m2"].iloc[0] == 0 and yi["pace_line_m2"].iloc[-1] == 10000
    assert yi["behind"].tolist() == [False, False] + [True] * 10 + [False]  # 813 m² due by Q1
    assert yi["after_as_of"].tolist() == [False] * 7 + [True] * 6
    jia = progress.towns[progress.towns["town"] == "甲镇"]["cumulative_area_m2"]
    assert jia.tolist() == [0, 0, 6000] + [6000] * 10


def test_pace_of_the_city_counts(register_csv):
    rows = [carrier(f"N{i}", area="100", opened="2018-12-31") for i in range(15)]
    rows += [carrier("R", type="研究院", opened="2015")]
    progress = pace(run(register_csv, rows), "quarter", as_of="2019-12-31")
    city = progress.city.set_index(["measure", "period_end"])
    new = city.loc["new_carriers"]
    assert new["cumulative"].tolist() == [0] * 4 + [15] * 9
    assert new["goal"].iloc[0] == 30 and new["pace_line"].iloc[-1] == 30
    summary = progress.city_summary.set_index("measure")
    assert summary.loc["new_carriers", "counted"] == 15
    assert summary.loc["new_carriers", "behind"]  # 15 < 30 × 730/1095
    assert summary.loc["research_institutes", "counted"] == 1
    assert summary.loc["research_institutes", "behind"]
    institutes = city.loc["research_institutes"]["pace_line"]
    assert institutes.iloc[0] == 1 and institutes.iloc[-1] == 10, "from those already there"
    assert summary.loc["research_institutes", "start"] == 1
    assert summary.loc["research_institutes", "expected"] == pytest.approx(1 + 9 * 729 / 1095)


def test_each_pace_point_is_the_check_as_of_that_day(register_csv):
    rows = [carrier("A", area="6000.1", opened="2018"),
            carrier("B", area="700.3", opened="2019-02", **YI),
            carrier("C", area="300.7", opened="2020-07-04", **YI),
            carrier("D", area="0.1", opened="2020-07-04", **YI),
            carrier("R", type="研究院", area="1", opened="2019-05"),
            carrier("Z", opened="2017")]
    register = load_register(register_csv(rows))
    progress = pace(check(register, TOWNS, PERIOD), "quarter")
    for day, points in progress.towns.groupby("period_end"):
        as_of = check(register, TOWNS, PERIOD, as_of=day.date())
        assert points["cumulative_area_m2"].tolist() == as_of.towns["new_area_m2"].tolist()
        city = progress.city[progress.city["period_end"] == day].set_index("measure")
        assert city.loc["new_carriers", "cumulative"] == as_of.city.new_carriers
        assert (city.loc["research_institutes", "cumulative"]
                == as_of.city.research_institutes)


def test_pace_of_an_as_of_result_is_the_pace_of_the_plain_one(register_csv):
    rows = [carrier("A", opened="2018-06"), carrier("B", opened="2020-09", **YI)]
    register = load_register(register_csv(rows))
    early = check(register, TOWNS, PERIOD, as_of="2019-01-31")
    plain = check(register, TOWNS, PERIOD)
    from_early, from_plain = pace(early), pace(plain, as_of="2019-01-31")
    assert from_early.towns.equals(from_plain.towns)
    assert from_early.summary.equals(from_plain.summary) and from_early.as_of == early.as_of.date


def test_behind_means_below_the_line_and_on_it_is_on_pace(register_csv):
    targets = Targets(town_target_m2={"甲镇": 10950, "乙镇": 10950})  # 10 m² a day
    rows = [carrier("A", area="3650", opened="2018-12-31"),
            carrier("B", area="3649", opened="2018-12-31", **YI)]
    progress = pace(run(register_csv, rows, targets=targets), as_of="2019-01-01")  # day 365
    summary = progress.summary.set_index("town")
    assert summary.loc["甲镇", "expected_m2"] == 3650 and not summary.loc["甲镇", "behind"]
    assert summary.loc["乙镇", "behind"] and summary.loc["乙镇", "gap_m2"] == 1


def test_a_narrowed_period_is_followed(register_csv):
    targets = Targets(period_start=dt.date(2019, 1, 1), period_end=dt.date(2019, 6, 15))
    rows = [carrier("A", opened="2019-03"), carrier("B", opened="2019-06", **YI)]
    result = run(register_csv, rows, as_of="2019-12-31", targets=targets)
    assert result.as_of.clipped and result.as_of.date == dt.date(2019, 6, 15)
    assert reason(result, "B") == "opened_outside_period", "June ends after the period"
    progress = pace(result, "month")
    assert progress.towns["period_end"].dt.date.unique().tolist() == [
        dt.date(2019, 1, 1), dt.date(2019, 1, 31), dt.date(2019, 2, 28), dt.date(2019, 3, 31),
        dt.date(2019, 4, 30), dt.date(2019, 5, 31), dt.date(2019, 6, 15)]


def test_pace_of_a_town_without_a_target_is_never_behind(register_csv):
    targets = Targets(town_target_m2={"乙镇": 0})
    progress = pace(run(register_csv, [carrier()], targets=targets), as_of="2019-01-01")
    assert not progress.towns.loc[progress.towns["town"] == "乙镇", "behind"].any()


# --- since the last report ----------------------------------------------------------


def test_changes_since_the_last_report(register_csv):
    rows = [carrier("A", area="6000", opened="2018-05"),
            carrier("B", area="5000", opened="2019-03-31"),
            carrier("C", area="2000", opened="2019", **YI),
            carrier("D", area="1000", opened="2019-07-01", **YI),
            carrier("R", type="研究院", area="10", opened="2019-02", lon="121.05", lat="31.55")]
    changes = changes_since(run(register_csv, rows), "2018-12-31", "2019-06-30")
    assert changes.carriers["id"].tolist() == ["R", "B"]  # in the order they began to count
    assert changes.carriers.columns.tolist() == ["id", "name", "type", "town", "floor_area_m2",
                                                 "opened", "counts_from", "imprecise"]
    assert changes.carriers.set_index("id").loc["R", "opened"] == "2019-02"
    towns = changes.towns.set_index("town")
    assert towns.loc["甲镇", ["area_then_m2", "area_now_m2", "added_m2"]].tolist() == [
        6000, 11000, 5000]
    assert towns.loc["乙镇", "added_m2"] == 0, "C counts from 2019-12-31, D from 2019-07-01"
    assert changes.reached == ("甲镇",)
    assert (changes.city_then.new_carriers, changes.city_now.new_carriers) == (1, 3)
    assert (changes.city_then.research_institutes, changes.city_now.research_institutes) == (0, 1)
    assert (changes.city_then.towns_met, changes.city_now.towns_met) == (0, 1)
    assert changes.city_now.new_area_m2 == 11010 and changes.city_now.new_carriers_goal == 30


def test_a_carrier_counting_on_the_since_day_was_already_there(register_csv):
    rows = [carrier("A", opened="2019-03-31")]
    assert changes_since(run(register_csv, rows), "2019-03-31", "2019-06-30").carriers.empty
    assert changes_since(run(register_csv, rows), "2019-03-30",
                         "2019-03-31").carriers["id"].tolist() == ["A"]


def test_changes_default_to_the_result_date_and_refuse_reversed_dates(register_csv):
    rows = [carrier("A", opened="2019-03"), carrier("B", opened="2020-03")]
    early = run(register_csv, rows, as_of="2019-12-31")
    assert changes_since(early, "2017-01-01").carriers["id"].tolist() == ["A"]
    assert changes_since(early, "2017-01-01").as_of == dt.date(2019, 12, 31)
    with pytest.raises(ConfigError) as caught:
        changes_since(early, "2020-01-01")
    assert caught.value.code == "since.after_as_of" and "2020-01-01" in caught.value.message()
    with pytest.raises(ConfigError) as caught:
        changes_since(early, "soon")
    assert caught.value.code == "since.invalid"


def test_timeline_keeps_what_counts_by_the_period_end(register_csv):
    rows = [carrier("A", opened="2019"), carrier("X", opened="2021"),
            carrier("P", status="规划", opened="2019"), carrier("R", type="研究院", opened="2010"),
            carrier("Q", type="研究院", opened="2022")]
    frame = timeline(run(register_csv, rows, as_of="2018-01-01"))
    assert frame["id"].tolist() == ["A", "R"]
    assert frame["new"].tolist() == [True, False] and frame["institute"].tolist() == [False, True]
    assert frame["counts_from"].tolist() == [pd.Timestamp("2019-12-31"),
                                             pd.Timestamp("2010-12-31")]


# --- properties ---------------------------------------------------------------------

row = st.fixed_dictionaries({
    "lon": st.floats(120.95, 121.25).map(lambda v: f"{v:.5f}"),
    "lat": st.floats(31.35, 31.65).map(lambda v: f"{v:.5f}"),
    "type": st.sampled_from(["孵化器", "研究院", "众创空间", "产业化基地"]),
    "status": st.sampled_from(["已投用", "已投用", "在建", "规划"]),
    "area": st.integers(1, 50000).map(str),
    "opened": st.one_of(
        st.sampled_from(["2016", "2017", "2018", "2019", "2020", "2021", "2017年12月",
                         "2020年12月", "", "2018-01-01", "2020-12-31", "2017-12-31"]),
        st.dates(dt.date(2017, 6, 1), dt.date(2021, 6, 30)).map(dt.date.isoformat),
        st.dates(dt.date(2017, 6, 1), dt.date(2021, 6, 30)).map(lambda d: d.strftime("%Y-%m"))),
    "town": st.sampled_from(["", "甲镇", "乙镇", "外星镇"]),
})
registers = st.lists(row, min_size=0, max_size=25)
days = st.dates(dt.date(2017, 6, 1), dt.date(2021, 12, 31))
quick = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def areas(result):
    return result.towns.set_index("town")["new_area_m2"]


@pytest.mark.parametrize("cells", [1, 7, 1 << 22])
def test_standings_are_the_grouped_sums_of_the_rows_counted_each_day(cells, monkeypatch):
    """Bit for bit, where the order of additions shows (1e16 + 1 − 1e16), with missing areas,
    dates and towns: the sums of all dates at once equal a grouped sum per date."""
    rules = importlib.import_module("geo.check")
    rng = np.random.default_rng(7)
    size = 3000
    timeline_rows = pd.DataFrame({
        "town": rng.choice(np.array(["甲镇", "乙镇", "丙镇", None, "外星镇"], dtype=object), size),
        "floor_area_m2": np.where(rng.random(size) < 0.05, np.nan,
                                  rng.choice([1e16, 1.0, -1e16, 0.1, 3.3], size)),
        "new": rng.random(size) < 0.7,
        "institute": rng.random(size) < 0.2,
        "counts_from": pd.to_datetime(np.where(
            rng.random(size) < 0.1, np.datetime64("NaT"),
            np.datetime64("2018-01-01") + rng.integers(0, 1200, size).astype("timedelta64[D]"))),
    })
    towns = pd.Index(["甲镇", "乙镇", "丙镇", "丁镇"], name="town")
    dates = [dt.date(2018, 1, 1) + dt.timedelta(days=30 * k) for k in range(40)]
    monkeypatch.setattr(rules, "_STANDINGS_CELLS", cells * size)
    figures = rules.standings(timeline_rows, towns, dates)
    assert [f.date for f in figures] == dates
    for figure in figures:
        counted = rules.counts_by(timeline_rows["counts_from"], figure.date)
        chosen = timeline_rows[timeline_rows["new"] & counted]
        expected = (chosen.groupby("town")["floor_area_m2"].sum()
                    .reindex(towns, fill_value=0.0))
        assert np.array_equal(figure.area_m2.to_numpy(), expected.to_numpy())
        assert figure.new_carriers == len(chosen)
        assert figure.research_institutes == int((timeline_rows["institute"] & counted).sum())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers, st.sampled_from(["month", "quarter"]), st.sampled_from([1, 3, 1 << 22]))
def test_every_pace_point_equals_the_check_as_of_that_day_to_the_last_digit(
        rows, frequency, cells):
    """The pace sums all its dates in one pass (uncounted cells NaN), in blocks of dates when
    the register is large (``cells``: 1 and 3 force one or a few dates a block): each point
    must still be exactly the check as of its day, which sums only the rows counted then."""
    rules = importlib.import_module("geo.check")  # the module; ``geo.check`` is the function
    register = build(rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rules, "_STANDINGS_CELLS", cells * max(len(register.carriers), 1))
        progress = pace(check(register, TOWNS, PERIOD), frequency)
    for day, points in progress.towns.groupby("period_end"):
        as_of = check(register, TOWNS, PERIOD, as_of=day.date())
        assert points["cumulative_area_m2"].tolist() == as_of.towns["new_area_m2"].tolist()
        city = progress.city[progress.city["period_end"] == day].set_index("measure")
        assert city.loc["new_carriers", "cumulative"] == as_of.city.new_carriers
        assert city.loc["research_institutes", "cumulative"] == as_of.city.research_institutes


@quick
@given(registers, days, days)
def test_a_later_date_never_lowers_a_figure(rows, first, second):
    early, late = sorted((first, second))
    register = build(rows)
    before, after = (check(register, TOWNS, PERIOD, as_of=day) for day in (early, late))
    assert (areas(after) >= areas(before)).all()
    for key in ("new_carriers", "research_institutes", "towns_met"):
        assert getattr(after.city, key) >= getattr(before.city, key)
    assert after.city.projected_m2 == before.city.projected_m2


@quick
@given(registers, st.dates(END, dt.date(2030, 1, 1)))
def test_as_of_the_period_end_or_later_equals_the_plain_check(rows, day):
    register = build(rows)
    plain, as_of = check(register, TOWNS, PERIOD), check(register, TOWNS, PERIOD, as_of=day)
    assert as_of.towns.equals(plain.towns) and as_of.city == plain.city
    assert as_of.carriers.equals(plain.carriers) and as_of.problems == plain.problems


@quick
@given(registers, st.sampled_from(["month", "quarter"]), days)
def test_the_pace_never_falls_and_ends_at_the_plain_check(rows, frequency, day):
    register = build(rows)
    plain = check(register, TOWNS, PERIOD)
    progress = pace(check(register, TOWNS, PERIOD, as_of=day), frequency)
    for _, series in progress.towns.groupby("town", sort=False):
        assert series["cumulative_area_m2"].is_monotonic_increasing
        assert series["pace_line_m2"].is_monotonic_increasing
    last = progress.towns[progress.towns["period_end"] == pd.Timestamp(END)]
    assert last["cumulative_area_m2"].tolist() == plain.towns["new_area_m2"].tolist()
    assert (last["behind"].to_numpy() == ~plain.towns["met"].to_numpy()).all(), \
        "at the end: behind = not met"
    for measure in ("new_carriers", "research_institutes"):
        series = progress.city[progress.city["measure"] == measure]["cumulative"]
        assert series.is_monotonic_increasing and series.iloc[-1] == getattr(plain.city, measure)
    as_of = check(register, TOWNS, PERIOD, as_of=day)
    assert progress.summary["counted_m2"].tolist() == as_of.towns["new_area_m2"].tolist()


@quick
@given(registers, days, days)
def test_the_changes_add_up_to_the_difference_of_two_checks(rows, first, second):
    since, as_of = sorted((first, second))
    register = build(rows)
    if since > END:  # nothing changes after the period: refused, whatever the as-of date
        with pytest.raises(ConfigError, match="计划期末"):
            changes_since(check(register, TOWNS, PERIOD), since, as_of)
        return
    changes = changes_since(check(register, TOWNS, PERIOD), since, as_of)
    then, now = (check(register, TOWNS, PERIOD, as_of=day) for day in (since, as_of))
    added = changes.towns.set_index("town")["added_m2"]
    assert (added == areas(now) - areas(then)).all()
    assert added.sum() == now.city.new_area_m2 - then.city.new_area_m2
    by_town = changes.carriers.groupby("town")["floor_area_m2"].sum()
    assert by_town.reindex(added.index, fill_value=0).tolist() == added.tolist()
    assert len(changes.carriers) == now.city.new_carriers - then.city.new_carriers
    assert set(changes.reached) == set(now.towns.loc[now.towns["met"], "town"]) - set(
        then.towns.loc[then.towns["met"], "town"])
    assert changes.city_now.towns_met == now.city.towns_met
    assert changes.city_then.research_institutes == then.city.research_institutes
