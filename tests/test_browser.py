"""End to end in headless Chromium against ``streamlit run app.py``, with no internet.

Screenshots of every page, in Chinese and English, go to ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.markdown import WORD_JOINER
from geo import load_dataset, translate
from tests.browser import ARTIFACTS, MAP_FRAME, Browser, needs_chromium, streamlit_server
from tests.conftest import carrier

pytestmark = [pytest.mark.browser, pytest.mark.slow]

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def bundled_app():
    needs_chromium()
    with streamlit_server() as url:
        yield url


@pytest.fixture
def browser(playwright, bundled_app):
    session = Browser(playwright, bundled_app)
    yield session
    session.close()


def _only_the_app(session: Browser) -> None:
    app_host = session.base_url.split("//", 1)[1]
    assert session.hosts <= {app_host}, f"requests left the app: {session.hosts - {app_host}}"


def _expected_markers() -> int:
    carriers = load_dataset().check().carriers
    return int((carriers["usable"] & carriers["has_point"]).sum())


def test_overview_map_renders_offline(browser):
    browser.open("/")
    frame = browser.map_frame()
    towns = load_dataset().boundaries.names
    assert frame.locator("path.town-area").count() == len(towns)
    frame.locator(".carrier-marker").first.wait_for()
    assert frame.locator(".carrier-marker").count() == _expected_markers()
    assert frame.locator(".town-label").count() == len(towns)
    assert frame.locator(".map-legend").count() == 1
    browser.screenshot("overview-zh")
    _only_the_app(browser)


def _click_inside(browser: Browser, selector: str) -> None:
    """Click a point of the map frame where ``selector`` itself is the topmost element."""
    frame = browser.page.frame(url=lambda url: "streamlit_folium" in url)
    box = frame.locator(selector).bounding_box()
    frame_box = browser.page.locator(MAP_FRAME).bounding_box()
    assert box and frame_box
    for fy in (0.5, 0.4, 0.6, 0.3, 0.7):
        for fx in (0.5, 0.4, 0.6, 0.3, 0.7):
            x = box["x"] - frame_box["x"] + box["width"] * fx
            y = box["y"] - frame_box["y"] + box["height"] * fy
            hit = frame.evaluate(
                "([x, y, sel]) => document.elementFromPoint(x, y)?.matches(sel) ?? false",
                [x, y, selector])
            if hit:
                browser.page.mouse.click(box["x"] + box["width"] * fx,
                                         box["y"] + box["height"] * fy)
                return
    pytest.fail(f"no clear point inside {selector}")


def test_clicking_a_town_opens_its_page(browser):
    browser.open("/")
    browser.map_frame()
    towns = load_dataset().boundaries.names
    index = towns.index("浏河镇")
    _click_inside(browser, f"path.town-{index}")
    browser.page.wait_for_url("**/town?town=*", timeout=30000)
    browser.settle()
    assert "浏河镇" in browser.page.locator("h1").first.inner_text()
    browser.map_frame()
    browser.screenshot("town-zh")
    browser.page.get_by_role("link", name=translate("page.overview", "zh")).first.click()
    browser.settle()
    browser.map_frame()
    time.sleep(2)
    assert "town" not in browser.page.url, "an old click must not navigate again"
    _only_the_app(browser)


def test_gaode_basemap_shifts_the_overlays_and_clicks_still_find_the_town(browser):
    browser.open("/")
    browser.map_frame()
    browser.page.get_by_role("combobox", name=translate("sidebar.basemap", "zh")).click()
    browser.page.get_by_role("option", name=translate("basemap.gaode", "zh")).click()
    browser.settle()
    browser.page.wait_for_function(  # the map of the previous run may linger a moment
        "(frame) => document.querySelectorAll(frame).length === 1", arg=MAP_FRAME,
        timeout=30000)
    frame = browser.map_frame()
    frame.locator("img.leaflet-tile").first.wait_for(state="attached", timeout=30000)
    assert "autonavi.com" in frame.locator("img.leaflet-tile").first.get_attribute("src")
    towns = load_dataset().boundaries.names
    _click_inside(browser, f"path.town-{towns.index('沙溪镇')}")
    browser.page.wait_for_url("**/town?town=*", timeout=30000)
    browser.settle()
    assert "沙溪镇" in browser.page.locator("h1").first.inner_text()


MARKDOWN_LINK = "![x](http://evil.example/q.png) [重新登录](http://evil.example/login)"


def test_markdown_in_a_town_link_stays_text_and_fetches_nothing(browser):
    """A crafted ``?town=`` shows as the text it is: no foreign image, no link to follow."""
    browser.open("/town?town=" + quote(MARKDOWN_LINK))
    browser.map_frame()  # the page has run to its end (the first town is shown)
    alert = browser.page.locator('[data-testid="stAlert"]', has_text="evil.example").first
    text = alert.inner_text().replace(WORD_JOINER, "")  # invisible; it keeps addresses unlinked
    assert MARKDOWN_LINK in text, "the link's text is shown literally"
    time.sleep(1)  # room for an image request, were one made
    for frame in browser.page.frames:
        assert frame.locator("a[href*='evil.example']").count() == 0, frame.url
        assert frame.locator("img[src*='evil.example']").count() == 0, frame.url
    assert not [host for host in browser.hosts if "evil.example" in host]
    _only_the_app(browser)


def test_town_link_selects_the_town(browser):
    browser.open("/?town=沙溪镇")
    browser.page.wait_for_url("**/town?town=*", timeout=30000)
    browser.settle()
    assert "沙溪镇" in browser.page.locator("h1").first.inner_text()


@pytest.mark.parametrize(("path", "title"), [
    ("/town?town=浏河镇", "浏河镇"), ("/city", "全市目标"), ("/", "创新载体地图"),
    ("/data", "数据管理"), ("/town?town=浏河镇&lang=en", "Liuhe Town"),
    ("/?lang=en", "Innovation Carrier Map")])
def test_bookmarked_links_open_on_a_fresh_visit(playwright, bundled_app, path, title):
    session = Browser(playwright, bundled_app)
    try:
        session.open(path)
        assert session.page.locator('[data-testid="stException"]').count() == 0
        assert session.page.get_by_text("Page not found").count() == 0
        assert session.page.locator("h1").first.inner_text().startswith(title)
    finally:
        session.close()


def test_the_language_link_follows_the_radio(browser):
    """``?lang=en`` opens in English; choosing 中文 makes the link plain, English writes it."""
    browser.open("/?lang=en")
    heading = browser.page.locator("h1").first
    assert heading.inner_text().startswith(translate("app.title", "en"))
    browser.page.get_by_text("中文", exact=True).click()
    browser.page.wait_for_function("() => !location.search.includes('lang=')", timeout=30000)
    browser.page.locator("h1", has_text=translate("app.title", "zh")).first.wait_for(
        timeout=30000)
    browser.page.get_by_text("English", exact=True).click()
    browser.page.wait_for_function("() => location.search.includes('lang=en')", timeout=30000)
    browser.page.locator("h1", has_text=translate("app.title", "en")).first.wait_for(
        timeout=30000)


def test_every_page_in_both_languages(browser):
    for lang, radio in (("zh", None), ("en", "English")):
        browser.open("/")
        if radio:
            browser.page.get_by_text(radio, exact=True).click()
            browser.settle()
        for slug in ("overview", "town", "city"):
            title = translate(f"page.{slug}", lang)
            browser.page.get_by_role("link", name=title).first.click()
            browser.settle()
            if slug != "city":
                _one_map(browser)
                browser.map_frame()
                time.sleep(1)
            browser.screenshot(f"{slug}-{lang}")
        title = browser.page.locator("h1").first.inner_text()
        assert title == ("全市目标" if lang == "zh" else "City targets")
    _only_the_app(browser)


@pytest.fixture
def app_on(playwright, register_csv):
    """Start the app on a register of the given rows; hand back a browser on it."""
    with contextlib.ExitStack() as stack:
        def start(rows) -> Browser:
            env = {"CARRIER_MAP_CARRIERS": str(register_csv(rows))}
            session = Browser(playwright, stack.enter_context(streamlit_server(env)))
            stack.callback(session.close)
            return session

        yield start


def test_hostile_names_show_as_text_and_run_nothing(app_on):
    session = app_on([carrier("X1", name=XSS, town="浏河镇", lon="121.272", lat="31.508"),
                      carrier("X2", name=XSS + "2", town=XSS, lon="", lat="")])
    session.open("/")
    frame = session.map_frame()
    marker = frame.locator(".carrier-marker").first
    marker.hover()
    tooltip = frame.locator(".leaflet-tooltip").last
    tooltip.wait_for()
    assert XSS in tooltip.inner_text()
    marker.click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS in popup.inner_text()
    assert frame.locator("img[src='x']").count() == 0
    session.screenshot("xss-overview")
    session.open("/town?town=浏河镇")
    session.map_frame()
    assert session.page.locator("img[src='x']").count() == 0
    session.screenshot("xss-town")
    assert session.dialogs == []


def test_many_carriers_are_clustered_and_the_map_still_draws(app_on):
    session = app_on([carrier(f"C{i:04d}", name=f"载体{i}", lon=f"{121.05 + (i % 40) * 0.006:.4f}",
                              lat=f"{31.45 + (i // 40) * 0.006:.4f}") for i in range(1200)])
    session.open("/")
    frame = session.map_frame()
    frame.locator(".marker-cluster").first.wait_for(timeout=30000)
    assert 0 < frame.locator(".marker-cluster").count() < 200
    session.screenshot("crowded-overview")
    assert session.dialogs == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_town_page_projection_at_laptop_size(browser, lang):
    """The town page at 1366×768: the projection row with in-period, later and undated figures."""
    from geo import format_area
    from tests.browser import ARTIFACTS

    browser.page.set_viewport_size({"width": 1366, "height": 768})
    browser.open("/town?town=浏河镇")
    if lang == "en":
        browser.page.get_by_text("English", exact=True).click()
        browser.settle()
        browser.page.wait_for_function(  # the map of the previous run may linger a moment
            "(frame) => document.querySelectorAll(frame).length === 1", arg=MAP_FRAME,
            timeout=30000)
    index = load_dataset().boundaries.names.index("浏河镇")  # the map is zoomed to it
    browser.page.frame_locator(MAP_FRAME).locator(f"path.town-{index}").wait_for(timeout=30000)
    figures = load_dataset().check().towns.set_index("town").loc["浏河镇"]
    metrics = browser.page.locator('[data-testid="stMetric"]')
    metrics.nth(5).wait_for(timeout=30000)
    expected = [("town.projected", figures["projected_m2"]),
                ("town.building_in_period", figures["under_construction_in_period_m2"]),
                ("town.planned_in_period", figures["planned_in_period_m2"]),
                ("town.after_period", figures["pipeline_after_period_m2"]),
                ("town.no_date", figures["pipeline_no_date_m2"]),
                ("town.pipeline_all", figures["under_construction_m2"] + figures["planned_m2"])]
    assert metrics.count() == len(expected)
    for i, (code, area) in enumerate(expected):
        text = " ".join(metrics.nth(i).inner_text().split())
        assert translate(code, lang) in text and format_area(area, lang) in text
    clipped = browser.page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], '
        + '[data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *')]
        .filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent)""")  # Streamlit cuts overflowing text with an ellipsis
    assert clipped == [], f"figures or labels cut off at 1366 px: {clipped}"
    browser.page.screenshot(path=str(ARTIFACTS / f"town-projection-{lang}-1366x768.png"))
    browser.screenshot(f"town-projection-{lang}-1366-full")
    browser.page.set_viewport_size({"width": 1600, "height": 1000})
    _only_the_app(browser)


