"""What each page of a brief says: texts, figures and tables, in the reader's language.

Every figure is the domain's (:class:`geo.check.CheckResult`,
:func:`geo.progress.pace`, :func:`geo.progress.changes_since`,
:mod:`geo.cover`), formatted with :func:`geo.format_area`; the tables are
:mod:`render.tables`' (the Town page's own), trimmed to the columns a page
has room for. The result is plain data for :mod:`render.briefs.document`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from geo._errors import ConfigError
from geo.boundaries import Boundaries
from geo.check import CheckResult, goal_met, projection_columns, projection_note
from geo.cover import city_cover, town_cover
from geo.i18n import Lang, format_area, format_progress, translate
from geo.problems import Problem
from geo.progress import Changes, Pace
from render.briefs import figures
from render.palette import BAND_COLOURS, BAND_TEXT_COLOURS
from render.tables import (
    PROJECTION_LABELS,
    carrier_table,
    display_names,
    problem_table,
    town_carriers,
    town_problems,
)

__all__ = ["Brief", "city_section", "town_section"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MAX_CHANGE_ROWS = 12
_TOWN_PAGE_ROWS = 22
"""Table rows a town page has room for (all its tables together), so it stays one page."""


def _shares(sizes: Sequence[int], budget: int) -> list[int]:
    """How many rows each table shows: the most ``c`` with ``sum(min(n, c)) <= budget``.

    Short tables show every row; the longer ones share what is left equally.
    """
    cap = 0
    while cap < max(sizes, default=0) and sum(min(n, cap + 1) for n in sizes) <= budget:
        cap += 1
    return [min(n, cap) for n in sizes]


@dataclass
class Brief:
    """One PDF being put together: its shared facts and the pages added so far."""

    result: CheckResult
    boundaries: Boundaries
    sources: Mapping[str, Mapping[str, str]]
    lang: Lang
    family: str
    pace: Pace
    changes: Changes | None
    generated: dt.date
    filter_lines: Sequence[str] = ()
    sections: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)

    def t(self, code: str, **params: Any) -> str:
        """Catalogue entry ``code`` in the brief's language."""
        return translate(code, self.lang, **params)

    def area(self, value: float) -> str:
        """An area as every page and the CLI write it."""
        return format_area(float(value), self.lang)

    def image(self, svg: str) -> str:
        """Keep a drawing for the document; its key."""
        key = f"image{len(self.images)}"
        self.images[key] = svg
        return key

    @property
    def as_of(self) -> dt.date:
        """The date the figures stand on (the period end for a whole-period check)."""
        as_of = self.result.as_of
        return as_of.date if as_of is not None else self.result.period_end

    def document(self, title: str) -> dict[str, Any]:
        """The template's data: the pages, and what every page's header and footer say."""
        return {
            "title": title,
            "lang": self.lang,
            "region": "cn" if self.lang == "zh" else None,
            "filter_lines": [str(line) for line in self.filter_lines],
            "margin_top": 14 + 4.5 * len(self.filter_lines),
            "footer_lines": footer_lines(self),
            "page_label": self.t("brief.page"),
            "sections": self.sections,
        }


def source_names(sources: Mapping[str, Mapping[str, str]], lang: Lang) -> str:
    """Each input by kind, file name and digest: never a folder or a URL of the server.

    A database is named by its own name (``carrier-map.db``), without its
    folder, host or user.
    """
    described = []
    for kind, source in sources.items():
        path = str(source.get("path", ""))
        if "://" in path:
            path = urlsplit(path).path
        name = re.split(r"[\\/]", path.rstrip("/\\"))[-1] or kind
        digest = str(source.get("sha256", ""))
        kind_label = translate(f"source.{kind}", lang) if kind in (
            "carriers", "boundaries", "targets") else kind
        described.append(
            translate("download.source", lang, kind=kind_label, name=name,
                      version=f"SHA-256 {digest[:12]}") if _SHA256.match(digest)
            else f"{kind_label} {name}")
    return translate("download.sources", lang,
                     sources=("；" if lang == "zh" else "; ").join(described))


