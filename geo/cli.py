"""Command line: ``python -m geo check|template|gaps|users|store ...``.

Exit 0 when the files could be read (whatever the towns' results); exit 2
with a one-paragraph message on stderr when an input cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from geo._errors import ConfigError, InputFileError
from geo.coverage.command import add_gaps_parser, run_gaps
from geo.dataset import load_dataset
from geo.report import as_json, as_table
from geo.settings import DEFAULT_NAME_FIELD
from geo.store import commands as store_commands
from geo.template import template_xlsx

__all__ = ["main"]

EXIT_OK = 0
EXIT_UNUSABLE_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="创新载体地图：检查各镇区新投用创新载体面积是否达标 · "
                    "Innovation Carrier Map: check each town's new carrier area "
                    "against its target.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check",
                                help="run the 10,000 m² check / 检查达标情况")
    check.add_argument("--carriers", help="carrier register, CSV or .xlsx (default: bundled)")
    check.add_argument("--boundaries",
                       help="town boundaries: GeoJSON, zipped Shapefile, GeoPackage "
                            "(default: bundled)")
    check.add_argument("--name-field", default=DEFAULT_NAME_FIELD,
                       help="field holding the town name in the boundary file (default: name)")
    check.add_argument("--targets", help="targets/period TOML (default: data/targets.toml)")
    check.add_argument("--format", choices=("table", "json"), default="table")
    check.add_argument("--lang", choices=("zh", "en"), default="zh")
    template = commands.add_parser("template",
                                   help="write the ledger template (xlsx) / 下载台账模板")
    template.add_argument("--out", required=True, help="where to write it, e.g. 台账模板.xlsx")
    template.add_argument("--lang", choices=("zh", "en"), default="zh")
    add_gaps_parser(commands)
    store_commands.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.command == "template":
        Path(args.out).write_bytes(template_xlsx(args.lang))
        print(args.out)
        return EXIT_OK
    if args.command == "gaps":
        return run_gaps(args)
    if args.command != "check":
        return store_commands.run(args)
    try:
        dataset = load_dataset(args.carriers, args.boundaries, args.targets, args.name_field)
    except (InputFileError, ConfigError) as error:
        print(error.message(args.lang), file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    result = dataset.check()
    if args.format == "json":
        json.dump(as_json(result, args.lang, dataset.sources), sys.stdout, ensure_ascii=False,
                  indent=2, allow_nan=False)  # strict JSON: every figure is finite
        sys.stdout.write("\n")
    else:
        print(as_table(result, args.lang, dataset.sources))
    return EXIT_OK
