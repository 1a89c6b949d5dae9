"""Probable duplicates: the same carrier written twice, so it can never be counted twice.

Two records are **probably the same carrier** when their names are equal after
:func:`normalise_name` and either they lie in the same town (by point, else by
declared town) or their points are within a small distance (200 m by
default, ``[register] duplicate_distance_m`` in the targets file). The one
rule serves the check (the later record is reported, naming the first, and
left out of every figure), the import (a file row that is probably a stored
carrier is offered as an update of it) and the editor.

Name normalisation (documented in the README):

- Unicode NFKC: full-width letters, digits and brackets become half-width
  (``ＡＢＣ（一期）`` → ``ABC(一期)``); letters are lower-cased;
- white space, brackets ``()[]【】〔〕《》``, quotes, ``·・•-—_/、,.`` are removed,
  their contents kept (``（一期）`` and ``一期`` are the same);
- one company-form suffix at the end is dropped: 股份有限公司, 有限责任公司,
  有限公司, 集团有限公司, 集团, 公司, co., ltd., inc. — so
  ``太仓某某孵化器有限公司`` and ``太仓某某孵化器`` are the same name.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo.problems import Problem
from geo.projection import WGS84, metric_crs

__all__ = ["DEFAULT_DUPLICATE_DISTANCE_M", "Match", "key_frame", "match_pairs", "name_keys",
           "normalise_name", "probable_duplicates"]

DEFAULT_DUPLICATE_DISTANCE_M = 200.0

_REMOVED = r"[\s()\[\]{}【】〔〕《》<>\"'“”‘’`·・•\-—–_/\\、,，.。:：;；]+"
_SUFFIX = (r"(股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司|"
           r"co\.?,?ltd\.?|ltd\.?|inc\.?|corp\.?|company)$")


_NEEDS_FOLDING = (r"[^\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}0-9a-z]|"
                  r"(公司|集团|ltd|inc|corp|company)$")
"""A name with anything but CJK ideographs, digits and lower-case letters (or a company
suffix) may fold to something else; any other name is its own key."""


def _folded(names: pd.Series) -> pa.Array:
    """The names folded (see the module docstring), in Arrow's compute kernels (RE2).

    Only names that can change are folded; an Arrow-backed string column goes
    in without a copy, so a million names take a fraction of a second.
    """
    array = pa.array(names, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):  # a concatenated column keeps its chunks
        array = array.combine_chunks()
    needs = pc.fill_null(pc.match_substring_regex(array, _NEEDS_FOLDING), False)
    if pc.any(needs).as_py():
        subset = pc.utf8_lower(pc.utf8_normalize(array.filter(needs), "NFKC"))
        subset = pc.replace_substring_regex(subset, r"\s+", "")
        subset = pc.replace_substring_regex(subset, _SUFFIX, "")
        subset = pc.replace_substring_regex(subset, _REMOVED, "")
        array = pc.replace_with_mask(array, needs, subset)
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.large_string()), array)


def name_keys(names: pd.Series) -> pd.Series:
    """Each name folded for comparison (see the module docstring); NA for none."""
    keys = _folded(names).to_numpy(zero_copy_only=False)
    return pd.Series(keys, index=names.index, dtype=object)


def normalise_name(name: str) -> str:
    """A carrier name folded for comparison (see the module docstring)."""
    return name_keys(pd.Series([name])).iloc[0] or ""


def key_frame(located: pd.DataFrame) -> pd.DataFrame:
    """What :func:`match_pairs` compares of located carriers: name key, town and point."""
    return pd.DataFrame({"key": name_keys(located["name"]).to_numpy(),
                         "town": located["town"].to_numpy(dtype=object),
                         "lon": located["lon"].to_numpy(dtype=float),
                         "lat": located["lat"].to_numpy(dtype=float)})


Match = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""Pairs (left position, right position, why, distance in m): ``why`` is "same_town"/"nearby"."""


