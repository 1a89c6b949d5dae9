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

from geo.store.access import (
    ROLES,
    Actor,
    NotFoundError,
    PermissionDenied,
    Role,
    StoreError,
    ValidationFailed,
)
from geo.store.schema import boundaries, users
from geo.store.store import Store, now_text

__all__ = ["LOCK_MINUTES", "MAX_FAILURES", "MIN_PASSWORD_LENGTH", "LoginFailed", "actor_for",
           "add_user", "authenticate", "forget_sessions", "has_password", "home_town",
           "list_users", "remove_user", "session_account", "set_password"]

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
"""The shortest local password; checked wherever one is set (:func:`add_user`,
:func:`set_password`), nowhere else."""
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class LoginFailed(StoreError):
    """Wrong user name or password, or the account is locked for now: one message for all.

    The message is the same whatever the reason, so it never tells whether
    an account of that name exists or is locked (and it says that a lock
    exists, so a locked-out user knows to wait).
    """

    def __init__(self) -> None:
        super().__init__("login.failed", failures=MAX_FAILURES, minutes=LOCK_MINUTES)


def _new_stamp() -> str:
    return secrets.token_urlsafe(12)


def _require_admin(actor: Actor) -> None:
    if not actor.may_administer():
        raise PermissionDenied("store.admin_only", user=actor.username)


def _require_password(password: str) -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD_LENGTH` (the one place it is checked)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("users.password_short", length=len(password),
                               minimum=MIN_PASSWORD_LENGTH)


def _stored_towns(store: Store, towns: Iterable[str]) -> list[str]:
    """Each town as the stored boundaries name it (``浏河`` → ``浏河镇``).

    Raises
    ------
    ValidationFailed
        When a town is not a stored one (the message lists the valid towns),
        or no towns are stored yet.
    """
    wanted = [town for town in towns]
    if not wanted:
        return []
    with store.reading() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(boundaries)
                                    ).scalar_one()
    if not stored:
        raise ValidationFailed("users.no_towns_stored", database=store.name,
                               town=wanted[0])
    known = store.boundaries()
    resolved = [known.resolve(town) for town in wanted]
    unknown = [town for town, name in zip(wanted, resolved, strict=True) if name is None]
    if unknown:
        raise ValidationFailed("users.unknown_town", town=unknown[0],
                               towns="、".join(known.names))
    return sorted(set(resolved))


def add_user(store: Store, actor: Actor, username: str, role: Role,
             towns: Iterable[str] = (), password: str | None = None,
             display_name: str | None = None, *, clear_password: bool = False) -> None:
    """Create or update an account (administrators only).

    ``password`` ``None`` creates an account without a local password, and
    keeps an existing account's password (a role or towns change leaves its
    sign-ins alone); ``clear_password`` removes it explicitly. Accounts
    without a password are for users who sign in through the identity
    provider or the trusted proxy header. A new or removed password ends the
    account's sessions (as :func:`set_password` does). Towns are resolved
    against the stored boundaries, so ``浏河`` is kept as ``浏河镇``.

    Raises
    ------
    PermissionDenied
        When ``actor`` is not an administrator.
    ValidationFailed
        A blank user name, a password shorter than :data:`MIN_PASSWORD_LENGTH`,
        or a town that is not stored.
    """
    _require_admin(actor)
    if role not in ROLES:
        raise ValueError(f"`role` was {role!r} but is expected to be in {ROLES}")
    if not username.strip():
        raise ValidationFailed("users.name_empty", user=username)
    if password is not None:
        _require_password(password)
    values = {"display_name": display_name, "role": role,
              "towns": json.dumps(_stored_towns(store, towns), ensure_ascii=False)}
    if password is not None or clear_password:
        values["password_hash"] = None if password is None else _HASHER.hash(password)
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


def has_password(store: Store, username: str) -> bool:
    """Whether ``username`` is an account with a local password (``False`` when unknown)."""
    with store.reading() as connection:
        stored = connection.execute(sa.select(users.c.password_hash).where(
            users.c.username == username)).scalar_one_or_none()
    return stored is not None


def set_password(store: Store, actor: Actor, username: str, password: str) -> None:
    """Set a new password (an administrator, or the user themself); it ends every session.

    Raises
    ------
    NotFoundError
        When there is no account ``username``.
    ValidationFailed
        When the password is shorter than :data:`MIN_PASSWORD_LENGTH`.
    """
    if not actor.may_administer() and actor.username != username:
        raise PermissionDenied("store.admin_only", user=actor.username)
    _require_password(password)
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

    The password is checked before any lock is taken (argon2 is slow on
    purpose); a failure is then counted in one atomic ``UPDATE … SET
    failed_logins = failed_logins + 1 … RETURNING``, so parallel wrong
    passwords are all counted and the :data:`MAX_FAILURES`-th locks the
    account, on PostgreSQL as on SQLite. While locked, nothing is counted and
    even the right password is refused.

    Raises
    ------
    LoginFailed
        On a wrong name or password, or while the account is locked: the
        same message and the same work for each, so nobody learns whether a
        name is an account.
    """
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    with store.reading() as connection:
        row = connection.execute(sa.select(users).where(users.c.username == username)
                                 ).mappings().first()
    if row is None or row["password_hash"] is None:
        _verify(_DUMMY_HASH, password)  # same work as a real check: no user enumeration
        raise LoginFailed
    correct = _verify(row["password_hash"], password)
    this_account = users.c.username == username
    not_locked = sa.or_(users.c.locked_until.is_(None), users.c.locked_until <= stamp)
    with store.writing(register_changes=False) as connection:
        if correct:
            signed_in = connection.execute(sa.update(users).where(this_account, not_locked)
                                           .values(failed_logins=0, locked_until=None)
                                           .returning(*users.c)).mappings().first()
            if signed_in is not None:
                return _actor(signed_in)
        else:
            failures = connection.execute(
                sa.update(users).where(this_account, not_locked)
                .values(failed_logins=users.c.failed_logins + 1)
                .returning(users.c.failed_logins)).scalar_one_or_none()
            if failures is not None and failures >= MAX_FAILURES:
                until = (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds")
                connection.execute(sa.update(users).where(this_account)
                                   .values(failed_logins=0, locked_until=until))
    raise LoginFailed


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
