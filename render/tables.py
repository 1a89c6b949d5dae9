"""Tables as people read them: labelled in their language, numbers kept numeric.

The pages show these frames and offer them as downloads, so a table on screen
and the file a town official saves are the same. Areas stay numbers (in m²)
so the tables sort correctly; vocabularies become words of the chosen
language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import pandas as pd

from geo.check import CheckResult, projection_columns, ranking
from geo.i18n import CATALOGUE, Lang, translate
from geo.problems import Problem
from geo.schema import (
    CARRIER_TYPES,
    COLUMNS,
    STATUS_ALIASES,
    STATUSES,
    TYPE_ALIASES,
    normalise_token,
)
from render.export import AREA_FORMAT, COORDINATE_FORMAT, COUNT_FORMAT, PERCENT_FORMAT
from render.palette import BAND_COLOURS, BAND_TEXT_COLOURS, INK, MISSING_COLOUR

__all__ = ["SECTIONS", "Section", "band_cell_styles", "carrier_file_table", "carrier_table",
           "display_names", "drop_blank", "number_formats", "problem_table", "town_bands",
           "town_carriers", "town_problems", "town_table"]

Section = Literal["counted", "other", "elsewhere"]
SECTIONS: tuple[Section, ...] = ("counted", "other", "elsewhere")
"""Where a town's page lists a carrier: counts for the town; lies in it (or is registered
to it without a point) but does not count; registered to it but lies in another town."""

PROJECTION_LABELS: dict[str, str] = {
    "new_area_m2": "col.new_area", "after_as_of_m2": "col.after_as_of",
    "under_construction_in_period_m2": "col.building_in_period",
    "planned_in_period_m2": "col.planned_in_period", "projected_m2": "col.projected",
    "pipeline_after_period_m2": "col.after_period", "pipeline_no_date_m2": "col.no_date",
    "pipeline_before_period_m2": "col.before_period",
}
"""The label of each column of :func:`geo.check.projection_columns` in a table."""

_AREA_COLUMNS = ("col.target", "col.new_area", "col.shortfall", "col.under_construction",
                 "col.planned", "col.projected", "col.area", "col.building_in_period",
                 "col.planned_in_period", "col.after_period", "col.before_period",
                 "col.no_date", "col.after_as_of")


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


def _town_rows(result: CheckResult, ranked: bool) -> pd.DataFrame:
    """The result's town figures, in file order or worst first (:func:`geo.check.ranking`)."""
    if not ranked:
        return result.towns
    return result.towns.set_index("town", drop=False).loc[ranking(result)].reset_index(drop=True)


def town_bands(result: CheckResult, ranked: bool = False) -> list[str]:
    """Each row's band code (``met`` / ``close`` / ``far``) of :func:`town_table`."""
    return _town_rows(result, ranked)["band"].tolist()


def band_cell_styles(bands: Iterable[str | None]) -> list[str]:
    """CSS for each band cell: the band's fill from the palette, with its text colour."""
    return [f"background-color: {BAND_COLOURS.get(band, MISSING_COLOUR)}; "
            f"color: {BAND_TEXT_COLOURS.get(band, INK)}" for band in bands]


def town_table(result: CheckResult, names: dict[str, str], lang: Lang,
               ranked: bool = False) -> pd.DataFrame:
    """Every town against its target, one row each, in boundary-file order or ``ranked``.

    Areas in m²; progress as a fraction (1.0 = the target); the projection
    and the pipeline by expected opening, then all under construction and
    planned. ``ranked`` puts the towns worst first, as
    :func:`geo.check.ranking` orders them (lowest progress, then largest
    shortfall); :func:`town_bands` gives the rows' bands in the same order.
    """
    towns = _town_rows(result, ranked)
    pct = round(result.close_ratio * 100)
    band = towns["band"].map(lambda b: translate(f"band.{b}", lang, pct=pct))
    return pd.DataFrame({
        translate("col.town", lang): towns["town"].map(names),
        translate("col.band", lang): band,
        translate("col.new_area", lang): towns["new_area_m2"],
        translate("col.target", lang): towns["target_m2"],
        translate("col.progress", lang): towns["progress"],
        translate("col.shortfall", lang): towns["shortfall_m2"],
        translate("col.counted", lang): towns["carriers_counted"],
        **{translate(PROJECTION_LABELS[column], lang): towns[column]
           for column in projection_columns(result) if column != "new_area_m2"},
        translate("col.under_construction", lang): towns["under_construction_m2"],
        translate("col.planned", lang): towns["planned_m2"],
    })


