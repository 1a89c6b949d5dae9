"""The PDF briefs: what they say, that it matches the CLI's figures, and how they look.

Each brief is rendered once per module, its pages written as PNG to
``test-artifacts/`` (``pdftoppm -r 60``, Debian ``poppler-utils``) and its text
read back with ``pdftotext``. The figures are compared with
``python -m geo check --format json`` as :func:`geo.format_area` writes them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import geo
from geo import ConfigError, format_area, translate
from geo.check import check, ranking
from geo.settings import load_targets
from render.briefs import city_brief, meeting_pack, town_brief
from tests.conftest import REPO, carrier, square_towns

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="needs poppler-utils (pdftotext, pdftoppm)")

ARTIFACTS = REPO / "test-artifacts"
AS_OF = "2019-12-31"
SINCE = "2019-06-30"
TODAY = dt.date(2026, 11, 25)


def pages_text(pdf: bytes, tmp: Path, name: str) -> list[str]:
    """The text of each page; also writes the pages as PNG to test-artifacts/."""
    path = tmp / f"{name}.pdf"
    path.write_bytes(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(ARTIFACTS / f"brief-{name}")],
                   check=True, capture_output=True)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    """Text without any white space, so a sentence wrapped across lines still matches."""
    return re.sub(r"\s+", "", text)


def contains(page: str, *needles: str) -> None:
    missing = [n for n in needles if flat(n) not in flat(page)]
    assert not missing, f"not in the page: {missing}"


@pytest.fixture(scope="module")
def dataset() -> geo.Dataset:
    return geo.load_dataset()


@pytest.fixture(scope="module")
def result(dataset):
    return dataset.check(as_of=AS_OF)


@pytest.fixture(scope="module")
def cli_json() -> dict:
    done = subprocess.run([sys.executable, "-m", "geo", "check", "--format", "json",
                           "--as-of", AS_OF], cwd=REPO, capture_output=True, text=True,
                          timeout=180, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def city_zh(dataset, result, tmp_path_factory) -> list[str]:
    pdf = city_brief(result, dataset.boundaries, dataset.sources, "zh", since=SINCE,
                     generated=TODAY)
    return pages_text(pdf, tmp_path_factory.mktemp("brief"), "city-zh")


@pytest.fixture(scope="module")
def pack_zh(dataset, result, tmp_path_factory) -> list[str]:
    pdf = meeting_pack(result, dataset.boundaries, dataset.sources, "zh", since=SINCE,
                       generated=TODAY)
    return pages_text(pdf, tmp_path_factory.mktemp("brief"), "pack-zh")


def test_city_brief_says_the_headline_figures_towns_date_and_notes(city_zh, result):
    assert 1 <= len(city_zh) <= 2
    text = "\n".join(city_zh)
    city = result.city
    contains(text, "创新载体建设进度通报", format_area(city.new_area_m2, "zh"),
             f"{city.towns_met} / {city.towns_total}", f"{city.new_carriers} 家",
             f"{city.research_institutes} 家", f"数据截至 {AS_OF}", "生成日期：2026-11-25",
             "计划期：2018-01-01 至 2020-12-31",
             translate("since.title", "zh", since=SINCE, as_of=AS_OF))
    for town in result.towns["town"]:
        assert town in text
    for page in city_zh:  # every page: date, source (file names only), period, notes
        contains(page, "生成日期：2026-11-25", f"截至 {AS_OF}", "carriers.csv",
                 "taicang_towns.geojson", "2018-01-01 至 2020-12-31",
                 translate("note.illustrative", "zh", count=result.illustrative_count),
                 translate("note.approximate", "zh"))
        assert str(REPO) not in page and "/data/" not in page


def test_city_brief_names_the_towns_behind_pace(city_zh, result):
    from geo.progress import pace

    behind = pace(result, "month").behind
    assert behind, "the bundled data has towns behind pace on this date"
    section = flat("\n".join(city_zh)).split(flat(translate("brief.behind_title", "zh")))[1]
    for town in behind:
        assert town in section.split(flat(translate("brief.pipeline_title", "zh")))[0]


def test_pdf_figures_equal_the_cli_json(pack_zh, cli_json, result):
    """The meeting pack against ``python -m geo check --format json --as-of``."""
    city_pages = len(pack_zh) - len(cli_json["towns"])
    city = cli_json["city"]
    contains("\n".join(pack_zh[:city_pages]), format_area(city["new_area_m2"], "zh"),
             f"{city['towns_met']} / {city['towns_total']}", f"{city['new_carriers']} 家",
             f"{city['research_institutes']} 家",
             format_area(city["projected_m2"], "zh"))
    towns = {t["town"]: t for t in cli_json["towns"]}
    for page, name in zip(pack_zh[city_pages:], ranking(result), strict=True):
        town = towns[name]
        contains(page, f"{name} 创新载体建设进度", format_area(town["new_area_m2"], "zh"),
                 format_area(town["target_m2"], "zh"), format_area(town["projected_m2"], "zh"))
        for carrier_id in town["carrier_ids"]:
            assert carrier_id in page


def test_meeting_pack_is_the_city_then_one_page_per_town_worst_first(pack_zh, city_zh, result):
    assert len(pack_zh) == len(city_zh) + len(result.towns)
    firsts = [flat(page).split(flat("创新载体建设进度"))[0] for page in pack_zh[len(city_zh):]]
    assert [first.split("筛选")[-1] for first in firsts] == ranking(result)


def test_town_brief_is_one_page_with_every_carrier_and_why(dataset, result, tmp_path):
    pdf = town_brief(result, dataset.boundaries, "浏河镇", dataset.sources, "zh", since=SINCE,
                     generated=TODAY)
    pages = pages_text(pdf, tmp_path, "town-zh")
    assert len(pages) == 1
    page = pages[0]
    figures = result.towns.set_index("town").loc["浏河镇"]
    contains(page, "浏河镇 创新载体建设进度", format_area(figures["new_area_m2"], "zh"),
             translate("band.close", "zh", pct=50), translate("reason.not_in_use", "zh"),
             translate("town.problems", "zh", count=0), f"截至 {AS_OF}",
             translate("note.approximate", "zh"))
    carriers = result.carriers
    for carrier_id in carriers.loc[carriers["town"] == "浏河镇", "id"]:
        assert carrier_id in page


def test_english_brief(dataset, result, tmp_path):
    pdf = city_brief(result, dataset.boundaries, dataset.sources, "en", generated=TODAY)
    text = "\n".join(pages_text(pdf, tmp_path, "city-en"))
    contains(text, "Innovation carriers: progress brief", "Liuhe Town",
             format_area(result.city.new_area_m2, "en"), f"As of {AS_OF}",
             translate("note.approximate", "en"), "Generated 2026-11-25")
    assert "进度通报" not in text


def test_hostile_names_print_as_text_and_filters_on_every_page(tmp_path, register_csv):
    """Typst markup in a carrier or town name is printed as written, never run."""
    hostile = '#set page(fill: red) *粗* _x_ $y$ @ref <lab> \\ [a] // c /* d #"'
    towns = square_towns()
    towns.loc[0, "name"] = "#strong[甲]镇"
    towns.loc[0, "name_en"] = "#emph[Jia]"
    boundaries = geo.prepare_boundaries(towns)
    path = register_csv([carrier(name=hostile)])
    result = check(geo.load_register(path), boundaries, load_targets(None))
    assert result.towns["new_area_m2"].iloc[0] == 12000
    sources = {"carriers": {"path": str(path), "sha256": "0" * 64}}
    lines = ["筛选：仅孵化器 #emph[x]"]
    for name, pdf in (
            ("hostile-town", town_brief(result, boundaries, "#strong[甲]镇", sources, "zh",
                                        filter_lines=lines, generated=TODAY)),
            ("hostile-city", city_brief(result, boundaries, sources, "zh", filter_lines=lines,
                                        generated=TODAY))):
        pages = pages_text(pdf, tmp_path, name)
        for page in pages:
            contains(page, lines[0])
        contains("\n".join(pages), "#strong[甲]镇")
    contains(pages_text(town_brief(result, boundaries, "#strong[甲]镇", sources, "zh",
                                   generated=TODAY), tmp_path, "hostile")[0], hostile)


def test_without_a_cjk_font_the_brief_is_refused_with_a_message(monkeypatch, dataset, result):
    monkeypatch.setenv("CARRIER_MAP_CJK_FONT", "/nonexistent/NotoSansCJK-Regular.ttc")
    with pytest.raises(geo.ConfigError) as raised:
        city_brief(result, dataset.boundaries, dataset.sources, "zh")
    assert raised.value.code == "brief.no_cjk_font"
    assert "fonts-noto-cjk" in raised.value.message("zh")


def test_an_unknown_town_is_refused(dataset, result):
    with pytest.raises(geo.ConfigError) as raised:
        town_brief(result, dataset.boundaries, "浏河", dataset.sources, "zh")
    assert raised.value.code == "brief.town_unknown" and "浏河镇" in raised.value.message("zh")


def test_the_download_buttons_draw_without_error(dataset):
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import geo
        from dashboard.briefs import brief_downloads
        from dashboard.sidebar import Context, View
        from geo.filters import Filters
        from render.basemaps import NO_BASEMAP

        data = geo.load_dataset()
        context = Context(View("zh", Filters(), NO_BASEMAP), data)
        brief_downloads(context)
        brief_downloads(context, "浏河镇", key="town")
        brief_downloads(context, since="2030-01-01", key="late")

    from dashboard.markdown import plain

    app = AppTest.from_function(page, default_timeout=60).run()
    assert not app.exception
    assert [w.body for w in app.warning] == [plain(translate(
        "since.after_period", "zh", since="2030-01-01", end="2020-12-31"))]


@pytest.mark.parametrize("dates", [("2021-03-01", "2021-06-30"), ("2021-03-01", None),
                                   ("2021-03-01", "2020-12-31")])
def test_a_since_date_after_the_period_is_refused_however_the_as_of_date_is_given(dates):
    """Every as-of date after the period is its end: the answer must not depend on which."""
    from geo.progress import changes_since

    since, as_of = dates
    with pytest.raises(ConfigError) as raised:
        changes_since(geo.load_dataset().check(), since, as_of)
    assert raised.value.code == "since.after_period"


def test_a_since_date_after_the_as_of_date_is_refused_and_names_both():
    from geo.progress import changes_since

    with pytest.raises(ConfigError) as raised:
        changes_since(geo.load_dataset().check(), "2020-06-30", "2020-03-31")
    assert (raised.value.code, raised.value.params["since"]) == ("since.after_as_of",
                                                                 "2020-06-30")


def test_a_crowded_town_stays_on_one_page_and_says_what_is_left_out(tmp_path, register_csv):
    rows = [carrier(id=f"C{i:02d}", lon=f"{121.005 + (i % 8) * 0.012:.3f}",
                    lat=f"{31.405 + (i // 8) * 0.018:.3f}",
                    status="已投用" if i % 2 else "规划") for i in range(40)]
    boundaries = geo.prepare_boundaries(square_towns())
    result = check(geo.load_register(register_csv(rows)), boundaries, load_targets(None))
    pdf = town_brief(result, boundaries, "甲镇", {}, "zh", generated=TODAY)
    pages = pages_text(pdf, tmp_path, "crowded-town")
    assert len(pages) == 1
    assert (result.carriers["reason"] == "counted").sum() == 20
    contains(pages[0], translate("brief.more_rows", "zh", count=9))
