"""Signing in on the page: the identity provider (``st.login``), a trusted proxy, or a local form.

Which one is a setting (:func:`geo.store.identity.auth_settings`). The store
checks every change against the account's role and towns; this module only
finds out who is at the keyboard.
"""

from __future__ import annotations

import os

import streamlit as st

from dashboard.data import secrets
from geo import translate
from geo.i18n import Lang
from geo.store import Actor, Store
from geo.store.identity import (
    AuthSettings,
    actor_from_header,
    actor_from_oidc,
    auth_settings,
)
from geo.store.users import LoginFailed, actor_for, authenticate

__all__ = ["current_actor", "settings", "sign_in_form", "sign_in_status"]

_USER_KEY = "_signed_in_user"


def settings() -> AuthSettings:
    """The deployment's sign-in settings (secrets first, then environment)."""
    return auth_settings({**os.environ, **secrets()})


def current_actor(store: Store) -> Actor | None:
    """The signed-in user's account (role and towns read afresh), or ``None``."""
    chosen = settings()
    if chosen.mode == "oidc":
        return actor_from_oidc(store, st.user.to_dict())
    if chosen.mode == "header":
        return actor_from_header(store, dict(st.context.headers), chosen.header)
    username = st.session_state.get(_USER_KEY)
    return actor_for(store, username) if username else None


def sign_in_form(store: Store, lang: Lang, key: str = "sign_in") -> None:
    """The way to sign in for this deployment's mode."""
    chosen = settings()
    if chosen.mode == "oidc":
        st.button(translate("auth.sign_in", lang), on_click=st.login, key=f"{key}_oidc")
        return
    if chosen.mode == "header":
        st.warning(translate("auth.proxy_missing", lang))
        return
    with st.form(key):
        username = st.text_input(translate("auth.username", lang))
        password = st.text_input(translate("auth.password", lang), type="password")
        submitted = st.form_submit_button(translate("auth.sign_in", lang))
    if submitted:
        try:
            actor = authenticate(store, username.strip(), password)
        except LoginFailed as failed:
            st.error(failed.message(lang))
            return
        st.session_state[_USER_KEY] = actor.username
        st.rerun()


def _sign_out() -> None:
    if settings().mode == "oidc":
        st.logout()
    st.session_state.pop(_USER_KEY, None)


def sign_in_status(actor: Actor | None, lang: Lang) -> None:
    """Who is signed in, in the sidebar, with a way out (not for proxy sign-in)."""
    if actor is None:
        return
    st.sidebar.caption(translate("auth.signed_in", lang, user=actor.username,
                                 role=translate(f"role.{actor.role}", lang)))
    if settings().mode != "header":
        st.sidebar.button(translate("auth.sign_out", lang), on_click=_sign_out, key="sign_out")
