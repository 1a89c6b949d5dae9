"""Basemaps the user may choose, as typed tile sources, and the system each is drawn in.

A basemap is one :class:`TileSource`: its tile layers (URL templates,
subdomains, attribution), the coordinate system the tiles are drawn in and
the zoom range. The sidebar chooses one source per session and every map
takes it whole, so a key, a system or a zoom range never travels apart from
its tiles.

``none`` draws only the boundaries and needs no network, so it is the
default. Tianditu (CGCS2000, which matches WGS84 at map scale) is offered only
when a key is configured. Gaode tiles are in GCJ-02, so overlays must be
shifted into GCJ-02 to line up with them (see :mod:`render.mapview`).

An intranet tile server (an internal Tianditu mirror, GeoServer, ArcGIS
Server) is configured with an XYZ or WMTS URL template (:func:`intranet_source`);
when it is, it is offered first and is the default, since a deployment that
has one wants its map on.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import xyzservices
import xyzservices.providers as providers

from geo._errors import ConfigError
from geo.i18n import Lang, translate
from geo.schema import CRS_ALIASES, normalise_token

__all__ = ["BASEMAPS", "DEFAULT_MAX_ZOOM", "DEFAULT_MIN_ZOOM", "NO_BASEMAP", "TILES_ENV",
           "Basemap", "BasemapOffer", "TileSource", "TileSystem", "TileTemplate",
           "basemap_offer", "builtin_source", "intranet_source", "redacted", "tianditu_key"]

Basemap = Literal["none", "osm", "tianditu", "gaode", "intranet"]
BASEMAPS: tuple[Basemap, ...] = ("none", "osm", "tianditu", "gaode")
"""The basemaps built in, in the order offered (the intranet source goes first)."""
TileSystem = Literal["WGS84", "GCJ02"]
TIANDITU_ENV = "TIANDITU_TK"
DEFAULT_MIN_ZOOM = 6
DEFAULT_MAX_ZOOM = 18
_ZOOM_LIMIT = 24

_TIANDITU_URL = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                 "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                 "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}")


@dataclass(frozen=True)
class TileTemplate:
    """One tile layer: a Leaflet URL template, its attribution (HTML) and subdomains.

    The URL may hold a key (Tianditu's ``tk``, a token of an intranet
    server), so it is left out of ``repr`` and never put in a message
    (:func:`redacted`). An attribution of ``None`` credits the source by
    its title in the map's language.
    """

    url: str = field(repr=False)
    attribution: str | None
    subdomains: str | tuple[str, ...] = "abc"


@dataclass(frozen=True)
class TileSource:
    """A basemap as a map draws it: tile layers (bottom first), system and zoom range.

    Parameters
    ----------
    key
        ``none``, ``osm``, ``tianditu``, ``gaode`` or ``intranet``.
    label
        The configured name of an intranet source; ``None`` for the built-in
        ones, which are named by the catalogue (``basemap.<key>``).
    layers
        The tile layers; none for ``none``.
    system
        The coordinate system the tiles are drawn in: overlays are shifted
        into it, clicks converted back from it.
    min_zoom, max_zoom
        The zoom range of the map drawn on this source.
    internet
        Whether the tiles come from the internet (the sidebar says so).
    """

    key: Basemap
    label: str | None = None
    layers: tuple[TileTemplate, ...] = ()
    system: TileSystem = "WGS84"
    min_zoom: int = DEFAULT_MIN_ZOOM
    max_zoom: int = DEFAULT_MAX_ZOOM
    internet: bool = False

    def title(self, lang: Lang) -> str:
        """The name shown in the basemap choice."""
        return self.label or translate(f"basemap.{self.key}", lang)


NO_BASEMAP = TileSource("none")
"""Boundaries only: no tiles, no network; the default without an intranet server."""


@dataclass(frozen=True)
class BasemapOffer:
    """The basemaps to offer (the default first) and why a configured server is not among them.

    ``problem`` is set when an intranet tile server is configured but its
    settings cannot be used; the other basemaps are offered all the same.
    """

    sources: tuple[TileSource, ...]
    problem: ConfigError | None = None

    @property
    def default(self) -> TileSource:
        """The source a session starts with: the intranet server if any, else ``none``."""
        return self.sources[0]

    @property
    def keys(self) -> tuple[Basemap, ...]:
        """The sources' keys, in the order offered."""
        return tuple(source.key for source in self.sources)

    def source(self, key: str) -> TileSource:
        """The offered source with ``key``; the default for a key no longer offered."""
        return next((source for source in self.sources if source.key == key), self.default)


