"""What-if: hypothetical carriers added to the register, before → after.

The hypothetical rows are validated by the register's own rules
(:func:`geo.register.validate_register`) and the after-state is the one rule,
:func:`geo.check.check`, applied to the register plus those rows — there is no
second copy of the rule. Nothing is written anywhere: the register passed in
is left as it was (its frame is never changed; a new one is built).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.boundaries import Boundaries
from geo.check import CheckResult, CityFigures, check
from geo.coverage._validate import CoverageError
from geo.coverage.distance import DistanceSurface, select_carriers
from geo.coverage.population import PopulationTable
from geo.coverage.towns import DEFAULT_RADIUS_KM, CoverageTable, town_coverage
from geo.locate import towns_of_points
from geo.readers import RawTable
from geo.register import Register, validate_register
from geo.schema import COLUMNS
from geo.settings import Targets

__all__ = ["HYPOTHETICAL_PREFIX", "ScenarioResult", "hypothetical_rows", "run_scenario",
           "town_at", "validate_hypothetical"]

HYPOTHETICAL_PREFIX = "H"
"""Ids given to hypothetical rows that have none: ``H1``, ``H2`` …"""

CITY_FIGURES = ("new_carriers", "research_institutes", "new_area_m2", "projected_m2",
                "towns_met")


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Before and after adding the hypothetical carriers.

    Attributes
    ----------
    hypothetical
        The hypothetical carriers as the check placed them (``town``,
        ``reason`` …), the rows of ``after.carriers`` flagged ``hypothetical``.
    before, after
        The check's full results without and with them.
    towns
        One row per town: ``new_area_m2``, ``projected_m2``, ``met`` and
        ``band`` each as ``*_before``/``*_after``, and ``changed``.
    city
        One row per city figure (``figure``, ``before``, ``after``, ``goal``).
    coverage_before, coverage_after
        Per-town coverage for the radius (:class:`CoverageTable`).
    coverage
        One row per town and type: ``covered_share_before``/``_after``,
        ``max_distance_km_before``/``_after``, ``carriers_before``/``_after``.
    surface_after
        The distance surface with the hypothetical carriers, for the map.
    """

    hypothetical: pd.DataFrame
    before: CheckResult
    after: CheckResult
    towns: pd.DataFrame
    city: pd.DataFrame
    coverage_before: CoverageTable
    coverage_after: CoverageTable
    coverage: pd.DataFrame
    surface_after: DistanceSurface


def town_at(lon: float, lat: float, boundaries: Boundaries) -> str:
    """The town holding a WGS84 point (a click on the map), by the check's own placement.

    Raises
    ------
    CoverageError
        ``coverage.point_outside`` when the point is in no town.
    """
    index = towns_of_points(np.array([lon], dtype=float), np.array([lat], dtype=float),
                            boundaries.towns)[0]
    if index < 0:
        raise CoverageError("coverage.point_outside", lon=f"{lon:.6f}", lat=f"{lat:.6f}")
    return str(boundaries.towns["name"].iloc[index])


def hypothetical_rows(lon: Sequence[float], lat: Sequence[float], carrier_type: Sequence[str],
                      floor_area_m2: Sequence[float], status: Sequence[str] | str = "planned",
                      opened: Sequence[str] | str = "", name: Sequence[str] | None = None
                      ) -> pd.DataFrame:
    """Hypothetical carriers as text rows in the register's own columns (WGS84 points).

    What a page builds from clicks or typed coordinates, or from suggested
    sites; :func:`validate_hypothetical` checks them like any register rows.
    """
    count = len(lon)

    def column(values: Sequence[str] | str) -> list[str]:
        return [values] * count if isinstance(values, str) else [str(v) for v in values]

    frame = pd.DataFrame({
        "name": list(name) if name is not None else [f"假设载体 {i + 1}" for i in range(count)],
        "type": column(carrier_type), "lon": [f"{v:.6f}" for v in lon],
        "lat": [f"{v:.6f}" for v in lat], "crs": "WGS84",
        "floor_area_m2": [f"{v:g}" for v in floor_area_m2], "opened": column(opened),
        "status": column(status), "source": "scenario",
    }, dtype=object)
    return frame.where(frame != "", None)


