"""PostGIS places the points in towns exactly as geo does, and the check via it is the same.

The database tests need ``CARRIER_MAP_TEST_DATABASE_URL`` (a PostgreSQL
database with PostGIS, see tests/store_fixtures.py) and skip without it; the
seam in :func:`geo.locate.locate` is tested on every run.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from geo import check, load_boundaries, load_targets, prepare_boundaries
from geo.coords import wgs84_to_gcj02
from geo.locate import PLACED_TOWN, locate, towns_of_points
from geo.settings import BUNDLED_BOUNDARIES
from geo.store import validate_rows
from geo.store.postgis import POINTS_TABLE
from geo.store.setup import SYSTEM, open_store
from geo.store.spatial import check_in_database, placed_register, towns_in_database
from tests.store_fixtures import database_url

HOLE = box(121.03, 31.53, 121.07, 31.57)
TOWNS = prepare_boundaries(gpd.GeoDataFrame(
    {"name": ["乙镇", "甲镇", "丙镇", "丁镇", "戊镇", "岛镇"]},
    geometry=[
        box(121.10, 31.40, 121.20, 31.50),  # first in file order: the edge it shares is its own
        box(121.00, 31.40, 121.10, 31.50),
        MultiPolygon([Polygon(box(121.00, 31.50, 121.10, 31.60).exterior, [HOLE.exterior]),
                      box(121.15, 31.55, 121.20, 31.60)]),
        Polygon([(121.20, 31.40), (121.30, 31.40), (121.30, 31.50)]),  # a diagonal edge, shared
        Polygon([(121.20, 31.40), (121.30, 31.50), (121.20, 31.50)]),
        box(121.04, 31.54, 121.06, 31.56),  # an island in 丙镇's hole
    ], crs="EPSG:4326"))
RINGS = [shapely.get_coordinates(ring)
         for ring in shapely.get_rings(shapely.get_parts(TOWNS.towns.geometry))]
SEGMENTS = np.concatenate([np.stack([ring[:-1], ring[1:]], axis=1) for ring in RINGS])


def register_of(points: list[tuple[float, float]], gcj02: bool = False):
    """A validated register with a carrier at each WGS84 point (text as a user types it)."""
    lon, lat = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    if gcj02:
        lon, lat = wgs84_to_gcj02(lon, lat)
    count = len(points)
    rows = pd.DataFrame({
        "id": [f"P{i}" for i in range(count)], "name": [f"载体{i}" for i in range(count)],
        "type": "孵化器", "lon": [repr(v) for v in lon.tolist()],
        "lat": [repr(v) for v in lat.tolist()], "crs": "GCJ02" if gcj02 else "WGS84",
        "floor_area_m2": "1000", "opened": "2019-06", "status": "已投用"})
    return validate_rows(rows)


def in_python(register, towns=TOWNS) -> np.ndarray:
    """Each usable point's town as geo places it (None in none)."""
    carriers = register.carriers[register.carriers["usable"] & register.carriers["has_point"]]
    index = towns_of_points(carriers["lon"].to_numpy(), carriers["lat"].to_numpy(), towns.towns)
    names = np.asarray(towns.names, dtype=object)
    return np.where(index >= 0, names[index.clip(0)], None)


def in_database(store, register) -> np.ndarray:
    usable = (register.carriers["usable"] & register.carriers["has_point"]).to_numpy()
    return towns_in_database(store, register).to_numpy()[usable]


@pytest.fixture
def postgis_store(tmp_path):
    store = open_store(database_url("postgresql", tmp_path), seed=False)
    if not store.postgis:
        store.close()
        pytest.skip("the configured PostgreSQL database has no PostGIS (CREATE EXTENSION "
                    "postgis needs the package postgresql-15-postgis-3 and the right to create it)")
    store.replace_boundaries(SYSTEM, TOWNS)
    yield store
    store.close()


def edge_cases() -> list[tuple[float, float]]:
    """Every vertex, every edge's midpoint and 40 points along each edge, and the named cases."""
    rng = np.random.default_rng(5)
    shares = np.concatenate([[0.5], rng.random(40)])
    along = (SEGMENTS[:, None, 0] + (SEGMENTS[:, None, 1] - SEGMENTS[:, None, 0])
             * shares[None, :, None]).reshape(-1, 2)
    vertices = np.concatenate(RINGS)
    return [tuple(p) for p in np.concatenate([vertices, along]).tolist()] + list(NAMED)


NAMED = {
    (121.10, 31.45): "乙镇",      # on the shared edge of 乙镇 and 甲镇: the first in file order
    (121.10, 31.50): "乙镇",      # a vertex of 乙镇, 甲镇 and 丙镇
    (121.05, 31.45): "甲镇",
    (121.035, 31.535): None,      # in 丙镇's hole, not on the island
    (121.05, 31.55): "岛镇",
    (121.03, 31.55): "丙镇",      # on the hole's ring
    (121.17, 31.57): "丙镇",      # 丙镇's second part
    (121.50, 31.45): None,        # outside every town
    (121.12, 31.52): None,        # between 丙镇's parts
}


def test_edges_vertices_holes_and_outside_are_placed_as_geo_places_them(postgis_store):
    points = edge_cases()
    register = register_of(points)
    expected = in_python(register)
    assert list(expected[-len(NAMED):]) == list(NAMED.values())
    placed = in_database(postgis_store, register)
    assert list(placed) == list(expected)
    assert {None, *TOWNS.names} == set(placed)


