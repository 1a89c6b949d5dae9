"""The 10,000 m² rule and the city-wide carrier targets — one rule, in one place.

A carrier counts toward a town when it is usable, in use, its opening date
lies wholly within the plan period (a year or month alone must fall inside),
and it lies in the town (by point, else by declared town). A town meets its
target when its counted area is at least the target. Its projection adds the
area under construction or planned whose expected opening date lies in the
period by the same test; later, earlier and undated pipeline is reported apart.

As of a date (``check(..., as_of=...)``) the same rule applies, and a carrier
counts only from the day its opening is complete: a full date from that day, a
year or a month alone from its last day (``opened_end``). As of the period end
or later that changes nothing, so the result equals the plain check.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from geo._errors import ConfigError
from geo.boundaries import Boundaries
from geo.duplicates import probable_duplicates
from geo.i18n import Lang, translate
from geo.locate import Location, locate
from geo.problems import Problem
from geo.register import Register
from geo.settings import Targets

__all__ = ["BANDS", "COUNTS_IN_PERIOD", "PIPELINE_APART", "PIPELINE_TIMINGS", "PROJECTION_PARTS",
           "REASONS", "AsOf", "Band", "CheckResult", "CityFigures", "PipelineTiming", "Reason",
           "Standing", "check", "classify", "counts_by", "goal_met", "parse_date",
           "pipeline_timing", "progress_band", "projection_columns", "projection_note", "ranking",
           "standing", "standings", "timeline"]

Reason = Literal["counted", "duplicate", "data_problem", "outside_boundary", "not_in_use",
                 "no_opening_date", "opened_outside_period", "opens_after_as_of"]
REASONS: tuple[Reason, ...] = ("counted", "duplicate", "data_problem", "outside_boundary",
                               "not_in_use", "no_opening_date", "opened_outside_period",
                               "opens_after_as_of")
"""``opens_after_as_of`` (last, so every other reason wins) only occurs as of a date:
the carrier counts in the period, but not yet on that date."""
COUNTS_IN_PERIOD: tuple[Reason, ...] = ("counted", "opens_after_as_of")
"""The reasons of the carriers that count toward their town by the period end."""
PipelineTiming = Literal["in_period", "after_period", "before_period", "no_date"]
PIPELINE_TIMINGS: tuple[PipelineTiming, ...] = ("in_period", "after_period", "before_period",
                                                "no_date")
PIPELINE_STATUSES = ("under_construction", "planned")
Band = Literal["met", "close", "far"]
BANDS: tuple[Band, ...] = ("met", "close", "far")


_EARLIEST = dt.date(1900, 1, 1)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: object, code: str = "asof.invalid") -> dt.date:
    """A date as given by a page (``datetime.date``) or a command line (``"YYYY-MM-DD"``).

    A ``datetime`` (or ``pandas.Timestamp``) gives its day. Anything else, a
    day that does not exist, or a day before 1900 raises.

    Raises
    ------
    ConfigError
        With catalogue entry ``code`` (``asof.invalid`` or ``since.invalid``),
        naming the value received and the form expected.
    """
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = None if pd.isna(value) else value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if _ISO_DATE.match(text):
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                day = None
    if day is None or day < _EARLIEST:
        raise ConfigError(code, value=str(value)[:40], earliest=_EARLIEST.isoformat())
    return day


@dataclass(frozen=True)
class AsOf:
    """The date a check stands on, and what was assumed to get there.

    ``requested`` is the date asked for; ``date`` the one used: the same, or
    the period end when the request lies after it (``clipped``). Before the
    period start (``before_period``) no town has any new area yet.
    ``imprecise_ids`` are the carriers counting in the period whose opening
    is a year or a month alone, counted from its last day; ``pending_ids`` the
    ones among them whose year or month had begun but not ended on ``date``,
    so they do not count yet. :meth:`messages` mentions the year/month rule
    only before the period end, where it can change a figure.
    """

    requested: dt.date
    date: dt.date
    period_end: dt.date
    clipped: bool
    before_period: bool
    imprecise_ids: tuple[str, ...] = ()
    pending_ids: tuple[str, ...] = ()

    def messages(self, lang: Lang = "zh") -> list[str]:
        """What a reader should be told about this date, in ``lang`` (may be empty)."""
        texts = []
        if self.clipped:
            texts.append(translate("asof.clipped", lang, requested=self.requested.isoformat(),
                                   date=self.date.isoformat()))
        if self.before_period:
            texts.append(translate("asof.before_period", lang, date=self.date.isoformat()))
        if self.imprecise_ids and not self.before_period and self.date < self.period_end:
            texts.append(translate("asof.imprecise", lang, count=len(self.imprecise_ids)))
        if self.pending_ids:
            texts.append(translate("asof.pending", lang, count=len(self.pending_ids),
                                   date=self.date.isoformat(),
                                   ids=", ".join(self.pending_ids[:10])
                                   + (" …" if len(self.pending_ids) > 10 else "")))
        return texts


@dataclass(frozen=True)
class CityFigures:
    """The city-wide figures of one check (whole period, or as of its date).

    ``new_carriers`` are the carriers counted in the period;
    ``research_institutes`` count cumulatively (those opened before the
    period too, as the plan counts 大院大所); ``towns_met`` uses
    :func:`goal_met`, like every other view of the figures.
    """

    new_carriers: int
    new_carriers_goal: int
    research_institutes: int
    research_institutes_goal: int
    new_area_m2: float
    projected_m2: float
    towns_met: int
    towns_total: int

    def as_dict(self) -> dict[str, int | float]:
        """The figures by name, as the CLI's JSON has always given them."""
        return dataclasses.asdict(self)


