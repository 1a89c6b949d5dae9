"""Probable duplicates: reported naming the first, left out of every figure, never counted twice."""

from __future__ import annotations

import hypothesis.strategies as st
import pandas as pd
from hypothesis import HealthCheck, given, settings

from geo import Targets, check
from geo.duplicates import name_keys, normalise_name
from geo.matching import new_ids
from geo.register import load_register
from tests.conftest import carrier, write_csv


def run(register_csv, rows, towns, targets: Targets | None = None):
    return check(load_register(register_csv(rows)), towns, targets or Targets())


def test_names_are_folded_for_comparison():
    same = ["太仓市科技创业园（一期）", "太仓市科技创业园(一期)", "太仓市 科技创业园 一期",
            "太仓市科技创业园（一期）有限公司", "太仓市科技创业园一期"]
    assert len({normalise_name(name) for name in same}) == 1
    assert normalise_name("ABC Co., Ltd.") == normalise_name("ａｂｃ")
    assert normalise_name("科技创业园（一期）") != normalise_name("科技创业园（二期）")


def test_the_same_name_in_the_same_town_is_left_out_naming_the_first(register_csv, towns):
    rows = [carrier("TC031", name="浏河镇科技孵化器", area="5500"),
            carrier("1", name="浏河镇科技孵化器 ", area="5500", lon="121.09", lat="31.49")]
    result = run(register_csv, rows, towns)
    jia = result.towns.set_index("town").loc["甲镇"]
    assert jia["new_area_m2"] == 5500 and jia["carrier_ids"] == ["TC031"]
    [problem] = [p for p in result.problems if p.code == "row.duplicate_same_town"]
    assert (problem.row, problem.id, problem.severity) == (3, "1", "error")
    assert "第 2 行" in problem.message("zh") and "TC031" in problem.message("zh")
    assert result.carriers.set_index("id").loc["1", "reason"] == "duplicate"
    assert result.city.new_carriers == 1


def test_the_same_name_close_by_across_a_town_line_is_a_duplicate(register_csv, towns):
    # 甲镇 and 乙镇 meet at lon 121.1; the two points are about 95 m apart.
    rows = [carrier("A", name="边界孵化器", lon="121.0995", lat="31.45"),
            carrier("B", name="边界孵化器", lon="121.1005", lat="31.45")]
    result = run(register_csv, rows, towns)
    [problem] = [p for p in result.problems if p.code.startswith("row.duplicate")]
    assert problem.code == "row.duplicate_nearby" and problem.params["distance"] < 200
    assert result.city.new_area_m2 == 12000


def test_the_distance_is_a_setting(register_csv, towns):
    rows = [carrier("A", name="边界孵化器", lon="121.0995", lat="31.45"),
            carrier("B", name="边界孵化器", lon="121.1005", lat="31.45")]
    result = run(register_csv, rows, towns, Targets(duplicate_distance_m=50))
    assert not [p for p in result.problems if p.code.startswith("row.duplicate")]
    assert result.city.new_area_m2 == 24000


def test_same_name_far_apart_in_different_towns_is_not_a_duplicate(register_csv, towns):
    rows = [carrier("A", name="众创空间", lon="121.05", lat="31.45"),
            carrier("B", name="众创空间", lon="121.15", lat="31.45")]
    assert run(register_csv, rows, towns).city.new_carriers == 2


def test_a_row_without_a_point_matches_by_its_declared_town(register_csv, towns):
    rows = [carrier("A", name="甲镇众创空间"),
            carrier("B", name="甲镇众创空间", lon="", lat="", town="甲镇")]
    result = run(register_csv, rows, towns)
    assert result.city.new_carriers == 1
    assert [p.row for p in result.problems if p.code == "row.duplicate_same_town"] == [3]


def test_new_ids_are_town_prefixed_unique_and_never_bare_numbers():
    ids = new_ids(["浏河镇", "浏河镇", "沙溪镇", None], ["浏河镇-0003", "TC001", "7"])
    assert ids == ["浏河镇-0004", "浏河镇-0005", "沙溪镇-0001", "载体-0001"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 9).map(lambda n: n * 1000),
                          st.floats(121.005, 121.195), st.floats(31.405, 31.595)),
                min_size=1, max_size=8, unique_by=lambda t: t[0]),
       st.data())
def test_a_copy_of_any_row_never_changes_a_figure(tmp_path_factory, towns, rows, data):
    """However a register is copied into itself (new ids, other spellings), figures stay."""
    def row(i, name, area, lon, lat):
        return carrier(f"C{i}", name=name, area=str(area), lon=f"{lon:.6f}", lat=f"{lat:.6f}")

    base = [row(i, f"载体{k}", area, lon, lat) for i, (k, area, lon, lat) in enumerate(rows)]
    copies = data.draw(st.lists(st.sampled_from(range(len(rows))), min_size=1, max_size=4))
    spelled = [f"载体{rows[c][0]}" + data.draw(st.sampled_from(["", " ", "有限公司", "（）"]))
               for c in copies]
    extra = [row(100 + n, name, rows[c][1], rows[c][2], rows[c][3])
             for n, (c, name) in enumerate(zip(copies, spelled, strict=True))]
    folder = tmp_path_factory.mktemp("copies")
    original = check(load_register(write_csv(folder / "a.csv", base)), towns, Targets())
    doubled = check(load_register(write_csv(folder / "b.csv", base + extra)), towns, Targets())
    assert doubled.towns["new_area_m2"].tolist() == original.towns["new_area_m2"].tolist()
    assert doubled.city == original.city


def test_names_of_a_concatenated_register_are_folded():
    """A column joined from two registers (Arrow chunks) folds like one read at once."""
    joined = pd.concat([pd.Series(["太仓 有限公司", "x"], dtype="str"),
                        pd.Series(["ＡＢ公司"], dtype="str")], ignore_index=True)
    assert list(name_keys(joined)) == ["太仓", "x", "ab"]
