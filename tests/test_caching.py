"""The dashboard reads and validates the files once; filter changes reuse them."""

from __future__ import annotations

import itertools
import os
import shutil

import pytest
import streamlit as st
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

import dashboard.data
from geo.filters import Filters
from geo.schema import CARRIER_TYPES
from geo.settings import BUNDLED_CARRIERS, data_paths
from geo.store.setup import store_dataset
from tests.conftest import REPO


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
    st.cache_resource.clear()
    yield calls
    st.cache_data.clear()
    st.cache_resource.clear()


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


def test_the_pages_leave_the_shared_dataset_and_checks_as_they_were():
    """The dataset and its checks are shared by every session: no page may change them."""
    st.cache_resource.clear()
    paths = dashboard.data.configured_paths()
    fresh = store_dataset(dashboard.data.open_configured_store(), paths.targets)
    assert len(fresh.register.carriers) > 40
    period = {"period_start": fresh.targets.period_start,
              "period_end": fresh.targets.period_end}
    chosen_types = frozenset({"incubator", "research_institute"})
    pages = ("views/overview.py", "views/town.py", "views/city.py", "views/gaps.py",
             "views/data.py")
    for lang, types in (("zh", sorted(chosen_types)), ("en", list(CARRIER_TYPES))):
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        app.session_state["lang"] = lang
        app.session_state["types"] = app.session_state["types_zh"] = types
        app.run()
        for page in pages:
            app.switch_page(page).run()
            assert not app.exception, (page, app.exception)
    shared = dashboard.data.dataset(paths)
    assert_frame_equal(shared.register.carriers, fresh.register.carriers)
    assert_geodataframe_equal(shared.boundaries.towns, fresh.boundaries.towns)
    for filters, as_of in itertools.product(
            (Filters(types=chosen_types, **period), Filters(types=frozenset(CARRIER_TYPES),
                                                            **period)),
            (None, fresh.targets.period_end)):
        kept = dashboard.data.filtered_check(shared, filters, as_of)
        anew = fresh.check(filters, as_of)
        assert_frame_equal(kept.towns, anew.towns)
        assert_frame_equal(kept.carriers, anew.carriers)
        assert kept.problems == anew.problems
