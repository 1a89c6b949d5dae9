"""Widgets the pages share: the filter banner, headline figures, the map frame, downloads."""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable, Sequence

import folium
import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

from dashboard.data import deployment_zone, result_identity
from dashboard.markdown import plain
from dashboard.sidebar import Context, current
from geo import CheckResult, format_area, towns_of_points, translate
from geo.check import goal_met
from geo.cover import Cover
from geo.filters import narrowed
from geo.i18n import Lang
from render.export import to_csv_bytes, to_xlsx_bytes
from render.mapview import MapAssets, carrier_map, clicked_point
from render.tables import band_cell_styles, number_formats

__all__ = ["assets", "carrier_map_frame", "download_buttons", "file_download", "filter_banner",
           "filter_lines", "headline_figures", "map_frame", "table"]

# The headline figures shrink with their card (a container query), so "27.32 万平方米"
# is never cut at 1366 px; at 1920 px they keep Streamlit's size.
_METRIC_STYLE = """<style>
[data-testid="stMetric"] {container-type: inline-size;}
[data-testid="stMetricValue"] {font-size: min(2.25rem, 12cqi);}
[data-testid="stMetricValue"] > div {overflow: visible;}
</style>"""


def filter_lines(context: Context) -> list[str]:
    """The session's filters narrower than everything, in words (none: the official figures)."""
    return narrowed(context.view.filters, context.data.targets, context.view.lang)


def filter_banner(context: Context, applies: bool = True) -> None:
    """Say above the figures that they are filtered, naming each narrowed filter.

    Nothing is shown when every type, every status and the plan period are
    chosen, so an unmarked screen always shows the official figures. A page
    whose content the filters do not change (``applies=False``: the register
    on the Data page) says that instead, quietly.
    """
    lines = filter_lines(context)
    if not lines:
        return
    lang = context.view.lang
    if not applies:
        st.caption(plain(translate("filters.not_applied", lang)))
        return
    st.warning("  \n".join([f"**{plain(translate('filters.banner', lang))}**",
                            *(plain(line) for line in lines)]),
               icon=":material/filter_alt:")

_log = logging.getLogger(__name__)


def headline_figures(result: CheckResult, lang: Lang) -> None:
    """The four figures a leader looks for first, as large cards."""
    city = result.city

    def progress(count: int, goal: int) -> str:
        return (translate("kpi.reached", lang) if goal_met(count, goal)
                else translate("kpi.to_go", lang, count=goal - count))

    st.html(_METRIC_STYLE)
    area, towns, carriers, institutes = st.columns(4)
    area.metric(translate("kpi.new_area", lang), format_area(city.new_area_m2, lang),
                border=True)
    towns.metric(translate("kpi.towns_met", lang),
                 translate("kpi.of", lang, value=city.towns_met, total=city.towns_total),
                 border=True)
    carriers.metric(translate("kpi.new_carriers", lang, goal=city.new_carriers_goal),
                    translate("kpi.count", lang, count=city.new_carriers),
                    delta=progress(city.new_carriers, city.new_carriers_goal),
                    delta_color="off", delta_arrow="off", border=True)
    institutes.metric(translate("kpi.institutes", lang, goal=city.research_institutes_goal),
                      translate("kpi.count", lang, count=city.research_institutes),
                      delta=progress(city.research_institutes,
                                     city.research_institutes_goal),
                      delta_color="off", delta_arrow="off", border=True)


