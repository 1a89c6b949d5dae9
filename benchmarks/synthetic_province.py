"""A synthetic province for the scale benchmarks: 1,250 towns and registers of any size.

Import :func:`province_case` (``from synthetic_province import province_case``
with ``benchmarks/`` on ``sys.path``) to get the paths of a boundary file, a
targets file and a carrier register; ``python benchmarks/synthetic_province.py
--carriers 1000 10000`` writes them and prints the paths and a summary. The
files are written once under ``benchmarks/.cache/`` (git-ignored) and reused.

The towns cover about 5° × 4° of eastern China (lon 116–121, lat 30–34) and
form an exact coverage, like an official town layer: Voronoi cells around
relaxed random seats give the topology; every shared border is built once,
split into short steps and bent by smooth deterministic noise with its two
ends fixed, so two neighbours share exactly the same vertices — no gaps, no
overlaps — and each town has a few hundred of them. The carriers lie inside
the towns, most of them around a dozen city centres, with Chinese names,
types, statuses, dates and areas in the register's own format (a third of
the positions in GCJ-02, as offices copy them from Gaode).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.coords import wgs84_to_gcj02

__all__ = ["BOUNDS", "TOWN_COUNT", "ProvinceCase", "province_case", "province_towns"]

CACHE = Path(__file__).resolve().parent / ".cache"
BOUNDS = (116.0, 30.0, 121.0, 34.0)
"""West, south, east, north of the province, in degrees (WGS84)."""
TOWN_COUNT = 1250
STEP_DEGREES = 0.0016
"""The length of one border step, in degrees (about 160 m): a few hundred vertices a town."""
VERSION = "v2"
"""Part of every cached file's name: change it when the generator changes."""

_SEAT_SYLLABLES = list("东西南北新安平河桥港湖山塘浦泾庄林华阳兴丰盛宁和清水金石龙凤"
                       "溪江沙梅松柏竹杨柳望城长永福太仓昆吴常泰海如皋涟沭泗")
_TOWN_SUFFIXES = np.array(["镇"] * 8 + ["街道", "乡"])
_BRANDS = np.array(["中科", "华创", "启迪", "国创", "苏南", "江海", "长三角", "同济", "东大",
                    "南工", "紫金", "太湖", "金鸡湖", "星火", "博济", "恒泰", "瑞华", "汇智",
                    "创源", "智谷", "高新", "科创", "清华", "北航", "西交", "复旦", "浙大",
                    "先导", "双创", "未来"])
_FIELDS = np.array(["智能制造", "生物医药", "新材料", "集成电路", "人工智能", "软件与信息服务",
                    "新能源", "高端装备", "航空航天", "现代农业", "节能环保", "医疗器械",
                    "汽车零部件", "物联网", "大数据", "精细化工", "纳米技术", "光电",
                    "数字创意", "海洋工程", "轨道交通", "检验检测", "工业设计", "机器人"])
_TYPES = np.array(["孵化器", "众创空间", "产业化基地", "研究院", "新型研发机构", "大院大所"])
_TYPE_SHARES = [0.33, 0.30, 0.20, 0.09, 0.05, 0.03]
_TYPE_WORDS = {"孵化器": "科技企业孵化器", "众创空间": "众创空间", "产业化基地": "产业化基地",
               "研究院": "研究院", "新型研发机构": "技术研究所", "大院大所": "分院"}
_STATUSES = np.array(["已投用", "在建", "规划"])
_STATUS_SHARES = [0.72, 0.16, 0.12]
_LEVELS = np.array(["国家级", "省级", "市级", "区级", ""])
_OPERATORS = np.array(["管委会", "科技发展有限公司", "投资集团", "大学", "研究院有限公司"])


@dataclass(frozen=True)
class ProvinceCase:
    """The three files of one synthetic case, as the app's environment variables take them."""

    boundaries: Path
    targets: Path
    register: Path
    carriers: int

    @property
    def environment(self) -> dict[str, str]:
        """``CARRIER_MAP_*`` variables pointing the app at this case."""
        return {"CARRIER_MAP_CARRIERS": str(self.register),
                "CARRIER_MAP_BOUNDARIES": str(self.boundaries),
                "CARRIER_MAP_TARGETS": str(self.targets),
                "CARRIER_MAP_NAME_FIELD": "name"}


