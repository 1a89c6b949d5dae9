"""汇报模式 Presentation mode: the city map and its towns, one by one, on a projector.

Opened by ``?present=1`` (bookmarkable with ``&town=…`` and ``&as_of=YYYY-MM-DD``)
or by the sidebar switch (:func:`switch`). ``app.py`` then draws no sidebar
and runs ``views/present.py`` in place of whichever page the address names,
so leaving the mode (:data:`PARAM` removed) shows that page again.

The step is the query parameter ``town`` (none: the city), so every step is
bookmarkable. The arrow keys, Escape and the large buttons all go through
:func:`step_target`, in :func:`geo.check.ranking` order (furthest behind
first). The keys come from a components-v2 module (``static/present-keys.js``)
that runs in the app's own document: it listens on the app's window and on
the map's frame, so no click is needed first, and sends the step as a
trigger value — a rerun, not a page reload. It also sends the window's size,
so the map fills the screen.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import streamlit as st

from dashboard.asof import link_as_of, remembered_as_of
from dashboard.data import secrets
from dashboard.markdown import plain
from dashboard.sidebar import Context, View, current, linked_language, write_language_link
from dashboard.widgets import carrier_map_frame, filter_banner, headline_figures
from geo import Dataset, format_area, format_progress, translate
from geo._errors import ConfigError
from geo.check import parse_date, ranking
from geo.filters import Filters, filtered_targets
from geo.i18n import Lang
from geo.progress import pace
from render.basemaps import basemap_offer
from render.pace import behind_sentence, pace_spec, town_status
from render.palette import BAND_COLOURS, BAND_TEXT_COLOURS, INK, MISSING_COLOUR
from render.tables import display_names, town_carriers

__all__ = ["PARAM", "Step", "mode_as_of", "requested", "session_language", "session_view",
           "show", "step_target", "switch"]

PARAM = "present"
"""The query parameter that opens the mode (``?present=1``)."""
Step = Literal["next", "previous", "city"]
_VIEW_KEY = "_present_view"
_KEYS = "present_keys"
_MAP = "present_map"
_DEFAULT_VIEWPORT = (1920, 1080)
_JS = (Path(__file__).resolve().parent.parent / "static" / "present-keys.js").read_text(
    encoding="utf-8")
_keys = st.components.v2.component("carrier_map.present_keys", js=_JS)

# Streamlit's chrome hidden, the page edge to edge, everything sized for the back of a room.
_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="collapsedControl"], footer, .st-key-present_keys { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.6rem 1.2rem 0 !important; max-width: none; }
[data-testid="stMain"] { overflow: hidden; }
.st-key-present_head h1 { font-size: clamp(1.8rem, 2.4vw, 2.8rem); padding: 0; line-height: 1.2; }
.st-key-present_head p { font-size: clamp(0.95rem, 1vw, 1.2rem); margin: 0; }
.st-key-present_nav button { min-height: 3.1rem; padding: 0 0.6rem; }
.st-key-present_nav button p { font-size: clamp(1.1rem, 1.3vw, 1.6rem); font-weight: 700;
  white-space: nowrap; }
.st-key-present_panel [data-testid="stHorizontalBlock"] { flex-direction: column; gap: 0.6rem; }
.st-key-present_panel [data-testid="stColumn"] { width: 100% !important; flex: 1 1 auto; }
.st-key-present_panel [data-testid="stMetricLabel"] p { font-size: clamp(1rem, 1.2vw, 1.45rem); }
.st-key-present_panel [data-testid="stMetricValue"] {
  font-size: min(3.6rem, 13cqi, 5.6vh); line-height: 1.15; }
.st-key-present_panel [data-testid="stMetricDelta"] { font-size: clamp(1rem, 1.2vw, 1.4rem); }
.st-key-present_panel [data-testid="stMarkdownContainer"] > p,
.st-key-present_panel li { font-size: clamp(1.05rem, 1.25vw, 1.5rem); }
.st-key-present_panel [data-testid="stMarkdownContainer"] p:last-child { margin-bottom: 0; }
.st-key-present_panel li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  list-style-position: inside; }
.st-key-present_panel [data-testid="stMetricValue"] p { font-size: inherit; }
.present-big { font-size: clamp(1.6rem, 2.1vw, 2.8rem); font-weight: 700; line-height: 1.2;
  word-break: keep-all; }
.present-band { display: inline-block; padding: 0.15em 0.6em; border-radius: 0.4em;
  font-size: clamp(1.3rem, 1.6vw, 2rem); font-weight: 700; border: 2px solid {ink}; }
.present-label { font-size: clamp(1rem, 1.15vw, 1.4rem); color: #455a64; }
.present-verdict { font-size: clamp(1.2rem, 1.45vw, 1.8rem); font-weight: 700; margin-left: 0.6em;
  word-break: keep-all;
  color: {ink}; }
</style>
"""


def requested() -> bool:
    """Whether the address asks for the presentation mode (``?present=1``)."""
    return st.query_params.get(PARAM) == "1"


