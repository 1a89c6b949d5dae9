"""Coverage gaps for planners: distance to carriers, coverage per town, sites, what-if.

Frames in, frames out, no Streamlit. The usual path::

    result = dataset.check(filters)                     # the one rule
    grid = make_grid(dataset.boundaries, 250)            # cache per boundaries + resolution
    surface = distance_surface(grid, result.carriers)    # per type and "all"
    table = town_coverage(surface, radius_km=3)          # per town and type
    sites = suggest_sites(surface, "maker_space", 3, k=3)
    what_if = run_scenario(register, boundaries, targets, rows, surface, 3, before=result)
"""

from geo.coverage._validate import (
    ALL_TYPES,
    COVERAGE_TYPES,
    MAX_K,
    MAX_RADIUS_KM,
    CoverageError,
    check_k,
    check_radius_km,
    check_resolution_m,
    check_town,
    check_type,
)
from geo.coverage.distance import DistanceSurface, distance_surface, select_carriers
from geo.coverage.grid import DEFAULT_RESOLUTION_M, MAX_CELLS, Grid, make_grid
from geo.coverage.layers import band_polygons, gap_polygons, site_points
from geo.coverage.population import PopulationTable, read_population
from geo.coverage.scenario import (
    ScenarioResult,
    hypothetical_rows,
    run_scenario,
    town_at,
    validate_hypothetical,
)
from geo.coverage.suggest import SiteSuggestions, cell_people, suggest_sites
from geo.coverage.towns import DEFAULT_RADIUS_KM, CoverageTable, town_coverage

__all__ = [
    "ALL_TYPES",
    "COVERAGE_TYPES",
    "DEFAULT_RADIUS_KM",
    "DEFAULT_RESOLUTION_M",
    "MAX_CELLS",
    "MAX_K",
    "MAX_RADIUS_KM",
    "CoverageError",
    "CoverageTable",
    "DistanceSurface",
    "Grid",
    "PopulationTable",
    "ScenarioResult",
    "SiteSuggestions",
    "band_polygons",
    "cell_people",
    "check_k",
    "check_radius_km",
    "check_resolution_m",
    "check_town",
    "check_type",
    "distance_surface",
    "gap_polygons",
    "hypothetical_rows",
    "make_grid",
    "read_population",
    "run_scenario",
    "select_carriers",
    "site_points",
    "suggest_sites",
    "town_at",
    "town_coverage",
    "validate_hypothetical",
]
