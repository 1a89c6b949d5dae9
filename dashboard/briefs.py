"""The PDF brief download buttons of the Overview and Town pages.

The PDF is made when the button is pressed (Streamlit runs the builder on its
own thread, without rerunning the page), never on every rerun: a meeting pack
takes seconds. What can be known to fail beforehand — no CJK font on the
server, a ``since`` date that cannot be used — is checked now and said in one
line in place of the buttons; an unexpected fault while making the file is
logged with its traceback for the operator.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

import streamlit as st

from dashboard.data import local_today
from dashboard.markdown import plain
from dashboard.sidebar import Context
from geo import CheckResult, translate
from geo._errors import ConfigError
from geo.progress import changes_since
from render.briefs import city_brief, meeting_pack, town_brief
from render.briefs.fonts import cjk_font

__all__ = ["brief_downloads", "brief_section"]

_log = logging.getLogger(__name__)
_PDF = "application/pdf"


def _logged(build: Callable[[], bytes], file_name: str) -> Callable[[], bytes]:
    """``build``, logging a failure with its traceback before Streamlit reports it."""
    def run() -> bytes:
        try:
            return build()
        except Exception:  # the operator's log gets the traceback; the page says it failed
            _log.exception("could not make the brief %s", file_name)
            raise
    return run


def brief_downloads(context: Context, town: str | None = None, *,
                    result: CheckResult | None = None, filter_lines: Sequence[str] = (),
                    since: dt.date | None = None, key: str = "brief") -> None:
    """Download buttons for the PDF briefs of the figures on the page.

    Parameters
    ----------
    context
        The page's context (language, dataset, check).
    town
        ``None`` on the Overview: the city brief and the meeting pack (city,
        then every town, worst first). A town (as the boundaries name it) on
        the Town page: that town's one page.
    result
        The check the page shows (e.g. as of a chosen date); default
        ``context.result``.
    filter_lines
        Sentences naming the filters narrower than "everything"; printed on
        every page of the PDF.
    since
        Also say what changed after this date.
    key
        Prefix of the buttons' widget keys.
    """
    lang = context.view.lang
    result = context.result if result is None else result
    boundaries, sources = context.data.boundaries, context.data.sources
    try:
        cjk_font()
        if since is not None:
            changes_since(result, since)
    except ConfigError as error:
        st.warning(plain(error.message(lang)), icon=":material/picture_as_pdf:")
        return
    as_of = (result.as_of.date if result.as_of is not None else result.period_end).isoformat()
    options = {"since": since, "filter_lines": tuple(filter_lines), "generated": local_today()}

    def button(where, label: str, name: str, build: Callable[[], bytes], suffix: str) -> None:
        file_name = f"{name}-{as_of}.pdf"
        where.download_button(label, _logged(build, file_name), file_name=file_name, mime=_PDF,
                              key=f"{key}_{suffix}", on_click="ignore",
                              icon=":material/picture_as_pdf:")

    if town is not None:
        button(st, translate("brief.download_town", lang),
               translate("brief.file_town", lang, town=town),
               lambda: town_brief(result, boundaries, town, sources, lang, **options), "town")
        return
    city_column, pack_column = st.columns(2)
    button(city_column, translate("brief.download", lang), translate("brief.file_city", lang),
           lambda: city_brief(result, boundaries, sources, lang, **options),
           "city")
    button(pack_column, translate("brief.download_pack", lang),
           translate("brief.file_pack", lang),
           lambda: meeting_pack(result, boundaries, sources, lang, **options), "pack")


def brief_section(context: Context, town: str | None = None, *,
                  filter_lines: Sequence[str] = (), key: str = "brief") -> None:
    """The briefs of the page's figures: an optional "since the last report" date, then the buttons.

    ``context.result`` is the check the page shows (as of its date). The
    since-date may lie between the period start and that date; empty means
    no "what changed" section.
    """
    lang, result = context.view.lang, context.result
    latest = result.as_of.date if result.as_of is not None else result.period_end
    since_column, buttons_column = st.columns([1, 2], vertical_alignment="bottom")
    since = since_column.date_input(
        translate("brief.since_label", lang), value=None, key=f"{key}_since",
        min_value=result.period_start, max_value=latest, help=translate("brief.since_help", lang))
    with buttons_column:
        brief_downloads(context, town, result=result, filter_lines=filter_lines, since=since,
                        key=key)
