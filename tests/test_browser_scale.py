"""A province in Chromium: 20,000 carriers over 300 detailed towns, with no internet.

Above :data:`render.mapview.DETAIL_LIMIT` carriers the overview sends compact
points clustered in the browser; a carrier's name is one click away, in its
town's map. An unrelated rerun must send the browser no map again.
"""

from __future__ import annotations

import base64
import csv

import pytest

from geo import translate
from tests.browser import ARTIFACTS, MAP_FRAME, Browser, needs_chromium, streamlit_server
from tests.province import write_province

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ZOOM = "el => Object.values(window).find(v => v instanceof L.Map).getZoom()"
INSIDE = """(map, selector) => {
  const frame = map.getBoundingClientRect(), middle = (r) => [(r.left + r.right) / 2,
    (r.top + r.bottom) / 2];
  const [x, y] = middle(frame);
  const found = [...document.querySelectorAll(selector)].map((el, i) => {
    const [cx, cy] = middle(el.getBoundingClientRect());
    return [Math.hypot(cx - x, cy - y), i];
  }).sort((a, b) => a[0] - b[0]);
  return found[0][1];
}"""
"""The position of the marker nearest the map's middle (the first may be off screen)."""

TOPMOST = """(map, selector) => {
  const frame = map.getBoundingClientRect();
  return [...document.querySelectorAll(selector)].map((el, i) => [el.getBoundingClientRect(), i])
    .filter(([r]) => r.top >= frame.top && r.bottom <= frame.bottom && r.left >= frame.left
            && r.right <= frame.right)
    .sort((a, b) => a[0].top - b[0].top)[0][1];
}"""
"""The position of the marker wholly on screen nearest the map's top edge."""


@pytest.fixture(scope="module")
def province_app(tmp_path_factory):
    needs_chromium()
    settings = write_province(tmp_path_factory.mktemp("province"), towns=300, carriers=20000)
    with streamlit_server(settings) as url:
        yield url, settings


class FrameBytes:
    """What the app sends the browser over its WebSocket, counted from the DevTools protocol."""

    def __init__(self, page):
        self.total = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.webSocketFrameReceived", self._count)

    def _count(self, event: dict) -> None:
        frame = event["response"]
        payload = frame["payloadData"]
        self.total += len(base64.b64decode(payload)) if frame["opcode"] == 2 else len(
            payload.encode())