def _town_names(values: pd.Series, names: Mapping[str, str]) -> pd.Series:
    return values.map(lambda v: names.get(v, v) if isinstance(v, str) else "")


def _location_check(carriers: pd.DataFrame, names: Mapping[str, str], lang: Lang) -> pd.Series:
    """"Registered to X, point lies in Y" where the register and the point disagree, else ""."""
    flag = pd.Series("", index=carriers.index, dtype=object)
    mismatch = carriers["town_mismatch"].to_numpy(dtype=bool)
    for index, declared, written, located in zip(
            carriers.index[mismatch], carriers["declared_town"][mismatch],
            carriers["town_declared"][mismatch], carriers["town"][mismatch], strict=True):
        shown = names.get(declared, declared) if isinstance(declared, str) else written
        flag[index] = translate("town.location_mismatch", lang, declared=shown,
                                located=names.get(located, located))
    return flag


def carrier_table(carriers: pd.DataFrame, names: dict[str, str], lang: Lang) -> pd.DataFrame:
    """Carriers with their type, status, area, opening, town and whether they count.

    The location check, next to the two towns it compares, flags a
    registered town that differs from the point's; the expected opening says,
    for carriers under construction or planned, whether it lies in the period
    (and so in the projection).
    """
    return pd.DataFrame({
        translate("col.id", lang): carriers["id"],
        translate("col.name", lang): carriers["name"],
        translate("col.type", lang): _labels(carriers["type"], "type", lang),
        translate("col.status", lang): _labels(carriers["status"], "status", lang),
        translate("col.area", lang): carriers["floor_area_m2"],
        translate("col.opened", lang): carriers["opened_text"].fillna(""),
        translate("col.town", lang): _town_names(carriers["town"], names),
        translate("col.declared_town", lang): carriers["town_declared"].fillna(""),
        translate("col.location_check", lang): _location_check(carriers, names, lang),
        translate("col.reason", lang): _labels(carriers["reason"], "reason", lang),
        translate("col.expected", lang): _labels(carriers["pipeline"], "pipeline", lang),
    }).reset_index(drop=True)


def _register_header(column: str, lang: Lang) -> str:
    """A register column's header as the import reads it: Chinese label, or the column name."""
    return translate(f"field.{column}", "zh") if lang == "zh" else column


def _register_words(codes: Iterable[str], prefix: str, aliases: Mapping[str, str],
                    lang: Lang) -> dict[str, str]:
    """Each type or status as a word the import reads back."""
    return {code: _register_word(code, prefix, aliases, lang) for code in codes}


def _register_word(code: str, prefix: str, aliases: Mapping[str, str], lang: Lang) -> str:
    """The catalogue's label when the import reads it back, else an accepted word (研究院)."""
    label = translate(f"{prefix}.{code}", lang)
    if aliases.get(normalise_token(label)) == code:
        return label
    words = [alias for alias, canonical in aliases.items() if canonical == code]
    chinese = [w for w in words if any("\u4e00" <= ch <= "\u9fff" for ch in w)]
    return chinese[0] if lang == "zh" and chinese else code


