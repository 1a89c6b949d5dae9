"""An intranet tile server as the basemap, end to end in headless Chromium.

The test starts its own tiny tile server on 127.0.0.1 (a thread serving one
generated PNG for any ``/tiles/{z}/{x}/{y}.png`` and recording what it was
asked), then the app configured for it through ``CARRIER_MAP_TILES_*``. The
GCJ-02 shift for such a server is checked without a browser, on the rendered
map (``tests/test_basemaps.py``).
"""

from __future__ import annotations

import contextlib
import re
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geo import load_dataset, translate
from tests.browser import Browser, needs_chromium, streamlit_server
from tests.test_browser import _click_inside

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "内网地图"
ATTRIBUTION = "© 测试瓦片服务"
MIN_ZOOM, MAX_ZOOM = 8, 16
_TILE = re.compile(r"^/tiles/(\d+)/(\d+)/(\d+)\.png$")


def _png(size: int = 256, rgb: tuple[int, int, int] = (200, 220, 200)) -> bytes:
    """A plain one-colour PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@contextlib.contextmanager
def tile_server() -> Iterator[tuple[str, list[tuple[int, int, int]]]]:
    """A tile server on a free port: its address and the tiles asked for, as (z, x, y)."""
    tile = _png()
    asked: list[tuple[int, int, int]] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = _TILE.match(self.path)
            if match is None:
                self.send_error(404)
                return
            asked.append(tuple(int(n) for n in match.groups()))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args) -> None:
            """Quiet: the requests are recorded in ``asked``."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_map_draws_the_intranet_tiles_and_clicks_still_open_the_town(playwright):
    needs_chromium()
    with tile_server() as (tiles_url, asked), streamlit_server({
        "CARRIER_MAP_TILES_URL": f"{tiles_url}/tiles/{{z}}/{{x}}/{{y}}.png",
        "CARRIER_MAP_TILES_NAME": NAME,
        "CARRIER_MAP_TILES_ATTRIBUTION": ATTRIBUTION,
        "CARRIER_MAP_TILES_MIN_ZOOM": str(MIN_ZOOM),
        "CARRIER_MAP_TILES_MAX_ZOOM": str(MAX_ZOOM),
    }) as app_url:
        browser = Browser(playwright, app_url)
        try:
            browser.open("/")
            basemap = browser.page.get_by_role("combobox", name=translate("sidebar.basemap", "zh"))
            assert basemap.input_value() == NAME, "the configured server is the default, by name"
            sidebar = browser.page.get_by_test_id("stSidebar")
            assert sidebar.get_by_text(translate("sidebar.basemap_intranet", "zh")).count() == 1
            assert sidebar.get_by_text(translate("sidebar.basemap_online", "zh")).count() == 0

            frame = browser.map_frame()
            frame.locator("img.leaflet-tile-loaded").first.wait_for(timeout=30000)
            sources = frame.locator("img.leaflet-tile").evaluate_all(
                "(tiles) => tiles.map((tile) => tile.src)")
            assert sources and all(src.startswith(f"{tiles_url}/tiles/") for src in sources)
            assert asked, "the browser asked the tile server for tiles"
            assert all(MIN_ZOOM <= z <= MAX_ZOOM for z, _, _ in asked)
            assert ATTRIBUTION in frame.locator(".leaflet-control-attribution").inner_text()
            zoom_range = browser.page.frame(url=lambda url: "streamlit_folium" in url).evaluate(
                "() => { const map = Object.entries(window).find(([name, value]) =>"
                " name.startsWith('map_') && value && value.getMaxZoom)[1];"
                " return [map.getMinZoom(), map.getMaxZoom()]; }")
            assert zoom_range == [MIN_ZOOM, MAX_ZOOM]
            tiles_host = tiles_url.split("//", 1)[1]
            assert browser.hosts <= {app_url.split("//", 1)[1], tiles_host}

            towns = load_dataset().boundaries.names
            _click_inside(browser, f"path.town-{towns.index('浏河镇')}")
            browser.page.locator("h1", has_text="浏河镇").first.wait_for(timeout=60000)
            browser.screenshot("intranet-tiles-town-zh")
        finally:
            browser.close()
