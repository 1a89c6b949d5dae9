"""The inputs every reading command of the CLI takes (``check``, ``brief``, ``gaps``).

One definition, so the commands read the same files with the same defaults
and options: a new option (``--sheet``) reaches all of them.
"""

from __future__ import annotations

import argparse

from geo.dataset import Dataset, load_dataset
from geo.settings import DEFAULT_NAME_FIELD

__all__ = ["add_inputs", "load_inputs"]


def add_inputs(command: argparse.ArgumentParser) -> None:
    """Add the register, boundaries, name field, sheet and targets options to ``command``."""
    command.add_argument("--carriers", help="carrier register, CSV or .xlsx (default: bundled)")
    command.add_argument("--sheet", help="the worksheet of a workbook register (default: the "
                                         "active sheet if it has a header, else the first "
                                         "that has one)")
    command.add_argument("--boundaries",
                         help="town boundaries: GeoJSON, zipped Shapefile, GeoPackage "
                              "(default: bundled)")
    command.add_argument("--name-field", default=DEFAULT_NAME_FIELD,
                         help="field holding the town name in the boundary file "
                              "(default: name)")
    command.add_argument("--targets", help="targets/period TOML (default: data/targets.toml)")


def load_inputs(args: argparse.Namespace) -> Dataset:
    """The dataset the options of :func:`add_inputs` name.

    Raises
    ------
    geo.InputFileError, geo.ConfigError
        When a file cannot be used.
    """
    return load_dataset(args.carriers, args.boundaries, args.targets, args.name_field,
                        args.sheet)
