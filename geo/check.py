"""The 10,000 m² rule and the city-wide carrier targets — one rule, in one place.

A carrier counts toward a town when it is usable, in use, its opening date
lies wholly within the plan period (a year or month alone must fall inside),
and it lies in the town (by point, else by declared town). A town meets its
target when its counted area is at least the target. Its projection adds the
area under construction or planned whose expected opening date lies in the
period by the same test; later, earlier and undated pipeline is reported apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from geo.boundaries import Boundaries
from geo.duplicates import probable_duplicates
from geo.locate import locate
from geo.problems import Problem
from geo.register import Register
from geo.settings import Targets

__all__ = ["BANDS", "PIPELINE_TIMINGS", "REASONS", "Band", "CheckResult", "PipelineTiming",
           "Reason", "check", "classify", "pipeline_timing", "progress_band"]

Reason = Literal["counted", "duplicate", "data_problem", "outside_boundary", "not_in_use",
                 "no_opening_date", "opened_outside_period"]
REASONS: tuple[Reason, ...] = ("counted", "duplicate", "data_problem", "outside_boundary",
                               "not_in_use", "no_opening_date", "opened_outside_period")
PipelineTiming = Literal["in_period", "after_period", "before_period", "no_date"]
PIPELINE_TIMINGS: tuple[PipelineTiming, ...] = ("in_period", "after_period", "before_period",
                                                "no_date")
PIPELINE_STATUSES = ("under_construction", "planned")
Band = Literal["met", "close", "far"]
BANDS: tuple[Band, ...] = ("met", "close", "far")


@dataclass
class CheckResult:
    """Everything the CLI and the pages show about one check."""

    period_start: dt.date
    period_end: dt.date
    towns: pd.DataFrame
    carriers: pd.DataFrame
    city: dict[str, Any]
    problems: list[Problem]
    approximate_boundaries: bool
    illustrative_count: int
    close_ratio: float = 0.5
    notes: list[Problem] = field(default_factory=list)
    """Things read or set aside that need no fix (合计 rows, the area unit)."""


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


def classify(carriers: pd.DataFrame, period_start: dt.date, period_end: dt.date) -> pd.Series:
    """Why each located carrier does or does not count (a :data:`Reason` each).

    The first reason that applies wins, in the order of :data:`REASONS`.
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
    reason = pd.Series("counted", index=carriers.index, dtype=object)
    for label, condition in reversed(list(zip(REASONS[1:], conditions, strict=True))):
        reason[condition.to_numpy()] = label
    return reason


def progress_band(new_area: pd.Series, target: pd.Series, close_ratio: float) -> pd.Series:
    """Each town's band: met the target (area ≥ target), close to it, or far from it.

    This is the one place that decides whether a town meets its target.
    """
    met = new_area >= target
    close = ~met & (new_area >= target * close_ratio)
    band = pd.Series("far", index=new_area.index, dtype=object)
    band[close.to_numpy()] = "close"
    band[met.to_numpy()] = "met"
    return band


def _sum_by_town(carriers: pd.DataFrame, mask: pd.Series, towns: pd.Index) -> pd.Series:
    """Floor area per town of the carriers where ``mask`` holds (only two columns are taken)."""
    chosen = mask.to_numpy(dtype=bool)
    area = carriers["floor_area_m2"].to_numpy()[chosen]
    town = carriers["town"].to_numpy(dtype=object)[chosen]
    return pd.Series(area).groupby(town).sum().reindex(towns, fill_value=0.0)


def _ids_by_town(carriers: pd.DataFrame, mask: pd.Series, towns: pd.Index) -> pd.Series:
    """The ids of the carriers where ``mask`` holds, per town in register order (a list each)."""
    chosen = mask.to_numpy(dtype=bool)
    codes = towns.get_indexer(carriers["town"].to_numpy(dtype=object)[chosen])
    ids = carriers["id"].to_numpy(dtype=object)[chosen]
    order = np.argsort(codes, kind="stable")
    groups = np.split(ids[order], np.searchsorted(codes[order], np.arange(1, len(towns))))
    return pd.Series([list(group) for group in groups], index=towns, dtype=object)


