"""The carrier map as a folium object: towns coloured by progress, carriers by type.

Built for intranets with no internet: every script, stylesheet and font the
map needs is fetched from the app's own static folder (:class:`MapAssets`),
never from a CDN, and no branca colormap is used (it would pull d3 from a CDN).
Every string from the data is HTML-escaped here, before it reaches the page.
Overlays are shifted into the basemap's coordinate system at render time
only (GCJ-02 for Gaode); :func:`clicked_point` converts a click back to WGS84.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from geo.basemaps import Basemap, basemap_system, tile_providers
from geo.check import BANDS, REASONS, CheckResult
from geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from geo.i18n import Lang, format_area, translate
from geo.schema import CARRIER_TYPES, STATUSES
from geo.tables import display_names

__all__ = ["BAND_COLOURS", "TYPE_STYLES", "MapAssets", "carrier_map", "clicked_point"]

BAND_COLOURS = {"met": "#2e7d32", "close": "#f9a825", "far": "#c62828"}
TYPE_STYLES = {  # colour and Font Awesome icon of each carrier type
    "incubator": ("#1565c0", "fa-seedling"),
    "research_institute": ("#6a1b9a", "fa-flask"),
    "maker_space": ("#00838f", "fa-lightbulb"),
    "industrial_base": ("#5d4037", "fa-industry"),
}
MAX_ZOOM = 18
_LABEL_PANE = "town-labels"  # above the markers, and lets clicks through


@dataclass(frozen=True)
class MapAssets:
    """Where the browser loads the map's JavaScript and CSS: the app's static folder."""

    base_url: str = "/app/static"

    @property
    def js(self) -> list[tuple[str, str]]:
        """Leaflet and the marker-cluster plugin."""
        return [("leaflet", f"{self.base_url}/leaflet/leaflet.js"),
                ("markercluster", f"{self.base_url}/markercluster/leaflet.markercluster.js")]

    @property
    def css(self) -> list[tuple[str, str]]:
        """Leaflet, marker-cluster and Font Awesome styles, and the map's own."""
        return [(name, f"{self.base_url}/{path}") for name, path in (
            ("leaflet_css", "leaflet/leaflet.css"),
            ("markercluster_css", "markercluster/MarkerCluster.css"),
            ("markercluster_default_css", "markercluster/MarkerCluster.Default.css"),
            ("fontawesome_css", "fontawesome/css/fontawesome.min.css"),
            ("fontawesome_solid_css", "fontawesome/css/solid.min.css"),
            ("carrier_map_css", "carrier-map.css"),
        )]


class _CarrierLayer(JSCSSMixin, MacroElement):
    """Carrier markers from one compact array, clustered when there are many.

    One row per carrier (``[lat, lon, type, counts, id, name, status, area,
    opened, town, reason]``, strings already escaped; type, status, town and
    reason as indexes into shared lists) keeps the page small with 10,000
    carriers; popups are built only when opened.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function() {
            var types = {{ this.types|tojson }};
            var statuses = {{ this.statuses|tojson }};
            var labels = {{ this.labels|tojson }};
            var towns = {{ this.towns|tojson }};
            var reasons = {{ this.reasons|tojson }};
            var rows = {{ this.rows_json }};
            var group = {{ "L.markerClusterGroup({showCoverageOnHover: false})"
                           if this.cluster else "L.featureGroup()" }};
            function line(label, value) {
                return '<tr><th>' + label + '</th><td>' + value + '</td></tr>';
            }
            rows.forEach(function(r) {
                var type = types[r[2]];
                var icon = L.divIcon({
                    className: 'carrier-marker' + (r[3] ? '' : ' carrier-muted'),
                    html: '<span class="carrier-pin" style="background:' + type.colour
                        + '"><i class="fa-solid ' + type.icon + '"></i></span>',
                    iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -14]
                });
                var marker = L.marker([r[0], r[1]], {icon: icon, riseOnHover: true});
                marker.bindTooltip('<b>' + r[5] + '</b><br>' + type.label + ' · ' + r[7]
                    + ' · ' + statuses[r[6]]);
                marker.bindPopup(function() {
                    return '<div class="carrier-popup"><h4>' + r[5] + '</h4><table>'
                        + line(labels.id, r[4]) + line(labels.type, type.label)
                        + line(labels.area, r[7]) + line(labels.opened, r[8])
                        + line(labels.status, statuses[r[6]])
                        + line(labels.town, towns[r[9]] || '—')
                        + line(labels.reason, reasons[r[10]]) + '</table></div>';
                }, {maxWidth: 340});
                group.addLayer(marker);
            });
            group.addTo({{ this._parent.get_name() }});
            return group;
        })();
        {% endmacro %}
    """)

    def __init__(self, rows: list[list], towns: list[str], lang: Lang, assets: MapAssets,
                 cluster: bool):
        super().__init__()
        self._name = "CarrierLayer"
        self.rows_json = htmlsafe_json_dumps(rows, separators=(",", ":"))
        self.towns = towns
        self.reasons = [_escaped(translate(f"reason.{reason}", lang)) for reason in REASONS]
        self.cluster = cluster
        self.types = [{"colour": TYPE_STYLES[t][0], "icon": TYPE_STYLES[t][1],
                       "label": _escaped(translate(f"type.{t}", lang))} for t in CARRIER_TYPES]
        self.statuses = [_escaped(translate(f"status.{s}", lang)) for s in STATUSES]
        self.labels = {key: _escaped(translate(code, lang)) for key, code in (
            ("id", "col.id"), ("type", "col.type"), ("area", "col.area"),
            ("opened", "col.opened"), ("status", "col.status"), ("town", "col.town"),
            ("reason", "col.reason"))}
        self.default_js = assets.js
        self.default_css = assets.css