def test_town_page_lists_a_carrier_registered_to_it_but_placed_elsewhere(app_on):
    """Full-page screenshot of 浏河镇 with pipeline due in/after the period and a misplaced one."""
    from geo import format_area

    liuhe, shaxi = ("121.2731", "31.5181"), ("121.0545", "31.5612")
    session = app_on([
        carrier("N1", name="浏河孵化器", lon=liuhe[0], lat=liuhe[1], area="6000", opened="2019"),
        carrier("P1", name="浏河规划园", status="规划", lon=liuhe[0], lat=liuhe[1], area="5000",
                opened="2020"),
        carrier("B1", name="浏河在建基地", status="在建", lon=liuhe[0], lat=liuhe[1],
                area="3000", opened="2022"),
        carrier("E1", name="登记在浏河的空间", town="浏河镇", lon=shaxi[0], lat=shaxi[1],
                area="4000", opened="2019"),
    ])
    session.page.set_viewport_size({"width": 1366, "height": 768})
    session.open("/town?town=浏河镇")
    index = load_dataset().boundaries.names.index("浏河镇")
    session.page.frame_locator(MAP_FRAME).locator(f"path.town-{index}").wait_for(timeout=30000)
    heading = translate("town.elsewhere", "zh", count=1)
    session.page.get_by_text(heading).wait_for(timeout=30000)  # fails if it never shows
    projected = session.page.locator('[data-testid="stMetric"]').first.inner_text()
    assert format_area(11000, "zh") in projected
    session.screenshot("town-elsewhere-zh-1366")


