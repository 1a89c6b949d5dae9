"""Derive approximate town boundaries for Taicang from public facts.

No published internal town lines could be found under an open licence, so the
bundled towns are a Voronoi partition around each unit's seat (the town
government's approximate location), clipped to the real county outline. Every
feature is marked ``approximate: true``; the app and CLI say so. Replace the
output with official lines as soon as they are available (see README).

Run: ``python scripts/derive_town_boundaries.py`` (rewrites
``data/boundaries/taicang_towns.geojson`` from the outline and the seats).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

DATA = Path(__file__).resolve().parent.parent / "data" / "boundaries"


def derive(outline_path: Path, seats_path: Path) -> gpd.GeoDataFrame:
    """Voronoi cells of the seats, clipped to the outline, one per seat."""
    outline = gpd.read_file(outline_path).to_crs("EPSG:4326").geometry.union_all()
    seats = pd.read_csv(seats_path)
    points = gpd.GeoSeries(gpd.points_from_xy(seats["lon"], seats["lat"]), crs="EPSG:4326")
    metric = points.estimate_utm_crs()
    projected = points.to_crs(metric)
    outline_m = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs(metric).iloc[0]
    cells = shapely.voronoi_polygons(shapely.MultiPoint(list(projected)),
                                     extend_to=outline_m.buffer(5000))
    geometries = []
    for point in projected:
        cell = next(c for c in cells.geoms if c.contains(point))
        geometries.append(cell.intersection(outline_m))
    towns = gpd.GeoDataFrame(seats.drop(columns=["lon", "lat"]), geometry=geometries, crs=metric)
    towns["approximate"] = True
    towns["method"] = "Voronoi partition around town seats, clipped to the county outline"
    return towns.to_crs("EPSG:4326")


if __name__ == "__main__":
    result = derive(DATA / "taicang_outline.geojson", DATA / "town_seats.csv")
    result["geometry"] = result.geometry.set_precision(1e-6)
    result.to_file(DATA / "taicang_towns.geojson", driver="GeoJSON")
    print(f"wrote {len(result)} towns to {DATA / 'taicang_towns.geojson'}")