class _IconPath(MacroElement):
    """Tell Leaflet where its marker images are before any marker is made.

    Otherwise Leaflet guesses from the stylesheet's address while it is still
    loading, and asks for images that do not exist.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = {{ this.path|tojson }};
        {% endmacro %}
    """)

    def __init__(self, assets: MapAssets):
        super().__init__()
        self._name = "IconPath"
        self.path = f"{assets.base_url}/leaflet/images/"


class _Legend(MacroElement):
    """A fixed box on the map explaining the town colours and the carrier symbols."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: 'bottomright'});
        {{ this.get_name() }}.onAdd = function() {
            var div = L.DomUtil.create('div', 'map-legend');
            div.innerHTML = {{ this.body|tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, body: str):
        super().__init__()
        self._name = "Legend"
        self.body = body


def _escaped(value: object) -> str:
    """Text safe to insert as HTML (the one place map strings are escaped)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return html.escape(str(value), quote=True)


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


def _legend_html(result: CheckResult, lang: Lang) -> str:
    pct = round(result.close_ratio * 100)
    towns = "".join(
        f'<div><span class="swatch" style="background:{BAND_COLOURS[band]}"></span>'
        f'{_escaped(translate(f"band.{band}", lang, pct=pct))}</div>' for band in BANDS)
    carriers = "".join(
        f'<div><span class="carrier-pin small" style="background:{colour}">'
        f'<i class="fa-solid {icon}"></i></span>{_escaped(translate(f"type.{kind}", lang))}</div>'
        for kind, (colour, icon) in TYPE_STYLES.items())
    return (f'<h4>{_escaped(translate("legend.towns", lang))}</h4>{towns}'
            f'<h4>{_escaped(translate("legend.carriers", lang))}</h4>{carriers}'
            f'<div class="note">{_escaped(translate("legend.faded", lang))}</div>')


def _town_features(result: CheckResult, towns: gpd.GeoDataFrame, lang: Lang,
                   focus: str | None) -> gpd.GeoDataFrame:
    figures = result.towns.set_index("town")
    labels = display_names(towns, lang)
    short = display_names(towns, lang, short=True)
    pct = round(result.close_ratio * 100)
    rows = figures.reindex(towns["name"])
    return gpd.GeoDataFrame({
        "label": [_escaped(labels[n]) for n in towns["name"]],
        "short": [_escaped(short[n]) for n in towns["name"]],
        "new_area": [_escaped(format_area(v, lang)) for v in rows["new_area_m2"]],
        "target": [_escaped(format_area(v, lang)) for v in rows["target_m2"]],
        "progress": [_escaped(translate(f"band.{b}", lang, pct=pct)) for b in rows["band"]],
        "band": rows["band"].to_numpy(),
        "focus": (towns["name"] == focus).to_numpy() if focus else False,
        "order": np.arange(len(towns)),
    }, geometry=towns.geometry.to_numpy(), crs=towns.crs)


def _town_style(feature: dict) -> dict:
    props = feature["properties"]
    return {"fillColor": BAND_COLOURS.get(props["band"], "#9e9e9e"), "color": "#263238",
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
    return [[float(la), float(lo), int(t), int(c), _escaped(i), _escaped(n), int(s),
             _escaped(format_area(a, lang)), _escaped(o), int(town), int(reason)]
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
        The chosen basemap (see :mod:`geo.basemaps`) and, for Tianditu, its key.
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
    _IconPath(assets).add_to(fmap)
    folium.map.CustomPane(_LABEL_PANE, z_index=625, pointer_events=False).add_to(fmap)
    for provider in tile_providers(basemap, tianditu_tk):
        folium.TileLayer(provider, max_zoom=MAX_ZOOM, control=False).add_to(fmap)

    features = _town_features(result, shown, lang, focus)
    fields = ["label", "progress", "new_area", "target"]
    aliases = [_escaped(translate(code, lang)) for code in
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
    _CarrierLayer(rows, features["label"].tolist(), lang, assets,
                  cluster=len(rows) > cluster_above).add_to(fmap)
    _Legend(_legend_html(result, lang)).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
