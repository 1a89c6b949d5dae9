"""Validate a raw register table into typed carrier records plus problems.

The result keeps every record (so a page can say why a carrier is not counted)
with a ``usable`` flag: a record with an unusable value is reported and left out
of every figure. Coordinates are converted to WGS84 here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo._errors import InputFileError
from geo.coords import to_wgs84
from geo.problems import Problem
from geo.readers import RawTable, Source, read_table
from geo.schema import (
    COLUMNS,
    CRS_ALIASES,
    HEADER_ALIASES,
    REQUIRED_COLUMNS,
    STATUS_ALIASES,
    TYPE_ALIASES,
)
from geo.values import (
    canonical_ids,
    parse_area,
    parse_number,
    parse_opened,
    parse_vocabulary,
)

__all__ = ["Register", "canonical_text", "load_register", "validate_register"]

ILLUSTRATIVE_MARKERS = ("示意", "illustrative")
MIN_AREA_M2 = 10.0
"""The smallest floor area one carrier can plausibly have. Less is a unit read wrongly:
``1.2`` in a column without a unit (read in m²) that means 1.2 万平方米."""
MAX_AREA_M2 = 2_000_000.0
"""The largest floor area one carrier can plausibly have: 200 万平方米 (2 km² of floors),
ten times a large science park. More is most often an area in m² typed into a 万平方米
column (``800`` there is 8,000,000 m²)."""
_CHINA_LON = (73.0, 136.0)
_CHINA_LAT = (3.0, 54.0)


@dataclass
class Register:
    """Validated carriers (one row per record read), the problems found, and notes.

    ``notes`` need no fix: rows set aside as footer (合计, 填表人), the sheet
    and the area unit that were read.
    """

    carriers: pd.DataFrame
    problems: list[Problem]
    path: str
    sha256: str = ""
    notes: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> pd.DataFrame:
        """Records whose every value could be used."""
        return self.carriers[self.carriers["usable"]]

    @property
    def illustrative_count(self) -> int:
        """How many records say (in ``source``) that they are illustrative."""
        source = self.carriers["source"].fillna("").str.lower()
        mask = np.zeros(len(source), dtype=bool)
        for marker in ILLUSTRATIVE_MARKERS:
            mask |= source.str.contains(marker, regex=False).to_numpy()
        return int(mask.sum())


def load_register(source: Source, name: str | None = None, sheet: str | None = None) -> Register:
    """Read and validate a carrier register file (CSV, .xlsx or .xls; a path or bytes)."""
    return validate_register(read_table(source, name=name, sheet=sheet))


def _check_columns(mapping: dict[str, int], raw: RawTable) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping]
    if missing:
        aliases = "; ".join(
            f"{c}: " + "/".join(sorted({a for a, canon in HEADER_ALIASES.items() if canon == c}))
            for c in missing)
        raise InputFileError("file.missing_columns", path=raw.path, missing=", ".join(missing),
                             aliases=aliases)
    has_coordinates = "lon" in mapping and "lat" in mapping
    if not has_coordinates and "town" not in mapping:
        raise InputFileError("file.no_location_columns", path=raw.path)


class _Collector:
    """Gathers problems and marks their rows unusable, vectorised per rule."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.usable = np.ones(len(frame), dtype=bool)
        self.problems: list[tuple[int, Problem]] = []

    def add(self, mask: np.ndarray, code: str, field: str | None,
            severity: str = "error", **extra_columns: str) -> None:
        """Report ``code`` on each row where ``mask`` holds."""
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        subset = self.frame.iloc[positions]
        values = subset[f"{field}_text"] if field and f"{field}_text" in subset else None
        for offset, position in enumerate(positions):
            record = subset.iloc[offset]
            params = {name: record[column] for name, column in extra_columns.items()}
            value = None if values is None or pd.isna(values.iloc[offset]) else str(
                values.iloc[offset])
            self.problems.append((position, Problem(
                "carriers", code, row=int(record["row"]),
                id=None if pd.isna(record["id_text"]) else str(record["id_text"]),
                field=field, value=value, severity=severity, params=params)))
        if severity == "error":
            self.usable[positions] = False

    def sorted_problems(self) -> list[Problem]:
        return [problem for _, problem in sorted(self.problems, key=lambda p: p[0])]


def canonical_text(raw: RawTable) -> pd.DataFrame:
    """The table's cells under the register's column names, as text (absent columns empty).

    Areas of a column (or title line) in 万平方米 come back with their unit
    (``1.2万``), so they mean the same wherever the text goes next.

    Raises
    ------
    InputFileError
        When required columns, or every location column, are missing.
    """
    mapping = raw.fields or {}
    _check_columns(mapping, raw)
    text = pd.DataFrame({c: raw.frame.iloc[:, mapping[c]] if c in mapping else
                         pd.Series(pd.NA, index=raw.frame.index, dtype="str") for c in COLUMNS})
    if raw.area_unit == "万平方米":
        text["floor_area_m2"] = _in_wan(text["floor_area_m2"])
    if raw.crs:  # 经度（百度坐标）: the system of every row that names none itself
        text["crs"] = text["crs"].fillna(raw.crs)
    return text


