"""The store on SQLite and PostgreSQL: same figures as files, roles, locking, history."""

from __future__ import annotations

import subprocess
import sys
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from geo import InputFileError, check, load_dataset, load_targets
from geo.readers import read_table
from geo.store import (
    Actor,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Store,
    StoreUnavailable,
    ValidationFailed,
)
from geo.store.history import history, revert
from geo.store.imports import ImportPreview, commit_import, preview_import, preview_import_file
from geo.store.schema import SCHEMA_VERSION, metadata, schema_version, upgrade
from geo.store.setup import SYSTEM, open_store
from tests.conftest import HEADER, REPO, carrier, write_csv
from tests.store_fixtures import BACKENDS, database_url

ADMIN = Actor("admin", "admin")
LIUHE = Actor("liuhe", "town_editor", frozenset({"浏河镇"}))
VIEWER = Actor("leader", "viewer")
IN_LIUHE = {"lon": "121.272", "lat": "31.508"}
IN_SHAXI = {"lon": "121.055", "lat": "31.557"}


def values(id: str = "N1", **overrides: str) -> dict[str, str]:
    """A valid register row (by column name) with ``overrides``."""
    return {**dict(zip(HEADER, carrier(id), strict=True)), **overrides}


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    opened = open_store(database_url(request.param, tmp_path))
    yield opened
    opened.close()


def test_seeded_store_gives_the_same_figures_as_the_files(store):
    from_files = load_dataset().check()
    from_store = check(store.register(), store.boundaries(), load_targets())
    assert from_store.city == from_files.city
    pd.testing.assert_frame_equal(from_store.towns, from_files.towns)
    assert store.boundaries().names == load_dataset().boundaries.names


def test_viewer_cannot_write_anything(store):
    with pytest.raises(PermissionDenied):
        store.add_carrier(VIEWER, values(**IN_LIUHE))
    with pytest.raises(PermissionDenied):
        store.update_carrier(VIEWER, "TC031", values("TC031", **IN_LIUHE), 1)
    with pytest.raises(PermissionDenied):
        store.delete_carrier(VIEWER, "TC031", 1)


def test_town_editor_calling_the_store_directly_is_refused_outside_their_town(store):
    rows = store.carrier_rows().set_index("id")
    shaxi_id = next(i for i in rows.index if rows.loc[i, "town"] == "沙溪镇")
    with pytest.raises(PermissionDenied) as refused:
        store.update_carrier(LIUHE, shaxi_id, rows.loc[shaxi_id].to_dict(), 1)
    assert "沙溪镇" in refused.value.message("zh")
    with pytest.raises(PermissionDenied):
        store.add_carrier(LIUHE, values("N2", **IN_SHAXI))
    with pytest.raises(PermissionDenied):
        store.delete_carrier(LIUHE, shaxi_id, 1)
    own = values("N3", **IN_LIUHE)
    assert store.add_carrier(LIUHE, own) == 1
    with pytest.raises(PermissionDenied, match="沙溪镇"):
        store.update_carrier(LIUHE, "N3", {**own, **IN_SHAXI}, 1)
    assert store.carrier_rows().set_index("id").loc["N3", "lon"] == IN_LIUHE["lon"]


def test_invalid_values_are_refused_with_the_problems(store):
    with pytest.raises(ValidationFailed) as refused:
        store.add_carrier(ADMIN, values(floor_area_m2="很多", **IN_LIUHE))
    assert [p.field for p in refused.value.problems] == ["floor_area_m2"]
    assert "N1" not in set(store.carrier_rows()["id"])


def test_second_save_of_the_same_version_is_refused(store):
    row = store.carrier_rows().set_index("id").loc["TC031"]
    version = int(row["version"])
    first = {**row.to_dict(), "name": "第一位编辑"}
    second = {**row.to_dict(), "name": "第二位编辑"}
    assert store.update_carrier(ADMIN, "TC031", first, version) == version + 1
    with pytest.raises(ConflictError) as refused:
        store.update_carrier(Actor("other", "admin"), "TC031", second, version)
    assert "admin" in refused.value.message("zh")
    assert store.carrier_rows().set_index("id").loc["TC031", "name"] == "第一位编辑"
    with pytest.raises(ConflictError):
        store.delete_carrier(ADMIN, "TC031", version)
    with pytest.raises(NotFoundError):
        store.delete_carrier(ADMIN, "nope", 1)
    with pytest.raises(ConflictError):
        store.add_carrier(ADMIN, {**first, "id": "TC031"})


