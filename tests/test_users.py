"""Accounts: salted argon2 hashes, rate-limited logins, identity from a proxy or OIDC."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from geo import translate
from geo.store import Actor, PermissionDenied
from geo.store.engine import sqlite_url
from geo.store.identity import actor_from_header, actor_from_oidc, auth_settings
from geo.store.schema import users
from geo.store.setup import SYSTEM, open_store
from geo.store.users import (
    LOCK_MINUTES,
    MAX_FAILURES,
    LoginFailed,
    add_user,
    authenticate,
    list_users,
)
from tests.conftest import REPO
from tests.store_fixtures import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    opened = open_store(database_url(request.param, tmp_path), seed=False)
    yield opened
    opened.close()


def test_passwords_are_stored_only_as_salted_argon2_hashes(store):
    add_user(store, SYSTEM, "a", "admin", password="correct horse")
    add_user(store, SYSTEM, "b", "admin", password="correct horse")
    with store.reading() as connection:
        hashes = connection.execute(sa.select(users.c.password_hash)).scalars().all()
    assert all(h.startswith("$argon2id$") and "correct horse" not in h for h in hashes)
    assert hashes[0] != hashes[1], "each hash has its own salt"
    assert authenticate(store, "a", "correct horse") == Actor("a", "admin")


def test_wrong_password_and_unknown_user_get_the_same_answer(store):
    add_user(store, SYSTEM, "a", "viewer", password="correct horse")
    for name, password in (("a", "wrong"), ("nobody", "wrong")):
        with pytest.raises(LoginFailed) as failed:
            authenticate(store, name, password)
        assert failed.value.code == "login.failed"


def test_repeated_failures_lock_the_account_for_a_while(store):
    add_user(store, SYSTEM, "a", "viewer", password="correct horse")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginFailed):
            authenticate(store, "a", "guess", now=now)
    with pytest.raises(LoginFailed, match="锁定"):
        authenticate(store, "a", "guess", now=now)
    with pytest.raises(LoginFailed, match="锁定"):
        authenticate(store, "a", "correct horse", now=now)
    later = now + dt.timedelta(minutes=LOCK_MINUTES + 1)
    assert authenticate(store, "a", "correct horse", now=later).username == "a"


def test_only_administrators_manage_accounts(store):
    with pytest.raises(PermissionDenied):
        add_user(store, Actor("e", "town_editor", frozenset({"浏河镇"})), "x", "admin",
                 password="p" * 10)
    add_user(store, SYSTEM, "e", "town_editor", ["浏河镇", "沙溪镇"])
    assert list_users(store).set_index("username").loc["e", "towns"] == "沙溪镇、浏河镇"


def test_identity_from_a_trusted_header_or_the_identity_provider(store):
    add_user(store, SYSTEM, "wang@taicang.gov.cn", "town_editor", ["浏河镇"])
    header = {"X-Remote-User": "wang@taicang.gov.cn"}
    assert actor_from_header(store, header, None) is None, "untrusted unless configured"
    assert actor_from_header(store, header, "x-remote-user").role == "town_editor"
    assert actor_from_header(store, {"X-Remote-User": "li"}, "X-Remote-User").role == "viewer"
    assert actor_from_oidc(store, {"is_logged_in": False}) is None
    assert actor_from_oidc(store, {"is_logged_in": True,
                                   "email": "wang@taicang.gov.cn"}).towns == {"浏河镇"}
    assert auth_settings({}).mode == "local" and not auth_settings({}).login_to_view
    with pytest.raises(ValueError, match="TRUSTED_HEADER"):
        auth_settings({"CARRIER_MAP_AUTH": "header"})


def test_users_command_creates_the_first_administrator(tmp_path, capsys, monkeypatch):
    import io

    from geo.cli import main
    url = sqlite_url(tmp_path / "cli.db")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["users", "add", "root", "--role", "admin", "--password-stdin",
                 "--database-url", url]) == 0
    assert authenticate(open_store(url, seed=False), "root", "a long password").role == "admin"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "x", "--role", "admin", "--password-stdin",
                 "--database-url", url]) == 2


def _data_page(private_store) -> AppTest:
    store = open_store(sqlite_url(private_store))
    add_user(store, SYSTEM, "liuhe", "town_editor", ["浏河镇"], "liuhe-password")
    add_user(store, SYSTEM, "boss", "admin", password="boss-password")
    add_user(store, SYSTEM, "leader", "viewer", password="leader-password")
    store.close()
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["lang"] = "zh"
    app.run()
    return app.switch_page("views/data.py").run()


def _sign_in(app: AppTest, user: str, password: str) -> AppTest:
    app.text_input[0].input(user)
    app.text_input[1].input(password)
    return app.button[0].click().run()


def test_data_page_signs_in_and_shows_what_the_role_allows(private_store):
    app = _data_page(private_store)
    assert translate("auth.needed", "zh") in [i.value for i in app.info]
    assert [t.label for t in app.tabs] == [translate("data.tab_export", "zh"),
                                          translate("data.tab_history", "zh")]
    _sign_in(app, "liuhe", "wrong")
    assert translate("login.failed", "zh") in [e.value for e in app.error]
    app = _data_page(private_store)
    _sign_in(app, "liuhe", "liuhe-password")
    assert not app.exception
    assert [t.label for t in app.tabs][:2] == [translate("data.tab_edit", "zh"),
                                              translate("data.tab_import", "zh")]


def test_viewer_gets_no_editing(private_store):
    app = _sign_in(_data_page(private_store), "leader", "leader-password")
    assert translate("data.viewer", "zh") in [i.value for i in app.info]
    assert translate("data.tab_edit", "zh") not in [t.label for t in app.tabs]
    downloads = app.get("download_button")
    assert len(downloads) == 3, "CSV, Excel and GeoJSON exports"
