"""Local accounts for a single machine: salted argon2 hashes and rate-limited logins.

Passwords are hashed with argon2id (argon2-cffi, MIT licence); a hash is all
the store keeps. After :data:`MAX_FAILURES` wrong passwords in a row an
account is locked for :data:`LOCK_MINUTES`, counted in the database so every
server process sees it. Managing users is for administrators (or the
``python -m geo users`` command run by whoever runs the server).

Each account also has a random *session stamp* that every session token of
the account carries (:mod:`geo.store.sessions`): a new password, signing
out or :func:`forget_sessions` draws a new stamp, so every token issued
before stops working; removing the account ends them too.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Sequence

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.store.access import ROLES, Actor, NotFoundError, PermissionDenied, Role, StoreError
from geo.store.schema import users
from geo.store.store import Store, now_text

__all__ = ["LOCK_MINUTES", "MAX_FAILURES", "LoginFailed", "actor_for", "add_user",
           "authenticate", "forget_sessions", "home_town", "list_users", "remove_user",
           "session_account", "set_password"]

MAX_FAILURES = 5
LOCK_MINUTES = 15
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class LoginFailed(StoreError):
    """Wrong user name or password, or the account is locked for now."""


def _new_stamp() -> str:
    return secrets.token_urlsafe(12)


def _require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise PermissionDenied("store.admin_only", user=actor.username)


def add_user(store: Store, actor: Actor, username: str, role: Role,
             towns: Iterable[str] = (), password: str | None = None,
             display_name: str | None = None) -> None:
    """Create or update an account (administrators only); ``password`` ``None`` keeps none.

    Accounts without a password are for users who sign in through the
    identity provider or the trusted proxy header. A new password ends the
    account's sessions (as :func:`set_password` does).
    """
    _require_admin(actor)
    if role not in ROLES:
        raise ValueError(f"`role` was {role!r} but is expected to be in {ROLES}")
    if not username.strip():
        raise ValueError("`username` is empty")
    values = {"display_name": display_name, "role": role,
              "towns": json.dumps(sorted(set(towns)), ensure_ascii=False)}
    if password is not None:
        values["password_hash"] = _HASHER.hash(password)
        values["session_stamp"] = _new_stamp()
    with store.writing(register_changes=False) as connection:
        exists = connection.execute(sa.select(users.c.username).where(
            users.c.username == username)).first()
        if exists:
            connection.execute(sa.update(users).where(users.c.username == username)
                               .values(**values))
        else:
            connection.execute(sa.insert(users).values(
                username=username, created_at=now_text(),
                **{"session_stamp": _new_stamp(), **values}))


def set_password(store: Store, actor: Actor, username: str, password: str) -> None:
    """Set a new password (an administrator, or the user themself); it ends every session.

    Raises
    ------
    NotFoundError
        When there is no account ``username``.
    """
    if actor.role != "admin" and actor.username != username:
        raise PermissionDenied("store.admin_only", user=actor.username)
    with store.writing(register_changes=False) as connection:
        changed = connection.execute(sa.update(users).where(users.c.username == username).values(
            password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None,
            session_stamp=_new_stamp())).rowcount
    if not changed:
        raise NotFoundError("store.user_not_found", user=username)


def remove_user(store: Store, actor: Actor, username: str) -> None:
    """Remove an account (administrators only); its sessions end with it.

    The change history keeps the name of whoever made each change.

    Raises
    ------
    NotFoundError
        When there is no account ``username``.
    """
    _require_admin(actor)
    with store.writing(register_changes=False) as connection:
        removed = connection.execute(sa.delete(users).where(users.c.username == username)
                                     ).rowcount
    if not removed:
        raise NotFoundError("store.user_not_found", user=username)


def forget_sessions(store: Store, username: str) -> None:
    """End every session of ``username`` (a new session stamp); nothing when unknown."""
    with store.writing(register_changes=False) as connection:
        connection.execute(sa.update(users).where(users.c.username == username)
                           .values(session_stamp=_new_stamp()))


def session_account(store: Store, username: str) -> tuple[Actor, str] | None:
    """The account and its current session stamp, or ``None`` for an unknown user.

    An account without a stamp (added to the database by hand) is given one.
    """
    with store.reading() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)
                                 ).mappings().first()
    if row is None:
        return None
    if row["session_stamp"]:
        return _actor(row), row["session_stamp"]
    with store.writing(register_changes=False) as connection:
        connection.execute(sa.update(users).where(
            users.c.username == username,
            sa.or_(users.c.session_stamp.is_(None), users.c.session_stamp == ""))
            .values(session_stamp=_new_stamp()))
        row = connection.execute(sa.select(users).where(users.c.username == username)
                                 ).mappings().first()
    return (_actor(row), row["session_stamp"]) if row else None


def _actor(row) -> Actor:
    return Actor(username=row["username"], role=row["role"],
                 towns=frozenset(json.loads(row["towns"] or "[]")))


def actor_for(store: Store, username: str) -> Actor | None:
    """The account's role and towns, or ``None`` for an unknown user."""
    with store.reading() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)
                                 ).mappings().first()
    return _actor(row) if row else None


def home_town(actor: Actor | None, towns: Sequence[str]) -> str | None:
    """The town a town editor's pages open on: the first of ``towns`` that is theirs, else ``None``.

    ``None`` for everyone else (and for an editor none of whose towns is in
    ``towns``): they start from the first town.
    """
    if actor is None or actor.role != "town_editor":
        return None
    return next((town for town in towns if town in actor.towns), None)


def list_users(store: Store) -> pd.DataFrame:
    """Every account: username, display name, role, towns, whether it has a password."""
    with store.reading() as connection:
        rows = connection.execute(sa.select(users).order_by(users.c.username)).mappings().all()
    return pd.DataFrame([{"username": r["username"], "display_name": r["display_name"],
                          "role": r["role"], "towns": "、".join(json.loads(r["towns"] or "[]")),
                          "password": r["password_hash"] is not None} for r in rows],
                        columns=["username", "display_name", "role", "towns", "password"])


def authenticate(store: Store, username: str, password: str,
                 now: dt.datetime | None = None) -> Actor:
    """The account for a correct local password.

    Raises
    ------
    LoginFailed
        On a wrong name or password (the same message for both), or while
        the account is locked after too many failures.
    """
    now = now or dt.datetime.now(dt.UTC)
    with store.writing(register_changes=False) as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)
                                 ).mappings().first()
        if row is None or row["password_hash"] is None:
            _verify(_DUMMY_HASH, password)  # same work as a real check: no user enumeration
            raise LoginFailed("login.failed")
        locked = row["locked_until"]
        if locked and dt.datetime.fromisoformat(locked) > now:
            raise LoginFailed("login.locked", until=locked[:16].replace("T", " "))
        if not _verify(row["password_hash"], password):
            failures = int(row["failed_logins"]) + 1
            until = ((now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds")
                     if failures >= MAX_FAILURES else None)
            connection.execute(sa.update(users).where(users.c.username == username).values(
                failed_logins=0 if until else failures, locked_until=until))
            failed = LoginFailed("login.locked", until=until[:16].replace("T", " ")) if until \
                else LoginFailed("login.failed")
        else:
            connection.execute(sa.update(users).where(users.c.username == username).values(
                failed_logins=0, locked_until=None))
            return _actor(row)
    raise failed


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
