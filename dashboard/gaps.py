"""Streamlit glue of the coverage-gap page: cached analysis, widgets, the what-if scenario.

The figures come from :mod:`geo.coverage` (the same functions as
``python -m geo gaps``), the map from :mod:`render.gapmap`, the tables from
:mod:`render.gaptables`. The grid is cached per boundaries and resolution, the
distance surface per data, filters, status choice and resolution. The
scenario lives in this session's state only; it reaches the register only
when an editor saves one of its carriers through :meth:`geo.store.Store.add_carrier`
(the store checks the rights and writes the history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard.auth import current_actor
from dashboard.data import open_configured_store
from dashboard.markdown import plain
from dashboard.sidebar import Context
from dashboard.widgets import assets, download_buttons, file_download
from geo import translate
from geo._errors import LocalisedError
from geo.coverage import (
    ALL_TYPES,
    DEFAULT_RADIUS_KM,
    MAX_K,
    CoverageError,
    CoverageTable,
    DistanceSurface,
    Grid,
    PopulationTable,
    ScenarioResult,
    SiteSuggestions,
    check_radius_km,
    distance_surface,
    gap_polygons,
    hypothetical_rows,
    make_grid,
    read_population,
    run_scenario,
    site_points,
    suggest_sites,
    town_at,
    town_coverage,
    validate_hypothetical,
)
from geo.coverage.grid import DEFAULT_RESOLUTION_M
from geo.coverage.scenario import HYPOTHETICAL_PREFIX
from geo.filters import apply_filters
from geo.i18n import Lang
from geo.readers import read_table
from geo.register import Register, canonical_text
from geo.schema import CARRIER_TYPES, COLUMNS, STATUSES
from geo.store import StoreError, ValidationFailed
from render.export import register_export, to_csv_bytes
from render.gapmap import gap_map
from render.gaptables import (
    coverage_table,
    scenario_city_table,
    scenario_coverage_table,
    scenario_rows_table,
    scenario_town_table,
    share_header,
    site_table,
)
from render.mapview import clicked_point
from render.tables import display_names, problem_table

__all__ = ["Analysis", "Choices", "analyse", "choices", "city_summary", "map_section",
           "scenario_rows", "scenario_section", "sites_section", "suggestions", "surface_for",
           "town_section"]

SCENARIO_KEY = "gaps_scenario"
"""Session state: the scenario's carriers, a list of register rows as text (codes, WGS84)."""
_CLICK_KEY = "gaps_click_seen"
_MESSAGE_KEY = "gaps_message"
_MAP_KEY = "gaps_map"
_SITES_KEY = "gaps_sites_asked"
_UPLOAD_SEEN_KEY = "gaps_upload_seen"
RESOLUTIONS = ("auto", "100", "250", "500", "1000")
"""Grid resolutions offered (metres); ``auto`` is the default, coarser for large areas."""
_ANYWHERE = "*"
"""The town choice "anywhere" (a code, not ``None``: widget values must be plain)."""


@dataclass(frozen=True)
class Choices:
    """What the planner chose at the top of the page."""

    carrier_type: str
    radius_km: float
    include_pipeline: bool
    resolution_m: float | None
    bands: bool
    population: PopulationTable | None
    population_name: str | None


@dataclass(frozen=True)
class Analysis:
    """The page's figures: the surface (with the scenario), coverage, scenario, sites."""

    register: Register
    surface: DistanceSurface
    coverage: CoverageTable
    scenario: ScenarioResult | None
    names: dict[str, str]


# --- cached computation ---------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=8)
def _grid(boundaries_key: str, resolution_m: float, _boundaries) -> Grid:
    return make_grid(_boundaries, resolution_m)


@st.cache_resource(show_spinner=False, max_entries=16)
def _surface(key: tuple, _grid: Grid, _carriers: pd.DataFrame,
             include_pipeline: bool) -> DistanceSurface:
    return distance_surface(_grid, _carriers, include_pipeline=include_pipeline)


