"""The folium map as rendered HTML: local assets only, escaped text, shifted overlays."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import altair as alt
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import check, load_dataset, load_register, prepare_boundaries, translate
from geo.coords import wgs84_to_gcj02
from geo.settings import Targets
from render.basemaps import basemap_offer, builtin_source, tianditu_key
from render.charts import town_ranking
from render.mapview import MapAssets, carrier_map, clicked_point, shift, shown_towns
from render.tables import display_names
from render.townshapes import town_shapes
from tests.conftest import carrier, square_towns
from tests.province import detailed_coverage

XSS = "<img src=x onerror=alert(1)>"


def render(fmap) -> str:
    return fmap.get_root().render()


def call_arguments(page: str, function: str) -> tuple[dict, dict]:
    """The two objects after the map in ``CarrierMap.<function>(map, {...}, {...})``."""
    decoder = json.JSONDecoder()
    start = page.index("{", page.index(f"CarrierMap.{function}("))
    first, end = decoder.raw_decode(page, start)
    second, _ = decoder.raw_decode(page, page.index("{", end))
    return first, second


def carrier_columns(page: str) -> dict[str, list]:
    return call_arguments(page, "carriers")[0]


@pytest.fixture(scope="module")
def sample():
    data = load_dataset()
    return data.check(), data.boundaries.towns


_REFERENCE = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?|\burl\(\s*["']?|@import\s+["'])([^"'\s)>]+)""", re.I)
_ABSOLUTE = re.compile(r"""(?:\b[a-z][a-z0-9+.-]*:)?//[^\s"'<>)]+""", re.I)
_D3 = re.compile(r"d3(?:[.@_-].*)?", re.I)  # d3, d3.min.js, d3@7, d3-geo


def foreign_references(page: str, static: str = "/app/static/") -> list[str]:
    """What in ``page`` the browser would fetch from elsewhere than the app, or that names d3.

    Every ``src``/``href``/``url()``/``@import`` must be relative or under the
    app's static path, and no path segment may be d3's; any absolute or
    protocol-relative URL anywhere (also one built in a script) is foreign,
    and so is any mention of a CDN.
    """
    foreign = []
    for reference in _REFERENCE.findall(page):
        parts = urlsplit(reference)
        on_app = not parts.scheme and not parts.netloc and (
            not parts.path.startswith("/") or parts.path.startswith(static))
        if not on_app or any(_D3.fullmatch(s) for s in parts.path.split("/")):
            foreign.append(reference)
    foreign += _ABSOLUTE.findall(page)
    foreign += re.findall(r"\S*cdn\S*", page, re.I)
    return foreign


def test_every_asset_is_served_by_the_app(sample):
    page = render(carrier_map(*sample))
    assert len(_REFERENCE.findall(page)) >= 4, "leaflet, markercluster, font awesome, css"
    assert foreign_references(page) == []


@pytest.mark.parametrize("foreign", [
    '<script src="https://cdn.jsdelivr.net/npm/d3@7/dist/d3.min.js"></script>',
    '<script src="/app/static/d3/d3.min.js"></script>',
    "<script src='d3.v7.min.js'></script>",
    '<link rel="stylesheet" href="//unpkg.com/leaflet/dist/leaflet.css"/>',
    '<link rel="stylesheet" href="/elsewhere/leaflet.css"/>',
    "<style>@import 'https://fonts.googleapis.com/css2';</style>",
    "<style>.x {background: url(http://tiles.example/a.png)}</style>",
    '<script>L.tileLayer("https://{s}.tile.example/{z}/{x}/{y}.png")</script>',
])
def test_the_asset_check_catches_every_kind_of_foreign_reference(sample, foreign):
    page = render(carrier_map(*sample)).replace("</head>", foreign + "</head>", 1)
    assert foreign_references(page)


def test_asset_base_follows_the_deployment_path(sample):
    page = render(carrier_map(*sample, assets=MapAssets("/carriers/app/static")))
    assert '/carriers/app/static/leaflet/leaflet.js' in page


def test_one_styled_feature_per_town_and_one_row_per_placed_carrier(sample):
    result, towns = sample
    page = render(carrier_map(result, towns))
    outlines, _ = call_arguments(page, "towns")
    assert len(outlines["shapes"]) == len(outlines["label"]) == len(towns)
    assert outlines["focus"] == -1
    placed = result.carriers["usable"] & result.carriers["has_point"]
    columns = carrier_columns(page)
    assert set(columns) == {"lat", "lon", "type", "counts", "id", "name", "status", "area",
                            "opened", "town", "reason"}, "fields by name, not by position"
    assert {len(values) for values in columns.values()} == {int(placed.sum())}
    shown = result.carriers[placed]
    assert columns["id"] == shown["id"].tolist()
    assert columns["counts"] == (shown["reason"] == "counted").astype(int).tolist()
    assert call_arguments(page, "carriers")[1]["cluster"] is False, "few: no clustering"