def _projected(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points in metres, in the UTM zone of their own extent."""
    points = gpd.GeoSeries(shapely.points(lon, lat), crs=WGS84)
    projected = points.to_crs(metric_crs(points))
    return shapely.get_coordinates(projected.to_numpy())


def match_pairs(left: pd.DataFrame, right: pd.DataFrame, distance_m: float) -> Match:
    """Every pair of a ``left`` and a ``right`` record that are probably the same carrier.

    Both frames need ``key`` (normalised name, NA to never match), ``town``
    (NA when unknown), ``lon``/``lat`` (WGS84, NaN when no point), positions
    are 0-based row positions. Work is done only for names present on both
    sides, so it stays cheap on a large register.
    """
    empty = np.array([], dtype=np.int64)
    shared = pd.Index(left["key"].dropna()).intersection(pd.Index(right["key"].dropna()))
    if shared.empty:
        return empty, empty, np.array([], dtype=object), np.array([], dtype=float)
    lpos = np.flatnonzero(left["key"].isin(shared).to_numpy())
    rpos = np.flatnonzero(right["key"].isin(shared).to_numpy())
    pairs = pd.merge(
        pd.DataFrame({"key": left["key"].to_numpy()[lpos], "l": lpos}),
        pd.DataFrame({"key": right["key"].to_numpy()[rpos], "r": rpos}), on="key")
    li, ri = pairs["l"].to_numpy(), pairs["r"].to_numpy()
    ltown = left["town"].to_numpy(dtype=object)[li]
    rtown = right["town"].to_numpy(dtype=object)[ri]
    same_town = pd.notna(ltown) & pd.notna(rtown) & (ltown == rtown)
    lon = np.concatenate([left["lon"].to_numpy(dtype=float)[li],
                          right["lon"].to_numpy(dtype=float)[ri]])
    lat = np.concatenate([left["lat"].to_numpy(dtype=float)[li],
                          right["lat"].to_numpy(dtype=float)[ri]])
    distance = np.full(len(li), np.nan)
    both = ~np.isnan(lon[: len(li)]) & ~np.isnan(lon[len(li):])
    if both.any():
        xy = _projected(np.where(np.isnan(lon), 0, lon), np.where(np.isnan(lat), 0, lat))
        delta = xy[: len(li)] - xy[len(li):]
        distance[both] = np.hypot(delta[both, 0], delta[both, 1])
    nearby = ~same_town & (distance <= distance_m)
    keep = same_town | nearby
    why = np.where(same_town, "same_town", "nearby").astype(object)
    return li[keep], ri[keep], why[keep], distance[keep]


def probable_duplicates(carriers: pd.DataFrame, distance_m: float = DEFAULT_DUPLICATE_DISTANCE_M
                        ) -> tuple[pd.Series, list[Problem]]:
    """Which located, usable records repeat an earlier one; a problem names each later one.

    Returns ``duplicate_of`` (the first record's id, NA when not a duplicate)
    and the problems. Records are compared in register order; the first of a
    group keeps counting, each later one is left out until resolved.
    """
    duplicate_of = pd.Series(pd.NA, index=carriers.index, dtype=object)
    usable = carriers["usable"].to_numpy()
    if usable.sum() < 2:
        return duplicate_of, []
    subset = carriers[usable]
    keys = _folded(subset["name"])
    counts = pc.value_counts(keys)
    shared = counts.field("values").filter(pc.greater(counts.field("counts"), 1)).drop_null()
    if not len(shared):
        return duplicate_of, []
    positions = np.flatnonzero(pc.is_in(keys, value_set=shared).to_numpy(zero_copy_only=False))
    group = key_frame(subset.iloc[positions]).reset_index(drop=True)
    first, later, why, distance = match_pairs(group, group, distance_m)
    earlier = first < later
    found = pd.DataFrame({"first": positions[first[earlier]], "later": positions[later[earlier]],
                          "why": why[earlier], "distance": distance[earlier]})
    found = found.sort_values(["later", "first"]).drop_duplicates("later")
    if found.empty:
        return duplicate_of, []
    records = subset.iloc[found["later"].to_numpy()]
    originals = subset.iloc[found["first"].to_numpy()]
    duplicate_of.loc[records.index] = originals["id"].to_numpy()
    problems = [
        Problem("carriers", f"row.duplicate_{reason}", row=int(record.row), id=str(record.id),
                field="name", value=str(record.name),
                params={"name": record.name, "first_row": int(original.row),
                        "first_name": original.name, "first_id": original.id,
                        "town": record.town if isinstance(record.town, str) else "—",
                        "distance": float(gap) if not np.isnan(gap) else 0.0})
        for record, original, reason, gap in zip(
            records.itertuples(), originals.itertuples(), found["why"], found["distance"],
            strict=True)]
    return duplicate_of, problems
