"""A synthetic province for the scale tests: detailed towns that meet exactly, many carriers.

Real township borders follow rivers and roads with hundreds of vertices,
and each border is one line shared by the two towns on either side. The
towns here are built the same way (every border made once, then
polygonised), so they form an exact coverage, as official files do.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely


def detailed_coverage(count: int, seed: int, bounds=(0.0, 0.0, 1.0, 1.0)) -> np.ndarray:
    """About ``count`` towns over ``bounds`` with wiggly shared borders, meeting exactly."""
    rng = np.random.default_rng(seed)
    west, south, east, north = bounds
    frame = shapely.box(*bounds)
    seeds = np.column_stack([rng.uniform(west, east, count), rng.uniform(south, north, count)])
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame)
    borders = shapely.node(shapely.union_all(
        [shapely.intersection(cell, frame).boundary for cell in shapely.get_parts(cells)]))
    step = max(east - west, north - south) / 500
    wiggled = []
    for edge in shapely.get_parts(borders):
        start, end = np.asarray(edge.coords)[[0, -1]]
        along = np.linspace(0, 1, max(3, int(np.hypot(*(end - start)) / step)))
        normal = np.array([start[1] - end[1], end[0] - start[0]])
        bend = np.sin(along * np.pi * 7) * np.sin(along * np.pi) * 0.01
        wiggled.append(shapely.LineString(start + np.outer(along, end - start)
                                          + np.outer(bend, normal)))
    return shapely.get_parts(shapely.polygonize(wiggled))


def write_province(folder: Path, towns: int, carriers: int, seed: int = 5) -> dict[str, str]:
    """Boundaries, targets and a register in ``folder``; the app's settings for them."""
    outlines = detailed_coverage(towns, seed, bounds=(116.0, 30.0, 118.0, 31.5))
    names = [f"示例{i:04d}镇" for i in range(len(outlines))]
    boundaries = folder / "towns.geojson"
    gpd.GeoDataFrame({"name": names}, geometry=outlines, crs="EPSG:4326").to_file(
        boundaries, driver="GeoJSON")
    targets = folder / "targets.toml"
    targets.write_text("[period]\nstart = 2018-01-01\nend = 2020-12-31\n\n"
                       "[towns]\ndefault_target_m2 = 10000\n\n"
                       "[city]\nnew_carriers = 30\nresearch_institutes = 10\n",
                       encoding="utf-8")
    rng = np.random.default_rng(seed)
    area = shapely.union_all(outlines)
    lon = rng.uniform(116.0, 118.0, carriers * 2)
    lat = rng.uniform(30.0, 31.5, carriers * 2)
    inside = shapely.contains_xy(area, lon, lat)
    lon, lat = lon[inside][:carriers], lat[inside][:carriers]
    kinds = ["孵化器", "研究院", "众创空间", "产业化基地"]
    register = folder / "carriers.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "type", "lon", "lat", "floor_area_m2", "opened",
                         "status"])
        for i in range(len(lon)):
            writer.writerow([f"P{i:06d}", f"示例载体{i}号", kinds[i % 4], f"{lon[i]:.6f}",
                             f"{lat[i]:.6f}", 500 + (i * 37) % 20000,
                             ["2018-09", "2019-06", "2020-11", "2021-03"][i % 4],
                             ["已投用", "已投用", "在建"][i % 3]])
    return {"CARRIER_MAP_CARRIERS": str(register), "CARRIER_MAP_BOUNDARIES": str(boundaries),
            "CARRIER_MAP_TARGETS": str(targets), "CARRIER_MAP_NAME_FIELD": "name"}