def session_language() -> Lang:
    """The session's language (or the link's ``?lang=``), kept for the sidebar's radio.

    The radio is not drawn here: keeping its value under its key makes it
    survive a run that does not draw it.
    """
    lang = linked_language()
    write_language_link(lang)
    return lang


def switch(lang: Lang) -> None:
    """The sidebar switch that opens the mode with the choices of this session."""
    def start() -> None:
        st.session_state[_VIEW_KEY] = current().view
        st.query_params[PARAM] = "1"

    st.sidebar.toggle(translate("present.switch", lang), value=False, key="present_switch",
                      on_change=start, help=translate("present.switch_help", lang))


def session_view(lang: Lang) -> View:
    """What the session chose before it opened the mode; everything for a bookmark."""
    kept = st.session_state.get(_VIEW_KEY)
    if isinstance(kept, View):
        return replace(kept, lang=lang)
    return View(lang=lang, filters=Filters(), tiles=basemap_offer(secrets()).default)


@dataclass(frozen=True)
class ModeDate:
    """The date the mode's figures stand on, and a message when the address's could not be used."""

    date: dt.date
    problem: str | None


def mode_as_of(data: Dataset, filters: Filters, lang: Lang) -> ModeDate:
    """The check as of the address's ``as_of`` date, else the date the pages stand on.

    Without ``?as_of=`` the date is the one the Overview and Town pages use
    (:func:`dashboard.asof.remembered_as_of`: the session's choice, else today
    at most the period end), so the mode shows the pages' figures. A date that
    cannot be used gives that date and a message saying so.
    """
    fallback = remembered_as_of(filtered_targets(data.targets, filters).period_end)
    asked, bad = link_as_of(lang)
    if bad is not None:
        try:
            parse_date(bad)
        except ConfigError as error:
            message = translate("present.bad_as_of", lang, message=error.message(lang),
                                date=fallback.isoformat())
            return ModeDate(fallback, message)
    return ModeDate(asked or fallback, None)


def step_target(order: list[str], town: str | None, step: Step) -> str | None:
    """Where a step goes from ``town`` (``None``: the city) through ``order``.

    ``next`` from the city is the first town and from the last town the city;
    ``previous`` the reverse; ``city`` always the city.
    """
    if step == "city" or not order:
        return None
    stops: list[str | None] = [None, *order]
    here = stops.index(town) if town in order else 0
    return stops[(here + (1 if step == "next" else -1)) % len(stops)]


def _go(town: str | None) -> None:
    if town is None:
        st.query_params.pop("town", None)
    else:
        st.query_params["town"] = town


def _move(order: list[str], town: str | None, step: Step) -> None:
    _go(step_target(order, town, step))


def _exit() -> None:
    st.query_params.pop(PARAM, None)


def _shown_town(context: Context) -> str | None:
    """The town the address names (any spelling), or ``None`` for the city."""
    asked = st.query_params.get("town")
    town = context.data.boundaries.resolve(asked)
    if asked and town is None:
        st.warning(plain(translate("present.unknown_town", context.view.lang, town=asked)))
    return town


def _viewport(known: object) -> tuple[int, int]:
    if (isinstance(known, list | tuple) and len(known) == 2
            and all(isinstance(v, int | float) and v > 0 for v in known)):
        return int(known[0]), int(known[1])
    return _DEFAULT_VIEWPORT


def _header(context: Context, town: str | None, order: list[str],
            names: dict[str, str]) -> None:
    lang, result = context.view.lang, context.result
    head, nav = st.columns([5, 4], vertical_alignment="center", gap="medium")
    with head.container(key="present_head"):
        if town is None:
            st.title(translate("app.title", lang), anchor=False)
        else:
            st.title(plain(names[town]), anchor=False)
        parts = [translate("present.period", lang, start=result.period_start,
                           end=result.period_end)]
        if result.as_of is not None:
            parts.append(translate("asof.label", lang, date=result.as_of.date.isoformat()))
        if town is not None:
            parts.append(translate("present.step", lang, index=order.index(town) + 1,
                                   total=len(order)))
        if result.illustrative_count:
            parts.append(translate("present.illustrative", lang))
        if result.approximate_boundaries:
            parts.append(translate("present.approximate", lang))
        st.markdown(" · ".join(plain(p) for p in parts))
    with nav.container(key="present_nav"):
        back, city, forward, leave = st.columns([3, 2, 3, 3], gap="small")
        back.button(translate("present.previous", lang), key="present_previous",
                    on_click=_move, args=(order, town, "previous"), width="stretch")
        city.button(translate("present.city", lang), key="present_city", on_click=_go,
                    args=(None,), width="stretch", type="primary" if town is None else "secondary")
        forward.button(translate("present.next", lang), key="present_next", on_click=_move,
                       args=(order, town, "next"), width="stretch")
        leave.button(translate("present.exit", lang), key="present_exit", on_click=_exit,
                     width="stretch", help=translate("present.keys", lang))
    filter_banner(context)
    for message in result.as_of.messages(lang) if result.as_of is not None else ():
        st.caption(plain(message))


