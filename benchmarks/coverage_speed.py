"""Time the coverage analysis (geo.coverage) for the county and a synthetic province.

Run: ``python benchmarks/coverage_speed.py`` (the bundled Taicang county) and
``python benchmarks/coverage_speed.py --province`` (adds a synthetic province:
100,000 km², 1,250 towns, 100,000 carriers, at 250 m and 1 km, and k = 10
sites; about a minute, most of it the baselines). Every figure is the best of
``--repeat`` runs. The baselines are measured in the same run on the same
data: brute-force numpy nearest distance over all pairs (on a sample of cells,
scaled to the whole grid) and ``geopandas.sjoin_nearest``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import check, load_dataset
from geo.boundaries import prepare_boundaries
from geo.coverage import (
    distance_surface,
    gap_polygons,
    hypothetical_rows,
    make_grid,
    run_scenario,
    suggest_sites,
    town_coverage,
    validate_hypothetical,
)
from geo.coverage.distance import nearest_distance
from geo.locate import towns_of_points
from geo.schema import CARRIER_TYPES

PROVINCE_BOUNDS = (116.0, 31.0, 119.35, 33.85)  # ≈ 316 km × 316 km ≈ 100,000 km²


def best(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The shortest of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def report(label: str, seconds: float, goal: str = "") -> None:
    print(f"  {label:<66} {seconds:8.3f} s  {goal}", flush=True)


def baselines(surface, carrier_type: str, sample_size: int, rng: np.random.Generator,
              repeat: int) -> None:
    """Brute force and sjoin_nearest against the KD-tree, on the same cells and carriers."""
    grid = surface.grid
    chosen = surface.carriers[(surface.carriers["type"] == carrier_type)
                              & surface.carriers["has_point"]]
    points = chosen[["x", "y"]].to_numpy()
    cells = np.column_stack([grid.x, grid.y])
    sample = rng.choice(grid.size, min(sample_size, grid.size), replace=False)
    scale = grid.size / len(sample)

    def brute() -> np.ndarray:
        out = np.empty(len(sample))
        for start in range(0, len(sample), 256):
            block = cells[sample[start:start + 256]]
            squared = ((block[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
            out[start:start + 256] = np.sqrt(squared.min(axis=1))
        return out

    seconds, exact = best(brute, 1)
    kd_seconds, kd = best(lambda: nearest_distance(points, cells[sample]), repeat)
    print(f"  [{carrier_type}: {len(points):,} carriers; sample of {len(sample):,} of "
          f"{grid.size:,} cells; KD-tree vs brute force max |Δ| = "
          f"{np.abs(kd - exact).max():.2e} m]")
    report(f"KD-tree nearest, sample ({len(sample):,} cells)", kd_seconds)
    report("baseline: numpy all pairs, same sample", seconds)
    report("baseline: numpy all pairs, scaled to the whole grid", seconds * scale)

    cell_frame = gpd.GeoDataFrame(geometry=shapely.points(cells[sample]), crs=grid.crs)
    carrier_frame = gpd.GeoDataFrame(geometry=shapely.points(points), crs=grid.crs)
    seconds, joined = best(lambda: gpd.sjoin_nearest(cell_frame, carrier_frame,
                                                     distance_col="d"), 1)
    by_cell = joined.groupby(level=0)["d"].min().reindex(range(len(sample))).to_numpy()
    print(f"  [sjoin_nearest vs KD-tree max |Δ| = {np.abs(by_cell - kd).max():.2e} m]")
    report("baseline: geopandas.sjoin_nearest, same sample", seconds)
    report("baseline: geopandas.sjoin_nearest, scaled to the whole grid", seconds * scale)


def county(repeat: int) -> None:
    print("County (bundled Taicang data), 250 m")
    dataset = load_dataset()
    result = dataset.check()
    grid_seconds, grid = best(lambda: make_grid(dataset.boundaries, 250), repeat)
    print(f"  [{grid.size:,} cells of {grid.resolution_m:g} m, {len(result.carriers)} carriers]")
    report("grid (once per boundaries + resolution; cached by a page)", grid_seconds)

    def surface_and_table():
        surface = distance_surface(grid, result.carriers)
        return surface, town_coverage(surface, 3.0)

    seconds, (surface, table) = best(surface_and_table, repeat)
    report("distance surface + per-town table, all four types", seconds, "goal ≤ 1 s")
    report("  … with the grid built too", seconds + grid_seconds, "goal ≤ 1 s")
    site = dataset.boundaries.towns.geometry.iloc[0].representative_point()
    rows = hypothetical_rows([site.x], [site.y], ["incubator"], [15000.0], status="in_use",
                             opened="2019-06")
    # As a page runs it: the check and coverage of the register are already there.
    seconds, _ = best(lambda: run_scenario(dataset.register, dataset.boundaries,
                                           dataset.targets, rows, surface, 3.0,
                                           before=result, coverage_before=table), repeat)
    report("scenario update: one added carrier (validate + check + coverage)", seconds,
           "goal ≤ 0.3 s")
    seconds, _ = best(lambda: validate_hypothetical(rows, dataset.register,
                                                    dataset.boundaries), repeat)
    report("  of which: validating the row (geo.register rules)", seconds)
    seconds, _ = best(lambda: check(dataset.register, dataset.boundaries, dataset.targets),
                      repeat)
    report("  of which: the check (geo.check.check, register + 1 row)", seconds)
    seconds, _ = best(lambda: suggest_sites(surface, "maker_space", 3.0, 10), repeat)
    report("k = 10 suggested sites (maker space, 3 km)", seconds)
    seconds, _ = best(lambda: gap_polygons(surface, "maker_space", 3.0, dataset.boundaries),
                      repeat)
    report("gap layer as polygons, cut to the town lines (maker space, 3 km)", seconds)
    baselines(surface, "incubator", grid.size, np.random.default_rng(1), repeat)


def province_data(rng: np.random.Generator, towns: int, carriers: int):
    west, south, east, north = PROVINCE_BOUNDS
    seeds = shapely.points(rng.uniform(west, east, towns), rng.uniform(south, north, towns))
    box = shapely.box(*PROVINCE_BOUNDS)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=box)
    polygons = [cell.intersection(box) for cell in cells.geoms]
    frame = gpd.GeoDataFrame({"name": [f"镇{i:04d}" for i in range(len(polygons))]},
                             geometry=polygons, crs="EPSG:4326")
    boundaries = prepare_boundaries(frame)
    lon, lat = rng.uniform(west, east, carriers), rng.uniform(south, north, carriers)
    town = towns_of_points(lon, lat, boundaries.towns)  # the check's own placement
    names = np.asarray(boundaries.names, dtype=object)
    located = pd.DataFrame({
        "id": [f"P{i:06d}" for i in range(carriers)],
        "type": rng.choice(np.array(CARRIER_TYPES, dtype=object), carriers),
        "status": rng.choice(np.array(["in_use", "under_construction", "planned"],
                                      dtype=object), carriers, p=[0.8, 0.1, 0.1]),
        "town": np.where(town >= 0, names[town.clip(0)], None),
        "floor_area_m2": rng.integers(200, 60000, carriers).astype(float),
        "lon": lon, "lat": lat, "has_point": True, "usable": True,
    })
    return boundaries, located


def province(repeat: int) -> None:
    print("\nProvince (synthetic: 1,250 towns, 100,000 carriers)")
    rng = np.random.default_rng(1250)
    boundaries, located = province_data(rng, 1250, 100_000)
    for resolution, goal in ((250.0, "goal ≤ 10 s"), (1000.0, "goal ≤ 2 s")):
        grid_seconds, grid = best(lambda r=resolution: make_grid(boundaries, r), repeat)
        print(f"  [{grid.town_area_m2.sum() / 1e6:,.0f} km², {grid.size:,} cells of "
              f"{grid.resolution_m:g} m]")
        report(f"grid at {resolution:g} m", grid_seconds)

        def surface_and_table(g=grid):
            surface = distance_surface(g, located)
            return surface, town_coverage(surface, 3.0)

        seconds, (surface, _) = best(surface_and_table, repeat)
        report(f"distance surface + per-town table, all types, {resolution:g} m", seconds)
        report(f"  … with the grid built too, {resolution:g} m", seconds + grid_seconds, goal)
        if resolution == 250.0:
            surface_250 = surface
    seconds, _ = best(lambda: suggest_sites(surface_250, "maker_space", 3.0, 10), repeat)
    report("k = 10 suggested sites (maker space, 3 km, 250 m grid)", seconds, "goal ≤ 5 s")
    seconds, _ = best(lambda: suggest_sites(surface_250, "research_institute", 10.0, 10),
                      repeat)
    report("k = 10 suggested sites (research institute, 10 km, 250 m grid)", seconds)
    seconds, _ = best(lambda: gap_polygons(surface_250, "maker_space", 3.0), 1)
    report("gap layer as polygons (maker space, 3 km, 250 m grid)", seconds)
    baselines(surface_250, "incubator", 100_000, rng, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", action="store_true",
                        help="also run the synthetic province (about a minute)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    county(args.repeat)
    if args.province:
        province(args.repeat)


if __name__ == "__main__":
    main()
