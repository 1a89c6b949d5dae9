"""How much input the application reads before it refuses, all in one place.

A file over a limit is refused with a message naming the file, its size and
the limit, *before* it is parsed: a 3.6 MB workbook or a 4 MB boundary zip
that unpacks to a gigabyte must not take the server's memory with it.

===============================  ==========  ======================================
Limit                            Default     Checked
===============================  ==========  ======================================
``MAX_FILE_BYTES``               256 MiB     size of a register or boundary file
                                             (or upload) before it is read
``MAX_WORKBOOK_UNPACKED_BYTES``  48 MiB      sum of the declared sizes of the parts
                                             of an .xlsx/.xlsm workbook (a zip),
                                             before openpyxl opens it
``MAX_UNPACKED_BYTES``           256 MiB     the same for a zipped boundary file,
                                             before GDAL opens it
``MAX_ROWS``                     2,000,000   lines of a CSV below its header
                                             (counted before parsing) and rows of a
                                             worksheet (as they are read)
``MAX_VERTICES``                 10,000,000  vertices of all boundary polygons,
                                             after reading, before repair and overlaps
===============================  ==========  ======================================

A register of a million carriers is about 110 MB of CSV and inside every
limit. A workbook is held in memory as Python objects, about ten times its
unpacked size (a 28 MB sheet of 50,000 carriers takes some 300 MB), so its
limit is lower: about 90,000 carriers; a larger register is read as CSV.
Each default can be changed for a deployment through an environment
variable of the same name prefixed ``CARRIER_MAP_`` (for example
``CARRIER_MAP_MAX_FILE_BYTES=536870912``), read once at start-up; a value that
is not a positive whole number is ignored. The declared sizes of a zip's
members bound what Python's :mod:`zipfile` (used by openpyxl) will unpack;
GDAL reads zipped Shapefiles itself, so for those the check trusts the zip's
own directory.
"""

from __future__ import annotations

import os
import zipfile
from typing import BinaryIO

from geo._errors import InputFileError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "MAX_VERTICES",
    "MAX_WORKBOOK_UNPACKED_BYTES",
    "check_file_size",
    "check_unpacked_size",
    "read_limited",
]


def _setting(name: str, default: int) -> int:
    """``CARRIER_MAP_<name>`` from the environment if a positive integer, else ``default``."""
    text = os.environ.get(f"CARRIER_MAP_{name}", "").strip().replace("_", "")
    return int(text) if text.isdigit() and int(text) > 0 else default


MAX_FILE_BYTES = _setting("MAX_FILE_BYTES", 256 * 2**20)
"""Largest register or boundary file read, in bytes."""

MAX_WORKBOOK_UNPACKED_BYTES = _setting("MAX_WORKBOOK_UNPACKED_BYTES", 48 * 2**20)
"""Largest total declared size of the parts of an .xlsx/.xlsm workbook, in bytes."""

MAX_UNPACKED_BYTES = _setting("MAX_UNPACKED_BYTES", 256 * 2**20)
"""Largest total declared size of the members of a zipped boundary file, in bytes."""

MAX_ROWS = _setting("MAX_ROWS", 2_000_000)
"""Most lines of a CSV or rows of a worksheet read."""

MAX_VERTICES = _setting("MAX_VERTICES", 10_000_000)
"""Most vertices of all boundary polygons together."""


def check_file_size(size: int, path: str) -> None:
    """Refuse a file of ``size`` bytes over :data:`MAX_FILE_BYTES`.

    Raises
    ------
    InputFileError
        When the file is too large; ``path`` is its name as the user knows it.
    """
    if size > MAX_FILE_BYTES:
        raise InputFileError("file.too_large", path=path, size_mb=size / 2**20,
                             limit_mb=MAX_FILE_BYTES / 2**20)


def check_unpacked_size(archive: zipfile.ZipFile, path: str, limit: int) -> None:
    """Refuse a zip whose members would unpack to more than ``limit`` bytes.

    Only the zip's directory is read, so a zip bomb is refused before any of
    it is unpacked.

    Raises
    ------
    InputFileError
        When the declared sizes add up to more than the limit.
    """
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    if total > limit:
        largest = max(members, key=lambda member: member.file_size)
        raise InputFileError("file.expands_too_large", path=path, size_mb=total / 2**20,
                             member=largest.filename, limit_mb=limit / 2**20)


def read_limited(handle: BinaryIO, path: str) -> bytes:
    """The bytes of an open file or upload, refusing it once past :data:`MAX_FILE_BYTES`."""
    raw = handle.read(MAX_FILE_BYTES + 1)
    check_file_size(len(raw), path)
    return raw
