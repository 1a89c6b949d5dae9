"""Command line: ``python -m geo check|brief|template|gaps|users|store ...``.

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
from geo.check import CheckResult
from geo.cli_inputs import add_inputs, load_inputs
from geo.coverage.command import add_gaps_parser, run_gaps
from geo.dataset import Dataset
from geo.i18n import translate
from geo.progress import changes_since
from geo.report import as_json, as_table
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
    add_inputs(check)
    check.add_argument("--format", choices=("table", "json"), default="table")
    check.add_argument("--lang", choices=("zh", "en"), default="zh")
    check.add_argument("--as-of", metavar="YYYY-MM-DD",
                       help="the figures as they stood on this date (default: the whole "
                            "period)")
    brief = commands.add_parser("brief",
                                help="write the PDF brief / 生成进度通报 PDF")
    add_inputs(brief)
    which = brief.add_mutually_exclusive_group()
    which.add_argument("--town", help="one town's page (a name or short name, e.g. 浏河)")
    which.add_argument("--all-towns", action="store_true",
                       help="the city brief, then one page per town, worst first")
    brief.add_argument("--as-of", metavar="YYYY-MM-DD",
                       help="the figures as they stood on this date (default: the whole "
                            "period)")
    brief.add_argument("--since", metavar="YYYY-MM-DD",
                       help="also say what changed after this date")
    brief.add_argument("--lang", choices=("zh", "en"), default="zh")
    brief.add_argument("--out", required=True, help="the PDF to write, e.g. 进度通报.pdf")
    template = commands.add_parser("template",
                                   help="write the ledger template (xlsx) / 下载台账模板")
    template.add_argument("--out", required=True, help="where to write it, e.g. 台账模板.xlsx")
    template.add_argument("--lang", choices=("zh", "en"), default="zh")
    add_gaps_parser(commands)
    store_commands.add_commands(commands)
    return parser


def _checked(args: argparse.Namespace) -> tuple[Dataset, CheckResult]:
    """Read the inputs and run the check (as of ``--as-of``), as ``check`` and ``brief`` do.

    Raises
    ------
    InputFileError, ConfigError
        When a file or the date cannot be used.
    """
    dataset = load_inputs(args)
    return dataset, dataset.check(as_of=args.as_of)


def _run_check(args: argparse.Namespace) -> int:
    try:
        dataset, result = _checked(args)
    except (InputFileError, ConfigError) as error:
        print(error.message(args.lang), file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    if args.format == "json":
        json.dump(as_json(result, args.lang, dataset.sources), sys.stdout, ensure_ascii=False,
                  indent=2, allow_nan=False)  # strict JSON: every figure is finite
        sys.stdout.write("\n")
    else:
        print(as_table(result, args.lang, dataset.sources))
    return EXIT_OK


def _run_brief(args: argparse.Namespace) -> int:
    """Write the city brief, one town's page, or the meeting pack (``--all-towns``)."""
    folder = Path(args.out).parent
    if not folder.is_dir():  # said before the inputs are read and the PDF drawn
        print(translate("brief.out_unwritable", args.lang, path=args.out,
                        reason=translate("brief.no_folder", args.lang, folder=str(folder))),
              file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    try:
        dataset, result = _checked(args)
        if args.since is not None:
            changes_since(result, args.since)  # a bad or late date: refused before drawing
        town = None
        if args.town is not None:
            town = dataset.boundaries.resolve(args.town)
            if town is None:
                raise ConfigError("brief.town_unknown", town=args.town,
                                  towns="、".join(dataset.boundaries.names))
        from render.briefs import city_brief, meeting_pack, town_brief

        common = {"since": args.since}
        if town is not None:
            pdf = town_brief(result, dataset.boundaries, town, dataset.sources, args.lang,
                             **common)
        elif args.all_towns:
            pdf = meeting_pack(result, dataset.boundaries, dataset.sources, args.lang, **common)
        else:
            pdf = city_brief(result, dataset.boundaries, dataset.sources, args.lang, **common)
    except (InputFileError, ConfigError) as error:
        print(error.message(args.lang), file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    try:
        Path(args.out).write_bytes(pdf)
    except OSError as error:
        print(translate("brief.out_unwritable", args.lang, path=args.out,
                        reason=error.strerror or type(error).__name__), file=sys.stderr)
        return EXIT_UNUSABLE_INPUT
    print(args.out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.command == "template":
        Path(args.out).write_bytes(template_xlsx(args.lang))
        print(args.out)
        return EXIT_OK
    if args.command == "gaps":
        return run_gaps(args)
    if args.command == "check":
        return _run_check(args)
    if args.command == "brief":
        return _run_brief(args)
    return store_commands.run(args)
