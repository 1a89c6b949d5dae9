"""Coverage per town: carriers, density, the share within a radius, the farthest point.

Shares are measured on the grid (cells by their centre) and applied to each
town's exact area; with a population table, people are taken as spread evenly
over their town (the only thing a per-town count says), so a town's covered
people are its population times its covered share, and the city-wide figures
weight each town by its people. Towns without a population stay empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.coverage._validate import ALL_TYPES, COVERAGE_TYPES, check_radius_km, check_type
from geo.coverage.distance import DistanceSurface, within_radius
from geo.coverage.population import PopulationTable

__all__ = ["DEFAULT_RADIUS_KM", "UNDER_HALF", "CoverageTable", "town_coverage"]

DEFAULT_RADIUS_KM = 3.0
UNDER_HALF = 0.5

TOWN_COLUMNS = (
    "town", "type", "carriers", "carriers_without_point", "floor_area_m2", "area_km2",
    "carriers_per_km2", "floor_area_m2_per_km2", "covered_km2", "covered_share",
    "max_distance_km", "no_carrier", "under_half_covered", "population", "covered_population",
)
"""Columns of :attr:`CoverageTable.towns`, one row per town and type."""


@dataclass(frozen=True, eq=False)
class CoverageTable:
    """Per-town and city-wide coverage for one radius.

    Attributes
    ----------
    towns
        One row per town (file order) and type (the four, then ``"all"``):
        ``carriers`` (placed in the town, of that type and chosen status),
        ``carriers_without_point`` (counted there by declared town, so they
        measure no distance), ``floor_area_m2``, ``area_km2`` (exact),
        ``carriers_per_km2``, ``floor_area_m2_per_km2``, ``covered_km2`` and
        ``covered_share`` (0–1, within ``radius_km`` of such a carrier,
        wherever it lies), ``max_distance_km`` (farthest cell centre from the
        nearest one; NaN when there is none anywhere), ``no_carrier``,
        ``under_half_covered`` (share < 0.5), ``population`` and
        ``covered_population`` (NaN without a population for the town).
    city
        One row per type: ``area_km2``, ``covered_km2``, ``covered_share``,
        ``population`` (of the towns that have one), ``covered_population``,
        ``covered_population_share``, ``towns_no_carrier``,
        ``towns_under_half_covered``, ``max_distance_km``.
    """

    towns: pd.DataFrame
    city: pd.DataFrame
    radius_km: float
    resolution_m: float
    requested_resolution_m: float
    include_pipeline: bool
    population_weighted: bool

    def for_type(self, carrier_type: str) -> pd.DataFrame:
        """The towns' rows for one type (or ``"all"``), in file order."""
        check_type(carrier_type)
        return self.towns[self.towns["type"] == carrier_type].reset_index(drop=True)


class _TownIndex:
    """Cells grouped by town once, for per-town reductions."""

    def __init__(self, town: np.ndarray, count: int) -> None:
        self.order = np.argsort(town, kind="stable")
        sorted_town = town[self.order]
        self.present = np.unique(sorted_town)
        self.starts = np.searchsorted(sorted_town, self.present)
        self.count = count

    def maximum(self, values: np.ndarray) -> np.ndarray:
        out = np.full(self.count, np.nan)
        if len(self.present):
            out[self.present] = np.maximum.reduceat(values[self.order], self.starts)
        return out


def _carrier_counts(surface: DistanceSurface) -> dict[str, dict[str, np.ndarray]]:
    """Carriers, those without a point, and floor area per town, for each type and ``all``."""
    carriers = surface.carriers
    n = len(surface.grid.town_names)
    town = pd.Index(surface.grid.town_names).get_indexer(carriers["town"].to_numpy(dtype=object))
    kind = carriers["type"].to_numpy(dtype=object)
    area = carriers["floor_area_m2"].fillna(0.0).to_numpy(dtype=float)
    no_point = ~carriers["has_point"].to_numpy(dtype=bool)
    placed = town >= 0
    counts = {}
    for carrier_type in COVERAGE_TYPES:
        chosen = placed & ((kind == carrier_type) if carrier_type != ALL_TYPES else True)
        at = town[chosen]
        counts[carrier_type] = {
            "carriers": np.bincount(at, minlength=n).astype(np.int64),
            "carriers_without_point": np.bincount(at, weights=no_point[chosen],
                                                  minlength=n).astype(np.int64),
            "floor_area_m2": np.bincount(at, weights=area[chosen], minlength=n),
        }
    return counts