def carrier_file_table(carriers: pd.DataFrame, names: dict[str, str],
                       lang: Lang) -> pd.DataFrame:
    """Carriers as a register the import reads back, then the check's columns.

    The register's own columns come first under its own headers, with the
    point in WGS84 as located (``坐标系`` WGS84), so the file can be
    corrected and imported again. Then the town by location, the location
    check, whether the carrier counts and its expected opening, under
    headers the import ignores.
    """
    point = carriers["has_point"].to_numpy(dtype=bool) & carriers["lon"].notna().to_numpy()
    values = {
        "id": carriers["id"],
        "name": carriers["name"],
        "type": carriers["type"].map(_register_words(CARRIER_TYPES, "type", TYPE_ALIASES, lang)),
        "town": carriers["town_declared"],
        "lon": carriers["lon"].where(point),
        "lat": carriers["lat"].where(point),
        "crs": pd.Series(["WGS84" if p else None for p in point], index=carriers.index),
        "floor_area_m2": carriers["floor_area_m2"],
        "opened": carriers["opened_text"],
        "status": carriers["status"].map(
            _register_words(STATUSES, "status", STATUS_ALIASES, lang)),
        **{column: carriers[column] for column in ("level", "operator", "industry", "source")},
    }
    frame = pd.DataFrame({_register_header(column, lang): values[column] for column in COLUMNS})
    listing = carrier_table(carriers, names, lang)
    frame[translate("col.located_town", lang)] = _town_names(carriers["town"], names)
    for code in ("col.location_check", "col.reason", "col.expected"):
        frame[translate(code, lang)] = listing[translate(code, lang)].to_numpy()
    return frame.reset_index(drop=True)


def drop_blank(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` without those of ``columns`` that are empty in every row (a copy)."""
    blank = [c for c in columns
             if c in frame and frame[c].map(lambda v: pd.isna(v) or v == "").all()]
    return frame.drop(columns=blank)


def number_formats(columns: Iterable[object], lang: Lang) -> dict[str, str]:
    """The Excel number format of each of ``columns`` that these tables fill with numbers.

    Areas ``#,##0``, progress ``0.0%`` (a fraction), coordinates to six decimals.
    """
    known = {translate(code, lang): AREA_FORMAT for code in _AREA_COLUMNS}
    known[_register_header("floor_area_m2", lang)] = AREA_FORMAT
    known[translate("col.progress", lang)] = PERCENT_FORMAT
    known[_register_header("lon", lang)] = COORDINATE_FORMAT
    known[_register_header("lat", lang)] = COORDINATE_FORMAT
    for code in ("col.counted", "col.row"):
        known[translate(code, lang)] = COUNT_FORMAT
    return {str(c): known[str(c)] for c in columns if str(c) in known}


def problem_table(problems: list[Problem], lang: Lang) -> pd.DataFrame:
    """The data-quality report: file, row, column, value and what to do, one problem a row."""
    columns = ["file", "row", "id", "field", "value", "severity", "message"]
    records = pd.DataFrame([p.as_dict(lang) for p in problems], columns=[*columns, "code"])
    return pd.DataFrame({
        translate("col.file", lang): _labels(records["file"], "source", lang),
        translate("col.row", lang): records["row"].astype("Int64"),
        translate("col.id", lang): records["id"].fillna(""),  # never "None" on the page
        translate("col.field", lang): records["field"].map(
            lambda f: translate(f"field.{f}", lang) if f"field.{f}" in CATALOGUE else (f or "")),
        translate("col.value", lang): records["value"].fillna(""),
        translate("col.severity", lang): _labels(records["severity"], "severity", lang),
        translate("col.message", lang): records["message"],
    })


def town_carriers(result: CheckResult, town: str) -> pd.DataFrame:
    """Every carrier located in ``town`` or registered to it, with its :data:`Section`.

    Carriers registered to the town but placed nowhere do not count; those
    registered to it but lying in another town count there. Listing both
    lets a town official see why, and find a wrong point or town. The
    ``section`` column says where the page lists each one.
    """
    carriers = result.carriers
    here = carriers["town"] == town
    registered = carriers["declared_town"] == town
    chosen = carriers[here | registered].copy()
    elsewhere = (chosen["town"].notna() & (chosen["town"] != town)).to_numpy()
    counted = ((chosen["reason"] == "counted") & (chosen["town"] == town)).to_numpy()
    section = pd.Series("other", index=chosen.index, dtype=object)
    section[counted] = "counted"
    section[elsewhere] = "elsewhere"
    chosen["section"] = section
    return chosen


def town_problems(result: CheckResult, town: str) -> list[Problem]:
    """The carrier problems on the rows of :func:`town_carriers`.

    A carrier registered to one town and lying in another has its
    ``row.town_mismatch`` warning on both towns' pages.
    """
    rows = set(town_carriers(result, town)["row"].tolist())
    return [p for p in result.problems if p.file == "carriers" and p.row in rows]