TRICKY = ["O'Brien \"引号\" 孵化器", "<script>alert(1)</script>", "🚀 众创空间 🧪",
          "长" * 5000, "x'); DROP TABLE carriers; --", "1; DELETE FROM users WHERE '1'='1",
          "\\'; UPDATE carriers SET name='pwned' --", "Robert'); DROP TABLE changes;--"]


@pytest.mark.parametrize("text", TRICKY)
def test_every_string_comes_back_unchanged_and_injection_changes_nothing(store, text):
    before = store.carrier_rows()
    row = {**values("S1", **IN_LIUHE), "name": text, "operator": text, "industry": text,
           "level": text, "source": text}
    store.add_carrier(ADMIN, row)
    stored = store.carrier_rows().set_index("id").loc["S1"]
    for column in ("name", "operator", "industry", "level", "source"):
        assert stored[column] == text
    after = store.carrier_rows()
    assert len(after) == len(before) + 1
    pd.testing.assert_frame_equal(after[after["id"] != "S1"].reset_index(drop=True),
                                  before.reset_index(drop=True))
    assert history(store, "S1")["after"][0]["name"] == text
    with pytest.raises(NotFoundError):
        store.delete_carrier(ADMIN, text, 1)


def test_history_and_revert(store):
    row = store.carrier_rows().set_index("id").loc["TC031"].to_dict()
    store.update_carrier(LIUHE, "TC031", {**row, "floor_area_m2": "9999"}, 1)
    change = history(store, "TC031").iloc[0]
    assert (change["who"], change["action"]) == ("liuhe", "update")
    assert change["before"]["floor_area_m2"] != "9999"
    assert change["after"]["floor_area_m2"] == "9999"
    with pytest.raises(PermissionDenied):
        revert(store, LIUHE, int(change["id"]))
    revert(store, ADMIN, int(change["id"]))
    assert store.carrier_rows().set_index("id").loc["TC031", "floor_area_m2"] == row[
        "floor_area_m2"]
    assert history(store, "TC031").iloc[0]["reverts"] == change["id"]
    with pytest.raises(ConflictError):
        revert(store, ADMIN, int(change["id"]))

    store.delete_carrier(ADMIN, "TC031", 3)
    revert(store, ADMIN, int(history(store, "TC031").iloc[0]["id"]))
    assert "TC031" in set(store.carrier_rows()["id"])


def _liuhe_area(store) -> float:
    result = check(store.register(), store.boundaries(), load_targets())
    return float(result.towns.set_index("town").loc["浏河镇", "new_area_m2"])


def test_a_reverted_delete_puts_the_carrier_back_in_its_place_and_the_figures_too(
        store, tmp_path):
    """Of two probable duplicates the earlier counts: a revert must not make it the later."""
    stored = store.carrier_rows().set_index("id").loc["TC031"]
    path = tmp_path / "浏河.csv"
    path.write_text("名称,类型,经度,纬度,面积（平方米）,投用时间,状态\n"
                    f"{stored['name']},孵化器,{stored['lon']},{stored['lat']},8000,2019-05,已投用\n",
                    encoding="utf-8")
    preview = preview_import_file(store, path, LIUHE)
    assert preview.rows["status"].tolist() == ["duplicate"]
    commit_import(store, preview, LIUHE, choices={int(preview.rows["row"][0]): "new"})
    before = _liuhe_area(store)  # TC031 counts; the copy is the later, left out
    order = store.carrier_rows()["id"].tolist()
    store.delete_carrier(ADMIN, "TC031", int(store.carrier("TC031")["version"]))
    assert _liuhe_area(store) != before  # now the copy counts
    revert(store, ADMIN, int(history(store, "TC031").iloc[0]["id"]))
    assert store.carrier_rows()["id"].tolist() == order
    assert _liuhe_area(store) == before


def test_a_deleted_carriers_place_is_never_given_to_another(store):
    last = store.carrier_rows()["id"].iloc[-1]
    store.delete_carrier(ADMIN, last, int(store.carrier(last)["version"]))
    store.add_carrier(ADMIN, values("LATER", name="后来的载体", **IN_LIUHE))
    revert(store, ADMIN, int(history(store, last).iloc[0]["id"]))
    assert store.carrier_rows()["id"].tolist()[-2:] == [last, "LATER"]


