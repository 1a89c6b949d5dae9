"""The map at province scale: ours against ``explore()`` and the map before, same data, same run.

Run: ``python benchmarks/map_scale.py`` (``--sizes 1000,10000`` to limit,
``--skip-browser``, ``--skip-explore``). For 1,000 / 10,000 / 100,000
carriers over the 1,250 towns of :mod:`synthetic_province` it builds, on the
same checked data, three maps:

- **ours**: ``render.mapview.carrier_map`` of the working tree, called as the
  pages call it (``lang="zh"``, ``MapAssets(base_url="/app/static")``);
- **before**: the same function at commit ``f5a61e0`` (the map before the
  scale work), extracted once with ``git archive`` into ``benchmarks/.cache/``;
- **explore**: ``GeoDataFrame.explore()`` of the towns (coloured by band, with
  a tooltip) and then of the carriers (points coloured by type, tooltip and
  popup) on the same map — the usual geopandas way.

Every map is built in a process of its own (the old tree first on
``sys.path`` for *before*, so old and new code never mix), and for each it
prints: the Python build time (``carrier_map`` or ``explore`` plus
``get_root().render()``, as streamlit-folium renders the map on every call;
median of three builds); the bytes of the
rendered page, raw and gzip; and, in headless Chromium, the time from
navigation to the map drawn (town polygons present and the carriers or their
clusters shown; "> 60 s" when not within a minute) and the long tasks over
200 ms during a scripted pan/zoom after it (four zoom steps into the densest
city, four pans, back; no step is started after 30 s, and a page still
blocked 45 s after the start is given up). A map whose first build takes
over 10 s is built once instead of three times. The pages are served by a
local HTTP server that also serves the tree's ``static/`` at
``/app/static``; explore's CDN requests are answered by Playwright:
Leaflet's JS and CSS with the vendored copies, every other one (jQuery,
Bootstrap, plugins, OpenStreetMap tiles) with an empty 200.

Then, with the real app: the server-side rerun for a type-filter change at
10,000 carriers (Streamlit ``AppTest``, median of three changes, next to a
rerun that changes nothing), and ``streamlit run app.py`` at 100,000
carriers in Chromium — navigation to the map drawn in its frame (the first
viewer after the start, who waits for the files to be read, and a second
one), the WebSocket bytes received, and those of one rerun that does not
change the map (the pace chart's 按月 / 按季度 interval on the Overview).

explore() needs ``mapclassify`` (with folium and matplotlib). The pages,
and the app's log, of the last run stay in ``benchmarks/.cache/map_scale_run/``.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

from app_process import CHROMIUM, CHROMIUM_ARGS, MAP_FRAME, app_server
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
CACHE = BENCHMARKS / ".cache"
BEFORE_COMMIT = "f5a61e0"
VIEWPORT = {"width": 1280, "height": 800}
BROWSER_TIMEOUT_S = 60
PAN_ZOOM_LIMIT_S = 30
SLOW_BUILD_S = 10
"""A map whose first build took longer than this is built once, not three times."""
LONG_TASK_MS = 200
IMPLEMENTATIONS = ("ours", "before", "explore")

LONG_TASK_OBSERVER = """
window.__longTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__longTasks.push([e.startTime, e.duration]); });
  }).observe({type: "longtask", buffered: true});
} catch (error) { window.__longTasks = null; }
"""
"""Installed before navigation: every long task (≥ 50 ms, Chromium's threshold) with its start."""

OUR_MAP_DRAWN = """() => {
  if (window.__drawnAt) { return true; }
  const towns = document.querySelector(
    ".leaflet-overlay-pane path, .leaflet-overlay-pane canvas");
  const carriers = document.querySelector('[data-carriers="drawn"], .leaflet-marker-icon');
  if (towns && carriers) { window.__drawnAt = performance.now(); return true; }
  return false;
}"""
"""Ours and before: towns drawn, and the carriers' layer says it is drawn or shows a marker."""

EXPLORE_DRAWN = """(shapes) => {
  if (window.__drawnAt) { return true; }
  const group = document.querySelector(".leaflet-overlay-pane svg g");
  if (group && group.childElementCount >= shapes) {
    window.__drawnAt = performance.now(); return true;
  }
  return false;
}"""
"""explore(): every town polygon and every carrier's circle is an SVG path of the map."""

PAN_AND_ZOOM = """async ([lon, lat, limit]) => {
  const map = Object.values(window).find((value) => value instanceof L.Map);
  const settle = () => new Promise((done) => requestAnimationFrame(
    () => requestAnimationFrame(() => setTimeout(done, 300))));
  const move = (change) => new Promise((done) => {
    const timer = setTimeout(done, 10000);
    map.once("moveend", () => { clearTimeout(timer); done(); });
    change();
  });
  const start = performance.now();
  const home = map.getCenter(), zoom = map.getZoom();
  const steps = [1, 2, 3, 4].map((step) => () => map.setView([lat, lon], zoom + step))
    .concat([[400, 0], [0, 300], [-400, 0], [0, -300]].map(([dx, dy]) => () => map.panBy([dx, dy])))
    .concat([() => map.setView(home, zoom)]);
  let done = 0;
  for (const step of steps) {
    if (performance.now() - start > limit) { break; }
    await move(step); await settle(); done++;
  }
  await new Promise((finish) => setTimeout(finish, 500));
  return {steps: done, of: steps.length, seconds: (performance.now() - start) / 1000,
          tasks: (window.__longTasks || []).filter((task) => task[0] >= start)};
}"""
"""Four zoom steps into the densest city, four pans, back to the whole province.

A step is not started once ``limit`` milliseconds have passed (the row then says
how many steps were made)."""


@dataclass
class Figures:
    """What was measured for one map; ``None`` where it was not measured."""

    build_s: float | None = None
    builds: int = 0
    raw_bytes: int | None = None
    gzip_bytes: int | None = None
    drawn_s: float | None = None
    drawn_timed_out: bool = False
    long_tasks: list[float] | None = None
    error: str | None = None
    shape_count: int = 0
    pan_zoom: tuple[int, int, float] | None = None
    pan_zoom_blocked: bool = False
    page_errors: list[str] = field(default_factory=list)


# --- building the maps (each in its own process) -------------------------------------------


def build_in_process(implementation: str, tree: Path, case_files: dict[str, str],
                     page: Path, repeat: int) -> dict[str, object]:
    """Build one map ``repeat`` times with ``tree``'s code; write the page; return the figures.

    Runs inside a worker process: ``tree`` goes first on ``sys.path`` before
    anything of the project is imported (hence the imports here, not at the
    top), so *before* runs the old code only.
    """
    sys.path.insert(0, str(tree))
    from geo import load_dataset

    data = load_dataset(case_files["register"], case_files["boundaries"],
                        case_files["targets"])
    result, towns = data.check(), data.boundaries.towns
    if implementation == "explore":
        build = partial(explore_map, result, towns)
    else:
        from render.map_elements import MapAssets
        from render.mapview import carrier_map

        build = partial(carrier_map, result, towns, lang="zh",
                        assets=MapAssets(base_url="/app/static"))
    seconds = []
    while len(seconds) < repeat and sum(seconds) < SLOW_BUILD_S:
        start = time.perf_counter()
        html = build().get_root().render()
        seconds.append(time.perf_counter() - start)
    encoded = html.encode("utf-8")
    page.write_bytes(encoded)
    placed = result.carriers[result.carriers["usable"] & result.carriers["has_point"]]
    return {"build_s": statistics.median(seconds), "builds": len(seconds),
            "raw_bytes": len(encoded), "gzip_bytes": len(gzip.compress(encoded)),
            "towns": len(towns), "carriers": len(placed)}


def explore_map(result, towns):
    """The usual geopandas way: ``explore()`` of the towns, then of the carriers on top."""
    import geopandas as gpd

    figures = result.towns.set_index("town").reindex(towns["name"])
    shown_towns = towns[["name", "geometry"]].assign(
        band=figures["band"].fillna("—").to_numpy(),
        new_area_m2=figures["new_area_m2"].to_numpy(),
        target_m2=figures["target_m2"].to_numpy())
    fmap = shown_towns.explore(column="band", categorical=True,
                               tooltip=["name", "band", "new_area_m2", "target_m2"],
                               style_kwds={"weight": 1})
    placed = result.carriers[result.carriers["usable"] & result.carriers["has_point"]]
    fields = ["id", "name", "type", "floor_area_m2", "opened_text", "status", "town", "reason"]
    points = gpd.GeoDataFrame(placed[fields].astype(str),
                              geometry=gpd.points_from_xy(placed["lon"], placed["lat"]),
                              crs="EPSG:4326")
    points.explore(m=fmap, column="type", categorical=True,
                   tooltip=["name", "type", "floor_area_m2", "status", "town"], popup=fields,
                   marker_kwds={"radius": 4})
    return fmap


def build_map(implementation: str, tree: Path, case_files: dict[str, str], page: Path,
              repeat: int) -> tuple[Figures, dict[str, object]]:
    """Run :func:`build_in_process` in a fresh Python; its figures, or the error it ended with."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", implementation,
               "--tree", str(tree), "--page", str(page), "--repeat", str(repeat),
               "--case", json.dumps(case_files)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tree, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Figures(error=f"build failed: {last}"), {}
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return Figures(build_s=answer["build_s"], builds=answer["builds"],
                   raw_bytes=answer["raw_bytes"],
                   gzip_bytes=answer["gzip_bytes"]), answer


def before_tree() -> Path:
    """The project as it was at :data:`BEFORE_COMMIT`, extracted once (``git archive``)."""
    tree = CACHE / f"before-{BEFORE_COMMIT}"
    if not (tree / "render" / "mapview.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", BEFORE_COMMIT],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


# --- the browser -----------------------------------------------------------------------------


class _PagesAndStatic(SimpleHTTPRequestHandler):
    """Serves the written pages at ``/`` and a tree's ``static/`` at ``/app/static/``."""

    static_root = REPO / "static"

    def translate_path(self, path: str) -> str:
        route = urlparse(path).path
        if route.startswith("/app/static/"):
            return str(self.static_root / route.removeprefix("/app/static/"))
        return super().translate_path(path)

    def log_message(self, format: str, *args) -> None:
        """Quiet: one line per request would bury the table."""


@contextlib.contextmanager
def page_server(pages: Path, static: Path) -> Iterator[str]:
    """A local HTTP server for ``pages`` with ``static`` at ``/app/static``; yields its address."""
    handler = type("Handler", (_PagesAndStatic,), {"static_root": static})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(pages)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class CdnStandIn:
    """Answers a page's requests to other hosts: Leaflet from ``static/``, the rest empty."""

    def __init__(self) -> None:
        self.vendored: set[str] = set()
        self.emptied: set[str] = set()

    def __call__(self, route) -> None:
        """Fulfil one intercepted request (Playwright's route handler)."""
        url = route.request.url
        name = urlparse(url).path.rsplit("/", 1)[-1]
        if name in {"leaflet.js", "leaflet.css"}:
            self.vendored.add(url)
            route.fulfill(path=str(REPO / "static" / "leaflet" / name))
        else:
            self.emptied.add(urlparse(url).netloc)
            route.fulfill(status=200, body="")


class RendererWatchdog:
    """Kills a page's renderer processes when the page is still busy after ``seconds``.

    Playwright's own timeouts do not always free a page whose renderer is
    stuck in one long script (explore() at 100,000 carriers held one for
    minutes, even through ``context.close()``), so this stands guard from a
    timer thread: the renderers that appeared after :meth:`arm`'s caller
    opened the page (Chromium's ``SystemInfo.getProcessInfo``) are killed by
    their process id, and the waiting Playwright call fails at once.
    """

    def __init__(self, browser, seconds: float) -> None:
        self._session = browser.new_browser_cdp_session()
        self._before = self._renderers()
        self._seconds = seconds
        self._timer: threading.Timer | None = None
        self._pids: set[int] = set()
        self.fired = False

    def _renderers(self) -> set[int]:
        processes = self._session.send("SystemInfo.getProcessInfo")["processInfo"]
        return {process["id"] for process in processes if process["type"] == "renderer"}

    def arm(self) -> None:
        """Start the clock for the renderers started since this watchdog was made."""
        self._pids = self._renderers() - self._before
        self._timer = threading.Timer(self._seconds, self._kill)
        self._timer.daemon = True
        self._timer.start()

    def _kill(self) -> None:
        self.fired = True
        for pid in self._pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def disarm(self) -> None:
        """Stop the clock (the page finished in time, or failed otherwise)."""
        if self._timer is not None:
            self._timer.cancel()
        self._session.detach()


def measure_in_browser(browser, url: str, drawn: str, argument: object,
                       densest: tuple[float, float], cdn: CdnStandIn,
                       figures: Figures) -> None:
    """Open ``url``; record the time to the map drawn and the long tasks while panning."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route(lambda address: not address.startswith("http://127.0.0.1"), cdn)
    context.add_init_script(LONG_TASK_OBSERVER)
    page = context.new_page()
    page.on("pageerror", lambda error: figures.page_errors.append(str(error)[:120]))
    page.on("response", lambda response: response.status >= 400 and figures.page_errors.append(
        f"HTTP {response.status} {response.url}"))
    watchdog = RendererWatchdog(browser, BROWSER_TIMEOUT_S + PAN_ZOOM_LIMIT_S + 30)
    try:
        page.goto(url, wait_until="commit", timeout=BROWSER_TIMEOUT_S * 1000)
        watchdog.arm()
        page.wait_for_function(drawn, arg=argument, polling="raf",
                               timeout=BROWSER_TIMEOUT_S * 1000)
        figures.drawn_s = page.evaluate("window.__drawnAt") / 1000
        # Started, not awaited: one step can block the page for longer than the limit, and
        # only a wait from outside the page can give up on it.
        page.evaluate(f"(where) => {{ ({PAN_AND_ZOOM})(where).then("
                      "(moved) => { window.__moved = moved; }); }",
                      [*densest, PAN_ZOOM_LIMIT_S * 1000])
        try:
            page.wait_for_function("() => window.__moved",
                                   timeout=(PAN_ZOOM_LIMIT_S + 15) * 1000)
        except PlaywrightTimeout:
            figures.pan_zoom_blocked = True
            return
        moved = page.evaluate("window.__moved")
        figures.long_tasks = [duration for _, duration in moved["tasks"]]
        figures.pan_zoom = (moved["steps"], moved["of"], moved["seconds"])
    except PlaywrightTimeout as error:
        if figures.drawn_s is None:
            figures.drawn_timed_out = True
        else:
            figures.error = f"browser: pan/zoom: {str(error).splitlines()[0]}"
    except PlaywrightError as error:
        if watchdog.fired and figures.drawn_s is None:
            figures.drawn_timed_out = True
        elif watchdog.fired:
            figures.pan_zoom_blocked = True
        else:
            figures.error = f"browser: {str(error).splitlines()[0]}"
    finally:
        context.close()  # still guarded: closing can wait on a stuck renderer too
        watchdog.disarm()


def densest_place(register: Path) -> tuple[float, float]:
    """Longitude and latitude of the quarter-degree cell holding most carriers."""
    import pandas as pd

    frame = pd.read_csv(register, usecols=["经度", "纬度"], encoding="utf-8-sig")
    cells = (frame / 0.25).round().value_counts()
    lon, lat = cells.index[0]
    return float(lon) * 0.25, float(lat) * 0.25


# --- the real app ----------------------------------------------------------------------------


def app_rerun_in_process() -> dict[str, object]:
    """Time the app's reruns under ``AppTest`` (the ``CARRIER_MAP_*`` variables set by the caller).

    One first run, then three type-filter changes (each leaves one type out,
    as a user unticking it in the sidebar) and three reruns that change
    nothing. The sidebar's widgets are set through the session state: AppTest
    drops the entry script's sidebar from its tree on reruns under
    ``st.navigation`` (see ``tests/test_app.py``).
    """
    sys.path.insert(0, str(REPO))
    from streamlit.testing.v1 import AppTest

    from geo.schema import CARRIER_TYPES

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
    start = time.perf_counter()
    app.run()
    first = time.perf_counter() - start
    if app.exception:
        return {"error": str(app.exception[0].message)[:200]}
    changes, unchanged = [], []
    for left_out in CARRIER_TYPES[:3]:
        chosen = [kind for kind in CARRIER_TYPES if kind != left_out]
        app.session_state["types_zh"] = chosen
        app.session_state["types"] = chosen
        start = time.perf_counter()
        app.run()
        changes.append(time.perf_counter() - start)
    for _ in range(3):
        start = time.perf_counter()
        app.run()
        unchanged.append(time.perf_counter() - start)
    return {"first_s": first, "filter_change_s": statistics.median(changes),
            "filter_changes": changes, "unchanged_s": statistics.median(unchanged),
            "error": str(app.exception[0].message)[:200] if app.exception else None}


def app_environment(case_files: dict[str, str], database: Path) -> dict[str, str]:
    return {"CARRIER_MAP_CARRIERS": case_files["register"],
            "CARRIER_MAP_BOUNDARIES": case_files["boundaries"],
            "CARRIER_MAP_TARGETS": case_files["targets"], "CARRIER_MAP_NAME_FIELD": "name",
            "CARRIER_MAP_DB_PATH": str(database)}


def app_rerun(case_files: dict[str, str], folder: Path) -> dict[str, object]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "app-rerun"]
    env = {**os.environ, **app_environment(case_files, folder / "rerun-store.db")}
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env,
                          check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


class WebSocketBytes:
    """Sums the payloads of the WebSocket frames a page receives (CDP ``Network``)."""

    def __init__(self, page) -> None:
        self.total = 0
        self.frames = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.webSocketFrameReceived", self._received)

    def _received(self, event: dict) -> None:
        response = event["response"]
        payload = response["payloadData"]
        if response["opcode"] == 2:  # binary: CDP gives it in base64
            self.total += len(payload) * 3 // 4 - payload[-2:].count("=")
        else:
            self.total += len(payload.encode("utf-8"))
        self.frames += 1


def _settle(page) -> None:
    """Wait until the app shows no running script, then a little for late frames."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=BROWSER_TIMEOUT_S * 1000 * 3)
    time.sleep(1.5)


def app_in_browser(browser, url: str) -> dict[str, object]:
    """Open the Overview until the map is drawn in its frame; then one rerun that keeps the map."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    sockets = WebSocketBytes(page)
    try:
        page.goto(url, wait_until="commit")
        frame = page.wait_for_selector(MAP_FRAME, timeout=BROWSER_TIMEOUT_S * 3000)
        frame.content_frame().wait_for_function(OUR_MAP_DRAWN, polling="raf",
                                                timeout=BROWSER_TIMEOUT_S * 1000)
        drawn = page.evaluate("performance.now()") / 1000
        drawn_bytes = sockets.total
        _settle(page)
        loaded_bytes = sockets.total
        sockets.total = 0
        start = time.perf_counter()
        page.get_by_text("按月", exact=True).click()
        page.wait_for_timeout(200)
        _settle(page)
        return {"drawn_s": drawn, "bytes_at_drawn": drawn_bytes,
                "bytes_until_idle": loaded_bytes, "rerun_bytes": sockets.total,
                "rerun_s": time.perf_counter() - start - 1.5}
    except PlaywrightError as error:
        return {"error": f"{type(error).__name__}: {str(error).splitlines()[0]}"}
    finally:
        context.close()


def real_app(browser, case_files: dict[str, str], folder: Path) -> list[dict[str, object]]:
    """The first and a second viewer of ``streamlit run app.py`` on the case."""
    env = app_environment(case_files, folder / "app-store.db")
    with app_server(env, folder / "streamlit.log") as url:
        return [app_in_browser(browser, url) for _ in range(2)]


# --- the report ------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _megabytes(value: int | None) -> str:
    return "—" if value is None else f"{value / 1e6:.3f}"


def _drawn(figures: Figures) -> str:
    if figures.drawn_timed_out:
        return f"> {BROWSER_TIMEOUT_S} s"
    return _seconds(figures.drawn_s)


def _long_tasks(figures: Figures) -> str:
    if figures.pan_zoom_blocked:
        return f"≥ 1 (the page was still blocked {PAN_ZOOM_LIMIT_S + 15} s after the start)"
    if figures.long_tasks is None:
        return "—"
    over = [d for d in figures.long_tasks if d > LONG_TASK_MS]
    steps, of, seconds = figures.pan_zoom
    cut = "" if steps == of else f", cut after {steps}/{of} steps"
    return (f"{len(over)} (longest {max(figures.long_tasks, default=0):.0f} ms; "
            f"sequence {seconds:.1f} s{cut})")


def _ratio(ours: float | None, other: float | None) -> str:
    return "—" if not ours or not other else f"{ours / other:.3f}"


def print_table(results: dict[tuple[int, str], Figures]) -> None:
    header = (f"{'case':>9} {'map':<8} {'build s':>8} {'MB raw':>8} {'MB gzip':>8} "
              f"{'drawn s':>8}  long tasks > {LONG_TASK_MS} ms in the pan/zoom")
    print(header)
    print("-" * len(header))
    for (size, implementation), figures in results.items():
        builds = " ×1" if figures.builds == 1 else ""
        print(f"{size:>9,} {implementation:<8} {_seconds(figures.build_s) + builds:>8} "
              f"{_megabytes(figures.raw_bytes):>8} {_megabytes(figures.gzip_bytes):>8} "
              f"{_drawn(figures):>8}  {_long_tasks(figures)}"
              + (f"  [{figures.error}]" if figures.error else ""))
    print("\nratios (ours / other; < 1 means ours is smaller or faster)")
    print(f"{'case':>9} {'versus':<8} {'build':>8} {'raw':>8} {'gzip':>8} {'drawn':>8}")
    for size in sorted({size for size, _ in results}):
        ours = results.get((size, "ours"))
        for other_name in ("explore", "before"):
            other = results.get((size, other_name))
            if ours is None or other is None:
                continue
            drawn_other = None if other.drawn_timed_out else other.drawn_s
            print(f"{size:>9,} {other_name:<8} {_ratio(ours.build_s, other.build_s):>8} "
                  f"{_ratio(ours.raw_bytes, other.raw_bytes):>8} "
                  f"{_ratio(ours.gzip_bytes, other.gzip_bytes):>8} "
                  f"{_ratio(ours.drawn_s, drawn_other):>8}"
                  + (f"  (explore > {BROWSER_TIMEOUT_S} s: ours/explore < "
                     f"{ours.drawn_s / BROWSER_TIMEOUT_S:.3f})"
                     if other.drawn_timed_out and ours.drawn_s else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="carrier counts, comma-separated (default: %(default)s)")
    parser.add_argument("--skip-browser", action="store_true",
                        help="no Chromium: build times and bytes only (and the AppTest rerun)")
    parser.add_argument("--skip-explore", action="store_true", help="leave explore() out")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--page", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "app-rerun":
        print(json.dumps(app_rerun_in_process()))
        return
    if args.worker:
        print(json.dumps(build_in_process(args.worker, args.tree, json.loads(args.case),
                                          args.page, args.repeat)))
        return
    run(sorted(int(size) for size in args.sizes.split(",")), browser_wanted=not args.skip_browser,
        implementations=[i for i in IMPLEMENTATIONS if not (args.skip_explore and i == "explore")])


def run(sizes: list[int], browser_wanted: bool, implementations: list[str]) -> None:
    # Imported here, not at the top: a worker of this file (the map before) must import the
    # project's packages from the old tree, and the generator imports them from this one.
    sys.path.insert(0, str(BENCHMARKS))
    from synthetic_province import province_case

    trees = {"ours": REPO, "explore": REPO, "before": before_tree()}
    folder = CACHE / "map_scale_run"  # the pages and logs of the last run, for a look
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    load_before = os.getloadavg()
    pages = {"ours": folder / "ours", "explore": folder / "ours", "before": folder / "before"}
    for path in pages.values():
        path.mkdir(exist_ok=True)
    results: dict[tuple[int, str], Figures] = {}
    cases = {}
    for size in sizes:
        case = province_case(size)
        cases[size] = {"register": str(case.register), "boundaries": str(case.boundaries),
                       "targets": str(case.targets)}
        for implementation in implementations:
            print(f"building {implementation} at {size:,} carriers …", flush=True)
            figures, answer = build_map(implementation, trees[implementation], cases[size],
                                        pages[implementation] / f"{implementation}-{size}.html",
                                        repeat=3)
            figures.shape_count = answer.get("towns", 0) + answer.get("carriers", 0)
            results[size, implementation] = figures
    cdn = CdnStandIn()
    app_figures: list[dict[str, object]] = []
    if browser_wanted:
        with (sync_playwright() as playwright,
              page_server(pages["ours"], REPO / "static") as ours_url,
              page_server(pages["before"], trees["before"] / "static") as before_url):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size in sizes:
                densest = densest_place(Path(cases[size]["register"]))
                for implementation in implementations:
                    figures = results[size, implementation]
                    if figures.error:
                        continue
                    base = before_url if implementation == "before" else ours_url
                    print(f"drawing {implementation} at {size:,} carriers in Chromium …",
                          flush=True)
                    drawn, argument = ((EXPLORE_DRAWN, figures.shape_count)
                                       if implementation == "explore" else (OUR_MAP_DRAWN, None))
                    measure_in_browser(browser, f"{base}/{implementation}-{size}.html", drawn,
                                       argument, densest, cdn, figures)
            if 100_000 in sizes:
                print("streamlit run app.py at 100,000 carriers in Chromium …", flush=True)
                app_figures = real_app(browser, cases[100_000], folder)
            browser.close()
    rerun = None
    if 10_000 in sizes:
        print("AppTest reruns at 10,000 carriers …", flush=True)
        rerun = app_rerun(cases[10_000], folder)
    report(results, cdn, rerun, app_figures)
    print(f"\nload average (1 min) at the start {load_before[0]:.1f}, at the end "
          f"{os.getloadavg()[0]:.1f}, on {os.cpu_count()} cores: other work on the machine "
          f"slows every figure alike. Pages and the app's log: {folder}")


def report(results: dict[tuple[int, str], Figures], cdn: CdnStandIn,
           rerun: dict[str, object] | None, app_figures: list[dict[str, object]]) -> None:
    print()
    print(f"Synthetic province: 1,250 towns (about 310 vertices each); viewport "
          f"{VIEWPORT['width']}×{VIEWPORT['height']}; build = map + get_root().render(), "
          f"median of 3 (×1: one build, the first took over {SLOW_BUILD_S} s).")
    print_table(results)
    print("\nbytes = the rendered page. streamlit-folium sends the same map script (without the "
          "page around it) inside\nthe component's arguments over the WebSocket, uncompressed "
          "(server.enableWebsocketCompression is off by default), on every run of the page.")
    if cdn.vendored or cdn.emptied:
        print(f"explore() has no internet here: Playwright answered {len(cdn.vendored)} Leaflet "
              f"request(s) with static/leaflet/ and every request to "
              f"{', '.join(sorted(cdn.emptied))} with an empty 200.")
    errors = {key: figures.page_errors for key, figures in results.items() if figures.page_errors}
    for (size, implementation), messages in errors.items():
        print(f"page errors ({implementation}, {size:,}): {len(messages)}, first: {messages[0]}")
    if rerun is not None:
        if rerun.get("error"):
            print(f"\nAppTest at 10,000 carriers: {rerun['error']}")
        else:
            changes = ", ".join(f"{s:.2f}" for s in rerun["filter_changes"])
            print(f"\nAppTest at 10,000 carriers (server side, whole Overview script): first run "
                  f"{rerun['first_s']:.2f} s; type-filter change rerun median "
                  f"{rerun['filter_change_s']:.2f} s ({changes}); rerun changing nothing median "
                  f"{rerun['unchanged_s']:.2f} s")
    for viewer, figures in zip(("first viewer after start", "second viewer"), app_figures,
                               strict=False):
        if figures.get("error"):
            print(f"streamlit run app.py, 100,000 carriers, {viewer}: {figures['error']}")
            continue
        print(f"streamlit run app.py, 100,000 carriers, {viewer}: map drawn "
              f"{figures['drawn_s']:.2f} s after navigation; WebSocket received "
              f"{figures['bytes_at_drawn'] / 1e6:.2f} MB by then, "
              f"{figures['bytes_until_idle'] / 1e6:.2f} MB until idle; the pace interval "
              f"(按月) rerun: {figures['rerun_bytes'] / 1e6:.3f} MB in "
              f"{figures['rerun_s']:.2f} s")


if __name__ == "__main__":
    main()
