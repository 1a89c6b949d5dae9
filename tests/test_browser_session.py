"""In Chromium: a local sign-in survives a reload and a bookmarked link, and ends on sign-out."""

from __future__ import annotations

import time

import pytest

from geo import translate
from geo.store.sessions import DEFAULT_HOURS
from tests.browser import ARTIFACTS, TOWN_EDITOR, Browser, store_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = TOWN_EDITOR[1]
SIGNED_IN = translate("auth.signed_in", "zh", user="liuhe",
                      role=translate("role.town_editor", "zh"))


@pytest.fixture
def store_app(tmp_path):
    with store_server(tmp_path) as url:
        yield url


def _session_cookies(page, expected: int) -> list[dict]:
    """The sign-in cookies, once there are ``expected`` of them (the page's script runs last)."""
    deadline = time.monotonic() + 15
    while True:
        cookies = [c for c in page.context.cookies() if c["name"] == "carrier_map_session"]
        if len(cookies) == expected or time.monotonic() > deadline:
            return cookies
        time.sleep(0.2)


def _new_tab(session: Browser, context):
    """Another tab of the same browser profile (cookies shared), with dialogs recorded."""
    tab = context.new_page()
    tab.on("dialog", lambda dialog: (session.dialogs.append(dialog.message), dialog.dismiss()))
    return tab


def _signed_in(page) -> bool:
    return page.get_by_text(SIGNED_IN).count() > 0


def test_sign_in_survives_reload_and_bookmark_and_ends_on_sign_out(playwright, store_app):
    session = Browser(playwright, store_app)
    context = session.browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = session.page = _new_tab(session, context)
        session.open("/data")
        page.get_by_text(translate("auth.needed", "zh")).wait_for()
        session.screenshot("session-sign-in-box")
        session.sign_in("liuhe", PASSWORD)
        page.get_by_text(SIGNED_IN).wait_for(timeout=30000)
        (cookie,) = _session_cookies(page, 1)
        assert (cookie["sameSite"], cookie["path"], cookie["httpOnly"]) == ("Strict", "/", False)
        assert PASSWORD not in cookie["value"] and "argon2" not in cookie["value"]
        assert abs(cookie["expires"] - (time.time() + DEFAULT_HOURS * 3600)) < 120

        page.reload()
        session.settle()
        page.get_by_text(SIGNED_IN).wait_for(timeout=30000)
        page.get_by_role("tab", name=translate("data.tab_edit", "zh")).wait_for()
        assert page.get_by_label(translate("auth.password", "zh")).count() == 0
        session.screenshot("session-after-reload")

        bookmark = session.page = _new_tab(session, context)  # a bookmarked link, another tab
        session.open("/town")
        bookmark.get_by_role("heading", name="浏河镇").wait_for(timeout=30000)
        assert _signed_in(bookmark)
        session.screenshot("session-town-editor-lands-on-own-town")
        session.open("/town?town=沙溪镇")
        bookmark.get_by_role("heading", name="沙溪镇").wait_for(timeout=30000)
        assert _signed_in(bookmark), "a link to another town still opens that town"

        session.page = page
        page.bring_to_front()  # a background tab does not lay out the top navigation
        page.get_by_role("button", name=translate("auth.sign_out", "zh")).click()
        session.settle()
        page.get_by_text(translate("auth.needed", "zh")).wait_for(timeout=30000)
        assert _session_cookies(page, 0) == [], "signing out clears the cookie"
        page.reload()
        session.settle()
        page.get_by_text(translate("auth.needed", "zh")).wait_for(timeout=30000)
        assert not _signed_in(page)

        page.context.add_cookies([cookie])  # the old token, put back: refused by the server
        page.reload()
        session.settle()
        page.get_by_text(translate("auth.session_ended", "zh")).wait_for(timeout=30000)
        page.get_by_label(translate("auth.password", "zh")).wait_for()
        assert not _signed_in(page)
        session.screenshot("session-old-token-refused")
        session.page = bookmark
        bookmark.bring_to_front()
        bookmark.reload()
        session.settle()
        bookmark.get_by_role("heading", name="沙溪镇").wait_for(timeout=30000)
        assert not _signed_in(bookmark), "signing out in one tab signs out the other"
        assert session.dialogs == []
    finally:
        session.close()
    assert (ARTIFACTS / "session-town-editor-lands-on-own-town.png").exists()