def test_schema_upgrades_from_version_1_keep_the_data(tmp_path):
    from geo.store.engine import make_engines, sqlite_url
    url = sqlite_url(tmp_path / "old.db")
    engine, _ = make_engines(url)
    assert upgrade(engine, target=1) == 1
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO carriers (id, name, position) "
                                   "VALUES ('OLD1', '旧数据', 1)"))
    engine.dispose()
    store = Store(url)
    with store.reading() as connection:
        assert schema_version(connection) == SCHEMA_VERSION
        inspector = sa.inspect(connection)
        for table in metadata.tables.values():
            assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.c.keys())
    row = store.carrier_rows().set_index("id").loc["OLD1"]
    assert (row["name"], row["version"]) == ("旧数据", 1)


def test_a_database_newer_than_the_program_is_not_touched(tmp_path):
    url = Store(f"sqlite:///{tmp_path / 'new.db'}").url
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE meta SET value = 99 WHERE key = 'schema_version'"))
    engine.dispose()
    with pytest.raises(StoreUnavailable) as refused:
        Store(url)
    assert refused.value.code == "store.fault_schema_newer"
    assert "99" in refused.value.message("zh") and str(SCHEMA_VERSION) in refused.value.message(
        "en")


def test_import_preview_lists_problems_and_commit_writes_only_valid_rows(store, tmp_path):
    path = write_csv(tmp_path / "in.csv", [
        carrier("TC031", name="浏河镇科技孵化器（改）", lon="121.272", lat="31.508"),
        carrier("I2", area="-5", lon="121.272", lat="31.508"),
        carrier("I3", lon="121.272", lat="31.508"),
        carrier("I4", lon="121.055", lat="31.557"),
    ])
    version = store.data_version()
    preview = preview_import_file(store, path, LIUHE)
    assert [(p.row, p.field) for p in preview.problems] == [(3, "floor_area_m2")]
    assert list(preview.new["id"]) == ["I3"] and list(preview.changed["id"]) == ["TC031"]
    assert list(preview.refused["id"]) == ["I4"]
    assert store.data_version() == version, "a preview writes nothing"
    assert commit_import(store, preview, LIUHE).written == 2
    rows = store.carrier_rows().set_index("id")
    assert rows.loc["TC031", "name"] == "浏河镇科技孵化器（改）" and "I4" not in rows.index
    assert len(set(history(store)["batch"].dropna())) == 2, "the seed and this import"


def test_a_stale_import_is_refused_whole(store, tmp_path):
    path = write_csv(tmp_path / "in.csv", [
        carrier("TC031", name="导入版本", lon="121.272", lat="31.508"),
        carrier("I9", lon="121.272", lat="31.508")])
    preview = preview_import(store, read_table(path), ADMIN)
    row = store.carrier_rows().set_index("id").loc["TC031"].to_dict()
    store.update_carrier(LIUHE, "TC031", {**row, "name": "别人先改了"}, 1)
    before = store.carrier_rows()
    with pytest.raises(ConflictError, match="TC031"):
        commit_import(store, preview, ADMIN)
    pd.testing.assert_frame_equal(store.carrier_rows(), before)


def test_only_administrators_replace_boundaries(store):
    with pytest.raises(PermissionDenied):
        store.replace_boundaries(LIUHE, store.boundaries())
    store.replace_boundaries(SYSTEM, store.boundaries())
    assert history(store).iloc[0]["action"] == "boundaries"


def test_an_import_without_some_columns_keeps_their_stored_values(store, tmp_path):
    path = tmp_path / "partial.csv"
    path.write_text("编号,名称,类型,经度,纬度,面积,投用时间,状态\n"
                    "TC031,浏河镇科技孵化器,孵化器,121.272,31.508,6500,2018-10,已投用\n",
                    encoding="utf-8")
    before = store.carrier("TC031")
    commit_import(store, preview_import_file(store, path, ADMIN), ADMIN)
    after = store.carrier("TC031")
    assert after["floor_area_m2"] == "6500"
    assert (after["source"], after["operator"]) == (before["source"], before["operator"])


def test_postgis_where_installed_places_points_as_geopandas_does(store):
    if not store.postgis:
        pytest.skip("no PostGIS here: only a PostgreSQL database with the postgis extension "
                    "gets the geometry column")
    register = store.register()
    located = check(register, store.boundaries(), load_targets()).carriers
    placed = located[located["has_point"] & located["town"].notna()]
    with store.reading() as connection:
        for row in placed.itertuples():
            town = connection.execute(sa.text(
                "SELECT name FROM boundaries WHERE ST_Contains(geom, "
                "ST_SetSRID(ST_Point(:lon, :lat), 4326))"), {"lon": row.lon, "lat": row.lat}
            ).scalars().all()
            assert town == [row.town]


