"""The carrier map as a folium object: towns coloured by progress, carriers by type.

Every string from the data is escaped (:func:`render.map_elements.escaped`)
before it reaches the page. Overlays are shifted into the basemap's
coordinate system at render time only (GCJ-02 for Gaode);
:func:`clicked_point` converts a click back to WGS84.
"""

from __future__ import annotations

import base64
import threading
import weakref

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.check import REASONS, CheckResult
from geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from geo.i18n import Lang, format_area, format_progress, translate
from geo.schema import CARRIER_TYPES, STATUSES
from render.basemaps import NO_BASEMAP, TileSource, TileSystem
from render.map_elements import (
    CarrierLayer,
    CarrierPoints,
    IconPath,
    InitialView,
    Legend,
    MapAssets,
    PaletteStyle,
    TownLabels,
    TownLayer,
    WheelZoom,
    escaped,
    legend_html,
)
from render.tables import display_names
from render.townshapes import OUTLINE_SCALE, TownShapes, town_shapes

__all__ = ["DETAIL_LIMIT", "LABEL_PANE", "OUTLINE_SCALE", "MapAssets", "base_map",
           "carrier_map", "carrier_rows", "clicked_point", "label_columns", "packed_points",
           "shift", "shown_towns", "town_columns"]

DETAIL_LIMIT = 5_000
"""Up to this many carriers a map sends each with its name, tooltip and popup; above it,
compact points clustered in the browser (the focused town's carriers still in full)."""
"""The unit of the town outlines sent to the browser, in degrees (about 1 m)."""
LABEL_PANE = "town-labels"
"""The pane of the town labels: above the markers, and lets clicks through."""


def shift(geometry: gpd.GeoSeries, system: TileSystem) -> gpd.GeoSeries:
    """Geometry in the tile source's ``system`` (``"GCJ02"`` for Gaode); unchanged for WGS84."""
    if system != "GCJ02":
        return geometry

    def to_gcj02(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))

    return gpd.GeoSeries(shapely.transform(geometry.to_numpy(), to_gcj02),
                         index=geometry.index, crs=geometry.crs)


_shown: dict[tuple[int, str], tuple[weakref.ref, gpd.GeoSeries, TownShapes]] = {}
_shown_lock = threading.Lock()


def shown_towns(towns: gpd.GeoDataFrame,
                system: TileSystem) -> tuple[gpd.GeoDataFrame, TownShapes]:
    """``towns`` shifted into ``system`` (:func:`shift`), and their display shapes.

    Made once per geometry and system, not on every map: shifting a
    province's 1,250 towns into GCJ-02 takes 0.1 s and identifying their
    shapes by content 10 ms, on every new filter otherwise. Kept for as long
    as the towns' geometry array lives (the dataset's, shared by every
    session, is never changed in place); the other columns are taken anew.
    """
    geometry = towns.geometry
    key = (id(geometry.values), system)
    with _shown_lock:
        kept = _shown.get(key)
    if kept is None or kept[0]() is not geometry.values:
        shifted = shift(geometry, system)
        kept = (weakref.ref(geometry.values), shifted,
                town_shapes(towns.assign(geometry=shifted)))
        with _shown_lock:
            for stale in [k for k, v in _shown.items() if v[0]() is None]:
                del _shown[stale]
            _shown[key] = kept
    return towns.assign(geometry=kept[1]), kept[2]


def clicked_point(lon: float, lat: float, system: TileSystem) -> tuple[float, float]:
    """A clicked map position back in WGS84 from the tile source's ``system`` (undoing GCJ-02)."""
    if system == "GCJ02":
        back_lon, back_lat = gcj02_to_wgs84(np.array([lon]), np.array([lat]))
        return float(back_lon[0]), float(back_lat[0])
    return float(lon), float(lat)


