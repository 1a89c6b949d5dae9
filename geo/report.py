"""Render a check result as JSON-ready data or a readable text table."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from geo.check import CheckResult, projection_columns, projection_note
from geo.i18n import Lang, format_area, format_progress, translate

__all__ = ["as_json", "as_table"]

_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")
"""Control characters (ESC sequences among them) that data must never send to a terminal."""


def as_json(result: CheckResult, lang: Lang = "zh",
            sources: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """The CLI's JSON document (the fixed interface other tools read).

    Fields are only ever added: ``as_of`` (``null`` for the whole period) and
    each town's ``after_as_of_m2`` came with ``--as-of``.
    """
    towns = [
        {
            "town": row.town,
            "target_m2": row.target_m2,
            "new_area_m2": row.new_area_m2,
            "met": bool(row.met),
            "shortfall_m2": row.shortfall_m2,
            "carrier_ids": [str(i) for i in row.carrier_ids],
            "under_construction_m2": row.under_construction_m2,
            "planned_m2": row.planned_m2,
            "under_construction_in_period_m2": row.under_construction_in_period_m2,
            "planned_in_period_m2": row.planned_in_period_m2,
            "pipeline_after_period_m2": row.pipeline_after_period_m2,
            "pipeline_before_period_m2": row.pipeline_before_period_m2,
            "pipeline_no_date_m2": row.pipeline_no_date_m2,
            "projected_m2": row.projected_m2,
            "after_as_of_m2": row.after_as_of_m2,
        }
        for row in result.towns.itertuples()
    ]
    return {
        "period": {"start": result.period_start.isoformat(),
                   "end": result.period_end.isoformat()},
        "approximate_boundaries": result.approximate_boundaries,
        "illustrative_carriers": result.illustrative_count,
        "towns": towns,
        "city": result.city.as_dict(),
        "problems": [p.as_dict(lang) for p in result.problems],
        "notes": [p.as_dict(lang) for p in result.notes],
        "sources": sources or {},
        "as_of": _as_of_json(result, lang),
    }


def _as_of_json(result: CheckResult, lang: Lang) -> dict[str, Any] | None:
    """The date the figures stand on (``--as-of``), or ``None`` for the whole period."""
    as_of = result.as_of
    if as_of is None:
        return None
    return {"requested": as_of.requested.isoformat(), "date": as_of.date.isoformat(),
            "clipped": as_of.clipped, "before_period": as_of.before_period,
            "messages": as_of.messages(lang)}


def as_table(result: CheckResult, lang: Lang = "zh",
             sources: dict[str, dict[str, str]] | None = None) -> str:
    """A readable report: notes, the town table, city targets, then problems by file."""
    def t(code: str, **params: Any) -> str:
        return translate(code, lang, **params)

    def area(values: pd.Series) -> pd.Series:
        return values.map(lambda v: format_area(v, lang))

    towns = result.towns
    yes, no = t("report.yes"), t("report.no")
    shown = [format_progress(row, lang) for row in towns.to_dict("records")]
    table = pd.DataFrame({
        t("report.town"): result.towns["town"],
        t("report.target"): [p.target for p in shown],
        t("report.new_area"): [p.area for p in shown],
        t("report.met"): result.towns["met"].map({True: yes, False: no}),
        t("report.shortfall"): [p.shortfall for p in shown],
        t("report.carriers"): result.towns["carriers_counted"],
    })
    shown = projection_columns(result)
    if "after_as_of_m2" in shown:
        table[t("report.after_as_of")] = area(towns["after_as_of_m2"])
    table[t("report.pipeline_in_period")] = area(towns["under_construction_in_period_m2"]
                                                 + towns["planned_in_period_m2"])
    for column, code in (("projected_m2", "report.projected"),
                         ("pipeline_after_period_m2", "report.after_period"),
                         ("pipeline_no_date_m2", "report.no_date"),
                         ("pipeline_before_period_m2", "report.before_period")):
        if column in shown:
            table[t(code)] = area(towns[column])
    with pd.option_context("display.unicode.east_asian_width", True,
                           "display.max_rows", None, "display.width", 200):
        body = table.to_string(index=False)
    city = result.city
    lines = [t("report.title", start=result.period_start.isoformat(),
               end=result.period_end.isoformat())]
    if result.as_of is not None:
        lines.append(t("asof.label", date=result.as_of.date.isoformat()))
        lines += result.as_of.messages(lang)
    if result.approximate_boundaries:
        lines.append(t("note.approximate"))
    if result.illustrative_count:
        lines.append(t("note.illustrative", count=result.illustrative_count))
    lines += ["", body, t(projection_note(result)), "",
              t("report.towns_met", met=city.towns_met, total=city.towns_total),
              t("report.city_new", count=city.new_carriers, goal=city.new_carriers_goal),
              t("report.city_institutes", count=city.research_institutes,
                goal=city.research_institutes_goal),
              ""]
    if result.notes:
        lines.append(t("report.notes", count=len(result.notes)) + ("：" if lang == "zh" else ":"))
        lines += [f"    {p.message(lang)}" for p in result.notes]
        lines.append("")
    if result.problems:
        lines.append(t("report.problems", count=len(result.problems)))
        for file in dict.fromkeys(p.file for p in result.problems):
            path = (sources or {}).get(file, {}).get("path", file)
            lines.append("  " + t("report.file", path=path))
            lines += [f"    {p.message(lang)}" for p in result.problems if p.file == file]
    else:
        lines.append(t("report.no_problems"))
    return _TERMINAL_CONTROLS.sub("", "\n".join(lines))
