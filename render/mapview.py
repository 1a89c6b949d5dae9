"""The carrier map as a folium object: towns coloured by progress, carriers by type.

Every string from the data is escaped (:func:`render.map_elements.escaped`)
before it reaches the page. Overlays are shifted into the basemap's
coordinate system at render time only (GCJ-02 for Gaode);
:func:`clicked_point` converts a click back to WGS84.
"""

from __future__ import annotations

import functools

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.ops import polylabel

from geo.check import REASONS, CheckResult
from geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from geo.i18n import Lang, format_area, translate
from geo.projection import WGS84, metric_crs
from geo.schema import CARRIER_TYPES, STATUSES
from render.basemaps import Basemap, basemap_system, tile_providers
from render.map_elements import (
    CarrierLayer,
    IconPath,
    Legend,
    MapAssets,
    PaletteStyle,
    TownLabels,
    WheelZoom,
    escaped,
    legend_html,
)
from render.palette import BAND_COLOURS, INK, MISSING_COLOUR
from render.tables import display_names

__all__ = ["LABEL_PANE", "MAX_ZOOM", "MapAssets", "base_map", "carrier_map", "carrier_rows",
           "clicked_point", "label_columns", "shift"]

MAX_ZOOM = 18
LABEL_PANE = "town-labels"
"""The pane of the town labels: above the markers, and lets clicks through."""


def shift(geometry: gpd.GeoSeries, system: str) -> gpd.GeoSeries:
    """Geometry in the basemap's system (``"GCJ02"`` for Gaode); unchanged for WGS84."""
    if system != "GCJ02":
        return geometry

    def to_gcj02(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))

    return gpd.GeoSeries(shapely.transform(geometry.to_numpy(), to_gcj02),
                         index=geometry.index, crs=geometry.crs)


def clicked_point(lon: float, lat: float, basemap: Basemap) -> tuple[float, float]:
    """A clicked map position back in WGS84 (undoing the Gaode GCJ-02 shift)."""
    if basemap_system(basemap) == "GCJ02":
        back_lon, back_lat = gcj02_to_wgs84(np.array([lon]), np.array([lat]))
        return float(back_lon[0]), float(back_lat[0])
    return float(lon), float(lat)


def base_map(bounds: tuple[float, float, float, float], lang: Lang, *,
             basemap: Basemap = "none", tianditu_tk: str | None = None,
             assets: MapAssets | None = None) -> folium.Map:
    """An empty map as every map of the app starts: local assets, basemap, label pane.

    Centred on ``bounds`` (west, south, east, north, in the basemap's system);
    the mouse wheel scrolls the page until the map is clicked, or zooms with
    Ctrl held (with a hint, :class:`render.map_elements.WheelZoom`). The
    caller adds its layers, then fits the bounds.
    """
    assets = assets or MapAssets()
    west, south, east, north = bounds
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                      zoom_start=11, min_zoom=6, max_zoom=MAX_ZOOM, control_scale=True,
                      zoom_snap=0.25, scroll_wheel_zoom=False)
    # Leaflet reads the zoom range from the map itself when there are no tiles; the
    # marker clusters need it ("Map has no maxZoom specified").
    fmap.options.update(minZoom=6, maxZoom=MAX_ZOOM)
    fmap.default_js = assets.js
    fmap.default_css = assets.css
    PaletteStyle().add_to(fmap)
    IconPath(assets).add_to(fmap)
    folium.map.CustomPane(LABEL_PANE, z_index=625, pointer_events=False).add_to(fmap)
    for provider in tile_providers(basemap, tianditu_tk):
        folium.TileLayer(provider, max_zoom=MAX_ZOOM, control=False).add_to(fmap)
    WheelZoom(lang).add_to(fmap)
    return fmap


def label_columns(towns: gpd.GeoDataFrame, names: list[str], figures: list[str],
                  bands: list[str], codes: list[str]) -> dict[str, list]:
    """The columns of :class:`render.map_elements.TownLabels` for ``towns`` (in map system).

    Each label sits at the town's pole of inaccessibility (the point
    farthest from its edges, so the text stays inside); larger towns rank
    first and keep their label when two would touch. The texts must be
    escaped already.
    """
    metric = (towns.geometry.to_crs(_metric_crs(tuple(np.round(towns.total_bounds, 2))))
              if len(towns) else towns.geometry)
    points = [_label_point(geometry) for geometry in towns.geometry]
    order = np.argsort(-metric.area.to_numpy(), kind="stable")
    rank = np.empty(len(towns), dtype=int)
    rank[order] = np.arange(len(towns))
    return {"lat": [round(p.y, 6) for p in points], "lon": [round(p.x, 6) for p in points],
            "name": names, "figure": figures, "band": bands, "code": codes,
            "rank": rank.tolist()}


@functools.lru_cache(maxsize=64)
def _metric_crs(bounds: tuple[float, ...]) -> CRS:
    """The metric system of an extent (finding it takes 0.1 s; the map is drawn on every run)."""
    return metric_crs(gpd.GeoSeries([shapely.box(*bounds)], crs=WGS84))


def _label_point(geometry) -> shapely.Point:
    """The point of the town's largest part farthest from its edges."""
    if geometry is None or geometry.is_empty:
        return shapely.Point(0, 0)
    parts = getattr(geometry, "geoms", [geometry])
    largest = max(parts, key=lambda part: part.area)
    west, south, east, north = largest.bounds
    return polylabel(largest, tolerance=max(east - west, north - south) / 200)


