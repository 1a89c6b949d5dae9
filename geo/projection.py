"""Choosing a metric CRS for distances and areas, from the data's own extent."""

from __future__ import annotations

import geopandas as gpd
from pyproj import CRS

__all__ = ["WGS84", "metric_crs"]

WGS84 = "EPSG:4326"


def metric_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """The UTM zone of the frame's centre: metres, valid anywhere on Earth."""
    return frame.to_crs(WGS84).estimate_utm_crs()
