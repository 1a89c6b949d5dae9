"""The 10,000 m² rule and the city-wide carrier targets — one rule, in one place.

A carrier counts toward a town when it is usable, in use, its opening date
lies wholly within the plan period (a year or month alone must fall inside),
and it lies in the town (by point, else by declared town). A town meets its
target when its counted area is at least the target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from geo.boundaries import Boundaries
from geo.locate import locate
from geo.problems import Problem
from geo.register import Register
from geo.settings import Targets

__all__ = ["BANDS", "REASONS", "Band", "CheckResult", "Reason", "check", "classify",
           "progress_band"]

Reason = Literal["counted", "data_problem", "outside_boundary", "not_in_use",
                 "no_opening_date", "opened_outside_period"]
REASONS: tuple[Reason, ...] = ("counted", "data_problem", "outside_boundary", "not_in_use",
                               "no_opening_date", "opened_outside_period")
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


def classify(carriers: pd.DataFrame, period_start: dt.date, period_end: dt.date) -> pd.Series:
    """Why each located carrier does or does not count (a :data:`Reason` each).

    The first reason that applies wins, in the order of :data:`REASONS`.
    """
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    in_period = (carriers["opened_start"] >= start) & (carriers["opened_end"] <= end)
    conditions = [
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
    return carriers.loc[mask].groupby("town")["floor_area_m2"].sum().reindex(towns, fill_value=0.0)


def check(register: Register, boundaries: Boundaries, targets: Targets) -> CheckResult:
    """Locate the carriers, apply the rule, and build per-town and city figures."""
    carriers, location_problems = locate(register.carriers, boundaries)
    carriers["reason"] = classify(carriers, targets.period_start, targets.period_end)
    counted = carriers["reason"] == "counted"
    placed = carriers["usable"] & carriers["town"].notna()
    names = pd.Index(boundaries.names, name="town")

    new_area = _sum_by_town(carriers, counted, names)
    building = _sum_by_town(carriers, placed & (carriers["status"] == "under_construction"), names)
    planned = _sum_by_town(carriers, placed & (carriers["status"] == "planned"), names)
    ids = carriers.loc[counted].groupby("town")["id"].agg(list).reindex(names)
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
        "under_construction_m2": building.to_numpy(),
        "planned_m2": planned.to_numpy(),
    })
    towns["projected_m2"] = towns["new_area_m2"] + towns["under_construction_m2"] + towns[
        "planned_m2"]
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
    )
