"""The "as of" date and the pace charts, shared by the Overview and Town pages.

The date is one choice for the session: drawn on both pages, kept when the
user moves between them, and bookmarkable as ``?as_of=YYYY-MM-DD`` (written
only when it differs from the default: today, but no later than the period
end). The figures on a page then come from the check as of that date
(:func:`as_of_context`), so the headline, the map and the tables agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard.data import local_today, result_identity
from dashboard.markdown import plain
from dashboard.sidebar import LANG_PARAM, Context
from geo import format_area, translate
from geo._errors import ConfigError
from geo.check import parse_date
from geo.i18n import Lang
from geo.progress import CITY_MEASURES, FREQUENCIES, Frequency, Pace, pace
from render.pace import city_measure_spec, first_choice, pace_spec, town_choices, town_status

__all__ = ["AS_OF_PARAM", "as_of_choice", "as_of_context", "as_of_notes", "default_as_of",
           "kept_params", "link_as_of", "pace_frequency", "pace_section", "remembered_as_of",
           "town_pace"]

AS_OF_PARAM = "as_of"
"""The query parameter (``?as_of=2019-06-30``); the presentation mode reads it too."""
_CHOSEN = "_as_of"          # the session's choice, kept across pages (not a widget key)
_WIDGET = "as_of_input"
_FREQUENCY = "_pace_frequency"
_TOWN = "pace_town"
_TOWN_LABELS = "_pace_town_labels"  # what the chooser's labels were made for
_EARLIEST, _LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
T = TypeVar("T")


def default_as_of(period_end: dt.date, today: dt.date | None = None) -> dt.date:
    """Today, or the period end when the period is over."""
    return min(today or local_today(), period_end)


def remembered_as_of(period_end: dt.date) -> dt.date:
    """The date the pages stand on when no date input is drawn (the presentation mode).

    The session's choice on the Overview or Town page, else the default, so
    switching to the presentation mode never changes the figures.
    """
    return st.session_state.get(_CHOSEN) or default_as_of(period_end)


def link_as_of(lang: Lang) -> tuple[dt.date | None, str | None]:
    """The date the link asks for, and a warning when it cannot be used.

    ``(None, None)`` without ``?as_of=``; ``(None, message)`` for a value
    that is not a date (the caller falls back to the default).
    """
    value = st.query_params.get(AS_OF_PARAM)
    if not value:
        return None, None
    try:
        return parse_date(value), None
    except ConfigError:
        return None, value


def as_of_choice(context: Context, lang: Lang) -> dt.date:
    """Draw the "as of" date input and return the date chosen.

    The link's ``?as_of=`` wins over the session's earlier choice; a bad one
    is named in a warning and the default is used. The link is kept in step:
    the parameter is written when the date differs from the default and
    removed when it does not.
    """
    default = default_as_of(context.period[1])
    asked, bad = link_as_of(lang)
    if bad is not None:
        st.warning(plain(translate("asof.bad_link", lang, value=bad[:40],
                                   date=default.isoformat())), icon=":material/warning:")
        st.session_state[_CHOSEN] = default
    elif asked is not None:
        st.session_state[_CHOSEN] = asked
    chosen = st.session_state.get(_CHOSEN, default)
    if st.session_state.get(_WIDGET) != chosen:  # set only when it differs: setting a
        st.session_state[_WIDGET] = chosen        # widget's state on every run loses clicks

    def keep() -> None:  # before the next run reads the link, so the link must follow
        picked = st.session_state[_WIDGET]
        st.session_state[_CHOSEN] = picked if isinstance(picked, dt.date) else default
        _write_link(st.session_state[_CHOSEN], default)

    picked = st.date_input(translate("asof.input", lang), key=_WIDGET, on_change=keep,
                           min_value=min(_EARLIEST, chosen), max_value=max(_LATEST, chosen),
                           format="YYYY-MM-DD", help=translate("asof.input_help", lang))
    date = picked if isinstance(picked, dt.date) else default
    _write_link(date, default)
    return date


def _write_link(date: dt.date, default: dt.date) -> None:
    """``?as_of=`` only when the date is not the default (so a plain link stays plain)."""
    if date != default:
        if st.query_params.get(AS_OF_PARAM) != date.isoformat():
            st.query_params[AS_OF_PARAM] = date.isoformat()
    elif AS_OF_PARAM in st.query_params:
        del st.query_params[AS_OF_PARAM]


def kept_params() -> dict[str, str]:
    """The link's ``as_of`` and ``lang`` to carry along when switching to another page or town.

    Passing them with ``st.switch_page(..., query_params=...)`` puts the whole
    link in one history entry; written afterwards, they would add a second one
    and the browser's Back button would land on the half-made link.
    """
    return {name: st.query_params[name] for name in (AS_OF_PARAM, LANG_PARAM)
            if st.query_params.get(name)}


def as_of_context(context: Context, date: dt.date) -> Context:
    """``context`` with the figures as of ``date`` (checked on first use, cached)."""
    return dataclasses.replace(context, as_of=date)


def as_of_notes(context: Context, lang: Lang) -> None:
    """What the reader must know about the date (year/month-only openings, pending ones)."""
    if context.result.as_of is None:
        return
    for message in context.result.as_of.messages(lang):
        st.caption(plain(message))


def pace_frequency(context: Context, lang: Lang) -> Frequency:
    """Draw the month/quarter choice (quarters by default for a period over 18 months)."""
    start, end = context.period
    months = (end.year - start.year) * 12 + (end.month - start.month)
    default: Frequency = "quarter" if months > 18 else "month"
    st.session_state.setdefault(_FREQUENCY, default)

    def keep() -> None:
        st.session_state[_FREQUENCY] = st.session_state["pace_frequency"] or default

    if st.session_state.get("pace_frequency") != st.session_state[_FREQUENCY]:
        st.session_state["pace_frequency"] = st.session_state[_FREQUENCY]
    chosen = st.segmented_control(
        translate("pace.frequency", lang), FREQUENCIES, key="pace_frequency", on_change=keep,
        format_func=lambda f: translate(f"pace.frequency.{f}", lang))
    return chosen or default


def _pace(context: Context, frequency: Frequency) -> Pace:
    return pace(context.result, frequency)


def pace_section(context: Context, names: dict[str, str], lang: Lang,
                 frequency: Frequency) -> None:
    """The Overview's pace: one town at a time (chosen above the chart), then the city's counts.

    The chooser lists every town with its verdict and starts on the first
    town behind pace; it searches as one types, which a province's 1,250
    towns need, and only the chosen town's line is sent. The town chart takes
    the page's width and the two city charts share a row below it: side by
    side with the map's row they were cut at 1366 px.
    """
    key = (result_identity(context.data, context.view.filters, context.result), frequency,
           lang)
    figures = functools.cache(lambda: _pace(context, frequency))  # only if a chart is new
    choices = _chart_spec((*key, "choices"), lambda: town_choices(figures(), names, lang))
    if st.session_state.get(_TOWN) not in choices:
        st.session_state[_TOWN] = _chart_spec((*key, "first"),
                                              lambda: first_choice(figures()))
    elif st.session_state.get(_TOWN_LABELS) != key:
        # The labels changed (language, date, interval, filters): hand the choice to the
        # widget again, or the browser keeps showing the old label of the same town.
        st.session_state[_TOWN] = st.session_state[_TOWN]
    st.session_state[_TOWN_LABELS] = key
    with st.columns([2, 3])[0]:
        town = st.selectbox(translate("pace.choose_town", lang), list(choices), key=_TOWN,
                            format_func=choices.get)
    if town is None:
        return
    st.vega_lite_chart(_chart_spec((*key, "towns", town), lambda: pace_spec(
        figures(), names, lang, town=town, overview=True)), width="stretch")
    city_columns = st.columns(len(CITY_MEASURES), gap="large")
    for column, measure in zip(city_columns, CITY_MEASURES, strict=True):
        with column:
            st.vega_lite_chart(_chart_spec((*key, measure), lambda m=measure: city_measure_spec(
                figures(), m, lang)), width="stretch")


@st.cache_data(show_spinner=False, max_entries=128)
def _chart_spec(key: tuple, _build: Callable[[], T]) -> T:
    """A pace chart's specification (or the town choices), once per result, interval and language.

    ``key`` names what the chart shows (the result's identity, the interval,
    the language and the chart), so a rerun that changes none of them reuses
    the spec instead of computing the pace and drawing the chart again.
    """
    return _build()


def town_pace(context: Context, town: str, names: dict[str, str], lang: Lang,
              frequency: Frequency) -> None:
    """The Town page's pace: the verdict in words with the domain's figures, and its line."""
    figures = _pace(context, frequency)
    row = figures.summary.set_index("town").loc[town]
    text = translate("pace.town_status", lang, date=figures.as_of.isoformat(),
                     counted=format_area(row["counted_m2"], lang),
                     expected=format_area(row["expected_m2"], lang))
    status = town_status(figures, town, lang)
    if bool(row["behind"]):
        st.warning(f"**{status}** · {text}", icon=":material/schedule:")
    else:
        st.info(f"**{status}** · {text}", icon=":material/trending_up:")
    st.vega_lite_chart(pace_spec(figures, names, lang, town=town), width="stretch")