def _data_key(context: Context) -> tuple:
    data = context.data
    return (tuple((kind, source["sha256"]) for kind, source in sorted(data.sources.items())),
            repr(data.targets), context.view.filters)


def surface_for(context: Context, include_pipeline: bool,
                resolution_m: float | None) -> DistanceSurface:
    """The distance surface of the filtered carriers (cached per data and choices)."""
    resolution = float(resolution_m or DEFAULT_RESOLUTION_M)
    boundaries = context.data.boundaries
    grid = _grid(context.data.sources["boundaries"]["sha256"], resolution, boundaries)
    return _surface((_data_key(context), include_pipeline, resolution), grid,
                    context.result.carriers, include_pipeline)


# --- controls -------------------------------------------------------------------------------
def _say(kind: str, text: str) -> None:
    st.session_state[_MESSAGE_KEY] = (kind, text)


def _show_message() -> None:
    said = st.session_state.pop(_MESSAGE_KEY, None)
    if said:
        getattr(st, said[0])(said[1])


def _population(context: Context, lang: Lang) -> tuple[PopulationTable | None, str | None]:
    with st.expander(translate("gapspage.population", lang)):
        upload = st.file_uploader(translate("gapspage.population_upload", lang),
                                  type=["csv", "xlsx", "xls"], key="gaps_population")
        if upload is None:
            st.caption(translate("gapspage.no_population", lang))
            return None, None
        try:
            table = read_population(upload.getvalue(), context.data.boundaries, name=upload.name)
        except LocalisedError as error:
            st.error(plain(error.message(lang)))
            return None, None
        known = int(table.population.notna().sum())
        st.caption(plain(translate("gapspage.population_used", lang, name=upload.name,
                                   count=known)))
        if table.problems:
            st.warning(translate("gapspage.population_problems", lang,
                                 count=len(table.problems)))
            st.dataframe(problem_table(table.problems, lang), hide_index=True, width="stretch")
        return (table if known else None), upload.name


def choices(context: Context) -> Choices | None:
    """Draw the controls; ``None`` (with the message shown) when a value cannot be used."""
    lang = context.view.lang
    kind, radius, pipeline, display = st.columns([1.0, 0.8, 1.4, 1.6], vertical_alignment="bottom")
    carrier_type = kind.selectbox(
        translate("gapspage.type", lang), (*CARRIER_TYPES, ALL_TYPES), key="gaps_type",
        format_func=lambda t: translate(f"type.{t}", lang))
    radius_km = radius.number_input(
        translate("gapspage.radius", lang), min_value=0.0, value=DEFAULT_RADIUS_KM, step=0.5,
        key="gaps_radius", help=translate("gapspage.radius_help", lang))
    include_pipeline = pipeline.toggle(translate("gapspage.pipeline", lang), value=False,
                                       key="gaps_pipeline",
                                       help=translate("gapspage.pipeline_help", lang))
    display_mode = display.radio(translate("gapspage.display", lang), ("gap", "bands"),
                                 key="gaps_display", horizontal=True,
                                 format_func=lambda b: translate(f"gapspage.display_{b}", lang))
    with st.expander(translate("gapspage.advanced", lang)):
        resolution = st.selectbox(
            translate("gapspage.resolution", lang), RESOLUTIONS, key="gaps_resolution",
            format_func=lambda r: translate("gapspage.resolution_auto", lang) if r == "auto"
            else translate("gapspage.resolution_m", lang, value=r))
    population, population_name = _population(context, lang)
    try:
        check_radius_km(radius_km)
    except CoverageError as error:
        st.error(error.message(lang))
        return None
    return Choices(carrier_type=carrier_type, radius_km=float(radius_km),
                   include_pipeline=include_pipeline,
                   resolution_m=None if resolution == "auto" else float(resolution),
                   bands=display_mode == "bands",
                   population=population, population_name=population_name)


