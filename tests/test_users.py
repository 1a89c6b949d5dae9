"""Accounts: salted argon2 hashes, rate-limited logins, identity from a proxy or OIDC."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from geo import translate
from geo.store import Actor, PermissionDenied, ValidationFailed
from geo.store.engine import sqlite_url
from geo.store.identity import actor_from_header, actor_from_oidc, auth_settings
from geo.store.schema import users
from geo.store.setup import SYSTEM, open_store
from geo.store.users import (
    LOCK_MINUTES,
    MAX_FAILURES,
    MIN_PASSWORD_LENGTH,
    LoginFailed,
    actor_for,
    add_user,
    authenticate,
    has_password,
    list_users,
    set_password,
)
from tests.conftest import REPO
from tests.store_fixtures import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    opened = open_store(database_url(request.param, tmp_path))  # seeded: towns are checked
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
    assert LoginFailed().message("zh") in [e.value for e in app.error]
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


@pytest.mark.parametrize("backend", BACKENDS)
def test_parallel_wrong_passwords_are_all_counted_and_lock_the_account(backend, tmp_path,
                                                                       monkeypatch):
    store = open_store(database_url(backend, tmp_path), seed=False)
    # A cheap hash keeps 2 × MAX_FAILURES parallel checks light; the counting is what is tested.
    monkeypatch.setattr("geo.store.users._HASHER",
                        PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
    add_user(store, SYSTEM, "a", "viewer", password="correct horse")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    attempts = 2 * MAX_FAILURES
    together = threading.Barrier(attempts)

    def wrong(_: int) -> str:
        together.wait(timeout=30)
        with pytest.raises(LoginFailed) as failed:
            authenticate(store, "a", "a wrong guess", now=now)
        return failed.value.code

    with ThreadPoolExecutor(attempts) as pool:
        assert set(pool.map(wrong, range(attempts))) == {"login.failed"}
    with store.reading() as connection:
        locked = connection.execute(sa.select(users.c.locked_until).where(
            users.c.username == "a")).scalar_one()
    assert locked is not None, "the account is locked"
    with pytest.raises(LoginFailed):
        authenticate(store, "a", "correct horse", now=now + dt.timedelta(minutes=1))
    later = now + dt.timedelta(minutes=LOCK_MINUTES + 1)
    assert authenticate(store, "a", "correct horse", now=later).username == "a"
    store.close()


def test_a_locked_account_and_an_unknown_name_get_the_same_answer(store):
    add_user(store, SYSTEM, "a", "viewer", password="correct horse")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    answers = {}
    for name in ("a", "nobody"):
        for _ in range(MAX_FAILURES + 1):
            with pytest.raises(LoginFailed) as failed:
                authenticate(store, name, "guess", now=now)
        answers[name] = (failed.value.code, failed.value.message("zh"), failed.value.message("en"))
    assert answers["a"] == answers["nobody"]
    assert "锁定" in answers["a"][1] and str(LOCK_MINUTES) in answers["a"][2]


def _cli(url: str, *argv: str, stdin: str = "") -> int:
    import io
    import sys

    from geo.cli import main
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main([*argv, "--database-url", url])
    finally:
        sys.stdin = old


@pytest.fixture
def cli_url(tmp_path) -> str:
    url = sqlite_url(tmp_path / "cli.db")
    open_store(url).close()  # seeded: it has the towns
    return url


def test_users_add_refuses_a_blank_name(cli_url, capsys):
    for name in ("", "   "):
        assert _cli(cli_url, "users", "add", name, "--role", "viewer", "--no-password") == 2
        assert "用户名不能为空" in capsys.readouterr().err
    assert list_users(open_store(cli_url, seed=False)).empty


def test_no_password_never_keeps_an_old_password_silently(cli_url, capsys):
    assert _cli(cli_url, "users", "add", "wang", "--role", "viewer", "--password-stdin",
                stdin="a long password\n") == 0
    assert _cli(cli_url, "users", "add", "wang", "--role", "admin", "--no-password") == 2
    err = capsys.readouterr().err
    assert "wang" in err and "--clear-password" in err and "passwd" in err
    store = open_store(cli_url, seed=False)
    assert authenticate(store, "wang", "a long password").role == "viewer", "nothing changed"
    assert _cli(cli_url, "users", "add", "wang", "--role", "viewer", "--clear-password") == 0
    assert "本地密码" in capsys.readouterr().out
    assert not has_password(store, "wang")
    with pytest.raises(LoginFailed):
        authenticate(store, "wang", "a long password")
    assert _cli(cli_url, "users", "add", "li", "--role", "viewer", "--no-password") == 0


def test_users_add_resolves_a_town_or_lists_the_valid_ones(cli_url, capsys):
    assert _cli(cli_url, "users", "add", "liuhe", "--role", "town_editor", "--town", "浏河",
                "--no-password") == 0
    assert open_store(cli_url, seed=False).boundaries().resolve("浏河") == "浏河镇"
    assert actor_for(open_store(cli_url, seed=False), "liuhe").towns == {"浏河镇"}
    assert _cli(cli_url, "users", "add", "x", "--role", "town_editor", "--town", "火星镇",
                "--no-password") == 2
    err = capsys.readouterr().err
    assert "火星镇" in err and "浏河镇" in err and "沙溪镇" in err
    assert actor_for(open_store(cli_url, seed=False), "x") is None


def test_a_town_cannot_be_checked_before_the_towns_are_stored(tmp_path):
    store = open_store(sqlite_url(tmp_path / "empty.db"), seed=False)
    with pytest.raises(ValidationFailed) as refused:
        add_user(store, SYSTEM, "liuhe", "town_editor", ["浏河镇"])
    assert "store upgrade" in refused.value.message("zh")


def test_the_password_minimum_holds_wherever_a_password_is_set(store):
    for short in ("", "1234567"):
        with pytest.raises(ValidationFailed, match=str(MIN_PASSWORD_LENGTH)):
            add_user(store, SYSTEM, "a", "viewer", password=short)
    add_user(store, SYSTEM, "a", "viewer", password="x" * MIN_PASSWORD_LENGTH)
    with pytest.raises(ValidationFailed):
        set_password(store, SYSTEM, "a", "short")
    with pytest.raises(ValidationFailed):
        set_password(store, Actor("a", "viewer"), "a", "short")
    assert authenticate(store, "a", "x" * MIN_PASSWORD_LENGTH).username == "a"


def test_passwd_for_an_unknown_user_exits_2_without_asking(cli_url, capsys):
    assert _cli(cli_url, "users", "passwd", "ghost", "--password-stdin") == 2
    assert "ghost" in capsys.readouterr().err
