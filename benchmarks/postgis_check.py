"""Points in towns by PostGIS in the database against the in-process step, at 1,000,000 carriers.

Run: ``python benchmarks/postgis_check.py --database-url URL`` (or set
``CARRIER_MAP_BENCHMARK_DATABASE_URL``; ``--carriers N`` to resize). The
database must be a PostgreSQL database with PostGIS that may be wiped: the
store's tables and the points table are dropped and rebuilt.

It generates N synthetic carriers inside the bundled Taicang towns (30 % in
GCJ-02, 10 % in BD-09 as entered; 2,000 of them exactly on the towns'
vertices and edges), loads them into the store's ``carriers`` table with one
``COPY`` (bypassing the checked write path, which is not what is measured),
and prints, measured in the same run: the load, the first placement (it
writes the WGS84 points), the spatial step in Python
(:func:`geo.locate.towns_of_points`, the baseline) and in PostGIS
(:func:`geo.store.spatial.towns_in_database`, and its SQL alone on the
server), and the whole check via each path. It stops if the two paths
differ by a single carrier or figure.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import check, load_targets
from geo.boundaries import load_boundaries
from geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from geo.locate import towns_of_points
from geo.settings import BUNDLED_BOUNDARIES
from geo.store.postgis import POINTS_TABLE
from geo.store.schema import CARRIER_TEXT_COLUMNS
from geo.store.setup import SYSTEM, open_store
from geo.store.spatial import _EDGE_TOLERANCE_DEG, _PLACE, placed_register, towns_in_database

TYPES = np.array(["孵化器", "研究院", "众创空间", "产业化基地"])
STATUSES = np.array(["已投用", "已投用", "在建", "规划"])
DATES = np.array(["2017-05", "2018", "2018-09", "2019-06-30", "2020年11月", "2021"])
ON_LINES = 2_000


def synthetic_rows(count: int, towns: pd.DataFrame) -> pd.DataFrame:
    """``count`` register rows as the store keeps them (text), inside the towns."""
    rng = np.random.default_rng(13)
    area = shapely.union_all(towns.geometry.to_numpy())
    west, south, east, north = area.bounds
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < count - ON_LINES:
        x, y = rng.uniform(west, east, count), rng.uniform(south, north, count)
        inside = shapely.contains_xy(area, x, y)
        lon, lat = np.concatenate([lon, x[inside]]), np.concatenate([lat, y[inside]])
    lon, lat = lon[:count - ON_LINES], lat[:count - ON_LINES]
    crs = rng.choice(np.array(["", "GCJ02", "BD09"]), len(lon), p=[0.6, 0.3, 0.1])
    for system, convert in (("GCJ02", wgs84_to_gcj02), ("BD09", wgs84_to_bd09)):
        chosen = crs == system
        lon[chosen], lat[chosen] = convert(lon[chosen], lat[chosen])
    lon_text = np.char.mod("%.6f", lon).astype(object)
    lat_text = np.char.mod("%.6f", lat).astype(object)
    rings = [shapely.get_coordinates(ring)
             for ring in shapely.get_rings(shapely.get_parts(towns.geometry))]
    starts = np.concatenate([ring[:-1] for ring in rings])
    ends = np.concatenate([ring[1:] for ring in rings])
    segment = rng.integers(0, len(starts), ON_LINES)
    share = np.where(rng.random(ON_LINES) < 0.25, 0.0, rng.random(ON_LINES))[:, None]
    on_lines = starts[segment] + (ends[segment] - starts[segment]) * share
    lon_text = np.concatenate([lon_text, [repr(v) for v in on_lines[:, 0].tolist()]])
    lat_text = np.concatenate([lat_text, [repr(v) for v in on_lines[:, 1].tolist()]])
    crs = np.concatenate([crs, np.full(ON_LINES, "")])
    return pd.DataFrame({
        "id": [f"S{i:07d}" for i in range(count)], "name": [f"示例载体{i}" for i in range(count)],
        "type": rng.choice(TYPES, count), "town": None, "lon": lon_text, "lat": lat_text,
        "crs": np.where(crs == "", None, crs), "floor_area_m2": rng.integers(200, 20000, count),
        "opened": rng.choice(DATES, count), "status": rng.choice(STATUSES, count),
        "level": None, "operator": None, "industry": None, "source": "示意",
    })


def fresh_database(url: str) -> None:
    """Drop the store's tables and the points table (PostGIS stays)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in ("changes", "users", "signing_keys", "boundaries", "carriers", "meta",
                      POINTS_TABLE):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


def copy_rows(url: str, rows: pd.DataFrame) -> None:
    """Write the rows into ``carriers`` with one COPY, then move the data version on."""
    buffer = io.StringIO()
    frame = rows[list(CARRIER_TEXT_COLUMNS)].assign(position=np.arange(1, len(rows) + 1),
                                                    version=1)
    frame.to_csv(buffer, sep="\t", header=False, index=False, na_rep="\\N")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        cursor = connection.connection.driver_connection.cursor()
        columns = ", ".join(frame.columns)
        with cursor.copy(f"COPY carriers ({columns}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        connection.execute(sa.text("UPDATE meta SET value = value + 1 "
                                   "WHERE key = 'data_version'"))
        connection.execute(sa.text("ANALYZE carriers"))
    engine.dispose()


