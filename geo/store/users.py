"""Local accounts for a single machine: salted argon2 hashes and rate-limited logins.

Passwords are hashed with argon2id (argon2-cffi, MIT licence); a hash is all
the store keeps. After :data:`MAX_FAILURES` wrong passwords in a row an
account is locked for :data:`LOCK_MINUTES`, counted in the database so every
server process sees it. Managing users is for administrators (or the
``python -m geo users`` command run by whoever runs the server).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.store.access import ROLES, Actor, PermissionDenied, Role, StoreError
from geo.store.schema import users
from geo.store.store import Store, now_text

__all__ = ["LOCK_MINUTES", "MAX_FAILURES", "LoginFailed", "actor_for", "add_user",
           "authenticate", "list_users", "set_password"]

MAX_FAILURES = 5
LOCK_MINUTES = 15
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class LoginFailed(StoreError):
    """Wrong user name or password, or the account is locked for now."""


def _require_admin(actor: Actor) -> None:
    if actor.role != "admin":
        raise PermissionDenied("store.admin_only", user=actor.username)


def add_user(store: Store, actor: Actor, username: str, role: Role,
             towns: Iterable[str] = (), password: str | None = None,
             display_name: str | None = None) -> None:
    """Create or update an account (administrators only); ``password`` ``None`` keeps none.

    Accounts without a password are for users who sign in through the
    identity provider or the trusted proxy header.
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
    with store.writing(register_changes=False) as connection:
        exists = connection.execute(sa.select(users.c.username).where(
            users.c.username == username)).first()
        if exists:
            connection.execute(sa.update(users).where(users.c.username == username)
                               .values(**values))
        else:
            connection.execute(sa.insert(users).values(username=username,
                                                       created_at=now_text(), **values))


def set_password(store: Store, actor: Actor, username: str, password: str) -> None:
    """Set a new password (an administrator, or the user themself)."""
    if actor.role != "admin" and actor.username != username:
        raise PermissionDenied("store.admin_only", user=actor.username)
    with store.writing(register_changes=False) as connection:
        connection.execute(sa.update(users).where(users.c.username == username).values(
            password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None))


def _actor(row) -> Actor:
    return Actor(username=row["username"], role=row["role"],
                 towns=frozenset(json.loads(row["towns"] or "[]")))


def actor_for(store: Store, username: str) -> Actor | None:
    """The account's role and towns, or ``None`` for an unknown user."""
    with store.reading() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)
                                 ).mappings().first()
    return _actor(row) if row else None


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