def _town_features(result: CheckResult, towns: gpd.GeoDataFrame, lang: Lang,
                   focus: str | None) -> gpd.GeoDataFrame:
    figures = result.towns.set_index("town")
    labels = display_names(towns, lang)
    pct = round(result.close_ratio * 100)
    rows = figures.reindex(towns["name"])
    return gpd.GeoDataFrame({
        "label": [escaped(labels[n]) for n in towns["name"]],
        "new_area": [escaped(format_area(v, lang)) for v in rows["new_area_m2"]],
        "target": [escaped(format_area(v, lang)) for v in rows["target_m2"]],
        "progress": [escaped(translate(f"band.{b}", lang, pct=pct)) for b in rows["band"]],
        "band": rows["band"].to_numpy(),
        "focus": (towns["name"] == focus).to_numpy() if focus else False,
        "order": np.arange(len(towns)),
    }, geometry=towns.geometry.to_numpy(), crs=towns.crs)


def _town_style(feature: dict) -> dict:
    props = feature["properties"]
    return {"fillColor": BAND_COLOURS.get(props["band"], MISSING_COLOUR), "color": INK,
            "weight": 4 if props["focus"] else 1.5, "fillOpacity": 0.6,
            "className": f"town-area town-{props['order']} band-{props['band']}"}


def carrier_rows(carriers: pd.DataFrame, town_names: list[str], lang: Lang,
                 system: str) -> dict[str, list]:
    """The placed carriers as named columns for :class:`render.map_elements.CarrierLayer`.

    One list per field, each with one value per carrier with a point:
    ``lat``, ``lon`` (in the basemap's ``system``), ``type`` (index into
    :data:`geo.schema.CARRIER_TYPES`), ``counts`` (1 or 0), ``id``, ``name``,
    ``status`` (index into :data:`geo.schema.STATUSES`), ``area`` (as text),
    ``opened``, ``town`` (index into ``town_names``, -1 for none) and
    ``reason`` (index into :data:`geo.check.REASONS`); strings escaped.
    """
    shown = carriers[carriers["usable"] & carriers["has_point"]]
    lon, lat = shown["lon"].to_numpy(float), shown["lat"].to_numpy(float)
    if system == "GCJ02" and len(shown):
        lon, lat = wgs84_to_gcj02(lon, lat)
    town_index = {name: i for i, name in enumerate(town_names)}
    return {
        "lat": np.round(lat, 6).tolist(),
        "lon": np.round(lon, 6).tolist(),
        "type": shown["type"].map(CARRIER_TYPES.index).astype(int).tolist(),
        "counts": (shown["reason"] == "counted").astype(int).tolist(),
        "id": [escaped(v) for v in shown["id"]],
        "name": [escaped(v) for v in shown["name"]],
        "status": shown["status"].map(STATUSES.index).astype(int).tolist(),
        "area": [escaped(format_area(v, lang)) for v in shown["floor_area_m2"]],
        "opened": [escaped(v) for v in shown["opened_text"]],
        "town": shown["town"].map(town_index).fillna(-1).astype(int).tolist(),
        "reason": shown["reason"].map(REASONS.index).astype(int).tolist(),
    }


def carrier_map(result: CheckResult, towns: gpd.GeoDataFrame, lang: Lang = "zh", *,
                basemap: Basemap = "none", tianditu_tk: str | None = None,
                focus: str | None = None, assets: MapAssets | None = None,
                cluster_above: int = 500, presentation: bool = False) -> folium.Map:
    """The map of towns (coloured by progress) and carriers (by type).

    Parameters
    ----------
    result
        A check result; its ``towns`` and ``carriers`` frames are drawn.
    towns
        The boundaries (WGS84) the result was computed on.
    basemap, tianditu_tk
        The chosen basemap (see :mod:`render.basemaps`) and, for Tianditu, its key.
    focus
        A town name to zoom to and outline; ``None`` shows the whole area.
    assets
        Where the browser loads Leaflet and the plugins from.
    cluster_above
        Markers are clustered only when there are more carriers than this.
    presentation
        Town labels and legend large enough to read from the back of a room
        on a 1920×1080 projector (the presentation mode).
    """
    system = basemap_system(basemap)
    shown = towns.assign(geometry=shift(towns.geometry, system))
    focused = shown[shown["name"] == focus] if focus else shown
    west, south, east, north = (focused if len(focused) else shown).total_bounds
    fmap = base_map((west, south, east, north), lang, basemap=basemap,
                    tianditu_tk=tianditu_tk, assets=assets)
    assets = assets or MapAssets()

    features = _town_features(result, shown, lang, focus)
    fields = ["label", "progress", "new_area", "target"]
    aliases = [escaped(translate(code, lang)) for code in
               ("col.town", "col.band", "col.new_area", "col.target")]
    folium.GeoJson(
        features, name="towns", style_function=_town_style,
        highlight_function=lambda _: {"weight": 4, "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
    ).add_to(fmap)

    short = display_names(towns, lang, short=True)
    codes = [b if isinstance(b, str) else "" for b in features["band"]]
    TownLabels(label_columns(
        shown, [escaped(short[n]) for n in towns["name"]], features["new_area"].tolist(),
        [escaped(translate(f"label.band.{b}", lang)) if b else "" for b in codes], codes),
        LABEL_PANE, presentation=presentation).add_to(fmap)

    rows = carrier_rows(result.carriers, towns["name"].tolist(), lang, system)
    CarrierLayer(rows, features["label"].tolist(), lang, assets,
                 cluster=len(rows["lat"]) > cluster_above).add_to(fmap)
    Legend(legend_html(result.close_ratio, lang), presentation=presentation).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