def notes(result: CheckResult, lang: Lang) -> list[str]:
    """"Illustrative data" and "approximate boundaries", when they apply."""
    texts = []
    if result.illustrative_count:
        texts.append(translate("note.illustrative", lang, count=result.illustrative_count))
    if result.approximate_boundaries:
        texts.append(translate("note.approximate", lang))
    return texts


def footer_lines(brief: Brief) -> list[str]:
    """The date, the period and as-of, the data source and the notes: on every page."""
    result = brief.result
    dot = "　" if brief.lang == "zh" else " · "
    first = dot.join([
        brief.t("brief.generated", date=brief.generated.isoformat()),
        brief.t("download.period", start=result.period_start.isoformat(),
                end=result.period_end.isoformat()),
        brief.t("asof.label", date=brief.as_of.isoformat()),
    ])
    return [first, source_names(brief.sources, brief.lang), *notes(result, brief.lang)]


def _table(frame: pd.DataFrame, columns: Sequence[str], widths: Sequence[float],
           numeric: Sequence[str] = (), limit: int | None = None) -> tuple[dict, int]:
    """A table for the template (every cell a string), and how many rows were left out."""
    shown = frame if limit is None else frame.head(limit)
    rows = []
    for record in shown[list(columns)].itertuples(index=False):
        cells = []
        for column, value in zip(columns, record, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append("")
            elif column in numeric:
                cells.append(f"{float(value):,.0f}")
            else:
                cells.append(str(value))
        rows.append(cells)
    table = {"columns": [str(c) for c in columns], "rows": rows, "widths": list(widths),
             "align": ["right" if c in numeric else "left" for c in columns]}
    return table, len(frame) - len(shown)


def _block(heading: str | None, paragraphs: Sequence[str] = (), table: dict | None = None,
           more: str | None = None) -> dict[str, Any]:
    return {"heading": heading, "paragraphs": list(paragraphs), "table": table, "more": more}


def _more(brief: Brief, left_out: int) -> str | None:
    return brief.t("brief.more_rows", count=left_out) if left_out else None


def _section(title: str, lines: Sequence[str] = (), *, badge: dict | None = None,
             messages: Sequence[str] = (), kpis: Sequence[dict] = (),
             figures_: Sequence[dict] = (), blocks: Sequence[dict] = ()) -> dict[str, Any]:
    return {"title": title, "badge": badge, "lines": list(lines), "messages": list(messages),
            "kpis": list(kpis), "figures": list(figures_), "blocks": list(blocks)}


def _state(brief: Brief, count: float, goal: float) -> str:
    return brief.t("city.goal_met" if goal_met(count, goal) else "city.goal_not_met")


def _kpis(brief: Brief) -> list[dict[str, str]]:
    city = brief.result.city
    return [
        {"label": brief.t("kpi.new_area"), "value": brief.area(city.new_area_m2),
         "note": brief.t("brief.kpi_projected", area=brief.area(city.projected_m2))},
        {"label": brief.t("kpi.towns_met"),
         "value": brief.t("kpi.of", value=city.towns_met, total=city.towns_total),
         "note": ""},
        {"label": brief.t("kpi.new_carriers", goal=city.new_carriers_goal),
         "value": brief.t("kpi.count", count=city.new_carriers),
         "note": _state(brief, city.new_carriers, city.new_carriers_goal)},
        {"label": brief.t("kpi.institutes", goal=city.research_institutes_goal),
         "value": brief.t("kpi.count", count=city.research_institutes),
         "note": _state(brief, city.research_institutes, city.research_institutes_goal)},
    ]


def _ordered_towns(result: CheckResult) -> pd.DataFrame:
    from geo.check import ranking

    return result.towns.set_index("town").loc[ranking(result)].reset_index()


def _behind_block(brief: Brief, names: Mapping[str, str]) -> dict[str, Any]:
    summary = brief.pace.summary
    behind = summary[summary["behind"].to_numpy(dtype=bool)]
    paragraphs = [brief.t("brief.pace_rule", date=brief.pace.as_of.isoformat())]
    for row in brief.pace.city_summary.itertuples():
        paragraphs.append(brief.t(
            "brief.city_pace", measure=brief.t(f"pace.{row.measure}"), counted=row.counted,
            expected=f"{row.expected:.1f}",
            state=brief.t("pace.behind" if row.behind else "pace.on_pace")))
    if behind.empty:
        paragraphs.append(brief.t("brief.behind_none", date=brief.pace.as_of.isoformat()))
        return _block(brief.t("brief.behind_title"), paragraphs)
    frame = pd.DataFrame({
        "town": behind["town"].map(lambda n: names.get(n, n)),
        "counted": behind["counted_m2"].map(brief.area),
        "expected": behind["expected_m2"].map(brief.area),
        "gap": behind["gap_m2"].map(brief.area),
        "target": behind["target_m2"].map(brief.area),
    })
    frame.columns = [brief.t("col.town"), brief.t("pace.cumulative"), brief.t("pace.expected"),
                     brief.t("brief.gap"), brief.t("brief.target")]
    table, _ = _table(frame, list(frame.columns), [2, 1, 1, 1, 1])
    table["align"] = ["left", "right", "right", "right", "right"]
    return _block(brief.t("brief.behind_title"), paragraphs, table)


def _pipeline_block(brief: Brief, names: Mapping[str, str]) -> dict[str, Any]:
    towns = _ordered_towns(brief.result)
    columns = projection_columns(brief.result)
    frame = pd.DataFrame({brief.t("col.town"): towns["town"].map(lambda n: names.get(n, n))})
    for column in columns:
        frame[brief.t(PROJECTION_LABELS[column])] = towns[column].to_numpy()
    numeric = [brief.t(PROJECTION_LABELS[column]) for column in columns]
    table, _ = _table(frame, list(frame.columns), [1.6] + [1] * len(columns), numeric=numeric)
    cover = city_cover(brief.result, brief.lang, brief.sources)
    return _block(brief.t("brief.pipeline_title"),
                  [brief.t("download.totals", totals=cover.totals),
                   brief.t(projection_note(brief.result))], table)


def _changes_blocks(brief: Brief, names: Mapping[str, str]) -> list[dict[str, Any]]:
    changes = brief.changes
    if changes is None:
        return []
    heading = brief.t("since.title", since=changes.since_requested.isoformat(),
                      as_of=changes.as_of.isoformat())
    reached = "、" if brief.lang == "zh" else ", "
    paragraphs = [
        brief.t("brief.since_city", carriers_then=changes.city_then.new_carriers,
                carriers_now=changes.city_now.new_carriers,
                area_then=brief.area(changes.city_then.new_area_m2),
                area_now=brief.area(changes.city_now.new_area_m2),
                met_then=changes.city_then.towns_met, met_now=changes.city_now.towns_met),
        brief.t("brief.since_reached", label=brief.t("since.reached"),
                towns=reached.join(names.get(t, t) for t in changes.reached)
                or brief.t("town.none")),
    ]
    blocks = [_block(heading, paragraphs)]
    towns = changes.towns[changes.towns["added_m2"].to_numpy() > 0]
    if len(towns):
        frame = pd.DataFrame({
            brief.t("col.town"): towns["town"].map(lambda n: names.get(n, n)),
            brief.t("brief.area_then", date=changes.since.isoformat()):
                towns["area_then_m2"].map(brief.area),
            brief.t("brief.area_now", date=changes.as_of.isoformat()):
                towns["area_now_m2"].map(brief.area),
            brief.t("since.added"): towns["added_m2"].map(brief.area),
        })
        table, _ = _table(frame, list(frame.columns), [2, 1, 1, 1])
        table["align"] = ["left", "right", "right", "right"]
        blocks.append(_block(None, (), table))
    blocks.append(_started_block(brief, changes.carriers, names))
    return blocks


def _started_block(brief: Brief, carriers: pd.DataFrame, names: Mapping[str, str],
                   limit: int = _MAX_CHANGE_ROWS) -> dict[str, Any]:
    heading = brief.t("brief.started", label=brief.t("since.carriers"), count=len(carriers))
    if carriers.empty:
        return _block(None, [heading + ("：" if brief.lang == "zh" else ": ")
                             + brief.t("town.none")])
    frame = pd.DataFrame({
        brief.t("col.id"): carriers["id"],
        brief.t("col.name"): carriers["name"],
        brief.t("col.town"): carriers["town"].map(lambda n: names.get(n, n)),
        brief.t("col.area"): carriers["floor_area_m2"],
        brief.t("col.opened"): carriers["opened"],
    })
    table, left_out = _table(frame, list(frame.columns), [0, 3, 1.6, 1, 1],
                             numeric=[brief.t("col.area")], limit=limit)
    return _block(None, [heading], table, _more(brief, left_out))


def city_section(brief: Brief) -> None:
    """Add the city brief: headline figures, map, ranking, pace, pipeline, changes."""
    result, lang = brief.result, brief.lang
    towns = brief.boundaries.towns
    short = display_names(towns, lang, short=True)
    names = display_names(towns, lang)
    cover = city_cover(result, lang, brief.sources)
    map_key = brief.image(figures.city_map(result, towns, short, lang, brief.family))
    chart_key = brief.image(figures.ranking_chart(result, short, lang, brief.family))
    brief.sections.append(_section(
        brief.t("brief.title_city"),
        [brief.t("brief.subtitle", as_of=brief.as_of.isoformat(),
                 start=result.period_start.isoformat(), end=result.period_end.isoformat()),
         brief.t("download.verdict", verdict=cover.verdict)],
        messages=result.as_of.messages(lang) if result.as_of is not None else [],
        kpis=_kpis(brief),
        figures_=[{"key": map_key, "width": 1.15, "caption": brief.t("legend.towns")},
                  {"key": chart_key, "width": 1.0, "caption": brief.t("brief.ranking")}],
        blocks=[_behind_block(brief, names), _pipeline_block(brief, names),
                *_changes_blocks(brief, names)],
    ))


def _carrier_blocks(brief: Brief, carriers: pd.DataFrame, names: Mapping[str, str],
                    limits: Mapping[str, int]) -> list[dict[str, Any]]:
    listing = carrier_table(carriers, names, brief.lang)
    t = brief.t
    area = t("col.area")
    layouts = {
        "counted": ([t("col.id"), t("col.name"), t("col.type"), area, t("col.opened")],
                    [0, 3.2, 1.6, 1, 1]),
        "other": ([t("col.id"), t("col.name"), t("col.status"), area, t("col.opened"),
                   t("col.reason")], [0, 2.6, 0.8, 0.9, 0.9, 2.2]),
        "elsewhere": ([t("col.id"), t("col.name"), area, t("col.location_check"),
                       t("col.reason")], [0, 2.4, 0.9, 2.4, 1.6]),
    }
    headings = {"counted": "town.counted", "other": "town.others",
                "elsewhere": "town.elsewhere"}
    blocks = []
    for section, (columns, widths) in layouts.items():
        rows = (carriers["section"] == section).to_numpy()
        if section == "elsewhere" and not rows.any():
            continue
        heading = t(headings[section], count=int(rows.sum()))
        if not rows.any():
            blocks.append(_block(heading, [t("town.none")]))
            continue
        table, left_out = _table(listing[rows], columns, widths, numeric=[area],
                                 limit=limits[section])
        blocks.append(_block(heading, (), table, _more(brief, left_out)))
    return blocks


def _problem_block(brief: Brief, problems: list[Problem], limit: int) -> dict[str, Any]:
    heading = brief.t("town.problems", count=len(problems))
    if not problems:
        return _block(heading, [brief.t("report.no_problems")])
    frame = problem_table(problems, brief.lang)
    t = brief.t
    columns = [t("col.row"), t("col.id"), t("col.field"), t("col.value"), t("col.message")]
    table, left_out = _table(frame, columns, [0, 0, 0.8, 1, 4.5], limit=limit)
    return _block(heading, (), table, _more(brief, left_out))


def _town_changes(brief: Brief, town: str, names: Mapping[str, str],
                  limit: int) -> list[dict[str, Any]]:
    changes = brief.changes
    if changes is None:
        return []
    row = changes.towns.set_index("town").loc[town]
    heading = brief.t("since.title", since=changes.since_requested.isoformat(),
                      as_of=changes.as_of.isoformat())
    paragraph = brief.t("brief.since_town", added=brief.area(row["added_m2"]),
                        then=brief.area(row["area_then_m2"]), now=brief.area(row["area_now_m2"]))
    if bool(row["reached"]):
        paragraph += " " + brief.t("brief.since_town_reached")
    started = changes.carriers[changes.carriers["town"] == town]
    return [_block(heading, [paragraph]), _started_block(brief, started, names, limit)]


def town_section(brief: Brief, town: str) -> None:
    """Add one town's page: verdict, progress and pace, map, carriers, problems.

    Raises
    ------
    ConfigError
        ``brief.town_unknown`` when ``town`` is not a town of the boundaries.
    """
    result, lang = brief.result, brief.lang
    if town not in set(result.towns["town"]):
        raise ConfigError("brief.town_unknown", town=town,
                          towns="、".join(map(str, result.towns["town"])))
    towns = brief.boundaries.towns
    short = display_names(towns, lang, short=True)
    names = display_names(towns, lang)
    figures_row = result.towns.set_index("town").loc[town]
    band = str(figures_row["band"])
    pace_row = brief.pace.summary.set_index("town").loc[town]
    cover = town_cover(result, town, names, lang, brief.sources)
    shown = format_progress(figures_row, lang)
    verdict = (brief.t("town.met") if figures_row["met"] else
               brief.t("town.not_met", shortfall=shown.shortfall))
    lines = [
        brief.t("town.progress", area=shown.area, target=shown.target,
                pct=shown.pct) + "　" + verdict,
        brief.t("brief.town_pace", date=brief.pace.as_of.isoformat(),
                counted=brief.area(pace_row["counted_m2"]),
                expected=brief.area(pace_row["expected_m2"]),
                state=brief.t("pace.behind" if pace_row["behind"] else "pace.on_pace")),
        brief.t("download.totals", totals=cover.totals),
    ]
    if figures_row["after_as_of_m2"]:
        lines.append(brief.t("brief.after_as_of", area=brief.area(figures_row["after_as_of_m2"]),
                             date=brief.as_of.isoformat()))
    if figures_row["pipeline_before_period_m2"]:
        lines.append(brief.t("town.before_period",
                             area=brief.area(figures_row["pipeline_before_period_m2"])))
    carriers = town_carriers(result, town)
    problems = town_problems(result, town)
    started = (brief.changes.carriers["town"] == town).sum() if brief.changes else 0
    sections = ("counted", "other", "elsewhere")
    sizes = [int((carriers["section"] == section).sum()) for section in sections]
    *shown, problem_rows, started_rows = _shares([*sizes, len(problems), int(started)],
                                                 _TOWN_PAGE_ROWS)
    map_key = brief.image(figures.town_map(result, towns, town, carriers, short, lang,
                                           brief.family))
    pace_key = brief.image(figures.pace_chart(brief.pace, town, lang, brief.family))
    badge = {"fill": BAND_COLOURS[band], "ink": BAND_TEXT_COLOURS[band],
             "text": translate(f"band.{band}", lang, pct=round(result.close_ratio * 100))}
    brief.sections.append(_section(
        brief.t("brief.title_town", town=names.get(town, town)), lines, badge=badge,
        figures_=[{"key": map_key, "width": 1.0, "caption": brief.t("brief.town_map")},
                  {"key": pace_key, "width": 1.0, "caption": brief.t("brief.pace_chart")}],
        blocks=[*_carrier_blocks(brief, carriers, names, dict(zip(sections, shown, strict=True))),
                _problem_block(brief, problems, problem_rows),
                *_town_changes(brief, town, names, started_rows)],
    ))