# --- the everyday pages at a laptop's and a projector's size ------------------------------
SIZES = [(1366, 768), (1920, 1080)]

_CUT = """() => [...document.querySelectorAll(
    '[data-testid="stMetricValue"], [data-testid="stMetricValue"] *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""

_LABEL_BOXES = """() => [...document.querySelectorAll('.town-label')]
    .filter(e => getComputedStyle(e).visibility !== 'hidden')
    .map(e => { const r = e.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom, e.textContent]; })"""


def _cut_figures(browser) -> list[str]:
    """The headline figures cut once the fonts and the page's styles apply: a cut that lasts.

    On a busy machine the first measure can fall between the metric's text and
    its style (or the web font), which cuts nothing a person ever sees.
    """
    browser.page.evaluate("() => document.fonts.ready.then(() => true)")
    with contextlib.suppress(PlaywrightTimeout):
        browser.page.wait_for_function(f"() => ({_CUT})().length === 0", timeout=5000)
    return browser.page.evaluate(_CUT)


def _overlapping(boxes: list) -> list[tuple[str, str]]:
    return [(a[4], b[4]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


def _one_map(browser: Browser) -> None:
    """Wait until the map of a previous run has gone (it may linger a moment under load)."""
    browser.page.wait_for_function(
        "(frame) => document.querySelectorAll(frame).length === 1", arg=MAP_FRAME,
        timeout=30000)


def _map(browser: Browser, town: str | None = None):
    """The map's frame once its labels are drawn (zoomed to ``town`` when given)."""
    _one_map(browser)
    if town is None:
        browser.map_frame()
    else:  # zoomed in, the first town may lie outside the view
        index = load_dataset().boundaries.names.index(town)
        browser.page.wait_for_selector(MAP_FRAME, timeout=30000)
        browser.page.frame_locator(MAP_FRAME).locator(f"path.town-{index}").wait_for(
            timeout=30000)
    frame = browser.page.frame(url=lambda url: "streamlit_folium" in url)
    frame.wait_for_selector(".town-label", timeout=30000)
    time.sleep(1)  # the labels are sorted out after the map has fitted its bounds
    return frame


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_everyday_pages_figures_whole_labels_apart(browser, size):
    """Headline figures never cut, town labels never overlap; screenshots of three pages."""
    width, height = size
    browser.page.set_viewport_size({"width": width, "height": height})
    browser.open("/")
    browser.page.locator('[data-testid="stMetricValue"]').nth(3).wait_for(timeout=30000)
    assert _cut_figures(browser) == [], f"headline figures cut at {width} px"
    frame = _map(browser)
    boxes = frame.evaluate(_LABEL_BOXES)
    assert len(boxes) >= 5, "most towns keep their label at the first view"
    assert _overlapping(boxes) == []
    assert any(translate("label.band.met", "zh") in box[4] for box in boxes), "band as text"
    browser.page.screenshot(path=str(ARTIFACTS / f"everyday-overview-{width}.png"))
    # Zoomed out, the labels crowd: they give way, never overlap; a step further the towns
    # are too small to hold a name, and the labels go.
    frame.locator(".leaflet-control-zoom-out").click()
    time.sleep(1.3)
    boxes = frame.evaluate(_LABEL_BOXES)
    assert boxes and _overlapping(boxes) == []
    crowded = len(boxes)
    frame.locator(".leaflet-control-zoom-out").click()
    time.sleep(1.3)
    boxes = frame.evaluate(_LABEL_BOXES)
    assert len(boxes) < crowded and _overlapping(boxes) == []
    browser.page.goto(browser.base_url + "/city")
    browser.settle()
    browser.page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30000)
    assert _cut_figures(browser) == [], f"city figures cut at {width} px"
    time.sleep(1)
    browser.page.screenshot(path=str(ARTIFACTS / f"everyday-city-{width}.png"))
    browser.open("/town?town=浏河镇")
    _map(browser, "浏河镇")
    browser.page.screenshot(path=str(ARTIFACTS / f"everyday-town-{width}.png"))
    browser.page.set_viewport_size({"width": 1600, "height": 1000})
    _only_the_app(browser)


