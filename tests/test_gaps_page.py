"""覆盖缺口 Coverage gaps under Streamlit's AppTest: both languages, figures equal geo's.

The page's figures are compared with :func:`geo.coverage.town_coverage` on the
same inputs; a scenario changes before → after and never the store; bad
inputs give messages, never tracebacks.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa

from geo import load_dataset, translate
from geo.coverage import distance_surface, make_grid, suggest_sites, town_coverage
from geo.filters import Filters
from render.gaptables import coverage_table
from render.tables import display_names
from tests.test_app import open_app, shown

PAGE = "views/gaps.py"


def gaps_page(lang: str = "zh", **choices):
    return open_app(lang, PAGE, **choices)


def _expected(radius_km: float = 3.0, filters: Filters | None = None, include_pipeline=False):
    data = load_dataset()
    result = data.check(filters)
    surface = distance_surface(make_grid(data.boundaries), result.carriers,
                               include_pipeline=include_pipeline)
    return data, surface, town_coverage(surface, radius_km)


def _town_table(app, lang: str) -> pd.DataFrame:
    header = translate("gaps.town", lang)
    share = translate("gapspage.col_share", lang, radius="3")
    return next(d.value for d in app.dataframe if header in d.value.columns
                and share in d.value.columns)


def _button(app, key: str):
    return next(b for b in app.button if b.key == key)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_renders_in_both_languages(lang):
    app = gaps_page(lang)
    assert app.title[0].value == translate("page.gaps", lang)
    assert not app.error
    labels = {m.label for m in app.metric}
    assert translate("gapspage.towns_none", lang) in labels
    assert translate("gapspage.no_population", lang) in [c.value for c in app.caption]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["maker_space", "research_institute", "all"])
def test_figures_equal_town_coverage(lang, kind):
    app = gaps_page(lang, gaps_type=kind)
    data, _, coverage = _expected()
    names = display_names(data.boundaries.towns, lang)
    expected = coverage_table(coverage, kind, names, lang)
    pd.testing.assert_frame_equal(_town_table(app, lang).reset_index(drop=True), expected,
                                  check_dtype=False)
    rows = coverage.for_type(kind)
    share = translate("gapspage.col_share", lang, radius="3")
    assert _town_table(app, lang)[share].tolist() == (rows["covered_share"] * 100).round(1).tolist()
    city = coverage.city.set_index("type").loc[kind]
    figures = {m.label: m.value for m in app.metric}
    assert figures[translate("gapspage.covered", lang, radius="3")] == \
        f"{city['covered_share'] * 100:.1f}%"
    assert figures[translate("gapspage.towns_none", lang)] == translate(
        "gapspage.count", lang, count=int(city["towns_no_carrier"]))
    assert figures[translate("gapspage.towns_half", lang)] == translate(
        "gapspage.count", lang, count=int(city["towns_under_half_covered"]))
    lacking = rows.loc[rows["no_carrier"], "town"].map(names).tolist()
    warnings = " ".join(shown(w.value) for w in app.warning)
    for town in lacking:
        assert town in warnings


def test_radius_and_pipeline_choices_reach_the_figures():
    app = gaps_page("en", gaps_type="incubator", gaps_radius=5.0, gaps_pipeline=True)
    _, _, coverage = _expected(5.0, include_pipeline=True)
    share = translate("gapspage.col_share", "en", radius="5")
    table = next(d.value for d in app.dataframe if share in d.value.columns)
    rows = coverage.for_type("incubator")
    assert table[share].tolist() == (rows["covered_share"] * 100).round(1).tolist()
    assert table[translate("gaps.carriers", "en")].tolist() == rows["carriers"].tolist()


def test_sidebar_filters_apply_to_the_page():
    app = gaps_page("zh", gaps_type="incubator", statuses=["planned"])
    # Only planned carriers are left and the pipeline is off: no incubator is there.
    _, _, coverage = _expected(filters=Filters(statuses=frozenset({"planned"})))
    assert coverage.for_type("incubator")["no_carrier"].all()
    table = _town_table(app, "zh")
    assert table[translate("gaps.no_carrier", "zh")].all()
    assert (table[translate("gaps.carriers", "zh")] == 0).all()


def _add_incubator(app, lon=121.15, lat=31.55, area=15000.0):
    app.session_state["gaps_lon"] = lon
    app.session_state["gaps_lat"] = lat
    app.session_state["gaps_new_type"] = "incubator"
    app.session_state["gaps_new_area"] = area
    app = app.run()
    app = _button(app, "gaps_add").click().run()
    assert not app.exception, app.exception
    return app


def test_a_scenario_carrier_changes_before_after_and_never_the_store(private_store):
    from geo.store.engine import sqlite_url
    from geo.store.schema import changes
    from geo.store.setup import open_store

    app = gaps_page("zh", gaps_type="incubator")
    store = open_store(sqlite_url(private_store))
    version = store.data_version()
    with store.reading() as connection:
        history = connection.execute(sa.select(sa.func.count()).select_from(changes)).scalar()
    stored = len(store.register().carriers)

    app = _add_incubator(app)
    assert not app.error, [e.value for e in app.error]
    city = next(d.value for d in app.dataframe
                if translate("gapspage.col_after", "zh") in d.value.columns)
    figures = city.set_index(translate("col.item", "zh"))
    before, after = translate("gapspage.col_before", "zh"), translate("gapspage.col_after", "zh")
    new_carriers = figures.loc[translate("kpi.new_carriers", "zh", goal=30)]
    assert new_carriers[after] == new_carriers[before] + 1
    towns = next(d.value for d in app.dataframe
                 if translate("gapspage.col_new_area", "zh") in d.value.columns)
    assert towns[translate("gaps.town", "zh")].tolist() == ["浮桥镇"]
    assert "→" in towns[translate("gapspage.col_new_area", "zh")].iloc[0]
    coverage = next(d.value for d in app.dataframe
                    if translate("gapspage.col_share_change", "zh") in d.value.columns)
    assert "浮桥镇" in coverage[translate("gaps.town", "zh")].tolist()

    assert store.data_version() == version
    assert len(store.register().carriers) == stored
    with store.reading() as connection:
        assert connection.execute(
            sa.select(sa.func.count()).select_from(changes)).scalar() == history
    store.close()


def test_a_click_outside_every_town_is_a_message():
    app = gaps_page("en")
    app = _add_incubator(app, lon=120.0, lat=30.0)
    errors = " ".join(shown(e.value) for e in app.error)
    assert translate("coverage.point_outside", "en", lon="120.000000", lat="30.000000")[:30] \
        in errors or "not inside any town" in errors
    assert translate("gapspage.scenario_empty", "en") in [i.value for i in app.info]


def test_the_scenario_downloads_and_uploads_in_the_register_format():
    from geo.readers import read_table
    from geo.register import canonical_text
    from render.export import register_export, to_csv_bytes

    app = _add_incubator(gaps_page("zh"))
    rows = app.session_state["gaps_scenario"]
    data = to_csv_bytes(register_export(pd.DataFrame(rows), "zh"))
    back = canonical_text(read_table(data, name="scenario.csv"))
    assert back["type"].tolist() == ["incubator"]
    fresh = gaps_page("zh")
    uploader = next(u for u in fresh.get("file_uploader")
                    if u.label == translate("gapspage.scenario_upload", "zh"))
    uploader.set_value(("scenario.csv", data, "text/csv"))
    fresh = fresh.run()
    assert not fresh.exception, fresh.exception
    assert [r["lon"] for r in fresh.session_state["gaps_scenario"]] == ["121.150000"]
    assert any(translate("gapspage.col_after", "zh") in d.value.columns for d in fresh.dataframe)


@pytest.mark.parametrize("radius", [0.0, 500.0])
def test_a_radius_out_of_range_is_a_message(radius):
    app = gaps_page("zh", gaps_radius=radius)
    assert not app.exception
    assert app.error[0].value.startswith("半径")
    assert not app.dataframe


def test_a_population_file_with_unknown_towns_lists_row_and_value():
    app = gaps_page("en", gaps_type="maker_space")
    uploader = next(u for u in app.get("file_uploader")
                    if u.label == translate("gapspage.population_upload", "en"))
    content = "镇区,人口\n浏河镇,52000\n火星镇,100\n沙溪镇,很多\n".encode()
    uploader.set_value(("人口.csv", content, "text/csv"))
    app = app.run()
    assert not app.exception, app.exception
    problems = next(d.value for d in app.dataframe
                    if translate("col.value", "en") in d.value.columns)
    values = problems[translate("col.value", "en")].astype(str).tolist()
    assert "火星镇" in values and "很多" in values
    assert {3, 4} <= set(problems[translate("col.row", "en")].dropna().astype(int))
    assert translate("gapspage.population_problems", "en", count=len(problems)) in [
        w.value for w in app.warning]


def test_population_weights_the_page_as_geo_does():
    from geo.coverage import read_population

    content = "town,population\n浏河镇,52000\n沙溪镇,70000\n".encode()
    app = gaps_page("en", gaps_type="maker_space")
    uploader = next(u for u in app.get("file_uploader")
                    if u.label == translate("gapspage.population_upload", "en"))
    uploader.set_value(("people.csv", content, "text/csv"))
    app = app.run()
    data, surface, _ = _expected()
    population = read_population(content, data.boundaries, name="people.csv")
    coverage = town_coverage(surface, 3.0, population)
    city = coverage.city.set_index("type").loc["maker_space"]
    figures = {m.label: m.value for m in app.metric}
    assert figures[translate("gapspage.covered_people", "en")] == \
        f"{city['covered_population_share'] * 100:.1f}%"


def test_suggested_sites_equal_geo_and_one_can_be_taken():
    app = gaps_page("zh", gaps_type="maker_space")
    app = _button(app, "gaps_suggest").click().run()
    _, surface, _ = _expected()
    sites = suggest_sites(surface, "maker_space", 3.0, 3)
    rank = translate("gapspage.col_rank", "zh")
    table = next(d.value for d in app.dataframe if rank in d.value.columns)
    assert table[translate("gapspage.col_new_km2", "zh")].tolist() == \
        sites.sites["new_covered_km2"].round(2).tolist()
    app = _button(app, "gaps_take_1").click().run()
    assert not app.exception, app.exception
    rows = app.session_state["gaps_scenario"]
    assert len(rows) == 1 and rows[0]["type"] == "maker_space"
    assert float(rows[0]["lon"]) == pytest.approx(sites.sites["lon"].iloc[0], abs=1e-6)


def test_an_editor_saves_a_scenario_carrier_as_planned_through_the_store(private_store):
    from tests.test_app import _data_store, _signed_in

    store = _data_store(private_store)
    version = store.data_version()
    app = _signed_in("boss", "boss-password")
    app = app.switch_page(PAGE).run()
    app = _add_incubator(app)
    app.text_input(key="gaps_save_id").input("TC900")
    app = _button(app, "gaps_save").click().run()
    assert not app.exception, app.exception
    saved = store.carrier("TC900")
    assert saved is not None and saved["status"] == "planned"
    assert store.data_version() != version
    assert app.session_state["gaps_scenario"] == []


def test_a_refused_save_is_a_message_and_keeps_the_scenario(private_store):
    from tests.test_app import _data_store, _signed_in

    store = _data_store(private_store)
    version = store.data_version()
    app = _signed_in("liuhe", "liuhe-password")  # edits 浏河镇 only; the point is in 浮桥镇
    app = app.switch_page(PAGE).run()
    app = _add_incubator(app)
    app.text_input(key="gaps_save_id").input("TC901")
    app = _button(app, "gaps_save").click().run()
    assert not app.exception, app.exception
    assert any(translate("gapspage.save_failed", "zh", name="假设孵化器", reason="")[:8]
               in shown(e.value) for e in app.error)
    assert store.carrier("TC901") is None
    assert store.data_version() == version
    assert len(app.session_state["gaps_scenario"]) == 1


# --- the map as rendered HTML (no browser) ------------------------------------------------
def _gap_map(**options):
    from geo.coverage import site_points
    from render.gapmap import gap_map

    data, surface, coverage = _expected()
    sites = site_points(suggest_sites(surface, "maker_space", 3.0, 2))
    what_if = pd.DataFrame({"lon": [121.15], "lat": [31.55], "type": ["incubator"],
                            "name": ["<img src=x onerror=alert(1)>"]})
    fmap = gap_map(surface, data.check().carriers, data.boundaries.towns, "maker_space", 3.0,
                   coverage=coverage, sites=sites, what_if=what_if,
                   boundaries=data.boundaries, **options)
    return fmap.get_root().render(), sites


def _markers(page: str) -> list[tuple[float, float]]:
    import re

    return [(float(lat), float(lon)) for lat, lon in
            re.findall(r"L\.marker\(\s*\[([0-9.]+), ([0-9.]+)\]", page)]


def test_the_gap_map_loads_nothing_from_elsewhere_and_escapes_text():
    from tests.test_mapview import foreign_references

    page, _ = _gap_map()
    assert foreign_references(page) == []
    assert "<img src=x onerror" not in page.replace("\\u003c", "<").replace("\\u003e", ">")
    assert "coverage-area" in page and "gap-what-if" in page and page.count("gap-site") >= 2
    legend = json.dumps(translate("gapmap.gap", "zh", radius="3"))[1:-1]  # as tojson writes it
    assert legend in page
    bands, _ = _gap_map(bands=True)
    for code, params in (("gapmap.band", {"low": "1.5", "high": "3"}),
                         ("gapmap.band_beyond", {"low": "6"})):
        assert json.dumps(translate(code, "zh", **params))[1:-1] in bands


def test_the_gap_map_shifts_overlays_for_gaode_and_clicks_come_back():
    import numpy as np

    from geo.coords import wgs84_to_gcj02
    from render.basemaps import builtin_source
    from render.mapview import clicked_point

    page, sites = _gap_map(tiles=builtin_source("gaode"))
    lon, lat = wgs84_to_gcj02(np.array([121.15, *sites["lon"]]),
                              np.array([31.55, *sites["lat"]]))
    markers = _markers(page)
    for x, y in zip(lon, lat, strict=True):
        assert any(abs(m[0] - y) < 1e-6 and abs(m[1] - x) < 1e-6 for m in markers)
    back = clicked_point(float(lon[0]), float(lat[0]), "GCJ02")
    assert back == pytest.approx((121.15, 31.55), abs=1e-6)
