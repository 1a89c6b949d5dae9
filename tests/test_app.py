"""The minimal page runs in both languages and shows what ``geo`` computes."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo import load_dataset
from tests.conftest import REPO


def run_app(lang: str) -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.run()
    if lang == "en":
        app.sidebar.radio[0].set_value("en").run()
    return app


def test_chinese_by_default_with_notes_and_figures():
    app = run_app("zh")
    assert not app.exception
    assert "创新载体" in app.title[0].value
    assert any("近似" in w.value for w in app.warning)
    assert any("示意" in i.value for i in app.info)
    city = load_dataset().check().city
    assert f"{city['towns_met']} / {city['towns_total']}" in app.markdown[0].value
    table = app.dataframe[0].value
    assert table.shape[0] == city["towns_total"]


def test_english():
    app = run_app("en")
    assert not app.exception
    assert "New innovation carrier area" in app.title[0].value
    assert any("approximate" in w.value for w in app.warning)


def test_streamlit_is_configured_to_make_no_outside_requests():
    import tomllib
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
