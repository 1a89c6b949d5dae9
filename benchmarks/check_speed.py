"""Time the whole check on a synthetic province-sized case against a bare sjoin.

Run: ``python benchmarks/check_speed.py`` (``--carriers N --towns N`` to resize).
It writes the synthetic files once under ``benchmarks/.cache/`` and prints the
stage breakdown (read, normalise, convert, join, aggregate), the end-to-end
time, and a plain ``geopandas.sjoin`` of the same points measured in the same
run, with the ratio of the check's spatial step to that baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import Targets, check, load_boundaries, load_dataset
from geo.coords import to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from geo.locate import locate, towns_of_points
from geo.readers import read_table
from geo.register import validate_register

CACHE = Path(__file__).resolve().parent / ".cache"
BOUNDS = (116.3, 30.8, 121.9, 35.1)  # roughly a province the size of Jiangsu
TYPES = np.array(["孵化器", "研究院", "众创空间", "产业化基地", "新型研发机构", "maker_space"])
STATUSES = np.array(["已投用", "已投用", "在建", "规划", "in_use"])
DATES = np.array(["2016", "2018-03", "2019-06-30", "2019/6/30", "2019年6月", "2020年12月31日",
                  "2021", "2017-12-31", "2018"])


def make_towns(count: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    seeds = shapely.points(rng.uniform(BOUNDS[0], BOUNDS[2], count),
                           rng.uniform(BOUNDS[1], BOUNDS[3], count))
    box = shapely.box(*BOUNDS)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=box)
    polygons = [cell.intersection(box) for cell in cells.geoms]
    return gpd.GeoDataFrame({"name": [f"镇{i:04d}" for i in range(len(polygons))]},
                            geometry=polygons, crs="EPSG:4326")


def make_register(count: int, town_names: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    lon = rng.uniform(BOUNDS[0], BOUNDS[2], count)
    lat = rng.uniform(BOUNDS[1], BOUNDS[3], count)
    crs = rng.choice(np.array(["", "GCJ02", "BD09"]), count, p=[0.6, 0.3, 0.1])
    gcj = crs == "GCJ02"
    bd = crs == "BD09"
    lon[gcj], lat[gcj] = wgs84_to_gcj02(lon[gcj], lat[gcj])
    lon[bd], lat[bd] = wgs84_to_bd09(lon[bd], lat[bd])
    lon_text = np.char.mod("%.6f", lon).astype(object)
    lat_text = np.char.mod("%.6f", lat).astype(object)
    town = np.full(count, "", dtype=object)
    no_point = rng.random(count) < 0.01
    lon_text[no_point] = ""
    lat_text[no_point] = ""
    town[no_point] = rng.choice(town_names, int(no_point.sum()))
    area = rng.integers(200, 60000, count).astype(str).astype(object)
    wan = rng.random(count) < 0.05
    area[wan] = [f"{v / 10000:.2f}万" for v in rng.integers(10000, 60000, int(wan.sum()))]
    return pd.DataFrame({
        "编号": [f"P{i:07d}" for i in range(count)],
        "名称": [f"载体{i}" for i in range(count)],
        "类型": rng.choice(TYPES, count),
        "镇区": town,
        "经度": lon_text,
        "纬度": lat_text,
        "坐标系": crs,
        "面积（平方米）": area,
        "投用时间": rng.choice(DATES, count),
        "状态": rng.choice(STATUSES, count),
        "运营单位": rng.choice(np.array(["某管委会", "某公司", "某大学"]), count),
        "来源": "synthetic",
    })


def ensure_files(carriers: int, towns: int) -> tuple[Path, Path]:
    CACHE.mkdir(exist_ok=True)
    towns_path = CACHE / f"towns_{towns}.geojson"
    carriers_path = CACHE / f"carriers_{carriers}_{towns}.csv"
    rng = np.random.default_rng(1250)
    if not towns_path.exists():
        make_towns(towns, rng).to_file(towns_path, driver="GeoJSON")
    if not carriers_path.exists():
        names = gpd.read_file(towns_path)["name"].to_numpy()
        make_register(carriers, names, rng).to_csv(carriers_path, index=False,
                                                    encoding="utf-8-sig")
    return carriers_path, towns_path


class Stopwatch:
    """Accumulates wall-clock seconds per labelled stage."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}

    def time(self, label: str, function, *args, **kwargs):
        """Call ``function`` and add its duration to ``label``."""
        start = time.perf_counter()
        result = function(*args, **kwargs)
        self.laps[label] = self.laps.get(label, 0.0) + time.perf_counter() - start
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carriers", type=int, default=1_000_000)
    parser.add_argument("--towns", type=int, default=1250)
    args = parser.parse_args()
    print(f"preparing {args.carriers:,} carriers in {args.towns:,} towns (cached) ...")
    carriers_path, towns_path = ensure_files(args.carriers, args.towns)
    print(f"register {carriers_path.stat().st_size / 1e6:.0f} MB, "
          f"boundaries {towns_path.stat().st_size / 1e6:.1f} MB\n")

    # End to end, exactly as the CLI does it.
    start = time.perf_counter()
    result = load_dataset(carriers_path, towns_path).check()
    end_to_end = time.perf_counter() - start

    # The same work stage by stage, for the breakdown.
    watch = Stopwatch()
    raw = watch.time("read (CSV → strings)", read_table, carriers_path)
    boundaries = watch.time("read (boundaries)", load_boundaries, towns_path)
    register = watch.time("normalise + convert", validate_register, raw)
    frame = register.carriers
    column = {name: raw.frame.iloc[:, position] for name, position in raw.fields.items()}
    lon = pd.to_numeric(column["lon"], errors="coerce").to_numpy()
    lat = pd.to_numeric(column["lat"], errors="coerce").to_numpy()
    systems = column["crs"].fillna("WGS84").to_numpy()
    watch.time("  of which convert (GCJ-02/BD-09 → WGS84)", to_wgs84, lon, lat, systems)
    usable = (frame["usable"] & frame["has_point"]).to_numpy()
    points_lon, points_lat = frame["lon"].to_numpy()[usable], frame["lat"].to_numpy()[usable]
    watch.time("join (spatial step: points in towns)", towns_of_points, points_lon, points_lat,
               boundaries.towns)
    locate_label = "locate (spatial step + declared towns)"
    watch.time(locate_label, locate, frame, boundaries)
    check_start = time.perf_counter()
    check(register, boundaries, Targets())
    watch.laps["aggregate (rule + town sums)"] = (time.perf_counter() - check_start
                                                  - watch.laps[locate_label])

    # Baseline: a plain geopandas.sjoin of the same points, same run.
    def bare_sjoin():
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(points_lon, points_lat),
                                  crs="EPSG:4326")
        return gpd.sjoin(points, boundaries.towns[["name", "geometry"]], predicate="intersects")

    baseline_runs = [Stopwatch() for _ in range(2)]
    for run in baseline_runs:
        run.time("sjoin", bare_sjoin)
    spatial_runs = [Stopwatch() for _ in range(2)]
    for run in spatial_runs:
        run.time("join", towns_of_points, points_lon, points_lat, boundaries.towns)
    baseline = min(r.laps["sjoin"] for r in baseline_runs)
    spatial = min(r.laps["join"] for r in spatial_runs)

    width = max(len(k) for k in watch.laps) + 2
    print("stage breakdown (seconds):")
    for label, seconds in watch.laps.items():
        print(f"  {label:<{width}} {seconds:7.2f}")
    print(f"\nend to end (load_dataset + check, as the CLI): {end_to_end:7.2f} s   goal < 10 s")
    print(f"spatial step (best of 2):                      {spatial:7.2f} s")
    print(f"baseline geopandas.sjoin (best of 2):          {baseline:7.2f} s")
    ratio = spatial / baseline
    print(f"spatial step / baseline:                       {ratio:7.2f} ×  goal ≤ 1.5 ×")
    print(f"\ncounted carriers {result.city.new_carriers:,}, towns met "
          f"{result.city.towns_met:,} / {result.city.towns_total:,}, "
          f"problems {len(result.problems):,}")


if __name__ == "__main__":
    main()