def tianditu_key(secrets: Mapping[str, Any] | None = None,
                 environ: Mapping[str, str] | None = None) -> str | None:
    """The Tianditu key ``tk``, or ``None`` when none is configured.

    Looked up in secrets (``TIANDITU_TK`` or ``[tianditu] tk``), then in the
    ``TIANDITU_TK`` environment variable. Never stored in the repository.
    """
    secrets = secrets or {}
    environ = os.environ if environ is None else environ
    section = secrets.get("tianditu")
    candidates = [secrets.get(TIANDITU_ENV),
                  section.get("tk") if isinstance(section, Mapping) else None,
                  environ.get(TIANDITU_ENV)]
    return next((str(c).strip() for c in candidates if c and str(c).strip()), None)


def _from_provider(provider: xyzservices.TileProvider) -> TileTemplate:
    """A provider's layer as folium would draw it (the same URL, subdomains, attribution)."""
    return TileTemplate(url=provider.build_url(fill_subdomain=False, scale_factor="{r}"),
                        attribution=provider.html_attribution,
                        subdomains=provider.get("subdomains", "abc"))


def _tianditu(layer: str, tk: str) -> TileTemplate:
    return _from_provider(xyzservices.TileProvider(
        name=f"Tianditu.{layer}", url=_TIANDITU_URL, layer=layer, tk=tk, subdomains="01234567",
        max_zoom=18, attribution="© 天地图 Tianditu (tianditu.gov.cn)",
        html_attribution='&copy; <a href="https://www.tianditu.gov.cn/">天地图</a>',
    ))


def builtin_source(basemap: Basemap, tianditu_tk: str | None = None) -> TileSource:
    """The built-in basemap ``basemap`` (Tianditu with its key).

    Raises
    ------
    ValueError
        For an unknown basemap, or Tianditu without a key.
    """
    if basemap == "none":
        return NO_BASEMAP
    if basemap == "osm":
        return TileSource("osm", layers=(_from_provider(providers.OpenStreetMap.Mapnik),),
                          internet=True)
    if basemap == "gaode":
        return TileSource("gaode", layers=(_from_provider(providers.Gaode.Normal),),
                          system="GCJ02", internet=True)
    if basemap == "tianditu":
        if not tianditu_tk:
            raise ValueError(f"basemap 'tianditu' needs a key: set {TIANDITU_ENV}")
        return TileSource("tianditu", layers=(_tianditu("vec", tianditu_tk),
                                              _tianditu("cva", tianditu_tk)), internet=True)
    raise ValueError(f"`basemap` was {basemap!r} but is expected to be in {BASEMAPS}")


# --- the intranet tile server ---------------------------------------------------------------
TILES_ENV = "CARRIER_MAP_TILES"
"""The prefix of the environment variables (and top-level secrets) of the tile server."""
_TILES_SECTION = "tiles"
_FIELDS = ("url", "crs", "attribution", "min_zoom", "max_zoom", "name", "subdomains")

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_WMTS_PLACEHOLDERS = {"tilematrix": "{z}", "tilerow": "{y}", "tilecol": "{x}"}
"""WMTS template names (RESTful ``{TileMatrix}`` …, any case) and Leaflet's equivalents."""
_LEAFLET_PLACEHOLDERS = {"z", "x", "y", "-y", "s", "r"}
_GEOGRAPHIC_MATRIX_SETS = {"c", "epsg:4326", "epsg:4490", "4326", "4490", "cgcs2000",
                           "wgs84", "crs84", "worldcrs84quad"}
"""Tile matrix sets in degrees (Tianditu ``c``, GeoServer ``EPSG:4326``): not Web Mercator."""
_SECRET_VALUE = re.compile(
    r"([?&;](?:tk|ak|sk|key|[\w.-]*api_?key|[\w.-]*token|[\w.-]*secret|password|passwd|pwd|"
    r"sig|signature|auth[\w.-]*|credential[\w.-]*)=)[^&#;]*", re.IGNORECASE)
"""A query parameter named like a key (``tk``, ``key``, ``token``, ``ak`` …) and its value."""
_USERINFO = re.compile(r"(?<=//)[^/@?#]*@")


