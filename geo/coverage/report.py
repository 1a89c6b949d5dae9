"""The ``gaps`` command's output: one JSON object (a fixed interface) or a readable table."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from geo.coverage.suggest import SiteSuggestions
from geo.coverage.towns import CoverageTable
from geo.i18n import Lang, translate
from geo.problems import Problem

__all__ = ["gaps_json", "gaps_table"]

_TOWN_FIELDS = ("town", "carriers", "carriers_without_point", "floor_area_m2", "area_km2",
                "carriers_per_km2", "floor_area_m2_per_km2", "covered_km2", "covered_share",
                "max_distance_km", "no_carrier", "under_half_covered", "population",
                "covered_population")
_CITY_FIELDS = ("area_km2", "covered_km2", "covered_share", "population", "covered_population",
                "covered_population_share", "towns_no_carrier", "towns_under_half_covered",
                "max_distance_km")
_SITE_FIELDS = ("rank", "lon", "lat", "town", "new_covered_km2", "new_covered_people")


def _plain(value: Any) -> Any:
    """A JSON value: numpy scalars as Python ones, NaN and infinities as ``null``."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame, fields: Sequence[str]) -> list[dict[str, Any]]:
    return [{f: _plain(v) for f, v in zip(fields, row, strict=True)}
            for row in frame[list(fields)].itertuples(index=False, name=None)]


def gaps_json(table: CoverageTable, carrier_type: str, suggestions: SiteSuggestions | None,
              approximate_boundaries: bool, illustrative_carriers: int = 0,
              problems: Sequence[Problem] = (), lang: Lang = "zh",
              sources: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Any]:
    """The ``gaps --format json`` document (strict JSON: every number finite or null).

    Top level: ``type``, ``radius_km``, ``resolution_m`` (used),
    ``requested_resolution_m``, ``include_pipeline``, ``approximate_boundaries``,
    ``illustrative_carriers``, ``weighted_by`` (``area``/``population``),
    ``towns`` (every town of the boundaries, file order: ``town``,
    ``carriers``, ``covered_share`` 0–1, ``max_distance_km`` or null,
    ``no_carrier``, and the other columns of :attr:`CoverageTable.towns`),
    ``city``, ``suggestions`` (``rank``, ``lon``, ``lat``, ``town``,
    ``new_covered_km2``, ``new_covered_people`` or null),
    ``suggestions_exhausted``, ``problems`` (population rows) and ``sources``.
    """
    towns = table.for_type(carrier_type)
    city = table.city.set_index("type").loc[carrier_type]
    return {
        "type": carrier_type,
        "radius_km": table.radius_km,
        "resolution_m": table.resolution_m,
        "requested_resolution_m": table.requested_resolution_m,
        "include_pipeline": table.include_pipeline,
        "approximate_boundaries": bool(approximate_boundaries),
        "illustrative_carriers": int(illustrative_carriers),
        "weighted_by": "population" if table.population_weighted else "area",
        "towns": _records(towns, _TOWN_FIELDS),
        "city": {f: _plain(city[f]) for f in _CITY_FIELDS},
        "suggestions": [] if suggestions is None else _records(suggestions.sites, _SITE_FIELDS),
        "suggestions_exhausted": bool(suggestions is not None and suggestions.exhausted),
        "problems": [p.as_dict(lang) for p in problems],
        "sources": {k: dict(v) for k, v in (sources or {}).items()},
    }


def _number(value: float, digits: int = 1) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"


def gaps_table(table: CoverageTable, carrier_type: str, suggestions: SiteSuggestions | None,
               approximate_boundaries: bool, problems: Sequence[Problem] = (),
               lang: Lang = "zh") -> str:
    """The same figures as :func:`gaps_json`, as a text report in ``lang``."""
    def t(code: str, **params: Any) -> str:
        return translate(code, lang, **params)

    towns = table.for_type(carrier_type)
    yes, no = t("report.yes"), t("report.no")
    frame = pd.DataFrame({
        t("gaps.town"): towns["town"],
        t("gaps.carriers"): towns["carriers"],
        t("gaps.per_km2"): towns["carriers_per_km2"].map(lambda v: f"{v:.3f}"),
        t("gaps.covered_share"): towns["covered_share"].map(lambda v: f"{v:.0%}"),
        t("gaps.max_distance"): towns["max_distance_km"].map(_number),
        t("gaps.no_carrier"): towns["no_carrier"].map({True: yes, False: no}),
        t("gaps.under_half"): towns["under_half_covered"].map({True: yes, False: no}),
    })
    if table.population_weighted:
        frame[t("gaps.covered_people")] = towns["covered_population"].map(
            lambda v: _number(v, 0))
    with pd.option_context("display.unicode.east_asian_width", True,
                           "display.max_rows", None, "display.width", 200):
        body = frame.to_string(index=False)
    city = table.city.set_index("type").loc[carrier_type]
    lines = [t("gaps.title", type=t(f"type.{carrier_type}"), radius=f"{table.radius_km:g}",
               resolution=f"{table.resolution_m:g}")]
    if table.resolution_m != table.requested_resolution_m:
        lines.append(t("gaps.coarsened", requested=f"{table.requested_resolution_m:g}",
                       resolution=f"{table.resolution_m:g}"))
    if table.include_pipeline:
        lines.append(t("gaps.pipeline"))
    if approximate_boundaries:
        lines.append(t("note.approximate"))
    if not table.population_weighted:
        lines.append(t("gaps.no_population"))
    lines += ["", body, "", t("gaps.city", share=f"{city['covered_share']:.0%}",
                              covered=_number(city["covered_km2"]),
                              area=_number(city["area_km2"]),
                              none=int(city["towns_no_carrier"]),
                              half=int(city["towns_under_half_covered"]))]
    if suggestions is not None:
        weight = t(f"gaps.weight_{suggestions.weighted_by}")
        lines += ["", t("gaps.suggestions", weight=weight)]
        for site in suggestions.sites.itertuples():
            people = (t("gaps.site_people", people=_number(site.new_covered_people, 0))
                      if suggestions.weighted_by == "population" else "")
            lines.append("  " + t("gaps.site", rank=site.rank, lon=f"{site.lon:.6f}",
                                  lat=f"{site.lat:.6f}", town=site.town,
                                  km2=_number(site.new_covered_km2), people=people))
        if suggestions.exhausted:
            lines.append("  " + t("gaps.exhausted"))
    if problems:
        lines += ["", t("report.problems", count=len(problems))]
        lines += [f"    {p.message(lang)}" for p in problems]
    return "\n".join(lines)
