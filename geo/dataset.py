"""Load the three inputs once (register, boundaries, targets) and run the check.

The CLI and the pages both go through :func:`load_dataset` and
:func:`geo.check.check`, so a figure can never differ between them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from geo.boundaries import Boundaries, load_boundaries
from geo.check import CheckResult, check
from geo.filters import Filters, apply_filters
from geo.locate import Location, locate_once
from geo.register import Register, load_register
from geo.settings import (
    BUNDLED_BOUNDARIES,
    BUNDLED_CARRIERS,
    DEFAULT_NAME_FIELD,
    Targets,
    load_targets,
)

__all__ = ["Dataset", "file_digest", "load_dataset"]


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file (or of every file below a folder), for provenance and caching."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


@dataclass
class Dataset:
    """One validated set of inputs with where each came from."""

    register: Register
    boundaries: Boundaries
    targets: Targets
    sources: dict[str, dict[str, str]]
    _location: Location | None = field(default=None, init=False, repr=False, compare=False)

    def location(self) -> Location:
        """Where every carrier of the register is, placed on first use and kept.

        Every check of this dataset, whatever its filters or date, takes its
        carriers' places from here, so a filter change places nothing again.
        """
        if self._location is None:
            self._location = locate_once(self.register.carriers, self.boundaries)
        return self._location

    def check(self, filters: Filters | None = None,
              as_of: dt.date | str | None = None) -> CheckResult:
        """Apply the rule to this dataset, or to the part of it ``filters`` chooses.

        ``as_of`` is passed to :func:`geo.check.check`: the figures as they
        stood on that date (``None``: the whole period).
        """
        if filters is None:
            return check(self.register, self.boundaries, self.targets, as_of=as_of,
                         location=self.location())
        register, targets = apply_filters(self.register, self.targets, filters)
        return check(register, self.boundaries, targets, as_of=as_of, location=self.location())


def load_dataset(carriers: str | Path | None = None, boundaries: str | Path | None = None,
                 targets: str | Path | None = None,
                 name_field: str = DEFAULT_NAME_FIELD, sheet: str | None = None) -> Dataset:
    """Read and validate the inputs; ``None`` means the bundled file.

    ``sheet``: the worksheet of a workbook register (default: the active one,
    see :func:`geo.readers.default_sheet`).

    Raises
    ------
    geo.InputFileError
        When the register or the boundary file cannot be used.
    geo.ConfigError
        When the targets file is missing or malformed.
    """
    carriers_path = Path(carriers) if carriers is not None else BUNDLED_CARRIERS
    boundaries_path = Path(boundaries) if boundaries is not None else BUNDLED_BOUNDARIES
    loaded_targets = load_targets(targets)
    loaded_register = load_register(carriers_path, sheet=sheet)
    loaded_boundaries = load_boundaries(boundaries_path, name_field=name_field)
    sources = {
        "carriers": {"path": str(carriers_path), "sha256": loaded_register.sha256},
        "boundaries": {"path": str(boundaries_path), "sha256": file_digest(boundaries_path)},
    }
    return Dataset(loaded_register, loaded_boundaries, loaded_targets, sources)