def province_case(carriers: int) -> ProvinceCase:
    """The paths of the synthetic province with ``carriers`` carriers, written if missing.

    The towns and targets are shared by every size; each register is
    written once and reused (the same seed gives the same file).
    """
    CACHE.mkdir(exist_ok=True)
    boundaries = CACHE / f"province_towns_{VERSION}.geojson"
    targets = CACHE / f"province_targets_{VERSION}.toml"
    register = CACHE / f"province_carriers_{VERSION}_{carriers}.csv"
    if not boundaries.exists():
        _write_atomically(boundaries, lambda path: province_towns().to_file(
            path, driver="GeoJSON", COORDINATE_PRECISION=6))
    towns = gpd.read_file(boundaries)
    if not targets.exists():
        _write_atomically(targets, lambda path: path.write_text(
            _targets_toml(towns["name"].to_numpy()), encoding="utf-8"))
    if not register.exists():
        _write_atomically(register, lambda path: _register(towns, carriers).to_csv(
            path, index=False, encoding="utf-8-sig"))
    return ProvinceCase(boundaries, targets, register, carriers)


def _write_atomically(path: Path, write) -> None:
    """Write through a temporary name, so a concurrent reader never sees half a file."""
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    partial.replace(path)


def province_towns(count: int = TOWN_COUNT, seed: int = 1250) -> gpd.GeoDataFrame:
    """``count`` towns covering :data:`BOUNDS` exactly, with irregular shared borders.

    Raises
    ------
    RuntimeError
        When the borders do not make ``count`` valid polygons forming a valid
        coverage (it would mean the noise bent one border across another).
    """
    rng = np.random.default_rng(seed)
    frame = shapely.box(*BOUNDS)
    cells = _voronoi_cells(_relaxed_seats(count, rng, frame), frame)
    edges = shapely.line_merge(shapely.union_all(shapely.boundary(cells)))
    bent = [_bent_edge(edge, rng) for edge in shapely.get_parts(edges)]
    polygons = shapely.get_parts(shapely.polygonize(bent))
    if (len(polygons) != count or not shapely.is_valid(polygons).all()
            or not shapely.coverage_is_valid(polygons)):
        raise RuntimeError(f"the synthetic towns are not a valid coverage of {count} polygons")
    centres = shapely.centroid(polygons)
    # Towns numbered in rows from the north-west, as a reader scans the map.
    order = np.lexsort((shapely.get_x(centres), -np.floor(shapely.get_y(centres) / 0.25)))
    polygons = polygons[order]
    return gpd.GeoDataFrame({"name": _town_names(count, rng),
                             "approximate": False}, geometry=polygons, crs="EPSG:4326")


def _relaxed_seats(count: int, rng: np.random.Generator, frame) -> np.ndarray:
    """Random town seats moved twice to their cell's centroid (Lloyd), for town-like sizes."""
    west, south, east, north = BOUNDS
    seats = shapely.points(rng.uniform(west, east, count), rng.uniform(south, north, count))
    for _ in range(2):
        seats = shapely.centroid(_voronoi_cells(seats, frame))
    return seats


def _voronoi_cells(seats: np.ndarray, frame) -> np.ndarray:
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(list(seats)),
                                                       extend_to=frame))
    return shapely.intersection(cells, frame)