# --- the scenario in session state ---------------------------------------------------------
def scenario_rows() -> pd.DataFrame:
    """The scenario's carriers (register columns as text), possibly none."""
    return pd.DataFrame(st.session_state.get(SCENARIO_KEY, []), columns=list(COLUMNS),
                        dtype=object)


def _filtered_register(context: Context) -> tuple[Register, object]:
    return apply_filters(context.data.register, context.data.targets, context.view.filters)


def _free_id(register: Register, taken: set[str]) -> str:
    used = set(register.carriers["id"].astype(str)) | taken
    n = 1
    while f"{HYPOTHETICAL_PREFIX}{n}" in used:
        n += 1
    return f"{HYPOTHETICAL_PREFIX}{n}"


def _as_rows(validated: Register) -> list[dict]:
    """Validated rows in the scenario's plain form: codes, WGS84, text."""
    carriers = validated.carriers
    return [{
        "id": str(row["id"]), "name": row["name"], "type": row["type"], "town": None,
        "lon": f"{row['lon']:.6f}", "lat": f"{row['lat']:.6f}", "crs": "WGS84",
        "floor_area_m2": "" if pd.isna(row["floor_area_m2"]) else f"{row['floor_area_m2']:g}",
        "opened": row["opened_text"] if isinstance(row["opened_text"], str) else "",
        "status": row["status"], "level": None, "operator": None, "industry": None,
        "source": "scenario"} for row in carriers.to_dict("records")]


def _add(context: Context, new: pd.DataFrame) -> str | None:
    """Validate ``new`` rows with the scenario so far and keep them; the error if any."""
    lang = context.view.lang
    register, _ = _filtered_register(context)
    current = scenario_rows()
    taken = set(current["id"].dropna().astype(str))
    new = new.copy()
    if "id" not in new or new["id"].isna().any():
        ids = []
        for existing in new.get("id", pd.Series([None] * len(new))).tolist():
            if existing is None or pd.isna(existing) or not str(existing).strip():
                existing = _free_id(register, taken)
            ids.append(str(existing))
            taken.add(str(existing))
        new["id"] = ids
    combined = pd.concat([current, new.reindex(columns=list(COLUMNS))], ignore_index=True)
    try:
        validated = validate_hypothetical(combined, register, context.data.boundaries)
    except CoverageError as error:
        return error.message(lang)
    if validated.carriers["id"].duplicated().any():
        duplicate = validated.carriers["id"][validated.carriers["id"].duplicated()].iloc[0]
        return translate("scenario.id_taken", lang, value=duplicate)
    st.session_state[SCENARIO_KEY] = _as_rows(validated)
    return None


def _add_typed(context: Context) -> None:
    lang = context.view.lang
    state = st.session_state
    kind = state["gaps_new_type"]
    opened = state.get("gaps_new_opened")
    name = (state.get("gaps_new_name") or "").strip() or translate(
        "gapspage.new_name_default", lang, type=translate(f"type.{kind}", lang))
    lon, lat = state.get("gaps_lon"), state.get("gaps_lat")
    if lon is None or lat is None:
        _say("error", translate("scenario.no_point", lang, row=1))
        return
    rows = hypothetical_rows([float(lon)], [float(lat)], [kind],
                             [float(state.get("gaps_new_area") or 0)],
                             status=state["gaps_new_status"],
                             opened=opened.isoformat() if opened else "", name=[name])
    error = _add(context, rows)
    if error:
        _say("error", plain(error))
    else:
        town = town_at(float(lon), float(lat), context.data.boundaries)
        names = display_names(context.data.boundaries.towns, lang)
        _say("success", plain(translate("gapspage.added", lang, name=name,
                                        town=names.get(town, town))))


