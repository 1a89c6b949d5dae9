"""Session tokens: a sign-in that survives a reload, for a limited time, never holding a password.

A token names the account, when it expires and the account's current
*session stamp* (:func:`geo.store.users.session_account`), and is signed
with HMAC-SHA256::

    base64url(JSON [username, expires (Unix seconds), stamp]) "." base64url(HMAC)

It is accepted only while the signature is right (checked in constant
time), it has not expired, the account still exists and its stamp is
unchanged — signing out (:func:`end_session`), a new password and removing
the account each change or remove the stamp, so every token of that account
stops working at once, on every server process. The role and towns are read
afresh from the account on every check; the token carries neither, and never
the password or its hash.

The signing key is derived from the setting ``CARRIER_MAP_SESSION_SECRET``
when it is set (the same secret on every server); otherwise a random key is
made on first use and kept in the database (table ``signing_keys``), so all
processes sharing the database agree. Deleting that row signs everyone out.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from geo.store.access import Actor, ConflictError
from geo.store.schema import signing_keys
from geo.store.store import Store, now_text
from geo.store.users import LoginFailed, authenticate, forget_sessions, session_account

__all__ = ["DEFAULT_HOURS", "Session", "SessionSettings", "end_session", "session_settings",
           "start_session", "verify_token"]

DEFAULT_HOURS = 8.0
"""How long a sign-in lasts unless ``CARRIER_MAP_SESSION_HOURS`` says otherwise."""
_MIN_SECRET_LENGTH = 32
_MAX_TOKEN_LENGTH = 4096
_CLOCK_SKEW_SECONDS = 300  # servers' clocks may differ a little
_KEY_NAME = "session"
_PURPOSE = b"carrier-map session v1\x00"
_TOKEN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class SessionSettings:
    """How long a sign-in lasts, and the deployment's signing secret (if it sets one)."""

    hours: float = DEFAULT_HOURS
    secret: str | None = field(default=None, repr=False)

    @property
    def lifetime(self) -> dt.timedelta:
        """The time from signing in to the token's expiry."""
        return dt.timedelta(hours=self.hours)


def session_settings(settings: Mapping[str, Any]) -> SessionSettings:
    """The session settings from secrets or the environment.

    ``CARRIER_MAP_SESSION_HOURS``: how long a sign-in lasts (default 8);
    ``CARRIER_MAP_SESSION_SECRET``: a random text of at least 32 characters,
    the same on every server, to sign tokens with (default: a random key kept
    in the database).

    Raises
    ------
    ValueError
        When the hours are not a positive number or the secret is too short.
    """
    raw_hours = settings.get("CARRIER_MAP_SESSION_HOURS")
    hours = DEFAULT_HOURS
    if raw_hours not in (None, ""):
        try:
            hours = float(raw_hours)
        except (TypeError, ValueError):
            hours = float("nan")
        if not 0 < hours <= 24 * 366:
            raise ValueError(f"CARRIER_MAP_SESSION_HOURS was {raw_hours!r} but is expected to be "
                             "a number of hours above 0 (at most a year), e.g. 8")
    secret = str(settings.get("CARRIER_MAP_SESSION_SECRET") or "").strip() or None
    if secret is not None and len(secret) < _MIN_SECRET_LENGTH:
        raise ValueError(f"CARRIER_MAP_SESSION_SECRET has {len(secret)} characters but needs at "
                         f"least {_MIN_SECRET_LENGTH}; make one with "
                         "python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    return SessionSettings(hours=hours, secret=secret)


@dataclass(frozen=True)
class Session:
    """A signed-in user: the account, the token to keep in the browser, and when it expires."""

    actor: Actor
    token: str = field(repr=False)
    expires: dt.datetime


def start_session(store: Store, username: str, password: str, settings: SessionSettings,
                  now: dt.datetime | None = None) -> Session:
    """Check the password (:func:`geo.store.users.authenticate`) and issue a session token.

    Raises
    ------
    geo.store.users.LoginFailed
        On a wrong name or password, or while the account is locked.
    """
    now = now or dt.datetime.now(dt.UTC)
    actor = authenticate(store, username, password, now=now)
    account = session_account(store, actor.username)
    if account is None:  # removed between the two reads
        raise LoginFailed
    actor, stamp = account
    expires = (now + settings.lifetime).replace(microsecond=0)
    payload = _encode(json.dumps([actor.username, int(expires.timestamp()), stamp],
                                 ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    signature = _encode(_sign(_key(store, settings), payload))
    return Session(actor=actor, token=f"{payload}.{signature}", expires=expires)


def verify_token(store: Store, token: str | None, settings: SessionSettings,
                 now: dt.datetime | None = None) -> Actor | None:
    """The account a token signs in (role and towns read afresh), or ``None``.

    ``None`` for a missing, malformed, tampered or expired token, for an
    account that no longer exists, and after the account signed out or had
    its password changed. A token never outlives the current lifetime
    setting, even one issued while it was longer.
    """
    claims = _claims(store, token, settings)
    if claims is None:
        return None
    username, expires, stamp = claims
    now = (now or dt.datetime.now(dt.UTC)).timestamp()
    if not now < expires <= now + settings.lifetime.total_seconds() + _CLOCK_SKEW_SECONDS:
        return None
    account = session_account(store, username)
    if account is None or not hmac.compare_digest(account[1].encode(), stamp.encode()):
        return None
    return account[0]


def end_session(store: Store, token: str | None, settings: SessionSettings,
                now: dt.datetime | None = None) -> None:
    """Sign out: every token of the token's account stops working.

    Nothing happens for a token that is not valid now (so an old or stolen
    expired token cannot sign anyone out).
    """
    actor = verify_token(store, token, settings, now=now)
    if actor is not None:
        forget_sessions(store, actor.username)


def _claims(store: Store, token: str | None,
            settings: SessionSettings) -> tuple[str, int, str] | None:
    """The (username, expiry, stamp) of a correctly signed token, else ``None``."""
    if not token or len(token) > _MAX_TOKEN_LENGTH or not _TOKEN.fullmatch(token):
        return None
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _encode(_sign(_key(store, settings), payload))):
        return None
    try:
        claims = json.loads(_decode(payload).decode("utf-8"))
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if not (isinstance(claims, list) and len(claims) == 3 and isinstance(claims[0], str)
            and isinstance(claims[1], int) and isinstance(claims[2], str)):
        return None
    return claims[0], claims[1], claims[2]


def _sign(key: bytes, payload: str) -> bytes:
    return hmac.new(key, _PURPOSE + payload.encode("ascii"), hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))


def _key(store: Store, settings: SessionSettings) -> bytes:
    """The HMAC key: from the configured secret, else the database's own random key."""
    if settings.secret:
        return hmac.new(settings.secret.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()
    with store.reading() as connection:
        stored = connection.execute(sa.select(signing_keys.c.value).where(
            signing_keys.c.name == _KEY_NAME)).scalar_one_or_none()
    if stored is None:
        try:
            with store.writing(register_changes=False) as connection:
                connection.execute(sa.insert(signing_keys).values(
                    name=_KEY_NAME, value=secrets.token_urlsafe(32), created_at=now_text()))
        except ConflictError:  # another process made it first (the key is taken): use theirs
            pass
        with store.reading() as connection:
            stored = connection.execute(sa.select(signing_keys.c.value).where(
                signing_keys.c.name == _KEY_NAME)).scalar_one()
    return stored.encode("ascii")
