"""The carrier map as a folium object: towns coloured by progress, carriers by type.

Every string from the data is escaped (:func:`render.map_elements.escaped`)
before it reaches the page. Overlays are shifted into the basemap's
coordinate system at render time only (GCJ-02 for Gaode);
:func:`clicked_point` converts a click back to WGS84.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.check import REASONS, CheckResult
from geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from geo.i18n import Lang, format_area, translate
from geo.schema import CARRIER_TYPES, STATUSES
from render.basemaps import Basemap, basemap_system, tile_providers
from render.map_elements import (
    CarrierLayer,
    IconPath,
    Legend,
    MapAssets,
    escaped,
    legend_html,
)
from render.palette import BAND_COLOURS, MISSING_COLOUR
from render.tables import display_names

__all__ = ["MapAssets", "carrier_map", "clicked_point"]

MAX_ZOOM = 18
_LABEL_PANE = "town-labels"  # above the markers, and lets clicks through


def _shift(geometry: gpd.GeoSeries, system: str) -> gpd.GeoSeries:
    """Geometry in the basemap's system; unchanged for WGS84."""
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


def _town_features(result: CheckResult, towns: gpd.GeoDataFrame, lang: Lang,
                   focus: str | None) -> gpd.GeoDataFrame:
    figures = result.towns.set_index("town")
    labels = display_names(towns, lang)
    short = display_names(towns, lang, short=True)
    pct = round(result.close_ratio * 100)
    rows = figures.reindex(towns["name"])
    return gpd.GeoDataFrame({
        "label": [escaped(labels[n]) for n in towns["name"]],
        "short": [escaped(short[n]) for n in towns["name"]],
        "new_area": [escaped(format_area(v, lang)) for v in rows["new_area_m2"]],
        "target": [escaped(format_area(v, lang)) for v in rows["target_m2"]],
        "progress": [escaped(translate(f"band.{b}", lang, pct=pct)) for b in rows["band"]],
        "band": rows["band"].to_numpy(),
        "focus": (towns["name"] == focus).to_numpy() if focus else False,
        "order": np.arange(len(towns)),
    }, geometry=towns.geometry.to_numpy(), crs=towns.crs)


def _town_style(feature: dict) -> dict:
    props = feature["properties"]
    return {"fillColor": BAND_COLOURS.get(props["band"], MISSING_COLOUR), "color": "#263238",
            "weight": 4 if props["focus"] else 1.5, "fillOpacity": 0.45,
            "className": f"town-area town-{props['order']}"}


def _carrier_rows(carriers: pd.DataFrame, town_names: list[str], lang: Lang,
                  system: str) -> list[list]:
    """One compact row per placed carrier; ``town_names`` gives the town indexes."""
    shown = carriers[carriers["usable"] & carriers["has_point"]]
    lon, lat = shown["lon"].to_numpy(float), shown["lat"].to_numpy(float)
    if system == "GCJ02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    town_index = {name: i for i, name in enumerate(town_names)}
    columns = zip(
        np.round(lat, 6), np.round(lon, 6), shown["type"].map(CARRIER_TYPES.index),
        shown["reason"] == "counted", shown["id"], shown["name"],
        shown["status"].map(STATUSES.index), shown["floor_area_m2"], shown["opened_text"],
        shown["town"].map(town_index).fillna(-1), shown["reason"].map(REASONS.index),
        strict=True)
    return [[float(la), float(lo), int(t), int(c), escaped(i), escaped(n), int(s),
             escaped(format_area(a, lang)), escaped(o), int(town), int(reason)]
            for la, lo, t, c, i, n, s, a, o, town, reason in columns]


def carrier_map(result: CheckResult, towns: gpd.GeoDataFrame, lang: Lang = "zh", *,
                basemap: Basemap = "none", tianditu_tk: str | None = None,
                focus: str | None = None, assets: MapAssets | None = None,
                cluster_above: int = 500) -> folium.Map:
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
    """
    assets = assets or MapAssets()
    system = basemap_system(basemap)
    shown = towns.assign(geometry=_shift(towns.geometry, system))
    focused = shown[shown["name"] == focus] if focus else shown
    west, south, east, north = (focused if len(focused) else shown).total_bounds

    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                      zoom_start=11, min_zoom=6, max_zoom=MAX_ZOOM, control_scale=True,
                      zoom_snap=0.25)
    # Leaflet reads the zoom range from the map itself when there are no tiles; the
    # marker clusters need it ("Map has no maxZoom specified").
    fmap.options.update(minZoom=6, maxZoom=MAX_ZOOM)
    fmap.default_js = assets.js
    fmap.default_css = assets.css
    IconPath(assets).add_to(fmap)
    folium.map.CustomPane(_LABEL_PANE, z_index=625, pointer_events=False).add_to(fmap)
    for provider in tile_providers(basemap, tianditu_tk):
        folium.TileLayer(provider, max_zoom=MAX_ZOOM, control=False).add_to(fmap)

    features = _town_features(result, shown, lang, focus)
    fields = ["label", "progress", "new_area", "target"]
    aliases = [escaped(translate(code, lang)) for code in
               ("col.town", "col.band", "col.new_area", "col.target")]
    folium.GeoJson(
        features, name="towns", style_function=_town_style,
        highlight_function=lambda _: {"weight": 4, "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
    ).add_to(fmap)

    points = features.geometry.representative_point()
    for label, area, point in zip(features["short"], features["new_area"], points, strict=True):
        folium.Marker(
            [point.y, point.x], interactive=False, pane=_LABEL_PANE,
            icon=folium.DivIcon(html=f'<div class="town-label">{label}<small>{area}</small></div>',
                                class_name="town-label-icon", icon_size=(0, 0)),
        ).add_to(fmap)

    rows = _carrier_rows(result.carriers, towns["name"].tolist(), lang, system)
    CarrierLayer(rows, features["label"].tolist(), lang, assets,
                  cluster=len(rows) > cluster_above).add_to(fmap)
    Legend(legend_html(result.close_ratio, lang)).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
