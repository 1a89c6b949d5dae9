"""GCJ-02 / BD-09 conversions against two independent public implementations."""

from __future__ import annotations

import math

import eviltransform
import numpy as np
import prcoords
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import coords

# A grid over mainland China plus Taicang itself.
LONS = np.linspace(75.0, 134.0, 13)
LATS = np.linspace(18.5, 53.0, 11)
GRID_LON, GRID_LAT = (a.ravel() for a in np.meshgrid(LONS, LATS))
GRID_LON = np.append(GRID_LON, 121.13)
GRID_LAT = np.append(GRID_LAT, 31.46)
# eviltransform rounds its constants differently (~1 cm) and stops its exact
# inverse at a coarser threshold (~0.15 m); both are far inside the 1 m goal.
EVIL_FORWARD_M = 0.05
EVIL_INVERSE_M = 0.5


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance (haversine), metres."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(
        (lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))


def _pr(function):
    """prcoords takes and returns (lat, lon) named tuples."""
    def convert(lon, lat):
        result = function(prcoords.Coords(lat, lon), check_china=False)
        return result.lon, result.lat
    return convert


def _evil(*functions):
    """eviltransform takes and returns (lat, lon); chain its functions."""
    def convert(lon, lat):
        point = (lat, lon)
        for function in functions:
            point = function(*point)
        return point[1], point[0]
    return convert


@pytest.mark.parametrize(("ours", "reference_a", "reference_b", "tolerance_a", "tolerance_b"), [
    (coords.wgs84_to_gcj02, _pr(prcoords.wgs_gcj), _evil(eviltransform.wgs2gcj),
     0.01, EVIL_FORWARD_M),
    (coords.wgs84_to_bd09, _pr(prcoords.wgs_bd), _evil(eviltransform.wgs2bd),
     0.01, EVIL_FORWARD_M),
    (coords.gcj02_to_wgs84, _pr(prcoords.gcj_wgs_bored), _evil(eviltransform.gcj2wgs_exact),
     0.1, EVIL_INVERSE_M),
    (coords.bd09_to_wgs84, _pr(prcoords.bd_wgs_bored),
     _evil(eviltransform.bd2gcj, eviltransform.gcj2wgs_exact), 0.5, 1.0),
], ids=["wgs→gcj", "wgs→bd", "gcj→wgs", "bd→wgs"])
def test_matches_two_independent_references(ours, reference_a, reference_b, tolerance_a,
                                            tolerance_b):
    """Better than a metre everywhere in China (tolerances in metres)."""
    lon, lat = ours(GRID_LON, GRID_LAT)
    for i, point in enumerate(zip(GRID_LON, GRID_LAT, strict=True)):
        assert metres(lon[i], lat[i], *reference_a(*point)) < tolerance_a
        assert metres(lon[i], lat[i], *reference_b(*point)) < tolerance_b


def test_one_plain_step_would_not_be_enough():
    """The naive inverse (subtract the forward offset once) is metres off; ours is not."""
    g_lon, g_lat = 121.13, 31.46
    dlon, dlat = (a - b for a, b in zip(coords.wgs84_to_gcj02(g_lon, g_lat), (g_lon, g_lat),
                                        strict=True))
    naive = (g_lon - dlon, g_lat - dlat)
    exact = coords.gcj02_to_wgs84(g_lon, g_lat)
    assert metres(*naive, *exact) > 0.5
    back = coords.wgs84_to_gcj02(*exact)
    assert metres(*back, g_lon, g_lat) < 0.001


def test_bd09_uses_baidus_x_pi_not_plain_pi():
    """The π-for-x_π mistake found in some packages is tens of metres off at Taicang."""
    lon, lat = 121.13, 31.46
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * math.pi)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * math.pi)
    wrong = coords.gcj02_to_wgs84(z * math.cos(theta), z * math.sin(theta))
    right = coords.bd09_to_wgs84(lon, lat)
    assert metres(*wrong, *right) > 10


def test_outside_china_gcj02_is_unchanged_and_bd09_is_its_own_shift_only():
    """GCJ-02 is WGS84 outside China; BD-09 still shifts there, by its BD step alone."""
    lon, lat = np.array([2.35, -74.0]), np.array([48.85, 40.7])
    for convert in (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84):
        out_lon, out_lat = convert(lon, lat)
        np.testing.assert_allclose(out_lon, lon)
        np.testing.assert_allclose(out_lat, lat)
    # BD-09 → WGS84 is BD-09 → GCJ-02 and then the (here empty) GCJ-02 step.
    np.testing.assert_allclose(coords.bd09_to_wgs84(lon, lat), coords.bd09_to_gcj02(lon, lat))
    np.testing.assert_allclose(coords.wgs84_to_bd09(lon, lat), coords.gcj02_to_bd09(lon, lat))
    assert (metres(*coords.bd09_to_wgs84(lon, lat), lon, lat) > 100).all(), "BD-09 shifts"


def test_to_wgs84_converts_each_point_by_its_own_system():
    lon = np.array([121.13, 121.13, 121.13])
    lat = np.array([31.46, 31.46, 31.46])
    out_lon, out_lat = coords.to_wgs84(lon, lat, ["WGS84", "GCJ02", "BD09"])
    assert (out_lon[0], out_lat[0]) == (121.13, 31.46)
    np.testing.assert_allclose((out_lon[1], out_lat[1]), coords.gcj02_to_wgs84(121.13, 31.46))
    np.testing.assert_allclose((out_lon[2], out_lat[2]), coords.bd09_to_wgs84(121.13, 31.46))
    assert lon[1] == 121.13, "inputs are not modified"


@given(st.floats(97.0, 134.0), st.floats(21.0, 50.0))
def test_round_trips_are_within_a_centimetre(lon, lat):
    assert metres(*coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(lon, lat)), lon, lat) < 0.01
    assert metres(*coords.bd09_to_wgs84(*coords.wgs84_to_bd09(lon, lat)), lon, lat) < 0.01


@pytest.mark.parametrize("size", [0, 1, 1000])
def test_vectorised_over_any_length(size):
    lon = np.full(size, 121.1)
    lat = np.full(size, 31.4)
    out_lon, out_lat = coords.gcj02_to_wgs84(lon, lat)
    assert out_lon.shape == (size,) and out_lat.shape == (size,)
