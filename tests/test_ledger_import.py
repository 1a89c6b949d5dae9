"""Importing real ledgers into the store: every row previewed, no duplicate ever counted, undo.

On SQLite and, when configured, PostgreSQL (see tests/store_fixtures.py).
"""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings

from geo import check, load_targets
from geo.import_tables import choice_table, import_summary, import_table
from geo.readers import read_table
from geo.store import Actor, ConflictError, PermissionDenied, ValidationFailed
from geo.store.engine import sqlite_url
from geo.store.imports import (
    commit_import,
    import_batches,
    preview_import,
    preview_import_file,
    undo_import,
)
from geo.store.setup import SYSTEM, open_store
from render.export import register_export, to_csv_bytes, to_xlsx_bytes
from tests.store_fixtures import BACKENDS, database_url

DATA = Path(__file__).resolve().parent / "data"
LIUHE_LEDGER = DATA / "浏河镇创新载体台账2020.xlsx"
SHAXI_LEDGER = DATA / "沙溪镇载体台账_GBK.csv"
LIUHE = Actor("liuhe", "town_editor", frozenset({"浏河镇"}))
SHAXI = Actor("shaxi", "town_editor", frozenset({"沙溪镇"}))
ADMIN = Actor("admin", "admin")
HOSTILE = ["-007", "=1+1", "@某公司", "+新材料", "=HYPERLINK(\"http://x\")"]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    opened = open_store(database_url(request.param, tmp_path))
    yield opened
    opened.close()


def areas(store) -> dict[str, float]:
    result = check(store.register(), store.boundaries(), load_targets())
    return result.towns.set_index("town")["new_area_m2"].to_dict()


def statuses(preview) -> dict[int, str]:
    return dict(zip(preview.rows["row"], preview.rows["status"], strict=True))


def test_the_liuhe_ledger_preview_lists_every_row(store):
    preview = preview_import_file(store, LIUHE_LEDGER, LIUHE)
    assert statuses(preview) == {4: "duplicate", 5: "duplicate", 6: "duplicate", 7: "duplicate",
                                 8: "duplicate", 9: "duplicate", 10: "new", 11: "refused",
                                 12: "skipped", 13: "skipped", 14: "skipped"}
    matched = preview.of("duplicate")
    assert matched["match_id"].tolist() == ["TC031", "TC032", "TC033", "TC034", "TC035", "TC036"]
    assert all(changes == [] for changes in matched["changes"]), (
        "0.55 万 = 5,500 m², a GCJ-02 point equal to the stored WGS-84 one, （二期） = (二期)")
    [refused] = preview.of("refused")["message"]
    assert refused.message("zh") == ("第 11 行：长江口生物医药孵化器 按坐标位于沙溪镇，"
                                     "不在您负责的镇区（浏河镇），不会导入。")
    assert preview.area_unit == "万平方米" and preview.sheet == "2020年"
    assert preview.writable() == 1
    summary = import_summary(preview, "zh")
    assert "文件共 11 行" in summary and "新增 1 个" in summary and "跳过 3 行" in summary
    listing = import_table(preview, "en")
    assert len(listing) == 11 and listing["Outcome"].tolist().count("Skipped (not a carrier)") == 3
    assert choice_table(preview, "zh")["处理方式"].tolist() == ["更新已有载体"] * 6


def test_importing_a_ledger_of_stored_carriers_changes_no_town_but_for_the_new_one(store):
    before = areas(store)
    version = store.data_version()
    preview = preview_import_file(store, LIUHE_LEDGER, LIUHE)
    assert store.data_version() == version, "a preview writes nothing"
    result = commit_import(store, preview, LIUHE)
    assert (result.added, result.updated) == (1, 0)
    after = areas(store)
    assert after["浏河镇"] == before["浏河镇"] + 3000
    assert {t: a for t, a in after.items() if t != "浏河镇"} == {
        t: a for t, a in before.items() if t != "浏河镇"}
    rows = store.carrier_rows().set_index("name")
    assert rows.loc["浏河镇智能制造众创空间", "id"] == "浏河镇-0001"
    assert rows.loc["浏河镇智能制造众创空间", "floor_area_m2"] == "0.3万"
    assert len(store.carrier_rows()) == 53

    again = preview_import_file(store, LIUHE_LEDGER, LIUHE)
    assert again.writable() == 0 and again.counts()["duplicate"] == 7
    assert areas(store) == after


