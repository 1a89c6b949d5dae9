"""The Data page under AppTest on a temporary SQLite store: every flow ends in the store.

Each test acts as a user would (sign in, edit the grid, confirm, revert,
upload) and then reads the store: the page's message alone proves nothing.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo import translate
from geo.store.history import history
from tests.conftest import SQUARES, square_towns
from tests.test_app import _data_store, _edit, _history_table, _save, _signed_in, shown


def _click(app: AppTest, label: str) -> AppTest:
    app = next(b for b in app.button if b.label == label).click().run()
    assert not app.exception, app.exception
    return app


def test_an_edit_saves_the_new_value_and_a_new_version(private_store):
    store = _data_store(private_store)
    before = store.carrier("TC031")
    app = _save(_edit(_signed_in("liuhe", "liuhe-password"), {"TC031": {"floor_area_m2": "13579"}}))
    after = store.carrier("TC031")
    assert after["floor_area_m2"] == "13579"
    assert int(after["version"]) == int(before["version"]) + 1
    assert after["updated_by"] == "liuhe"
    assert [s.value for s in app.success] == [translate("data.saved", "zh", added=0, changed=1,
                                                        deleted=0)]


def test_an_edit_that_leaves_the_values_as_stored_is_not_a_change(private_store):
    store = _data_store(private_store)
    before = store.carrier("TC031")
    changes = len(history(store, limit=None))
    app = _save(_edit(_signed_in("liuhe", "liuhe-password"),
                      {"TC031": {"name": f" {before['name']} ",
                                 "floor_area_m2": before["floor_area_m2"]}}))
    assert translate("data.nothing", "zh") in [i.value for i in app.info]
    assert not app.success and not app.error
    assert store.carrier("TC031") == before, "no new version, no new text"
    assert len(history(store, limit=None)) == changes, "no line in the history"


def test_a_confirmed_delete_removes_the_carrier(private_store):
    store = _data_store(private_store)
    app = _signed_in("liuhe", "liuhe-password")
    grid = app.data_editor[0]
    row = list(grid.value.index).index("TC033")
    app.session_state[grid.key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [row]}
    app = _save(app.run())
    assert store.carrier("TC033") is not None, "not deleted before it is confirmed"
    assert translate("data.delete_unconfirmed", "zh", count=1) in [w.value for w in app.warning]
    confirm = translate("data.confirm_delete", "zh", count=1, ids="TC033")
    app = next(c for c in app.checkbox if c.label == confirm).check().run()
    app = _save(app)
    assert store.carrier("TC033") is None
    assert [s.value for s in app.success] == [translate("data.saved", "zh", added=0, changed=0,
                                                        deleted=1)]
    assert history(store, limit=1)["action"].iloc[0] == "delete"


def test_the_administrator_reverts_a_change_and_the_old_value_is_back(private_store):
    store = _data_store(private_store)
    _save(_edit(_signed_in("liuhe", "liuhe-password"), {"TC032": {"floor_area_m2": "2468"}}))
    assert store.carrier("TC032")["floor_area_m2"] == "2468"
    change = int(history(store, limit=1)["id"].iloc[0])
    app = _signed_in("boss", "boss-password")
    app.number_input[0].set_value(change)
    app = _click(app, translate("data.revert_button", "zh"))
    assert [shown(s.value) for s in app.success] == [translate("data.reverted", "zh",
                                                               change=change)]
    reverted = store.carrier("TC032")
    original = history(store, limit=None).set_index("id").loc[change, "before"]
    assert reverted["floor_area_m2"] == original["floor_area_m2"] != "2468"
    assert int(history(store, limit=1)["reverts"].iloc[0]) == change


def test_a_town_editor_is_offered_no_revert(private_store):
    _data_store(private_store)
    app = _signed_in("liuhe", "liuhe-password")
    assert translate("data.revert_button", "zh") not in [b.label for b in app.button]
    assert not app.number_input


def _towns_geojson() -> bytes:
    return square_towns().to_json().encode("utf-8")


def test_the_administrator_replaces_the_boundaries_from_an_upload(private_store):
    store = _data_store(private_store)
    app = _signed_in("boss", "boss-password")
    app.file_uploader(key="boundary_upload").set_value(
        ("乡镇界.geojson", _towns_geojson(), "application/geo+json"))
    app = app.run()
    assert not app.exception, app.exception
    app = _click(app, translate("data.boundaries_commit", "zh"))
    assert store.boundaries().names == list(SQUARES)
    assert [s.value for s in app.success] == [translate("data.boundaries_done", "zh")]
    assert history(store, limit=1)["action"].iloc[0] == "boundaries"


@pytest.mark.parametrize(("name", "content"), [
    ("乡镇界.geojson", b"this is not geojson"),
    ("乡镇界.zip", b"PK\x03\x04 broken"),
])
def test_a_bad_boundary_file_is_explained_and_changes_nothing(private_store, name, content):
    store = _data_store(private_store)
    towns = store.boundaries().names
    changes = len(history(store, limit=None))
    app = _signed_in("boss", "boss-password")
    app.file_uploader(key="boundary_upload").set_value((name, content, "application/octet-stream"))
    app = app.run()
    assert not app.exception, app.exception
    assert any(name in shown(e.value) for e in app.error), [e.value for e in app.error]
    assert translate("data.boundaries_commit", "zh") not in [b.label for b in app.button]
    assert store.boundaries().names == towns
    assert len(history(store, limit=None)) == changes


def test_a_failing_export_is_said_in_its_place_and_the_rest_still_shows(private_store,
                                                                         monkeypatch):
    import dashboard.editing

    def broken(*args, **kwargs):
        raise ValueError("openpyxl refused a character")

    monkeypatch.setattr(dashboard.editing, "to_xlsx_bytes", broken)
    _data_store(private_store)
    app = _signed_in("liuhe", "liuhe-password")
    keys = {button.key for button in app.get("download_button")}
    assert {"export_csv", "export_geojson"} <= keys and "export_xlsx" not in keys
    assert [shown(e.value) for e in app.error] == [
        translate("download.failed", "zh", file="carriers.xlsx")]
    assert "openpyxl" not in " ".join(e.value for e in app.error), "no internals for users"
    details = _history_table(app)[translate("col.details", "zh")].tolist()
    assert "初始数据：导入 52 个载体" in details, "the history below still shows"


def test_the_page_takes_rights_from_the_account_not_from_the_role_name(private_store,
                                                                       monkeypatch):
    """Rights changed in :class:`geo.store.Actor` alone change what the page offers."""
    from geo.store import Actor

    store = _data_store(private_store)
    monkeypatch.setattr(Actor, "may_edit_town", lambda self, town: town == "沙溪镇")
    grid = _signed_in("liuhe", "liuhe-password").data_editor[0].value
    shaxi = store.locate_rows(store.carrier_rows()) == "沙溪镇"
    assert set(grid.index) == set(store.carrier_rows()["id"][shaxi.to_numpy()]) != set()

    monkeypatch.setattr(Actor, "may_administer", lambda self: False)
    app = _signed_in("boss", "boss-password")
    assert translate("data.revert_button", "zh") not in [b.label for b in app.button]
    uploads = [u.key for u in app.file_uploader]
    assert "register_upload_0" in uploads and "boundary_upload" not in uploads
