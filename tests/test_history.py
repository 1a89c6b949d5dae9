"""The change history as people read it: local times, field-by-field changes, imports folded."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from geo import ConfigError, translate
from geo.settings import DEFAULT_TIMEZONE, display_timezone
from geo.store import Actor
from geo.store.engine import sqlite_url
from geo.store.history import (
    LINE_COLUMNS,
    action_label,
    describe,
    filter_changes,
    fold_batches,
    history,
    local_times,
    readable,
    revert,
    seed_batch,
)
from geo.store.setup import open_store

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
ADMIN = Actor("admin", "admin")
LIUHE = Actor("liuhe", "town_editor", frozenset({"浏河镇"}))


def row(id: str = "TC031", name: str = "浏河镇科技孵化器", **values: str | None) -> dict:
    """A stored carrier's values (all register columns present, as the store records them)."""
    base = {"id": id, "name": name, "type": "孵化器", "town": "浏河镇", "lon": "121.272",
            "lat": "31.508", "crs": None, "floor_area_m2": "8000", "opened": "2018-10",
            "status": "在建", "level": None, "operator": None, "industry": None, "source": None}
    return {**base, **values}


def change(id: int, action: str, before: dict | None, after: dict | None, who: str = "liuhe",
           at: str = "2026-11-25T13:13:05+00:00", batch: str | None = None,
           reverts: int | None = None) -> dict:
    carrier_id = (after or before or {}).get("id")
    return {"id": id, "at": at, "who": who, "action": action, "carrier_id": carrier_id,
            "before": before, "after": after, "batch": batch, "reverts": reverts}


def frame(*changes: dict) -> pd.DataFrame:
    """Changes as :func:`history` returns them: newest first."""
    return pd.DataFrame(list(changes)).sort_values("id", ascending=False, ignore_index=True)


def sample() -> pd.DataFrame:
    """Boundaries, the seeding (3 carriers), an edit, an import (1 new, 2 changed), its undo."""
    seed = [change(i, "import", None, row(f"TC00{i}", f"载体{i}"), who="system", batch="seed")
            for i in (2, 3, 4)]
    imported = [change(6, "import", None, row("N100", "浏河新孵化器"), batch="b1"),
                change(7, "import", row("TC031"), row("TC031", floor_area_m2="9000"), batch="b1"),
                change(8, "import", row("TC032", "浏河镇众创空间"),
                       row("TC032", "浏河镇众创空间", status="已投用"), batch="b1")]
    undone = [change(9, "undo", row("N100", "浏河新孵化器"), None, batch="u1", reverts=6),
              change(10, "undo", row("TC031", floor_area_m2="9000"), row("TC031"), batch="u1",
                     reverts=7),
              change(11, "undo", row("TC032", "浏河镇众创空间", status="已投用"),
                     row("TC032", "浏河镇众创空间"), batch="u1", reverts=8)]
    return frame(change(1, "boundaries", {"towns": []}, {"towns": ["甲镇", "乙镇"],
                                                         "source": "/srv/data/towns.geojson"},
                        who="system"),
                 *seed, change(5, "update", row("TC033", "浏河航空产业研究院"),
                               row("TC033", "浏河航空产业研究院", status="已投用")),
                 *imported, *undone)


# --- times in the deployment's time zone ---------------------------------------------
def test_recorded_utc_times_are_shown_in_the_local_time_zone():
    at = pd.Series(["2026-11-25T13:13:05+00:00", "2026-11-25T20:30:00+00:00",
                    "2026-11-25T13:13:05", None, "not a time"])
    assert local_times(at, SHANGHAI).tolist() == [
        "2026-11-25 21:13", "2026-11-26 04:30", "2026-11-25 21:13", "", ""]
    assert local_times(at, UTC).tolist()[:2] == ["2026-11-25 13:13", "2026-11-25 20:30"]
    assert local_times(at, ZoneInfo("Europe/Berlin")).iloc[0] == "2026-11-25 14:13"


def test_local_times_of_the_store_clock_match_the_wall_clock():
    from geo.store.store import now_text

    shown = local_times(pd.Series([now_text()]), SHANGHAI).iloc[0]
    expected = dt.datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert shown[:13] == expected[:13]


def test_time_zone_setting_default_choice_and_refusal():
    assert display_timezone().key == DEFAULT_TIMEZONE == "Asia/Shanghai"
    assert display_timezone({"CARRIER_MAP_TIMEZONE": " "}).key == "Asia/Shanghai"
    assert display_timezone({"CARRIER_MAP_TIMEZONE": "Asia/Urumqi"}).key == "Asia/Urumqi"
    with pytest.raises(ConfigError) as refused:
        display_timezone({"CARRIER_MAP_TIMEZONE": "Beijing time"})
    assert "Beijing time" in refused.value.message("zh")
    assert "CARRIER_MAP_TIMEZONE" in refused.value.message("en")


