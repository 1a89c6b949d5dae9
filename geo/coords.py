"""Vectorised conversion between WGS84, GCJ-02 (Gaode/Tencent) and BD-09 (Baidu).

Chinese web maps publish coordinates in two obfuscated systems. PROJ knows
neither, so the public formulas are implemented here over whole numpy arrays.
The inverse transforms are solved by fixed-point iteration, which brings them
to well under a centimetre inside China (one plain step leaves about 2 m).

Outside mainland China's bounding box both systems equal WGS84 and values are
returned unchanged, as the providers do.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "CoordinateSystem",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

CoordinateSystem = Literal["WGS84", "GCJ02", "BD09"]
Array = npt.NDArray[np.float64]

_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_X_PI = np.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006
_TOLERANCE_DEG = 1e-10
_MAX_ITERATIONS = 30


def _as_arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _in_china(lon: Array, lat: Array) -> npt.NDArray[np.bool_]:
    """The rough bounding box inside which the offsets apply."""
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _gcj_offset(lon: Array, lat: Array) -> tuple[Array, Array]:
    """GCJ-02 minus WGS84, in degrees, at WGS84 positions."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (
        (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    )
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat += common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon += common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0

    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """Shift WGS84 positions into GCJ-02 (closed form)."""
    lon_a, lat_a = _as_arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def _invert(forward, target_lon: Array, target_lat: Array, lon: Array, lat: Array):
    """Solve ``forward(x) == target`` by fixed-point iteration from a first guess."""
    for _ in range(_MAX_ITERATIONS):
        fwd_lon, fwd_lat = forward(lon, lat)
        err_lon = fwd_lon - target_lon
        err_lat = fwd_lat - target_lat
        lon = lon - err_lon
        lat = lat - err_lat
        if np.nanmax(np.abs(err_lon), initial=0.0) < _TOLERANCE_DEG and np.nanmax(
            np.abs(err_lat), initial=0.0
        ) < _TOLERANCE_DEG:
            break
    return lon, lat


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """Recover WGS84 from GCJ-02 by iterating the forward transform to < 1 cm."""
    lon_a, lat_a = _as_arrays(lon, lat)
    return _invert(wgs84_to_gcj02, lon_a, lat_a, lon_a.copy(), lat_a.copy())


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """Shift GCJ-02 positions into BD-09 (closed form, with Baidu's ``x_pi``)."""
    x, y = _as_arrays(lon, lat)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT


def _bd09_to_gcj02_first_guess(lon: Array, lat: Array) -> tuple[Array, Array]:
    x = lon - _BD_DLON
    y = lat - _BD_DLAT
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """Recover GCJ-02 from BD-09: the published inverse, refined by iteration."""
    lon_a, lat_a = _as_arrays(lon, lat)
    guess_lon, guess_lat = _bd09_to_gcj02_first_guess(lon_a, lat_a)
    return _invert(gcj02_to_bd09, lon_a, lat_a, guess_lon, guess_lat)


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """Shift WGS84 positions into BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """Recover WGS84 from BD-09."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {"GCJ02": gcj02_to_wgs84, "BD09": bd09_to_wgs84}


def to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike, systems: npt.ArrayLike
) -> tuple[Array, Array]:
    """Convert mixed-system coordinates to WGS84, one system label per point.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees.
    systems
        ``"WGS84"``, ``"GCJ02"`` or ``"BD09"`` for each point.
    """
    lon_out, lat_out = _as_arrays(lon, lat)
    lon_out, lat_out = lon_out.copy(), lat_out.copy()
    labels = np.asarray(systems, dtype=object)
    for system, convert in _TO_WGS84.items():
        mask = labels == system
        if mask.any():
            lon_out[mask], lat_out[mask] = convert(lon_out[mask], lat_out[mask])
    return lon_out, lat_out