def base_map(bounds: tuple[float, float, float, float], lang: Lang, *,
             tiles: TileSource = NO_BASEMAP, assets: MapAssets | None = None) -> folium.Map:
    """An empty map as every map of the app starts: local assets, basemap, label pane.

    Fitted to ``bounds`` (west, south, east, north, in the system of
    ``tiles``) before the caller's layers are drawn
    (:class:`render.map_elements.InitialView`), with the zoom range of
    ``tiles``; the mouse wheel scrolls the page until the map is clicked, or
    zooms with Ctrl held (with a hint, :class:`render.map_elements.WheelZoom`).
    """
    assets = assets or MapAssets()
    west, south, east, north = bounds
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                      zoom_start=11, min_zoom=tiles.min_zoom, max_zoom=tiles.max_zoom,
                      control_scale=True, zoom_snap=0.25, scroll_wheel_zoom=False)
    # Leaflet reads the zoom range from the map itself when there are no tiles; the
    # marker clusters need it ("Map has no maxZoom specified").
    fmap.options.update(minZoom=tiles.min_zoom, maxZoom=tiles.max_zoom)
    InitialView([[south, west], [north, east]]).add_to(fmap)
    fmap.default_js = assets.js
    fmap.default_css = assets.css
    PaletteStyle().add_to(fmap)
    IconPath(assets).add_to(fmap)
    folium.map.CustomPane(LABEL_PANE, z_index=625, pointer_events=False).add_to(fmap)
    for layer in tiles.layers:
        folium.TileLayer(layer.url, attr=layer.attribution or escaped(tiles.title(lang)),
                         subdomains=layer.subdomains, min_zoom=tiles.min_zoom,
                         max_zoom=tiles.max_zoom, control=False).add_to(fmap)
    WheelZoom(lang).add_to(fmap)
    return fmap


def label_columns(towns: gpd.GeoDataFrame, names: list[str], figures: list[str],
                  bands: list[str], codes: list[str]) -> dict[str, list]:
    """The columns of :class:`render.map_elements.TownLabels` for ``towns`` (in map system).

    Each label sits at the town's pole of inaccessibility (the point
    farthest from its edges, so the text stays inside); larger towns rank
    first and keep their label when two would touch
    (:func:`render.townshapes.town_shapes`). The texts must be escaped already.
    """
    return _label_columns(town_shapes(towns), names, figures, bands, codes)


def _label_columns(shapes: TownShapes, names: list[str], figures: list[str],
                   bands: list[str], codes: list[str]) -> dict[str, list]:
    return {"lat": shapes.label_lat, "lon": shapes.label_lon, "room": shapes.label_room,
            "name": names, "figure": figures, "band": bands, "code": codes, "rank": shapes.rank}


def town_columns(result: CheckResult, towns: gpd.GeoDataFrame, lang: Lang,
                 focus: str | None, shapes: TownShapes | None = None) -> dict[str, object]:
    """The towns' texts for :class:`render.map_elements.TownLayer`, one per town.

    ``towns`` are in the map's system, in file order; ``shapes`` their
    :func:`render.townshapes.town_shapes` (found when not given), whose
    :attr:`~render.townshapes.TownShapes.outline_json` the layer sends as
    ``shapes``, from ``x0``/``y0`` in units of ``scale``. ``label``, ``area``,
    ``target`` (escaped texts) and ``band`` (code, ``""`` when unknown) are
    one per town; ``focus`` is the focused town's position, or -1.
    """
    shapes = shapes or town_shapes(towns)
    figures = result.towns.set_index("town").reindex(towns["name"])
    labels = display_names(towns, lang)
    matches = np.flatnonzero((towns["name"] == focus).to_numpy()) if focus else []
    return {
        "x0": shapes.x0, "y0": shapes.y0, "scale": OUTLINE_SCALE,
        "label": [escaped(labels[name]) for name in towns["name"]],
        "area": [escaped(format_progress(row, lang).area) if pd.notna(row["met"]) else "—"
                 for row in figures.to_dict("records")],
        "target": [escaped(format_area(v, lang)) for v in figures["target_m2"]],
        "band": [b if isinstance(b, str) else "" for b in figures["band"]],
        "focus": int(matches[0]) if len(matches) else -1,
    }


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