@dataclass
class CheckResult:
    """Everything the CLI and the pages show about one check."""

    period_start: dt.date
    period_end: dt.date
    towns: pd.DataFrame
    carriers: pd.DataFrame
    city: CityFigures
    problems: list[Problem]
    approximate_boundaries: bool
    illustrative_count: int
    close_ratio: float = 0.5
    notes: list[Problem] = field(default_factory=list)
    """Things read or set aside that need no fix (合计 rows, the area unit)."""
    as_of: AsOf | None = None
    """The date the figures stand on; ``None`` for the whole period (the plain check)."""


def _in_period(carriers: pd.DataFrame, period_start: dt.date, period_end: dt.date) -> pd.Series:
    """Whether each carrier's (expected) opening lies wholly within the period.

    ``opened_start``/``opened_end`` span the date as written, so a year or a
    month alone lies in the period only when the whole year or month does. A
    missing date is not in the period. The one copy of the period test.
    """
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    return (carriers["opened_start"] >= start) & (carriers["opened_end"] <= end)


def pipeline_timing(carriers: pd.DataFrame, period_start: dt.date,
                    period_end: dt.date) -> pd.Series:
    """When each usable carrier under construction or planned is expected to open.

    A :data:`PipelineTiming` per such carrier, ``None`` for every other one.
    For these carriers ``opened`` holds the expected opening date: it is
    ``in_period`` by the same test as an opening date (:func:`classify`),
    ``after_period`` when any part of it lies after the period end,
    ``before_period`` when it lies (partly) before the start and not after the
    end, and ``no_date`` when there is none.
    """
    pipeline = (carriers["usable"] & carriers["status"].isin(PIPELINE_STATUSES)).to_numpy()
    dated = carriers["opened_start"].notna().to_numpy()
    in_period = _in_period(carriers, period_start, period_end).to_numpy()
    after = (carriers["opened_end"] > pd.Timestamp(period_end)).to_numpy()
    timing = np.select(
        [pipeline & in_period, pipeline & dated & after, pipeline & dated, pipeline],
        ["in_period", "after_period", "before_period", "no_date"], default=None)
    return pd.Series(timing, index=carriers.index, dtype=object)


def counts_by(opened_end: pd.Series, date: dt.date) -> pd.Series:
    """Whether each opening is complete on ``date``: the one copy of the as-of test.

    ``opened_end`` is the last day an opening as written can mean, so a year
    or a month alone counts from its last day. A missing date never counts.
    """
    return opened_end <= pd.Timestamp(date)