def _in_wan(areas: pd.Series) -> pd.Series:
    """Areas of a 万平方米 column written so they say so: ``1.2`` → ``1.2万``.

    A value with its own unit (``8000平方米``, ``1.2万``) is left as written, so
    it keeps meaning what it says; a stored value then means the same
    whatever header it is read under.
    """
    plain = parse_number(areas.str.replace(",", "", regex=False)).notna()  # １．２ too
    return areas.where(~plain.to_numpy(), areas + "万")


def validate_register(raw: RawTable) -> Register:
    """Turn a raw table into typed carriers, collecting every row problem.

    Columns of the result: ``row`` (spreadsheet row), ``id``, ``name``,
    ``type``, ``status``, ``town_declared``, ``lon``/``lat`` (WGS84, NaN when
    absent), ``crs``, ``floor_area_m2``, ``opened_start``/``opened_end``,
    ``opened_text``, the free-text columns, ``has_point`` and ``usable``.
    """
    text = canonical_text(raw)
    frame = pd.DataFrame({"row": raw.rows.to_numpy()}, index=raw.frame.index)
    for column in COLUMNS:
        frame[f"{column}_text"] = text[column]
    frame = frame.reset_index(drop=True)
    out = _Collector(frame)

    shared = _shared_area(frame, raw, out)
    for column in REQUIRED_COLUMNS:
        missing = frame[f"{column}_text"].isna().to_numpy()
        out.add(missing & ~shared if column == "floor_area_m2" else missing,
                "row.value_missing", column)

    frame["id_text"] = canonical_ids(frame["id_text"])
    frame["id_generated"] = frame["id_text"].isna().to_numpy()
    frame["id"] = _row_ids(frame)
    frame["name"] = frame["name_text"]
    frame["type"] = parse_vocabulary(frame["type_text"], TYPE_ALIASES)
    out.add((frame["type"].isna() & frame["type_text"].notna()).to_numpy(),
            "row.type_unknown", "type")
    frame["status"] = parse_vocabulary(frame["status_text"], STATUS_ALIASES)
    out.add((frame["status"].isna() & frame["status_text"].notna()).to_numpy(),
            "row.status_unknown", "status")

    frame["floor_area_m2"] = parse_area(frame["floor_area_m2_text"])
    area_given = frame["floor_area_m2_text"].notna()
    out.add((frame["floor_area_m2"].isna() & area_given).to_numpy(), "row.area_invalid",
            "floor_area_m2")
    out.add((frame["floor_area_m2"] <= 0).to_numpy(), "row.area_not_positive", "floor_area_m2")
    area = frame["floor_area_m2"].to_numpy(dtype=float)
    out.add(np.isinf(area) | (area > MAX_AREA_M2), "row.area_implausible", "floor_area_m2")
    out.add((area > 0) & (area < MIN_AREA_M2), "row.area_too_small", "floor_area_m2")
    frame["floor_area_m2"] = frame["floor_area_m2"].where(np.isfinite(area))

    opened = parse_opened(frame["opened_text"])
    frame["opened_start"] = opened["opened_start"].to_numpy()
    frame["opened_end"] = opened["opened_end"].to_numpy()
    ambiguous = opened["opened_ambiguous"].to_numpy()
    out.add(ambiguous, "row.opened_ambiguous", "opened")
    out.add((frame["opened_start"].isna() & frame["opened_text"].notna()).to_numpy()
            & ~ambiguous, "row.opened_invalid", "opened")
    out.add((frame["opened_text"].isna() & (frame["status"] == "in_use")).to_numpy(),
            "row.opened_missing", "opened", severity="warning")

    _validate_location(frame, out, raw.crs)
    _flag_duplicate_ids(frame, out)

    frame["town_declared"] = frame["town_text"]
    for column in ("level", "operator", "industry", "source"):
        frame[column] = frame[f"{column}_text"]
    frame["usable"] = out.usable
    keep = ["row", "id", "id_generated", "name", "type", "status", "town_declared", "lon", "lat",
            "crs", "floor_area_m2", "opened_start", "opened_end", "opened_text", "level",
            "operator", "industry", "source", "has_point", "usable"]
    if frame.empty:
        out.problems.append((0, Problem("carriers", "file.no_carriers", severity="warning")))
    notes = [n for n in raw.notes if n.severity == "info"]
    problems = raw.problems + [n for n in raw.notes if n.severity != "info"] + \
        out.sorted_problems()
    problems.sort(key=lambda p: (p.row is None, p.row or 0))
    return Register(carriers=frame[keep], problems=problems, path=raw.path, sha256=raw.sha256,
                    notes=notes)


