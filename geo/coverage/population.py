"""A per-town population table supplied by the user (CSV or Excel: town, population).

Nothing here invents a number: a town the table does not list has no
population (its weighted figures stay empty), and every row that cannot be
used is reported with its row, column and value, as the register's problems are.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from geo._errors import InputFileError
from geo.boundaries import Boundaries
from geo.problems import Problem
from geo.schema import normalise_token

__all__ = ["POPULATION_ALIASES", "TOWN_ALIASES", "PopulationTable", "read_population"]

TOWN_ALIASES = ("镇区", "镇", "镇街", "街道", "镇区名称", "名称", "town", "name")
POPULATION_ALIASES = ("人口", "常住人口", "户籍人口", "人口数", "人口（人）", "population", "pop")
_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")


@dataclass(frozen=True, eq=False)
class PopulationTable:
    """People per town (``population``: a Series indexed by town name) and the problems.

    Towns absent from ``population`` are unknown, never zero.
    """

    population: pd.Series
    problems: tuple[Problem, ...]
    path: str

    @property
    def has_errors(self) -> bool:
        """Whether any row was left out."""
        return any(p.severity == "error" for p in self.problems)


def _bytes(source: str | Path | bytes | BinaryIO, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        shown = name or str(source)
        if not path.is_file():
            raise InputFileError("file.missing", path=shown)
        return path.read_bytes(), shown
    raw = bytes(source) if isinstance(source, (bytes, bytearray)) else source.read()
    return raw, name or "upload"


def _frame(raw: bytes, shown: str) -> pd.DataFrame:
    suffix = Path(shown).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputFileError("file.format", path=shown, suffix=suffix or "—",
                             allowed=", ".join(_SUFFIXES))
    if not raw.strip():
        raise InputFileError("file.empty", path=shown)
    if suffix in (".xlsx", ".xlsm"):
        try:
            return pd.read_excel(io.BytesIO(raw), dtype=str, header=0)
        except (zipfile.BadZipFile, ValueError, KeyError) as exc:
            raise InputFileError("file.unreadable", path=shown,
                                 reason=str(exc).splitlines()[0][:200]) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputFileError("file.encoding", path=shown)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=None,
                           engine="python")
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputFileError("file.unreadable", path=shown,
                             reason=str(exc).splitlines()[0][:200]) from exc


def _column(frame: pd.DataFrame, aliases: tuple[str, ...]) -> str | None:
    wanted = {normalise_token(a) for a in aliases}
    for column in frame.columns:
        if normalise_token(str(column)) in wanted:
            return column
    return None


def _people(text: str) -> float | None:
    """A head count as written: ``12000``, ``12,000``, ``1.2万``; ``None`` if not a number."""
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "").replace("人", "")
    factor = 1.0
    if cleaned.endswith("万"):
        cleaned, factor = cleaned[:-1], 10_000.0
    try:
        value = float(cleaned) * factor
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def read_population(source: str | Path | bytes | BinaryIO, boundaries: Boundaries,
                    name: str | None = None) -> PopulationTable:
    """Read and check a population table: one row per town, town and population columns.

    Parameters
    ----------
    source
        A path, or the bytes / binary file of an upload (CSV UTF-8 or GBK, .xlsx).
    boundaries
        The towns; a town may be written any way :meth:`Boundaries.resolve` knows.
    name
        The file's name as the user knows it (an upload's), used in messages.

    Returns
    -------
    PopulationTable
        The usable rows; each other row is a problem naming its row and value:
        unknown town, missing, text or negative population, a town given twice.
        Towns of the boundaries that the table does not list are one warning.

    Raises
    ------
    InputFileError
        When the file is missing, empty, unreadable or lacks either column.
    """
    raw, shown = _bytes(source, name)
    frame = _frame(raw, shown)
    town_column, people_column = _column(frame, TOWN_ALIASES), _column(frame, POPULATION_ALIASES)
    if town_column is None or people_column is None:
        raise InputFileError("population.no_columns", path=shown,
                             found=", ".join(map(str, frame.columns)) or "—")
    problems: list[Problem] = []
    population: dict[str, float] = {}
    known = "、".join(boundaries.names)
    for offset, (town_text, people_text) in enumerate(zip(
            frame[town_column].fillna("").astype(str), frame[people_column].fillna("")
            .astype(str), strict=True)):
        row = offset + 2
        town_text, people_text = town_text.strip(), people_text.strip()
        if not town_text and not people_text:
            continue
        town = boundaries.resolve(town_text)
        if town is None:
            problems.append(Problem("population", "population.town_unknown", row=row,
                                    field="town", value=town_text, params={"towns": known}))
            continue
        if not people_text:
            problems.append(Problem("population", "population.missing", row=row,
                                    field="population", value=town))
            continue
        people = _people(people_text)
        if people is None:
            problems.append(Problem("population", "population.not_number", row=row,
                                    field="population", value=people_text))
            continue
        if people < 0:
            problems.append(Problem("population", "population.negative", row=row,
                                    field="population", value=people_text))
            continue
        if town in population:
            problems.append(Problem("population", "population.duplicate", row=row,
                                    field="town", value=town_text))
            continue
        population[town] = people
    missing = [n for n in boundaries.names if n not in population]
    if missing:
        problems.append(Problem("population", "population.towns_missing", severity="warning",
                                value="、".join(missing), params={"count": len(missing)}))
    series = pd.Series(population, dtype="float64", name="population")
    series.index.name = "town"
    return PopulationTable(population=series, problems=tuple(problems), path=shown)