def _forged(rows: list[dict]) -> ImportPreview:
    """An import preview built by hand, as a caller could: nothing in it is trusted."""
    base = {"row": 2, "status": "new", "id": None, "name": None, "town": None,
            "has_point": True, "match_id": None, "match_name": None, "match_town": None,
            "match_why": None, "changes": [], "values": None, "new_values": None,
            "version": None, "message": None}
    return ImportPreview(source="forged", rows=pd.DataFrame([{**base, **r} for r in rows]),
                         problems=[])


def test_a_forged_import_preview_is_checked_again_and_writes_nothing(store):
    before, changes_before = store.carrier_rows(), len(history(store, limit=None))
    shaxi = store.carrier_rows().set_index("id")
    shaxi_id = next(i for i in shaxi.index if shaxi.loc[i, "town"] == "沙溪镇")
    other_town = values("F1", **IN_SHAXI)
    with pytest.raises(PermissionDenied, match="沙溪镇"):
        commit_import(store, _forged([{"id": "F1", "new_values": other_town}]), LIUHE)
    with pytest.raises(ValidationFailed) as invalid:
        commit_import(store, _forged([{"id": "F2", "new_values": values(
            "F2", floor_area_m2="很多", **IN_LIUHE)}]), LIUHE)
    assert [p.field for p in invalid.value.problems] == ["floor_area_m2"]
    with pytest.raises(PermissionDenied, match="沙溪镇"):  # a stored carrier of another town
        commit_import(store, _forged([{"status": "changed", "match_id": shaxi_id, "version": 1,
                                       "values": {**shaxi.loc[shaxi_id].to_dict(),
                                                  "id": shaxi_id, **IN_LIUHE}}]), LIUHE)
    with pytest.raises(ConflictError):  # no version seen: never written blindly
        commit_import(store, _forged([{"status": "changed", "match_id": "TC031",
                                       "values": values("TC031", **IN_LIUHE)}]), ADMIN)
    with pytest.raises(ValidationFailed):  # one id twice
        commit_import(store, _forged([{"id": "F3", "new_values": values("F3", **IN_LIUHE)},
                                      {"id": "F3", "new_values": values("F3", **IN_LIUHE)}]),
                      ADMIN)
    pd.testing.assert_frame_equal(store.carrier_rows(), before)
    assert len(history(store, limit=None)) == changes_before


def test_saving_what_is_stored_writes_nothing(store):
    row = store.carrier("TC031")
    version, data_version = int(row["version"]), store.data_version()
    changes_before = len(history(store, "TC031"))
    assert row["crs"] is None
    same = {**row, "crs": "   ", "id": "ＴＣ０３１"}  # blank is None; the id in full width
    assert store.update_carrier(LIUHE, "TC031", same, version) == version
    assert int(store.carrier("TC031")["version"]) == version, "no new version"
    assert len(history(store, "TC031")) == changes_before, "no history entry"
    assert store.data_version() == data_version, "no reader reloads for nothing"
    assert store.update_carrier(LIUHE, "TC031", {**row, "name": "新名称"}, version) == version + 1


