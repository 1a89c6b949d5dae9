"""Coverage-gap tables as people read them: localised headers, shares in %, before → after.

Presentation only: every figure is taken from :mod:`geo.coverage` results (and
"goal met" from :func:`geo.check.goal_met`), never recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo.check import goal_met
from geo.coverage import CoverageTable, ScenarioResult, SiteSuggestions
from geo.i18n import Lang, format_area, translate

__all__ = ["SHARE_COLUMN", "coverage_table", "scenario_city_table", "scenario_coverage_table",
           "scenario_rows_table", "scenario_town_table", "share_header", "site_table"]

SHARE_COLUMN = "gapspage.col_share"
"""The catalogue code of the share column (in %, 0–100)."""


def _t(code: str, lang: Lang, **params) -> str:
    return translate(code, lang, **params)


def _towns(values: pd.Series, names: Mapping[str, str]) -> pd.Series:
    return values.map(lambda town: names.get(town, town))


def coverage_table(coverage: CoverageTable, carrier_type: str, names: Mapping[str, str],
                   lang: Lang) -> pd.DataFrame:
    """One row per town for one type: carriers, density, share in %, farthest point, flags."""
    rows = coverage.for_type(carrier_type)
    table = pd.DataFrame({
        _t("gaps.town", lang): _towns(rows["town"], names),
        _t("gaps.carriers", lang): rows["carriers"].astype(int),
        _t(SHARE_COLUMN, lang, radius=f"{coverage.radius_km:g}"):
            (rows["covered_share"].astype(float) * 100).round(1),
        _t("gaps.max_distance", lang): rows["max_distance_km"].astype(float).round(2),
        _t("gaps.no_carrier", lang): rows["no_carrier"].astype(bool),
        _t("gaps.under_half", lang): rows["under_half_covered"].astype(bool),
        _t("gapspage.col_floor_area", lang): rows["floor_area_m2"].astype(float),
        _t("gapspage.col_area", lang): rows["area_km2"].astype(float).round(2),
        _t("gaps.per_km2", lang): rows["carriers_per_km2"].astype(float).round(3),
        _t("gaps.area_per_km2", lang): rows["floor_area_m2_per_km2"].astype(float).round(1),
    })
    if coverage.population_weighted:
        table[_t("field.population", lang)] = rows["population"].astype(float)
        table[_t("gaps.covered_people", lang)] = rows["covered_population"].astype(float).round(0)
    return table


def share_header(coverage: CoverageTable, lang: Lang) -> str:
    """The header of the share column for this radius."""
    return _t(SHARE_COLUMN, lang, radius=f"{coverage.radius_km:g}")


def site_table(suggestions: SiteSuggestions, names: Mapping[str, str], lang: Lang
               ) -> pd.DataFrame:
    """The suggested sites: rank, town, coordinates, what each newly covers."""
    sites = suggestions.sites
    table = pd.DataFrame({
        _t("gapspage.col_rank", lang): sites["rank"].astype(int),
        _t("gaps.town", lang): _towns(sites["town"], names),
        _t("field.lon", lang): sites["lon"].astype(float).round(6),
        _t("field.lat", lang): sites["lat"].astype(float).round(6),
        _t("gapspage.col_new_km2", lang): sites["new_covered_km2"].astype(float).round(2),
    })
    if suggestions.weighted_by == "population":
        table[_t("gapspage.col_new_people", lang)] = (
            sites["new_covered_people"].astype(float).round(0))
    return table


def scenario_rows_table(rows: pd.DataFrame, placed: pd.DataFrame | None,
                        names: Mapping[str, str], lang: Lang) -> pd.DataFrame:
    """The scenario's carriers as typed, with the town the check placed each in."""
    towns = (placed.set_index("id")["town"].reindex(rows["id"]).to_numpy()
             if placed is not None and len(placed) else [None] * len(rows))
    return pd.DataFrame({
        _t("col.id", lang): rows["id"],
        _t("col.name", lang): rows["name"],
        _t("col.type", lang): rows["type"].map(lambda v: _t(f"type.{v}", lang)),
        _t("gaps.town", lang): [names.get(t, t) if t else "—" for t in towns],
        _t("field.lon", lang): rows["lon"],
        _t("field.lat", lang): rows["lat"],
        _t("col.area", lang): rows["floor_area_m2"],
        _t("col.status", lang): rows["status"].map(lambda v: _t(f"status.{v}", lang)),
        _t("col.opened", lang): rows["opened"].fillna(""),
    })


