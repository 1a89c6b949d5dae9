"""Broken and hostile input: a clear message or a reported row, never a wrong figure or a crash."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo import load_register
from geo.cli import main
from geo.readers import read_table
from geo.register import validate_register
from geo.settings import DATA_DIR as DATA
from geo.store.store import clean_values
from render.export import to_xlsx_bytes
from tests.conftest import HEADER, carrier

LINE = ",".join(HEADER) + "\n"


def _strict(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("where", [10, 70_000])
def test_control_characters_are_reported_and_removed_wherever_they_are(where):
    filler = "".join(",".join(carrier(id=f"F{i}", name=f"填充{i}")) + "\n"
                     for i in range(where // 60))
    text = LINE + filler + ",".join(carrier(id="X", name="甲\x00孵化\x0b器")) + "\n"
    register = load_register(text.encode("utf-8"), name="r.csv")
    row = register.carriers.set_index("id").loc["X"]
    assert row["name"] == "甲孵化器" and row["usable"]
    [warning] = [p for p in register.problems if p.code == "row.control_characters"]
    assert warning.row == row["row"] and warning.severity == "warning"


def test_utf16_without_a_byte_order_mark_is_read():
    text = LINE + ",".join(carrier(name="太仓市软件园")) + "\n"
    assert load_register(text.encode("utf-16-le"), name="r.txt").carriers["name"].tolist() == [
        "太仓市软件园"]


@pytest.mark.parametrize("area", ["inf", "Infinity", "1e308", "20000000"])
def test_absurd_areas_are_row_problems_and_the_json_stays_strict(register_csv, capsys, area):
    path = register_csv([carrier("A", area=area), carrier("B", area="5000")])
    assert main(["check", "--carriers", str(path), "--format", "json"]) == 0
    document = _strict(capsys.readouterr().out)
    assert [(p["row"], p["code"]) for p in document["problems"]] == [(2, "row.area_implausible")]
    assert document["city"]["new_area_m2"] == 5000


def test_wan_areas_are_rounded_to_what_was_written(register_csv):
    register = load_register(register_csv([carrier(area="0.57万")]))
    assert register.carriers["floor_area_m2"].tolist() == [5700]


@pytest.mark.parametrize("toml", ["period = 5", "[towns]\ntarget_m2 = 5",
                                  "[towns]\ndefault_target_m2 = nan",
                                  "[towns]\ndefault_target_m2 = inf", "register = 1"])
def test_malformed_targets_exit_2_naming_the_key(tmp_path, capsys, toml):
    path = tmp_path / "targets.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    assert main(["check", "--targets", str(path)]) == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error and toml.split("=")[0].strip().strip("[]").split("]")[-1] \
        .strip() in error


def test_the_text_report_never_passes_terminal_controls(register_csv, capsys):
    path = register_csv([carrier("A", name="\x1b[2J\x1b]0;pwned\x07孵化器", area="很多")])
    assert main(["check", "--carriers", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out


def test_excel_exports_survive_control_characters_and_defuse_formulas():
    import io

    import openpyxl
    import pandas as pd

    content = to_xlsx_bytes(pd.DataFrame({"名称": ["甲\x0b孵化器", "=HYPERLINK(\"x\")"],
                                          "类型": ["孵化器", "孵化器"]}))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == ["甲孵化器", "'=HYPERLINK(\"x\")"]
    back = read_table(content, name="export.xlsx")
    assert back.frame.iloc[:, 0].tolist() == ["甲孵化器", "=HYPERLINK(\"x\")"]


def test_a_link_cannot_put_markdown_into_the_page():
    from tests.test_app import open_app

    evil = "![x](http://evil.example/q.png) [重新登录](http://evil.example/login)"
    app = open_app("zh", town=evil)
    [warning] = [w for w in app.warning if "evil" in w.value]
    assert "](http" not in warning.value and "\\[重新登录\\]" in warning.value


def test_the_sidebar_names_sources_without_server_paths_or_database_urls():
    from tests.test_app import open_app

    app = open_app("zh")
    captions = " ".join(c.value for c in app.sidebar.caption)
    assert "本系统数据库" in captions
    assert "sqlite" not in captions and "/" not in captions.replace("\\/", "")


def test_users_see_a_short_message_not_a_traceback_on_an_unexpected_error():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit"
                            / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_ids_compared_in_their_canonical_form(tmp_path):
    """Full-width ``ＴＣ００１`` and ``TC001 `` are the carrier TC001, not new ones."""
    lines = (DATA / "carriers.csv").read_text(encoding="utf-8-sig").splitlines()
    first = lines[1]
    full_width = first.replace("TC001", "ＴＣ００１", 1)
    spaced = first.replace("TC001", " TC001 ", 1)
    register = validate_register(read_table(
        "\n".join([lines[0], first, full_width, spaced]).encode(), name="ids.csv"))
    assert list(register.carriers["id"]) == ["TC001"] * 3
    assert [(p.row, p.code) for p in register.problems] == [(3, "row.id_duplicate"),
                                                              (4, "row.id_duplicate")]
    assert clean_values({"id": "ＴＣ００１ "})["id"] == "TC001"


def test_an_unclosed_quote_through_the_cli_loses_no_row(tmp_path, capsys):
    lines = (DATA / "carriers.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace(",", ',"', 1)  # row 4 opens a quote that never closes
    path = tmp_path / "carriers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", "--carriers", str(path), "--format", "json"]) == 0
    document = _strict(capsys.readouterr().out)
    [problem] = [p for p in document["problems"] if p["code"] == "row.unclosed_quote"]
    assert problem["row"] == 4 and problem["field"] == "名称"
    full = validate_register(read_table(DATA / "carriers.csv"))
    rows = set(load_register(path).carriers["row"])
    assert rows == set(full.carriers["row"]) - {4}


@pytest.mark.parametrize(("content", "expect"), [
    (lambda xlsx: xlsx[: len(xlsx) // 2], "损坏或不完整"),
    (lambda xlsx: b"PK\x03\x04" + b"\x00" * 64, "损坏或不完整"),
])
def test_a_damaged_workbook_exits_2_saying_so(tmp_path, capsys, content, expect):
    xlsx = to_xlsx_bytes(pd.DataFrame({"名称": ["甲"], "类型": ["孵化器"]}))
    path = tmp_path / "台账.xlsx"
    path.write_bytes(content(xlsx))
    assert main(["check", "--carriers", str(path)]) == 2
    error = capsys.readouterr().err
    assert expect in error and "二进制" not in error and "Traceback" not in error


def test_limits_can_be_set_from_the_environment(monkeypatch):
    from geo import limits

    monkeypatch.setenv("CARRIER_MAP_MAX_ROWS", "5_000")
    assert limits._setting("MAX_ROWS", 7) == 5000
    for bad in ("", "-3", "0", "lots", "1e9"):
        monkeypatch.setenv("CARRIER_MAP_MAX_ROWS", bad)
        assert limits._setting("MAX_ROWS", 7) == 7


def test_ids_of_a_concatenated_register_are_made_canonical():
    """A column joined from registers read apart (Arrow chunks of two string types) works."""
    import pandas as pd

    from geo.values import canonical_ids

    joined = pd.concat([pd.Series([], dtype="str"), pd.Series(["TC001"], dtype="str"),
                        pd.Series([None, " ＴＣ００２ "], dtype="str")], ignore_index=True)
    assert list(canonical_ids(joined).fillna("—")) == ["TC001", "—", "TC002"]