def validate_hypothetical(rows: pd.DataFrame, register: Register,
                          boundaries: Boundaries) -> Register:
    """Hypothetical rows (register columns, as text) validated by the register's rules.

    Rows are numbered from 2 as in a scenario file. Each row needs a point
    inside a town; ids default to ``H1``, ``H2`` … and must not repeat the
    register's.

    Raises
    ------
    CoverageError
        ``scenario.invalid_rows`` (with ``problems``) when a row has a value
        the register would reject; ``scenario.no_point`` /
        ``scenario.outside`` when a row has no point or one outside every
        town; ``scenario.id_taken`` when an id is already in the register.
    """
    frame = pd.DataFrame({c: rows[c] if c in rows else None for c in COLUMNS},
                         index=rows.index).astype("str").reset_index(drop=True)
    missing_id = frame["id"].isna().to_numpy()
    taken_ids = set(register.carriers["id"].astype(str)) | set(frame["id"].dropna())
    free = (f"{HYPOTHETICAL_PREFIX}{n}" for n in range(1, len(taken_ids) + len(frame) + 2)
            if f"{HYPOTHETICAL_PREFIX}{n}" not in taken_ids)
    frame.loc[missing_id, "id"] = [next(free) for _ in range(int(missing_id.sum()))]
    numbers = pd.Series(range(2, 2 + len(frame)), index=frame.index)
    validated = validate_register(RawTable(frame=frame, rows=numbers, header=list(COLUMNS),
                                           path="scenario"))
    errors = [p for p in validated.problems if p.severity == "error"]
    if errors:
        raise CoverageError("scenario.invalid_rows", problems=errors, count=len(errors))
    carriers = validated.carriers
    no_point = carriers.loc[~carriers["has_point"], "row"]
    if len(no_point):
        raise CoverageError("scenario.no_point", row=int(no_point.iloc[0]))
    index = towns_of_points(carriers["lon"].to_numpy(), carriers["lat"].to_numpy(),
                            boundaries.towns)
    if (index < 0).any():
        first = int(np.flatnonzero(index < 0)[0])
        raise CoverageError("scenario.outside", row=int(carriers["row"].iloc[first]),
                            lon=f"{carriers['lon'].iloc[first]:.6f}",
                            lat=f"{carriers['lat'].iloc[first]:.6f}")
    taken = carriers["id"][carriers["id"].isin(register.carriers["id"])]
    if len(taken):
        raise CoverageError("scenario.id_taken", value=str(taken.iloc[0]))
    return validated


def _combined(register: Register, hypothetical: Register) -> Register:
    """A new register: the rows, then the hypothetical ones numbered after the last row."""
    added = hypothetical.carriers.copy()
    last = int(register.carriers["row"].max()) if len(register.carriers) else 1
    added["row"] = np.arange(last + 1, last + 1 + len(added))
    added["hypothetical"] = True
    carriers = pd.concat([register.carriers.assign(hypothetical=False), added],
                         ignore_index=True)
    # One chunk per text column: geo.duplicates hands the Arrow array of the
    # names to pyarrow kernels that refuse a concatenation's chunked array.
    for column in carriers.columns:
        if isinstance(carriers[column].dtype, pd.StringDtype):
            carriers[column] = pd.Series(carriers[column].to_numpy(dtype=object),
                                         dtype=carriers[column].dtype)
    return dataclasses.replace(register, carriers=carriers,
                               problems=list(register.problems), notes=list(register.notes))


