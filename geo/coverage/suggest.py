"""Where the next carrier should go: the maximal covering location problem, greedily.

Candidates and demand are the grid's cells. A site at a cell's centre covers
every cell whose centre lies within the radius — the same fixed stencil
everywhere on a square lattice — so the still-uncovered area (or people) each
candidate would cover is one convolution of the uncovered raster with a disk,
and after each pick only the gains within twice the radius change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from geo.coverage._validate import check_k, check_radius_km, check_town, check_type
from geo.coverage.distance import DistanceSurface, within_radius
from geo.coverage.population import PopulationTable

try:
    from scipy.signal import fftconvolve
except ImportError:  # pragma: no cover - exercised only without SciPy
    fftconvolve = None

__all__ = ["SiteSuggestions", "cell_people", "suggest_sites"]

SITE_COLUMNS = ("rank", "lon", "lat", "x", "y", "town", "new_covered_km2",
                "new_covered_people", "covered_km2_total", "covered_people_total")


@dataclass(frozen=True, eq=False)
class SiteSuggestions:
    """Up to ``k`` proposed sites, in the order they were chosen.

    Attributes
    ----------
    sites
        ``rank`` (1…), ``lon``/``lat`` (WGS84), ``x``/``y`` (metric), ``town``,
        ``new_covered_km2`` and ``new_covered_people`` (what this site adds to
        those before it; people NaN without a population table), and the
        running totals ``covered_km2_total``/``covered_people_total``.
    weighted_by
        ``"area"`` or ``"population"``: what the picks maximise.
    uncovered_km2
        Area of the towns (or of the chosen town) outside the radius before any site.
    exhausted
        True when fewer than ``k`` sites are returned because nothing
        uncovered was left within reach of a candidate.
    """

    sites: pd.DataFrame
    carrier_type: str
    radius_km: float
    k: int
    town: str | None
    weighted_by: Literal["area", "population"]
    uncovered_km2: float
    exhausted: bool


def _convolve(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``values`` convolved with a symmetric ``kernel``, same shape as ``values``."""
    if fftconvolve is not None:
        return fftconvolve(values, kernel, mode="same")
    shape = (values.shape[0] + kernel.shape[0] - 1, values.shape[1] + kernel.shape[1] - 1)
    full = np.fft.irfft2(np.fft.rfft2(values, shape) * np.fft.rfft2(kernel, shape), shape)
    m0, m1 = kernel.shape[0] // 2, kernel.shape[1] // 2
    return full[m0:m0 + values.shape[0], m1:m1 + values.shape[1]]


def _disk(radius_m: float, h: float) -> np.ndarray:
    """The stencil of cells whose centre is within ``radius_m`` of a cell's centre."""
    m = int(np.floor(radius_m / h + 1e-9))
    offsets = np.arange(-m, m + 1)
    distance = np.hypot(offsets[:, None], offsets[None, :]) * h
    return within_radius(distance, radius_m).astype(float)


def cell_people(surface: DistanceSurface, population: PopulationTable) -> np.ndarray:
    """People per grid sample: each town's population spread evenly over its area.

    A town the table does not list has NaN people (never a guessed number).
    """
    grid = surface.grid
    names = list(grid.town_names)
    total = np.bincount(grid.town, weights=grid.weight_m2, minlength=len(names))
    people = population.population.reindex(names).to_numpy(dtype=float)
    density = np.divide(people, total, out=np.full(len(names), np.nan), where=total > 0)
    return density[grid.town] * grid.weight_m2