def _take_site(context: Context, lon: float, lat: float, carrier_type: str) -> None:
    lang = context.view.lang
    name = translate("gapspage.new_name_default", lang,
                     type=translate(f"type.{carrier_type}", lang))
    state = st.session_state
    rows = hypothetical_rows([lon], [lat], [carrier_type],
                             [float(state.get("gaps_new_area") or 10000)],
                             status=state.get("gaps_new_status", "in_use"),
                             opened=_default_opened(context).isoformat(), name=[name])
    error = _add(context, rows)
    if error:
        _say("error", plain(error))
        return
    town = town_at(lon, lat, context.data.boundaries)
    names = display_names(context.data.boundaries.towns, lang)
    _say("success", plain(translate("gapspage.added", lang, name=name,
                                    town=names.get(town, town))))


def _remove(carrier_id: str) -> None:
    st.session_state[SCENARIO_KEY] = [row for row in st.session_state.get(SCENARIO_KEY, [])
                                      if row["id"] != carrier_id]


def _clear() -> None:
    st.session_state[SCENARIO_KEY] = []


def _default_opened(context: Context) -> dt.date:
    """Today, kept inside the plan period (a new carrier counts only when it opens in it)."""
    filters = context.view.filters
    start = filters.period_start or context.data.targets.period_start
    end = filters.period_end or context.data.targets.period_end
    return min(max(dt.date.today(), start), end)


def _take_click(context: Context, state: dict | None) -> None:
    """A new click on the map fills the coordinates (converted back to WGS84).

    Called right after the map is drawn and before the coordinate inputs are,
    so they can still be set in this run.
    """
    click = (state or {}).get("last_clicked")
    if not click or click == st.session_state.get(_CLICK_KEY):
        return
    st.session_state[_CLICK_KEY] = click
    lon, lat = clicked_point(click["lng"], click["lat"], context.view.tiles.system)
    st.session_state["gaps_lon"] = round(lon, 6)
    st.session_state["gaps_lat"] = round(lat, 6)


# --- analysis -------------------------------------------------------------------------------
def analyse(context: Context, chosen: Choices) -> Analysis | None:
    """The surface, the coverage and the scenario's before → after; ``None`` on bad input."""
    lang = context.view.lang
    surface = surface_for(context, chosen.include_pipeline, chosen.resolution_m)
    coverage = town_coverage(surface, chosen.radius_km, chosen.population)
    register, targets = _filtered_register(context)
    rows = scenario_rows()
    scenario = None
    if len(rows):
        try:
            scenario = run_scenario(register, context.data.boundaries, targets, rows, surface,
                                    chosen.radius_km, before=context.result,
                                    population=chosen.population, coverage_before=coverage)
        except CoverageError as error:  # e.g. an id now taken by a saved carrier
            st.error(plain(error.message(lang)))
    names = display_names(context.data.boundaries.towns, lang)
    return Analysis(register=register, surface=surface, coverage=coverage, scenario=scenario,
                    names=names)


# --- sections -------------------------------------------------------------------------------
def _listing(towns: pd.Series, names: dict[str, str], lang: Lang) -> str:
    separator = "、" if lang == "zh" else ", "
    return separator.join(names.get(t, t) for t in towns)