def classify(carriers: pd.DataFrame, period_start: dt.date, period_end: dt.date,
             as_of: dt.date | None = None) -> pd.Series:
    """Why each located carrier does or does not count (a :data:`Reason` each).

    The first reason that applies wins, in the order of :data:`REASONS`. With
    ``as_of``, a carrier that would count but whose opening is not complete on
    that date (:func:`counts_by`) is ``opens_after_as_of``.
    """
    in_period = _in_period(carriers, period_start, period_end)
    duplicate = carriers["duplicate_of"].notna() if "duplicate_of" in carriers else \
        pd.Series(False, index=carriers.index)
    conditions = [
        duplicate,
        ~carriers["usable"],
        carriers["town"].isna(),
        carriers["status"] != "in_use",
        carriers["opened_start"].isna(),
        ~in_period,
    ]
    if as_of is not None:
        conditions.append(~counts_by(carriers["opened_end"], as_of))
    reason = pd.Series("counted", index=carriers.index, dtype=object)
    labels = REASONS[1:len(conditions) + 1]
    for label, condition in reversed(list(zip(labels, conditions, strict=True))):
        reason[condition.to_numpy()] = label
    return reason


PROJECTION_PARTS: tuple[str, ...] = ("new_area_m2", "after_as_of_m2",
                                      "under_construction_in_period_m2", "planned_in_period_m2")
"""The town columns whose sum is ``projected_m2``, in the order a table shows them."""
PIPELINE_APART: tuple[str, ...] = ("pipeline_after_period_m2", "pipeline_no_date_m2",
                                   "pipeline_before_period_m2")
"""Pipeline a table lists beside the projection, never in it: due later, undated, earlier."""


def projection_columns(result: CheckResult) -> list[str]:
    """The columns a table of ``result`` shows for its projection, parts first, then apart.

    Every part that can hold area is shown, so the columns before
    ``projected_m2`` add up to it: ``after_as_of_m2`` (counting in the period
    but opened after the as-of date) only as of a date, ``pipeline_before_period_m2``
    only when some pipeline was due before the period.
    """
    parts = [c for c in PROJECTION_PARTS if c != "after_as_of_m2" or result.as_of is not None]
    apart = [c for c in PIPELINE_APART if c != "pipeline_before_period_m2"
             or bool(result.towns[c].any())]
    return [*parts, "projected_m2", *apart]


def projection_note(result: CheckResult) -> str:
    """The catalogue code of the sentence saying what ``projected_m2`` is made of."""
    return ("report.projection_note_as_of" if result.as_of is not None
            else "report.projection_note")


def goal_met(actual: Any, goal: Any) -> Any:
    """Whether ``actual`` reaches ``goal``: at least the goal, never more is asked.

    The one decision of "met" for a town's area and the city-wide counts
    alike; numbers give a ``bool``, Series an element-wise mask. The pages
    ask this function instead of comparing, so the rule cannot drift apart.
    """
    return actual >= goal


def progress_band(new_area: pd.Series, target: pd.Series, close_ratio: float) -> pd.Series:
    """Each town's band: met the target (:func:`goal_met`), close to it, or far from it."""
    met = goal_met(new_area, target)
    close = ~met & (new_area >= target * close_ratio)
    band = pd.Series("far", index=new_area.index, dtype=object)
    band[close.to_numpy()] = "close"
    band[met.to_numpy()] = "met"
    return band


@dataclass(frozen=True)
class _Towns:
    """Each carrier's town as its position in the boundaries (-1: none), matched once.

    Every per-town figure of :func:`check` is a grouped sum over these
    positions in register order — the same sum :func:`standings` makes, so
    the figures agree to the last digit — without matching names again.
    """

    names: pd.Index
    codes: np.ndarray
    area: np.ndarray

    @classmethod
    def of(cls, carriers: pd.DataFrame, names: pd.Index) -> _Towns:
        return cls(names, names.get_indexer(carriers["town"].to_numpy(dtype=object)),
                   carriers["floor_area_m2"].to_numpy(dtype="float64"))

    def area_where(self, mask: pd.Series | np.ndarray) -> pd.Series:
        """Floor area per town of the carriers where ``mask`` holds."""
        chosen = np.asarray(mask, dtype=bool) & (self.codes >= 0)
        sums = pd.Series(self.area[chosen]).groupby(self.codes[chosen]).sum()
        return pd.Series(sums.reindex(np.arange(len(self.names)), fill_value=0.0)
                         .to_numpy(dtype="float64"), index=self.names)

    def ids_where(self, ids: np.ndarray, mask: pd.Series | np.ndarray) -> pd.Series:
        """The ids where ``mask`` holds, per town in register order (a list each)."""
        chosen = np.asarray(mask, dtype=bool) & (self.codes >= 0)
        codes, chosen_ids = self.codes[chosen], ids[chosen]
        order = np.argsort(codes, kind="stable")
        groups = np.split(chosen_ids[order],
                          np.searchsorted(codes[order], np.arange(1, len(self.names))))
        return pd.Series([list(group) for group in groups], index=self.names, dtype=object)


