"""The bundled register and boundaries are what the README promises."""

from __future__ import annotations

import pandas as pd

from geo import load_dataset
from geo.schema import CARRIER_TYPES


def test_bundled_register_is_complete_and_illustrative():
    dataset = load_dataset()
    carriers = dataset.register.carriers
    assert 40 <= len(carriers) <= 80
    assert dataset.register.problems == []
    assert set(carriers["type"]) == set(CARRIER_TYPES)
    assert set(carriers["status"]) == {"planned", "under_construction", "in_use"}
    assert carriers["source"].notna().all()
    assert dataset.register.illustrative_count == len(carriers)
    years = carriers["opened_start"].dt.year.dropna()
    assert years.min() <= 2015 and years.max() >= 2022
    assert set(carriers["crs"]) == {"WGS84", "GCJ02", "BD09"}
    assert (~carriers["has_point"]).sum() >= 1


def test_plan_named_carriers_are_present():
    names = " ".join(load_dataset().register.carriers["name"])
    for name in ["西北工业大学长三角研究院", "西交利物浦大学创业家学院", "大科园", "创业园",
                 "软件园",
                 "国家特种功能材料高新技术产业化基地", "国家火炬太仓生物医药特色产业基地",
                 "中德企业合作基地"]:
        assert name in names


def test_points_lie_in_their_declared_units_and_results_are_mixed():
    result = load_dataset().check()
    assert not [p for p in result.problems if p.code in ("row.town_mismatch",
                                                         "row.outside_boundaries")]
    located = result.carriers
    assert (located["town"] == located["declared_town"]).all()
    assert set(located["town"]) == set(result.towns["town"])
    assert 0 < result.towns["met"].sum() < len(result.towns)


def test_sample_csv_opens_in_excel():
    from geo.settings import BUNDLED_CARRIERS
    assert BUNDLED_CARRIERS.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(pd.read_csv(BUNDLED_CARRIERS, encoding="utf-8-sig")) == len(
        load_dataset().register.carriers)
