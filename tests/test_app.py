"""Every page under Streamlit's AppTest: both languages, figures equal ``geo``'s."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from geo import format_area, load_dataset, translate
from geo.filters import Filters
from tests.conftest import REPO, carrier

PAGES = ("views/overview.py", "views/town.py", "views/city.py")


def open_app(lang: str = "zh", page: str | None = None, town: str | None = None,
             **choices) -> AppTest:
    """Run the app with a language and sidebar choices set as a user's session would be.

    Choices go into session state before the first run: AppTest drops the
    entry script's sidebar from its element tree on reruns under
    ``st.navigation``, so its widgets cannot be clicked after the first run.
    """
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    for key, value in choices.items():
        app.session_state[key] = value
    if town is not None:
        app.query_params["town"] = town
    app.run()
    if page:
        app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def expected_metrics(lang: str, filters: Filters | None = None) -> dict[str, str]:
    city = load_dataset().check(filters).city
    return {
        translate("kpi.new_area", lang): format_area(city["new_area_m2"], lang),
        translate("kpi.towns_met", lang): f"{city['towns_met']} / {city['towns_total']}",
        translate("kpi.new_carriers", lang, goal=city["new_carriers_goal"]):
            translate("kpi.count", lang, count=city["new_carriers"]),
        translate("kpi.institutes", lang, goal=city["research_institutes_goal"]):
            translate("kpi.count", lang, count=city["research_institutes"]),
    }


TITLES = {"views/overview.py": "app.title", "views/city.py": "page.city"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(page, lang):
    app = open_app(lang, page)
    expected = (translate(TITLES[page], lang) if page in TITLES
                else load_dataset().boundaries.names[0] if lang == "zh" else "Chengxiang Town")
    assert app.title[0].value.startswith(expected)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sidebar_says_the_data_is_illustrative_and_approximate(lang):
    app = open_app(lang)
    notes = " ".join(w.value for w in app.sidebar.warning)
    assert translate("note.approximate", lang) in notes
    assert translate("note.illustrative", lang, count=52) in notes


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", ["views/overview.py", "views/city.py"])
def test_headline_figures_equal_geo(page, lang):
    app = open_app(lang, page)
    assert metrics(app) == expected_metrics(lang)


def test_city_page_table_has_every_town_and_geo_figures():
    app = open_app("zh", "views/city.py")
    result = load_dataset().check()
    towns = app.dataframe[0].value
    assert len(towns) == len(result.towns)
    assert towns[translate("col.new_area", "zh")].tolist() == result.towns["new_area_m2"].tolist()


def test_town_link_selects_the_town():
    app = open_app("zh", town="浏河镇")
    assert app.title[0].value == "浏河镇"
    assert app.selectbox(key="town_choice").value == "浏河镇"
    figures = load_dataset().check().towns.set_index("town").loc["浏河镇"]
    counted = app.dataframe[0].value
    assert len(counted) == figures["carriers_counted"]
    assert set(counted[translate("col.id", "zh")]) == set(figures["carrier_ids"])


def test_town_link_accepts_other_spellings_and_english_names():
    assert open_app("en", town="Liuhe").title[0].value == "Liuhe Town (浏河镇)"


def test_unknown_town_in_link_is_explained():
    app = open_app("zh", town="不存在镇")
    assert any("不存在镇" in w.value for w in app.warning)


def test_choosing_a_town_updates_the_link():
    app = open_app("zh", "views/town.py")
    app.selectbox(key="town_choice").set_value("沙溪镇").run()
    assert app.title[0].value == "沙溪镇"
    assert app.query_params["town"] == "沙溪镇"


def test_other_carriers_say_why_they_do_not_count():
    app = open_app("en", town="浏河镇")
    others = app.dataframe[1].value
    reasons = set(others[translate("col.reason", "en")])
    assert reasons and translate("reason.counted", "en") not in reasons
    assert reasons <= {translate(f"reason.{r}", "en") for r in (
        "data_problem", "outside_boundary", "not_in_use", "no_opening_date",
        "opened_outside_period")}


def test_type_filter_changes_the_figures():
    only = ["research_institute"]
    app = open_app("zh", types=only)
    assert app.sidebar.multiselect(key="types_zh").value == only
    chosen = Filters(types=frozenset(only))
    assert metrics(app) == expected_metrics("zh", chosen)
    assert metrics(app) != expected_metrics("zh")
    city = open_app("en", "views/city.py", types=only)
    assert metrics(city) == expected_metrics("en", chosen)


def test_status_and_period_filters_change_the_figures():
    period = (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    app = open_app("en", period=period, statuses=["in_use", "planned"])
    chosen = Filters(statuses=frozenset({"in_use", "planned"}), period_start=period[0],
                     period_end=period[1])
    assert metrics(app) == expected_metrics("en", chosen)
    assert metrics(app) != expected_metrics("en")


def test_a_bad_register_gives_a_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02 not a table")
    monkeypatch.setenv("CARRIER_MAP_CARRIERS", str(bad))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert "bad.csv" in app.error[0].value


def test_bad_rows_are_reported_and_the_rest_still_shows(register_csv, monkeypatch):
    path = register_csv([carrier("A1", town="浏河镇", lon="121.272", lat="31.508"),
                         carrier("A2", area="很多", town="浏河镇", lon="121.272", lat="31.508")])
    monkeypatch.setenv("CARRIER_MAP_CARRIERS", str(path))
    app = open_app("zh", "views/city.py")
    problems = app.dataframe[-1].value
    assert problems[translate("col.row", "zh")].tolist() == [3]
    assert metrics(app)[translate("kpi.new_carriers", "zh", goal=30)] == "1 家"


def test_streamlit_is_configured_for_intranets():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableStaticServing"] is True


def test_hostile_text_reaches_tables_as_plain_text(register_csv, monkeypatch):
    xss = "<img src=x onerror=alert(1)>"
    path = register_csv([carrier("X1", name=xss, town="浏河镇", lon="121.272", lat="31.508"),
                         carrier("X2", name="ok", town=xss, lon="", lat="")])
    monkeypatch.setenv("CARRIER_MAP_CARRIERS", str(path))
    town = open_app("zh", town="浏河镇")
    assert town.dataframe[0].value[translate("col.name", "zh")].tolist() == [xss]
    city = open_app("zh", "views/city.py")
    assert xss in city.dataframe[-1].value[translate("col.value", "zh")].tolist()
    for element in (*town.markdown, *city.markdown):
        assert "<img" not in element.value


def test_tianditu_is_offered_only_with_a_key(monkeypatch):
    monkeypatch.delenv("TIANDITU_TK", raising=False)
    offered = open_app("zh").sidebar.selectbox(key="basemap_zh").options
    assert translate("basemap.tianditu", "zh") not in offered
    assert offered[0] == translate("basemap.none", "zh")
    monkeypatch.setenv("TIANDITU_TK", "test-key")
    offered = open_app("en").sidebar.selectbox(key="basemap_en").options
    assert translate("basemap.tianditu", "en") in offered