@pytest.mark.parametrize("basemap", ["none", "osm"])
def test_many_carriers_are_clustered_on_a_map_with_a_zoom_range(sample, basemap):
    page = render(carrier_map(*sample, tiles=builtin_source(basemap), cluster_above=10))
    assert call_arguments(page, "carriers")[1]["cluster"] is True
    assert '"maxZoom": 18' in page.split("L.map(", 1)[1].split(");", 1)[0]


@pytest.fixture
def hostile(register_csv):
    towns = square_towns()
    towns.loc[0, "name_en"] = XSS
    register = load_register(register_csv([carrier("X1", name=XSS), carrier(XSS, name="ok")]))
    boundaries = prepare_boundaries(towns)
    return check(register, boundaries, Targets()), boundaries.towns


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_user_text_is_escaped_everywhere(hostile, lang):
    page = render(carrier_map(*hostile, lang=lang))
    as_javascript_sees_it = (page.replace("\\u0026", "&").replace("\\u003c", "<")
                             .replace("\\u003e", ">").replace("\\u0027", "'"))
    assert XSS not in as_javascript_sees_it
    assert as_javascript_sees_it.count("&lt;img src=x onerror=alert(1)&gt;") >= 2


def test_gaode_shifts_overlays_to_gcj02_and_clicks_back(sample):
    result, towns = sample
    wgs = render(carrier_map(result, towns))
    gcj = render(carrier_map(result, towns, tiles=builtin_source("gaode")))
    assert "autonavi.com" in gcj and "autonavi.com" not in wgs
    plain, shifted = carrier_columns(wgs), carrier_columns(gcj)
    lon, lat = wgs84_to_gcj02(np.array(plain["lon"]), np.array(plain["lat"]))
    assert shifted["lat"] == pytest.approx(lat.tolist(), abs=1e-6)
    assert shifted["lon"] == pytest.approx(lon.tolist(), abs=1e-6)
    back = clicked_point(shifted["lon"][0], shifted["lat"][0], builtin_source("gaode").system)
    assert back == pytest.approx((plain["lon"][0], plain["lat"][0]), abs=1e-6)
    assert clicked_point(121.1, 31.5, builtin_source("osm").system) == (121.1, 31.5)


def test_the_shifted_towns_are_kept_per_geometry_and_match_a_fresh_shift(sample):
    _, towns = sample
    gcj, shapes = shown_towns(towns, "GCJ02")
    fresh = towns.assign(geometry=shift(towns.geometry, "GCJ02"))
    assert gcj.geom_equals_exact(fresh.geometry, tolerance=0).all()
    assert gcj.drop(columns="geometry").equals(towns.drop(columns="geometry"))
    assert shapes == town_shapes(fresh)
    again, kept = shown_towns(towns, "GCJ02")
    assert kept is shapes and again.geom_equals_exact(gcj.geometry, tolerance=0).all()
    plain, plain_shapes = shown_towns(towns, "WGS84")
    assert plain.geom_equals_exact(towns.geometry, tolerance=0).all()
    assert plain_shapes == town_shapes(towns)
    # New geometry (or a new frame with other columns) is shifted anew / keeps its names.
    moved = towns.assign(geometry=towns.geometry.translate(0.01, 0))
    assert not shown_towns(moved, "GCJ02")[0].geom_equals_exact(gcj.geometry, 1e-9).any()
    renamed = towns.assign(name=[f"{n}·" for n in towns["name"]])
    assert shown_towns(renamed, "GCJ02")[0]["name"].tolist() == renamed["name"].tolist()


def test_focus_zooms_to_the_town(sample):
    result, towns = sample
    page = render(carrier_map(result, towns, focus="浏河镇"))
    west, south, east, north = towns[towns["name"] == "浏河镇"].total_bounds
    bounds = json.loads(re.search(r"CarrierMap.fit\(\w+, (\[\[.*?\]\])", page, re.S).group(1))
    assert np.allclose(bounds, [[south, west], [north, east]])


def test_basemap_offer_and_tianditu_key(monkeypatch):
    assert basemap_offer({}, {}).keys == ("none", "osm", "gaode")
    assert "tianditu" in basemap_offer({}, {"TIANDITU_TK": "k"}).keys
    assert tianditu_key({}, {}) is None
    assert tianditu_key({"tianditu": {"tk": "abc"}}, {}) == "abc"
    assert tianditu_key({}, {"TIANDITU_TK": " env "}) == "env"
    layers = builtin_source("tianditu", "abc").layers
    assert layers[1].url.endswith("tk=abc") and "abc" not in repr(layers)
    assert "vec_w" in layers[0].url and "cva_w" in layers[1].url
    assert builtin_source("none").layers == ()
    with pytest.raises(ValueError, match="key"):
        builtin_source("tianditu", None)