def line(label: str, seconds: float, ratio: float | None = None) -> None:
    """One figure of the report, with its ratio to the baseline when given."""
    print(f"  {label:<46}{seconds:8.2f}" + ("" if ratio is None else f"   {ratio:5.2f} × baseline"))


def timed(function, *args, **kwargs):
    """The result of ``function`` and the seconds it took."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carriers", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "CARRIER_MAP_BENCHMARK_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each timed step; the best is printed (default 3)")
    args = parser.parse_args()
    if not args.database_url:
        parser.exit(2, "--database-url (or CARRIER_MAP_BENCHMARK_DATABASE_URL) is required: "
                       "a PostgreSQL database with PostGIS whose tables may be dropped, e.g. "
                       "postgresql+psycopg://user:pw@127.0.0.1:5432/carrier_bench\n")
    targets = load_targets()
    print(f"{args.carriers:,} synthetic carriers in the bundled towns ...")
    rows = synthetic_rows(args.carriers, load_boundaries(BUNDLED_BOUNDARIES).towns)

    fresh_database(args.database_url)
    store = open_store(args.database_url, seed=False)
    if not store.postgis:
        parser.exit(2, f"{store.description} has no PostGIS: install the postgis extension\n")
    store.replace_boundaries(SYSTEM, load_boundaries(BUNDLED_BOUNDARIES))
    _, load_copy = timed(copy_rows, args.database_url, rows)
    register, read = timed(store.register)
    boundaries = store.boundaries()
    _, first_placement = timed(towns_in_database, store, register)

    usable = (register.carriers["usable"] & register.carriers["has_point"]).to_numpy()
    lon, lat = (register.carriers[c].to_numpy()[usable] for c in ("lon", "lat"))
    names = np.asarray(boundaries.names, dtype=object)
    every_point = _PLACE.format(only="", where="")
    with store.reading() as connection:
        plan = "\n".join(connection.execute(sa.text("EXPLAIN " + every_point),
                                             {"tolerance": _EDGE_TOLERANCE_DEG}).scalars())
    server_sql = f"SELECT count(position), sum(position) FROM ({every_point}) AS placed"

    laps: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        index, seconds = timed(towns_of_points, lon, lat, boundaries.towns)
        laps.setdefault("python", []).append(seconds)
        in_database, seconds = timed(towns_in_database, store, register)
        laps.setdefault("postgis", []).append(seconds)
        with store.reading() as connection:
            _, seconds = timed(lambda c: c.execute(sa.text(server_sql),
                                                   {"tolerance": _EDGE_TOLERANCE_DEG}).all(),
                               connection)
        laps.setdefault("postgis_sql", []).append(seconds)
        in_python, seconds = timed(check, register, boundaries, targets)
        laps.setdefault("check_python", []).append(seconds)
        via_database, seconds = timed(
            lambda: check(placed_register(store, register), boundaries, targets))
        laps.setdefault("check_postgis", []).append(seconds)

    expected = np.where(index >= 0, names[index.clip(0)], None)
    if not (in_database.to_numpy()[usable] == expected).all():
        raise SystemExit("the two placements differ")
    pd.testing.assert_frame_equal(in_python.towns, via_database.towns)
    pd.testing.assert_frame_equal(in_python.carriers, via_database.carriers)
    best = {label: min(seconds) for label, seconds in laps.items()}
    outside = int((index < 0).sum())
    print(f"placed points {len(lon):,} (outside every town {outside:,}); "
          f"both paths identical: towns, carriers, figures\n")
    print("load (seconds)")
    line(f"COPY {args.carriers:,} rows into carriers", load_copy)
    line("first PostGIS placement (writes the points)", first_placement)
    line("read + validate the register (both paths)", read)
    print(f"\nspatial step, best of {args.repeat} (seconds)")
    line("in process, towns_of_points (baseline)", best["python"])
    line("PostGIS, towns_in_database", best["postgis"], best["postgis"] / best["python"])
    line("  of which the SQL alone, on the server", best["postgis_sql"],
         best["postgis_sql"] / best["python"])
    print(f"\nwhole check from the register, best of {args.repeat} (seconds)")
    line("in process (baseline)", best["check_python"])
    line("points placed by PostGIS", best["check_postgis"],
         best["check_postgis"] / best["check_python"])
    line("+ reading the register first (both)", read)
    print()
    used = [name for name in ("carrier_points_geom", "boundaries_geom") if name in plan]
    print(f"spatial indexes in the plan: {', '.join(used) or 'none'}")
    store.close()


if __name__ == "__main__":
    main()
