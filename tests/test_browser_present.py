"""汇报模式 Presentation mode in headless Chromium, as on a meeting-room projector, offline.

The keys are pressed without a click first (and once after a click into the
map); screenshots go to ``test-artifacts/present-*.png``.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlparse

import pytest

from geo import load_dataset, translate
from geo.check import ranking
from render.tables import display_names
from tests.browser import ARTIFACTS, MAP_FRAME, Browser, needs_chromium, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = '.st-key-present_head h1'


@pytest.fixture(scope="module")
def app_url():
    needs_chromium()
    with streamlit_server() as url:
        yield url


@pytest.fixture
def browser(playwright, app_url):
    session = Browser(playwright, app_url)
    session.urls = []
    session.page.on("request", lambda request: session.urls.append(request.url))
    yield session
    session.close()


@pytest.fixture(scope="module")
def order() -> list[str]:
    return ranking(load_dataset().check())


def _open(browser: Browser, path: str, width: int, height: int) -> None:
    """Open ``path`` at a window size and wait until the map fills the height it is given.

    The page learns the window's size from the browser and lays the map out for
    it (a new map when the size differs from the first guess).
    """
    browser.page.set_viewport_size({"width": width, "height": height})
    browser.page.goto(browser.base_url + path)
    browser.page.wait_for_selector(TITLE, timeout=60000)
    browser.page.wait_for_function(
        f"""() => {{
            const frames = document.querySelectorAll('{MAP_FRAME}');
            if (frames.length !== 1 || document.querySelector('[data-stale="true"]')) {{
                return false;
            }}
            const box = frames[0].getBoundingClientRect();
            return box.bottom <= innerHeight && box.height >= innerHeight * 0.75;
        }}""", timeout=60000)
    _map_drawn(browser)
    browser.settle()


def _shows(browser: Browser, title: str) -> None:
    """Wait until ``title`` is shown and its map is drawn (the last run's map removed)."""
    ready = """([sel, title, map]) => {
        const frames = document.querySelectorAll(map);
        return document.querySelector(sel)?.innerText.trim() === title && frames.length === 1
            && !frames[0].closest('[data-stale="true"]')
            && !document.querySelector('[data-stale="true"]');
    }"""
    for _ in range(2):  # twice, a second apart: a rerun may still be on its way
        browser.page.wait_for_function(ready, arg=[TITLE, title, MAP_FRAME], timeout=30000)
        browser.page.wait_for_timeout(1000)
    browser.page.wait_for_function(ready, arg=[TITLE, title, MAP_FRAME], timeout=30000)
    _map_drawn(browser)


def _map_drawn(browser: Browser) -> None:
    """Leaflet has drawn a town (a town out of view is drawn empty, so any one will do)."""
    frame = browser.page.frame_locator(MAP_FRAME)
    frame.locator("path.town-area >> visible=true").first.wait_for(timeout=30000)


def _town_in_url(browser: Browser) -> str | None:
    query = browser.page.url.split("?", 1)[1] if "?" in browser.page.url else ""
    params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
    return unquote(params["town"]) if "town" in params else None


def _shot(browser: Browser, name: str) -> None:
    """The window exactly as the projector shows it (no resize: the page would relayout)."""
    ARTIFACTS.mkdir(exist_ok=True)
    browser.page.wait_for_timeout(1500)  # the map's tiles-free layers and the chart draw
    browser.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _only_the_app(browser: Browser) -> None:
    """Every request went to the app; the rest are the page's own ``data:``/``blob:`` URLs."""
    app_host = browser.base_url.split("//", 1)[1]
    away = [url for url in browser.urls
            if urlparse(url).scheme not in ("data", "blob", "about")
            and urlparse(url).netloc != app_host]
    assert not away, f"requests left the app: {away[:5]}"
    assert browser.hosts <= {app_host, ""}, browser.hosts


def _inside_the_window(browser: Browser, selector: str) -> None:
    size = browser.page.viewport_size
    shown = browser.page.locator(f"{selector} >> visible=true")
    assert shown.count(), f"nothing visible matches {selector}"
    for box in (shown.nth(i).bounding_box() for i in range(shown.count())):
        assert box is not None, selector
        assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= size["width"] + 1, (selector, box)
        assert box["y"] + box["height"] <= size["height"] + 1, (selector, box)


def test_arrow_keys_step_through_the_towns_without_a_click(browser, order):
    _open(browser, "/?present=1", 1920, 1080)
    page = browser.page
    assert page.locator('[data-testid="stSidebar"]').count() == 0 or \
        not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('header[data-testid="stHeader"]').is_visible()
    assert page.get_by_text("Deploy").count() == 0
    frame = page.locator(MAP_FRAME).bounding_box()
    assert frame["width"] * frame["height"] >= 0.5 * 1920 * 1080, frame
    assert frame["height"] >= 0.8 * 1080, frame
    assert page.locator(TITLE).inner_text().strip() == translate("app.title", "zh")
    _inside_the_window(browser, ".st-key-present_nav button")
    _inside_the_window(browser, ".st-key-present_panel")
    _shot(browser, "present-city-1920")

    page.keyboard.press("ArrowRight")
    _shows(browser, order[0])
    assert _town_in_url(browser) == order[0]
    assert quote(order[0]) in page.url
    _inside_the_window(browser, ".st-key-present_panel")
    _shot(browser, "present-town-1920")

    page.keyboard.press("ArrowRight")
    _shows(browser, order[1])
    assert _town_in_url(browser) == order[1]
    page.keyboard.press("ArrowLeft")
    _shows(browser, order[0])
    assert _town_in_url(browser) == order[0]
    page.keyboard.press("ArrowLeft")  # from the first town: the city
    _shows(browser, translate("app.title", "zh"))
    assert _town_in_url(browser) is None

    page.keyboard.press("ArrowRight")
    _shows(browser, order[0])
    page.keyboard.press("ArrowRight")
    _shows(browser, order[1])
    page.keyboard.press("Escape")
    _shows(browser, translate("app.title", "zh"))
    assert _town_in_url(browser) is None
    assert browser.dialogs == []
    _only_the_app(browser)


def test_keys_still_work_after_a_click_into_the_map(browser, order):
    _open(browser, f"/?present=1&town={quote(order[2])}", 1920, 1080)
    _shows(browser, order[2])
    box = browser.page.locator(MAP_FRAME).bounding_box()
    browser.page.mouse.click(box["x"] + 30, box["y"] + box["height"] - 60)  # an empty corner
    browser.page.keyboard.press("ArrowLeft")
    _shows(browser, order[1])
    browser.page.keyboard.press("Escape")
    _shows(browser, translate("app.title", "zh"))
    _only_the_app(browser)


def test_the_big_buttons_step_too(browser, order):
    _open(browser, "/?present=1", 1920, 1080)
    browser.page.get_by_role("button", name=translate("present.next", "zh")).click()
    _shows(browser, order[0])
    browser.page.get_by_role("button", name=translate("present.city", "zh")).click()
    _shows(browser, translate("app.title", "zh"))
    browser.page.get_by_role("button", name=translate("present.exit", "zh")).click()
    browser.page.wait_for_selector('[data-testid="stSidebar"]', timeout=30000)
    browser.settle()
    assert "present" not in browser.page.url


def _legend_covers_no_town(browser: Browser) -> None:
    """The city seen whole: no town lies under the legend (it is fitted beside or above it)."""
    frame = browser.page.query_selector(MAP_FRAME).content_frame()
    frame.wait_for_function("""() => {
        const legend = document.querySelector('.map-legend');
        const towns = [...document.querySelectorAll('path.town-area')];
        if (!legend || !towns.length) { return false; }
        const box = legend.getBoundingClientRect();
        return towns.every(town => {
            const t = town.getBoundingClientRect();
            return !(t.left < box.right && box.left < t.right
                     && t.top < box.bottom && box.top < t.bottom);
        });
    }""", timeout=10000)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_nothing_is_cut_on_a_smaller_screen(browser, order, width, height):
    worst = order[0]
    _open(browser, f"/?present=1&town={quote(worst)}", width, height)
    _shows(browser, worst)
    _inside_the_window(browser, ".st-key-present_nav button")
    _inside_the_window(browser, ".st-key-present_panel")
    _inside_the_window(browser, MAP_FRAME)
    _shot(browser, f"present-town-{width}")
    browser.page.keyboard.press("Escape")
    _shows(browser, translate("app.title", "zh"))
    _inside_the_window(browser, ".st-key-present_panel")
    _inside_the_window(browser, MAP_FRAME)
    _legend_covers_no_town(browser)
    _shot(browser, f"present-city-{width}")
    _only_the_app(browser)


def test_the_sidebar_switch_opens_it_in_english(browser, order):
    _open(browser, "/?present=1", 1920, 1080)
    # The language is the session's: choose it on a normal page, then present.
    browser.page.get_by_role("button", name=translate("present.exit", "zh")).click()
    browser.page.wait_for_selector('[data-testid="stSidebar"]', timeout=30000)
    browser.settle()
    browser.page.get_by_text("English", exact=True).click()
    browser.settle()
    browser.page.get_by_text(translate("present.switch", "en"), exact=True).click()
    browser.page.wait_for_selector(TITLE, timeout=30000)
    _shows(browser, translate("app.title", "en"))
    browser.page.keyboard.press("ArrowRight")
    _shows(browser, display_names(load_dataset().boundaries.towns, "en")[order[0]])
    _shot(browser, "present-town-en")
    _only_the_app(browser)