def test_settings_read_settings_and_open_no_store(tmp_path):
    script = ("import sys; from geo.settings import data_paths, store_url; "
              f"paths = data_paths({{'CARRIER_MAP_DB_PATH': {str(tmp_path / 'new' / 'x.db')!r}}}); "
              "print(paths.store_url); print(sorted(m for m in sys.modules "
              "if m.startswith('geo.store')))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)
    url, modules = done.stdout.splitlines()
    assert url == f"sqlite:///{tmp_path / 'new' / 'x.db'}"
    assert modules == "[]", "reading settings imports no part of the store"
    assert not (tmp_path / "new").exists(), "reading settings creates nothing"
    from geo.store.setup import store_url
    assert store_url({"CARRIER_MAP_DATABASE_URL": "postgresql://h/db"}) == "postgresql://h/db"


def test_store_upgrade_stores_the_configured_towns(tmp_path, monkeypatch, capsys):
    """``store upgrade`` seeds a new database with CARRIER_MAP_BOUNDARIES, as the dashboard does."""
    from geo.cli import main
    from geo.store.setup import open_store
    from tests.conftest import square_towns

    towns = tmp_path / "towns.geojson"
    square_towns().to_file(towns, driver="GeoJSON")
    monkeypatch.setenv("CARRIER_MAP_BOUNDARIES", str(towns))
    database = tmp_path / "new.db"
    assert main(["store", "upgrade", "--database-url", f"sqlite:///{database}"]) == 0
    stored = open_store(f"sqlite:///{database}", seed=False).boundaries().towns["name"]
    assert sorted(stored) == sorted(square_towns()["name"])


@pytest.fixture(params=BACKENDS)
def new_database(request, tmp_path) -> str:
    return database_url(request.param, tmp_path)


def test_a_first_start_that_failed_leaves_the_store_to_be_seeded_by_the_next(new_database,
                                                                           tmp_path):
    broken = tmp_path / "carriers.csv"
    broken.write_text("这不是台账\n", encoding="utf-8")
    with pytest.raises(InputFileError):
        open_store(new_database, carriers=broken)
    with pytest.raises(InputFileError):
        open_store(new_database, boundaries=tmp_path / "没有这个文件.geojson")
    store = open_store(new_database)
    assert len(store.carrier_rows()) == 52 and len(store.boundaries().names) == 9


def test_a_seed_that_died_half_way_is_taken_over_once_stale_never_while_fresh(new_database):
    from geo.store.schema import meta
    from geo.store.setup import SEEDING_STALE_S

    store = open_store(new_database, seed=False)
    claimed = int(time.time())
    with store.writing(register_changes=False) as connection:
        connection.execute(sa.insert(meta).values(key="seeding", value=claimed))
    assert open_store(new_database).carrier_rows().empty  # another process is seeding now
    with store.writing(register_changes=False) as connection:
        connection.execute(sa.update(meta).where(meta.c.key == "seeding").values(
            value=claimed - SEEDING_STALE_S - 1))
    assert len(open_store(new_database).carrier_rows()) == 52
    assert len(open_store(new_database).carrier_rows()) == 52  # seeded once only


def test_a_generated_id_is_never_one_the_file_has_or_a_deleted_carrier_had(store, tmp_path):
    header = "编号,名称,类型,经度,纬度,面积（平方米）,投用时间,状态\n"
    first = tmp_path / "导出加新增.csv"
    first.write_text(header + "浏河镇-0001,浏河甲孵化器,孵化器,121.31,31.5347,5500,2018-10,已投用\n"
                     ",浏河新众创空间,众创空间,121.2698,31.5377,3000,2019-08,已投用\n",
                     encoding="utf-8")
    commit_import(store, preview_import_file(store, first, ADMIN), ADMIN)
    assert store.carrier("浏河镇-0002")["name"] == "浏河新众创空间"
    store.delete_carrier(ADMIN, "浏河镇-0002", 1)
    deleted = int(history(store, "浏河镇-0002").iloc[0]["id"])
    later = tmp_path / "后来.csv"
    later.write_text(header + ",浏河丙众创空间,众创空间,121.2898,31.5192,800,2020-01,已投用\n",
                     encoding="utf-8")
    commit_import(store, preview_import_file(store, later, ADMIN), ADMIN)
    assert store.carrier("浏河镇-0003")["name"] == "浏河丙众创空间"
    revert(store, ADMIN, deleted)
    assert store.carrier("浏河镇-0002")["name"] == "浏河新众创空间"


def test_two_towns_numbering_from_1_are_told_what_the_id_names(store, tmp_path):
    header = "编号,名称,类型,镇区,经度,纬度,面积（平方米）,投用时间,状态\n"
    shaxi = tmp_path / "沙溪.csv"
    shaxi.write_text(header + "1,沙溪甲孵化器,孵化器,沙溪镇,121.0319,31.5589,6000,2019-03,已投用\n",
                     encoding="utf-8")
    commit_import(store, preview_import_file(store, shaxi, ADMIN), ADMIN)
    liuhe = tmp_path / "浏河.csv"
    liuhe.write_text(header + "1,浏河甲孵化器,孵化器,浏河镇,121.31,31.5347,7000,2018-10,已投用\n",
                     encoding="utf-8")
    [refused] = preview_import_file(store, liuhe, LIUHE).rows["message"]
    assert refused.code == "import.refused_stored"
    assert "沙溪镇的载体“沙溪甲孵化器”" in refused.message() and "换一个编号" in refused.message()
    preview = preview_import_file(store, liuhe, ADMIN)
    assert preview.rows["status"].tolist() == ["changed"]
    [warning] = preview.rows["message"]
    assert (warning.code, warning.severity) == ("import.id_other_carrier", "warning")
    assert "沙溪镇的“沙溪甲孵化器”" in warning.message()
    assert "浏河镇的“浏河甲孵化器”" in warning.message()


def test_a_seeded_store_starts_without_its_seed_files(new_database, tmp_path):
    open_store(new_database)
    gone = tmp_path / "已删除.csv"
    store = open_store(new_database, carriers=gone, boundaries=tmp_path / "已删除.geojson")
    assert len(store.carrier_rows()) == 52
