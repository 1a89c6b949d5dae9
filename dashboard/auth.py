"""Signing in on the page: the identity provider (``st.login``), a trusted proxy, or a local form.

Which one is a setting (:func:`geo.store.identity.auth_settings`). The store
checks every change against the account's role and towns; this module only
finds out who is at the keyboard.

A local sign-in lasts beyond the Streamlit session: the signed session token
(:mod:`geo.store.sessions`) is kept in a browser cookie, which Streamlit
reads (``st.context.cookies``) when a page is opened or reloaded, and is
checked again on every rerun. The cookie is written by a line of JavaScript
(Streamlit has no server-side way to set one), so it cannot be ``HttpOnly``;
it is ``SameSite=Strict``, limited to the app's path, ``Secure`` on https,
and expires with the token.
"""

from __future__ import annotations

import json
import os

import streamlit as st

from dashboard.data import secrets
from dashboard.markdown import plain
from geo import translate
from geo.i18n import Lang
from geo.store import Actor, Store
from geo.store.identity import (
    AuthSettings,
    actor_from_header,
    actor_from_oidc,
    auth_settings,
)
from geo.store.sessions import (
    SessionSettings,
    end_session,
    session_settings,
    start_session,
    verify_token,
)
from geo.store.users import LoginFailed

__all__ = ["COOKIE", "current_actor", "keep_signed_in", "settings", "sign_in_form",
           "sign_in_status"]

COOKIE = "carrier_map_session"
"""The browser cookie holding a local sign-in's session token."""
_TOKEN_KEY = "_session_token"  # absent: cookie not read yet; None: signed out; else the token
_ENDED_KEY = "_session_ended"  # a kept sign-in was found expired or ended elsewhere
_WROTE_KEY = "_session_cookie_written"
_HIDDEN = ("<style>[data-testid='stElementContainer']:has(.carrier-map-cookie) {display: none;}"
           "</style><span class='carrier-map-cookie'></span>")  # no gap in the sidebar


def settings() -> AuthSettings:
    """The deployment's sign-in settings (secrets first, then environment)."""
    return auth_settings({**os.environ, **secrets()})


def _session_settings() -> SessionSettings:
    return session_settings({**os.environ, **secrets()})


def current_actor(store: Store) -> Actor | None:
    """The signed-in user's account (role and towns read afresh), or ``None``."""
    chosen = settings()
    if chosen.mode == "oidc":
        return actor_from_oidc(store, st.user.to_dict())
    if chosen.mode == "header":
        return actor_from_header(store, dict(st.context.headers), chosen.header)
    if _TOKEN_KEY not in st.session_state:  # first run of this browser tab: the kept sign-in
        st.session_state[_TOKEN_KEY] = _sent_cookie()
    token = st.session_state[_TOKEN_KEY]
    if token is None:
        return None
    actor = verify_token(store, token, _session_settings())
    if actor is None:
        st.session_state[_TOKEN_KEY] = None
        st.session_state[_ENDED_KEY] = True
    return actor


def _sent_cookie() -> str | None:
    """The sign-in cookie the browser sent when this tab was opened (or reloaded), if any."""
    sent = st.context.cookies.get(COOKIE)
    return sent if isinstance(sent, str) and sent else None  # AppTest's context is a mock


def keep_signed_in() -> None:
    """Keep the browser's sign-in cookie in step with this session (local sign-in only).

    Call once per run, after :func:`current_actor`. The cookie is written after
    signing in and cleared after signing out or when the kept sign-in no
    longer holds; the script is repeated on every run until the page is
    reloaded, so a run cut short by the next one cannot lose it.
    """
    if settings().mode != "local" or _TOKEN_KEY not in st.session_state:
        return
    token = st.session_state[_TOKEN_KEY]
    sent = _sent_cookie()
    if token is not None and token != sent:
        max_age = int(_session_settings().lifetime.total_seconds())
        _set_cookie(f"{COOKIE}={token}; Max-Age={max_age}")
        st.session_state[_WROTE_KEY] = True
    elif token is None and (sent or st.session_state.get(_WROTE_KEY)):
        _set_cookie(f"{COOKIE}=; Max-Age=0")


def _set_cookie(cookie: str) -> None:
    """Set ``cookie`` in the page: the app's path only, SameSite=Strict, Secure on https."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    cookie = f"{cookie}; Path=/{base}; SameSite=Strict"
    st.sidebar.html(_HIDDEN + f"<script>document.cookie = {json.dumps(cookie)} + "
                    "(location.protocol === 'https:' ? '; Secure' : '');</script>",
                    unsafe_allow_javascript=True)


def sign_in_form(store: Store, lang: Lang, key: str = "sign_in") -> None:
    """The way to sign in for this deployment's mode."""
    chosen = settings()
    if chosen.mode == "oidc":
        st.button(translate("auth.sign_in", lang), on_click=st.login, key=f"{key}_oidc")
        return
    if chosen.mode == "header":
        st.warning(translate("auth.proxy_missing", lang))
        return
    if st.session_state.get(_ENDED_KEY):
        st.warning(translate("auth.session_ended", lang))
    with st.form(key):
        username = st.text_input(translate("auth.username", lang))
        password = st.text_input(translate("auth.password", lang), type="password")
        submitted = st.form_submit_button(translate("auth.sign_in", lang))
    if submitted:
        try:
            session = start_session(store, username.strip(), password, _session_settings())
        except LoginFailed as failed:
            st.error(failed.message(lang))
            return
        st.session_state[_TOKEN_KEY] = session.token
        st.session_state.pop(_ENDED_KEY, None)
        st.rerun()


def _sign_out(store: Store) -> None:
    if settings().mode == "oidc":
        st.logout()
        return
    end_session(store, st.session_state.get(_TOKEN_KEY), _session_settings())
    st.session_state[_TOKEN_KEY] = None


def sign_in_status(store: Store, actor: Actor | None, lang: Lang) -> None:
    """Who is signed in, in the sidebar, with a way out (not for proxy sign-in)."""
    if actor is None:
        return
    st.sidebar.caption(translate("auth.signed_in", lang, user=plain(actor.username),
                                 role=translate(f"role.{actor.role}", lang)))
    if settings().mode != "header":
        st.sidebar.button(translate("auth.sign_out", lang), on_click=_sign_out, args=(store,),
                          key="sign_out")
