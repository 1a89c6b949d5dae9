"""The intranet tile server as a basemap: its settings, its templates and its messages.

Settings come from secrets (``[tiles]``) or the environment
(``CARRIER_MAP_TILES_*``); bad ones give a message in either language that
names the setting, the value and the fix — and never the key in the URL.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from geo import ConfigError, load_dataset, translate
from geo.coords import wgs84_to_gcj02
from render.basemaps import (
    DEFAULT_MAX_ZOOM,
    DEFAULT_MIN_ZOOM,
    NO_BASEMAP,
    basemap_offer,
    builtin_source,
    intranet_source,
    redacted,
)
from render.mapview import carrier_map, clicked_point

SECRET = "s3cr3t-key-0042"
XYZ = "http://10.0.0.5/tiles/{z}/{x}/{y}.png"
WMTS_REST = ("https://gis.intranet/arcgis/rest/services/vec/MapServer/WMTS/tile/1.0.0/vec/"
             "default/GoogleMapsCompatible/{TileMatrix}/{TileRow}/{TileCol}.png")
WMTS_KVP = ("http://10.1.1.1/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
            "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={TileMatrix}"
            "&TILEROW={TileRow}&TILECOL={TileCol}&tk=" + SECRET)


def env(**settings: str) -> dict[str, str]:
    """Environment variables ``CARRIER_MAP_TILES_<NAME>`` from keyword arguments."""
    return {f"CARRIER_MAP_TILES_{name.upper()}": value for name, value in settings.items()}


@pytest.fixture(scope="module")
def sample():
    data = load_dataset()
    return data.check(), data.boundaries.towns


def problem(secrets=None, environ=None) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        intranet_source(secrets or {}, environ or {})
    return raised.value


def test_nothing_configured_offers_the_built_in_basemaps_with_none_first():
    assert intranet_source({}, {}) is None
    offer = basemap_offer({}, {})
    assert offer.default == NO_BASEMAP and offer.problem is None
    assert "intranet" not in offer.keys


def test_a_configured_server_is_offered_first_by_its_name_and_is_the_default():
    offer = basemap_offer({}, env(url=XYZ, name="内网地图", attribution="© 太仓市自然资源局",
                                  min_zoom="8", max_zoom="16"))
    tiles = offer.default
    assert offer.keys == ("intranet", "none", "osm", "gaode")
    assert (tiles.title("zh"), tiles.title("en")) == ("内网地图", "内网地图")
    assert tiles.system == "WGS84" and (tiles.min_zoom, tiles.max_zoom) == (8, 16)
    assert [layer.url for layer in tiles.layers] == [XYZ]
    assert tiles.layers[0].attribution == "© 太仓市自然资源局"
    assert not tiles.internet
    assert offer.source("gone") == tiles, "a key no longer offered falls back to the default"


def test_unnamed_server_is_named_in_the_language_and_credited_by_that_name(sample):
    tiles = intranet_source({}, env(url=XYZ))
    assert (tiles.title("zh"), tiles.title("en")) == ("内网地图", "Intranet map")
    assert (tiles.min_zoom, tiles.max_zoom) == (DEFAULT_MIN_ZOOM, DEFAULT_MAX_ZOOM)
    page = carrier_map(*sample, "en", tiles=tiles).get_root().render()
    assert '"attribution": "Intranet map"' in page


def test_secrets_come_before_the_environment_field_by_field():
    secrets = {"tiles": {"url": WMTS_REST, "crs": "GCJ-02", "subdomains": "ignored?"}}
    with pytest.raises(ConfigError) as raised:
        intranet_source(secrets, env(url=XYZ))
    assert raised.value.params["setting"] == "[tiles] subdomains (secrets.toml)"
    tiles = intranet_source({"tiles": {"url": WMTS_REST, "crs": "GCJ-02"}},
                            env(url=XYZ, name="环境变量名", max_zoom="17"))
    assert tiles.layers[0].url.endswith("/GoogleMapsCompatible/{z}/{y}/{x}.png")
    assert tiles.system == "GCJ02"
    assert tiles.label == "环境变量名" and tiles.max_zoom == 17
    top_level = intranet_source({"CARRIER_MAP_TILES_URL": XYZ}, {})
    assert top_level.layers[0].url == XYZ


@pytest.mark.parametrize("template, leaflet", [
    (XYZ, XYZ),
    (WMTS_REST, WMTS_REST.replace("{TileMatrix}/{TileRow}/{TileCol}", "{z}/{y}/{x}")),
    (WMTS_KVP, WMTS_KVP.replace("{TileMatrix}", "{z}").replace("{TileRow}", "{y}")
     .replace("{TileCol}", "{x}")),
    ("http://h/wmts?tilematrix=EPSG:900913:{tilematrix}&tilerow={tilerow}&tilecol={tilecol}",
     "http://h/wmts?tilematrix=EPSG:900913:{z}&tilerow={y}&tilecol={x}"),
    ("http://h/gwc/service/tms/1.0.0/osm@EPSG:900913@png/{z}/{x}/{-y}.png",
     "http://h/gwc/service/tms/1.0.0/osm@EPSG:900913@png/{z}/{x}/{-y}.png"),
    ("/tiles/{z}/{x}/{y}.png", "/tiles/{z}/{x}/{y}.png"),
])
def test_xyz_and_wmts_templates_become_leaflet_templates(template, leaflet):
    assert intranet_source({}, env(url=template)).layers[0].url == leaflet


def test_several_templates_are_drawn_bottom_first_with_their_subdomains(sample):
    vec = "http://t{s}.mirror/vec/{z}/{x}/{y}.png"
    cva = "http://t{s}.mirror/cva/{z}/{x}/{y}.png"
    tiles = intranet_source({"tiles": {"url": [vec, cva], "subdomains": "0123"}}, {})
    assert [layer.url for layer in tiles.layers] == [vec, cva]
    assert tiles.layers[0].subdomains == "0123"
    listed = intranet_source({}, env(url=vec, subdomains="t0, t1"))
    assert listed.layers[0].subdomains == ("t0", "t1")
    page = carrier_map(*sample, tiles=tiles).get_root().render()
    assert page.count("L.tileLayer(") == 2 and '"subdomains": "0123"' in page


@pytest.mark.parametrize("crs, system", [("WGS84", "WGS84"), ("cgcs2000", "WGS84"),
                                         ("EPSG:4490", "WGS84"), ("gcj02", "GCJ02"),
                                         ("GCJ-02", "GCJ02")])
def test_coordinate_systems(crs, system):
    assert intranet_source({}, env(url=XYZ, crs=crs)).system == system


def test_a_gcj02_server_shifts_the_overlays_as_gaode_does_and_clicks_come_back(sample):
    """The GCJ-02 shift for an intranet server, checked on the map as rendered.

    Apart from its tiles, the map on a GCJ-02 intranet server is the map on
    Gaode, line for line: towns, labels, carriers and bounds all shifted.
    """
    tiles = intranet_source({}, env(url=XYZ, crs="GCJ02"))
    intranet = _without_tiles(carrier_map(*sample, tiles=tiles))
    gaode = _without_tiles(carrier_map(*sample, tiles=builtin_source("gaode")))
    plain = _without_tiles(carrier_map(*sample))
    wgs84 = _without_tiles(carrier_map(*sample, tiles=intranet_source({}, env(url=XYZ))))
    assert intranet == gaode and wgs84 == plain
    assert _fitted_bounds(intranet) != _fitted_bounds(plain)
    shifted_lon, shifted_lat = wgs84_to_gcj02(np.array([121.1]), np.array([31.5]))
    back = clicked_point(float(shifted_lon[0]), float(shifted_lat[0]), tiles.system)
    assert back == pytest.approx((121.1, 31.5), abs=1e-6)


def test_the_map_takes_the_configured_zoom_range(sample):
    tiles = intranet_source({}, env(url=XYZ, min_zoom="3", max_zoom="20"))
    page = carrier_map(*sample, tiles=tiles).get_root().render()
    options = page.split("L.map(", 1)[1].split(");", 1)[0]
    assert '"minZoom": 3' in options and '"maxZoom": 20' in options
    layer = page.split("L.tileLayer(", 1)[1].split(");", 1)[0]
    assert '"minZoom": 3' in layer and '"maxZoom": 20' in layer


def test_attribution_is_shown_as_text():
    tiles = intranet_source({}, env(url=XYZ, attribution="<b>局</b> & co"))
    assert tiles.layers[0].attribution == "&lt;b&gt;局&lt;/b&gt; &amp; co"


@pytest.mark.parametrize("settings, code, setting", [
    (env(url="ftp://h/{z}/{x}/{y}"), "tiles.bad_url", "URL"),
    (env(url="10.0.0.5/{z}/{x}/{y}.png"), "tiles.bad_url", "URL"),
    (env(url="http://h/{z}/{x}.png"), "tiles.missing_placeholder", "URL"),
    (env(url="http://h/{z}/{x}/{y}/{Style}.png"), "tiles.unknown_placeholder", "URL"),
    (env(url="http://h/vec_c/wmts?TILEMATRIXSET=c&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"),
     "tiles.geographic_matrix", "URL"),
    (env(url=XYZ, crs="EPSG:3395"), "tiles.unknown_crs", "CRS"),
    (env(url=XYZ, crs="BD-09"), "tiles.bd09", "CRS"),
    (env(url=XYZ, max_zoom="eighteen"), "tiles.bad_zoom", "MAX_ZOOM"),
    (env(url=XYZ, min_zoom="-1"), "tiles.bad_zoom", "MIN_ZOOM"),
    (env(url=XYZ, max_zoom="30"), "tiles.bad_zoom", "MAX_ZOOM"),
    (env(url=XYZ, min_zoom="12", max_zoom="10"), "tiles.zoom_order", "MIN_ZOOM"),
    (env(url="http://t{s}.h/{z}/{x}/{y}.png"), "tiles.subdomains_missing", "URL"),
    (env(url=XYZ, subdomains="abc"), "tiles.subdomains_unused", "SUBDOMAINS"),
])
def test_unusable_settings_name_the_setting_the_value_and_the_fix(settings, code, setting):
    error = problem(environ=settings)
    assert error.code == code
    variable = f"CARRIER_MAP_TILES_{setting}"
    for lang in ("zh", "en"):
        message = error.message(lang)
        assert not re.search(r"\{(setting|value|\w+_setting)\}|—", message), message
        assert variable in message and settings[variable] in message


def test_settings_without_a_url_are_pointed_out():
    error = problem(environ=env(crs="GCJ02", max_zoom="16"))
    assert error.code == "tiles.without_url"
    for lang in ("zh", "en"):
        assert all(name in error.message(lang) for name in (
            "CARRIER_MAP_TILES_CRS", "CARRIER_MAP_TILES_MAX_ZOOM", "CARRIER_MAP_TILES_URL"))


def test_bd09_is_refused_saying_why():
    message = problem(environ=env(url=XYZ, crs="BD09")).message("en")
    assert "Baidu" in message and "Leaflet" in message and "GCJ02" in message


def test_a_key_in_the_url_is_never_shown():
    for url in (WMTS_KVP.replace("{TileCol}", "{Oops}"),
                f"http://user:{SECRET}@h/{{z}}/{{x}}.png",
                f"http://h/{{z}}/{{x}}.png?token={SECRET}",
                f"ftp://h/{{z}}/{{x}}/{{y}}.png?key={SECRET}&ak={SECRET}"):
        error = problem(environ=env(url=url))
        for lang in ("zh", "en"):
            assert SECRET not in error.message(lang)
        assert SECRET not in str(error) and SECRET not in repr(error.params)
    tiles = intranet_source({}, env(url=WMTS_KVP))
    assert SECRET in tiles.layers[0].url, "the browser still gets the key it needs"
    assert SECRET not in repr(tiles)
    assert redacted(WMTS_KVP).endswith("TILECOL={TileCol}&tk=***")


def test_the_sidebar_offers_the_server_first_and_says_why_it_cannot(monkeypatch):
    """In the app: the server is the default by its name; a bad one is explained, no traceback."""
    from tests.test_app import open_app, shown

    monkeypatch.setenv("CARRIER_MAP_TILES_URL", XYZ)
    monkeypatch.setenv("CARRIER_MAP_TILES_NAME", "内网地图")
    app = open_app("zh")
    basemap = app.sidebar.selectbox(key="basemap_zh")
    assert basemap.options[0] == "内网地图" and basemap.value == "intranet"
    captions = [caption.value for caption in app.sidebar.caption]
    assert translate("sidebar.basemap_intranet", "zh") in captions
    assert translate("sidebar.basemap_online", "zh") not in captions

    monkeypatch.setenv("CARRIER_MAP_TILES_URL", WMTS_KVP.replace("{TileCol}", "{Oops}"))
    app = open_app("en")
    basemap = app.sidebar.selectbox(key="basemap_en")
    assert basemap.value == "none" and "内网地图" not in basemap.options
    warning = next(shown(w.value) for w in app.sidebar.warning if "TILES_URL" in shown(w.value))
    assert "CARRIER_MAP_TILES_URL" in warning and "{Oops}" in warning
    assert "tk=***" in warning and SECRET not in warning


def test_a_bad_server_leaves_the_other_basemaps_on_offer():
    offer = basemap_offer({}, env(url=XYZ, crs="BD09"))
    assert offer.default == NO_BASEMAP and "intranet" not in offer.keys
    assert offer.problem is not None and offer.problem.code == "tiles.bd09"


def _without_tiles(fmap) -> str:
    """The rendered page less its tile layers and folium's random element ids."""
    page = re.sub(r"_[0-9a-f]{32}\b", "_ID", fmap.get_root().render())
    page = re.sub(r"var tile_layer_ID = L\.tileLayer\(.*?\);|tile_layer_ID\.addTo\(map_ID\);", "",
                  page, flags=re.S)
    return re.sub(r"\s+", " ", page)


def _fitted_bounds(page: str) -> str:
    return re.search(r"CarrierMap.fit\(\w+, (\[\[.*?\]\])", page, re.S).group(1)
