"""A town official at 1366×768: the edit grid's drop-downs, a refused save, the history in words."""

from __future__ import annotations

import time

import pytest

from dashboard.editing import _GRID_COLUMNS as GRID_COLUMNS
from dashboard.editing import _WIDTHS
from geo import translate
from geo.store import Actor
from tests.browser import ARTIFACTS, Browser, store_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1366, "height": 768}
ROW = 35
"""Height of a grid row and of its header, in pixels (Streamlit's default)."""


def _two_edits(store) -> None:
    liuhe = Actor("liuhe", "town_editor", frozenset({"浏河镇"}))
    row = store.carrier("TC034")
    store.update_carrier(liuhe, "TC034", {**row, "floor_area_m2": "26000", "opened": "2023-05"},
                         int(row["version"]))
    row = store.carrier("TC036")
    store.update_carrier(liuhe, "TC036", {**row, "status": "in_use"}, int(row["version"]))


@pytest.fixture
def history_app(tmp_path):
    with store_server(tmp_path, _two_edits) as url:
        yield url


def _open_cell(session: Browser, row: int, column: str) -> None:
    """Open the editor of the grid cell of ``column`` in ``row`` (1 = first carrier)."""
    page = session.page
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(state="visible")
    box = grid.bounding_box()
    x = box["x"] + 33 + 85  # the row-selection column and the pinned id
    for name in GRID_COLUMNS[:GRID_COLUMNS.index(column)]:
        x += _WIDTHS[name]
    page.mouse.click(x + 30, box["y"] + ROW * row + ROW / 2)  # the grid wakes on a first click
    time.sleep(0.5)
    page.mouse.dblclick(x + 30, box["y"] + ROW * row + ROW / 2)


def _shot(session: Browser, name: str) -> None:
    """What the official sees in the window (not the whole scrolled page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    session.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_town_official_edits_and_reads_the_history_at_1366(playwright, history_app):
    from playwright.sync_api import expect

    session = Browser(playwright, history_app)
    page = session.page
    try:
        page.set_viewport_size(LAPTOP)
        session.open("/data")
        session.sign_in()
        save = page.get_by_role("button", name=translate("data.save", "zh"))
        save.wait_for(timeout=30000)
        session.settle()
        _shot(session, "data-edit-1366")

        _open_cell(session, 5, "status")  # TC035
        for word in ("规划", "在建", "已投用"):
            page.get_by_text(word, exact=True).last.wait_for(timeout=10000)
        _shot(session, "data-edit-status-choices-1366")
        page.keyboard.press("Escape")
        session.settle()

        history_tab = page.get_by_role("tab", name=translate("data.tab_history", "zh"))
        history_tab.click()
        page.get_by_text(translate("history.zone", "zh", zone="Asia/Shanghai")).wait_for(
            timeout=30000)
        session.settle()
        _shot(session, "data-history-1366")
        pick = page.get_by_role("combobox", name=translate("history.batch_pick", "zh"))
        pick.scroll_into_view_if_needed()
        pick.click()
        if page.get_by_role("option").count() == 0:  # a menu that closed as the page scrolled
            pick.press("ArrowDown")
        seed = page.get_by_role("option").filter(has_text="初始数据：导入 52 个载体")
        seed.wait_for(timeout=10000)
        seed.click()
        expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(3)  # + the batch
        session.settle()
        expect(history_tab).to_have_attribute("aria-selected", "true")
        session.screenshot("data-history-seed-1366")

        edit_tab = page.get_by_role("tab", name=translate("data.tab_edit", "zh"))
        edit_tab.click()
        expect(edit_tab).to_have_attribute("aria-selected", "true")
        session.settle()
        _open_cell(session, 1, "floor_area_m2")  # TC031
        editor = page.locator("textarea.gdg-input")
        editor.wait_for(timeout=10000)
        assert editor.input_value() == "5500", "TC031's area is being edited"
        editor.fill("很多")
        editor.press("Enter")
        time.sleep(1)  # the grid sends the edit (and Streamlit reruns) before the click
        session.settle()
        save.click()
        refused = page.get_by_text("TC031 浏河镇科技孵化器 未保存：")
        refused.wait_for(timeout=30000)
        assert "很多" in refused.inner_text() and "第 " not in refused.inner_text()
        assert page.get_by_text(translate("data.nothing", "zh"), exact=True).count() == 0
        session.settle()
        _shot(session, "data-edit-refused-1366")
        assert session.dialogs == []
    finally:
        session.close()
    for name in ("data-edit-1366", "data-edit-status-choices-1366", "data-edit-refused-1366",
                 "data-history-1366", "data-history-seed-1366"):
        assert (ARTIFACTS / f"{name}.png").exists()
