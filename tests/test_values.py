"""Cell notations: areas, dates, vocabularies and numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.schema import CRS_ALIASES, STATUS_ALIASES, TYPE_ALIASES
from geo.values import _to_numeric, parse_area, parse_number, parse_opened, parse_vocabulary


def one(values, parse):
    return parse(pd.Series(values, dtype="str"))


@pytest.mark.parametrize("text", ["12000", "12,000", "12000㎡", "12000平方米", "1.2万",
                                  "12000 m²", "12000m2", " 12000 ", "１２０００", "1.2 万",
                                  "12,000平米"])
def test_area_notations(text):
    assert one([text], parse_area).iloc[0] == 12000


@pytest.mark.parametrize("text", ["abc", "12000亩", "一万", "12.000.5", "万"])
def test_unreadable_areas_are_nan(text):
    assert math.isnan(one([text], parse_area).iloc[0])


def test_negative_area_parses_so_the_caller_can_report_it():
    assert one(["-500"], parse_area).iloc[0] == -500


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2019", "2019-01-01", "2019-12-31"),
    ("2019年", "2019-01-01", "2019-12-31"),
    ("2019-06", "2019-06-01", "2019-06-30"),
    ("2019-06-30", "2019-06-30", "2019-06-30"),
    ("2019/6/30", "2019-06-30", "2019-06-30"),
    ("2019.6.30", "2019-06-30", "2019-06-30"),
    ("2019年6月", "2019-06-01", "2019-06-30"),
    ("2019年6月30日", "2019-06-30", "2019-06-30"),
    ("2020-02", "2020-02-01", "2020-02-29"),
    ("2019-06-30 00:00:00", "2019-06-30", "2019-06-30"),
    ("43646", "2019-06-30", "2019-06-30"),  # an Excel serial date
    ("２０１９年６月", "2019-06-01", "2019-06-30"),
])
def test_date_notations(text, start, end):
    parsed = parse_opened(pd.Series([text], dtype="str"))
    assert parsed["opened_start"].iloc[0] == pd.Timestamp(start)
    assert parsed["opened_end"].iloc[0] == pd.Timestamp(end)


def test_a_column_takes_each_cells_own_dates_in_its_own_rows():
    """Parsed once per distinct value, given back to every row (missing and unreadable: NaT)."""
    cells = ["2019年6月", None, "43646", "2019-02-30", "2019年6月", "2018", None, "2018"]
    column = pd.Series(cells, dtype="str", index=range(10, 18))
    parsed = parse_opened(column)
    assert parsed.index.equals(column.index)
    dtypes = [np.dtype("datetime64[us]")] * 2 + [np.dtype(bool)]
    assert parsed.dtypes.tolist() == dtypes
    for cell, (_, row) in zip(cells, parsed.iterrows(), strict=True):
        alone = parse_opened(pd.Series([cell], dtype="str")).iloc[0]
        assert row.equals(alone) or (row[:2].isna().all() and alone[:2].isna().all())
    assert parse_opened(pd.Series([], dtype="str")).dtypes.tolist() == dtypes


@pytest.mark.parametrize("text", ["2019.1", "２０１９．１", "2019 . 1"])
def test_a_january_that_may_be_an_october_is_no_date_and_says_so(text):
    """Excel stores 2019.10 typed into a number cell as 2019.1: never guessed."""
    parsed = parse_opened(pd.Series([text, "2019.10", "2019.01"], dtype="str"))
    assert parsed["opened_ambiguous"].tolist() == [True, False, False]
    assert pd.isna(parsed["opened_start"].iloc[0])
    assert parsed["opened_start"].iloc[1:].tolist() == [pd.Timestamp("2019-10-01"),
                                                        pd.Timestamp("2019-01-01")]


@pytest.mark.parametrize("text", ["2019-13", "2019-02-30", "六月", "19-6-30", "12345",
                                  "2019年13月"])
def test_unreadable_dates_are_nat(text):
    parsed = parse_opened(pd.Series([text], dtype="str"))
    assert pd.isna(parsed["opened_start"].iloc[0]) and pd.isna(parsed["opened_end"].iloc[0])


@pytest.mark.parametrize(("text", "code"), [
    ("孵化器", "incubator"), ("incubator", "incubator"), ("Incubator", "incubator"),
    ("研究院", "research_institute"), ("新型研发机构", "research_institute"),
    ("大院大所", "research_institute"), ("research_institute", "research_institute"),
    ("众创空间", "maker_space"), ("maker_space", "maker_space"), ("Maker Space", "maker_space"),
    ("产业化基地", "industrial_base"), ("industrial_base", "industrial_base"),
])
def test_type_values(text, code):
    assert one([text], lambda s: parse_vocabulary(s, TYPE_ALIASES)).iloc[0] == code


@pytest.mark.parametrize(("text", "code"), [
    ("规划", "planned"), ("planned", "planned"), ("在建", "under_construction"),
    ("under_construction", "under_construction"), ("已投用", "in_use"), ("投入使用", "in_use"),
    ("in_use", "in_use"),
])
def test_status_values(text, code):
    assert one([text], lambda s: parse_vocabulary(s, STATUS_ALIASES)).iloc[0] == code


@pytest.mark.parametrize(("text", "code"), [
    ("WGS84", "WGS84"), ("wgs-84", "WGS84"), ("CGCS2000", "WGS84"), ("GCJ02", "GCJ02"),
    ("gcj-02", "GCJ02"), ("高德", "GCJ02"), ("BD09", "BD09"), ("百度", "BD09"),
])
def test_crs_values(text, code):
    assert one([text], lambda s: parse_vocabulary(s, CRS_ALIASES)).iloc[0] == code


def test_unknown_vocabulary_is_none():
    assert one(["孵化中心X"], lambda s: parse_vocabulary(s, TYPE_ALIASES)).iloc[0] is None


def test_numbers_accept_full_width_and_reject_words():
    parsed = one(["121.1", "１２１．１", "东经121度", None], parse_number)
    assert parsed.iloc[0] == parsed.iloc[1] == 121.1
    assert math.isnan(parsed.iloc[2]) and math.isnan(parsed.iloc[3])


number_like = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(-1e7, 1e7).map(lambda v: f"{v:.6f}"),
    st.integers(-10**12, 10**12).map(str),
    st.text(alphabet="0123456789.-+eE ,万x", max_size=10),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(number_like, max_size=30))
def test_numbers_read_as_pandas_reads_them_to_the_bit(cells):
    """Plain decimals go through Arrow's cast for speed; every cell reads as pandas reads it."""
    column = pd.Series(cells, dtype="str")
    fast = _to_numeric(column).to_numpy()
    slow = pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()
    assert np.array_equal(np.isnan(fast), np.isnan(slow))
    read = ~np.isnan(fast)
    # + 0.0 makes -0.0 plain 0.0: pandas reads "-0" alone as the integer 0 but as -0.0 in a
    # column with other values; a zero area is refused either way.
    assert np.array_equal((fast[read] + 0.0).view(np.int64), (slow[read] + 0.0).view(np.int64))
