"""End to end with the store: a town official signs in, imports with a preview, figures follow."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import format_area, load_dataset, translate
from tests.browser import Browser, store_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LEDGER = Path(__file__).resolve().parent / "data" / "浏河镇创新载体台账2020.xlsx"


@pytest.fixture
def store_app(tmp_path):
    with store_server(tmp_path) as url:
        yield url


def test_town_official_imports_their_real_ledger_and_can_undo_it(playwright, store_app):
    """The 浏河镇 ledger as the office keeps it: duplicates offered as updates, one new carrier."""
    before = load_dataset().check().towns.set_index("town").loc["浏河镇", "new_area_m2"]
    after = before + 3000  # the one genuinely new carrier: 0.3 万平方米
    session = Browser(playwright, store_app)
    try:
        session.page.set_viewport_size({"width": 1366, "height": 768})
        session.open("/data")
        page = session.page
        session.sign_in()
        page.get_by_role("tab", name=translate("data.tab_import", "zh")).click()
        page.locator('input[type="file"]').first.set_input_files(str(LEDGER))
        page.get_by_text(translate("import.status_duplicate", "zh")).first.wait_for(
            timeout=30000)
        summary = page.get_by_text("预览（尚未写入任何数据）").inner_text()
        assert "新增 1 个" in summary and "与已有载体匹配 6 个" in summary
        assert "不属您负责的镇区 1 个" in summary and "跳过 3 行" in summary
        assert "万平方米" in summary
        page.get_by_text("长江口生物医药孵化器 按坐标位于沙溪镇").first.wait_for()
        session.screenshot("data-import-ledger-preview")
        page.get_by_role("button", name=translate("data.commit", "zh", count=1)).click()
        page.get_by_text(translate("import.done", "zh", added=1, updated=0)).wait_for(
            timeout=30000)
        session.screenshot("data-import-ledger-done")

        session.open("/town?town=浏河镇")
        page.get_by_text(format_area(after, "zh"), exact=False).first.wait_for(timeout=30000)
        session.screenshot("town-after-ledger-import")

        session.open("/data")
        page.get_by_role("tab", name=translate("data.tab_import", "zh")).click()
        page.get_by_role("button", name=translate("import.undo", "zh")).first.click()
        page.get_by_text(translate("import.undo_done", "zh", count=1)).wait_for(timeout=30000)
        session.screenshot("data-import-ledger-undone")
        session.open("/town?town=浏河镇")
        page.get_by_text(format_area(before, "zh"), exact=False).first.wait_for(timeout=30000)
        page.reload()
        session.settle()
        page.get_by_text(translate("auth.signed_in", "zh", user="liuhe", role=translate(
            "role.town_editor", "zh"))).wait_for(timeout=30000)  # still signed in
        assert session.dialogs == []
    finally:
        session.close()