def test_a_province_draws_clusters_sends_the_map_once_and_opens_a_town(playwright,
                                                                        province_app):
    url, settings = province_app
    session = Browser(playwright, url)
    try:
        received = FrameBytes(session.page)
        session.page.goto(url)
        # The first visit reads and checks the province: give it time, then wait as usual.
        session.page.wait_for_selector(MAP_FRAME, timeout=180000)
        session.settle()
        frame = session.map_frame()
        frame.locator("[data-carriers=drawn]").wait_for(state="attached", timeout=30000)
        assert frame.locator("path.town-area").count() == 300
        clusters = frame.locator(".carrier-cluster")
        assert clusters.count() > 0, "carriers shown as clusters at the province's zoom"
        assert frame.locator(".carrier-marker").count() < 2000, "only what is on screen"
        first_load = received.total
        assert first_load > 300_000, "the map came with the page"

        # An unrelated rerun (the pace chart's interval) sends no map again and keeps it.
        session.page.locator(MAP_FRAME).evaluate("f => f.contentWindow.kept = 'still here'")
        received.total = 0
        session.page.get_by_text(translate("pace.frequency.month", "zh"), exact=True).click()
        session.settle()
        assert received.total < 100_000, f"{received.total} bytes for a rerun"
        assert session.page.locator(MAP_FRAME).evaluate(
            "f => f.contentWindow.kept") == "still here", "the map was not drawn again"

        # A cluster's tooltip sums its carriers, whole even by the map's edge; a click zooms
        # into it.
        drawn = frame.locator("[data-carriers=drawn]")
        top = drawn.evaluate(TOPMOST, ".carrier-cluster")
        drawn.evaluate("""(map, index) => {  // that cluster's middle 22 px below the edge
            const r = document.querySelectorAll('.carrier-cluster')[index]
                .getBoundingClientRect();
            window.map.panBy([0, (r.top + r.bottom) / 2 - map.getBoundingClientRect().top - 22],
                             {animate: false});
        }""", top)
        session.page.wait_for_timeout(500)
        clusters.nth(drawn.evaluate(TOPMOST, ".carrier-cluster")).hover()
        tooltip = frame.locator(".leaflet-tooltip").last
        tooltip.wait_for()
        box, size = tooltip.bounding_box(), session.page.locator(MAP_FRAME).bounding_box()
        assert size["x"] <= box["x"] and box["x"] + box["width"] <= size["x"] + size["width"] \
            and size["y"] <= box["y"] and box["y"] + box["height"] <= size["y"] + size["height"], \
            f"the cluster's tooltip is cut at the map's edge: {box} in {size}"
        inside = frame.locator("[data-carriers=drawn]").evaluate(INSIDE, ".carrier-cluster")
        cluster = clusters.nth(inside)
        cluster.hover()
        tooltip = frame.locator(".leaflet-tooltip").last
        tooltip.wait_for()
        assert "个载体" in tooltip.inner_text()
        zoom = frame.locator("[data-carriers=drawn]").evaluate(ZOOM)
        cluster.click()
        session.page.wait_for_timeout(1500)
        assert frame.locator("[data-carriers=drawn]").evaluate(ZOOM) > zoom
        session.page.screenshot(path=str(ARTIFACTS / "province-overview.png"))

        # Zoomed in, single carriers are pins; a pin's click opens its town, whose map
        # has every carrier of the town with its name.
        with open(settings["CARRIER_MAP_CARRIERS"], encoding="utf-8") as register:
            first = next(csv.DictReader(register))
        session.open("/")
        frame = session.map_frame()
        frame.locator("[data-carriers=drawn]").wait_for(state="attached", timeout=30000)
        frame.locator("[data-carriers=drawn]").evaluate(
            "(el, at) => Object.values(window).find(v => v instanceof L.Map).setView(at, 14)",
            [float(first["lat"]), float(first["lon"])])
        frame.locator(".carrier-marker").first.wait_for()
        pin = frame.locator(".carrier-marker").nth(
            frame.locator("[data-carriers=drawn]").evaluate(INSIDE, ".carrier-marker"))
        pin.hover()
        assert translate("map.point_hint", "zh") in frame.locator(
            ".leaflet-tooltip").last.inner_text()
        pin.click()
        session.page.locator("h1").filter(has_text="示例").first.wait_for(timeout=60000)
        session.settle()
        session.page.wait_for_selector(MAP_FRAME, timeout=60000)
        town_map = session.page.frame_locator(MAP_FRAME)
        town_map.locator("[data-carriers=drawn]").wait_for(state="attached", timeout=60000)
        town_map.locator(".carrier-marker").first.wait_for(timeout=30000)
        town_map.locator(".carrier-marker").nth(town_map.locator(
            "[data-carriers=drawn]").evaluate(INSIDE, ".carrier-marker")).hover()
        assert "示例载体" in town_map.locator(".leaflet-tooltip").last.inner_text()
        session.screenshot("province-town")
    finally:
        session.close()


CHOSEN = "() => [...document.querySelectorAll('.st-key-pace_town input')].map(i => i.value)"


def test_the_pace_chooser_shows_its_town_in_the_new_language(playwright, province_app):
    """The chooser's label ("name · verdict") follows a language switch for the same town.

    The province's towns have no English names, so only the verdict changes: the browser
    kept the old label until the choice was handed to the widget again.
    """
    url, _ = province_app
    session = Browser(playwright, url)
    try:
        session.page.goto(url)
        session.page.wait_for_selector(".st-key-pace_town input", timeout=180000)
        session.settle()
        (before,) = session.page.evaluate(CHOSEN)
        town, verdict = before.split(" · ")
        assert verdict in {translate("pace.behind", "zh"), translate("pace.on_pace", "zh")}
        session.page.get_by_text("English", exact=True).click()
        session.settle()
        session.page.wait_for_function(
            f"() => ({CHOSEN})()[0] !== {before!r}", timeout=30000)
        (after,) = session.page.evaluate(CHOSEN)
        english = {translate("pace.behind", "en"), translate("pace.on_pace", "en")}
        assert after.split(" · ")[0] == town and after.split(" · ")[1] in english
    finally:
        session.close()
