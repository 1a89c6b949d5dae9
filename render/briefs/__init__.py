"""The PDF briefs 简报 / 进度通报: the city, one town, or the meeting pack.

Each function takes a check (plain, or as of a date: ``check(..., as_of=...)``),
the town boundaries and the sources it was read from, and returns the PDF's
bytes. Every page carries the generation date, the period and the as-of date,
the data source (file names only), the notes that apply (illustrative data,
approximate boundaries) and, when given, ``filter_lines``: sentences naming
the filters narrower than "everything", so a filtered brief is never taken for
the official figures.

Drawn with matplotlib (:mod:`render.briefs.figures`), typeset with Typst
(:mod:`render.briefs.document`) in Noto Sans CJK SC
(:mod:`render.briefs.fonts`). No browser, no network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from geo.boundaries import Boundaries
from geo.check import CheckResult, ranking
from geo.i18n import Lang
from geo.progress import changes_since, pace
from render.briefs.document import typeset
from render.briefs.fonts import cjk_font
from render.briefs.pages import Brief, city_section, town_section

__all__ = ["city_brief", "meeting_pack", "town_brief"]

Sources = Mapping[str, Mapping[str, str]]


def _brief(result: CheckResult, boundaries: Boundaries, sources: Sources, lang: Lang,
           since: dt.date | str | None, filter_lines: Sequence[str],
           generated: dt.date | None) -> Brief:
    font = cjk_font()
    return Brief(result=result, boundaries=boundaries, sources=sources, lang=lang,
                 family=font.family, pace=pace(result, "month"),
                 changes=None if since is None else changes_since(result, since),
                 generated=generated or dt.date.today(), filter_lines=tuple(filter_lines))


def _pdf(brief: Brief, title_code: str, **params: str) -> bytes:
    return typeset(brief.document(brief.t(title_code, **params)), brief.images, cjk_font())


def city_brief(result: CheckResult, boundaries: Boundaries, sources: Sources,
               lang: Lang = "zh", *, since: dt.date | str | None = None,
               filter_lines: Sequence[str] = (), generated: dt.date | None = None) -> bytes:
    """The city brief (one or two A4 pages) as PDF bytes.

    Parameters
    ----------
    result
        The check to report, plain or as of a date.
    boundaries
        The towns ``result`` was checked against (for the map and the names).
    sources
        Where the inputs came from (``Dataset.sources``); only file names are printed.
    lang
        ``"zh"`` or ``"en"``.
    since
        When given, what changed after this date up to the as-of date.
    filter_lines
        Sentences naming the narrowed filters, printed at the top of every page.
    generated
        The date printed as the date of the brief (default: today).

    Raises
    ------
    ConfigError
        When no CJK font is installed, or ``since`` cannot be used.
    """
    brief = _brief(result, boundaries, sources, lang, since, filter_lines, generated)
    city_section(brief)
    return _pdf(brief, "brief.title_city")


def town_brief(result: CheckResult, boundaries: Boundaries, town: str, sources: Sources,
               lang: Lang = "zh", *, since: dt.date | str | None = None,
               filter_lines: Sequence[str] = (), generated: dt.date | None = None) -> bytes:
    """One town's brief (one A4 page) as PDF bytes; ``town`` as the boundary file names it.

    The other parameters are those of :func:`city_brief`.

    Raises
    ------
    ConfigError
        When ``town`` is not a town of ``result``, no CJK font is installed,
        or ``since`` cannot be used.
    """
    brief = _brief(result, boundaries, sources, lang, since, filter_lines, generated)
    town_section(brief, town)
    return _pdf(brief, "brief.title_town", town=town)


def meeting_pack(result: CheckResult, boundaries: Boundaries, sources: Sources,
                 lang: Lang = "zh", *, since: dt.date | str | None = None,
                 filter_lines: Sequence[str] = (), generated: dt.date | None = None) -> bytes:
    """The city brief, then one page per town worst first (:func:`geo.check.ranking`).

    The parameters are those of :func:`city_brief`.

    Raises
    ------
    ConfigError
        When no CJK font is installed, or ``since`` cannot be used.
    """
    brief = _brief(result, boundaries, sources, lang, since, filter_lines, generated)
    city_section(brief)
    for town in ranking(result):
        town_section(brief, town)
    return _pdf(brief, "brief.pack_title")