def packed_points(carriers: pd.DataFrame, system: str) -> dict[str, object]:
    """The placed carriers as compact arrays for :class:`render.map_elements.CarrierPoints`.

    ``xy``: each carrier's longitude and latitude (in the basemap's
    ``system``) as little-endian int32 offsets from ``x0``/``y0`` in units of
    ``scale`` (a millionth of a degree, about 0.1 m), base64; ``kind``: one
    byte each, the type's index in :data:`geo.schema.CARRIER_TYPES` × 2,
    plus 1 when the carrier counts. Nothing else: no text of the data
    reaches the page this way.
    """
    shown = carriers[carriers["usable"] & carriers["has_point"]]
    lon, lat = shown["lon"].to_numpy(float), shown["lat"].to_numpy(float)
    if system == "GCJ02" and len(shown):
        lon, lat = wgs84_to_gcj02(lon, lat)
    x0 = float(np.floor(lon.min())) if len(shown) else 0.0
    y0 = float(np.floor(lat.min())) if len(shown) else 0.0
    xy = np.empty(2 * len(shown), dtype="<i4")
    xy[0::2] = np.rint((lon - x0) * 1e6)
    xy[1::2] = np.rint((lat - y0) * 1e6)
    kind = (shown["type"].map(CARRIER_TYPES.index).to_numpy(np.uint8) * 2
            + (shown["reason"] == "counted").to_numpy(np.uint8))
    return {"x0": x0, "y0": y0, "scale": 1e-6,
            "xy": base64.b64encode(xy.tobytes()).decode("ascii"),
            "kind": base64.b64encode(kind.astype(np.uint8).tobytes()).decode("ascii")}


def carrier_map(result: CheckResult, towns: gpd.GeoDataFrame, lang: Lang = "zh", *,
                tiles: TileSource = NO_BASEMAP, focus: str | None = None,
                assets: MapAssets | None = None,
                cluster_above: int = 500, presentation: bool = False) -> folium.Map:
    """The map of towns (coloured by progress) and carriers (by type).

    Parameters
    ----------
    result
        A check result; its ``towns`` and ``carriers`` frames are drawn.
    towns
        The boundaries (WGS84) the result was computed on.
    tiles
        The chosen basemap (:class:`render.basemaps.TileSource`): its tiles,
        the system the overlays are shifted into and the zoom range.
    focus
        A town name to zoom to and outline; ``None`` shows the whole area.
    assets
        Where the browser loads Leaflet and the plugins from.
    cluster_above
        Markers are clustered only when there are more carriers than this.
        Above :data:`DETAIL_LIMIT` carriers the map sends compact points
        instead (:func:`packed_points`), except for the focused town's.
    presentation
        Town labels and legend large enough to read from the back of a room
        on a 1920×1080 projector (the presentation mode).
    """
    system = tiles.system
    shown, shapes = shown_towns(towns, system)
    focused = shown[shown["name"] == focus] if focus else shown
    west, south, east, north = (focused if len(focused) else shown).total_bounds
    fmap = base_map((west, south, east, north), lang, tiles=tiles, assets=assets)
    assets = assets or MapAssets()
    Legend(legend_html(result.close_ratio, lang), presentation=presentation).add_to(fmap)

    columns = town_columns(result, shown, lang, focus, shapes)
    TownLayer(shapes.outline_json, columns, result.close_ratio, lang).add_to(fmap)

    short = display_names(towns, lang, short=True)
    codes = columns["band"]
    TownLabels(_label_columns(
        shapes, [escaped(short[n]) for n in towns["name"]], columns["area"],
        [escaped(translate(f"label.band.{b}", lang)) if b else "" for b in codes], codes),
        LABEL_PANE, presentation=presentation).add_to(fmap)

    placed = result.carriers[result.carriers["usable"] & result.carriers["has_point"]]
    detailed = (placed if len(placed) <= DETAIL_LIMIT
                else placed[placed["town"] == focus] if focus else placed.iloc[:0])
    if len(detailed):
        rows = carrier_rows(detailed, towns["name"].tolist(), lang, system)
        CarrierLayer(rows, columns["label"], lang, assets,
                     cluster=len(detailed) > cluster_above).add_to(fmap)
    if len(detailed) < len(placed):
        CarrierPoints(packed_points(placed.drop(detailed.index), system), lang,
                      assets).add_to(fmap)
    return fmap