def _shared_area(frame: pd.DataFrame, raw: RawTable, out: _Collector) -> np.ndarray:
    """Rows whose area was one merged cell with an earlier row's: reported, left out.

    The area counts once, on the merge's first row (:func:`geo.readers._shared_areas`).
    """
    if not raw.shared_area_rows:
        return np.zeros(len(frame), dtype=bool)
    frame["shared_with"] = frame["row"].map(raw.shared_area_rows)
    shared = frame["shared_with"].notna().to_numpy()
    frame["shared_with"] = frame["shared_with"].astype("Int64").astype(str)
    out.add(shared, "row.area_shared", "floor_area_m2", shared_with="shared_with")
    del frame["shared_with"]
    return shared


def _row_ids(frame: pd.DataFrame) -> pd.Series:
    """Each row's id; a row without one gets ``R`` + its row number (``R7``), never a bare number.

    They name the row in the check's lists; importing into the store gives a
    carrier a permanent id (:mod:`geo.matching`).
    """
    missing = frame["id_generated"].to_numpy()
    if not missing.any():
        return frame["id_text"]
    ids = frame["id_text"].astype(object)
    generated = "R" + frame["row"][missing].astype(str)
    taken = generated.isin(frame["id_text"].dropna())
    ids[missing] = generated.where(~taken, generated + "~")
    return ids


def _validate_location(frame: pd.DataFrame, out: _Collector, header_crs: str | None) -> None:
    """Parse coordinates and their system, catch swaps, convert to WGS84.

    A row whose 坐标系 differs from the one its 经度 / 纬度 headers name is
    left out: which of the two is right cannot be known.
    """
    crs = parse_vocabulary(frame["crs_text"], CRS_ALIASES)
    out.add((crs.isna() & frame["crs_text"].notna()).to_numpy(), "row.crs_unknown", "crs")
    if header_crs:
        frame["header_crs"] = header_crs
        out.add((crs.notna() & (crs != header_crs)).to_numpy(), "row.crs_conflict", "crs",
                header_crs="header_crs")
        del frame["header_crs"]
    frame["crs"] = crs.fillna("WGS84")

    lon = parse_number(frame["lon_text"])
    lat = parse_number(frame["lat_text"])
    lon_given = frame["lon_text"].notna()
    lat_given = frame["lat_text"].notna()
    out.add((lon.isna() & lon_given).to_numpy(), "row.coord_invalid", "lon")
    out.add((lat.isna() & lat_given).to_numpy(), "row.coord_invalid", "lat")
    out.add((lon_given ^ lat_given).to_numpy(), "row.coord_incomplete", None)

    both = (lon.notna() & lat.notna()).to_numpy()
    frame["lon_value"], frame["lat_value"] = lon, lat
    in_range = (lon.abs() <= 180) & (lat.abs() <= 90)
    looks_swapped = (lat.between(*_CHINA_LON) & lon.between(*_CHINA_LAT)).to_numpy()
    out.add(both & looks_swapped, "row.coord_swapped", "lat",
            lon="lon_value", lat="lat_value")
    out.add(both & ~looks_swapped & ~in_range.to_numpy(), "row.coord_out_of_range", "lon",
            lon="lon_value", lat="lat_value")
    good_point = both & in_range.to_numpy() & ~looks_swapped

    wgs_lon, wgs_lat = to_wgs84(lon.to_numpy(), lat.to_numpy(), frame["crs"].to_numpy())
    frame["lon"] = np.where(good_point, wgs_lon, np.nan)
    frame["lat"] = np.where(good_point, wgs_lat, np.nan)
    frame["has_point"] = good_point
    no_location = ~(lon_given | lat_given).to_numpy() & frame["town_text"].isna().to_numpy()
    out.add(no_location, "row.location_missing", None)
    del frame["lon_value"], frame["lat_value"]


def _flag_duplicate_ids(frame: pd.DataFrame, out: _Collector) -> None:
    """Every later record reusing an id is left out, naming the first row."""
    ids = frame["id_text"]
    repeated = ids.notna() & ids.duplicated(keep="first")
    if not repeated.any():
        return
    first_rows = frame.loc[ids.notna()].drop_duplicates("id_text").set_index("id_text")["row"]
    frame["first_row"] = ids.map(first_rows).astype("Int64").astype(str)  # 2, never 2.0
    out.add(repeated.to_numpy(), "row.id_duplicate", "id", first_row="first_row")
    del frame["first_row"]