def _flagged(carriers: pd.DataFrame, problems: list[Problem], code: str) -> pd.Series:
    """Whether each carrier's row has a problem ``code`` (the problem is the one source)."""
    rows = {p.row for p in problems if p.code == code and p.file == "carriers"}
    return carriers["row"].isin(rows)


def _pipeline_by_town(carriers: pd.DataFrame, placed: pd.Series,
                      towns: _Towns) -> dict[str, pd.Series]:
    """Area under construction and planned per town: all of it, then by expected opening.

    ``under_construction_m2`` and ``planned_m2`` are every placed, usable
    carrier of that status; the ``*_in_period_m2`` columns only those
    expected to open in the period, which the projection adds up. The
    ``pipeline_*`` columns are the rest, both statuses together.
    """
    placed = placed.to_numpy(dtype=bool)
    building = placed & (carriers["status"] == "under_construction").to_numpy()
    planned = placed & (carriers["status"] == "planned").to_numpy()
    timing = carriers["pipeline"]
    in_period = (timing == "in_period").to_numpy()
    return {
        "under_construction_m2": towns.area_where(building),
        "planned_m2": towns.area_where(planned),
        "under_construction_in_period_m2": towns.area_where(building & in_period),
        "planned_in_period_m2": towns.area_where(planned & in_period),
        "pipeline_after_period_m2": towns.area_where(
            placed & (timing == "after_period").to_numpy()),
        "pipeline_before_period_m2": towns.area_where(
            placed & (timing == "before_period").to_numpy()),
        "pipeline_no_date_m2": towns.area_where(placed & (timing == "no_date").to_numpy()),
    }


def _research_institute(carriers: pd.DataFrame, placed: pd.Series | None = None) -> pd.Series:
    """Placed, usable research institutes in use (the city target counts them cumulatively).

    ``placed`` (usable and in a town) is computed when not given.
    """
    if placed is None:
        placed = carriers["usable"] & carriers["town"].notna()
    return placed & (carriers["status"] == "in_use") & (carriers["type"] == "research_institute")


def _as_of(carriers: pd.DataFrame, requested: dt.date, date: dt.date,
           targets: Targets) -> AsOf:
    """The :class:`AsOf` of a classified frame: which year/month-only dates it relied on."""
    counting = carriers["reason"].isin(COUNTS_IN_PERIOD)
    imprecise = counting & (carriers["opened_start"] < carriers["opened_end"])
    pending = imprecise & (carriers["reason"] == "opens_after_as_of") & (
        carriers["opened_start"] <= pd.Timestamp(date))
    return AsOf(requested=requested, date=date, period_end=targets.period_end,
                clipped=requested > targets.period_end, before_period=date < targets.period_start,
                imprecise_ids=tuple(str(i) for i in carriers.loc[imprecise, "id"]),
                pending_ids=tuple(str(i) for i in carriers.loc[pending, "id"]))