def _setting(field_name: str, secrets: Mapping[str, Any], environ: Mapping[str, str],
             ) -> tuple[str, str] | None:
    """A tile setting's text and where it was found, or ``None`` when it is not set.

    Looked up as :func:`tianditu_key` does: secrets (``[tiles] <field>``, then
    ``CARRIER_MAP_TILES_<FIELD>``), then the environment variable
    ``CARRIER_MAP_TILES_<FIELD>``. The place is named in messages as the
    administrator wrote it.
    """
    variable = f"{TILES_ENV}_{field_name.upper()}"
    section = secrets.get(_TILES_SECTION)
    candidates = [
        (section.get(field_name) if isinstance(section, Mapping) else None,
         f"[{_TILES_SECTION}] {field_name} (secrets.toml)"),
        (secrets.get(variable), f"{variable} (secrets.toml)"),
        (environ.get(variable), variable),
    ]
    for value, place in candidates:
        if isinstance(value, (list, tuple)):
            value = " ".join(str(v) for v in value)
        if value is not None and str(value).strip():
            return str(value).strip(), place
    return None


def redacted(url: str) -> str:
    """``url`` fit to show: a password, key or token in it replaced by ``***``.

    The user and password before the host, and the value of every query
    parameter named like a key, are hidden; the rest stays as written, so a
    message can still point at what is wrong.
    """
    return _SECRET_VALUE.sub(r"\1***", _USERINFO.sub("***@", url))


def _leaflet_template(url: str, place: str) -> str:
    """``url`` with WMTS placeholders as Leaflet's, checked to name a Web Mercator tile.

    Raises
    ------
    ConfigError
        Not http(s) or a path on this site, an unknown placeholder, a tile
        coordinate missing, or a tile matrix set in degrees.
    """
    shown = redacted(url)
    parts = urlsplit(url)
    on_the_web = parts.scheme in ("http", "https") and bool(parts.netloc)
    on_this_site = not parts.scheme and url.startswith("/") and not url.startswith("//")
    if not (on_the_web or on_this_site):
        raise ConfigError("tiles.bad_url", setting=place, value=shown)
    for name, value in parse_qsl(parts.query):
        if name.lower() == "tilematrixset" and value.strip().lower() in _GEOGRAPHIC_MATRIX_SETS:
            raise ConfigError("tiles.geographic_matrix", setting=place, value=shown,
                              matrix_set=value)
    if re.search(r"/[a-z]{3}_c/wmts", parts.path, re.IGNORECASE):
        raise ConfigError("tiles.geographic_matrix", setting=place, value=shown,
                          matrix_set="c")

    def leaflet(match: re.Match) -> str:
        name = match.group(1).strip()
        if name.lower() in _WMTS_PLACEHOLDERS:
            return _WMTS_PLACEHOLDERS[name.lower()]
        if name in _LEAFLET_PLACEHOLDERS:
            return "{" + name + "}"
        raise ConfigError("tiles.unknown_placeholder", setting=place, value=shown,
                          placeholder=match.group(0))

    template = _PLACEHOLDER.sub(leaflet, url)
    found = set(_PLACEHOLDER.findall(template))
    missing = [f"{{{name}}}" for name in ("z", "x") if name not in found]
    if not found & {"y", "-y"}:
        missing.append("{y}")
    if missing:
        raise ConfigError("tiles.missing_placeholder", setting=place, value=shown,
                          missing="、".join(missing))
    return template


def _system(text: str, place: str) -> TileSystem:
    system = CRS_ALIASES.get(normalise_token(text))
    if system == "BD09":
        raise ConfigError("tiles.bd09", setting=place, value=text)
    if system is None:
        raise ConfigError("tiles.unknown_crs", setting=place, value=text)
    return system


def _zoom(setting: tuple[str, str] | None, default: int) -> int:
    if setting is None:
        return default
    text, place = setting
    if not re.fullmatch(r"\d+", text) or int(text) > _ZOOM_LIMIT:
        raise ConfigError("tiles.bad_zoom", setting=place, value=text, limit=_ZOOM_LIMIT)
    return int(text)


