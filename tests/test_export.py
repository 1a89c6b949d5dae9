"""Files fit to hand in: the workbook's lines above the table, its formats, and the round trip."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo import check, format_area, load_register, prepare_boundaries, translate
from geo.cover import Cover, city_cover, problems_cover, town_cover
from geo.readers import read_table
from geo.register import validate_register
from geo.schema import HEADER_ALIASES, normalise_token
from geo.settings import Targets
from render.export import to_csv_bytes, to_xlsx_bytes
from render.tables import carrier_file_table, display_names, number_formats, town_table
from tests.conftest import carrier, square_towns

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOMENT = dt.datetime(2025, 3, 4, 9, 5, tzinfo=SHANGHAI)
SOURCES = {"carriers": {"path": "/srv/carrier-map/data/登记表.csv", "sha256": "ab" * 32},
           "boundaries": {"path": "postgresql://map:***@db/carriers",
                          "sha256": "data-version-7"}}


def names(lang):
    return display_names(square_towns(), lang)


@pytest.fixture
def result(register_csv):
    """Carriers in every shape the import takes, all usable, one registered elsewhere."""
    register = load_register(register_csv([
        carrier("007", name="甲镇孵化器", area="1.2万", opened="2019-06", source="示意数据"),
        carrier("A2", name='Maker "one", ltd', type="众创空间", status="在建", area="3000",
                opened="2020", lon="121.058", lat="31.452", crs="GCJ02"),
        carrier("A3", name="产业研究院", type="新型研发机构", status="规划", area="2,500㎡",
                opened="2022", lon="121.07", lat="31.46", crs="BD09"),
        carrier("A4", name="乙镇基地", type="产业化基地", town="乙镇", lon="", lat="",
                opened="2020年3月"),
        carrier("A5", name="登记在乙镇的空间", type="众创空间", town="乙镇", lon="121.03",
                lat="31.41", area="800"),
    ]))
    return check(register, prepare_boundaries(square_towns()), Targets())


def sheet_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def column_cells(sheet, header_row: int, header: str):
    headers = [c.value for c in sheet[header_row]]
    index = headers.index(header) + 1
    return [sheet.cell(row, index) for row in range(header_row + 1, sheet.max_row + 1)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_town_workbook_has_the_lines_a_file_handed_in_needs(result, lang):
    cover = town_cover(result, "甲镇", names(lang), lang, SOURCES).at(MOMENT)
    table = carrier_file_table(result.carriers, names(lang), lang)
    sheet = sheet_of(to_xlsx_bytes(table, "甲镇", cover, number_formats(table.columns, lang)))
    lines = [sheet.cell(row, 1).value for row in range(1, 7)]
    town = names(lang)["甲镇"]
    assert lines[0] == translate("download.title_town", lang, town=town)
    assert sheet["A1"].font.bold
    assert "2018-01-01" in lines[1] and "2020-12-31" in lines[1]
    assert "2025-03-04 09:05" in lines[1] and "Asia/Shanghai" in lines[1]
    assert "UTC+08:00" in lines[1]
    assert "登记表.csv" in lines[2] and "SHA-256 abababababab" in lines[2]
    assert "/srv" not in lines[2] and "data-version-7" in lines[2]
    jia = result.towns.set_index("town").loc["甲镇"]
    assert lines[3] == translate("download.verdict", lang, verdict=translate("town.met", lang))
    assert translate("download.totals", lang, totals="") in lines[4]
    assert format_area(jia.new_area_m2, lang) in lines[4]
    assert format_area(jia.projected_m2, lang) in lines[4]
    assert lines[5] == translate("note.illustrative", lang, count=1)
    assert sheet["A7"].value is None
    header_row = 8
    assert [c.value for c in sheet[header_row]][:2] == list(table.columns[:2])
    assert all(c.font.bold for c in sheet[header_row])
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{header_row}:")
    assert sheet.max_row == header_row + len(table)


def test_lines_above_the_table_are_skipped_by_the_header_finder(result):
    """Each line is one cell, so none names two register columns; at most six of them."""
    cover = town_cover(result, "甲镇", names("zh"), "zh", SOURCES).at(MOMENT)
    assert len(cover.lines()) <= 6
    sheet = sheet_of(to_xlsx_bytes(carrier_file_table(result.carriers, names("zh"), "zh"),
                                   cover=cover))
    for row in sheet.iter_rows(min_row=1, max_row=len(cover.lines())):
        filled = [c.value for c in row if c.value is not None]
        assert len(filled) == 1
        assert HEADER_ALIASES.get(normalise_token(filled[0])) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_numbers_are_numbers_with_area_and_percent_formats(result, lang):
    table = town_table(result, names(lang), lang)
    cover = city_cover(result, lang, SOURCES).at(MOMENT)
    sheet = sheet_of(to_xlsx_bytes(table, "towns", cover, number_formats(table.columns, lang)))
    header_row = next(r for r in range(1, 10)
                      if sheet.cell(r, 1).value == translate("col.town", lang))
    areas = column_cells(sheet, header_row, translate("col.new_area", lang))
    assert [c.value for c in areas] == result.towns["new_area_m2"].tolist()
    assert {c.number_format for c in areas} == {"#,##0"}
    for code in ("col.projected", "col.planned_in_period", "col.after_period", "col.no_date"):
        assert {c.number_format for c in column_cells(sheet, header_row,
                                                      translate(code, lang))} == {"#,##0"}
    progress = column_cells(sheet, header_row, translate("col.progress", lang))
    assert [c.value for c in progress] == pytest.approx(result.towns["progress"].tolist())
    assert {c.number_format for c in progress} == {"0.0%"}
    counted = column_cells(sheet, header_row, translate("col.counted", lang))
    assert all(isinstance(c.value, int) for c in counted)
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(5)]
    assert all(w and w >= 8 for w in widths)


def test_city_cover_states_the_goals_and_totals(result):
    lines = city_cover(result, "zh", SOURCES).at(MOMENT).lines()
    city = result.city
    assert lines[0] == translate("download.title_towns", "zh")
    assert f"达标镇区 {city.towns_met} / {city.towns_total}" in lines[3]
    assert f"新增载体 {city.new_carriers} 家" in lines[3]
    assert lines[4].startswith("汇总：新增面积")
    assert lines[-1] == translate("note.illustrative", "zh", count=1)


def test_problems_cover_counts_errors_and_warnings(result):
    lines = problems_cover(result, "en", SOURCES).at(MOMENT).lines()
    warnings = sum(p.severity == "warning" for p in result.problems)
    assert warnings >= 1  # A5's town mismatch
    assert lines[3] == translate("download.verdict", "en", verdict=translate(
        "download.problems_verdict", "en", count=len(result.problems),
        errors=len(result.problems) - warnings, warnings=warnings))


def test_no_notes_line_when_nothing_is_illustrative_or_approximate(result):
    cover = dataclasses.replace(town_cover(result, "乙镇", names("zh"), "zh", SOURCES),
                                notes=()).at(MOMENT)
    assert len(cover.lines()) == 5
    assert not result.approximate_boundaries


def test_a_cover_needs_the_time_of_export_with_its_zone(result):
    cover = town_cover(result, "甲镇", names("zh"), "zh", SOURCES)
    with pytest.raises(ValueError, match="exported_at"):
        cover.lines()
    with pytest.raises(ValueError, match="time zone"):
        cover.at(dt.datetime(2025, 3, 4, 9, 5))
    utc = cover.at(dt.datetime(2025, 3, 4, 1, 5, tzinfo=dt.UTC).astimezone(SHANGHAI))
    assert "2025-03-04 09:05" in utc.lines()[1]


def test_formula_like_text_is_defused_in_the_lines_and_the_table():
    cover = Cover(lang="zh", title="=HYPERLINK(\"http://x\") 创新载体清单",
                  period_start=dt.date(2018, 1, 1), period_end=dt.date(2020, 12, 31),
                  sources=("@SUM(1)",), verdict="-1", notes=("+1",)).at(MOMENT)
    frame = pd.DataFrame({"名称": ["=1+1", "\tx", "ok"], "面积（平方米）": [1.0, -2.0, 3.0]})
    sheet = sheet_of(to_xlsx_bytes(frame, cover=cover))
    assert sheet["A1"].value.startswith("'=HYPERLINK")
    assert [sheet[f"A{row}"].value for row in (2, 3, 4, 5)][1:] == [
        "数据来源：@SUM(1)", "结论：-1", "'+1"]  # no totals line: notes come fifth
    assert [c.value for c in sheet["A"][-3:]] == ["'=1+1", "'\tx", "ok"]
    assert sheet["B9"].value == -2  # numbers are left alone
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_stays_a_plain_table(result):
    table = carrier_file_table(result.carriers, names("zh"), "zh")
    data = to_csv_bytes(table)
    assert data.startswith("\ufeff".encode())
    first = data.decode("utf-8-sig").splitlines()[0]
    assert first.split(",")[:3] == ["编号", "名称", "类型"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_carrier_download_imports_back_unchanged(result, tmp_path, lang, kind):
    table = carrier_file_table(result.carriers, names(lang), lang)
    for column in ("经度", "纬度", "坐标系") if lang == "zh" else ("lon", "lat", "crs"):
        assert column in table.columns
    if kind == "xlsx":
        cover = town_cover(result, "甲镇", names(lang), lang, SOURCES).at(MOMENT)
        data = to_xlsx_bytes(table, "甲镇", cover, number_formats(table.columns, lang))
    else:
        data = to_csv_bytes(table)
    path = tmp_path / f"carriers.{kind}"
    path.write_bytes(data)
    back = validate_register(read_table(path))
    assert [p for p in back.problems if p.severity == "error"] == []
    before, after = result.carriers.reset_index(drop=True), back.carriers.reset_index(drop=True)
    for column in ("id", "name", "type", "status", "town_declared", "opened_text", "source"):
        assert after[column].tolist() == before[column].tolist(), column
    assert after["floor_area_m2"].tolist() == before["floor_area_m2"].tolist()
    assert (after["has_point"] == before["has_point"]).all()
    for column in ("lon", "lat"):  # WGS84 as located; Excel keeps 15 significant digits
        np.testing.assert_allclose(after[column], before[column], rtol=0, atol=1e-9)
    assert set(after.loc[after["has_point"], "crs"]) == {"WGS84"}
    again = check(back, prepare_boundaries(square_towns()), Targets())
    pd.testing.assert_frame_equal(again.towns, result.towns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filtered_download_says_so_under_its_title_and_still_imports_back(
        result, tmp_path, lang):
    from geo.filters import Filters, narrowed

    filters = Filters(types=frozenset({"incubator"}), statuses=frozenset({"in_use"}),
                      period_start=dt.date(2019, 1, 1))
    lines = narrowed(filters, Targets(), lang)
    assert len(lines) == 3
    plain = town_cover(result, "甲镇", names(lang), lang, SOURCES).at(MOMENT)
    cover = plain.filtered(lines)
    shown = cover.lines()
    assert shown[0] == plain.lines()[0] and shown[2:] == plain.lines()[1:]
    assert shown[1] == translate("filters.cover", lang,
                                 lines=("；" if lang == "zh" else "; ").join(lines))
    assert len(shown) <= 7
    assert plain.filtered([]).lines() == plain.lines(), "not filtered: no line"
    table = carrier_file_table(result.carriers, names(lang), lang)
    path = tmp_path / "carriers.xlsx"
    path.write_bytes(to_xlsx_bytes(table, "甲镇", cover, number_formats(table.columns, lang)))
    sheet = sheet_of(path.read_bytes())
    assert sheet.cell(2, 1).value == shown[1] and sheet.cell(2, 1).font.bold
    back = validate_register(read_table(path))
    assert [p for p in back.problems if p.severity == "error"] == []
    assert back.carriers["id"].tolist() == result.carriers["id"].tolist()