def check(register: Register, boundaries: Boundaries, targets: Targets,
          as_of: dt.date | str | None = None, location: Location | None = None) -> CheckResult:
    """Locate the carriers, apply the rule, and build per-town and city figures.

    Parameters
    ----------
    register, boundaries, targets
        The inputs; none of them is changed.
    as_of
        The figures as they stood on this date (a ``datetime.date`` or
        ``"YYYY-MM-DD"``): a carrier counts from the last day its opening can
        mean (:func:`counts_by`). A date after the period end is taken as the
        period end (``result.as_of.clipped``); before the period start every
        town has 0. ``None`` (the default) is the whole period. The towns'
        ``after_as_of_m2`` is the area counting in the period but not yet on
        the date; the projection includes it, so it does not depend on the date.
    location
        Where the carriers are, when they were placed already: the
        :func:`geo.locate.locate_once` of a register of which ``register``'s
        carriers are rows (a filtered part of it). ``None``: they are placed
        here. Either way the carriers are placed by the same rule.

    Raises
    ------
    ConfigError
        When ``as_of`` is not a date (:func:`parse_date`).
    """
    requested = None if as_of is None else parse_date(as_of)
    cutoff = targets.period_end if requested is None else min(requested, targets.period_end)
    carriers, location_problems = (locate(register.carriers, boundaries) if location is None
                                   else location.of(register.carriers))
    carriers["duplicate_of"], duplicate_problems = probable_duplicates(
        carriers, targets.duplicate_distance_m)
    carriers["usable"] &= carriers["duplicate_of"].isna()
    location_problems += duplicate_problems
    carriers["reason"] = classify(carriers, targets.period_start, targets.period_end,
                                  as_of=None if requested is None else cutoff)
    carriers["pipeline"] = pipeline_timing(carriers, targets.period_start, targets.period_end)
    carriers["town_mismatch"] = _flagged(carriers, location_problems, "row.town_mismatch")
    counted = carriers["reason"] == "counted"
    placed = carriers["usable"] & carriers["town"].notna()
    names = pd.Index(boundaries.names, name="town")
    by_town = _Towns.of(carriers, names)

    new_area = by_town.area_where(counted)
    pipeline = _pipeline_by_town(carriers, placed, by_town)
    ids = by_town.ids_where(carriers["id"].to_numpy(dtype=object), counted)
    after_as_of = (np.zeros(len(names)) if requested is None else by_town.area_where(
        carriers["reason"] == "opens_after_as_of").to_numpy())
    target = pd.Series([targets.target_for(n) for n in names], index=names, dtype="float64")
    band = progress_band(new_area, target, targets.close_ratio)
    towns = pd.DataFrame({
        "town": names,
        "target_m2": target.to_numpy(),
        "new_area_m2": new_area.to_numpy(),
        "met": (band == "met").to_numpy(),
        "shortfall_m2": (target - new_area).clip(lower=0).to_numpy(),
        "carriers_counted": ids.map(lambda v: len(v) if isinstance(v, list) else 0).to_numpy(),
        "carrier_ids": ids.map(lambda v: v if isinstance(v, list) else []).to_numpy(),
        **{column: values.to_numpy() for column, values in pipeline.items()},
        "after_as_of_m2": after_as_of,
    })
    towns["projected_m2"] = (towns["new_area_m2"] + towns["after_as_of_m2"]
                             + towns["under_construction_in_period_m2"]
                             + towns["planned_in_period_m2"])  # = PROJECTION_PARTS
    towns["progress"] = (towns["new_area_m2"] / towns["target_m2"]).where(
        towns["target_m2"] > 0, 1.0)
    towns["band"] = band.to_numpy()

    institutes = _research_institute(carriers, placed) & counts_by(carriers["opened_end"],
                                                                    cutoff)
    city = CityFigures(
        new_carriers=int(counted.sum()),
        new_carriers_goal=int(targets.city_new_carriers),
        research_institutes=int(institutes.sum()),
        research_institutes_goal=int(targets.city_research_institutes),
        new_area_m2=float(new_area.sum()),
        projected_m2=float(towns["projected_m2"].sum()),
        towns_met=int(towns["met"].sum()),
        towns_total=len(towns),
    )
    known = set(names)
    target_problems = [Problem("targets", "target.unknown_town", value=name, field="target",
                               severity="warning")
                       for name in targets.town_target_m2 if name not in known]
    carrier_problems = sorted(register.problems + location_problems,
                              key=lambda p: (p.row is None, p.row or 0))
    return CheckResult(
        period_start=targets.period_start,
        period_end=targets.period_end,
        towns=towns,
        carriers=carriers,
        city=city,
        problems=carrier_problems + boundaries.problems + target_problems,
        approximate_boundaries=boundaries.approximate,
        illustrative_count=register.illustrative_count,
        close_ratio=targets.close_ratio,
        notes=list(register.notes),
        as_of=None if requested is None else _as_of(carriers, requested, cutoff, targets),
    )


def ranking(result: CheckResult) -> list[str]:
    """The towns worst first: lowest progress, then largest shortfall, then file order.

    One order for every view that lists or steps through the towns (the City
    page's table, the presentation mode, the meeting pack's town pages), so a
    meeting discusses the towns furthest from their target first.
    """
    towns = result.towns.assign(_file_order=np.arange(len(result.towns)))
    ordered = towns.sort_values(["progress", "shortfall_m2", "_file_order"],
                                ascending=[True, False, True], kind="stable")
    return ordered["town"].tolist()


