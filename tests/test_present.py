"""汇报模式 Presentation mode under Streamlit's AppTest: figures, steps, dates, no sidebar."""

from __future__ import annotations

import html

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.present import step_target
from geo import format_area, load_dataset, translate
from geo.check import ranking
from geo.progress import pace
from tests.conftest import REPO
from tests.test_app import expected_metrics, metrics, shown

TOWNS = ["a", "b", "c"]


def present(lang: str = "zh", **params: str) -> AppTest:
    """The app opened at ``?present=1`` with the other query parameters given."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    app.query_params["present"] = "1"
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, app.exception
    return app


def header(app: AppTest) -> str:
    """The line under the title (period, as-of date, step, data notes) as the reader sees it."""
    return shown(app.markdown[0].value)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_city_shows_the_headline_figures_and_no_sidebar(lang):
    app = present(lang)
    assert app.title[0].value == translate("app.title", lang)
    assert metrics(app) == expected_metrics(lang)
    assert not app.sidebar.children, "nothing is drawn in the sidebar"
    for kind in ("radio", "multiselect", "selectbox", "date_input", "toggle"):
        assert not getattr(app, kind), f"a {kind} is shown in presentation mode"
    assert [b.label for b in app.button] == [
        translate(f"present.{name}", lang) for name in ("previous", "city", "next", "exit")]


def test_the_buttons_step_through_the_towns_in_ranking_order():
    order = ranking(load_dataset().check())
    app = present()
    for town in order:
        app.button(key="present_next").click().run()
        assert app.query_params["town"] == [town] or app.query_params["town"] == town
        assert app.title[0].value == town
        assert translate("present.step", "zh", index=order.index(town) + 1,
                         total=len(order)) in header(app)
    app.button(key="present_next").click().run()  # past the last town: the city
    assert "town" not in app.query_params
    assert app.title[0].value == translate("app.title", "zh")


def test_previous_from_the_first_town_and_the_city_button_return_to_the_city():
    order = ranking(load_dataset().check())
    app = present(town=order[1])
    assert app.title[0].value == order[1]
    app.button(key="present_previous").click().run()
    assert app.title[0].value == order[0]
    app.button(key="present_previous").click().run()
    assert app.title[0].value == translate("app.title", "zh")
    app = present(town=order[2])
    app.button(key="present_city").click().run()
    assert app.title[0].value == translate("app.title", "zh")
    assert "town" not in app.query_params


def test_a_town_shows_its_progress_band_pace_and_counted_carriers():
    result = load_dataset().check()
    town = ranking(result)[0]
    figures = result.towns.set_index("town").loc[town]
    summary = pace(result).summary.set_index("town").loc[town]
    counted = result.carriers[(result.carriers["town"] == town)
                              & (result.carriers["reason"] == "counted")]
    app = present(town=town)
    page = " ".join(shown(m.value) for m in app.markdown)
    boxes = " ".join(h.value for h in app.get("html"))
    assert html.escape(translate(f"band.{figures['band']}", "zh", pct=50)) in boxes
    assert html.escape(translate("town.progress", "zh", area=format_area(
        figures["new_area_m2"], "zh"), target=format_area(figures["target_m2"], "zh"),
        pct=f"{figures['progress'] * 100:.0f}")) in boxes
    assert translate("present.pace_figures", "zh", date=result.period_end.isoformat(),
                     expected=format_area(summary["expected_m2"], "zh"),
                     counted=format_area(summary["counted_m2"], "zh")) in page
    assert summary["behind"] == (translate("present.pace_gap", "zh", gap=format_area(
        summary["gap_m2"], "zh")) in page)
    assert len(counted) > 0
    for name in counted["name"]:
        assert name in page


def test_an_as_of_date_is_shown_and_gives_the_figures_on_that_day():
    data = load_dataset()
    app = present(as_of="2019-06-30")
    city = data.check(as_of="2019-06-30").city
    assert city != data.check().city, "the date must change a figure for this test to mean much"
    assert translate("asof.label", "zh", date="2019-06-30") in header(app)
    values = metrics(app)
    assert values[translate("kpi.new_area", "zh")] == format_area(city.new_area_m2, "zh")
    assert values[translate("kpi.towns_met", "zh")] == f"{city.towns_met} / {city.towns_total}"
    assert values[translate("kpi.new_carriers", "zh", goal=city.new_carriers_goal)] == \
        translate("kpi.count", "zh", count=city.new_carriers)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_as_of_date_gives_a_message_and_the_pages_date(lang):
    app = present(lang, as_of="2019-13-45")
    warnings = " ".join(shown(w.value) for w in app.warning)
    assert "2019-13-45" in warnings
    end = load_dataset().targets.period_end.isoformat()  # the period is over: its end
    assert translate("present.bad_as_of", lang, message="", date=end).strip() in warnings
    assert metrics(app) == expected_metrics(lang)


def test_without_a_date_the_mode_stands_on_the_pages_date(monkeypatch):
    """In a period still running the default is today, as on the Overview, not the period end."""
    import datetime as dt

    import dashboard.asof

    monkeypatch.setattr(dashboard.asof, "local_today", lambda: dt.date(2019, 6, 30))
    app = present()
    assert translate("asof.label", "zh", date="2019-06-30") in header(app)
    city = load_dataset().check(as_of="2019-06-30").city
    assert metrics(app)[translate("kpi.new_area", "zh")] == format_area(city.new_area_m2, "zh")
    assert metrics(app) != expected_metrics("zh"), "the bundled data moved after 2019-06-30"


def test_an_unknown_town_in_the_link_shows_the_city_and_says_so():
    app = present(town="<b>nowhere</b>")
    assert app.title[0].value == translate("app.title", "zh")
    assert "<b>nowhere</b>" in " ".join(shown(w.value) for w in app.warning)


def test_a_town_link_is_resolved_like_the_town_page():
    app = present(town="浏河")
    assert app.title[0].value == "浏河镇"


def test_the_sidebar_switch_opens_the_mode_and_the_pages_stay_as_they_were():
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    assert app.sidebar.radio, "the normal pages keep their sidebar"
    assert "present" not in app.query_params
    app.toggle(key="present_switch").set_value(True).run()
    assert not app.exception, app.exception
    assert app.query_params["present"] in ("1", ["1"])
    assert not app.sidebar.children
    assert metrics(app) == expected_metrics("zh")
    app.button(key="present_exit").click().run()
    assert "present" not in app.query_params


def test_leaving_the_mode_keeps_the_period_filter():
    import datetime as dt

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.run()
    narrowed = (dt.date(2019, 1, 1), dt.date(2020, 12, 31))
    app.date_input(key="period_zh").set_value(narrowed).run()
    app.toggle(key="present_switch").set_value(True).run()
    app.button(key="present_exit").click().run()
    assert not app.exception, app.exception
    assert tuple(app.date_input(key="period_zh").value) == narrowed


@pytest.mark.parametrize(("town", "step", "goes_to"), [
    (None, "next", "a"), ("a", "next", "b"), ("c", "next", None),
    (None, "previous", "c"), ("a", "previous", None), ("b", "previous", "a"),
    ("b", "city", None), (None, "city", None), ("unknown", "next", "a"),
])
def test_step_target(town, step, goes_to):
    assert step_target(TOWNS, town, step) == goes_to


def test_step_target_without_towns_stays_on_the_city():
    assert step_target([], None, "next") is None
