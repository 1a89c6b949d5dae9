"""Session tokens: signed, expiring, ended by sign-out, a new password or removing the account."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from geo import translate
from geo.store import Actor, NotFoundError, PermissionDenied
from geo.store.engine import make_engines, sqlite_url
from geo.store.schema import SCHEMA_VERSION, schema_version, signing_keys, upgrade, users
from geo.store.sessions import (
    DEFAULT_HOURS,
    SessionSettings,
    end_session,
    session_settings,
    start_session,
    verify_token,
)
from geo.store.setup import SYSTEM, open_store
from geo.store.users import (
    LoginFailed,
    add_user,
    home_town,
    remove_user,
    session_account,
    set_password,
)
from tests.conftest import REPO
from tests.store_fixtures import BACKENDS, database_url

PASSWORD = "liuhe-password"
SETTINGS = SessionSettings()
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    opened = open_store(database_url(request.param, tmp_path))  # seeded: towns are checked
    add_user(opened, SYSTEM, "liuhe", "town_editor", ["浏河镇"], PASSWORD)
    add_user(opened, SYSTEM, "shaxi", "town_editor", ["沙溪镇"], "shaxi-password")
    yield opened
    opened.close()


def _sign_in(store, now: dt.datetime = NOW, settings: SessionSettings = SETTINGS) -> str:
    return start_session(store, "liuhe", PASSWORD, settings, now=now).token


def _payload(token: str) -> bytes:
    payload = token.split(".")[0]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def test_a_token_signs_the_user_in_with_role_and_towns_read_afresh(store):
    session = start_session(store, "liuhe", PASSWORD, SETTINGS, now=NOW)
    assert session.actor == Actor("liuhe", "town_editor", frozenset({"浏河镇"}))
    assert session.expires == NOW + dt.timedelta(hours=DEFAULT_HOURS)
    assert verify_token(store, session.token, SETTINGS, now=NOW) == session.actor
    add_user(store, SYSTEM, "liuhe", "town_editor", ["浏河镇", "璜泾镇"])  # no new password
    assert verify_token(store, session.token, SETTINGS, now=NOW).towns == {"浏河镇", "璜泾镇"}


def test_a_wrong_password_gets_no_token(store):
    with pytest.raises(LoginFailed):
        start_session(store, "liuhe", "wrong password", SETTINGS, now=NOW)


def test_the_token_holds_neither_the_password_nor_its_hash(store):
    token = _sign_in(store)
    with store.reading() as connection:
        hashed = connection.execute(sa.select(users.c.password_hash).where(
            users.c.username == "liuhe")).scalar_one()
    username, expires, stamp = json.loads(_payload(token))
    assert (username, expires) == ("liuhe", int((NOW + SETTINGS.lifetime).timestamp()))
    for text in (token, _payload(token).decode()):
        assert PASSWORD not in text and hashed not in text and "argon2" not in text
    assert stamp == session_account(store, "liuhe")[1]
    session = start_session(store, "liuhe", PASSWORD, SETTINGS)
    assert session.token not in repr(session), "no token in logs and tracebacks"


def test_a_tampered_or_foreign_token_is_refused(store):
    token = _sign_in(store)
    payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    other = start_session(store, "shaxi", "shaxi-password", SETTINGS, now=NOW).token
    claims = json.loads(_payload(other))
    claims[0] = "liuhe"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for bad in (f"{payload}.{flipped}", f"{forged}.{other.split('.')[1]}", payload, "",
                None, f"{payload}.{signature}.x", f"{payload}.{signature}=", "a.b", "é.é",
                "x" * 5000):
        assert verify_token(store, bad, SETTINGS, now=NOW) is None, bad
    foreign = SessionSettings(secret="another deployment's secret, 32+ characters long")
    assert verify_token(store, token, foreign, now=NOW) is None
    assert verify_token(store, token, SETTINGS, now=NOW) is not None


def test_a_token_expires_after_the_configured_hours(store):
    two_hours = SessionSettings(hours=2)
    token = _sign_in(store, settings=two_hours)
    assert verify_token(store, token, two_hours, now=NOW + dt.timedelta(minutes=119))
    assert verify_token(store, token, two_hours, now=NOW + dt.timedelta(hours=2)) is None
    long_lived = _sign_in(store, settings=SessionSettings(hours=24))
    assert verify_token(store, long_lived, two_hours, now=NOW) is None, \
        "a token never outlives a lifetime since shortened"


def test_signing_out_ends_every_session_of_the_user_only(store):
    first, second = _sign_in(store), _sign_in(store)
    other = start_session(store, "shaxi", "shaxi-password", SETTINGS, now=NOW).token
    end_session(store, first, SETTINGS, now=NOW)
    assert verify_token(store, first, SETTINGS, now=NOW) is None
    assert verify_token(store, second, SETTINGS, now=NOW) is None
    assert verify_token(store, other, SETTINGS, now=NOW).username == "shaxi"
    again = _sign_in(store)
    assert verify_token(store, again, SETTINGS, now=NOW).username == "liuhe"


def test_an_expired_or_bad_token_cannot_sign_anyone_out(store):
    current = _sign_in(store)
    old = _sign_in(store, now=NOW - dt.timedelta(days=2))
    for token in (old, current[:-3] + "abc", None):
        end_session(store, token, SETTINGS, now=NOW)
    assert verify_token(store, current, SETTINGS, now=NOW) is not None


@pytest.mark.parametrize("change", ["set_password", "own_password", "add_user", "remove"])
def test_a_new_password_or_removing_the_account_ends_its_sessions(store, change):
    token = _sign_in(store)
    if change == "set_password":
        set_password(store, SYSTEM, "liuhe", "a new password")
    elif change == "own_password":
        set_password(store, Actor("liuhe", "town_editor", frozenset({"浏河镇"})), "liuhe",
                     "a new password")
    elif change == "add_user":
        add_user(store, SYSTEM, "liuhe", "town_editor", ["浏河镇"], "a new password")
    else:
        remove_user(store, SYSTEM, "liuhe")
        add_user(store, SYSTEM, "liuhe", "town_editor", ["浏河镇"], PASSWORD)  # same name again
    assert verify_token(store, token, SETTINGS, now=NOW) is None


def test_an_account_added_without_a_stamp_gets_one_on_signing_in(store):
    with store.writing(register_changes=False) as connection:
        connection.execute(sa.update(users).values(session_stamp=None))
    token = _sign_in(store)
    assert verify_token(store, token, SETTINGS, now=NOW).username == "liuhe"
    assert session_account(store, "shaxi")[1], "reading the account gives it a stamp"


def test_only_administrators_remove_accounts(store):
    with pytest.raises(PermissionDenied):
        remove_user(store, Actor("liuhe", "town_editor", frozenset({"浏河镇"})), "shaxi")
    with pytest.raises(NotFoundError, match="nobody"):
        remove_user(store, SYSTEM, "nobody")
    with pytest.raises(NotFoundError, match="nobody"):
        set_password(store, SYSTEM, "nobody", "a new password")
    remove_user(store, Actor("boss", "admin"), "shaxi")
    assert session_account(store, "shaxi") is None


def test_the_stored_key_is_made_once_and_shared_by_every_process(store):
    token = _sign_in(store)
    second = open_store(store.url, seed=False)  # another server process on the same database
    try:
        assert verify_token(second, token, SETTINGS, now=NOW).username == "liuhe"
    finally:
        second.close()
    with store.reading() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(signing_keys)
                                  ).scalar_one() == 1


def test_a_configured_secret_signs_instead_of_the_stored_key(store):
    configured = session_settings({"CARRIER_MAP_SESSION_SECRET": "s" * 40})
    token = _sign_in(store, settings=configured)
    assert verify_token(store, token, configured, now=NOW).username == "liuhe"
    assert verify_token(store, token, SETTINGS, now=NOW) is None
    assert "s" * 40 not in repr(configured)


def test_session_settings_are_checked():
    assert session_settings({}) == SessionSettings(hours=8.0, secret=None)
    assert session_settings({"CARRIER_MAP_SESSION_HOURS": "0.5"}).lifetime == \
        dt.timedelta(minutes=30)
    for hours in ("0", "-1", "eight", "nan", "1e9"):
        with pytest.raises(ValueError, match="CARRIER_MAP_SESSION_HOURS"):
            session_settings({"CARRIER_MAP_SESSION_HOURS": hours})
    with pytest.raises(ValueError, match="at least 32"):
        session_settings({"CARRIER_MAP_SESSION_SECRET": "short"})


def test_a_town_editor_opens_on_their_own_town():
    names = ["城厢镇", "沙溪镇", "浏河镇"]
    assert home_town(Actor("e", "town_editor", frozenset({"浏河镇", "沙溪镇"})), names) == "沙溪镇"
    assert home_town(Actor("e", "town_editor", frozenset({"别的镇"})), names) is None
    assert home_town(Actor("boss", "admin"), names) is None
    assert home_town(None, names) is None


def test_a_version_2_database_upgrades_to_version_3(tmp_path):
    url = sqlite_url(tmp_path / "v2.db")
    engine, _ = make_engines(url)
    assert upgrade(engine, target=2) == 2
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO users (username, role, towns, password_hash, created_at) "
            "VALUES ('old', 'admin', '[]', :hash, '2025-01-01T00:00:00+00:00')"),
            {"hash": PasswordHasher().hash("old-password")})
    engine.dispose()
    store = open_store(url, seed=False)
    try:
        with store.reading() as connection:
            assert schema_version(connection) == SCHEMA_VERSION == 3
            assert sa.inspect(connection).has_table("signing_keys")
        assert session_account(store, "old")[1], "existing accounts get a session stamp"
        token = start_session(store, "old", "old-password", SETTINGS).token
        assert verify_token(store, token, SETTINGS) == Actor("old", "admin")
    finally:
        store.close()


def test_users_remove_command(tmp_path, capsys, monkeypatch):
    from geo.cli import main
    url = sqlite_url(tmp_path / "cli.db")
    assert main(["store", "upgrade", "--database-url", url]) == 0  # loads the towns
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["users", "add", "liuhe", "--role", "town_editor", "--town", "浏河镇",
                 "--password-stdin", "--database-url", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "passwd", "liuhe", "--password-stdin", "--database-url", url]) == 2
    assert main(["users", "remove", "liuhe", "--database-url", url]) == 0
    assert main(["users", "remove", "liuhe", "--database-url", url]) == 2
    assert "liuhe" in capsys.readouterr().err


def test_sign_in_box_has_no_developer_text_and_town_editor_lands_on_their_town(private_store):
    store = open_store(sqlite_url(private_store))
    add_user(store, SYSTEM, "liuhe", "town_editor", ["浏河镇"], PASSWORD)
    store.close()
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["lang"] = "zh"
    app.run()
    app.switch_page("views/data.py").run()
    notes = [i.value for i in app.info]
    assert translate("auth.needed", "zh") in notes
    assert not any("python" in note or "geo users" in note for note in notes)
    app.text_input[0].input("liuhe")
    app.text_input[1].input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception
    app.switch_page("views/town.py").run()
    assert not app.exception
    assert app.selectbox[0].value == "浏河镇"
    assert app.title[0].value == "浏河镇"


def test_a_key_made_by_another_process_meanwhile_is_used(store):
    """Two processes sign the first user in at once: the second uses the first one's key."""
    other = sa.create_engine(store.url)
    made = []

    def another_process_makes_the_key(_connection, _cursor, statement, *_args) -> None:
        if not made and "FROM signing_keys" in statement:  # after this process found none
            made.append(True)
            with other.begin() as connection:
                connection.execute(sa.insert(signing_keys).values(
                    name="session", value="k" * 43, created_at="2026-01-01T00:00:00+00:00"))

    sa.event.listen(store._reader, "after_cursor_execute", another_process_makes_the_key)
    token = _sign_in(store)
    other.dispose()
    assert made, "the race happened"
    assert verify_token(store, token, SETTINGS, now=NOW).username == "liuhe"
    with store.reading() as connection:
        assert connection.execute(sa.select(signing_keys.c.value)).scalars().all() == ["k" * 43]