def timeline(result: CheckResult) -> pd.DataFrame:
    """The carriers that count by the period end, each with the day it starts to count.

    One row per carrier of ``result`` (a plain or an as-of check of the same
    inputs, it makes no difference) that counts toward its town in the period
    (``new``) or toward the city's research institutes (``institute``), in
    register order, with ``id``, ``name``, ``type``, ``town``,
    ``floor_area_m2``, ``opened_text``, ``counts_from`` (the day it starts to
    count, :func:`counts_by`) and ``imprecise`` (a year or a month alone).
    The figures on any date follow from it (:func:`standing`).
    """
    carriers = result.carriers
    new = carriers["reason"].isin(COUNTS_IN_PERIOD)
    institute = _research_institute(carriers) & counts_by(carriers["opened_end"],
                                                          result.period_end)
    keep = (new | institute).to_numpy()
    chosen = carriers.loc[keep]
    return pd.DataFrame({
        "id": chosen["id"].to_numpy(dtype=object),
        "name": chosen["name"].to_numpy(dtype=object),
        "type": chosen["type"].to_numpy(dtype=object),
        "town": chosen["town"].to_numpy(dtype=object),
        "floor_area_m2": chosen["floor_area_m2"].to_numpy(dtype="float64"),
        "opened_text": chosen["opened_text"].to_numpy(dtype=object),
        "counts_from": chosen["opened_end"].to_numpy(),
        "imprecise": (chosen["opened_start"] < chosen["opened_end"]).to_numpy(dtype=bool),
        "new": new.to_numpy()[keep],
        "institute": institute.to_numpy()[keep],
    })


@dataclass(frozen=True)
class Standing:
    """The figures on one date, from a :func:`timeline`.

    ``area_m2`` is each town's counted new area (indexed by town, every town
    listed); ``new_carriers`` and ``research_institutes`` the city counts.
    Identical to ``check(..., as_of=date)``'s ``new_area_m2``,
    ``city.new_carriers`` and ``city.research_institutes``.
    """

    date: dt.date
    area_m2: pd.Series
    new_carriers: int
    research_institutes: int


_STANDINGS_CELLS = 1 << 22
"""The most register rows × dates :func:`standings` sums at once (32 MB of doubles)."""


def standings(carriers: pd.DataFrame, towns: pd.Index,
              dates: Sequence[dt.date]) -> list[Standing]:
    """The figures on each of ``dates`` (already clipped to the period) from a :func:`timeline`.

    The same test (:func:`counts_by`) and the same sum as :func:`check` (a
    grouped sum over the counted rows in register order), so each figure
    equals the check as of that date to the last digit. The towns are
    matched once, and the dates are summed together: one grouped sum of a
    rows × dates table whose uncounted cells are NaN, which the sum skips
    exactly as it would rows left out (a month-by-month series is one pass
    instead of one per month). Dates go in blocks of at most
    :data:`_STANDINGS_CELLS` cells, so a million carriers take little memory.
    """
    names = pd.Index(towns, name="town")
    codes = names.get_indexer(carriers["town"].to_numpy(dtype=object))
    area = carriers["floor_area_m2"].to_numpy(dtype="float64")
    new = carriers["new"].to_numpy(dtype=bool)
    institute = carriers["institute"].to_numpy(dtype=bool)
    every_town = np.arange(len(names))
    block = max(1, _STANDINGS_CELLS // max(len(carriers), 1))
    figures = []
    for first in range(0, len(dates), block):
        chosen_dates = list(dates[first:first + block])
        counted = np.stack([counts_by(carriers["counts_from"], date).to_numpy(dtype=bool)
                            for date in chosen_dates], axis=1)
        chosen = new[:, None] & counted
        sums = (pd.DataFrame(np.where(chosen, area[:, None], np.nan)).groupby(codes).sum()
                .reindex(every_town, fill_value=0.0).to_numpy(dtype="float64"))
        new_counts = chosen.sum(axis=0)
        institutes = (institute[:, None] & counted).sum(axis=0)
        figures += [Standing(date=date, area_m2=pd.Series(sums[:, k], index=names),
                             new_carriers=int(new_counts[k]),
                             research_institutes=int(institutes[k]))
                    for k, date in enumerate(chosen_dates)]
    return figures


def standing(carriers: pd.DataFrame, towns: pd.Index, date: dt.date) -> Standing:
    """The figures on ``date`` (already clipped to the period): :func:`standings` of one date."""
    return standings(carriers, towns, [date])[0]
