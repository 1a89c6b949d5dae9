"""How many people can watch the dashboard at once: N simultaneous Chromium sessions, one app.

Run: ``python benchmarks/concurrent_viewers.py`` (``--sessions 1 2 4 8 16`` by
default). It starts ONE ``streamlit run app.py`` on a free port — on a fresh
SQLite store seeded from the bundled data, or ``--database-url`` (a
PostgreSQL store), or the register files ``--carriers`` (with
``--boundaries`` / ``--targets``) — then, for each N, opens N headless
Chromium sessions at the same moment (one browser, N contexts, driven
concurrently). Each session opens the Overview and waits until the map
(its town areas drawn in the streamlit-folium frame) and the four headline
figures are on screen, then switches the language to English in the sidebar
— a rerun of the whole script, figures and map rebuilt — and waits until the
English page is drawn and the run has finished.

Printed per N: the median and p95 time to the first map drawn and of the
interaction, failures (timeouts included), the server process's peak RSS
during the round and the CPU seconds it used, next to the whole machine's
busy CPU seconds (Chromium's share is most of the difference) and its load
average before the round (other work on the machine shows there). The baseline is N = 1,
measured in the same run. Chromium runs on the same cores as the server, so
the viewers one process holds (the largest N with no failure and both p95s
within ``--limit``) is a lower bound of what a server of its own would hold.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import websockets
from playwright.async_api import Browser, async_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app_process import CHROMIUM, CHROMIUM_ARGS, MAP_FRAME, start_app, wait_healthy

from geo import translate

METRIC_VALUE = '[data-testid="stMetricValue"]'
RUNNING = '[data-testid="stStatusWidget"]'
LANGUAGE_RADIO = "语言 / Language"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class AppProcess:
    """``streamlit run app.py`` on a free port, watched for its memory and CPU time.

    A sampler thread reads the process's resident set every 0.1 s, so the peak
    of each round is known; CPU seconds come from ``/proc/<pid>/stat``.
    """

    def __init__(self, env: dict[str, str], log: Path):
        self._log = log.open("wb")
        self.process, self.url = start_app(env, self._log)
        self.peak_rss = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def wait_healthy(self, seconds: float = 90) -> None:
        """Wait until ``/_stcore/health`` answers, then start sampling the memory."""
        wait_healthy(self.process, self.url, Path(self._log.name), seconds)
        self._sampler.start()

    def rss(self) -> int:
        """The process's resident set now, in bytes."""
        with open(f"/proc/{self.process.pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the process has used so far."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def reset_peak(self) -> None:
        """Start a new peak from the present resident set (one per round)."""
        self.peak_rss = self.rss()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.peak_rss = max(self.peak_rss, self.rss())
            except (FileNotFoundError, ProcessLookupError):
                return

    def stop(self) -> None:
        """Stop sampling and end the server."""
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent not idle since boot (``/proc/stat``)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


@dataclass
class Round:
    """What N simultaneous viewers measured."""

    sessions: int
    first_draws: list[float]
    interactions: list[float]
    failures: list[str]
    peak_rss_mb: float
    server_cpu_s: float
    machine_cpu_s: float
    wall_s: float
    load_before: float


async def wait_until_drawn(page, timeout_ms: float) -> None:
    """Wait for the four headline figures and the map's town areas."""
    await page.wait_for_function(
        f"() => document.querySelectorAll('{METRIC_VALUE}').length >= 4", timeout=timeout_ms)
    # While a rerun replaces the map, the old and the new frame are both in the page.
    await page.locator(MAP_FRAME).last.content_frame.locator("path.town-area").first.wait_for(
        timeout=timeout_ms)


async def wait_until_idle(page, timeout_ms: float) -> None:
    await page.wait_for_function(f"() => !document.querySelector('{RUNNING}')",
                                 timeout=timeout_ms)


async def one_viewer(browser: Browser, url: str, timeout_s: float) -> tuple[float, float]:
    """Open the Overview, then switch to English; return both times in seconds."""
    timeout_ms = timeout_s * 1000
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = await context.new_page()
        started = time.perf_counter()
        await page.goto(url, timeout=timeout_ms)
        await wait_until_drawn(page, timeout_ms)
        first_draw = time.perf_counter() - started
        await wait_until_idle(page, timeout_ms)
        english = translate("kpi.new_area", "en")
        started = time.perf_counter()
        await page.locator('[data-testid="stSidebar"]').get_by_text(
            "English", exact=True).click(timeout=timeout_ms)
        await page.get_by_text(english, exact=True).first.wait_for(timeout=timeout_ms)
        await wait_until_idle(page, timeout_ms)
        await wait_until_drawn(page, timeout_ms)
        return first_draw, time.perf_counter() - started
    finally:
        await context.close()


def rerun_request(widget_id: str | None = None, value: str | None = None) -> bytes:
    """A BackMsg asking for a run of the Overview, optionally with one radio's value set."""
    request = BackMsg()
    request.rerun_script.page_name = ""
    if widget_id is not None:
        widget = request.rerun_script.widget_states.widgets.add()
        widget.id = widget_id
        widget.string_value = value
    return request.SerializeToString()


async def elements_of_run(socket, timeout_s: float) -> list:
    """The elements one script run sends, once it has finished."""
    elements = []
    while True:
        message = ForwardMsg()
        message.ParseFromString(await asyncio.wait_for(socket.recv(), timeout=timeout_s))
        kind = message.WhichOneof("type")
        if kind == "script_finished" and message.script_finished == 0:
            return elements
        if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            elements.append(message.delta.new_element)


def check_page(elements: list, lang: str) -> None:
    """Raise unless the run sent the four headline figures in ``lang`` and the map."""
    labels = [e.metric.label for e in elements if e.WhichOneof("type") == "metric"]
    has_map = any(e.WhichOneof("type") == "component_instance" for e in elements)
    if len(labels) < 4 or translate("kpi.new_area", lang) not in labels or not has_map:
        raise RuntimeError(f"the page lacked its figures or map ({lang}): {labels}")


async def one_protocol_viewer(url: str, timeout_s: float) -> tuple[float, float]:
    """The same visit as :func:`one_viewer`, by a client of Streamlit's WebSocket protocol.

    It asks for the runs a browser asks for and reads what the server sends,
    but draws nothing: the times are the server's alone (the map is sent, not
    drawn), for a server whose viewers' browsers run elsewhere.
    """
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    started = time.perf_counter()
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None,
                                  open_timeout=timeout_s) as socket:
        await socket.send(rerun_request())
        elements = await elements_of_run(socket, timeout_s)
        check_page(elements, "zh")
        first_page = time.perf_counter() - started
        language = next(e.radio.id for e in elements
                        if e.WhichOneof("type") == "radio" and e.radio.label == LANGUAGE_RADIO)
        started = time.perf_counter()
        await socket.send(rerun_request(language, "English"))
        check_page(await elements_of_run(socket, timeout_s), "en")
        return first_page, time.perf_counter() - started


