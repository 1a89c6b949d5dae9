"""End to end with the store: a town official signs in, imports with a preview, figures follow."""

from __future__ import annotations

import pytest

from geo import format_area, load_dataset, translate
from geo.store.engine import sqlite_url
from geo.store.setup import SYSTEM, open_store
from geo.store.users import add_user
from tests.browser import ARTIFACTS, Browser, needs_chromium, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REGISTER = """编号,名称,类型,经度,纬度,面积,投用时间,状态
TC031,浏河镇科技孵化器,孵化器,121.272,31.508,6500,2018-10,已投用
N100,浏河新孵化器,孵化器,121.275,31.51,3000,2019-06,已投用
N101,坏数据,孵化器,121.275,31.51,很多,2019-06,已投用
N102,沙溪的载体,孵化器,121.055,31.557,3000,2019-06,已投用
"""


@pytest.fixture
def store_app(tmp_path):
    needs_chromium()
    database = tmp_path / "store.db"
    store = open_store(sqlite_url(database))
    add_user(store, SYSTEM, "liuhe", "town_editor", ["浏河镇"], "liuhe-password")
    store.close()
    with streamlit_server({"CARRIER_MAP_DB_PATH": str(database)}) as url:
        yield url


def test_town_official_imports_with_preview_and_the_figures_follow(playwright, store_app,
                                                                   tmp_path):
    upload = tmp_path / "liuhe.csv"
    upload.write_text(REGISTER, encoding="utf-8")
    session = Browser(playwright, store_app)
    try:
        session.open("/data")
        page = session.page
        page.get_by_label(translate("auth.username", "zh")).fill("liuhe")
        page.get_by_label(translate("auth.password", "zh")).fill("liuhe-password")
        page.get_by_role("button", name=translate("auth.sign_in", "zh")).click()
        session.settle()
        page.get_by_role("tab", name=translate("data.tab_import", "zh")).click()
        page.locator('input[type="file"]').first.set_input_files(str(upload))
        preview = translate("data.preview", "zh", new=1, changed=1, same=0, refused=1, bad=1)
        page.get_by_text(preview).wait_for(timeout=30000)
        session.screenshot("data-import-preview")
        page.get_by_role("button", name=translate("data.commit", "zh", count=2)).click()
        page.get_by_text(translate("data.committed", "zh", count=2)).wait_for(timeout=30000)
        session.screenshot("data-import-done")

        session.open("/")
        expected = load_dataset().check().city["new_area_m2"] + 1000 + 3000
        page.get_by_text(format_area(expected, "zh"), exact=True).wait_for(timeout=30000)
        assert session.dialogs == []
    finally:
        session.close()
    assert (ARTIFACTS / "data-import-done.png").exists()