def city_summary(context: Context, chosen: Choices, analysis: Analysis) -> None:
    """Headline figures for the type and radius, and the towns lacking it."""
    lang = context.view.lang
    coverage, names = analysis.coverage, analysis.names
    kind = chosen.carrier_type
    city = coverage.city.set_index("type").loc[kind]
    rows = coverage.for_type(kind)
    covered, people, none, half = st.columns(4)
    covered.metric(translate("gapspage.covered", lang, radius=f"{chosen.radius_km:g}"),
                   f"{city['covered_share'] * 100:.1f}%", border=True,
                   help=f"{city['covered_km2']:,.1f} / {city['area_km2']:,.1f} km²")
    if coverage.population_weighted:
        people.metric(translate("gapspage.covered_people", lang),
                      f"{city['covered_population_share'] * 100:.1f}%", border=True)
    else:
        farthest = city["max_distance_km"]
        people.metric(translate("gapspage.farthest", lang),
                      "—" if pd.isna(farthest) else
                      translate("gapspage.km", lang, value=f"{farthest:.1f}"), border=True)
    none.metric(translate("gapspage.towns_none", lang),
                translate("gapspage.count", lang, count=int(city["towns_no_carrier"])),
                border=True)
    half.metric(translate("gapspage.towns_half", lang),
                translate("gapspage.count", lang, count=int(city["towns_under_half_covered"])),
                border=True)
    type_label = translate(f"type.{kind}", lang)
    lacking = rows.loc[rows["no_carrier"], "town"]
    if len(lacking):
        st.warning(plain(translate("gapspage.lacking", lang, type=type_label,
                                   towns=_listing(lacking, names, lang))),
                   icon=":material/location_off:")
    else:
        st.success(translate("gapspage.lacking_none", lang, type=type_label))
    under = rows.loc[rows["under_half_covered"], "town"]
    if len(under):
        st.caption(plain(translate("gapspage.under_half_list", lang,
                                   towns=_listing(under, names, lang))))
    grid = analysis.surface.grid
    note = translate("gapspage.grid_note", lang, resolution=f"{grid.resolution_m:g}",
                     error=f"{grid.error_m:.0f}")
    if grid.coarsened:
        note += " " + translate("gapspage.coarsened", lang,
                                requested=f"{grid.requested_resolution_m:g}",
                                resolution=f"{grid.resolution_m:g}")
    if chosen.include_pipeline:
        note += " " + translate("gaps.pipeline", lang)
    st.caption(note)


def suggestions(context: Context, chosen: Choices, analysis: Analysis
                ) -> SiteSuggestions | None:
    """The suggested sites once asked for (kept while the choices stay the same)."""
    asked = st.session_state.get(_SITES_KEY)
    if not asked or chosen.carrier_type == ALL_TYPES:
        return None
    k, town = asked
    surface = (analysis.scenario.surface_after if analysis.scenario is not None
               else analysis.surface)
    try:
        return suggest_sites(surface, chosen.carrier_type, chosen.radius_km, k, town=town,
                             population=chosen.population)
    except CoverageError as error:
        st.error(plain(error.message(context.view.lang)))
        return None


def map_section(context: Context, chosen: Choices, analysis: Analysis,
                sites: SiteSuggestions | None) -> None:
    """The map: gap or bands, towns, carriers, suggested sites and scenario carriers."""
    view, lang = context.view, context.view.lang
    scenario = analysis.scenario
    surface = scenario.surface_after if scenario is not None else analysis.surface
    coverage = scenario.coverage_after if scenario is not None else analysis.coverage
    what_if = scenario_rows()
    fmap = gap_map(surface, context.result.carriers, context.data.boundaries.towns,
                   chosen.carrier_type, chosen.radius_km, lang, coverage=coverage,
                   bands=chosen.bands, sites=site_points(sites) if sites is not None else None,
                   what_if=what_if.astype({"lon": float, "lat": float}) if len(what_if)
                   else None, tiles=view.tiles, assets=assets(),
                   boundaries=context.data.boundaries)
    st.caption(translate("gapspage.map_help", lang))
    notice = st.container()  # always there, so the map keeps its place on the page
    if scenario is not None:
        notice.info(translate("gapspage.map_after", lang, count=len(what_if)),
                    icon=":material/science:")
    state = st_folium(fmap, key=_MAP_KEY, height=560, use_container_width=True,
                      returned_objects=["last_clicked"])
    _take_click(context, state)