def suggest_sites(surface: DistanceSurface, carrier_type: str, radius_km: float = 3.0,
                  k: int = 3, town: str | None = None,
                  population: PopulationTable | None = None) -> SiteSuggestions:
    """Propose ``k`` sites that together cover the most still-uncovered area (or people).

    Greedy maximal covering: each step takes the grid cell whose centre would
    newly cover the most uncovered weight within ``radius_km`` (ties: the
    first cell in row order), marks that weight covered, and repeats. Coverage
    is a monotone submodular function of the chosen set, so the greedy ``k``
    sites cover at least ``1 − 1/e ≈ 63 %`` of what the best possible ``k``
    sites among the same candidate cells would cover (Nemhauser, Wolsey and
    Fisher, 1978); the first pick is the best single site exactly.

    Parameters
    ----------
    surface
        The distance surface; cells farther than ``radius_km`` from every
        carrier of ``carrier_type`` are the uncovered demand.
    carrier_type
        A carrier type, or ``"all"``.
    radius_km
        0 < r ≤ 100 km.
    k
        Number of sites, 1–10.
    town
        When given, sites are only proposed inside this town (they still
        count what they cover in neighbouring towns).
    population
        When given, the picks maximise people covered (each town's people
        spread evenly over it; towns the table lacks weigh nothing).

    Raises
    ------
    CoverageError
        When the type, radius, ``k`` or town is not usable.
    """
    carrier_type = check_type(carrier_type)
    radius_m = check_radius_km(radius_km) * 1000.0
    k = check_k(k)
    grid = surface.grid
    if town is not None:
        town = check_town(town, grid.town_names)
    h = grid.resolution_m
    on = grid.row >= 0
    uncovered = ~within_radius(surface.distance_m[carrier_type], radius_m)
    area = grid.raster(np.where(uncovered & on, 1.0, 0.0))
    people = None
    if population is not None:
        people = grid.raster(np.where(uncovered & on, np.nan_to_num(
            cell_people(surface, population)), 0.0))
    objective = people if people is not None else area
    sample = grid.raster(np.arange(grid.size), fill=-1)
    candidate = sample >= 0
    if town is not None:
        candidate &= grid.raster(grid.town, fill=-1) == grid.town_names.index(town)
        uncovered_km2 = float(area[candidate].sum()) * h * h / 1e6
    else:
        uncovered_km2 = float(area.sum()) * h * h / 1e6
    kernel = _disk(radius_m, h)
    m = kernel.shape[0] // 2
    gain = _convolve(objective, kernel)
    if people is None:
        gain = np.rint(gain)
    gain[~candidate] = -np.inf
    rows, columns = gain.shape
    picks, exhausted = [], False
    for _ in range(k):
        flat = int(np.argmax(gain))
        r0, c0 = divmod(flat, columns)
        if not gain[r0, c0] > 1e-9:
            exhausted = True
            break
        r1, r2, c1, c2 = max(r0 - m, 0), min(r0 + m + 1, rows), max(c0 - m, 0), \
            min(c0 + m + 1, columns)
        disk = kernel[r1 - r0 + m:r2 - r0 + m, c1 - c0 + m:c2 - c0 + m] > 0
        newly_area = float(area[r1:r2, c1:c2][disk].sum())
        newly_people = float(people[r1:r2, c1:c2][disk].sum()) if people is not None else np.nan
        removed = np.zeros((r2 - r1, c2 - c1))
        removed[disk] = objective[r1:r2, c1:c2][disk]
        area[r1:r2, c1:c2][disk] = 0.0
        if people is not None:
            people[r1:r2, c1:c2][disk] = 0.0
        picks.append((flat, newly_area * h * h / 1e6, newly_people))
        # Gains change only within twice the radius of the pick.
        w1, w2, v1, v2 = max(r1 - m, 0), min(r2 + m, rows), max(c1 - m, 0), \
            min(c2 + m, columns)
        padded = np.zeros((w2 - w1, v2 - v1))
        padded[r1 - w1:r2 - w1, c1 - v1:c2 - v1] = removed
        change = _convolve(padded, kernel)
        window = gain[w1:w2, v1:v2]
        window -= np.rint(change) if people is None else change
    return _result(surface, picks, sample, carrier_type, radius_m, k, town,
                   "population" if people is not None else "area", uncovered_km2, exhausted)


def _result(surface: DistanceSurface, picks: list[tuple[int, float, float]],
            sample: np.ndarray, carrier_type: str, radius_m: float, k: int, town: str | None,
            weighted_by: Literal["area", "population"], uncovered_km2: float,
            exhausted: bool) -> SiteSuggestions:
    grid = surface.grid
    chosen = np.array([sample.flat[flat] for flat, _, _ in picks], dtype=np.int64)
    x, y = grid.x[chosen], grid.y[chosen]
    lon, lat = grid.to_wgs84(x, y)
    new_km2 = np.array([p[1] for p in picks], dtype=float)
    new_people = np.array([p[2] for p in picks], dtype=float)
    sites = pd.DataFrame({
        "rank": np.arange(1, len(picks) + 1),
        "lon": np.asarray(lon, dtype=float), "lat": np.asarray(lat, dtype=float), "x": x, "y": y,
        "town": [grid.town_names[t] for t in grid.town[chosen]],
        "new_covered_km2": new_km2, "new_covered_people": new_people,
        "covered_km2_total": np.cumsum(new_km2), "covered_people_total": np.cumsum(new_people),
    }, columns=list(SITE_COLUMNS))
    return SiteSuggestions(sites=sites, carrier_type=carrier_type, radius_km=radius_m / 1000.0,
                           k=k, town=town, weighted_by=weighted_by,
                           uncovered_km2=uncovered_km2, exhausted=exhausted)