def test_ranking_chart_has_every_town_sorted(sample):
    result, towns = sample
    spec = town_ranking(result, display_names(towns, "zh"), "zh")
    (values,) = spec["datasets"].values()
    assert len(values) == len(towns)
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    areas = dict(zip(values["town"], values["new_area"], strict=True))
    assert [areas[t] for t in order] == sorted(areas.values(), reverse=True)
    records = values.to_dict("records")
    alt.LayerChart.from_dict({**spec, "datasets": {"ranking": records}}, validate=True)


def test_town_labels_carry_name_figure_and_band_in_words_by_field(sample):
    from geo import format_area, translate

    result, towns = sample
    labels, options = call_arguments(render(carrier_map(result, towns)), "labels")
    assert set(labels) == {"lat", "lon", "room", "name", "figure", "band", "code", "rank"}
    figures = result.towns.set_index("town").reindex(towns["name"])
    assert labels["name"] == towns["name"].tolist()
    assert labels["figure"] == [format_area(v, "zh") for v in figures["new_area_m2"]]
    assert labels["band"] == [translate(f"label.band.{b}", "zh") for b in figures["band"]]
    assert labels["code"] == figures["band"].tolist()
    assert sorted(labels["rank"]) == list(range(len(towns)))
    largest = towns.to_crs(towns.estimate_utm_crs()).area.to_numpy().argmax()
    assert labels["rank"][largest] == 0, "the largest town keeps its label first"
    for lon, lat, geometry in zip(labels["lon"], labels["lat"], towns.geometry, strict=True):
        assert geometry.contains(shapely.Point(lon, lat)), "each label inside its town"
    assert options == {"pane": "town-labels", "presentation": False, "extraClass": ""}


