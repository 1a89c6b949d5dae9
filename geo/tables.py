"""Tables as people read them: labelled in their language, numbers kept numeric.

The pages show these frames and offer them as downloads, so a table on screen
and the file a town official saves are the same. Areas stay numbers (in m²)
so the tables sort correctly; vocabularies become words of the chosen
language.
"""

from __future__ import annotations

import pandas as pd

from geo.check import CheckResult
from geo.i18n import CATALOGUE, Lang, translate
from geo.problems import Problem

__all__ = ["carrier_table", "display_names", "problem_table", "town_carriers", "town_problems",
           "town_table"]


def display_names(towns: pd.DataFrame, lang: Lang, short: bool = False) -> dict[str, str]:
    """Each town's name as shown in ``lang``.

    Chinese shows the name from the boundary file. English shows ``name_en``
    when the file has it, followed by the Chinese name unless ``short``
    (map labels), so an official can still match it to their records.
    """
    names: dict[str, str] = {}
    english = towns["name_en"] if "name_en" in towns else pd.Series(None, index=towns.index)
    for name, name_en in zip(towns["name"], english, strict=True):
        if lang == "zh" or not isinstance(name_en, str) or not name_en.strip():
            names[name] = name
        else:
            names[name] = name_en.strip() if short else f"{name_en.strip()} ({name})"
    return names


def _labels(values: pd.Series, prefix: str, lang: Lang) -> pd.Series:
    return values.map(lambda v: translate(f"{prefix}.{v}", lang) if isinstance(v, str) else "")


def town_table(result: CheckResult, names: dict[str, str], lang: Lang) -> pd.DataFrame:
    """Every town against its target, one row each, in boundary-file order."""
    towns = result.towns
    pct = round(result.close_ratio * 100)
    band = towns["band"].map(lambda b: translate(f"band.{b}", lang, pct=pct))
    return pd.DataFrame({
        translate("col.town", lang): towns["town"].map(names),
        translate("col.band", lang): band,
        translate("col.new_area", lang): towns["new_area_m2"],
        translate("col.target", lang): towns["target_m2"],
        translate("col.progress", lang): (towns["progress"] * 100).round(1),
        translate("col.shortfall", lang): towns["shortfall_m2"],
        translate("col.counted", lang): towns["carriers_counted"],
        translate("col.under_construction", lang): towns["under_construction_m2"],
        translate("col.planned", lang): towns["planned_m2"],
        translate("col.projected", lang): towns["projected_m2"],
    })


def carrier_table(carriers: pd.DataFrame, names: dict[str, str], lang: Lang) -> pd.DataFrame:
    """Carriers with their type, status, area, opening, town and whether they count."""
    def town(values: pd.Series) -> pd.Series:
        return values.map(lambda v: names.get(v, v) if isinstance(v, str) else "")

    return pd.DataFrame({
        translate("col.id", lang): carriers["id"],
        translate("col.name", lang): carriers["name"],
        translate("col.type", lang): _labels(carriers["type"], "type", lang),
        translate("col.status", lang): _labels(carriers["status"], "status", lang),
        translate("col.area", lang): carriers["floor_area_m2"],
        translate("col.opened", lang): carriers["opened_text"].fillna(""),
        translate("col.town", lang): town(carriers["town"]),
        translate("col.declared_town", lang): carriers["town_declared"].fillna(""),
        translate("col.reason", lang): _labels(carriers["reason"], "reason", lang),
    }).reset_index(drop=True)


def problem_table(problems: list[Problem], lang: Lang) -> pd.DataFrame:
    """The data-quality report: file, row, column, value and what to do, one problem a row."""
    columns = ["file", "row", "id", "field", "value", "severity", "message"]
    records = pd.DataFrame([p.as_dict(lang) for p in problems], columns=[*columns, "code"])
    return pd.DataFrame({
        translate("col.file", lang): _labels(records["file"], "source", lang),
        translate("col.row", lang): records["row"].astype("Int64"),
        translate("col.id", lang): records["id"],
        translate("col.field", lang): records["field"].map(
            lambda f: translate(f"field.{f}", lang) if f"field.{f}" in CATALOGUE else (f or "")),
        translate("col.value", lang): records["value"],
        translate("col.severity", lang): _labels(records["severity"], "severity", lang),
        translate("col.message", lang): records["message"],
    })


def town_carriers(result: CheckResult, town: str) -> pd.DataFrame:
    """The carriers located in ``town``, and those registered to it but not placed.

    The second kind do not count; listing them lets an official see why.
    """
    carriers = result.carriers
    unplaced = carriers["town"].isna() & (carriers["declared_town"] == town)
    return carriers[(carriers["town"] == town) | unplaced]


def town_problems(result: CheckResult, town: str) -> list[Problem]:
    """The carrier problems on the rows of :func:`town_carriers`."""
    rows = set(town_carriers(result, town)["row"].tolist())
    return [p for p in result.problems if p.file == "carriers" and p.row in rows]