ROUNDING_CASES = {
    (121.09332588163974, 31.42826163781341): 2,  # ST_Intersects: also in town 0, so town 0
    (121.01992868881123, 31.43816587621584): None,  # ST_Intersects: in town 8
}
"""Points on the bundled towns' edges that PostGIS's own point-in-polygon test places wrongly."""


def test_points_within_rounding_of_a_bundled_edge_are_placed_as_geo_places_them(postgis_store):
    bundled = load_boundaries(BUNDLED_BOUNDARIES)
    postgis_store.replace_boundaries(SYSTEM, bundled)
    rings = [shapely.get_coordinates(ring)
             for ring in shapely.get_rings(shapely.get_parts(bundled.towns.geometry))]
    shares = np.random.default_rng(1).random(20)
    along = np.concatenate([ring[:-1, None] + (ring[1:, None] - ring[:-1, None]) * shares[:, None]
                            for ring in rings]).reshape(-1, 2)
    points = [*ROUNDING_CASES, *(tuple(p) for p in along.tolist())]
    register = register_of(points)
    expected = in_python(register, bundled)
    names = bundled.names
    assert list(expected[:2]) == [None if i is None else names[i] for i in ROUNDING_CASES.values()]
    assert list(in_database(postgis_store, register)) == list(expected)


def test_points_entered_in_gcj02_are_placed_by_their_wgs84_position(postgis_store):
    register = register_of(edge_cases(), gcj02=True)
    assert list(in_database(postgis_store, register)) == list(in_python(register))


def test_a_stale_or_removed_point_in_the_database_is_never_used(postgis_store):
    register = register_of([(121.05, 31.45), (121.15, 31.45), (121.25, 31.42)])
    assert list(in_database(postgis_store, register)) == ["甲镇", "乙镇", "丁镇"]
    with postgis_store.writing(register_changes=False) as connection:
        connection.execute(sa.text(f"UPDATE {POINTS_TABLE} SET lon = 121.5 WHERE id = 'P0'"))
    moved = register_of([(121.05, 31.45), (121.05, 31.45)])
    assert list(in_database(postgis_store, moved)) == ["甲镇", "甲镇"]
    with postgis_store.reading() as connection:
        stored = connection.execute(sa.text(
            f"SELECT id, lon, lat FROM {POINTS_TABLE} ORDER BY id")).all()
    assert stored == [("P0", 121.05, 31.45), ("P1", 121.05, 31.45)]


def test_the_check_via_postgis_equals_the_check_to_the_last_digit(tmp_path):
    store = open_store(database_url("postgresql", tmp_path))
    try:
        if not store.postgis:
            pytest.skip("the configured PostgreSQL database has no PostGIS")
        targets = load_targets()
        for as_of in (None, "2019-06-30"):
            expected = check(store.register(), store.boundaries(), targets, as_of=as_of)
            result = check_in_database(store, targets, as_of=as_of)
            pd.testing.assert_frame_equal(result.towns, expected.towns, check_exact=True)
            pd.testing.assert_frame_equal(result.carriers, expected.carriers, check_exact=True)
            assert result.city == expected.city
            assert result.problems == expected.problems
            assert result.as_of == expected.as_of
    finally:
        store.close()


def on_a_line(segment: int, share: float) -> tuple[float, float]:
    start, end = SEGMENTS[segment % len(SEGMENTS)]
    return tuple((start + (end - start) * share).tolist())


points = st.lists(st.one_of(
    st.builds(on_a_line, st.integers(0, 10_000), st.floats(0, 1)),
    st.tuples(st.floats(120.99, 121.31), st.floats(31.39, 31.61)),
    st.sampled_from([tuple(p) for p in np.concatenate(RINGS).tolist()]),
), min_size=1, max_size=40)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(points)
def test_random_points_on_lines_vertices_and_anywhere_are_placed_as_geo_places_them(
        postgis_store, points):
    register = register_of(points)
    assert list(in_database(postgis_store, register)) == list(in_python(register))


def test_placing_in_a_database_without_postgis_says_what_is_needed(tmp_path):
    store = open_store(database_url("sqlite", tmp_path), seed=False)
    try:
        with pytest.raises(ValueError, match=r"no PostGIS.*geo\.check\.check"):
            towns_in_database(store, register_of([(121.05, 31.45)]))
        with pytest.raises(ValueError, match="no PostGIS"):
            placed_register(store, register_of([(121.05, 31.45)]))
    finally:
        store.close()


def test_locate_takes_a_placement_made_elsewhere_and_refuses_unknown_towns():
    register = register_of([(121.05, 31.45), (121.50, 31.45)])
    elsewhere = register.carriers.assign(**{PLACED_TOWN: ["乙镇", None]})
    located, problems = locate(elsewhere, TOWNS)
    assert list(located["town"]) == ["乙镇", None]  # taken as given, not placed again
    assert PLACED_TOWN not in located
    assert [p.code for p in problems] == ["row.outside_boundaries"]
    with pytest.raises(ValueError, match="外星镇"):
        locate(register.carriers.assign(**{PLACED_TOWN: ["外星镇", None]}), TOWNS)
