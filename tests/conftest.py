"""Shared fixtures: small boundary sets and a register writer for any format."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.boundaries import Boundaries, prepare_boundaries

REPO = Path(__file__).resolve().parent.parent
HEADER = ["id", "name", "type", "town", "lon", "lat", "crs", "floor_area_m2", "opened", "status",
          "source"]

# Two rows of two square towns, 0.1° a side, near Taicang.
SQUARES = {
    "甲镇": (121.0, 31.4),
    "乙镇": (121.1, 31.4),
    "丙镇": (121.0, 31.5),
    "丁区": (121.1, 31.5),
}


def square_towns() -> gpd.GeoDataFrame:
    """Four towns meeting along shared edges (WGS84)."""
    return gpd.GeoDataFrame(
        {"name": list(SQUARES), "name_en": ["Jia", "Yi", "Bing", "Ding"]},
        geometry=[shapely.box(x, y, x + 0.1, y + 0.1) for x, y in SQUARES.values()],
        crs="EPSG:4326",
    )


@pytest.fixture(autouse=True)
def private_store(tmp_path_factory, monkeypatch) -> Path:
    """Every test that opens the default store gets its own SQLite file, never var/."""
    path = tmp_path_factory.mktemp("store") / "carrier-map.db"
    monkeypatch.setenv("CARRIER_MAP_DB_PATH", str(path))
    monkeypatch.delenv("CARRIER_MAP_DATABASE_URL", raising=False)
    return path


@pytest.fixture
def towns() -> Boundaries:
    return prepare_boundaries(square_towns())


@pytest.fixture
def towns_file(tmp_path: Path) -> Path:
    path = tmp_path / "towns.geojson"
    square_towns().to_file(path, driver="GeoJSON")
    return path


def carrier(id: str = "C1", name: str | None = None, type: str = "孵化器", town: str = "",
            lon: str = "121.05", lat: str = "31.45", crs: str = "", area: str = "12000",
            opened: str = "2019-06", status: str = "已投用", source: str = "") -> list[str]:
    """One register row in :data:`HEADER` order (default: counts in 甲镇).

    The default name is made from the id (``某孵化器C1``), so rows with different
    ids are different carriers, never probable duplicates of each other.
    """
    name = f"某孵化器{id}" if name is None else name
    return [id, name, type, town, lon, lat, crs, area, opened, status, source]


def write_csv(path: Path, rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER,
              encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def register_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows to a CSV in ``tmp_path`` and return its path."""
    def write(rows: Sequence[Sequence[str]], name: str = "carriers.csv", **kwargs) -> Path:
        return write_csv(tmp_path / name, rows, **kwargs)
    return write


@pytest.fixture(scope="module")
def playwright():
    """Playwright, for the browser tests (skipped with the reason when Chromium is missing)."""
    from tests.browser import needs_chromium

    needs_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the test ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, keep each module on one worker and every browser test on one.

    With ``--dist loadgroup`` a module's fixtures are set up once, and at most
    one app server and Chromium run at a time while the other worker runs
    the rest: two browsers on two cores made their 30-second waits time out.
    A module that starts app servers without a browser joins the browser
    group by marking itself ``xdist_group("browser")``.
    """
    for item in items:
        if item.get_closest_marker("xdist_group"):  # a module that chose its group
            continue
        group = "browser" if item.get_closest_marker("browser") else item.module.__name__
        item.add_marker(pytest.mark.xdist_group(group))
