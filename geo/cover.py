"""What a downloaded Excel file says above its table, so it can be handed in as it is.

A :class:`Cover` holds, in the reader's language, the title, the plan period,
when the file was made (in the deployment's time zone), where the data came
from, the verdict and totals, and the notes that apply (illustrative data,
approximate boundaries) and, when the table is filtered, the filters in
words. :func:`render.export.to_xlsx_bytes` writes its
:meth:`Cover.lines` above the table; the CSV stays a plain table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from geo.check import CheckResult, goal_met
from geo.i18n import Lang, format_area, format_progress, translate

__all__ = ["Cover", "city_cover", "problems_cover", "town_cover"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Cover:
    """The lines above a downloaded table, each already in the reader's language.

    A page builds the cover; the file is stamped with the moment it is made
    (:meth:`at`, timezone-aware), which its lines show in that zone.
    """

    lang: Lang
    title: str
    period_start: dt.date
    period_end: dt.date
    sources: tuple[str, ...]
    verdict: str
    totals: str = ""
    notes: tuple[str, ...] = ()
    exported_at: dt.datetime | None = None
    filters: tuple[str, ...] = ()
    """The filters narrower than everything, in words (:func:`geo.filters.narrowed`)."""

    def __post_init__(self) -> None:
        if self.exported_at is not None and self.exported_at.utcoffset() is None:
            raise ValueError(f"`exported_at` was {self.exported_at!r} but must carry its "
                             "time zone (the deployment's, e.g. Asia/Shanghai)")

    def at(self, moment: dt.datetime) -> Cover:
        """The same cover, stamped as exported at ``moment`` (timezone-aware)."""
        return dataclasses.replace(self, exported_at=moment)

    def filtered(self, lines: Sequence[str]) -> Cover:
        """The same cover, saying the table is filtered by ``lines`` (none: not filtered)."""
        return dataclasses.replace(self, filters=tuple(lines))

    def lines(self) -> tuple[str, ...]:
        """The title, then one line each for filters, when, where from, verdict, totals, notes.

        The filters line is there only when the table is filtered
        (:meth:`filtered`), right under the title, so a filtered file is never
        taken for the official figures. At most seven lines, each one cell
        naming at most one register column, so a reader that looks for the
        header row skips them.

        Raises
        ------
        ValueError
            When the cover has not been stamped with the time of export.
        """
        def t(code: str, **params: object) -> str:
            return translate(code, self.lang, **params)

        if self.exported_at is None:
            raise ValueError("`exported_at` was None but a cover's lines need the time of "
                             "export: stamp it with Cover.at(moment) when the file is made")
        zone = getattr(self.exported_at.tzinfo, "key", None) or self.exported_at.tzname()
        offset = self.exported_at.strftime("%z")
        when = "　".join([
            t("download.period", start=self.period_start.isoformat(),
              end=self.period_end.isoformat()),
            t("download.exported", at=self.exported_at.strftime("%Y-%m-%d %H:%M"),
              zone=f"{zone}, UTC{offset[:3]}:{offset[3:]}"),
        ])
        separator = "；" if self.lang == "zh" else "; "
        lines = [self.title]
        if self.filters:
            lines.append(t("filters.cover", lines=separator.join(self.filters)))
        lines += [when, t("download.sources", sources=separator.join(self.sources)),
                  t("download.verdict", verdict=self.verdict)]
        if self.totals:
            lines.append(t("download.totals", totals=self.totals))
        if self.notes:
            lines.append(" ".join(self.notes))
        return tuple(lines)


def _sources(sources: Mapping[str, Mapping[str, str]], lang: Lang) -> tuple[str, ...]:
    """Each input as kind, file name (a database as described) and version or digest."""
    described = []
    for kind, source in sources.items():
        path = source.get("path", "")
        name = path if "://" in path else PurePath(path).name or path
        digest = source.get("sha256", "")
        version = f"SHA-256 {digest[:12]}" if _SHA256.match(digest) else digest
        kind_label = translate(f"source.{kind}", lang) if kind in ("carriers", "boundaries",
                                                                     "targets") else kind
        described.append(translate("download.source", lang, kind=kind_label, name=name,
                                   version=version) if version else f"{kind_label} {name}")
    return tuple(described)


def _notes(result: CheckResult, lang: Lang) -> tuple[str, ...]:
    notes = []
    if result.illustrative_count:
        notes.append(translate("note.illustrative", lang, count=result.illustrative_count))
    if result.approximate_boundaries:
        notes.append(translate("note.approximate", lang))
    return tuple(notes)


def _cover(result: CheckResult, lang: Lang, title: str, verdict: str, totals: str,
           sources: Mapping[str, Mapping[str, str]]) -> Cover:
    return Cover(lang=lang, title=title, period_start=result.period_start,
                 period_end=result.period_end, sources=_sources(sources, lang),
                 verdict=verdict, totals=totals, notes=_notes(result, lang))


def town_cover(result: CheckResult, town: str, names: Mapping[str, str], lang: Lang,
               sources: Mapping[str, Mapping[str, str]]) -> Cover:
    """The cover of one town's carrier list: its verdict, area, target and projection."""
    figures = result.towns.set_index("town").loc[town]

    def area(column: str) -> str:
        return format_area(float(figures[column]), lang)

    shown = format_progress(figures, lang)
    verdict = (translate("town.met", lang) if figures["met"] else
               translate("town.not_met", lang, shortfall=shown.shortfall))
    totals = translate(
        "download.town_totals", lang, area=shown.area, target=shown.target,
        pct=shown.pct, count=int(figures["carriers_counted"]),
        projected=area("projected_m2"), building=area("under_construction_in_period_m2"),
        planned=area("planned_in_period_m2"), after=area("pipeline_after_period_m2"),
        no_date=area("pipeline_no_date_m2"))
    title = translate("download.title_town", lang, town=names.get(town, town))
    return _cover(result, lang, title, verdict, totals, sources)


def city_cover(result: CheckResult, lang: Lang,
               sources: Mapping[str, Mapping[str, str]]) -> Cover:
    """The cover of the town table: towns met, the city-wide goals and the area totals."""
    city, towns = result.city, result.towns

    def state(count: int, goal: int) -> str:
        return translate("city.goal_met" if goal_met(count, goal) else "city.goal_not_met",
                         lang)

    verdict = translate(
        "download.city_verdict", lang, met=city.towns_met, total=city.towns_total,
        carriers=city.new_carriers, carriers_goal=city.new_carriers_goal,
        carriers_state=state(city.new_carriers, city.new_carriers_goal),
        institutes=city.research_institutes,
        institutes_goal=city.research_institutes_goal,
        institutes_state=state(city.research_institutes, city.research_institutes_goal))
    totals = translate(
        "download.city_totals", lang, area=format_area(float(towns["new_area_m2"].sum()), lang),
        projected=format_area(float(towns["projected_m2"].sum()), lang),
        building=format_area(float(towns["under_construction_m2"].sum()), lang),
        planned=format_area(float(towns["planned_m2"].sum()), lang))
    return _cover(result, lang, translate("download.title_towns", lang), verdict, totals,
                  sources)


def problems_cover(result: CheckResult, lang: Lang,
                   sources: Mapping[str, Mapping[str, str]]) -> Cover:
    """The cover of the data-quality report: how many problems, errors and warnings."""
    errors = sum(p.severity == "error" for p in result.problems)
    verdict = translate("download.problems_verdict", lang, count=len(result.problems),
                        errors=errors, warnings=len(result.problems) - errors)
    return _cover(result, lang, translate("download.title_problems", lang), verdict, "",
                  sources)