def town_section(context: Context, chosen: Choices, analysis: Analysis,
                 sites: SiteSuggestions | None) -> None:
    """The per-town table (sortable) and its downloads: CSV, Excel, GeoJSON layers."""
    lang = context.view.lang
    st.subheader(translate("gapspage.towns", lang))
    table = coverage_table(analysis.coverage, chosen.carrier_type, analysis.names, lang)
    share = share_header(analysis.coverage, lang)
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        share: st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100)})
    stem = f"coverage-{chosen.carrier_type}-{chosen.radius_km:g}km"
    download_buttons(table, stem, lang, key="gaps_download")
    gap_column, sites_column = st.columns(2)
    file_download(
        gap_column, translate("gapspage.download_gap", lang),
        lambda: gap_polygons(analysis.surface, chosen.carrier_type, chosen.radius_km,
                             context.data.boundaries).to_json(ensure_ascii=False).encode(),
        file_name=f"gap-{chosen.carrier_type}-{chosen.radius_km:g}km.geojson",
        mime="application/geo+json", key="gaps_download_gap", lang=lang)
    if sites is not None and len(sites.sites):
        file_download(
            sites_column, translate("gapspage.download_sites", lang),
            lambda: site_points(sites).to_json(ensure_ascii=False).encode(),
            file_name=f"sites-{chosen.carrier_type}-{chosen.radius_km:g}km.geojson",
            mime="application/geo+json", key="gaps_download_sites", lang=lang)


def _ask_sites() -> None:
    town = st.session_state.get("gaps_site_town", _ANYWHERE)
    st.session_state[_SITES_KEY] = (int(st.session_state["gaps_k"]),
                                    None if town == _ANYWHERE else town)


def sites_section(context: Context, chosen: Choices, analysis: Analysis,
                  sites: SiteSuggestions | None) -> None:
    """The number of sites and a town, the button, and the list with a button to take each site."""
    lang = context.view.lang
    st.subheader(translate("gapspage.sites", lang))
    if chosen.carrier_type == ALL_TYPES:
        st.info(translate("gapspage.sites_need_type", lang))
        return
    weight = translate("gaps.weight_population" if chosen.population is not None
                       else "gaps.weight_area", lang)
    st.caption(translate("gapspage.sites_help", lang, weight=weight))
    k_column, town_column, button_column = st.columns([1, 1.5, 1], vertical_alignment="bottom")
    k_column.number_input(translate("gapspage.k", lang), min_value=1, max_value=MAX_K, value=3,
                          step=1, key="gaps_k")
    town_column.selectbox(translate("gapspage.town_limit", lang),
                          [_ANYWHERE, *context.data.boundaries.names], key="gaps_site_town",
                          format_func=lambda t: translate("gapspage.anywhere", lang)
                          if t == _ANYWHERE
                          else analysis.names.get(t, t))
    button_column.button(translate("gapspage.suggest", lang), on_click=_ask_sites,
                         key="gaps_suggest", type="primary")
    if sites is None:
        return
    if len(sites.sites):
        st.dataframe(site_table(sites, analysis.names, lang), hide_index=True, width="stretch")
        st.caption(translate("gapspage.sites_total", lang, count=len(sites.sites),
                             km2=f"{sites.sites['new_covered_km2'].sum():.1f}",
                             uncovered=f"{sites.uncovered_km2:.1f}"))
    if sites.exhausted:
        st.info(translate("gaps.exhausted", lang))
    columns = st.columns(min(len(sites.sites), 5) or 1)
    for index, site in enumerate(sites.sites.to_dict("records")):
        columns[index % len(columns)].button(
            translate("gapspage.take_site", lang, rank=int(site["rank"])),
            key=f"gaps_take_{site['rank']}", on_click=_take_site,
            args=(context, float(site["lon"]), float(site["lat"]), chosen.carrier_type),
            icon=":material/add_location_alt:")