def test_one_unit_per_screen_on_the_map(sample):
    result, towns = sample
    page = render(carrier_map(result, towns))
    labels = call_arguments(page, "labels")[0]
    areas = carrier_columns(page)["area"]
    assert all(text.endswith(" 万平方米") for text in labels["figure"] + areas)
    english = render(carrier_map(result, towns, lang="en"))
    assert all(text.endswith(" m²") for text in call_arguments(english, "labels")[0]["figure"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_label_and_band_texts_are_escaped(hostile, lang):
    page = render(carrier_map(*hostile, lang=lang))
    labels = call_arguments(page, "labels")[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels["name"] or lang == "zh"
    assert all("<" not in text for key in ("name", "figure", "band")
               for text in labels[key])


def test_the_wheel_scrolls_the_page_until_the_map_is_clicked(sample):
    from geo import translate

    page = render(carrier_map(*sample))
    options = page.split("L.map(", 1)[1].split(");", 1)[0]
    assert '"scrollWheelZoom": false' in options
    hint = json.dumps(translate("map.wheel_hint", "zh"))
    assert "CarrierMap.wheel(" in page and hint in page
    assert "/app/static/carrier-map.js" in page


def test_presentation_mode_draws_larger_labels_and_legend(sample):
    plain = render(carrier_map(*sample))
    shown = render(carrier_map(*sample, presentation=True))
    assert call_arguments(shown, "labels")[1]["presentation"] is True
    assert '"map-legend present"' in shown and '"map-legend present"' not in plain
    css = (Path(__file__).resolve().parent.parent / "static" / "carrier-map.css").read_text()
    assert re.search(r"\.town-label\.present \{ font-size: 28px; \}", css)
    assert re.search(r"\.town-label\.present small \{ font-size: 20px; \}", css)


def test_the_gap_map_starts_from_the_same_base_map():
    import inspect

    from render import gapmap

    source = inspect.getsource(gapmap)
    assert "base_map(" in source and "folium.Map(" not in source


def _decoded_outline(outlines: dict, town: int) -> list[np.ndarray]:
    """The exterior rings of one town as the browser rebuilds them (lon, lat)."""
    rings = []
    for polygon in outlines["shapes"][town]:
        steps = np.asarray(polygon[0], dtype=np.int64).reshape(-1, 2)
        rings.append(np.cumsum(steps, axis=0) * outlines["scale"]
                     + (outlines["x0"], outlines["y0"]))
    return rings


def test_outlines_are_the_towns_within_a_metre_and_a_focus_is_named(sample):
    result, towns = sample
    page = render(carrier_map(result, towns, focus=towns["name"].iloc[3]))
    outlines, _ = call_arguments(page, "towns")
    assert outlines["focus"] == 3
    for town, geometry in enumerate(towns.geometry):
        rebuilt = shapely.MultiPolygon([shapely.Polygon(ring)
                                        for ring in _decoded_outline(outlines, town)])
        # The bundled towns are coarse: simplifying at 1/2000 of the extent keeps every vertex.
        assert rebuilt.hausdorff_distance(geometry) < 2e-5


def test_a_province_of_detailed_towns_is_simplified_for_display_without_gaps():
    import geopandas as gpd

    from render.townshapes import display_tolerance, town_shapes

    detailed = detailed_coverage(60, seed=1)
    towns = gpd.GeoDataFrame({"name": [f"T{i}" for i in range(len(detailed))]},
                             geometry=detailed, crs="EPSG:4326")
    assert shapely.coverage_is_valid(detailed)
    shown = town_shapes(towns).geometry.to_numpy()
    assert shapely.get_num_coordinates(shown).sum() < shapely.get_num_coordinates(
        detailed).sum() / 2
    assert shapely.hausdorff_distance(shown, detailed).max() <= 2 * display_tolerance(
        towns.total_bounds), "within about a pixel of the true border"
    assert shapely.coverage_is_valid(shown), "neighbours still meet: no gaps, no overlaps"
    assert abs(shapely.union_all(shown).area - shapely.union_all(detailed).area) < 1e-6
    assert town_shapes(towns) is town_shapes(towns), "kept per boundary content"


def test_many_carriers_come_as_compact_points_and_the_focused_town_in_full(sample,
                                                                          monkeypatch):
    import base64

    import render.mapview as mapview

    result, towns = sample
    monkeypatch.setattr(mapview, "DETAIL_LIMIT", 10)
    placed = result.carriers[result.carriers["usable"] & result.carriers["has_point"]]
    page = render(carrier_map(result, towns))
    assert "CarrierMap.carriers(" not in page, "no names for a province on the overview"
    packed, options = call_arguments(page, "points")
    xy = np.frombuffer(base64.b64decode(packed["xy"]), dtype="<i4").reshape(-1, 2)
    kind = np.frombuffer(base64.b64decode(packed["kind"]), dtype=np.uint8)
    assert len(xy) == len(kind) == len(placed)
    lon = packed["x0"] + xy[:, 0] * packed["scale"]
    lat = packed["y0"] + xy[:, 1] * packed["scale"]
    assert np.abs(lon - placed["lon"].to_numpy(float)).max() < 1e-6
    assert np.abs(lat - placed["lat"].to_numpy(float)).max() < 1e-6
    assert ((kind & 1) == (placed["reason"] == "counted").to_numpy()).all()
    assert [options["types"][k >> 1]["label"] for k in kind[:3]] == [
        translate(f"type.{t}", "zh") for t in placed["type"].iloc[:3]]
    for name in placed["name"]:
        assert name not in page

    town = placed["town"].value_counts().index[0]
    page = render(carrier_map(result, towns, focus=town))
    columns = carrier_columns(page)
    assert columns["id"] == placed.loc[placed["town"] == town, "id"].tolist()
    packed, _ = call_arguments(page, "points")
    assert len(base64.b64decode(packed["kind"])) == int((placed["town"] != town).sum())


def test_braces_in_a_name_reach_the_page_as_written(register_csv):
    register = load_register(register_csv([carrier("B1", name="{{ 7 * 7 }} 孵化器")]))
    boundaries = prepare_boundaries(square_towns())
    page = render(carrier_map(check(register, boundaries, Targets()), boundaries.towns))
    assert "{{ 7 * 7 }} 孵化器" in carrier_columns(page)["name"]


def test_ranking_of_many_towns_shows_those_furthest_from_target_and_says_so(sample):
    import dataclasses

    from geo.check import ranking
    from render.charts import RANKING_LIMIT

    result, _ = sample
    many = pd.concat([result.towns.assign(town=result.towns["town"] + f"{k:02d}")
                      for k in range(6)], ignore_index=True)
    many["new_area_m2"] = np.arange(len(many)) * 137.0 % 9000
    many["progress"] = many["new_area_m2"] / many["target_m2"]
    many["shortfall_m2"] = (many["target_m2"] - many["new_area_m2"]).clip(lower=0)
    big = dataclasses.replace(result, towns=many)
    spec = town_ranking(big, {t: t for t in many["town"]}, "zh")
    (values,) = spec["datasets"].values()
    assert values["town"].tolist() == ranking(big)[:RANKING_LIMIT]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ranking(big)[:RANKING_LIMIT]
    assert spec["title"]["text"] == translate("chart.title_shortlist", "zh",
                                              count=RANKING_LIMIT, total=len(many))
    assert len(many) > RANKING_LIMIT
