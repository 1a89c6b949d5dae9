"""Nothing lost: concurrent editors and a killed import, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from geo.store import Actor, ConflictError, Store
from geo.store.history import history
from geo.store.setup import open_store
from tests.conftest import REPO
from tests.store_fixtures import BACKENDS, database_url

WRITERS = 8
EDITS_EACH = 125  # 1,000 successful edits in all


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
