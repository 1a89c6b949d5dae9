"""Who the user is, from the deployment's identity provider, a trusted proxy, or a local login.

Pure functions: the page passes in what Streamlit knows (``st.user`` or the
request headers) and gets back the store account's :class:`Actor`. A user
the identity provider or proxy vouches for but who has no account is a
viewer. The proxy header is trusted only when a header name is configured —
set it only behind a proxy that always sets (and strips) that header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from geo.store.access import Actor
from geo.store.store import Store
from geo.store.users import actor_for

__all__ = ["AuthMode", "AuthSettings", "actor_from_header", "actor_from_oidc", "auth_settings"]

AuthMode = Literal["local", "header", "oidc"]


@dataclass(frozen=True)
class AuthSettings:
    """How users sign in, which proxy header to trust, and whether viewing needs it."""

    mode: AuthMode = "local"
    header: str | None = None
    login_to_view: bool = False


def auth_settings(settings: Mapping[str, Any]) -> AuthSettings:
    """The sign-in settings from secrets or the environment.

    ``CARRIER_MAP_AUTH``: local (default), header or oidc;
    ``CARRIER_MAP_TRUSTED_HEADER``: the proxy's user header (header mode only);
    ``CARRIER_MAP_LOGIN_TO_VIEW``: true to require signing in to see anything.
    """
    mode = str(settings.get("CARRIER_MAP_AUTH") or "local").strip().lower()
    if mode not in ("local", "header", "oidc"):
        raise ValueError(f"CARRIER_MAP_AUTH was {mode!r} but is expected to be in "
                         "('local', 'header', 'oidc')")
    header = str(settings.get("CARRIER_MAP_TRUSTED_HEADER") or "").strip() or None
    if mode == "header" and not header:
        raise ValueError("CARRIER_MAP_AUTH = 'header' needs CARRIER_MAP_TRUSTED_HEADER, "
                         "e.g. X-Remote-User")
    view = str(settings.get("CARRIER_MAP_LOGIN_TO_VIEW") or "").strip().lower()
    return AuthSettings(mode=mode, header=header if mode == "header" else None,
                        login_to_view=view in ("1", "true", "yes"))


def _known_or_viewer(store: Store, username: str) -> Actor:
    return actor_for(store, username) or Actor(username, "viewer")


def actor_from_header(store: Store, headers: Mapping[str, str], header: str | None) -> Actor | None:
    """The user named by the trusted proxy header, or ``None`` (header absent or not trusted)."""
    if not header:
        return None
    lowered = {key.lower(): value for key, value in headers.items()}
    username = (lowered.get(header.lower()) or "").strip()
    return _known_or_viewer(store, username) if username else None


def actor_from_oidc(store: Store, user: Mapping[str, Any]) -> Actor | None:
    """The user signed in through ``st.login`` (by e-mail, else subject), or ``None``."""
    if not user.get("is_logged_in"):
        return None
    username = str(user.get("email") or user.get("sub") or "").strip()
    return _known_or_viewer(store, username) if username else None
