"""The pieces of the carrier map: styles, where its files come from, and folium elements.

Built for intranets with no internet: every script, stylesheet and font the
map needs is fetched from the app's own static folder (:class:`MapAssets`),
never from a CDN, and no branca colormap is used (it would pull d3 from a
CDN). :func:`escaped` is the one place map text is made safe for HTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from geo.check import BANDS, REASONS
from geo.i18n import Lang, translate
from geo.schema import CARRIER_TYPES, STATUSES
from render.palette import BAND_COLOURS, TYPE_STYLES

__all__ = ["CarrierLayer", "IconPath", "Legend", "MapAssets",
           "escaped", "legend_html"]



def escaped(value: object) -> str:
    """Text safe to insert as HTML; ``—`` for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return html.escape(str(value), quote=True)


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


class CarrierLayer(JSCSSMixin, MacroElement):
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
        self.reasons = [escaped(translate(f"reason.{reason}", lang)) for reason in REASONS]
        self.cluster = cluster
        self.types = [{"colour": TYPE_STYLES[t][0], "icon": TYPE_STYLES[t][1],
                       "label": escaped(translate(f"type.{t}", lang))} for t in CARRIER_TYPES]
        self.statuses = [escaped(translate(f"status.{s}", lang)) for s in STATUSES]
        self.labels = {key: escaped(translate(code, lang)) for key, code in (
            ("id", "col.id"), ("type", "col.type"), ("area", "col.area"),
            ("opened", "col.opened"), ("status", "col.status"), ("town", "col.town"),
            ("reason", "col.reason"))}
        self.default_js = assets.js
        self.default_css = assets.css


class IconPath(MacroElement):
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


class Legend(MacroElement):
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


def legend_html(close_ratio: float, lang: Lang) -> str:
    """The legend's HTML: the town bands (``close_ratio`` names "close") and carrier types."""
    pct = round(close_ratio * 100)
    towns = "".join(
        f'<div><span class="swatch" style="background:{BAND_COLOURS[band]}"></span>'
        f'{escaped(translate(f"band.{band}", lang, pct=pct))}</div>' for band in BANDS)
    carriers = "".join(
        f'<div><span class="carrier-pin small" style="background:{colour}">'
        f'<i class="fa-solid {icon}"></i></span>{escaped(translate(f"type.{kind}", lang))}</div>'
        for kind, (colour, icon) in TYPE_STYLES.items())
    return (f'<h4>{escaped(translate("legend.towns", lang))}</h4>{towns}'
            f'<h4>{escaped(translate("legend.carriers", lang))}</h4>{carriers}'
            f'<div class="note">{escaped(translate("legend.faded", lang))}</div>')