def _subdomains(setting: tuple[str, str] | None, templates: list[str],
                url_place: str) -> str | tuple[str, ...]:
    """Leaflet's subdomains: ``a,b,c`` as a list, ``0123`` as one letter each."""
    uses_them = any("{s}" in template for template in templates)
    if setting is None:
        if uses_them:
            raise ConfigError("tiles.subdomains_missing", setting=url_place,
                              value=redacted(" ".join(templates)),
                              subdomains_setting=f"{TILES_ENV}_SUBDOMAINS")
        return "abc"
    text, place = setting
    if not uses_them:
        raise ConfigError("tiles.subdomains_unused", setting=place, value=text,
                          url_setting=url_place)
    if not re.search(r"[,\s，]", text):
        return text  # Leaflet's short form: one subdomain per character ("0123")
    return tuple(name for name in re.split(r"[,\s，]+", text) if name)


def intranet_source(secrets: Mapping[str, Any] | None = None,
                    environ: Mapping[str, str] | None = None) -> TileSource | None:
    """The configured intranet tile server as a source, or ``None`` when none is configured.

    Settings (see :func:`_setting` for where they are read): ``url`` — one
    XYZ template (``{z}/{x}/{y}``, optionally ``{s}``) or WMTS template (KVP
    or RESTful, a Web Mercator tile matrix set; ``{TileMatrix}``,
    ``{TileRow}``, ``{TileCol}`` become ``{z}``, ``{y}``, ``{x}``), or
    several separated by spaces, drawn bottom first (a Tianditu mirror's
    ``vec`` and ``cva``); ``crs`` — WGS84 or CGCS2000 (the default) or GCJ-02;
    ``attribution``; ``min_zoom``, ``max_zoom``; ``name`` for the sidebar;
    ``subdomains`` for ``{s}``.

    Raises
    ------
    ConfigError
        For a setting that cannot be used, naming the setting, the value
        (any key in the URL hidden) and the fix.
    """
    secrets = secrets or {}
    environ = os.environ if environ is None else environ
    settings = {name: _setting(name, secrets, environ) for name in _FIELDS}
    if settings["url"] is None:
        others = [setting[1] for setting in settings.values() if setting]
        if others:
            raise ConfigError("tiles.without_url", settings="、".join(others),
                              url_setting=_place(settings, "url"))
        return None
    urls, url_place = settings["url"]
    templates = [_leaflet_template(url, url_place) for url in urls.split()]
    system = _system(*settings["crs"]) if settings["crs"] else "WGS84"
    min_zoom = _zoom(settings["min_zoom"], DEFAULT_MIN_ZOOM)
    max_zoom = _zoom(settings["max_zoom"], DEFAULT_MAX_ZOOM)
    if min_zoom > max_zoom:
        raise ConfigError("tiles.zoom_order", min_zoom=min_zoom, max_zoom=max_zoom,
                          min_setting=_place(settings, "min_zoom"),
                          max_setting=_place(settings, "max_zoom"))
    subdomains = _subdomains(settings["subdomains"], templates, url_place)
    name = settings["name"][0] if settings["name"] else None
    # Leaflet shows the attribution as HTML; the configured text is shown as text.
    attribution = html.escape(settings["attribution"][0]) if settings["attribution"] else None
    layers = tuple(TileTemplate(url=template, attribution=attribution, subdomains=subdomains)
                   for template in templates)
    return TileSource("intranet", label=name, layers=layers, system=system,
                      min_zoom=min_zoom, max_zoom=max_zoom)


def _place(settings: Mapping[str, tuple[str, str] | None], field_name: str) -> str:
    """Where a setting was found, or the environment variable that would set it."""
    setting = settings[field_name]
    return setting[1] if setting else f"{TILES_ENV}_{field_name.upper()}"


def basemap_offer(secrets: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> BasemapOffer:
    """The basemaps to offer this deployment, the default first.

    The intranet tile server when one is configured (and usable), then
    ``none``, OpenStreetMap, Tianditu when a key is configured, and Gaode.
    A configured server whose settings cannot be used is left out and its
    problem returned, so the app still works with the other basemaps.
    """
    key = tianditu_key(secrets, environ)
    builtin = tuple(builtin_source(b, key) for b in BASEMAPS if b != "tianditu" or key)
    try:
        intranet = intranet_source(secrets, environ)
    except ConfigError as problem:
        return BasemapOffer(builtin, problem)
    return BasemapOffer(((intranet,) if intranet else ()) + builtin)