async def run_round(browser: Browser | None, app: AppProcess, sessions: int,
                    timeout_s: float) -> Round:
    """N viewers at the same moment: Chromium pages, or protocol clients when no browser."""
    app.reset_peak()
    load_before = os.getloadavg()[0]
    cpu_before, busy_before = app.cpu_seconds(), machine_busy_seconds()
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(one_viewer(browser, app.url, timeout_s) if browser is not None
          else one_protocol_viewer(app.url, timeout_s) for _ in range(sessions)),
        return_exceptions=True)
    wall = time.perf_counter() - started
    done = [o for o in outcomes if not isinstance(o, BaseException)]
    failures = [f"{type(o).__name__}: {str(o).splitlines()[0] if str(o) else ''}"
                for o in outcomes if isinstance(o, BaseException)]
    return Round(sessions=sessions, first_draws=[d[0] for d in done],
                 interactions=[d[1] for d in done], failures=failures,
                 peak_rss_mb=app.peak_rss / 2**20,
                 server_cpu_s=app.cpu_seconds() - cpu_before,
                 machine_cpu_s=machine_busy_seconds() - busy_before, wall_s=wall,
                 load_before=load_before)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 16 values is the 16th), NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def holds(measured: Round, limit_s: float) -> bool:
    return (not measured.failures and percentile(measured.first_draws, 0.95) <= limit_s
            and percentile(measured.interactions, 0.95) <= limit_s)


def print_table(rounds: list[Round], limit_s: float) -> None:
    header = (f"{'N':>3} | {'first map median':>16} | {'p95':>6} | {'rerun median':>12} | "
              f"{'p95':>6} | {'fail':>4} | {'peak RSS MB':>11} | {'server CPU s':>12} | "
              f"{'machine CPU s':>13} | {'wall s':>6} | {'load':>5} | within {limit_s:g} s")
    print(header)
    print("-" * len(header))
    for r in rounds:
        print(f"{r.sessions:>3} | {statistics.median(r.first_draws or [float('nan')]):>16.2f} | "
              f"{percentile(r.first_draws, 0.95):>6.2f} | "
              f"{statistics.median(r.interactions or [float('nan')]):>12.2f} | "
              f"{percentile(r.interactions, 0.95):>6.2f} | {len(r.failures):>4} | "
              f"{r.peak_rss_mb:>11.0f} | {r.server_cpu_s:>12.1f} | {r.machine_cpu_s:>13.1f} | "
              f"{r.wall_s:>6.1f} | {r.load_before:>5.1f} | "
              f"{'yes' if holds(r, limit_s) else 'no'}")
    for r in rounds:
        for failure in sorted(set(r.failures)):
            print(f"  N={r.sessions}: {r.failures.count(failure)} x {failure}")