def _scenario_form(context: Context, chosen: Choices) -> None:
    lang = context.view.lang
    period_end = context.view.filters.period_end or context.data.targets.period_end
    st.session_state.setdefault("gaps_new_type", chosen.carrier_type
                                if chosen.carrier_type != ALL_TYPES else "incubator")
    first, second, third, fourth = st.columns(4)
    first.selectbox(translate("gapspage.new_type", lang), CARRIER_TYPES, key="gaps_new_type",
                    format_func=lambda t: translate(f"type.{t}", lang))
    second.number_input(translate("gapspage.lon", lang), min_value=-180.0, max_value=180.0,
                        value=None, step=0.001, format="%.6f", key="gaps_lon")
    third.number_input(translate("gapspage.lat", lang), min_value=-90.0, max_value=90.0,
                       value=None, step=0.001, format="%.6f", key="gaps_lat")
    fourth.number_input(translate("gapspage.area", lang), min_value=0.0, value=10000.0,
                        step=1000.0, key="gaps_new_area")
    fifth, sixth, seventh, eighth = st.columns(4, vertical_alignment="bottom")
    fifth.selectbox(translate("gapspage.status", lang), STATUSES[::-1], key="gaps_new_status",
                    format_func=lambda s: translate(f"status.{s}", lang))
    sixth.date_input(translate("gapspage.opened", lang), value=_default_opened(context),
                     min_value=dt.date(1990, 1, 1),
                     max_value=max(dt.date(2100, 12, 31), period_end), key="gaps_new_opened")
    seventh.text_input(translate("gapspage.new_name", lang), key="gaps_new_name",
                       placeholder=translate("gapspage.new_name_default", lang,
                                             type=translate(f"type.{st.session_state['gaps_new_type']}",
                                                            lang)))
    eighth.button(translate("gapspage.add", lang), on_click=_add_typed, args=(context,),
                  key="gaps_add", type="primary", icon=":material/add_location_alt:")
    lon, lat = st.session_state.get("gaps_lon"), st.session_state.get("gaps_lat")
    if lon is not None and lat is not None:
        try:
            town = town_at(float(lon), float(lat), context.data.boundaries)
            names = display_names(context.data.boundaries.towns, lang)
            st.caption(plain(translate("gapspage.clicked", lang, lon=f"{lon:.6f}",
                                       lat=f"{lat:.6f}", town=names.get(town, town))))
        except CoverageError as error:
            st.warning(plain(error.message(lang)))


def _upload_scenario(context: Context) -> None:
    lang = context.view.lang
    upload = st.file_uploader(translate("gapspage.scenario_upload", lang),
                              type=["csv", "xlsx", "xls"], key="gaps_scenario_upload")
    if upload is None or st.session_state.get(_UPLOAD_SEEN_KEY) == upload.file_id:
        return
    st.session_state[_UPLOAD_SEEN_KEY] = upload.file_id
    try:
        rows = canonical_text(read_table(upload.getvalue(), name=upload.name))
    except LocalisedError as error:
        st.error(plain(error.message(lang)))
        return
    rows = rows.astype(object).where(rows.notna(), None)
    previous = st.session_state.get(SCENARIO_KEY, [])
    st.session_state[SCENARIO_KEY] = []
    error = _add(context, rows)
    if error:
        st.session_state[SCENARIO_KEY] = previous
        st.error(plain(error))
    else:
        _say("success", plain(translate("gapspage.scenario_loaded", lang, name=upload.name,
                                        count=len(rows))))
        st.rerun()


def _save_section(context: Context, rows: pd.DataFrame) -> None:
    lang = context.view.lang
    store = open_configured_store()
    if store is None:
        return
    actor = current_actor(store)
    if actor is None or not actor.may_write():
        st.caption(translate("gapspage.sign_in_to_save", lang))
        return
    with st.expander(translate("gapspage.save", lang)):
        st.caption(translate("gapspage.save_help", lang))
        which_column, id_column, button_column = st.columns([2, 1, 1],
                                                            vertical_alignment="bottom")
        labels = {row["id"]: f"{row['id']} · {row['name']}" for row in rows.to_dict("records")}
        which = which_column.selectbox(translate("gapspage.save_which", lang), list(labels),
                                       format_func=labels.get, key="gaps_save_which")
        new_id = id_column.text_input(translate("gapspage.save_id", lang), key="gaps_save_id")
        if not button_column.button(translate("gapspage.save_button", lang), key="gaps_save"):
            return
        row = rows.set_index("id").loc[which]
        values = {column: (None if column not in row or pd.isna(row[column]) else row[column])
                  for column in COLUMNS if column != "id"}
        values.update(id=new_id.strip() or None, status="planned")
        try:
            store.add_carrier(actor, values)
        except StoreError as error:
            reason = (translate("history.separator", lang).join(
                p.message(lang) for p in error.problems)
                if isinstance(error, ValidationFailed) and error.problems
                else error.message(lang))
            st.error(plain(translate("gapspage.save_failed", lang, name=row["name"],
                                     reason=reason)))
            return
        _remove(which)
        _say("success", plain(translate("gapspage.saved", lang, name=row["name"],
                                        id=new_id.strip())))
        st.rerun()