def _town_width(frame, index: int) -> float:
    return frame.locator(f"path.town-{index}").bounding_box()["width"]


def test_the_wheel_scrolls_the_page_until_the_map_is_clicked(browser):
    browser.page.set_viewport_size({"width": 1366, "height": 768})
    browser.open("/town?town=浏河镇")
    frame = _map(browser, "浏河镇")
    index = load_dataset().boundaries.names.index("浏河镇")
    hint = frame.locator(".map-hint")
    assert hint.is_visible() and translate("map.wheel_hint", "zh") in hint.inner_text()
    iframe = browser.page.locator(MAP_FRAME)
    iframe.scroll_into_view_if_needed()
    time.sleep(0.5)
    box = iframe.bounding_box()
    width = _town_width(frame, index)
    browser.page.mouse.move(box["x"] + box["width"] / 2,
                            max(box["y"], 0) + min(box["height"], 300) / 2)
    browser.page.mouse.wheel(0, 250)
    time.sleep(1)
    assert iframe.bounding_box()["y"] < box["y"] - 50, "the page scrolled under the wheel"
    assert _town_width(frame, index) == pytest.approx(width), "the map did not zoom"

    _click_inside(browser, f"path.town-{index}")  # the shown town: the page stays
    time.sleep(1)
    assert not hint.is_visible(), "the hint goes once the wheel zooms the map"
    box = iframe.bounding_box()
    width = _town_width(frame, index)
    browser.page.mouse.wheel(0, -300)
    time.sleep(1.5)
    assert _town_width(frame, index) > width * 1.2, "after a click the wheel zooms in"
    assert iframe.bounding_box()["y"] == pytest.approx(box["y"], abs=2), "the page stayed"
    browser.page.set_viewport_size({"width": 1600, "height": 1000})
