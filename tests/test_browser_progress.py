"""Progress over time in headless Chromium: the "as of" date, the pace charts, Back.

Screenshots go to ``test-artifacts/progress-*.png`` at 1920×1080 and 1366×768.
"""

from __future__ import annotations

import time
from urllib.parse import unquote

import pytest

from geo import format_area, load_dataset, translate
from tests.browser import MAP_FRAME, Browser, needs_chromium, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AS_OF = "2019-06-30"
SIZES = {"1920": {"width": 1920, "height": 1080}, "1366": {"width": 1366, "height": 768}}


@pytest.fixture(scope="module")
def app_url():
    needs_chromium()
    with streamlit_server() as url:
        yield url


@pytest.fixture
def browser(playwright, app_url):
    session = Browser(playwright, app_url)
    yield session
    session.close()


def _headline(browser: Browser) -> str:
    return browser.page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def _wait_for_headline(browser: Browser, text: str) -> None:
    deadline = time.monotonic() + 30
    while _headline(browser) != text and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _headline(browser) == text


def _map_drawn(browser: Browser) -> None:
    """Wait until Leaflet has drawn the towns into the map frame."""
    browser.page.locator(MAP_FRAME).last.wait_for(timeout=60000)
    frame = browser.page.frame_locator(MAP_FRAME).last
    frame.locator("path.town-area").last.wait_for(state="attached", timeout=60000)
    time.sleep(1)


def _click_town(browser: Browser, town: str) -> None:
    """Click a point inside ``town`` through Leaflet (a real click may land on a marker)."""
    towns = load_dataset().boundaries.towns
    point = towns.loc[towns["name"] == town, "geometry"].iloc[0].representative_point()
    _map_drawn(browser)
    frame = browser.page.frame(url=lambda url: "streamlit_folium" in url)
    frame.evaluate(
        """([lat, lng]) => {
            const map = Object.values(window).find(v => v && v._container && v.fire
                                                         && v.containerPointToLatLng);
            map.fire('click', {latlng: L.latLng(lat, lng)});
        }""", [point.y, point.x])


def _wait_for_title(browser: Browser, title: str) -> None:
    browser.page.locator("h1", has_text=title).first.wait_for(timeout=30000)
    browser.settle()


def test_the_as_of_date_changes_the_headline(browser):
    browser.open("/")
    plain = format_area(load_dataset().check().city.new_area_m2, "zh")
    then = format_area(load_dataset().check(as_of=AS_OF).city.new_area_m2, "zh")
    assert _headline(browser) == plain
    label = translate("asof.input", "zh")
    browser.page.get_by_role("spinbutton", name=f"year, {label}").click()
    browser.page.keyboard.type(AS_OF.replace("-", ""), delay=80)  # year, month, day
    browser.page.locator("h1").first.click()  # the field commits its date when it loses focus
    browser.settle()
    _wait_for_headline(browser, then)
    assert f"as_of={AS_OF}" in browser.page.url
    browser.open(f"/?as_of={AS_OF}")  # the bookmark gives the same figures
    _wait_for_headline(browser, then)


def test_back_after_clicking_a_town_returns_to_the_overview(browser):
    browser.open("/")
    _click_town(browser, "璜泾镇")
    browser.page.wait_for_url("**/town?town=*", timeout=30000)
    _wait_for_title(browser, "璜泾镇")
    browser.page.go_back()
    _wait_for_title(browser, translate("app.title", "zh"))
    assert "/town" not in browser.page.url
    assert "town=" not in browser.page.url


def test_back_between_towns_and_with_an_as_of_date(browser):
    """Another town on the town map, or in the town choice: Back returns to the one before."""
    browser.open(f"/town?town=沙溪镇&as_of={AS_OF}")
    _wait_for_title(browser, "沙溪镇")
    _click_town(browser, "浮桥镇")
    _wait_for_title(browser, "浮桥镇")
    assert f"as_of={AS_OF}" in browser.page.url, "the date stays in the link"
    browser.page.go_back()
    _wait_for_title(browser, "沙溪镇")
    assert "沙溪镇" in unquote(browser.page.url)
    then = format_area(load_dataset().check(as_of=AS_OF).towns.set_index("town")
                       .loc["沙溪镇", "new_area_m2"], "zh")
    assert then in browser.page.locator('[data-testid="stProgress"]').first.inner_text()
    browser.page.get_by_role("combobox", name=translate("town.choose", "zh")).click()
    browser.page.get_by_role("option", name="璜泾镇").click()
    _wait_for_title(browser, "璜泾镇")
    browser.page.go_back()
    _wait_for_title(browser, "沙溪镇")


def _ready(browser: Browser, path: str, lang: str) -> None:
    """Open ``path`` in ``lang`` and wait for the map and the charts to be drawn."""
    browser.open(path)
    browser.page.locator("h1").first.wait_for(timeout=60000)
    if lang == "en":
        browser.page.get_by_text("English", exact=True).click()
        browser.settle()
        browser.page.locator("h1", has_text=translate("app.title", "en")
                             if path.startswith("/?") else "Huangjing").first.wait_for(
            timeout=60000)
    browser.page.locator("h1").first.wait_for(timeout=60000)
    _map_drawn(browser)
    browser.page.locator(".vega-embed svg").first.wait_for(timeout=30000)
    time.sleep(1.5)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_progress_screenshots(browser, size, lang):
    browser.page.set_viewport_size(SIZES[size])
    _ready(browser, f"/?as_of={AS_OF}", lang)
    browser.screenshot(f"progress-overview-{lang}-{size}")
    _ready(browser, f"/town?town=璜泾镇&as_of={AS_OF}", lang)
    browser.screenshot(f"progress-town-{lang}-{size}")
