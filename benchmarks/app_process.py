"""Start the dashboard with ``streamlit run`` on a free port, and the Chromium it is driven in.

One place for the benchmarks (``map_scale.py``, ``concurrent_viewers.py``,
which import it from this folder) and the browser tests (``tests/browser.py``,
as ``benchmarks.app_process``): the same command line, the same wait for
``/_stcore/health`` and the same headless Chromium flags, so what the
benchmarks measure is what the tests check. Nothing of the project is
imported here: a benchmark's worker that runs an older tree stays on it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
"""streamlit-folium's frame, which holds the Leaflet map."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(env: dict[str, str], output: BinaryIO) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` on a free port with ``env`` added; its process and address.

    The server's output goes to ``output``; call :func:`wait_healthy` before
    opening the address.
    """
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT,
                               env={**os.environ, **env})
    return process, f"http://127.0.0.1:{port}"


def wait_healthy(process: subprocess.Popen, url: str, log: Path, seconds: float = 60) -> None:
    """Wait until the server at ``url`` answers its health check; raise if it died or is late."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log}") from None
            time.sleep(0.3)


@contextlib.contextmanager
def app_server(env: dict[str, str], log: Path, start_seconds: float = 60) -> Iterator[str]:
    """The app running with ``env`` (its output in ``log``); yields its address once healthy."""
    with log.open("wb") as output:
        process, url = start_app(env, output)
        try:
            wait_healthy(process, url, log, start_seconds)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