def _map(context: Context, town: str | None, height: int) -> None:
    # A new height is a new map: streamlit-folium resizes its frame but not Leaflet's box.
    carrier_map_frame(context, key=f"{_MAP}_{height}", height=height, focus=town,
                      presentation=True, returned_objects=())


def _city_panel(context: Context) -> None:
    lang = context.view.lang
    headline_figures(context.result, lang)
    progress = pace(context.result)
    names = display_names(context.data.boundaries.towns, lang)
    behind_pace = set(progress.behind)
    behind = [names[t] for t in ranking(context.result) if t in behind_pace]
    _big(translate("present.pace", lang))
    st.markdown(plain(behind_sentence(behind, progress.as_of.isoformat(), lang)))


def _verdict(band: str, verdict: str | None, lang: Lang, close_ratio: float) -> str:
    """The band in its colour, written out, and the verdict beside it."""
    fill = BAND_COLOURS.get(band, MISSING_COLOUR)
    ink = BAND_TEXT_COLOURS.get(band, INK)
    words = translate(f"band.{band}", lang, pct=round(close_ratio * 100))
    return (f'<div><span class="present-band" style="background:{fill};color:{ink}">'
            f'{html.escape(words)}</span><span class="present-verdict">'
            f'{html.escape(verdict or "")}</span></div>')


def _big(label: str, value: str | None = None) -> None:
    """A label, and a value in large type below it (both escaped)."""
    text = f'<div class="present-label">{html.escape(label)}</div>'
    if value is not None:
        text += f'<div class="present-big">{html.escape(value)}</div>'
    st.html(text)


def _town_panel(context: Context, town: str, height: int) -> None:
    lang, result = context.view.lang, context.result
    figures = result.towns.set_index("town").loc[town]
    shown = format_progress(figures, lang)
    verdict = None if figures["met"] else translate(  # met: the band says it
        "town.not_met", lang, shortfall=shown.shortfall)
    st.html(_verdict(str(figures["band"]), verdict, lang, result.close_ratio))
    _big(translate("present.progress", lang), translate(
        "town.progress", lang, area=shown.area, target=shown.target, pct=shown.pct))
    st.progress(min(1.0, float(figures["progress"])))
    # The chart needs about 300 px to be read; a small screen gets the verdict in words.
    _pace(context, town, min(360, int(height * 0.3)) if height >= 900 else None)
    _carriers(context, town, shown=5 if height >= 1000 else 4 if height >= 700 else 2)


def _pace(context: Context, town: str, height: int | None) -> None:
    """The town's pace: the chart when there is room for it (``height``), else in words."""
    lang = context.view.lang
    progress = pace(context.result)
    if height is not None:
        names = display_names(context.data.boundaries.towns, lang)
        st.vega_lite_chart(pace_spec(progress, names, lang, town=town), width="stretch",
                           height=height)
    else:
        _big(translate("present.pace", lang), town_status(progress, town, lang))
    row = progress.summary.set_index("town").loc[town]
    line = translate("present.pace_figures", lang, date=progress.as_of.isoformat(),
                     expected=format_area(row["expected_m2"], lang),
                     counted=format_area(row["counted_m2"], lang))
    if row["behind"]:
        line += " · " + translate("present.pace_gap", lang, gap=format_area(row["gap_m2"], lang))
    st.markdown(plain(line))


def _carriers(context: Context, town: str, shown: int) -> None:
    lang = context.view.lang
    carriers = town_carriers(context.result, town)
    counted = carriers[carriers["section"] == "counted"].sort_values(
        "floor_area_m2", ascending=False, kind="stable")
    _big(translate("present.carriers", lang, count=len(counted)))
    if counted.empty:
        st.markdown(translate("present.no_carriers", lang))
        return
    lines = [f"- {format_area(area, lang)} · {plain(str(name))} · "
             f"{translate(f'type.{kind}', lang)}"
             for name, kind, area in zip(counted["name"], counted["type"],
                                         counted["floor_area_m2"], strict=True)]
    if len(lines) > shown:
        more = len(lines) - shown + 1
        lines = [*lines[:shown - 1],
                 "- " + translate("present.carriers_more", lang, count=more)]
    st.markdown("\n".join(lines))


def show(context: Context) -> None:
    """The presentation page: the keys, the header with its buttons, the map and a panel."""
    lang = context.view.lang
    order = ranking(context.result)
    town = _shown_town(context)
    keys = _keys(key=_KEYS, data={"viewport": st.session_state.get(_KEYS, {}).get("viewport")},
                 on_step_change=lambda: None, on_viewport_change=lambda: None,
                 height=0)
    if keys.step in ("next", "previous", "city"):
        town = step_target(order, town, keys.step)
        _go(town)
    width, height = _viewport(keys.viewport)
    st.html(_CSS.replace("{ink}", INK))
    names = display_names(context.data.boundaries.towns, lang)
    _header(context, town, order, names)
    map_column, panel = st.columns([0.66, 0.34] if width >= 1200 else [0.6, 0.4],
                                   gap="medium")
    with map_column:
        _map(context, town, max(360, height - 125))
    with panel.container(key="present_panel"):
        if town is None:
            _city_panel(context)
        else:
            _town_panel(context, town, height)

