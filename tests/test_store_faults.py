"""A store that cannot be used: one localised paragraph and exit 2, never a traceback.

Read-only, full disk, corrupt file, a folder, a schema newer than the program,
and two imports racing for the same new ids; each time the data stays as it was.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from geo import translate
from geo.cli import main
from geo.readers import read_table
from geo.store import Actor, ConflictError, Store, StoreUnavailable
from geo.store import engine as store_engine
from geo.store.engine import sqlite_url
from geo.store.history import history
from geo.store.imports import commit_import, preview_import
from geo.store.setup import open_store
from tests.conftest import REPO, carrier, write_csv
from tests.store_fixtures import BACKENDS, database_url

ADMIN = Actor("admin", "admin")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def stored(tmp_path) -> Path:
    """A seeded SQLite store file, closed (its write-ahead log folded in)."""
    path = tmp_path / "store.db"
    open_store(sqlite_url(path)).close()
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def refuse_statements(engine: sa.Engine, prefix: str, error: Exception) -> None:
    """Make every statement starting with ``prefix`` fail with the driver's ``error``."""
    def fail(_connection, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(prefix):
            raise error
    sa.event.listen(engine, "before_cursor_execute", fail)


def test_a_read_only_database_is_read_but_not_written(stored, capsys):
    before = digest(stored)
    read_only = f"sqlite:///file:{stored}?mode=ro&uri=true"
    store = Store(read_only)
    assert len(store.carrier_rows()) == 52, "reading still works"
    row = store.carrier("TC031")
    with pytest.raises(StoreUnavailable) as refused:
        store.update_carrier(ADMIN, "TC031", {**row, "name": "改名"}, int(row["version"]))
    assert refused.value.code == "store.fault_read_only"
    assert "只读" in refused.value.message("zh") and "read-only" in refused.value.message("en")
    store.close()
    code, err = run_cli(capsys, "users", "add", "x", "--role", "viewer", "--no-password",
                        "--database-url", read_only)
    assert code == 2 and "只读" in err and "Traceback" not in err
    assert digest(stored) == before


def test_a_full_disk_refuses_the_write_and_keeps_the_data(stored, tmp_path, capsys,
                                                          monkeypatch):
    full = sqlite3.OperationalError("database or disk is full")
    store = Store(sqlite_url(stored))
    before = store.carrier_rows()
    refuse_statements(store._writer, "INSERT INTO CARRIERS", full)
    with pytest.raises(StoreUnavailable) as refused:
        store.add_carrier(ADMIN, {**store.carrier("TC031"), "id": "N1", "name": "新载体"})
    assert refused.value.code == "store.fault_disk_full"
    assert "磁盘已满" in refused.value.message("zh")
    pd.testing.assert_frame_equal(store.carrier_rows(), before)
    store.close()

    make_engines = store_engine.make_engines

    def full_disk_engines(url: str) -> tuple[sa.Engine, sa.Engine]:
        writer, reader = make_engines(url)
        refuse_statements(writer, "INSERT INTO CARRIERS", full)
        return writer, reader

    monkeypatch.setattr("geo.store.store.make_engines", full_disk_engines)
    ledger = write_csv(tmp_path / "in.csv", [carrier("I1", lon="121.272", lat="31.508")])
    code, err = run_cli(capsys, "store", "import", str(ledger), "--yes", "--database-url",
                        sqlite_url(stored))
    assert code == 2 and "磁盘已满" in err
    monkeypatch.undo()
    reopened = Store(sqlite_url(stored))
    pd.testing.assert_frame_equal(reopened.carrier_rows(), before)
    reopened.close()


def test_a_corrupt_file_is_named_and_left_alone(tmp_path, capsys):
    path = tmp_path / "store.db"
    path.write_bytes(os.urandom(8192))
    before = digest(path)
    with pytest.raises(StoreUnavailable) as refused:
        Store(sqlite_url(path))
    assert refused.value.code == "store.fault_not_database"
    message = refused.value.message("zh")
    assert "store.db" in message and str(tmp_path) not in message  # its name, not its folder
    code, err = run_cli(capsys, "users", "list", "--database-url", sqlite_url(path))
    assert code == 2 and translate("store.fault_not_database", "zh",
                                   database="store.db",
                                   reason="file is not a database") in err
    assert digest(path) == before


def test_a_folder_is_not_a_database(tmp_path, capsys):
    folder = tmp_path / "a folder"
    folder.mkdir()
    with pytest.raises(StoreUnavailable) as refused:
        Store(sqlite_url(folder))
    assert refused.value.code == "store.fault_is_directory"
    code, err = run_cli(capsys, "users", "list", "--database-url", sqlite_url(folder))
    assert code == 2 and "文件夹" in err
    assert list(folder.iterdir()) == [], "nothing was created in it"


def test_a_newer_schema_is_refused_by_the_command_line(stored, tmp_path, capsys):
    engine = sa.create_engine(sqlite_url(stored))
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE meta SET value = 99 WHERE key = 'schema_version'"))
    engine.dispose()
    before = digest(stored)
    ledger = write_csv(tmp_path / "in.csv", [carrier("I1", lon="121.272", lat="31.508")])
    for argv in (["users", "list"], ["store", "import", str(ledger), "--yes"]):
        code, err = run_cli(capsys, *argv, "--database-url", sqlite_url(stored))
        assert code == 2 and "99" in err and "升级本程序" in err
    assert digest(stored) == before


def test_the_command_line_prints_a_paragraph_not_a_traceback(tmp_path):
    path = tmp_path / "store.db"
    path.write_bytes(b"not a database at all" * 100)
    done = subprocess.run([sys.executable, "-m", "geo", "users", "list", "--database-url",
                           sqlite_url(path)], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, "one paragraph"


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_imports_of_the_same_new_ids_one_wins_the_other_is_told_to_retry(backend,
                                                                             tmp_path):
    store = open_store(database_url(backend, tmp_path))
    ledger = write_csv(tmp_path / "in.csv", [
        carrier(f"R{i}", lon="121.272", lat=f"31.50{i}") for i in range(5)])
    previews = [preview_import(store, read_table(ledger), ADMIN) for _ in range(2)]
    assert all(len(p.new) == 5 for p in previews)
    before = len(history(store, limit=None))
    both_inserting = threading.Barrier(2)

    def meet_before_inserting(_connection, _cursor, statement, *_args) -> None:
        # On PostgreSQL both transactions pass every check before either inserts;
        # SQLite queues writers, so there the second waits and the barrier times out.
        if statement.lstrip().upper().startswith("INSERT INTO CARRIERS"):
            try:
                both_inserting.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass

    sa.event.listen(store._writer, "before_cursor_execute", meet_before_inserting)

    def commit(preview) -> str:
        try:
            commit_import(store, preview, ADMIN)
        except ConflictError as error:
            return error.code
        return "committed"

    with ThreadPoolExecutor(2) as pool:
        winner, loser = sorted(pool.map(commit, previews))
    assert winner == "committed"
    assert loser in {"store.taken_meanwhile", "store.import_stale"}
    if backend == "postgresql":
        assert loser == "store.taken_meanwhile", "the unique key, told in words"
    rows = store.carrier_rows()
    assert sorted(rows[rows["id"].str.startswith("R")]["id"]) == [f"R{i}" for i in range(5)]
    assert len(history(store, limit=None)) == before + 5, "only the winner is recorded"
    store.close()