def scenario_section(context: Context, chosen: Choices, analysis: Analysis) -> None:
    """Add, list, download, upload and save the hypothetical carriers; before → after."""
    lang = context.view.lang
    st.subheader(translate("gapspage.what_if", lang))
    st.caption(translate("gapspage.what_if_help", lang))
    _scenario_form(context, chosen)
    _show_message()
    rows = scenario_rows()
    _upload_scenario(context)
    if not len(rows):
        st.info(translate("gapspage.scenario_empty", lang))
        return
    scenario = analysis.scenario
    placed = scenario.hypothetical if scenario is not None else None
    st.markdown(f"**{translate('gapspage.scenario_rows', lang, count=len(rows))}**")
    st.dataframe(scenario_rows_table(rows, placed, analysis.names, lang), hide_index=True,
                 width="stretch")
    remove_column, clear_column, download_column = st.columns(3)
    with remove_column.popover(translate("gapspage.remove", lang), icon=":material/delete:"):
        for row in rows.to_dict("records"):
            st.button(f"{row['id']} · {row['name']}", key=f"gaps_remove_{row['id']}",
                      on_click=_remove, args=(row["id"],))
    clear_column.button(translate("gapspage.clear", lang), on_click=_clear, key="gaps_clear",
                        icon=":material/clear_all:")
    file_download(download_column, translate("gapspage.scenario_download", lang),
                  lambda: to_csv_bytes(register_export(rows, lang)),
                  file_name="scenario.csv", mime="text/csv", key="gaps_scenario_csv", lang=lang)
    _save_section(context, rows)
    if scenario is None:
        return
    st.markdown(f"#### {translate('gapspage.before_after', lang)}")
    st.markdown(f"**{translate('gapspage.city_targets', lang)}**")
    st.dataframe(scenario_city_table(scenario, lang), hide_index=True, width="stretch")
    st.markdown(f"**{translate('gapspage.town_changes', lang)}**")
    towns = scenario_town_table(scenario, analysis.names, lang)
    st.dataframe(towns, hide_index=True, width="stretch")
    if not scenario.towns["changed"].any():
        st.caption(translate("gapspage.no_town_changes", lang))
    # The chosen type, then each type the scenario adds (an incubator changes no maker-space
    # figure, but the planner wants to see what it does change).
    kinds = list(dict.fromkeys([chosen.carrier_type, *rows["type"].dropna()]))
    for kind in kinds:
        _coverage_change(scenario, kind, chosen.radius_km, analysis.names, lang)


def _coverage_change(scenario: ScenarioResult, kind: str, radius_km: float,
                     names: dict[str, str], lang: Lang) -> None:
    kind_label = translate(f"type.{kind}", lang)
    st.markdown(f"**{translate('gapspage.coverage_changes', lang, type=kind_label)}**")
    before = scenario.coverage_before.city.set_index("type").loc[kind]
    after = scenario.coverage_after.city.set_index("type").loc[kind]
    st.markdown(translate("gapspage.coverage_city", lang, radius=f"{radius_km:g}",
                          before=f"{before['covered_share'] * 100:.1f}%",
                          after=f"{after['covered_share'] * 100:.1f}%",
                          none_before=int(before["towns_no_carrier"]),
                          none_after=int(after["towns_no_carrier"])))
    changes = scenario_coverage_table(scenario, kind, names, lang)
    if len(changes):
        st.dataframe(changes, hide_index=True, width="stretch")
    else:
        st.caption(translate("gapspage.no_coverage_changes", lang))