def test_the_time_column_no_longer_says_utc():
    for lang in ("zh", "en"):
        assert "UTC" not in translate("col.at", lang)


# --- a change in words --------------------------------------------------------------
def test_an_update_lists_each_changed_field_from_before_to_after():
    before = row(floor_area_m2="8000", status="在建")
    after = row(floor_area_m2="9000", status="已投用")
    assert describe("update", before, after, "zh") == (
        "面积（平方米）：8000 → 9000；状态：在建 → 已投用")
    assert describe("update", before, after, "en") == (
        "floor area (m²): 8000 → 9000; status: 在建 → 已投用")


def test_blank_values_are_named_and_blank_equals_missing():
    assert describe("update", row(opened=None), row(opened="2019-06"), "zh") == (
        "投用时间：（空） → 2019-06")
    assert describe("update", row(level=None), row(level=""), "zh") == "内容无变化"


def test_an_added_carrier_lists_its_main_fields():
    text = describe("insert", None, row(level="省级"), "zh")
    assert text == ("新增载体（类型：孵化器；镇区：浏河镇；面积（平方米）：8000；"
                    "状态：在建；投用时间：2018-10）")
    assert describe("import", None, row(), "zh") == text


def test_a_deleted_carrier_says_what_was_deleted():
    text = describe("delete", row(type="众创空间", floor_area_m2="1500"), None, "zh")
    assert text.startswith("删除载体（类型：众创空间") and "面积（平方米）：1500" in text
    assert describe("delete", row(), None, "en").startswith("carrier deleted (type: 孵化器")


def test_a_revert_names_the_change_it_reverts():
    assert describe("revert", row(floor_area_m2="9000"), row(), "zh", reverts=54) == (
        "撤销第 54 号修改：面积（平方米）：9000 → 8000")


def test_replacing_boundaries_counts_the_towns_and_names_the_file():
    text = describe("boundaries", {"towns": ["甲镇"]},
                    {"towns": ["甲镇", "乙镇"], "source": "/srv/data/towns.geojson"}, "zh")
    assert text == "镇区边界：1 个镇区 → 2 个镇区（towns.geojson）"


def test_every_action_has_a_label_including_undo():
    assert action_label("undo", "zh") == "撤销导入"
    assert action_label("undo", "en") == "import undone"
    assert action_label("update", "zh") == "修改"
    assert action_label("something_new", "zh") == "something_new"


def test_readable_gives_one_line_per_change_newest_first():
    lines = readable(sample(), "zh", SHANGHAI)
    assert list(lines.columns) == list(LINE_COLUMNS)
    assert lines["change"].tolist() == list(range(11, 0, -1))
    update = lines.set_index("change").loc[5]
    assert update["carrier"] == "TC033 浏河航空产业研究院"
    assert update["details"] == "状态：在建 → 已投用"
    assert update["at"] == "2026-11-25 21:13"
    assert lines.set_index("change").loc[9, "carrier"] == "N100 浏河新孵化器"


# --- imports folded into one line ----------------------------------------------------
def test_each_import_batch_is_one_line_and_the_seeding_says_so():
    lines = fold_batches(sample(), "zh", SHANGHAI, seed="seed")
    assert lines["numbers"].tolist() == ["9–11", "6–8", "5", "2–4", "1"]
    details = dict(zip(lines["numbers"], lines["details"], strict=True))
    assert details["2–4"] == "初始数据：导入 3 个载体"
    assert details["6–8"] == "导入 3 个载体（新增 1，修改 2）（已由第 9–11 号撤销）"
    assert details["9–11"] == "撤销第 6–8 号导入：3 个载体（移除 1，恢复原值 2）"
    assert details["5"] == "状态：在建 → 已投用"
    assert lines.set_index("numbers").loc["6–8", "count"] == 3
    assert lines.set_index("numbers").loc["6–8", "batch"] == "b1"
    assert lines.set_index("numbers").loc["9–11", "action"] == "undo"


def test_an_import_that_was_not_undone_says_nothing_about_undoing():
    changes = sample()
    lines = fold_batches(changes[changes["action"] != "undo"], "zh", SHANGHAI, seed="seed")
    assert lines.set_index("numbers").loc["6–8", "details"] == "导入 3 个载体（新增 1，修改 2）"


