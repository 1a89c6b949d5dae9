"""Run the dashboard with ``streamlit run`` and drive it in headless Chromium.

Shared by the browser tests: start a server on a free port with its own
store (optionally with another register; ``benchmarks/app_process.py`` starts it),
open it in Chromium through Playwright, and record every host the browser
contacts.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from benchmarks.app_process import CHROMIUM, CHROMIUM_ARGS, MAP_FRAME, REPO, app_server

ARTIFACTS = REPO / "test-artifacts"
_servers = itertools.count()


def needs_chromium() -> None:
    """Skip with the reason when this machine has no Chromium or Playwright."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")


@contextlib.contextmanager
def streamlit_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on a free port and its own SQLite store; yields its address."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"{os.getpid()}-{next(_servers)}"
    database = ARTIFACTS / f"store-{name}.db"
    database.unlink(missing_ok=True)  # left by an earlier run: every server starts afresh
    store = {"CARRIER_MAP_DB_PATH": str(database)}
    with app_server({**store, **(env or {})}, ARTIFACTS / f"streamlit-{name}.log") as url:
        yield url


TOWN_EDITOR = ("liuhe", "liuhe-password")
"""The 浏河镇 town editor the store-backed browser tests sign in as."""


@contextlib.contextmanager
def store_server(folder: Path, prepare=None) -> Iterator[str]:
    """The app on a fresh seeded SQLite store with the 浏河镇 editor; ``prepare(store)`` first."""
    from geo.store.engine import sqlite_url
    from geo.store.setup import SYSTEM, open_store
    from geo.store.users import add_user

    needs_chromium()
    database = folder / "store.db"
    store = open_store(sqlite_url(database))
    add_user(store, SYSTEM, TOWN_EDITOR[0], "town_editor", ["浏河镇"], TOWN_EDITOR[1])
    if prepare is not None:
        prepare(store)
    store.close()
    with streamlit_server({"CARRIER_MAP_DB_PATH": str(database)}) as url:
        yield url


class Browser:
    """One Chromium page that remembers which hosts it asked for and any dialogs."""

    def __init__(self, playwright, base_url: str):
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.page = self.browser.new_page(viewport={"width": 1600, "height": 1000})
        self.base_url = base_url
        self.hosts: set[str] = set()
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.hosts.add(urlparse(request.url).netloc))
        self.page.on("dialog", self._dismiss)

    def _dismiss(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str = "/") -> None:
        """Go to ``path`` and wait until Streamlit has finished running the page."""
        self.page.goto(self.base_url + path)
        self.settle()

    def settle(self) -> None:
        """Wait until the app is idle (no script running)."""
        self.page.wait_for_selector('[data-testid="stApp"]')
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)
        time.sleep(0.5)

    def map_frame(self):
        """The streamlit-folium frame, once Leaflet has drawn into it."""
        self.page.wait_for_selector(MAP_FRAME, timeout=30000)
        frame = self.page.frame_locator(MAP_FRAME)
        frame.locator("path.town-area").first.wait_for(timeout=30000)
        return frame

    def screenshot(self, name: str) -> Path:
        """Write a screenshot of the whole page to ``test-artifacts/``; return its path.

        Streamlit scrolls inside its main area, so the window is made as tall as
        the content for the shot, then put back.
        """
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        size = self.page.viewport_size
        height = self.page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 0")
        if height > size["height"]:
            self.page.set_viewport_size({"width": size["width"], "height": height + 40})
            time.sleep(1)
        self.page.screenshot(path=str(path))
        self.page.set_viewport_size(size)
        return path

    def sign_in(self, user: str = TOWN_EDITOR[0], password: str = TOWN_EDITOR[1]) -> None:
        """Fill in the local sign-in form on the open page and submit it."""
        from geo import translate

        self.page.get_by_label(translate("auth.username", "zh")).fill(user)
        self.page.get_by_label(translate("auth.password", "zh")).fill(password)
        self.page.get_by_role("button", name=translate("auth.sign_in", "zh")).click()
        self.settle()

    def close(self) -> None:
        """Close Chromium."""
        self.browser.close()