def town_coverage(surface: DistanceSurface, radius_km: float = DEFAULT_RADIUS_KM,
                  population: PopulationTable | None = None) -> CoverageTable:
    """Each town's coverage by each carrier type within ``radius_km``.

    Parameters
    ----------
    surface
        From :func:`geo.coverage.distance_surface`.
    radius_km
        The radius a carrier serves, 0 < r ≤ 100 km.
    population
        A checked population table (:func:`geo.coverage.read_population`);
        its usable rows weight the city-wide figures. Never invented: towns it
        lacks have no population.

    Raises
    ------
    CoverageError
        When ``radius_km`` is out of range.
    """
    radius_m = check_radius_km(radius_km) * 1000.0
    grid = surface.grid
    names = list(grid.town_names)
    n = len(names)
    index = _TownIndex(grid.town, n)
    sample_weight = np.bincount(grid.town, weights=grid.weight_m2, minlength=n)
    area_km2 = grid.town_area_m2 / 1e6
    people = (population.population.reindex(names).to_numpy(dtype=float) if population
              else np.full(n, np.nan))
    counts = _carrier_counts(surface)
    frames = []
    for carrier_type in COVERAGE_TYPES:
        distance = surface.distance_m[carrier_type]
        covered = np.bincount(grid.town, weights=grid.weight_m2 * within_radius(distance, radius_m),
                              minlength=n)
        share = np.divide(covered, sample_weight, out=np.zeros(n), where=sample_weight > 0)
        farthest = index.maximum(distance)
        these = counts[carrier_type]
        frames.append(pd.DataFrame({
            "town": names,
            "type": carrier_type,
            "carriers": these["carriers"],
            "carriers_without_point": these["carriers_without_point"],
            "floor_area_m2": these["floor_area_m2"],
            "area_km2": area_km2,
            "carriers_per_km2": these["carriers"] / area_km2,
            "floor_area_m2_per_km2": these["floor_area_m2"] / area_km2,
            "covered_km2": share * area_km2,
            "covered_share": share,
            "max_distance_km": np.where(np.isfinite(farthest), farthest / 1000.0, np.nan),
            "no_carrier": these["carriers"] == 0,
            "under_half_covered": share < UNDER_HALF,
            "population": people,
            "covered_population": people * share,
        }))
    # Town-major order: each town's four types, then "all", towns in file order.
    order = np.arange(n * len(frames)).reshape(len(frames), n).T.ravel()
    towns = pd.concat(frames, ignore_index=True).iloc[order].reset_index(drop=True)
    return CoverageTable(towns=towns, city=_city(towns), radius_km=radius_m / 1000.0,
                         resolution_m=grid.resolution_m,
                         requested_resolution_m=grid.requested_resolution_m,
                         include_pipeline=surface.include_pipeline,
                         population_weighted=population is not None
                         and bool(population.population.notna().any()))


def _city(towns: pd.DataFrame) -> pd.DataFrame:
    """City-wide figures per type, from the town rows (town-major, types in order)."""
    k = len(COVERAGE_TYPES)

    def by_type(column: str) -> np.ndarray:
        return towns[column].to_numpy(dtype=float).reshape(-1, k)

    area, covered = by_type("area_km2").sum(axis=0), by_type("covered_km2").sum(axis=0)
    people, covered_people = by_type("population"), by_type("covered_population")
    known = ~np.isnan(people).all(axis=0)
    population = np.where(known, np.nansum(people, axis=0), np.nan)
    covered_population = np.where(known, np.nansum(covered_people, axis=0), np.nan)
    distance = by_type("max_distance_km")
    farthest = np.where(np.isnan(distance).all(axis=0), np.nan,
                        np.nanmax(np.nan_to_num(distance, nan=-np.inf), axis=0))
    return pd.DataFrame({
        "type": list(COVERAGE_TYPES),
        "area_km2": area,
        "covered_km2": covered,
        "covered_share": covered / area,
        "population": population,
        "covered_population": covered_population,
        "covered_population_share": np.divide(covered_population, population,
                                              out=np.full(k, np.nan), where=population > 0),
        "towns_no_carrier": by_type("no_carrier").sum(axis=0).astype(np.int64),
        "towns_under_half_covered": by_type("under_half_covered").sum(axis=0).astype(np.int64),
        "max_distance_km": farthest,
    })
