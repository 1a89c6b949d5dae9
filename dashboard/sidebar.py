"""The sidebar every page shares: language, filters, basemap and the data notes.

It is drawn once per run by ``app.py`` (before the page), so the choices
persist from page to page. ``app.py`` records the choices and the checked
data as a :class:`Context`, which the page reads with :func:`current`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import PurePath

import streamlit as st

from dashboard.data import filtered_check, illustrative_count, secrets
from dashboard.markdown import plain
from geo import CheckResult, Dataset, translate
from geo.filters import Filters, filtered_targets
from geo.i18n import LANGS, Lang
from geo.schema import CARRIER_TYPES, STATUSES
from render.basemaps import TileSource, basemap_offer

__all__ = ["Context", "View", "current", "language", "remember", "render_notes",
           "render_sidebar"]

_CONTEXT_KEY = "_context"
_LANG_NAMES = {"zh": "中文", "en": "English"}


@dataclass(frozen=True)
class View:
    """What this session has chosen to look at."""

    lang: Lang
    filters: Filters
    tiles: TileSource


LANG_PARAM = "lang"
"""``?lang=en`` opens the app in English: a link to share or bookmark."""


def linked_language() -> Lang:
    """The session's language, after the link's ``?lang=`` (which wins when it names one).

    Kept under the radio's key, so the radio shows it and pages that draw no
    sidebar (the presentation mode) use the same choice.
    """
    asked = st.query_params.get(LANG_PARAM)
    # Set only when it differs: a widget's state set on every run loses clicks.
    if asked in LANGS and st.session_state.get("lang") != asked:
        st.session_state["lang"] = asked
    elif st.session_state.get("lang") not in LANGS:
        st.session_state["lang"] = LANGS[0]
    return st.session_state["lang"]


def write_language_link(lang: Lang) -> None:
    """``?lang=`` only for a language other than Chinese (a plain link stays plain)."""
    if lang != LANGS[0]:
        if st.query_params.get(LANG_PARAM) != lang:
            st.query_params[LANG_PARAM] = lang
    elif LANG_PARAM in st.query_params:
        del st.query_params[LANG_PARAM]


def language() -> Lang:
    """The language radio (Chinese first); its label is bilingual on purpose.

    It starts on the link's ``?lang=`` and the link follows it (written before
    the next run, which would otherwise read the old link back).
    """
    linked_language()
    lang = st.sidebar.radio(
        "语言 / Language", LANGS, key="lang", horizontal=True,
        format_func=_LANG_NAMES.__getitem__,
        on_change=lambda: write_language_link(st.session_state["lang"]))
    write_language_link(lang)
    return lang


def _period(data: Dataset, lang: Lang) -> tuple[dt.date, dt.date]:
    start, end = data.targets.period_start, data.targets.period_end
    # Kept like the other filters, so a page that draws no sidebar (the presentation
    # mode) does not silently reset the period when the user comes back.
    chosen = _remembered(st.sidebar.date_input, "period", lang, (start, end),
                         label=translate("sidebar.period", lang),
                         min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
    if isinstance(chosen, tuple) and len(chosen) == 2:
        return chosen[0], chosen[1]
    st.sidebar.caption(translate("sidebar.period_incomplete", lang, start=start, end=end))
    return start, end


def _remembered(widget, name: str, lang: Lang, default, **options):
    """Draw ``widget`` so that switching language keeps what the user chose.

    Streamlit keeps a widget's value as its displayed text, so a widget whose
    labels change language would lose it. The choice is kept under ``name``
    in plain codes, and each language gets its own widget seeded from it.
    """
    key = f"{name}_{lang}"

    def keep() -> None:
        st.session_state[name] = st.session_state[key]

    st.session_state.setdefault(name, default)
    if key not in st.session_state:
        st.session_state[key] = st.session_state[name]
    return widget(key=key, on_change=keep, **options)


def _chosen(label: str, options: tuple[str, ...], prefix: str, name: str,
            lang: Lang) -> frozenset[str] | None:
    picked = _remembered(st.sidebar.multiselect, name, lang, list(options), label=label,
                         options=options, placeholder=translate("sidebar.choose", lang),
                         format_func=lambda v: translate(f"{prefix}.{v}", lang))
    if not picked:
        st.sidebar.warning(translate("sidebar.nothing_chosen", lang, what=label))
    return None if set(picked) == set(options) else frozenset(picked)


def render_sidebar(data: Dataset, lang: Lang) -> View:
    """Draw the filters and the basemap choice and return the choices."""
    st.sidebar.subheader(translate("sidebar.filters", lang))
    types = _chosen(translate("sidebar.types", lang), CARRIER_TYPES, "type", "types", lang)
    statuses = _chosen(translate("sidebar.statuses", lang), STATUSES, "status", "statuses",
                       lang)
    start, end = _period(data, lang)
    return View(lang=lang, tiles=_basemap(lang),
                filters=Filters(types=types, statuses=statuses, period_start=start,
                                period_end=end))


def _basemap(lang: Lang) -> TileSource:
    """The basemap choice: the configured intranet server first (the default), then the rest.

    A configured server that cannot be used is said here, with the setting
    and the fix; the other basemaps are offered all the same.
    """
    offer = basemap_offer(secrets())
    key = _remembered(st.sidebar.selectbox, "basemap", lang, offer.default.key,
                      label=translate("sidebar.basemap", lang), options=offer.keys,
                      placeholder=translate("sidebar.choose", lang),
                      format_func=lambda k: offer.source(k).title(lang))
    tiles = offer.source(key)
    if tiles.internet:
        st.sidebar.caption(translate("sidebar.basemap_online", lang))
    elif tiles.key == "intranet":
        st.sidebar.caption(translate("sidebar.basemap_intranet", lang))
    if offer.problem is not None:
        st.sidebar.warning(plain(translate("tiles.not_offered", lang,
                                           message=offer.problem.message(lang))))
    return tiles


def render_notes(data: Dataset, lang: Lang) -> None:
    """Say plainly when the register holds illustrative records or the lines are approximate."""
    count = illustrative_count(data)
    if count:
        st.sidebar.warning(translate("note.illustrative", lang, count=count))
    if data.boundaries.approximate:
        st.sidebar.warning(translate("note.approximate", lang))
    with st.sidebar.expander(translate("sidebar.data", lang)):
        for kind, source in data.sources.items():
            st.caption(plain(translate("sidebar.source", lang,
                                       kind=translate(f"source.{kind}", lang),
                                       path=_shown_source(source["path"], lang))))


def _shown_source(path: str, lang: Lang) -> str:
    """What a user needs of a source: the file's name, or "the database".

    Never a server path or a database URL: user, host and database name stay
    on the server.
    """
    if "://" in path or path.startswith(("sqlite:", "postgresql")):
        return translate("sidebar.database", lang)
    return PurePath(path).name


@dataclass(frozen=True)
class Context:
    """What a page needs: the session's choices, the dataset and its check.

    ``result`` is computed on first use (and cached per data, filters and
    date), so a page that shows the figures as of a date checks the data
    once, for that date, and never for the whole period as well.
    """

    view: View
    data: Dataset
    as_of: dt.date | None = None
    """The date the figures stand on; ``None`` for the whole period."""

    @functools.cached_property
    def result(self) -> CheckResult:
        """The check of the data for the session's filters, as of ``as_of``."""
        return filtered_check(self.data, self.view.filters, as_of=self.as_of)

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """The plan period the figures are for (the filters' or the targets'), without a check."""
        targets = filtered_targets(self.data.targets, self.view.filters)
        return targets.period_start, targets.period_end


def remember(context: Context) -> None:
    """Record this run's context for the page (called by ``app.py``)."""
    st.session_state[_CONTEXT_KEY] = context


def current() -> Context:
    """The context ``app.py`` recorded for this run."""
    return st.session_state[_CONTEXT_KEY]