def viewers_held(rounds: list[Round], limit_s: float) -> int:
    """The largest N such that it and every smaller N measured stayed within the limit."""
    held = 0
    for measured in sorted(rounds, key=lambda r: r.sessions):
        if not holds(measured, limit_s):
            break
        held = measured.sessions
    return held


async def measure(app: AppProcess, sessions: list[int], timeout_s: float,
                  clients: list[str]) -> dict[str, list[Round]]:
    # One unmeasured visit: the first run loads and checks the data and fills the
    # process's caches, which every later viewer shares.
    await run_round(None, app, 1, timeout_s * 2)
    measured: dict[str, list[Round]] = {}
    async with async_playwright() as playwright:
        browser = None
        if "chromium" in clients:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                       args=CHROMIUM_ARGS)
        try:
            for client in clients:
                rounds = measured.setdefault(client, [])
                for count in sessions:
                    rounds.append(await run_round(browser if client == "chromium" else None,
                                                  app, count, timeout_s))
                    print(f"  measured {client} N={count}", file=sys.stderr)
        finally:
            if browser is not None:
                await browser.close()
    return measured


def app_environment(args: argparse.Namespace, folder: Path) -> dict[str, str]:
    env = {"CARRIER_MAP_DB_PATH": str(folder / "store.db")}
    if args.database_url:
        env["CARRIER_MAP_DATABASE_URL"] = args.database_url
    for name, value in (("CARRIER_MAP_CARRIERS", args.carriers),
                        ("CARRIER_MAP_BOUNDARIES", args.boundaries),
                        ("CARRIER_MAP_TARGETS", args.targets)):
        if value:
            env[name] = str(Path(value).resolve())
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 2, 4, 8, 16],
                        help="numbers of simultaneous viewers to measure (1 is the baseline)")
    parser.add_argument("--limit", type=float, default=5.0,
                        help="seconds the p95 first map and p95 rerun must stay within")
    parser.add_argument("--timeout", type=float, default=90.0,
                        help="seconds after which one viewer counts as failed")
    parser.add_argument("--clients", nargs="+", choices=["chromium", "protocol"],
                        default=["chromium", "protocol"],
                        help="chromium: headless pages that draw everything; protocol: clients "
                             "of Streamlit's WebSocket that draw nothing (the server's share)")
    parser.add_argument("--carriers", help="a register file instead of the store")
    parser.add_argument("--boundaries", help="town boundaries for --carriers")
    parser.add_argument("--targets", help="targets file")
    parser.add_argument("--database-url",
                        help="a PostgreSQL store (it is seeded if empty); default: fresh SQLite")
    args = parser.parse_args()
    sessions = sorted(set(args.sessions) | {1})
    with tempfile.TemporaryDirectory(prefix="concurrent-viewers-") as folder:
        app = AppProcess(app_environment(args, Path(folder)), Path(folder) / "streamlit.log")
        try:
            app.wait_healthy()
            measured = asyncio.run(measure(app, sessions, args.timeout, args.clients))
        finally:
            app.stop()
    data = args.carriers or ("PostgreSQL store" if args.database_url else
                             "bundled data in a fresh SQLite store")
    print(f"\nOne app process; {data}; {os.cpu_count()} CPU cores shared by the server, the "
          "clients and anything else running on this machine.")
    print("Times in seconds: first map = navigation until the four headline figures and the "
          "map's town areas are drawn;\nrerun = switching the language in the sidebar until "
          "the English page is drawn and the run has finished. Baseline: N = 1.\n"
          "machine CPU s: busy seconds of all cores (server + clients + anything else); "
          "load: the 1-minute load average before the round.")
    titles = {"chromium": "Chromium: N pages in one headless browser on the same cores",
              "protocol": "Protocol clients: the same runs asked for over Streamlit's WebSocket, "
                          "nothing drawn (first map = the page's last element received)"}
    for client, rounds in measured.items():
        print(f"\n{titles[client]}\n")
        print_table(rounds, args.limit)
        print(f"Viewers one process holds ({client}; no failure, p95 first map and p95 rerun "
              f"<= {args.limit:g} s): {viewers_held(rounds, args.limit)} of the N measured")
    print("\nChromium shares the cores with the server: its figure is a lower bound of what a "
          "server of its own holds. The protocol clients leave the drawing out: their figure is "
          "the server's own limit on this machine, an upper bound for real browsers.")


if __name__ == "__main__":
    main()