def assets() -> MapAssets:
    """Static files are served under the app's base path (``server.baseUrlPath``)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return MapAssets(base_url=f"/{base}/app/static" if base else "/app/static")


@st.cache_resource(show_spinner=False, max_entries=32)
def _built_map(key: tuple, _build: Callable[[], folium.Map]) -> folium.Map:
    return _build()


def carrier_map_frame(context: Context, *, key: str, height: int, focus: str | None = None,
                      presentation: bool = False,
                      returned_objects: Sequence[str] = ("last_clicked",)) -> dict | None:
    """Show the carrier map of ``context``; return what streamlit-folium reports.

    The map is built once per data, filters, date, language, basemap, focus
    and mode, and shared by every session: a rerun that does not change the
    map (a table sort, a download, the pace chart's frequency) builds
    nothing, and renders the same text again, so Streamlit sends the
    browser a reference to what it already has rather than the map.
    """
    view, result = context.view, context.result
    identity = (result_identity(context.data, view.filters, result), view.lang, view.tiles,
                focus, presentation, assets())
    built = _built_map(identity, lambda: carrier_map(
        result, context.data.boundaries.towns, view.lang, tiles=view.tiles, focus=focus,
        assets=assets(), presentation=presentation))
    # streamlit-folium renders a map in place and a second render of one object differs
    # from the first; a copy (a few milliseconds: the data are shared strings) renders
    # exactly as the first did, in any session.
    return st_folium(copy.deepcopy(built), key=key, height=height, use_container_width=True,
                     returned_objects=list(returned_objects))


def map_frame(context: Context, key: str, height: int, focus: str | None = None) -> str | None:
    """Draw the map; return the town the user clicked (after undoing any basemap shift)."""
    view = context.view
    state = carrier_map_frame(context, key=key, height=height, focus=focus)
    click = (state or {}).get("last_clicked")
    if not click:
        return None
    lon, lat = clicked_point(click["lng"], click["lat"], view.tiles.system)
    towns = context.data.boundaries.towns
    index = towns_of_points(np.array([lon]), np.array([lat]), towns)[0]
    if index < 0:
        st.info(translate("map.outside", view.lang))
        return None
    return str(towns["name"].iloc[index])


def download_buttons(frame: pd.DataFrame, stem: str, lang: Lang, key: str,
                     cover: Cover | None = None) -> None:
    """CSV and Excel downloads of ``frame``, side by side.

    The CSV is the plain table (UTF-8 with BOM, opens in Excel). The Excel
    file has ``cover``'s lines above the table, stamped with the moment the
    user asks for it in the deployment's time zone, with the session's
    filters when they are narrower than everything (:func:`filter_lines`),
    and number formats. Each file is made when its button is pressed, not on
    every rerun; pressing it does not rerun the page (``on_click="ignore"``, as
    the briefs): a rerun could replace the button while its file was being
    made, and the button then stayed disabled (seen in the gap page's
    browser test).
    """
    zone = deployment_zone()  # a wrong setting: the Data page says so; files still carry a time
    formats = number_formats(frame.columns, lang)
    filtered = cover.filtered(filter_lines(current())) if cover is not None else None

    def workbook() -> bytes:
        stamped = filtered.at(dt.datetime.now(zone)) if filtered is not None else None
        return to_xlsx_bytes(frame, stem, cover=stamped, formats=formats)

    csv_column, xlsx_column = st.columns(2)
    csv_column.download_button(translate("download.csv", lang), lambda: to_csv_bytes(frame),
                               file_name=f"{stem}.csv", mime="text/csv", key=f"{key}_csv",
                               on_click="ignore", icon=":material/download:")
    xlsx_column.download_button(
        translate("download.xlsx", lang), workbook, file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", icon=":material/download:")


def file_download(where: DeltaGenerator, label: str, build: Callable[[], bytes], *,
                  file_name: str, mime: str, key: str, lang: Lang) -> None:
    """A download button for the file ``build`` makes now, or a short error in its place.

    Whatever goes wrong while making the file (a value the format refuses, a
    library's bug) is logged with its traceback for the operator and said in
    one line where the button would be; the rest of the page still renders.
    Any exception is caught, on purpose and only here: a download is never
    worth the page (or the history below it).
    """
    try:
        data = build()
    except Exception:
        _log.exception("could not make the download %s", file_name)
        where.error(plain(translate("download.failed", lang, file=file_name)),
                    icon=":material/error:")
        return
    where.download_button(label, data, file_name=file_name, mime=mime, key=key,
                          on_click="ignore", icon=":material/download:")


def table(frame: pd.DataFrame, progress_column: str | None = None, *,
          band_column: str | None = None, bands: Sequence[str] | None = None) -> None:
    """A sortable table: numbers with thousands separators, progress as a bar.

    With ``band_column`` and ``bands`` (each row's band code, e.g.
    :func:`render.tables.town_bands`), that column's cells take the band's
    colour from the palette, so a town's band reads at a glance.
    """
    config: dict[str, object] = {
        column: st.column_config.NumberColumn(format="localized")
        for column in frame.columns if pd.api.types.is_float_dtype(frame[column])}
    if progress_column:
        config[progress_column] = st.column_config.ProgressColumn(
            format="%.0f%%", min_value=0, max_value=100)
    shown: pd.DataFrame | Styler = frame
    if band_column is not None and bands is not None:
        styles = band_cell_styles(bands)
        shown = frame.style.apply(lambda _: styles, subset=[band_column])
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
