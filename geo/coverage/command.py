"""``python -m geo gaps``: coverage per town for one carrier type, and suggested sites.

Reads the inputs exactly as ``check`` does (same defaults, same exit codes:
2 with a one-paragraph message when a file or an argument cannot be used).
"""

from __future__ import annotations

import argparse
import json
import sys

from geo._errors import ConfigError, InputFileError
from geo.cli_inputs import add_inputs, load_inputs
from geo.coverage._validate import (
    CoverageError,
    check_k,
    check_radius_km,
    check_resolution_m,
    check_town,
    check_type,
)
from geo.coverage.distance import distance_surface
from geo.coverage.grid import DEFAULT_RESOLUTION_M, make_grid
from geo.coverage.population import read_population
from geo.coverage.report import gaps_json, gaps_table
from geo.coverage.suggest import suggest_sites
from geo.coverage.towns import DEFAULT_RADIUS_KM, town_coverage

__all__ = ["add_gaps_parser", "run_gaps"]

EXIT_OK = 0
EXIT_UNUSABLE_INPUT = 2


def add_gaps_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``gaps`` subcommand to the CLI's subparsers."""
    gaps = commands.add_parser(
        "gaps", help="coverage gaps per town and suggested sites / 覆盖缺口与建议选址")
    add_inputs(gaps)
    gaps.add_argument("--type", required=True,
                      help="incubator | research_institute | maker_space | industrial_base | all")
    gaps.add_argument("--radius-km", default=str(DEFAULT_RADIUS_KM),
                      help="radius a carrier serves, 0 < R ≤ 100 (default: 3)")
    gaps.add_argument("--resolution-m", default=str(DEFAULT_RESOLUTION_M),
                      help="grid cell side in metres, 10–10000 (default: 250; made coarser "
                           "automatically above about 2 million cells)")
    gaps.add_argument("--include-pipeline", action="store_true",
                      help="count carriers under construction and planned as present")
    gaps.add_argument("--suggest", metavar="K", help="propose K sites (1–10)")
    gaps.add_argument("--town", help="propose sites only inside this town")
    gaps.add_argument("--population",
                      help="per-town population table, CSV or .xlsx (town, population)")
    gaps.add_argument("--format", choices=("table", "json"), default="table")
    gaps.add_argument("--lang", choices=("zh", "en"), default="zh")
    return gaps


def run_gaps(args: argparse.Namespace) -> int:
    """Run ``gaps``; returns the exit code (0, or 2 when an input cannot be used)."""
    try:
        carrier_type = check_type(args.type)
        radius_km = check_radius_km(args.radius_km)
        resolution_m = check_resolution_m(args.resolution_m)
        k = check_k(args.suggest) if args.suggest is not None else None
        dataset = load_inputs(args)
        town = check_town(dataset.boundaries.resolve(args.town) or args.town,
                          dataset.boundaries.names) if args.town else None
        population = (read_population(args.population, dataset.boundaries)
                      if args.population else None)
    except (InputFileError, ConfigError, CoverageError) as error:
        print(error.message(args.lang), file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    result = dataset.check()
    surface = distance_surface(make_grid(dataset.boundaries, resolution_m), result.carriers,
                               args.include_pipeline)
    table = town_coverage(surface, radius_km, population)
    suggestions = (suggest_sites(surface, carrier_type, radius_km, k, town, population)
                   if k is not None else None)
    problems = list(population.problems) if population is not None else []
    if args.format == "json":
        document = gaps_json(table, carrier_type, suggestions, result.approximate_boundaries,
                             result.illustrative_count, problems, args.lang, dataset.sources)
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(gaps_table(table, carrier_type, suggestions, result.approximate_boundaries,
                         problems, args.lang))
    return EXIT_OK
