"""A regular grid of square cells over the towns, in a metric CRS.

Square cells, not H3 hexagons: a square lattice in the data's own metric CRS
(:func:`geo.projection.metric_crs`) has one exact cell area, rasterises by
scanline in a few numpy operations, gives a radius a fixed stencil (so the
site search is a convolution) and needs no extra dependency; hexagons would
add ``h3`` and cells whose area varies with latitude.

Each cell belongs to the town that holds its centre (rasterised exactly by an
even–odd scanline over the town rings, vectorised — no loop per cell). A
town smaller than any cell centre still gets one sample, at a point inside it,
so every town of the boundary file appears in every table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.boundaries import Boundaries
from geo.coverage._validate import check_resolution_m
from geo.projection import WGS84, metric_crs

__all__ = ["DEFAULT_RESOLUTION_M", "MAX_CELLS", "Grid", "make_grid"]

DEFAULT_RESOLUTION_M = 250.0
MAX_CELLS = 2_000_000
"""The grid is made coarser (in steps of 50 m) when it would hold more cells than this."""


@dataclass(frozen=True, eq=False)
class Grid:
    """Cells whose centre lies in a town, in a metric CRS.

    Attributes
    ----------
    crs
        The metric CRS of ``x``/``y`` (the UTM zone of the towns' centre).
    resolution_m
        The cell side used; ``requested_resolution_m`` is what was asked for
        (they differ when the grid was made coarser to stay under ``max_cells``).
    origin
        ``(x0, y0)``: the lower-left corner of cell ``(row 0, col 0)``.
    shape
        ``(rows, cols)`` of the lattice over the towns' extent.
    row, col
        Lattice position of each cell (``-1`` for a small town's sample point).
    x, y
        Cell centres in ``crs`` (m).
    town
        Index into ``town_names`` of the town holding each centre.
    weight_m2
        The area each sample stands for: ``resolution_m²`` for a cell, the
        town's area for the one sample of a town smaller than a cell.
    town_names, town_area_m2
        Towns in file order and their exact areas in ``crs``.
    """

    crs: CRS
    resolution_m: float
    requested_resolution_m: float
    origin: tuple[float, float]
    shape: tuple[int, int]
    row: np.ndarray
    col: np.ndarray
    x: np.ndarray
    y: np.ndarray
    town: np.ndarray
    weight_m2: np.ndarray
    town_names: tuple[str, ...]
    town_area_m2: np.ndarray

    @property
    def size(self) -> int:
        """Number of samples (cells, plus one per town smaller than a cell)."""
        return len(self.x)

    @property
    def coarsened(self) -> bool:
        """Whether the grid is coarser than asked, to stay under the cell limit."""
        return self.resolution_m > self.requested_resolution_m

    @property
    def error_m(self) -> float:
        """Half a cell's diagonal: how far a cell's centre can be from any point of it.

        A distance read at a cell centre is within this of the distance at any
        point of the cell; a disk's area counted by centres lies between the
        areas of the disk shrunk and grown by this.
        """
        return self.resolution_m * math.sqrt(0.5)

    @cached_property
    def _transformers(self) -> tuple[Transformer, Transformer]:
        return (Transformer.from_crs(self.crs, WGS84, always_xy=True),
                Transformer.from_crs(WGS84, self.crs, always_xy=True))

    def to_wgs84(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of metric points."""
        return self._transformers[0].transform(np.asarray(x, dtype=float),
                                               np.asarray(y, dtype=float))

    def from_wgs84(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metric coordinates of WGS84 points."""
        return self._transformers[1].transform(np.asarray(lon, dtype=float),
                                               np.asarray(lat, dtype=float))

    def raster(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """A ``shape`` array holding ``values`` (one per sample) at the cells' positions."""
        out = np.full(self.shape, fill, dtype=np.result_type(values, type(fill)))
        on = self.row >= 0
        out[self.row[on], self.col[on]] = np.asarray(values)[on]
        return out


def _resolution(requested: float, area_m2: float, max_cells: int) -> float:
    """The requested cell side, or a coarser one (a multiple of 50 m) under ``max_cells``."""
    if area_m2 / requested**2 <= max_cells:
        return requested
    return float(math.ceil(math.sqrt(area_m2 / max_cells) / 50.0) * 50.0)


def _edges(towns: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring edge of every town: start points, end points, town index."""
    parts, part_town = shapely.get_parts(towns.to_numpy(), return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same = coord_ring[:-1] == coord_ring[1:]
    start, end = coords[:-1][same], coords[1:][same]
    return start, end, part_town[ring_part[coord_ring[:-1][same]]]


def _scanline(towns: gpd.GeoSeries, origin: tuple[float, float], h: float,
              shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and town of every cell whose centre is inside a town (even–odd rule).

    Each edge is cut by the horizontal lines through the cell centres it
    spans (half-open in y, so a vertex is counted once); per town and row the
    crossings, sorted, pair up into runs of inside cells.
    """
    x0, y0 = origin
    start, end, town = _edges(towns)
    lo, hi = np.minimum(start[:, 1], end[:, 1]), np.maximum(start[:, 1], end[:, 1])
    first = np.ceil((lo - y0) / h - 0.5).astype(np.int64)
    stop = np.ceil((hi - y0) / h - 0.5).astype(np.int64)
    count = np.clip(stop - first, 0, None)
    total = int(count.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    edge = np.repeat(np.arange(len(count)), count)
    offsets = np.cumsum(count) - count
    rows = first[edge] + (np.arange(total) - offsets[edge])
    yc = y0 + (rows + 0.5) * h
    xa, ya, xb, yb = start[edge, 0], start[edge, 1], end[edge, 0], end[edge, 1]
    xs = xa + (yc - ya) * (xb - xa) / (yb - ya)
    cross_town = town[edge]
    order = np.lexsort((xs, rows, cross_town))
    xs, rows, cross_town = xs[order], rows[order], cross_town[order]
    left, right = xs[0::2], xs[1::2]
    run_row, run_town = rows[0::2], cross_town[0::2]
    col_first = np.ceil((left - x0) / h - 0.5).astype(np.int64)
    col_stop = np.ceil((right - x0) / h - 0.5).astype(np.int64)
    length = np.clip(col_stop - col_first, 0, None)
    run = np.repeat(np.arange(len(length)), length)
    run_offsets = np.cumsum(length) - length
    cols = col_first[run] + (np.arange(int(length.sum())) - run_offsets[run])
    cell_rows, cell_towns = run_row[run], run_town[run]
    inside = (cell_rows >= 0) & (cell_rows < shape[0]) & (cols >= 0) & (cols < shape[1])
    return cell_rows[inside], cols[inside], cell_towns[inside]


def make_grid(boundaries: Boundaries, resolution_m: float = DEFAULT_RESOLUTION_M,
              max_cells: int = MAX_CELLS) -> Grid:
    """The grid of square cells over the towns, clipped to them.

    Parameters
    ----------
    boundaries
        The towns (WGS84); the metric CRS is chosen from their extent.
    resolution_m
        Cell side in metres (10–10 000). When the towns' area would need more
        than ``max_cells`` cells, the side is raised to the next multiple of
        50 m that fits (see :attr:`Grid.coarsened`).
    max_cells
        The most cells the grid may have.

    Raises
    ------
    CoverageError
        When ``resolution_m`` is not a number in 10–10 000.
    """
    requested = check_resolution_m(resolution_m)
    crs = metric_crs(boundaries.towns)
    towns = boundaries.towns.geometry.to_crs(crs)
    areas = towns.area.to_numpy()
    h = _resolution(requested, float(areas.sum()), max_cells)
    minx, miny, maxx, maxy = towns.total_bounds
    x0, y0 = math.floor(minx / h) * h, math.floor(miny / h) * h
    shape = (max(1, math.ceil((maxy - y0) / h)), max(1, math.ceil((maxx - x0) / h)))
    rows, cols, town = _scanline(towns, (x0, y0), h, shape)
    # A centre in two towns (overlapping boundaries) goes to the first in file order.
    cell = rows * shape[1] + cols
    order = np.lexsort((town, cell))
    keep = order[np.unique(cell[order], return_index=True)[1]]
    rows, cols, town = rows[keep], cols[keep], town[keep]
    weight = np.full(len(rows), h * h)
    # A town holding no cell centre gets one sample, weighted by its whole area.
    small = np.setdiff1d(np.arange(len(towns)), town)
    if len(small):
        points = shapely.point_on_surface(towns.to_numpy()[small])
        rows = np.concatenate([rows, np.full(len(small), -1)])
        cols = np.concatenate([cols, np.full(len(small), -1)])
        town = np.concatenate([town, small])
        weight = np.concatenate([weight, areas[small]])
        px, py = shapely.get_x(points), shapely.get_y(points)
    else:
        px = py = np.empty(0)
    on = rows >= 0
    x = np.concatenate([x0 + (cols[on] + 0.5) * h, px])
    y = np.concatenate([y0 + (rows[on] + 0.5) * h, py])
    return Grid(crs=crs, resolution_m=h, requested_resolution_m=requested, origin=(x0, y0),
                shape=shape, row=rows.astype(np.int32), col=cols.astype(np.int32), x=x, y=y,
                town=town.astype(np.int32), weight_m2=weight,
                town_names=tuple(boundaries.names), town_area_m2=areas)