def _flagged(carriers: pd.DataFrame, problems: list[Problem], code: str) -> pd.Series:
    """Whether each carrier's row has a problem ``code`` (the problem is the one source)."""
    rows = {p.row for p in problems if p.code == code and p.file == "carriers"}
    return carriers["row"].isin(rows)


def _pipeline_by_town(placed: pd.DataFrame, towns: pd.Index) -> dict[str, pd.Series]:
    """Area under construction and planned per town: all of it, then by expected opening.

    ``under_construction_m2`` and ``planned_m2`` are every placed, usable
    carrier of that status; the ``*_in_period_m2`` columns only those
    expected to open in the period, which the projection adds up. The
    ``pipeline_*`` columns are the rest, both statuses together.
    """
    building = placed["status"] == "under_construction"
    planned = placed["status"] == "planned"
    timing = placed["pipeline"]
    return {
        "under_construction_m2": _sum_by_town(placed, building, towns),
        "planned_m2": _sum_by_town(placed, planned, towns),
        "under_construction_in_period_m2": _sum_by_town(
            placed, building & (timing == "in_period"), towns),
        "planned_in_period_m2": _sum_by_town(placed, planned & (timing == "in_period"), towns),
        "pipeline_after_period_m2": _sum_by_town(placed, timing == "after_period", towns),
        "pipeline_before_period_m2": _sum_by_town(placed, timing == "before_period", towns),
        "pipeline_no_date_m2": _sum_by_town(placed, timing == "no_date", towns),
    }


def check(register: Register, boundaries: Boundaries, targets: Targets) -> CheckResult:
    """Locate the carriers, apply the rule, and build per-town and city figures."""
    carriers, location_problems = locate(register.carriers, boundaries)
    carriers["duplicate_of"], duplicate_problems = probable_duplicates(
        carriers, targets.duplicate_distance_m)
    carriers["usable"] &= carriers["duplicate_of"].isna()
    location_problems += duplicate_problems
    carriers["reason"] = classify(carriers, targets.period_start, targets.period_end)
    carriers["pipeline"] = pipeline_timing(carriers, targets.period_start, targets.period_end)
    carriers["town_mismatch"] = _flagged(carriers, location_problems, "row.town_mismatch")
    counted = carriers["reason"] == "counted"
    placed = carriers["usable"] & carriers["town"].notna()
    names = pd.Index(boundaries.names, name="town")

    new_area = _sum_by_town(carriers, counted, names)
    pipeline = _pipeline_by_town(
        carriers.loc[placed, ["status", "pipeline", "floor_area_m2", "town"]], names)
    ids = _ids_by_town(carriers, counted, names)
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
    })
    towns["projected_m2"] = (towns["new_area_m2"] + towns["under_construction_in_period_m2"]
                             + towns["planned_in_period_m2"])
    towns["progress"] = (towns["new_area_m2"] / towns["target_m2"]).where(
        towns["target_m2"] > 0, 1.0)
    towns["band"] = band.to_numpy()

    institutes = (placed & (carriers["status"] == "in_use")
                  & (carriers["type"] == "research_institute")
                  & (carriers["opened_end"] <= pd.Timestamp(targets.period_end)))
    city = {
        "new_carriers": int(counted.sum()),
        "new_carriers_goal": targets.city_new_carriers,
        "research_institutes": int(institutes.sum()),
        "research_institutes_goal": targets.city_research_institutes,
        "new_area_m2": float(new_area.sum()),
        "projected_m2": float(towns["projected_m2"].sum()),
        "towns_met": int(towns["met"].sum()),
        "towns_total": len(towns),
    }
    target_problems = [Problem("targets", "target.unknown_town", value=name, field="target",
                               severity="warning")
                       for name in targets.town_target_m2 if name not in set(names)]
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
    )
