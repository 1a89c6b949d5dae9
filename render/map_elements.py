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
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from geo.check import BANDS, REASONS
from geo.i18n import Lang, translate
from geo.schema import CARRIER_TYPES, STATUSES
from render.palette import (
    BAND_COLOURS,
    BAND_TEXT_COLOURS,
    HALO,
    INK,
    MISSING_COLOUR,
    MUTED_INK,
    TYPE_STYLES,
)

__all__ = ["CarrierLayer", "CarrierPoints", "DataElement", "IconPath", "InitialView", "Legend",
           "MapAssets", "PaletteStyle", "TownLabels", "TownLayer", "WheelZoom", "escaped",
           "legend_html"]


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
        """Leaflet, the marker-cluster plugin and the map's own behaviour."""
        return [("leaflet", f"{self.base_url}/leaflet/leaflet.js"),
                ("markercluster", f"{self.base_url}/markercluster/leaflet.markercluster.js"),
                ("carrier_map", f"{self.base_url}/carrier-map.js")]

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


class _Text(Element):
    """Text put into the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class DataElement(MacroElement):
    """A map element whose script carries data (a province is megabytes of it).

    Branca would compile each element's rendered script as a new Jinja
    template on every render: seconds of tokenising for a large register,
    and braces in a carrier's name would be read as template code. Here the
    script is rendered once from the element's own macro and added as text.
    """

    def render(self, **kwargs) -> None:
        """Add the script, as rendered text, to the page; then the children."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("the element can be rendered only inside a folium Figure")
        figure.script.add_child(_Text(self._template.module.script(self, kwargs)),
                                name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class CarrierLayer(JSCSSMixin, DataElement):
    """Carrier markers from named columns, clustered when there are many.

    ``columns`` (:func:`render.mapview.carrier_rows`) holds one list per field
    (``lat``, ``lon``, ``type``, ``counts``, ``id``, ``name``, ``status``,
    ``area``, ``opened``, ``town``, ``reason``; strings already escaped; type,
    status, town and reason as indexes into shared lists): the JavaScript
    reads fields by name, and the page stays small with 10,000 carriers;
    popups are built only when opened (``static/carrier-map.js``).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CarrierMap.carriers({{ this._parent.get_name() }},
            {{ this.columns_json }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, columns: dict[str, list], towns: list[str], lang: Lang,
                 assets: MapAssets, cluster: bool):
        super().__init__()
        self._name = "CarrierLayer"
        self.columns_json = htmlsafe_json_dumps(columns, separators=(",", ":"))
        self.options = {
            "cluster": cluster,
            "towns": towns,
            "reasons": [escaped(translate(f"reason.{reason}", lang)) for reason in REASONS],
            "types": _type_options(lang),
            "statuses": [escaped(translate(f"status.{s}", lang)) for s in STATUSES],
            "labels": {key: escaped(translate(code, lang)) for key, code in (
                ("id", "col.id"), ("type", "col.type"), ("area", "col.area"),
                ("opened", "col.opened"), ("status", "col.status"), ("town", "col.town"),
                ("reason", "col.reason"))},
        }
        self.default_js = assets.js
        self.default_css = assets.css


class CarrierPoints(JSCSSMixin, DataElement):
    """Many carriers as compact points, clustered in the browser; names stay on the server.

    ``packed`` (:func:`render.mapview.packed_points`) holds every position as
    base64 int32 offsets and one kind byte each (type index × 2, plus 1 when
    the carrier counts): about 12 bytes a carrier, so 100,000 carriers are
    1.2 MB rather than 10 MB with names and popups. ``static/carrier-map.js``
    draws only what is on screen, grouped into one cluster per 80 px cell:
    clusters ringed in their mix of types, and single carriers in their
    type's colour and icon, whose tooltip says how to reach the name — a click
    opens the carrier's town, whose map lists every carrier in full.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CarrierMap.points({{ this._parent.get_name() }},
            {{ this.packed_json }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, packed: dict[str, object], lang: Lang, assets: MapAssets):
        super().__init__()
        self._name = "CarrierPoints"
        self.packed_json = htmlsafe_json_dumps(packed, separators=(",", ":"))
        self.options = {
            "types": _type_options(lang),
            "labels": {key: escaped(translate(code, lang)) for key, code in (
                ("zoom", "map.cluster_zoom"), ("counts", "map.point_counts"),
                ("notCounted", "map.point_not_counted"), ("hint", "map.point_hint"))},
        }
        # The browser fills in the figures of each cluster.
        self.options["labels"]["cluster"] = escaped(translate(
            "map.cluster_title", lang, count="{count}", counted="{counted}"))
        self.default_js = assets.js
        self.default_css = assets.css


def _type_options(lang: Lang) -> list[dict[str, str]]:
    """Each carrier type's colour, icon and label, in :data:`geo.schema.CARRIER_TYPES` order."""
    return [{"colour": TYPE_STYLES[t][0], "icon": TYPE_STYLES[t][1],
             "label": escaped(translate(f"type.{t}", lang))} for t in CARRIER_TYPES]


class TownLayer(DataElement):
    """The towns, coloured by progress, with a tooltip of their figures; a click goes to the map.

    ``outlines`` is the display outlines as integer steps, encoded already
    (:attr:`render.townshapes.TownShapes.outline_json`, the same for every
    map of one boundary file); ``columns`` (:func:`render.mapview.town_columns`)
    their origin and unit and one escaped text per town. The browser builds
    one polygon per town (``path.town-area.town-<position>``,
    ``band-<code>``), outlined thicker when focused, highlighted on hover.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CarrierMap.towns({{ this._parent.get_name() }},
            {{ this.columns_json }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, outlines: Markup, columns: dict[str, object], close_ratio: float,
                 lang: Lang):
        super().__init__()
        self._name = "TownLayer"
        texts = str(htmlsafe_json_dumps(columns, separators=(",", ":")))
        # Both parts are safe JSON already: joined as plain text (Markup + str would escape).
        self.columns_json = Markup("".join(['{"shapes":', str(outlines),
                                            "," + texts[1:] if len(texts) > 2 else "}"]))
        pct = round(close_ratio * 100)
        self.options = {
            "ink": INK, "missing": MISSING_COLOUR, "colours": dict(BAND_COLOURS),
            "bands": {band: escaped(translate(f"band.{band}", lang, pct=pct)) for band in BANDS},
            "aliases": [escaped(translate(code, lang)) for code in
                        ("col.town", "col.band", "col.new_area", "col.target")],
        }


class TownLabels(DataElement):
    """The towns' labels (name, figure, band in words) that never overlap one another.

    ``columns`` holds one list per field: ``lat``, ``lon``, ``room`` (from
    the label point to the town's nearest edge, degrees), ``name``,
    ``figure``, ``band`` (words, escaped), ``code`` (the band's code, for
    its style) and ``rank`` (0 = the largest town, placed first). After
    every zoom or move ``static/carrier-map.js`` drops the figure of a label
    that would touch a larger town's label, and hides it if it still does.
    A label is made only while its town is on screen with room for it, so a
    province's 1,250 towns seen whole cost no labels they could not show.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = CarrierMap.labels({{ this._parent.get_name() }},
            {{ this.columns_json }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, columns: dict[str, list], pane: str, presentation: bool = False,
                 extra_class: str = ""):
        super().__init__()
        self._name = "TownLabels"
        self.columns_json = htmlsafe_json_dumps(columns, separators=(",", ":"))
        self.options = {"pane": pane, "presentation": presentation, "extraClass": extra_class}


class InitialView(MacroElement):
    """The map fitted to its bounds at once, before any layer is drawn.

    folium's ``fit_bounds`` comes after the layers and animates the zoom from
    the starting one: every layer was drawn twice, the second time in one
    task when the animation ended (365 ms for a province's 1,250 towns and
    100,000 carriers, right after the map first showed). Added first, this
    sets the view with no animation, so each layer is drawn once, at the
    zoom it is seen at.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        CarrierMap.fit({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "InitialView"
        self.bounds = bounds


class WheelZoom(MacroElement):
    """The wheel scrolls the page until the map is clicked (or with Ctrl), with a hint."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        CarrierMap.wheel({{ this._parent.get_name() }}, {{ this.hint|tojson }});
        {% endmacro %}
    """)

    def __init__(self, lang: Lang):
        super().__init__()
        self._name = "WheelZoom"
        self.hint = escaped(translate("map.wheel_hint", lang))


class PaletteStyle(MacroElement):
    """The palette as CSS variables, so ``static/carrier-map.css`` holds no colour of its own."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>:root { {{ this.variables }} }</style>
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "PaletteStyle"
        names = {"--cm-ink": INK, "--cm-muted": MUTED_INK, "--cm-halo": HALO}
        names.update({f"--cm-band-{band}": colour for band, colour in BAND_COLOURS.items()})
        names.update({f"--cm-band-text-{band}": colour
                      for band, colour in BAND_TEXT_COLOURS.items()})
        self.variables = " ".join(f"{name}: {value};" for name, value in names.items())


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
    """A fixed box on the map explaining the town colours and the carrier symbols.

    ``presentation``: larger, and kept clear of the area first shown
    (:class:`InitialView`): on a projector of 1366 px it covered a town, so
    that area is fitted again beside or above it (``CarrierMap.keepClear``).
    Everyday maps keep their first view (a second fit would draw a
    province's layers twice; their legend is small).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: 'bottomright'});
        {{ this.get_name() }}.onAdd = function() {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.body|tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {%- if this.keep_clear %}
        CarrierMap.keepClear({{ this._parent.get_name() }}, {{ this.get_name() }}.getContainer());
        {%- endif %}
        {% endmacro %}
    """)

    def __init__(self, body: str, presentation: bool = False):
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.css_class = "map-legend present" if presentation else "map-legend"
        self.keep_clear = presentation


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