def _side_by_side(before: pd.DataFrame, after: pd.DataFrame, keys: list[str],
                  columns: list[str]) -> pd.DataFrame:
    """``keys`` then each column as ``*_before``/``*_after`` (both frames in the same order)."""
    data = {key: before[key].to_numpy() for key in keys}
    for column in columns:
        data[f"{column}_before"] = before[column].to_numpy()
        data[f"{column}_after"] = after[column].to_numpy()
    return pd.DataFrame(data)


def _town_changes(before: CheckResult, after: CheckResult) -> pd.DataFrame:
    columns = ["new_area_m2", "projected_m2", "met", "band"]
    merged = _side_by_side(before.towns, after.towns, ["town"], columns)
    changed = np.zeros(len(merged), dtype=bool)
    for column in columns:
        changed |= merged[f"{column}_before"].to_numpy() != merged[f"{column}_after"].to_numpy()
    merged["changed"] = changed
    return merged


def _city_changes(before: CityFigures, after: CityFigures) -> pd.DataFrame:
    goals = {"new_carriers": before.new_carriers_goal,
             "research_institutes": before.research_institutes_goal,
             "towns_met": before.towns_total}
    return pd.DataFrame({"figure": list(CITY_FIGURES),
                         "before": [getattr(before, f) for f in CITY_FIGURES],
                         "after": [getattr(after, f) for f in CITY_FIGURES],
                         "goal": [goals.get(f) for f in CITY_FIGURES]}, dtype=object)


def _coverage_changes(before: CoverageTable, after: CoverageTable) -> pd.DataFrame:
    return _side_by_side(before.towns, after.towns, ["town", "type"],
                         ["covered_share", "max_distance_km", "carriers", "covered_km2"])


def run_scenario(register: Register, boundaries: Boundaries, targets: Targets,
                 rows: pd.DataFrame,
                 surface: DistanceSurface, radius_km: float = DEFAULT_RADIUS_KM,
                 before: CheckResult | None = None,
                 population: PopulationTable | None = None,
                 coverage_before: CoverageTable | None = None) -> ScenarioResult:
    """The check and the coverage before and after adding hypothetical carriers.

    Parameters
    ----------
    register, boundaries, targets
        As for :func:`geo.check.check` (after any filters).
    rows
        Hypothetical carriers in the register's columns (see
        :func:`hypothetical_rows`); validated by :func:`validate_hypothetical`.
    surface
        The distance surface of ``register`` (before); only the added
        carriers are measured for the after-state.
    radius_km
        The coverage radius.
    before
        The check of ``register`` if already computed (saves one check).
        Coverage after counts every hypothetical carrier whatever its status
        (the scenario is "if it were there"); the check counts its area only
        as the rule says (in use and opened in the period).
    population
        Optional population table for the coverage tables.
    coverage_before
        ``town_coverage(surface, radius_km, population)`` if already computed.

    Raises
    ------
    CoverageError
        When a hypothetical row cannot be used (see :func:`validate_hypothetical`)
        or the radius is out of range.
    """
    hypothetical = validate_hypothetical(rows, register, boundaries)
    before = before if before is not None else check(register, boundaries, targets)
    after = check(_combined(register, hypothetical), boundaries, targets)
    added = after.carriers[after.carriers["hypothetical"].fillna(False).astype(bool)]
    # A hypothetical carrier is there in the scenario whatever its status: the
    # status decides only whether the check counts its area.
    surface_after = surface.with_carriers(select_carriers(added, surface.grid, True))
    if coverage_before is None or coverage_before.radius_km != radius_km:
        coverage_before = town_coverage(surface, radius_km, population)
    coverage_after = town_coverage(surface_after, radius_km, population)
    return ScenarioResult(
        hypothetical=added.reset_index(drop=True), before=before, after=after,
        towns=_town_changes(before, after), city=_city_changes(before.city, after.city),
        coverage_before=coverage_before, coverage_after=coverage_after,
        coverage=_coverage_changes(coverage_before, coverage_after),
        surface_after=surface_after)
