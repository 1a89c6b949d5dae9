"""Ledgers as town offices keep them: title rows, merged two-row headers, 序号, units, footers.

The committed files in ``tests/data/`` (made by ``tests/data/make_ledgers.py``)
are read through the CLI and the readers, with the figures asserted.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from geo import InputFileError, load_dataset
from geo.cli import main
from geo.readers import list_sheets, read_table
from geo.register import load_register
from tests.conftest import HEADER, carrier

DATA = Path(__file__).resolve().parent / "data"
LIUHE = DATA / "浏河镇创新载体台账2020.xlsx"
SHAXI = DATA / "沙溪镇载体台账_GBK.csv"


def run_json(capsys, *args: str) -> dict:
    assert main(["check", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def towns(document: dict) -> dict[str, float]:
    return {t["town"]: t["new_area_m2"] for t in document["towns"] if t["new_area_m2"]}


def test_the_liuhe_workbook_gives_the_right_figures_through_the_cli(capsys):
    document = run_json(capsys, "--carriers", str(LIUHE))
    # 5,500 + 1,500 + 1,500 (a GCJ-02 point) + 3,000 new; 0.6 万 lies in 沙溪镇 by its point.
    assert towns(document) == {"浏河镇": 11500, "沙溪镇": 6000}
    assert [p["code"] for p in document["problems"]] == ["row.town_mismatch"]
    notes = {(n["row"], n["code"]) for n in document["notes"]}
    assert {(12, "note.skipped_total"), (13, "note.skipped_signature"),
            (14, "note.skipped_signature"), (None, "note.area_unit_wan"),
            (None, "note.sheet_read")} <= notes


def test_the_shaxi_gbk_csv_gives_the_right_figures_and_sets_the_footer_aside(capsys):
    document = run_json(capsys, "--carriers", str(SHAXI))
    assert towns(document) == {"沙溪镇": 4000 + 2000 + 800 + 3500}
    assert document["problems"] == []
    kinds = [(n["row"], n["code"]) for n in document["notes"] if n["row"]]
    assert kinds == [(11, "note.skipped_numbered_blank"), (12, "note.skipped_total"),
                     (13, "note.skipped_signature"), (14, "note.skipped_note")]


def test_the_cli_table_lists_the_notes_apart_from_the_problems(capsys):
    assert main(["check", "--carriers", str(SHAXI)]) == 0
    out = capsys.readouterr().out
    assert "读取说明" in out and "第 12 行是合计/小计行" in out and "没有发现数据问题" in out


def test_two_row_header_labels_columns_under_their_group_and_ignores_usable_area():
    raw = read_table(LIUHE)
    assert raw.header[4:6] == ["位置坐标/经度", "位置坐标/纬度"]
    assert raw.header[8] == "面积（万平方米）/使用面积" and "floor_area_m2" in raw.fields
    assert raw.fields["floor_area_m2"] == 7 and raw.area_unit == "万平方米"
    register = load_register(LIUHE)
    assert register.carriers["floor_area_m2"].tolist()[:2] == [5500, 1500]
    assert register.carriers["id_generated"].all(), "序号 is a row counter, not an id"
    assert register.carriers["row"].tolist() == list(range(4, 12))


def test_the_active_visible_sheet_is_read_and_any_other_can_be_chosen():
    sheets = {s.name: s for s in list_sheets(LIUHE)}
    assert sheets["2019年"].visible is False and sheets["2020年"].active
    assert sheets["填表说明"].has_header is False
    assert read_table(LIUHE).sheet == "2020年"
    assert len(load_register(LIUHE, sheet="2019年").carriers) == 1
    with pytest.raises(InputFileError) as caught:
        read_table(LIUHE, sheet="2021年")
    assert caught.value.code == "file.no_sheet" and "2020年" in caught.value.message()


def test_an_upload_is_named_as_the_user_knows_it_never_by_a_server_path():
    with pytest.raises(InputFileError) as caught:
        read_table(b"a,b\n1,2\n", name="浏河镇台账.csv")
    assert "浏河镇台账.csv" in caught.value.message("zh")
    assert "/tmp" not in caught.value.message("zh") and "/work" not in caught.value.message("zh")
    register = load_register(LIUHE.read_bytes(), name="浏河镇台账.xlsx")
    assert register.path == "浏河镇台账.xlsx" and len(register.usable) == 8


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


@pytest.mark.parametrize(("header", "value", "expected"), [
    ("建筑面积（万平方米）", "1.2", 12000),
    ("面积(万㎡)", "0.55", 5500),
    ("面积（万m2）", "2", 20000),
    ("建筑面积（平方米）", "1200.5", 1200.5),
    ("面积（万方）", "1.2", 12000),
    ("面积（万平）", "0.3", 3000),
    ("面积（万平方米）", "１．２", 12000),  # full-width digits typed by an input method
    ("面积(㎡)", "12,000", 12000),
    ("面积(m²)", "800", 800),
    ("建筑面积（万平方米）", "8000平方米", 8000),  # a cell's own unit wins
    ("建筑面积（万平方米）", "1.5万", 15000),
    ("建筑面积\n（万平方米）", "1", 10000),  # a line break in the header cell
])
def test_units_in_the_header(header, value, expected):
    row = carrier(area=value)
    text = ",".join(f'"{h}"' for h in [*HEADER[:7], header, *HEADER[8:]]) + "\n" + ",".join(
        f'"{v}"' for v in row) + "\n"
    register = load_register(_csv(text), name="r.csv")
    assert register.carriers["floor_area_m2"].tolist() == [expected]
    assert register.problems == []


def test_a_unit_announced_in_a_title_line_applies_to_a_header_without_one():
    text = ("某镇载体台账\n面积单位：万平方米\n" + ",".join(HEADER) + "\n"
            + ",".join(carrier(area="1.2")) + "\n")
    register = load_register(_csv(text), name="r.csv")
    assert register.carriers["floor_area_m2"].tolist() == [12000]
    assert any(n.code == "note.area_unit_wan" and n.value == "面积单位：万平方米"
               for n in register.notes)


def test_a_quoted_line_break_in_the_title_keeps_the_header_and_row_numbers():
    text = ('"浏河镇创新载体台账\n（2020年）",,,,,,,,,,\n' + ",".join(HEADER) + "\n"
            + ",".join(carrier(id="A")) + "\n" + ",".join(carrier(id="B", area="坏")) + "\n")
    register = load_register(_csv(text), name="r.csv")
    assert register.carriers["id"].tolist() == ["A", "B"]
    assert register.carriers["row"].tolist() == [3, 4]
    assert [(p.row, p.code) for p in register.problems] == [(4, "row.area_invalid")]


def test_footer_rows_are_set_aside_with_a_note_wherever_the_label_is():
    rows = [carrier(id="A"), ["", "浏河镇小计", "", "", "", "", "", "12000", "", "", ""],
            carrier(id="B"), ["合计", "", "", "", "", "", "", "24000", "", "", ""],
            ["", "", "", "", "", "", "", "", "", "", ""],
            ["填表人：张三", "", "", "", "审核人：李四", "", "", "", "", "", ""],
            ["注：面积为建筑面积", "", "", "", "", "", "", "", "", "", ""]]
    text = ",".join(HEADER) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    register = load_register(_csv(text), name="r.csv")
    assert register.carriers["id"].tolist() == ["A", "B"]
    assert register.problems == []
    assert [(n.row, n.code) for n in register.notes if n.row] == [
        (3, "note.skipped_total"), (5, "note.skipped_total"), (7, "note.skipped_signature"),
        (8, "note.skipped_note")]


def test_a_broken_row_among_carriers_is_still_an_error_not_a_footer():
    rows = [carrier(id="A"), ["", "某孵化器X", "", "", "", "", "", "", "", "", ""],
            carrier(id="B")]
    text = ",".join(HEADER) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    register = load_register(_csv(text), name="r.csv")
    assert (3, "row.value_missing") in {(p.row, p.code) for p in register.problems}


def test_two_columns_for_one_field_say_which_was_used():
    header = ["名称", "类型", "面积", "建筑面积", "状态", "镇区"]
    text = ",".join(header) + "\n甲孵化器,孵化器,100,200,已投用,甲镇\n"
    register = load_register(_csv(text), name="r.csv")
    assert register.carriers["floor_area_m2"].tolist() == [100]
    [note] = [p for p in register.problems if p.code == "note.column_duplicate"]
    assert note.severity == "warning" and "建筑面积" in note.message() and "面积" in note.message()


def test_merged_town_cells_are_filled_down_in_a_workbook(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["序号", "名称", "类型", "镇区", "面积", "投用时间", "状态"])
    sheet.append([1, "甲孵化器", "孵化器", "甲镇", 1000, "2019", "已投用"])
    sheet.append([2, "乙孵化器", "孵化器", None, 2000, "2019", "已投用"])
    sheet.merge_cells("D2:D3")
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    register = load_register(path)
    assert register.carriers["town_declared"].tolist() == ["甲镇", "甲镇"]


def test_hidden_rows_are_read_and_noted(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名称", "类型", "镇区", "面积", "投用时间", "状态"])
    sheet.append(["甲孵化器", "孵化器", "甲镇", 1000, "2019", "已投用"])
    sheet.append(["乙孵化器", "孵化器", "甲镇", 2000, "2019", "已投用"])
    sheet.row_dimensions[3].hidden = True
    path = tmp_path / "hidden.xlsx"
    workbook.save(path)
    register = load_register(path)
    assert len(register.usable) == 2
    assert [n.code for n in register.notes if n.code == "note.hidden_rows"] == [
        "note.hidden_rows"]


def test_old_xls_workbooks_are_read(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt writes the .xls test file")
    book = xlwt.Workbook()
    sheet = book.add_sheet("台账")
    sheet.write_merge(0, 0, 0, 6, "双凤镇载体台账")
    for column, text in enumerate(["序号", "名称", "类型", "镇区", "建筑面积（万平方米）",
                                   "投用时间", "状态"]):
        sheet.write(1, column, text)
    for column, value in enumerate([1, "双凤镇孵化器", "孵化器", "双凤镇", 1.2, "2019-05",
                                    "已投用"]):
        sheet.write(2, column, value)
    sheet.write(3, 0, "合计")
    sheet.write(3, 4, 1.2)
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "old.xls"
    path.write_bytes(buffer.getvalue())
    register = load_register(path)
    assert register.carriers[["name", "floor_area_m2", "town_declared"]].values.tolist() == [
        ["双凤镇孵化器", 12000, "双凤镇"]]
    assert any(n.code == "note.skipped_total" for n in register.notes)
    result = load_dataset(path).check()
    assert result.towns.set_index("town").loc["双凤镇", "new_area_m2"] == 12000


def test_a_header_without_carriers_says_so(capsys):
    document = run_json(capsys, "--carriers", str(DATA / "header-only.csv"))
    assert [(p["code"], p["severity"]) for p in document["problems"]] == [
        ("file.no_carriers", "warning")]
    assert all(t["new_area_m2"] == 0 for t in document["towns"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_has_drop_downs_and_instructions_and_reads_back(tmp_path, capsys, lang):
    path = tmp_path / "台账模板.xlsx"
    assert main(["template", "--out", str(path), "--lang", lang]) == 0
    workbook = openpyxl.load_workbook(path)
    sheet, guide = workbook.worksheets
    header = [cell.value for cell in sheet[1]]
    lists = {header[openpyxl.utils.column_index_from_string(
        str(v.sqref).split(":")[0].rstrip("0123456789")) - 1]: v.formula1
        for v in sheet.data_validations.dataValidation}
    type_header, status_header, crs_header = (("类型", "状态", "坐标系") if lang == "zh"
                                               else ("type", "status", "crs"))
    assert set(lists) == {type_header, status_header, crs_header}
    assert "孵化器" in lists[type_header] and "已投用" in lists[status_header]
    assert "GCJ02" in lists[crs_header]
    assert guide.max_row >= 15 and any("序号" in str(c.value) for c in guide["C"])
    register = load_register(path)
    assert register.carriers.empty
    assert [p.code for p in register.problems] == ["file.no_carriers"]
    filled = tmp_path / "filled.xlsx"
    sheet.append(["", "新孵化器", "孵化器", "甲镇", "", "", "", "8000", "2019-05", "已投用"])
    workbook.save(filled)
    assert load_register(filled).usable["floor_area_m2"].tolist() == [8000]


def test_the_cli_reads_the_sheet_it_is_told_and_names_the_sheets_of_a_wrong_one(
        tmp_path, capsys):
    workbook = openpyxl.Workbook()
    for name, town, area in (("浏河镇", "浏河镇", 6000), ("浮桥镇", "浮桥镇", 8000)):
        sheet = workbook.create_sheet(name)
        sheet.append(["名称", "类型", "镇区", "面积（平方米）", "投用时间", "状态"])
        sheet.append([f"{town}孵化器", "孵化器", town, area, "2019-05", "已投用"])
    del workbook["Sheet"]
    path = tmp_path / "各镇台账.xlsx"
    workbook.save(path)
    assert towns(run_json(capsys, "--carriers", str(path))) == {"浏河镇": 6000}
    assert towns(run_json(capsys, "--carriers", str(path), "--sheet", "浮桥镇")) == {
        "浮桥镇": 8000}
    assert main(["check", "--carriers", str(path), "--sheet", "沙溪镇"]) == 2
    assert "浏河镇、浮桥镇" in capsys.readouterr().err


def test_a_chosen_sheet_without_a_header_is_named_in_the_message(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "填表说明"
    workbook.active.append(["请在“2020年”工作表中填写"])
    sheet = workbook.create_sheet("2020年")
    sheet.append(["名称", "类型", "镇区", "面积", "投用时间", "状态"])
    path = tmp_path / "多工作表.xlsx"
    workbook.save(path)
    with pytest.raises(InputFileError) as raised:
        read_table(path, sheet="填表说明")
    message = raised.value.message()
    assert raised.value.code == "file.no_header_sheet"
    assert "多工作表.xlsx" in message and "填表说明" in message and "floor_area_m2" not in message