def test_a_gbk_ledger_without_ids_keeps_every_figure_as_an_administrator(store):
    before = areas(store)
    preview = preview_import_file(store, SHAXI_LEDGER, ADMIN)
    assert preview.counts() == {"new": 1, "changed": 0, "unchanged": 0, "duplicate": 5,
                                "refused": 0, "skipped": 4, "error": 0}
    assert all(c == [] for c in preview.of("duplicate")["changes"]), (
        "4,000 = 4000 and 2020年7月 = 2020-07: the same values written another way")
    commit_import(store, preview, ADMIN)
    assert areas(store)["沙溪镇"] == before["沙溪镇"] + 3500


def test_a_duplicate_can_be_added_as_new_or_skipped_and_never_inflates_a_town(store):
    before = areas(store)
    preview = preview_import_file(store, LIUHE_LEDGER, LIUHE)
    result = commit_import(store, preview, LIUHE, {4: "new", 5: "skip"})
    assert (result.added, result.updated) == (2, 0)
    after = check(store.register(), store.boundaries(), load_targets())
    assert after.towns.set_index("town").loc["浏河镇", "new_area_m2"] == before["浏河镇"] + 3000
    [duplicate] = [p for p in after.problems if p.code == "row.duplicate_same_town"]
    assert "TC031" in duplicate.message("zh")


def test_an_editor_undoes_their_own_import_and_nobody_else_can(store):
    before = areas(store)
    rows_before = store.carrier_rows()[["id", "name", "floor_area_m2"]]
    result = commit_import(store, preview_import_file(store, LIUHE_LEDGER, LIUHE), LIUHE)
    with pytest.raises(PermissionDenied):
        undo_import(store, SHAXI, result.batch)
    batches = import_batches(store, who="liuhe")
    assert batches["batch"].tolist() == [result.batch] and not batches["undone"].any()
    assert undo_import(store, LIUHE, result.batch) == 1
    assert areas(store) == before
    pd.testing.assert_frame_equal(store.carrier_rows()[["id", "name", "floor_area_m2"]],
                                  rows_before)
    assert import_batches(store, who="liuhe")["undone"].tolist() == [True]
    with pytest.raises(ConflictError):
        undo_import(store, LIUHE, result.batch)


def test_an_import_changed_since_cannot_be_undone_but_an_administrator_may_undo_others(store):
    result = commit_import(store, preview_import_file(store, LIUHE_LEDGER, LIUHE), LIUHE)
    carrier = store.carrier("浏河镇-0001")
    store.update_carrier(LIUHE, "浏河镇-0001", {**carrier, "floor_area_m2": "0.4万"},
                         int(carrier["version"]))
    with pytest.raises(ConflictError) as refused:
        undo_import(store, ADMIN, result.batch)
    assert "浏河镇-0001" in refused.value.message("zh")
    carrier = store.carrier("浏河镇-0001")
    store.update_carrier(LIUHE, "浏河镇-0001", {**carrier, "floor_area_m2": "0.3万"},
                         int(carrier["version"]))
    assert undo_import(store, ADMIN, result.batch) == 1
    assert store.carrier("浏河镇-0001") is None


def test_commit_checks_rights_again_and_never_trusts_the_preview(store):
    preview = preview_import_file(store, LIUHE_LEDGER, ADMIN)
    assert preview.writable() == 2
    with pytest.raises(PermissionDenied, match="沙溪镇"):
        commit_import(store, preview, LIUHE)