def test_only_the_seed_batch_is_called_initial_data():
    lines = fold_batches(sample(), "en", SHANGHAI)
    assert "Initial data" not in " ".join(lines["details"])
    assert "3 carriers imported (3 new, 0 changed)" in lines["details"].tolist()


def test_folding_nothing_gives_no_lines():
    empty = sample().iloc[0:0]
    assert fold_batches(empty, "zh", SHANGHAI).empty
    assert list(fold_batches(empty, "zh", SHANGHAI).columns) == list(LINE_COLUMNS)


# --- filters ----------------------------------------------------------------------------
def test_filter_by_user_action_and_carrier():
    changes = sample()
    kept = changes.copy()
    assert set(filter_changes(changes, who="system")["id"]) == {1, 2, 3, 4}
    assert set(filter_changes(changes, actions=["undo"])["id"]) == {9, 10, 11}
    assert set(filter_changes(changes, carrier="tc031")["id"]) == {7, 10}
    assert set(filter_changes(changes, carrier="  新孵化 ")["id"]) == {6, 9}, "a name matches"
    assert set(filter_changes(changes, who="liuhe", carrier="TC03",
                              actions=["import"])["id"]) == {7, 8}
    assert len(filter_changes(changes, who="", carrier="", actions=[])) == len(changes)
    assert filter_changes(changes, who="nobody").empty
    pd.testing.assert_frame_equal(changes, kept)


def test_a_deleted_carrier_is_found_by_its_old_name():
    changes = frame(change(1, "delete", row("X1", "旧名称"), None))
    assert len(filter_changes(changes, carrier="旧名称")) == 1


# --- with a store -----------------------------------------------------------------------
@pytest.fixture
def store(tmp_path):
    opened = open_store(sqlite_url(tmp_path / "store.db"))
    yield opened
    opened.close()


def test_the_seeded_store_reads_as_boundaries_and_one_initial_import(store):
    lines = fold_batches(history(store), "zh", SHANGHAI, seed_batch(store))
    assert lines["details"].tolist()[0] == "初始数据：导入 52 个载体"
    assert lines["action"].tolist() == ["import", "boundaries"]


def test_a_batch_cut_by_the_limit_is_read_whole_when_asked(store):
    row_ = store.carrier("TC031")
    store.update_carrier(LIUHE, "TC031", {**row_, "floor_area_m2": "9000"}, 1)
    cut = history(store, limit=10)
    assert len(cut) == 10
    whole = history(store, limit=10, complete_batches=True)
    assert len(whole) == 53, "the edit and all 52 seeded carriers"
    assert whole["id"].is_monotonic_decreasing
    line = fold_batches(whole, "zh", SHANGHAI, seed_batch(store)).iloc[1]
    assert line["details"] == "初始数据：导入 52 个载体"
    assert len(history(store, limit=None, batch=seed_batch(store))) == 52


def test_a_revert_is_still_possible_and_reads_as_one(store):
    before = store.carrier("TC031")
    store.update_carrier(LIUHE, "TC031", {**before, "floor_area_m2": "9999"}, 1)
    edit = int(history(store, "TC031").iloc[0]["id"])
    revert(store, ADMIN, edit)
    assert store.carrier("TC031")["floor_area_m2"] == before["floor_area_m2"]
    line = readable(history(store, "TC031", limit=1), "zh", SHANGHAI).iloc[0]
    assert line["action"] == "revert"
    assert line["details"] == (f"撤销第 {edit} 号修改：面积（平方米）：9999 → "
                               f"{before['floor_area_m2']}")


def test_an_import_and_its_undo_read_as_two_lines(store, tmp_path):
    from geo.store.imports import commit_import, preview_import_file, undo_import
    from tests.conftest import carrier, write_csv

    path = write_csv(tmp_path / "in.csv", [
        carrier("TC031", name="浏河镇科技孵化器", lon="121.272", lat="31.508", area="9000"),
        carrier("I3", name="浏河新载体", lon="121.272", lat="31.508")])
    commit_import(store, preview_import_file(store, path, LIUHE), LIUHE)
    batch = history(store, limit=1)["batch"].iloc[0]
    undo_import(store, LIUHE, batch)
    lines = fold_batches(history(store), "zh", SHANGHAI, seed_batch(store))
    assert lines["details"].tolist()[:3] == [
        "撤销第 54–55 号导入：2 个载体（移除 1，恢复原值 1）",
        "导入 2 个载体（新增 1，修改 1）（已由第 56–57 号撤销）",
        "初始数据：导入 52 个载体"]
    assert lines["action"].map(lambda a: action_label(a, "zh")).tolist()[:2] == ["撤销导入", "导入"]
