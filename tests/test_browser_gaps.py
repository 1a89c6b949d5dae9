"""The planner's walk through 覆盖缺口 Coverage gaps in headless Chromium, offline.

Opens /gaps, picks maker spaces within 3 km, sees the uncovered area and the
towns without a research institute, adds a hypothetical incubator by typing
its coordinates, sees before → after, asks for three sites and downloads the
table. Screenshots in Chinese and English at 1366×768 and 1920×1080 go to
``test-artifacts/``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo import load_dataset, translate
from geo.coverage import distance_surface, make_grid, town_coverage
from tests.browser import MAP_FRAME, Browser, needs_chromium, streamlit_server
from tests.test_browser import _click_inside

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = [(1366, 768), (1920, 1080)]
INCUBATOR = (121.15, 31.55)  # inside 浮桥镇 on the bundled boundaries


@pytest.fixture(scope="module")
def gaps_app():
    needs_chromium()
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def expected():
    data = load_dataset()
    result = data.check()
    coverage = town_coverage(distance_surface(make_grid(data.boundaries), result.carriers), 3.0)
    return data, coverage


def _only_the_app(session: Browser) -> None:
    app_host = session.base_url.split("//", 1)[1]
    assert session.hosts <= {app_host}, f"requests left the app: {session.hosts - {app_host}}"


def _map(session: Browser):
    """The map frame once exactly one is on the page (a replaced frame may linger briefly).

    A rerun still under way can add the next frame between the count and the look
    inside: then wait for the run to end and look again.
    """
    for attempt in range(3):
        session.page.wait_for_function(
            f"() => document.querySelectorAll('{MAP_FRAME}').length === 1", timeout=30000)
        try:
            return session.map_frame()
        except PlaywrightError as error:
            if "strict mode violation" not in str(error) or attempt == 2:
                raise
            session.settle()
    raise AssertionError("unreachable")


def _download(session: Browser, button) -> Path:
    """Click a download button whose file is made on the click; the file's path.

    Streamlit drops a button's pending file when a rerun replaces the button, and
    the browser then waits on it for good (its spinner never stops). A user clicks
    again; so does this, after the page has settled, up to three times.
    """
    for attempt in range(3):
        session.settle()
        button.scroll_into_view_if_needed()
        try:
            with session.page.expect_download(timeout=40000) as info:
                button.click()
            return Path(info.value.path())
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _choose(session: Browser, label: str, option: str) -> None:
    page = session.page
    main = page.locator('[data-testid="stMain"]')
    box = main.get_by_role("combobox", name=label, exact=True).first
    box.scroll_into_view_if_needed()
    box.click()
    if page.get_by_role("option").count() == 0:
        box.press("ArrowDown")
    page.get_by_role("option", name=option, exact=True).first.click()
    session.settle()


def _type_number(session: Browser, label: str, value: str) -> None:
    field = session.page.get_by_label(label, exact=True).first
    field.scroll_into_view_if_needed()
    field.fill(value)
    field.press("Enter")
    session.settle()


def _walk(session: Browser, lang: str, expected, size: tuple[int, int]) -> None:
    data, coverage = expected
    page = session.page
    t = lambda code, **kw: translate(code, lang, **kw)  # noqa: E731
    frame = _map(session)
    _choose(session, t("gapspage.type"), t("type.research_institute"))
    lacking = coverage.for_type("research_institute").query("no_carrier")["town"]
    names = {n: n for n in data.boundaries.names} if lang == "zh" else dict(
        zip(data.boundaries.towns["name"], data.boundaries.towns["name_en"], strict=True))
    prefix = t("gapspage.lacking", type=t("type.research_institute"), towns="").strip()
    warning = page.locator('[data-testid="stAlert"]').filter(has_text=prefix).first
    warning.wait_for(timeout=30000)
    for town in lacking:
        assert names[town] in warning.inner_text()

    _choose(session, t("gapspage.type"), t("type.maker_space"))
    frame = _map(session)
    frame.locator("path.coverage-area").first.wait_for(timeout=30000)
    legend = frame.locator(".map-legend")
    legend.filter(has_text=t("type.maker_space")).wait_for(timeout=30000)
    assert t("gapmap.gap", radius="3") in legend.inner_text(), legend.inner_text()
    share = coverage.city.set_index("type").loc["maker_space", "covered_share"]
    page.get_by_text(f"{share * 100:.1f}%").first.wait_for()

    # a click on the map puts the point (back in WGS84) into the coordinates
    town = data.boundaries.names.index("沙溪镇")
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    _click_inside(session, f"path.town-{town}")
    session.settle()
    chosen = t("gapspage.clicked", lon="", lat="", town="")[:5]
    page.locator('[data-testid="stCaptionContainer"]').filter(has_text=chosen).filter(
        has_text="沙溪镇").first.wait_for(timeout=30000)

    # a hypothetical incubator, typed
    _choose(session, t("gapspage.new_type"), t("type.incubator"))
    _type_number(session, t("gapspage.lon"), f"{INCUBATOR[0]}")
    _type_number(session, t("gapspage.lat"), f"{INCUBATOR[1]}")
    _type_number(session, t("gapspage.area"), "15000")
    add = page.get_by_role("button", name=t("gapspage.add"))
    add.scroll_into_view_if_needed()
    add.click()
    session.settle()
    page.get_by_text(t("gapspage.before_after")).first.wait_for(timeout=30000)
    page.get_by_text(t("gapspage.col_after")).first.wait_for()
    frame = _map(session)
    frame.locator(".gap-what-if").first.wait_for(timeout=30000)

    # three suggested sites
    suggest = page.get_by_role("button", name=t("gapspage.suggest"))
    suggest.scroll_into_view_if_needed()
    suggest.click()
    session.settle()
    page.get_by_role("button", name=t("gapspage.take_site", rank=3)).wait_for(timeout=30000)
    frame = _map(session)
    frame.locator(".gap-site").nth(2).wait_for(timeout=30000)
    assert frame.locator(".gap-site").count() == 3

    # download the per-town table
    download = page.get_by_role("button", name=translate("download.csv", lang)).first
    text = _download(session, download).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + len(data.boundaries.names)
    page.evaluate("() => window.scrollTo(0, 0)")
    session.screenshot(f"gaps-{lang}-{size[0]}")
    if size == (1366, 768):
        session.screenshot(f"gaps-{lang}")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_planner_walks_through_the_coverage_gaps(playwright, gaps_app, expected, size):
    for lang in ("zh", "en"):
        session = Browser(playwright, gaps_app)
        try:
            session.page.set_viewport_size({"width": size[0], "height": size[1]})
            session.open("/gaps")
            if lang == "en":
                session.page.get_by_text("English", exact=True).click()
                session.settle()
            title = translate("page.gaps", lang)
            session.page.locator("h1").filter(has_text=title).first.wait_for(timeout=30000)
            session.settle()
            try:
                _walk(session, lang, expected, size)
            except Exception:
                session.screenshot(f"gaps-failed-{lang}-{size[0]}")
                raise
            _only_the_app(session)
        finally:
            session.close()
