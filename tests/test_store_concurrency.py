"""Nothing lost: concurrent editors and a killed import, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import sqlalchemy as sa

from geo.store import Actor, ConflictError, Store
from geo.store.history import history, revert
from geo.store.setup import open_store
from geo.store.store import clean_values
from tests.conftest import REPO
from tests.store_fixtures import BACKENDS, database_url

ADMIN = Actor("admin", "admin")
EDITOR = Actor("liuhe", "town_editor", frozenset({"浏河镇"}))
WRITERS = 8
EDITS_EACH = 50  # 400 successful edits in all, racing eight at a time


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_edits_of_one_carrier_lose_no_update(backend, tmp_path):
    store = open_store(database_url(backend, tmp_path))
    start = store.carrier("TC031")
    start_area = int(start["floor_area_m2"])

    def editor(number: int) -> int:
        actor = Actor(f"editor{number}", "town_editor", frozenset({"浏河镇"}))
        saved = refused = 0
        while saved < EDITS_EACH:
            row = store.carrier("TC031")
            edited = {**row, "floor_area_m2": str(int(row["floor_area_m2"]) + 1)}
            try:
                store.update_carrier(actor, "TC031", edited, int(row["version"]))
                saved += 1
            except ConflictError:
                refused += 1
        return refused

    with ThreadPoolExecutor(WRITERS) as pool:
        refusals = sum(pool.map(editor, range(WRITERS)))
    final = store.carrier("TC031")
    edits = WRITERS * EDITS_EACH
    assert int(final["floor_area_m2"]) - start_area == edits, "an update was lost"
    assert int(final["version"]) == int(start["version"]) + edits
    updates = history(store, "TC031", limit=10 * edits)
    assert (updates["action"] == "update").sum() == edits
    print(f"{backend}: {edits} edits saved, {refusals} stale saves refused")
    store.close()


def _big_register(path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "名称", "类型", "经度", "纬度", "面积", "投用时间", "状态"])
        for i in range(rows):
            lon, lat = 121.25 + (i % 100) * 1e-4, 31.50 + (i // 100) * 1e-5
            writer.writerow([f"K{i:06d}", f"批量载体{i}", "孵化器", f"{lon:.6f}", f"{lat:.6f}",
                             "1000", "2019-05", "已投用"])


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_killed_import_leaves_the_register_exactly_as_before(backend, tmp_path):
    url = database_url(backend, tmp_path)
    store = open_store(url)
    before, version = store.carrier_rows(), store.data_version()
    changes_before = len(history(store, limit=100_000))
    store.close()
    big = tmp_path / "big.csv"
    _big_register(big, 60_000)

    process = subprocess.Popen(
        [sys.executable, "-m", "geo", "store", "import", str(big), "--yes",
         "--database-url", url], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    for line in process.stderr:
        if line.startswith("importing "):
            break
    process.send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert "committed" not in output, "the import finished before it could be killed"

    reopened = Store(url)
    pd.testing.assert_frame_equal(reopened.carrier_rows(), before)
    assert reopened.data_version() == version
    assert len(history(reopened, limit=100_000)) == changes_before
    reopened.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_revert_racing_a_save_loses_neither(backend, tmp_path):
    """The revert has read the carrier; a save comes in before it writes: one is refused."""
    store = open_store(database_url(backend, tmp_path))
    row = store.carrier("TC031")
    store.update_carrier(ADMIN, "TC031", {**row, "floor_area_m2": "9000"}, 1)
    edit = int(history(store, "TC031").iloc[0]["id"])
    changes_before = len(history(store, "TC031", limit=None))
    revert_writing, save_done = threading.Event(), threading.Event()

    def hold_the_revert(_connection, _cursor, statement, *_args) -> None:
        # The revert has read (and, when it locks, locked) the carrier and is about to
        # write it: let the save run now, and wait for it (at most 3 s: a lock blocks it).
        if (threading.current_thread().name == "revert"
                and statement.lstrip().upper().startswith("UPDATE CARRIERS")):
            revert_writing.set()
            save_done.wait(timeout=3)

    sa.event.listen(store._writer, "before_cursor_execute", hold_the_revert)
    outcomes: dict[str, str] = {}

    def reverting() -> None:
        try:
            revert(store, ADMIN, edit)
            outcomes["revert"] = "written"
        except ConflictError:
            outcomes["revert"] = "refused"

    def saving() -> None:
        revert_writing.wait(timeout=30)
        seen = store.carrier("TC031")
        try:
            store.update_carrier(EDITOR, "TC031", {**seen, "status": "在建"}, int(seen["version"]))
            outcomes["save"] = "written"
        except ConflictError:
            outcomes["save"] = "refused"
        finally:
            save_done.set()

    threads = [threading.Thread(target=reverting, name="revert"),
               threading.Thread(target=saving, name="save")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes.values()) == ["refused", "written"], outcomes
    final = store.carrier("TC031")
    changes = history(store, "TC031", limit=None)
    assert len(changes) == changes_before + 1, "only the winner is recorded"
    assert int(final["version"]) == 3
    assert clean_values(changes.iloc[0]["after"]) == clean_values(final), (
        "the newest history entry is what is stored")
    if outcomes["revert"] == "written":
        assert final["floor_area_m2"] == row["floor_area_m2"] and final["status"] == row["status"]
    else:
        assert final["floor_area_m2"] == "9000" and final["status"] == "在建"
    store.close()
