"""How large the map page is, and how long it takes to build, for the sample and 10,000 carriers.

Run: ``python benchmarks/map_payload.py`` (``--carriers N`` to resize). It
writes a synthetic register of N carriers inside the bundled Taicang towns
(once, under ``benchmarks/.cache/``) and prints, for the bundled sample and
for that register: the map's HTML (what streamlit-folium sends to the
browser, before and after gzip) and the time to build it. The baseline,
measured in the same run, is the usual folium way: one ``folium.Marker`` with
a ``Popup`` and a ``Tooltip`` per carrier in a ``MarkerCluster``.
"""

from __future__ import annotations

import argparse
import gzip
import html
import sys
import time
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import shapely
from folium.plugins import MarkerCluster

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import load_dataset
from render.mapview import carrier_map

CACHE = Path(__file__).resolve().parent / ".cache"
TYPES = np.array(["孵化器", "研究院", "众创空间", "产业化基地"])
STATUSES = np.array(["已投用", "已投用", "在建", "规划"])


def synthetic_register(count: int) -> Path:
    path = CACHE / f"taicang_{count}.csv"
    if path.exists():
        return path
    towns = load_dataset().boundaries.towns
    area = shapely.union_all(towns.geometry.to_numpy())
    west, south, east, north = area.bounds
    rng = np.random.default_rng(7)
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < count:
        x, y = rng.uniform(west, east, count), rng.uniform(south, north, count)
        inside = shapely.contains_xy(area, x, y)
        lon, lat = np.concatenate([lon, x[inside]]), np.concatenate([lat, y[inside]])
    CACHE.mkdir(exist_ok=True)
    pd.DataFrame({
        "编号": [f"S{i:05d}" for i in range(count)],
        "名称": [f"示例载体{i}号（科技孵化器）" for i in range(count)],
        "类型": rng.choice(TYPES, count), "经度": np.round(lon[:count], 6),
        "纬度": np.round(lat[:count], 6),
        "面积": rng.integers(200, 20000, count), "投用时间": rng.choice(
            ["2017-05", "2018-09", "2019-06", "2020-11", "2021"], count),
        "状态": rng.choice(STATUSES, count), "来源": "示意",
    }).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def naive_map(result, towns) -> folium.Map:
    """The baseline: one folium Marker with Popup and Tooltip per carrier."""
    fmap = folium.Map(tiles=None, max_zoom=18)
    folium.GeoJson(towns[["name", "geometry"]]).add_to(fmap)
    cluster = MarkerCluster().add_to(fmap)
    shown = result.carriers[result.carriers["usable"] & result.carriers["has_point"]]
    for row in shown.itertuples():
        name = html.escape(str(row.name))
        folium.Marker([row.lat, row.lon], tooltip=name, popup=folium.Popup(
            f"<b>{name}</b><br>{row.type}<br>{row.floor_area_m2:,.0f} m²<br>{row.opened_text}"
            f"<br>{row.status}<br>{row.town}")).add_to(cluster)
    return fmap


def measure(label: str, build, *args) -> None:
    start = time.perf_counter()
    page = build(*args).get_root().render().encode("utf-8")
    seconds = time.perf_counter() - start
    packed = len(gzip.compress(page)) / 1024
    print(f"  {label:<38} {len(page) / 1024:>9,.0f} KiB  gzip {packed:>7,.0f} KiB"
          f"  build {seconds:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carriers", type=int, default=10_000)
    count = parser.parse_args().carriers
    for title, data in (("bundled sample", load_dataset()),
                        (f"{count:,} synthetic carriers", load_dataset(synthetic_register(count)))):
        result, towns = data.check(), data.boundaries.towns
        placed = int((result.carriers["usable"] & result.carriers["has_point"]).sum())
        print(f"{title} ({placed:,} markers, {len(towns)} towns)")
        measure("this map (compact rows, lazy popups)", carrier_map, result, towns)
        measure("baseline (folium Marker per carrier)", naive_map, result, towns)
    static = Path(__file__).resolve().parent.parent / "static"
    size = sum(p.stat().st_size for p in static.rglob("*") if p.is_file()
               and p.suffix in {".js", ".css", ".woff2"})
    print(f"vendored scripts, styles and font (cached by the browser): {size / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
