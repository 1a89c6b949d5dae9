"""Tables as people read them, and the files they download."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from geo import check, load_register, prepare_boundaries, translate
from geo.settings import Targets, data_paths
from render.export import to_csv_bytes, to_xlsx_bytes
from render.tables import (
    band_cell_styles,
    carrier_table,
    display_names,
    drop_blank,
    number_formats,
    problem_table,
    town_bands,
    town_carriers,
    town_problems,
    town_table,
)
from tests.conftest import carrier, square_towns


@pytest.fixture
def result(register_csv):
    register = load_register(register_csv([
        carrier("A1", area="12000"),
        carrier("A2", area="3000", status="在建"),
        carrier("A3", area="abc"),
        carrier("A4", town="甲镇", lon="", lat="", opened="2015"),
        carrier("A5", town="乙镇", lon="121.05", lat="31.45"),
    ]))
    return check(register, prepare_boundaries(square_towns()), Targets())


def test_display_names_chinese_and_english():
    towns = square_towns()
    assert display_names(towns, "zh")["甲镇"] == "甲镇"
    assert display_names(towns, "en")["甲镇"] == "Jia (甲镇)"
    assert display_names(towns, "en", short=True)["甲镇"] == "Jia"
    assert display_names(towns.drop(columns="name_en"), "en")["甲镇"] == "甲镇"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_town_table_keeps_numbers_numeric_and_labels_translated(result, lang):
    table = town_table(result, display_names(square_towns(), lang), lang)
    assert len(table) == 4
    area = table[translate("col.new_area", lang)]
    assert pd.api.types.is_numeric_dtype(area)
    assert area.sum() == result.city.new_area_m2
    assert translate("band.met", lang) in set(table[translate("col.band", lang)])


def test_town_carriers_include_registered_but_unplaced_rows(result):
    carriers = town_carriers(result, "甲镇")
    assert set(carriers["id"]) == {"A1", "A2", "A4", "A5"}
    reasons = dict(zip(carriers["id"], carriers["reason"], strict=True))
    assert reasons == {"A1": "counted", "A2": "not_in_use", "A4": "opened_outside_period",
                       "A5": "counted"}


def test_town_problems_are_the_problems_of_its_rows(result):
    problems = town_problems(result, "甲镇")
    assert {p.code for p in problems} == {"row.town_mismatch"}
    assert [p.id for p in problems] == ["A5"]


def test_carrier_and_problem_tables_in_english(result):
    names = display_names(square_towns(), "en")
    table = carrier_table(town_carriers(result, "甲镇"), names, "en")
    assert set(table["Counts? / reason"]) == {"Counts", "Not in use yet",
                                              "Opened outside the period"}
    problems = problem_table(result.problems, "en")
    assert problems["Row"].tolist() == sorted(problems["Row"].dropna().tolist())
    assert "floor area (m²)" in problems["Column"].tolist()


def test_downloads_open_in_excel_with_chinese_and_no_formulas():
    frame = pd.DataFrame({"名称": ["浏河镇孵化器", "=HYPERLINK(\"http://x\")", "-1+1"],
                          "面积": [1.5, 2.0, 3.0]})
    csv = to_csv_bytes(frame)
    assert csv.startswith("\ufeff".encode())
    assert "浏河镇孵化器" in csv.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, "表"))).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ("名称", "面积")
    assert values[2] == ("'=HYPERLINK(\"http://x\")", 2.0)
    assert sheet.title == "表"


def test_data_paths_from_settings(tmp_path):
    bundled = data_paths({})
    assert bundled.carriers.name == "carriers.csv" and bundled.name_field == "name"
    chosen = data_paths({"CARRIER_MAP_CARRIERS": str(tmp_path / "x.xlsx"),
                         "CARRIER_MAP_NAME_FIELD": "XZQMC"})
    assert chosen.carriers == tmp_path / "x.xlsx" and chosen.name_field == "XZQMC"
    assert chosen.boundaries == bundled.boundaries


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_carrier_registered_to_another_town_is_listed_and_flagged_on_both(result, lang):
    """A5 is registered to 乙镇 but its point lies in 甲镇: both pages list and flag it."""
    names = display_names(square_towns(), lang)
    flag = translate("town.location_mismatch", lang, declared=names["乙镇"],
                     located=names["甲镇"])
    check_column, id_column = translate("col.location_check", lang), translate("col.id", lang)
    for town, section in (("甲镇", "counted"), ("乙镇", "elsewhere")):
        carriers = town_carriers(result, town)
        assert carriers.set_index("id").loc["A5", "section"] == section
        listing = carrier_table(carriers, names, lang).set_index(id_column)
        assert listing.loc["A5", check_column] == flag
        assert set(listing.drop(index="A5")[check_column]) <= {""}
        problems = town_problems(result, town)
        assert ("row.town_mismatch", "A5") in [(p.code, p.id) for p in problems]
    assert list(town_carriers(result, "乙镇")["id"]) == ["A5"]
    towns = result.towns.set_index("town")  # the figures still follow the point
    assert "A5" in towns.loc["甲镇", "carrier_ids"]
    assert towns.loc["乙镇", "new_area_m2"] == 0 and towns.loc["乙镇", "carriers_counted"] == 0


def test_flag_names_an_unknown_registered_town_as_written(register_csv):
    register = load_register(register_csv([carrier("B1", town="外星镇")]))
    result = check(register, prepare_boundaries(square_towns()), Targets())
    listing = carrier_table(town_carriers(result, "甲镇"), display_names(square_towns(), "zh"),
                            "zh")
    assert listing[translate("col.location_check", "zh")].tolist() == ["登记为外星镇，坐标位于甲镇"]


def test_town_sections_split_counted_other_and_elsewhere(result):
    sections = town_carriers(result, "甲镇").set_index("id")["section"].to_dict()
    assert sections == {"A1": "counted", "A2": "other", "A4": "other", "A5": "counted"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_town_table_has_the_projection_and_progress_as_a_fraction(result, lang):
    table = town_table(result, display_names(square_towns(), lang), lang)
    towns = result.towns
    assert table[translate("col.progress", lang)].tolist() == towns["progress"].tolist()
    for code, column in (("col.projected", "projected_m2"),
                         ("col.building_in_period", "under_construction_in_period_m2"),
                         ("col.planned_in_period", "planned_in_period_m2"),
                         ("col.after_period", "pipeline_after_period_m2"),
                         ("col.no_date", "pipeline_no_date_m2"),
                         ("col.under_construction", "under_construction_m2"),
                         ("col.planned", "planned_m2")):
        assert table[translate(code, lang)].tolist() == towns[column].tolist(), code
    # Shown only when they can hold area: as of a date, and pipeline due before the period.
    assert (translate("col.before_period", lang) in table) == bool(
        towns["pipeline_before_period_m2"].any())
    assert translate("col.after_as_of", lang) not in table
    formats = number_formats(table.columns, lang)
    assert formats[translate("col.progress", lang)] == "0.0%"
    assert formats[translate("col.projected", lang)] == "#,##0"
    assert translate("col.town", lang) not in formats


def test_as_of_a_date_the_projection_columns_add_up_to_the_projection(register_csv):
    register = load_register(register_csv([
        carrier("B1", area="4000", opened="2019-03"),
        carrier("B2", area="5000", opened="2020-09"),  # in the period, after the date
        carrier("B3", area="6000", status="在建", opened="2020-10"),
        carrier("B4", area="7000", status="规划", opened="2017-06"),  # due before the period
    ]))
    result = check(register, prepare_boundaries(square_towns()), Targets(), as_of="2020-06-30")
    table = town_table(result, display_names(square_towns(), "zh"), "zh").set_index(
        translate("col.town", "zh"))
    parts = [translate(code, "zh") for code in ("col.new_area", "col.after_as_of",
                                                 "col.building_in_period",
                                                 "col.planned_in_period")]
    assert table[parts].sum(axis=1).tolist() == table[translate("col.projected", "zh")].tolist()
    assert table.loc["甲镇", parts].tolist() == [4000, 5000, 6000, 0]
    assert table.loc["甲镇", translate("col.before_period", "zh")] == 7000


def test_drop_blank_drops_only_the_named_empty_columns():
    frame = pd.DataFrame({"a": ["", ""], "b": ["", "x"], "c": [None, None]})
    assert list(drop_blank(frame, ["a", "b", "c"]).columns) == ["b"]
    assert list(drop_blank(frame, ["b"]).columns) == ["a", "b", "c"]


@pytest.fixture
def spread(register_csv):
    """Four towns: 甲 met, 乙 close, 丙 far, 丁 nothing."""
    register = load_register(register_csv([
        carrier("M", area="12000", lon="121.05", lat="31.55"),
        carrier("C", area="6000", lon="121.15", lat="31.55"),
        carrier("F", area="2000", lon="121.05", lat="31.45"),
    ]))
    return check(register, prepare_boundaries(square_towns()), Targets())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ranked_town_table_is_worst_first_as_the_domain_ranks(spread, lang):
    from geo.check import ranking

    names = display_names(square_towns(), lang)
    table = town_table(spread, names, lang, ranked=True)
    assert table[translate("col.town", lang)].tolist() == [names[t] for t in ranking(spread)]
    progress = table[translate("col.progress", lang)].tolist()
    assert progress == sorted(progress), "worst first"
    plain = town_table(spread, names, lang)
    assert sorted(map(tuple, table.to_numpy().tolist())) == sorted(
        map(tuple, plain.to_numpy().tolist())), "the same rows, only reordered"


def test_band_cells_take_the_palette_colours_in_the_table_order(spread):
    from geo.check import ranking
    from render.palette import BAND_COLOURS, BAND_TEXT_COLOURS

    bands = town_bands(spread, ranked=True)
    by_town = spread.towns.set_index("town")["band"]
    assert bands == [by_town[t] for t in ranking(spread)]
    assert set(bands) == {"met", "close", "far"}
    styles = band_cell_styles(bands)
    for band, style in zip(bands, styles, strict=True):
        assert f"background-color: {BAND_COLOURS[band]}" in style
        assert f"color: {BAND_TEXT_COLOURS[band]}" in style
    assert band_cell_styles([None]) == ["background-color: #bdbdbd; color: #102027"]