def _bent_edge(edge, rng: np.random.Generator):
    """``edge`` in short steps, its inner vertices moved sideways by smooth noise.

    The offset is a sum of sines whose amplitude fades to zero at both ends,
    so the end vertices (shared with the other borders) stay where they are.
    """
    coords = np.asarray(shapely.segmentize(edge, STEP_DEGREES).coords)
    if len(coords) < 3:
        return edge
    step = np.diff(coords, axis=0)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(step[:, 0], step[:, 1]))])
    length = along[-1]
    t = along / length
    direction = (coords[-1] - coords[0]) / np.hypot(*(coords[-1] - coords[0]))
    normal = np.array([-direction[1], direction[0]])
    waves = rng.integers(1, 9, 4)
    phases = rng.uniform(0, 2 * np.pi, 4)
    weights = rng.uniform(0.3, 1.0, 4) / waves
    noise = sum(w * np.sin(np.pi * k * t + p) for w, k, p in zip(weights, waves, phases,
                                                                  strict=True))
    offset = 0.05 * length * np.sin(np.pi * t) ** 2 * noise / weights.sum()
    return shapely.LineString(coords + offset[:, None] * normal)


def _town_names(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct town names, also distinct without their 镇/街道/乡 suffix."""
    syllables = np.array(_SEAT_SYLLABLES)
    first, second = np.meshgrid(np.arange(len(syllables)), np.arange(len(syllables)))
    pairs = np.column_stack([first.ravel(), second.ravel()])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    chosen = pairs[rng.choice(len(pairs), count, replace=False)]
    suffixes = rng.choice(_TOWN_SUFFIXES, count)
    return [f"{syllables[a]}{syllables[b]}{suffix}"
            for (a, b), suffix in zip(chosen, suffixes, strict=True)]


def _targets_toml(names: np.ndarray) -> str:
    """The targets file: Taicang's rule for every town, doubled for every 25th (a port or zone)."""
    overrides = "\n".join(f'"{name}" = 20000' for name in names[::25])
    return f"""# Synthetic province for benchmarks/map_scale.py (generated; not real targets).

[period]
start = 2018-01-01
end = 2020-12-31

[towns]
default_target_m2 = 10000
close_ratio = 0.5

[towns.target_m2]
{overrides}

[city]
new_carriers = 3000
research_institutes = 300

[register]
duplicate_distance_m = 200
"""


def _register(towns: gpd.GeoDataFrame, count: int) -> pd.DataFrame:
    """``count`` carriers in the register's format, each inside one of ``towns``."""
    rng = np.random.default_rng(count)
    lon, lat, town = _positions(towns, count, rng)
    types = rng.choice(_TYPES, count, p=_TYPE_SHARES)
    statuses = rng.choice(_STATUSES, count, p=_STATUS_SHARES)
    town_names = towns["name"].to_numpy()[town]
    bases = np.array([name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
                      for name in town_names])
    names, fields = _carrier_names(bases, town, types, rng)
    gcj = rng.random(count) < 1 / 3
    lon[gcj], lat[gcj] = wgs84_to_gcj02(lon[gcj], lat[gcj])
    return pd.DataFrame({
        "编号": [f"SP{i:06d}" for i in range(count)],
        "名称": names,
        "类型": types,
        "镇区": town_names,
        "经度": np.round(lon, 6),
        "纬度": np.round(lat, 6),
        "坐标系": np.where(gcj, "GCJ02", "WGS84"),
        "面积（平方米）": np.clip(np.rint(rng.lognormal(8.5, 0.9, count) / 10) * 10, 200,
                           120_000).astype(int),
        "投用时间": _dates(statuses, rng),
        "状态": statuses,
        "级别": rng.choice(_LEVELS, count, p=[0.05, 0.2, 0.35, 0.2, 0.2]),
        "运营单位": [f"{b}{o}" for b, o in zip(bases, rng.choice(_OPERATORS, count),
                                          strict=True)],
        "产业方向": fields,
        "来源": "合成数据（示意，基准测试）",
    })


def _positions(towns: gpd.GeoDataFrame, count: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points inside the towns, 70 % around a dozen city centres; with the town of each."""
    west, south, east, north = BOUNDS
    cities = np.column_stack([rng.uniform(west + 0.3, east - 0.3, 12),
                              rng.uniform(south + 0.3, north - 0.3, 12)])
    tree = shapely.STRtree(towns.geometry.to_numpy())
    lon, lat, town = (np.empty(0), np.empty(0), np.empty(0, dtype=int))
    while len(lon) < count:
        wanted = count - len(lon) + 64
        around = rng.random(wanted) < 0.7
        centre = cities[rng.integers(0, len(cities), wanted)]
        spread = rng.normal(0, 0.18, (wanted, 2))
        uniform = np.column_stack([rng.uniform(west, east, wanted),
                                   rng.uniform(south, north, wanted)])
        xy = np.where(around[:, None], centre + spread, uniform)
        points, owners = tree.query(shapely.points(xy), predicate="within")
        first = np.unique(points, return_index=True)[1]
        inside, owner = points[first], owners[first]
        lon = np.concatenate([lon, xy[inside, 0]])
        lat = np.concatenate([lat, xy[inside, 1]])
        town = np.concatenate([town, owner])
    return lon[:count], lat[:count], town[:count]


def _carrier_names(bases: np.ndarray, town: np.ndarray, types: np.ndarray,
                   rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Names like 东安中科智能制造科技企业孵化器, never two alike, and each one's field.

    Two alike would be probable duplicates, left out of every figure.

    Within a town each carrier gets its own (brand, field) pair: the k-th
    carrier of a town takes pair ``(k × 7 + offset) mod pairs``, distinct for
    up to ``pairs`` carriers a town; beyond that a phase (（2期）, （3期） …) is added.
    """
    pairs = len(_BRANDS) * len(_FIELDS)
    order = np.argsort(town, kind="stable")
    rank = np.empty(len(town), dtype=int)
    starts = np.searchsorted(town[order], town[order], side="left")
    rank[order] = np.arange(len(town)) - starts
    offset = rng.integers(0, pairs, town.max() + 1 if len(town) else 1)[town]
    pair = (rank * 7 + offset) % pairs
    phase = rank // pairs
    brands, fields = _BRANDS[pair // len(_FIELDS)], _FIELDS[pair % len(_FIELDS)]
    names = [f"{b}{brand}{field}{_TYPE_WORDS[t]}" + (f"（{k + 1}期）" if k else "")
             for b, brand, field, t, k in zip(bases, brands, fields, types, phase, strict=True)]
    return names, fields


def _dates(statuses: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Opening dates as offices write them: in-use 2014–2022, expected 2020–2024."""
    count = len(statuses)
    in_use = statuses == "已投用"
    years = np.where(in_use, rng.integers(2014, 2023, count), rng.integers(2020, 2025, count))
    months = rng.integers(1, 13, count)
    days = rng.integers(1, 29, count)
    style = rng.choice(4, count, p=[0.55, 0.25, 0.12, 0.08])
    full = np.char.add(np.char.add(years.astype(str), "-"),
                       np.char.add(np.char.zfill(months.astype(str), 2),
                                   np.char.add("-", np.char.zfill(days.astype(str), 2))))
    month_only = np.char.add(np.char.add(years.astype(str), "-"),
                             np.char.zfill(months.astype(str), 2))
    chinese = np.char.add(np.char.add(years.astype(str), "年"),
                          np.char.add(months.astype(str), "月"))
    return np.select([style == 0, style == 1, style == 2],
                     [full, month_only, chinese], years.astype(str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carriers", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    for carriers in parser.parse_args().carriers:
        case = province_case(carriers)
        towns = gpd.read_file(case.boundaries)
        vertices = shapely.get_num_coordinates(towns.geometry.to_numpy())
        tomllib.loads(case.targets.read_text(encoding="utf-8"))
        print(f"{carriers:>7,} carriers: {case.register} "
              f"({case.register.stat().st_size / 1e6:.1f} MB)")
        print(f"         towns: {case.boundaries} ({len(towns):,} towns, vertices per town "
              f"median {np.median(vertices):.0f}, min {vertices.min()}, max {vertices.max()}; "
              f"coverage valid: {shapely.coverage_is_valid(towns.geometry.to_numpy())})")
        print(f"       targets: {case.targets}")


if __name__ == "__main__":
    main()
