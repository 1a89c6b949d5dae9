"""The dashboard reads and validates the files once; filter changes reuse them."""

from __future__ import annotations

import os
import shutil

import pytest
import streamlit as st

import dashboard.data
from geo.filters import Filters
from geo.settings import BUNDLED_CARRIERS, data_paths


def check_of(paths, filters):
    """What the page does on a run: the (cached) dataset, then its (cached) check."""
    return dashboard.data.filtered_check(dashboard.data.dataset(paths), filters)


@pytest.fixture
def counted_loads(monkeypatch):
    calls = []
    real = dashboard.data.load_dataset

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard.data, "load_dataset", counting)
    st.cache_data.clear()
    yield calls
    st.cache_data.clear()


def test_filter_changes_do_not_reread_files(counted_loads, tmp_path):
    register = shutil.copy(BUNDLED_CARRIERS, tmp_path / "carriers.csv")
    paths = data_paths({"CARRIER_MAP_CARRIERS": str(register)})
    everything = check_of(paths, Filters())
    incubators = check_of(paths, Filters(types=frozenset({"incubator"})))
    again = check_of(paths, Filters())
    assert len(counted_loads) == 1
    assert incubators.city.new_carriers < everything.city.new_carriers
    assert again.city == everything.city


def test_a_changed_file_is_read_again(counted_loads, tmp_path):
    register = shutil.copy(BUNDLED_CARRIERS, tmp_path / "carriers.csv")
    paths = data_paths({"CARRIER_MAP_CARRIERS": str(register)})
    check_of(paths, Filters())
    with open(register, "a", encoding="utf-8") as handle:
        handle.write("TC999,新增孵化器,孵化器,浏河镇,,,,5000,2019-05,已投用,,,,示意\n")
    os.utime(register, ns=(1, 1))
    result = check_of(paths, Filters())
    assert len(counted_loads) == 2
    assert "TC999" in set(result.carriers["id"])


def test_same_content_elsewhere_is_not_read_again(counted_loads, tmp_path):
    first = shutil.copy(BUNDLED_CARRIERS, tmp_path / "a.csv")
    second = shutil.copy(BUNDLED_CARRIERS, tmp_path / "b.csv")
    dashboard.data.dataset(data_paths({"CARRIER_MAP_CARRIERS": str(first)}))
    dashboard.data.dataset(data_paths({"CARRIER_MAP_CARRIERS": str(second)}))
    assert len(counted_loads) == 1