def test_the_editor_cannot_add_a_probable_duplicate_by_hand(store):
    stored = store.carrier("TC031")
    with pytest.raises(ValidationFailed) as refused:
        store.add_carrier(LIUHE, {**stored, "id": "N1", "name": "浏河镇 科技孵化器有限公司"})
    assert refused.value.code == "store.duplicate_existing"
    assert "TC031" in refused.value.message("zh")
    store.add_carrier(LIUHE, {**stored, "id": "N2", "name": "浏河镇科技孵化器（二期）"})


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(kind="csv", lang="zh", drop=set(), hostile=HOSTILE[:3])
@example(kind="xlsx", lang="en", drop={30}, hostile=HOSTILE[2:])
@given(kind=st.sampled_from(["csv", "xlsx"]), lang=st.sampled_from(["zh", "en"]),
       drop=st.sets(st.integers(0, 51), max_size=10),
       hostile=st.lists(st.sampled_from(HOSTILE), max_size=3, unique=True))
def test_importing_the_export_of_the_register_changes_nothing(tmp_path_factory, kind, lang,
                                                              drop, hostile):
    """Formula-like text is defused in the file and comes back exactly (no new carriers)."""
    store = open_store(sqlite_url(tmp_path_factory.mktemp("roundtrip") / "store.db"))
    try:
        for position in sorted(drop, reverse=True):
            row = store.carrier_rows().iloc[position]
            store.delete_carrier(SYSTEM, row["id"], int(row["version"]))
        template = store.carrier_rows().iloc[0].to_dict()
        for number, text in enumerate(hostile):
            store.add_carrier(SYSTEM, {**template, "id": text, "name": f"{text}孵化器{number}",
                                       "operator": text, "lon": f"121.27{number}",
                                       "lat": "31.508", "crs": None})
        before, version = areas(store), store.data_version()
        frame = register_export(store.carrier_rows(), lang)
        content = to_csv_bytes(frame) if kind == "csv" else to_xlsx_bytes(frame, "carriers")
        preview = preview_import(store, read_table(content, name=f"export.{kind}"), SYSTEM)
        count = len(store.carrier_rows())
        assert preview.writable() == 0
        assert preview.counts()["unchanged"] == count
        commit_import(store, preview, SYSTEM)
        assert areas(store) == before and len(store.carrier_rows()) == count
        assert store.data_version() == version, "an import that changes nothing writes nothing"
    finally:
        store.close()


def test_a_moved_point_from_a_file_without_a_crs_column_is_written_as_wgs84(store, tmp_path):
    stored = store.carrier("TC031")
    store.update_carrier(ADMIN, "TC031", {**stored, "crs": "GCJ02"}, int(stored["version"]))
    path = tmp_path / "moved.csv"
    path.write_text("编号,名称,类型,经度,纬度,面积,投用时间,状态\n"
                    "TC031,浏河镇科技孵化器,孵化器,121.272,31.508,5500,2018-10,已投用\n",
                    encoding="utf-8")
    preview = preview_import_file(store, path, ADMIN)
    [changes] = preview.changed["changes"]
    assert changes[0][0] == "location"
    commit_import(store, preview, ADMIN)
    after = store.carrier("TC031")
    assert (after["lon"], after["lat"], after["crs"]) == ("121.272", "31.508", None)


def test_a_ledger_already_imported_says_there_is_nothing_to_write(tmp_path):
    """The commit button is off: the page says why instead of leaving the user guessing."""
    from streamlit.testing.v1 import AppTest

    def page(url: str) -> None:
        from dashboard.importing import _show_preview
        from geo.settings import BUNDLED_CARRIERS
        from geo.store.imports import preview_import_file
        from geo.store.setup import SYSTEM, open_store

        store = open_store(url)
        _show_preview(store, SYSTEM, preview_import_file(store, BUNDLED_CARRIERS, SYSTEM), "en")

    app = AppTest.from_function(page, args=(sqlite_url(tmp_path / "s.db"),),
                                default_timeout=60).run()
    assert not app.exception
    assert any("Nothing to write" in info.body for info in app.info)
    assert app.button(key="import_commit").disabled
