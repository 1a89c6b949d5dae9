"""Read town/district boundaries from any common GIS file and make them usable.

Accepted: GeoJSON, zipped Shapefile, GeoPackage (anything pyogrio reads), in
any CRS. Output: one valid (Multi)Polygon per town in WGS84, named by the
chosen field, plus problems (repaired geometries, merged duplicate names,
overlaps). Files are only read, never changed.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geo import limits
from geo._errors import InputFileError
from geo.problems import Problem
from geo.projection import WGS84, metric_crs
from geo.schema import normalise_token

__all__ = ["Boundaries", "load_boundaries", "prepare_boundaries"]

_ALIAS_COLUMNS = ("name_en", "pinyin", "aliases")
_TOWN_SUFFIXES = re.compile(r"(镇|街道|街道办事处|区|新城|开发区|town|district|subdistrict)$")
_MIN_OVERLAP_M2 = 1.0
_TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}


@dataclass
class Boundaries:
    """Towns in WGS84 (``name``, optional ``name_en``, ``approximate``, geometry)."""

    towns: gpd.GeoDataFrame
    problems: list[Problem]
    path: str
    _spellings: dict[str, str] | None = field(default=None, init=False, repr=False,
                                              compare=False)

    @property
    def approximate(self) -> bool:
        """True when any town's line is marked approximate (not official)."""
        return bool(self.towns["approximate"].any())

    @property
    def names(self) -> list[str]:
        """Town names in file order."""
        return self.towns["name"].tolist()

    def lookup(self) -> dict[str, str]:
        """Every way a register may write a town, folded, mapped to its name.

        Names match with or without their suffix (``浏河`` for ``浏河镇``), and
        by ``name_en``, ``pinyin`` or ``aliases`` (separated by ``;``) columns.
        Made once per boundaries (every check and every town link asks), and
        handed out as a copy.
        """
        if self._spellings is None:
            self._spellings = self._all_spellings()
        return dict(self._spellings)

    def _all_spellings(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for record in self.towns.itertuples():
            spellings = [record.name]
            for column in _ALIAS_COLUMNS:
                value = getattr(record, column, None)
                if isinstance(value, str) and value.strip():
                    spellings.extend(v for v in re.split(r"[;；,，]", value) if v.strip())
            for spelling in spellings:
                folded = normalise_token(spelling)
                table.setdefault(folded, record.name)
                short = _TOWN_SUFFIXES.sub("", folded)
                if short:
                    table.setdefault(short, record.name)
        for record in self.towns.itertuples():
            table[normalise_token(record.name)] = record.name
        return table

    def resolve(self, text: str | None) -> str | None:
        """The town that ``text`` names (any spelling :meth:`lookup` knows), else ``None``."""
        if not text or not text.strip():
            return None
        table = self.lookup()
        folded = normalise_token(text)
        return table.get(folded) or table.get(_TOWN_SUFFIXES.sub("", folded))


def load_boundaries(source: str | Path | BinaryIO, name_field: str = "name",
                    name: str | None = None) -> Boundaries:
    """Read a boundary file (a path, or an upload as a binary file) and prepare it.

    ``name`` is the file as the user knows it (an upload's name), used in
    messages instead of any path on the server. A file over the limits of
    :mod:`geo.limits` (its size, what its zip unpacks to, its vertices) is
    refused before it is read, or before its polygons are repaired. When the
    first layer (of a GeoPackage, say) holds no polygons, the first layer that
    does is read, with a note. See :func:`prepare_boundaries`.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        shown = name or str(path)
        if not path.exists():
            raise InputFileError("file.missing", path=shown)
        if path.is_file() and path.stat().st_size == 0:
            raise InputFileError("file.empty", path=shown)
        if path.is_file():
            limits.check_file_size(path.stat().st_size, shown)
        content: Path | bytes = path
    else:
        shown = name or "upload"
        content = limits.read_limited(source, shown)
        if not content:
            raise InputFileError("file.empty", path=shown)
    _check_zip(content, shown)
    layer, notes = _polygon_layer(content, shown)
    options = {"layer": layer} if layer is not None else {}
    frame = _read(content, shown, **options)
    if name_field in frame.columns and _looks_mis_decoded(frame[name_field]):
        frame = _read(content, shown, encoding="gb18030", **options)
    vertices = int(shapely.get_num_coordinates(np.asarray(frame.geometry.values)).sum())
    if vertices > limits.MAX_VERTICES:
        raise InputFileError("boundary.too_many_vertices", path=shown, limit=limits.MAX_VERTICES)
    boundaries = prepare_boundaries(frame, name_field=name_field, path=shown)
    boundaries.problems[:0] = notes
    return boundaries


def _check_zip(content: Path | bytes, shown: str) -> None:
    """Refuse a boundary zip that would unpack past the limit (its directory alone is read)."""
    if isinstance(content, Path) and not content.is_file():
        return
    handle = io.BytesIO(content) if isinstance(content, bytes) else content
    if not zipfile.is_zipfile(handle):
        return
    try:
        with zipfile.ZipFile(handle) as archive:
            limits.check_unpacked_size(archive, shown, limits.MAX_UNPACKED_BYTES)
    except zipfile.BadZipFile:
        return  # not readable as a zip here: the GIS reader says what is wrong with it


def _polygon_layer(content: Path | bytes, shown: str) -> tuple[str | None, list[Problem]]:
    """The layer to read when the first one has no polygons (``None``: the default layer).

    Raises
    ------
    InputFileError
        When every layer's geometry type is known and none is a polygon type.
    """
    try:
        layers = pyogrio.list_layers(content if isinstance(content, bytes) else str(content))
    except (DataSourceError, DataLayerError, ValueError, OSError):
        return None, []  # reading it proper reports what is wrong
    if len(layers) < 2:
        return None, []
    types = [str(kind or "Unknown") for kind in layers[:, 1]]
    if "Polygon" in types[0] or types[0] == "Unknown":
        return None, []
    names = [str(layer) for layer in layers[:, 0]]
    listed = "、".join(f"{n}（{t}）" for n, t in zip(names, types, strict=True))
    chosen = next((i for i, kind in enumerate(types) if "Polygon" in kind), None)
    if chosen is None:
        if "Unknown" in types:
            return None, []
        raise InputFileError("boundary.no_polygon_layer", path=shown, layers=listed)
    return names[chosen], [Problem("boundaries", "boundary.layer_chosen", value=names[chosen],
                                   severity="info", params={"layers": listed})]


def _read(content: Path | bytes, shown: str, **options: str) -> gpd.GeoDataFrame:
    """The file's features; a geometry GEOS cannot even build (a ring left open) is empty.

    Such a feature is then reported as having no usable polygon, and the
    other towns are read, rather than the whole file failing.
    """
    def read(**more: str) -> gpd.GeoDataFrame:
        return gpd.read_file(io.BytesIO(content) if isinstance(content, bytes) else content,
                             **options, **more)

    try:
        try:
            return read()
        except shapely.errors.GEOSException:
            return read(on_invalid="ignore")
    except (DataSourceError, DataLayerError, ValueError, OSError) as exc:
        raise InputFileError("file.unreadable", path=shown,
                             reason=str(exc).splitlines()[0][:200]) from exc


def _looks_mis_decoded(names: pd.Series) -> bool:
    """True when Chinese names were read as Latin-1.

    A Shapefile written in GBK without a ``.cpg`` file is decoded as
    ISO-8859-1 by default, which turns every Chinese name into accented Latin
    letters and no CJK character at all.
    """
    text = "".join(str(v) for v in names.dropna())
    has_latin1 = any("\u0080" <= ch <= "\u00ff" for ch in text)
    has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    return has_latin1 and not has_cjk


def _to_wgs84(frame: gpd.GeoDataFrame, path: str) -> gpd.GeoDataFrame:
    """The frame in WGS84, whose coordinates must then be longitudes and latitudes.

    Raises
    ------
    InputFileError
        When there is no CRS and the coordinates are not degrees, or when the
        coordinates in WGS84 are out of range (a wrongly declared CRS).
    """
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InputFileError("boundary.no_crs", path=path)
        return frame.set_crs(WGS84)
    frame = frame.to_crs(WGS84)
    minx, miny, maxx, maxy = frame.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):  # NaN fails too
        raise InputFileError("boundary.out_of_range", path=path, minx=minx, maxx=maxx,
                             miny=miny, maxy=maxy)
    return frame


def _polygons_only(geometry: shapely.Geometry | None) -> shapely.Geometry | None:
    """The polygonal part of a geometry (None when it has none)."""
    if geometry is None or geometry.is_empty:
        return None
    if isinstance(geometry, (shapely.Polygon, shapely.MultiPolygon)):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if isinstance(
        g, (shapely.Polygon, shapely.MultiPolygon))]
    return shapely.union_all(parts) if parts else None


def prepare_boundaries(frame: gpd.GeoDataFrame, name_field: str = "name",
                       path: str = "<memory>") -> Boundaries:
    """Validate, repair and reproject a boundary frame; collect its problems.

    Raises
    ------
    InputFileError
        When there are no features, no name field, no name in any feature or
        no polygon at all.
    """
    fields = ", ".join(str(c) for c in frame.columns if c != frame.geometry.name) or "—"
    if frame.empty:
        raise InputFileError("boundary.empty", path=path)
    if name_field not in frame.columns:
        raise InputFileError("boundary.no_name_field", path=path, name_field=name_field,
                             fields=fields)
    blank = frame[name_field].isna().to_numpy() | (
        frame[name_field].astype("str").str.strip() == "").to_numpy()
    if blank.all():
        numbers = [str(i) for i in range(1, min(len(frame), 20) + 1)]
        raise InputFileError("boundary.names_all_missing", path=path, name_field=name_field,
                             count=len(frame), fields=fields,
                             rows="、".join(numbers) + ("…" if len(frame) > 20 else ""))
    kinds = frame.geometry.geom_type.fillna("")
    if not kinds.str.contains("Polygon").any() and not (kinds == "GeometryCollection").any():
        raise InputFileError("boundary.no_polygons", path=path)
    frame = _to_wgs84(frame.copy(), path)
    problems: list[Problem] = []
    records = []
    names = frame[name_field]
    for index in range(len(frame)):
        position = index + 1
        raw_name = names.iloc[index]
        name = "" if raw_name is None or pd.isna(raw_name) else str(raw_name).strip()
        geometry = frame.geometry.iloc[index]
        if not name:
            problems.append(Problem("boundaries", "boundary.name_missing", row=position,
                                    field="name", params={"field_label": name_field}))
            continue
        if geometry is not None and not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            geometry = shapely.make_valid(geometry)
            problems.append(Problem("boundaries", "boundary.geometry_repaired", row=position,
                                    value=name, field="geometry", severity="warning",
                                    params={"reason": reason}))
        polygon = _polygons_only(geometry)
        if polygon is None:
            problems.append(Problem("boundaries", "boundary.geometry_unusable", row=position,
                                    value=name, field="geometry"))
            continue
        row = {"name": name, "geometry": polygon}
        for column in (*_ALIAS_COLUMNS, "approximate"):
            if column in frame.columns:
                row[column] = frame[column].iloc[index]
        records.append(row)
    if not records:
        raise InputFileError("boundary.no_polygons", path=path)
    towns = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    towns, merged = _merge_duplicate_names(towns)
    problems.extend(merged)
    towns["approximate"] = _truthy(towns["approximate"]) if "approximate" in towns else False
    problems.extend(_overlaps(towns))
    prepared = Boundaries(towns=towns.reset_index(drop=True), problems=problems, path=path)
    prepared.lookup()  # made now, so a cached copy of the boundaries carries it along
    return prepared


def _truthy(values: pd.Series) -> pd.Series:
    return values.map(lambda v: v is True or str(v).strip().lower() in _TRUE_WORDS)


def _merge_duplicate_names(towns: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    counts = towns["name"].value_counts()
    repeated = counts[counts > 1]
    if repeated.empty:
        return towns, []
    problems = [Problem("boundaries", "boundary.name_duplicate", value=name, field="name",
                        severity="warning", params={"count": int(count)})
                for name, count in repeated.items()]
    order = pd.unique(towns["name"])
    merged = towns.dissolve(by="name", aggfunc="first", sort=False).reset_index()
    merged = merged.set_index("name").loc[order].reset_index()
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=towns.crs), problems


def _overlaps(towns: gpd.GeoDataFrame) -> list[Problem]:
    """Pairs of towns whose areas overlap by more than a square metre."""
    projected = towns.to_crs(metric_crs(towns))
    left, right = projected.sindex.query(projected.geometry, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    outlines = projected.geometry.to_numpy()
    areas = shapely.area(shapely.intersection(outlines[left], outlines[right]))
    names = towns["name"].to_numpy(dtype=object)
    return [Problem("boundaries", "boundary.overlap", value=names[i], severity="warning",
                    params={"other": names[j], "area_m2": float(area)})
            for i, j, area in zip(left, right, areas, strict=True) if area > _MIN_OVERLAP_M2]