def _met(value: object, lang: Lang) -> str:
    return _t("city.goal_met" if bool(value) else "city.goal_not_met", lang)


def scenario_town_table(result: ScenarioResult, names: Mapping[str, str], lang: Lang
                        ) -> pd.DataFrame:
    """Each town the scenario touches: its new area and verdict, before → after."""
    placed = set(result.hypothetical["town"].dropna())
    towns = result.towns[result.towns["changed"] | result.towns["town"].isin(placed)]
    arrow = " → "
    return pd.DataFrame({
        _t("gaps.town", lang): _towns(towns["town"], names).to_numpy(),
        _t("gapspage.col_new_area", lang): [
            format_area(a, lang) + arrow + format_area(b, lang)
            for a, b in zip(towns["new_area_m2_before"], towns["new_area_m2_after"], strict=True)],
        _t("gapspage.col_verdict", lang): [
            _met(a, lang) + arrow + _met(b, lang)
            for a, b in zip(towns["met_before"], towns["met_after"], strict=True)],
        _t("gapspage.col_changed", lang): [
            _t("gapspage.yes" if bool(a) != bool(b) else "gapspage.no", lang)
            for a, b in zip(towns["met_before"], towns["met_after"], strict=True)],
    })


def scenario_city_table(result: ScenarioResult, lang: Lang) -> pd.DataFrame:
    """The city targets before → after: new carriers, research institutes, towns met."""
    city = result.city.set_index("figure")
    rows = []
    for figure, code in (("new_carriers", "kpi.new_carriers"),
                         ("research_institutes", "kpi.institutes"),
                         ("towns_met", "kpi.towns_met")):
        before, after, goal = (city.loc[figure, c] for c in ("before", "after", "goal"))
        rows.append({
            _t("col.item", lang): _t(code, lang, goal=goal),
            _t("gapspage.col_before", lang): int(before),
            _t("gapspage.col_after", lang): int(after),
            _t("col.goal", lang): int(goal),
            _t("gapspage.col_verdict", lang):
                _met(goal_met(int(before), int(goal)), lang) + " → "
                + _met(goal_met(int(after), int(goal)), lang),
        })
    return pd.DataFrame(rows)


def scenario_coverage_table(result: ScenarioResult, carrier_type: str,
                            names: Mapping[str, str], lang: Lang) -> pd.DataFrame:
    """Towns whose coverage by ``carrier_type`` changes: share, farthest point, carriers."""
    rows = result.coverage[result.coverage["type"] == carrier_type]
    changed = ((rows["covered_share_before"] != rows["covered_share_after"])
               | (rows["carriers_before"] != rows["carriers_after"]))
    rows = rows[changed]

    def pct(value: float) -> str:
        return f"{value * 100:.1f}%"

    def km(value: float) -> str:
        return "—" if pd.isna(value) else f"{value:.2f}"

    return pd.DataFrame({
        _t("gaps.town", lang): _towns(rows["town"], names).to_numpy(),
        _t("gapspage.col_share_change", lang): [
            pct(a) + " → " + pct(b)
            for a, b in zip(rows["covered_share_before"], rows["covered_share_after"],
                            strict=True)],
        _t("gapspage.col_distance_change", lang): [
            km(a) + " → " + km(b)
            for a, b in zip(rows["max_distance_km_before"], rows["max_distance_km_after"],
                            strict=True)],
        _t("gapspage.col_carriers_change", lang): [
            f"{int(a)} → {int(b)}"
            for a, b in zip(rows["carriers_before"], rows["carriers_after"], strict=True)],
    })
