"""Progress over time: the pace toward each target, and what changed since a date.

Both read a :class:`geo.check.CheckResult` (plain or as of a date: the same
inputs give the same answers) and take every figure on a date from
:func:`geo.check.standing`, which applies the check's own as-of test and sum,
so a figure here equals ``check(..., as_of=date)`` to the last digit.

The pace line runs straight from 0 at the period start to the target at the
period end; a town whose counted area on a date is below it is *behind pace*
(``not goal_met(counted, pace line)``). The city's new carriers and research
institutes are measured the same way against their goals. The institutes
count cumulatively, those opened before the period included, as the check
counts them, so their line runs from the number there the day before the
period starts (``city_summary["start"]``) to the goal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from geo._errors import ConfigError
from geo.check import CheckResult, Standing, goal_met, parse_date, standings, timeline

__all__ = ["CITY_MEASURES", "FREQUENCIES", "Changes", "CityOnDate", "Frequency", "Pace",
           "changes_since", "pace", "pace_points"]

Frequency = Literal["month", "quarter"]
FREQUENCIES: tuple[Frequency, ...] = ("month", "quarter")
CityMeasure = Literal["new_carriers", "research_institutes"]
CITY_MEASURES: tuple[CityMeasure, ...] = ("new_carriers", "research_institutes")
_PANDAS_FREQUENCY = {"month": "ME", "quarter": "QE"}


@dataclass(frozen=True)
class CityOnDate:
    """The city-wide figures on one date (equal to ``check(..., as_of=date).city`` there)."""

    date: dt.date
    new_carriers: int
    new_carriers_goal: int
    research_institutes: int
    research_institutes_goal: int
    new_area_m2: float
    towns_met: int
    towns_total: int


@dataclass(frozen=True)
class Pace:
    """Each town's and the city's progress against a straight line to the target.

    ``towns`` is tidy, one row per town and date: ``town``, ``period_end``
    (the last day of each month or quarter, as ``datetime64``; the first row
    of a town is the period start and the last the period end),
    ``cumulative_area_m2``, ``pace_line_m2``, ``target_m2``, ``behind`` and
    ``after_as_of`` (the date lies after :attr:`as_of`: a figure the register
    already holds, not yet reached on the as-of date).
    ``summary`` has one row per town on :attr:`as_of`: ``town``,
    ``target_m2``, ``counted_m2``, ``expected_m2`` (the pace line),
    ``gap_m2`` (how far below the line, else 0) and ``behind``.
    ``city`` is the same series as ``towns`` for the :data:`CITY_MEASURES`:
    ``measure``, ``period_end``, ``cumulative``, ``pace_line``, ``goal``,
    ``behind``, ``after_as_of``; ``city_summary`` one row per measure on
    :attr:`as_of`: ``measure``, ``goal``, ``start`` (where the line starts:
    0 for new carriers, the institutes there before the period), ``counted``,
    ``expected``, ``behind``.
    """

    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    frequency: Frequency
    towns: pd.DataFrame
    summary: pd.DataFrame
    city: pd.DataFrame
    city_summary: pd.DataFrame

    @property
    def behind(self) -> tuple[str, ...]:
        """The towns behind pace on :attr:`as_of`, in boundary order."""
        return tuple(self.summary.loc[self.summary["behind"], "town"])


@dataclass(frozen=True)
class Changes:
    """What changed between two dates (after :attr:`since`, up to :attr:`as_of`).

    ``carriers``: the carriers that started to count toward their town in
    between, in order of the day they started to count: ``id``, ``name``,
    ``type``, ``town``, ``floor_area_m2``, ``opened`` (as written),
    ``counts_from`` (``datetime64``) and ``imprecise``.
    ``towns``: one row per town: ``town``, ``target_m2``, ``area_then_m2``,
    ``area_now_m2``, ``added_m2``, ``met_then``, ``met_now``, ``reached``
    (met now, not then). ``reached`` names those towns; ``city_then`` and
    ``city_now`` are the city figures on the two dates.
    ``since_requested``/``as_of_requested`` are the dates asked for;
    :attr:`since` and :attr:`as_of` the dates used (clipped to the period end).
    """

    since: dt.date
    as_of: dt.date
    since_requested: dt.date
    as_of_requested: dt.date
    carriers: pd.DataFrame
    towns: pd.DataFrame
    reached: tuple[str, ...]
    city_then: CityOnDate
    city_now: CityOnDate


def _clip(result: CheckResult, value: object, code: str) -> tuple[dt.date, dt.date]:
    """A date as asked for and as used: validated, then clipped to the period end."""
    requested = parse_date(value, code)
    return requested, min(requested, result.period_end)


def _default_as_of(result: CheckResult, as_of: object) -> tuple[dt.date, dt.date]:
    if as_of is not None:
        return _clip(result, as_of, "asof.invalid")
    if result.as_of is not None:
        return result.as_of.requested, result.as_of.date
    return result.period_end, result.period_end


def _share_of_period(result: CheckResult, date: dt.date) -> float:
    """How much of the period has passed on ``date``: 0 at the start, 1 at the end."""
    length = (result.period_end - result.period_start).days
    if length <= 0:
        return 1.0 if date >= result.period_start else 0.0
    return min(max((date - result.period_start).days / length, 0.0), 1.0)


def _validate_frequency(frequency: str) -> Frequency:
    if frequency not in FREQUENCIES:
        raise ConfigError("pace.frequency_invalid", value=str(frequency),
                          allowed=", ".join(FREQUENCIES))
    return frequency  # type: ignore[return-value]


def pace_points(period_start: dt.date, period_end: dt.date,
                frequency: Frequency = "month") -> list[dt.date]:
    """The dates of a pace series: the period start, each month or quarter end, the period end.

    Raises
    ------
    ConfigError
        When ``frequency`` is not one of :data:`FREQUENCIES`.
    """
    _validate_frequency(frequency)
    ends = pd.date_range(period_start, period_end, freq=_PANDAS_FREQUENCY[frequency])
    return sorted({period_start, period_end, *(day.date() for day in ends)})


def _city_figures(result: CheckResult, figures: Standing, target: pd.Series) -> CityOnDate:
    return CityOnDate(
        date=figures.date,
        new_carriers=figures.new_carriers,
        new_carriers_goal=int(result.city.new_carriers_goal),
        research_institutes=figures.research_institutes,
        research_institutes_goal=int(result.city.research_institutes_goal),
        new_area_m2=float(figures.area_m2.sum()),
        towns_met=int(goal_met(figures.area_m2, target).sum()),
        towns_total=len(target),
    )


def pace(result: CheckResult, frequency: Frequency = "month",
         as_of: dt.date | str | None = None) -> Pace:
    """Each town's cumulative counted area by month or quarter, against the pace line.

    Parameters
    ----------
    result
        A check (plain or as of a date) of the inputs.
    frequency
        ``"month"`` or ``"quarter"``: the dates of the series.
    as_of
        The date of the summary and of ``behind`` (clipped to the period
        end). ``None``: the result's as-of date, else the period end.

    Raises
    ------
    ConfigError
        When ``frequency`` or ``as_of`` cannot be used.
    """
    _validate_frequency(frequency)
    _, as_of_date = _default_as_of(result, as_of)
    names = pd.Index(result.towns["town"], name="town")
    target = pd.Series(result.towns["target_m2"].to_numpy(), index=names)
    carriers = timeline(result)
    goals = {"new_carriers": float(result.city.new_carriers_goal),
             "research_institutes": float(result.city.research_institutes_goal)}

    points = pace_points(result.period_start, result.period_end, frequency)
    *series, now, before = standings(
        carriers, names, [*points, as_of_date, result.period_start - dt.timedelta(days=1)])
    # Institutes count cumulatively: their line starts from those there before the period.
    start = {"new_carriers": 0.0, "research_institutes": float(before.research_institutes)}

    def city_line(measure: CityMeasure, share: float) -> float:
        return start[measure] + max(goals[measure] - start[measure], 0.0) * share

    town_parts, city_rows = [], []
    for day, figures in zip(points, series, strict=True):
        share = _share_of_period(result, day)
        line = target * share
        town_parts.append(pd.DataFrame({
            "town": names,
            "period_end": pd.Timestamp(day),
            "cumulative_area_m2": figures.area_m2.to_numpy(),
            "pace_line_m2": line.to_numpy(),
            "target_m2": target.to_numpy(),
            "behind": (~goal_met(figures.area_m2, line)).to_numpy(),
            "after_as_of": day > as_of_date,
        }))
        for measure in CITY_MEASURES:
            count = getattr(figures, measure)
            city_rows.append({"measure": measure, "period_end": pd.Timestamp(day),
                              "cumulative": count, "pace_line": city_line(measure, share),
                              "goal": goals[measure],
                              "behind": not goal_met(count, city_line(measure, share)),
                              "after_as_of": day > as_of_date})

    share = _share_of_period(result, as_of_date)
    expected = target * share
    summary = pd.DataFrame({
        "town": names,
        "target_m2": target.to_numpy(),
        "counted_m2": now.area_m2.to_numpy(),
        "expected_m2": expected.to_numpy(),
        "gap_m2": (expected - now.area_m2).clip(lower=0).to_numpy(),
        "behind": (~goal_met(now.area_m2, expected)).to_numpy(),
    })
    city_summary = pd.DataFrame([
        {"measure": measure, "goal": goals[measure], "start": start[measure],
         "counted": getattr(now, measure), "expected": city_line(measure, share),
         "behind": not goal_met(getattr(now, measure), city_line(measure, share))}
        for measure in CITY_MEASURES])
    towns = pd.concat(town_parts, ignore_index=True)
    towns["behind"] = towns["behind"].astype(bool)
    return Pace(period_start=result.period_start, period_end=result.period_end,
                as_of=as_of_date, frequency=frequency, towns=towns,
                summary=summary, city=pd.DataFrame(city_rows), city_summary=city_summary)


def changes_since(result: CheckResult, since: dt.date | str,
                  as_of: dt.date | str | None = None) -> Changes:
    """What changed after ``since`` up to ``as_of`` (both days as the check counts them).

    A carrier counting from ``since`` itself was already counted then; one
    counting from ``as_of`` is new. Both dates are clipped to the period end;
    ``as_of`` defaults to the result's as-of date, else the period end.

    Raises
    ------
    ConfigError
        When a date cannot be used, ``since`` is after the period (nothing can
        change after it), or after ``as_of`` as the two are used (clipped).
    """
    since_requested, since_date = _clip(result, since, "since.invalid")
    as_of_requested, as_of_date = _default_as_of(result, as_of)
    if since_requested > result.period_end:
        raise ConfigError("since.after_period", since=since_requested.isoformat(),
                          end=result.period_end.isoformat())
    if since_date > as_of_date:
        raise ConfigError("since.after_as_of", since=since_date.isoformat(),
                          as_of=as_of_date.isoformat())
    names = pd.Index(result.towns["town"], name="town")
    target = pd.Series(result.towns["target_m2"].to_numpy(), index=names)
    carriers = timeline(result)
    then, now = standings(carriers, names, [since_date, as_of_date])

    starts = carriers["new"] & (carriers["counts_from"] > pd.Timestamp(since_date)) & (
        carriers["counts_from"] <= pd.Timestamp(as_of_date))
    started = carriers.loc[starts, ["id", "name", "type", "town", "floor_area_m2",
                                    "opened_text", "counts_from", "imprecise"]]
    started = started.rename(columns={"opened_text": "opened"}).sort_values(
        "counts_from", kind="stable").reset_index(drop=True)
    met_then = goal_met(then.area_m2, target)
    met_now = goal_met(now.area_m2, target)
    towns = pd.DataFrame({
        "town": names,
        "target_m2": target.to_numpy(),
        "area_then_m2": then.area_m2.to_numpy(),
        "area_now_m2": now.area_m2.to_numpy(),
        "added_m2": (now.area_m2 - then.area_m2).to_numpy(),
        "met_then": met_then.to_numpy(),
        "met_now": met_now.to_numpy(),
        "reached": (met_now & ~met_then).to_numpy(),
    })
    return Changes(
        since=since_date, as_of=as_of_date, since_requested=since_requested,
        as_of_requested=as_of_requested, carriers=started, towns=towns,
        reached=tuple(towns.loc[towns["reached"], "town"]),
        city_then=_city_figures(result, then, target),
        city_now=_city_figures(result, now, target),
    )
