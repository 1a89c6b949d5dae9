"""The command line's fixed interface: output shapes and exit codes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, carrier


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "check", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_default_table_on_bundled_data_is_chinese():
    done = cli()
    assert done.returncode == 0, done.stderr
    assert "镇区" in done.stdout and "浏河镇" in done.stdout and "达标镇区" in done.stdout
    assert "近似" in done.stdout and "示意" in done.stdout


def test_english_table():
    done = cli("--lang", "en")
    assert done.returncode == 0
    assert "Town" in done.stdout and "approximate" in done.stdout


def test_json_shape_on_bundled_data():
    done = cli("--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["period"] == {"start": "2018-01-01", "end": "2020-12-31"}
    assert document["approximate_boundaries"] is True
    assert len(document["towns"]) == 9
    for town in document["towns"]:
        assert {"town", "target_m2", "new_area_m2", "met", "shortfall_m2",
                "carrier_ids"} <= town.keys()
        assert isinstance(town["met"], bool) and all(isinstance(i, str)
                                                     for i in town["carrier_ids"])
    assert set(document["city"]) >= {"new_carriers", "research_institutes"}
    assert isinstance(document["problems"], list)
    carriers_file = REPO / "data" / "carriers.csv"
    assert document["sources"]["carriers"]["sha256"] == hashlib.sha256(
        carriers_file.read_bytes()).hexdigest()


def test_json_problems_and_every_town_listed(tmp_path, towns_file, register_csv):
    path = register_csv([carrier(), carrier(id="C2", area="abc")])
    done = cli("--carriers", str(path), "--boundaries", str(towns_file), "--format", "json")
    document = json.loads(done.stdout)
    assert [t["town"] for t in document["towns"]] == ["甲镇", "乙镇", "丙镇", "丁区"]
    assert document["approximate_boundaries"] is False
    problem = document["problems"][0]
    assert (problem["row"], problem["id"], problem["field"]) == (3, "C2", "floor_area_m2")
    assert "abc" in problem["message"]


def test_targets_and_name_field_options(tmp_path, towns_file, register_csv):
    targets = tmp_path / "t.toml"
    targets.write_text('[period]\nstart = 2019-01-01\nend = 2019-12-31\n'
                       '[towns]\ndefault_target_m2 = 500\n[towns.target_m2]\n"甲镇" = 20000\n',
                       encoding="utf-8")
    done = cli("--carriers", str(register_csv([carrier()])), "--boundaries", str(towns_file),
               "--targets", str(targets), "--name-field", "name", "--format", "json")
    document = json.loads(done.stdout)
    assert document["period"] == {"start": "2019-01-01", "end": "2019-12-31"}
    jia = document["towns"][0]
    assert (jia["target_m2"], jia["met"], jia["shortfall_m2"]) == (20000, False, 8000)
    assert document["towns"][1]["target_m2"] == 500


@pytest.mark.parametrize(("name", "content", "expect"), [
    ("missing.csv", None, "找不到文件"),
    ("empty.csv", b"", "空的"),
    ("bin.csv", bytes(range(256)) * 8, "二进制"),
    ("cols.csv", "编号,名称\n1,a\n".encode(), "缺少必填列"),
])
def test_unusable_register_exits_2_with_a_message_and_no_traceback(tmp_path, name, content,
                                                                    expect):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    done = cli("--carriers", str(path))
    assert done.returncode == 2
    assert expect in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_unusable_boundaries_and_targets_exit_2(tmp_path):
    points = tmp_path / "p.geojson"
    points.write_text('{"type":"FeatureCollection","features":[{"type":"Feature",'
                      '"properties":{"name":"a"},"geometry":{"type":"Point",'
                      '"coordinates":[121,31]}}]}', encoding="utf-8")
    done = cli("--boundaries", str(points))
    assert done.returncode == 2 and "多边形" in done.stderr and "Traceback" not in done.stderr
    bad_toml = tmp_path / "t.toml"
    bad_toml.write_text("[period\n", encoding="utf-8")
    done = cli("--targets", str(bad_toml), "--lang", "en")
    assert done.returncode == 2 and "invalid" in done.stderr and "Traceback" not in done.stderr


def test_english_error_message(tmp_path):
    done = cli("--carriers", str(tmp_path / "missing.csv"), "--lang", "en")
    assert done.returncode == 2 and "not found" in done.stderr


# --- check --as-of, and brief (the PDF 进度通报) ------------------------------------------

JSON_KEYS = {"period", "approximate_boundaries", "illustrative_carriers", "towns", "city",
             "problems", "notes", "sources"}
TOWN_KEYS = {"town", "target_m2", "new_area_m2", "met", "shortfall_m2", "carrier_ids",
             "under_construction_m2", "planned_m2", "under_construction_in_period_m2",
             "planned_in_period_m2", "pipeline_after_period_m2", "pipeline_before_period_m2",
             "pipeline_no_date_m2", "projected_m2"}


def test_check_as_of_adds_fields_and_keeps_every_old_one(capsys):
    from geo.cli import main

    assert main(["check", "--format", "json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert set(plain) == JSON_KEYS | {"as_of"} and plain["as_of"] is None
    for town in plain["towns"]:
        assert set(town) == TOWN_KEYS | {"after_as_of_m2"} and town["after_as_of_m2"] == 0
    assert main(["check", "--format", "json", "--as-of", "2019-12-31"]) == 0
    dated = json.loads(capsys.readouterr().out)
    assert dated["as_of"]["requested"] == dated["as_of"]["date"] == "2019-12-31"
    assert dated["as_of"]["clipped"] is False and dated["as_of"]["before_period"] is False
    assert isinstance(dated["as_of"]["messages"], list)
    assert dated["city"]["new_area_m2"] < plain["city"]["new_area_m2"]
    assert [t["projected_m2"] for t in dated["towns"]] == [t["projected_m2"]
                                                           for t in plain["towns"]]
    assert any(t["after_as_of_m2"] > 0 for t in dated["towns"])


def test_check_as_of_after_the_period_is_clipped_and_a_bad_date_exits_2(capsys):
    from geo.cli import main

    assert main(["check", "--format", "json", "--as-of", "2030-06-30"]) == 0
    as_of = json.loads(capsys.readouterr().out)["as_of"]
    assert (as_of["requested"], as_of["date"], as_of["clipped"]) == ("2030-06-30",
                                                                     "2020-12-31", True)
    assert main(["check", "--as-of", "2019-02-30"]) == 2
    captured = capsys.readouterr()
    assert "2019-02-30" in captured.err and captured.out == ""


def test_brief_writes_one_town_by_its_short_name(tmp_path):
    out = tmp_path / "浏河.pdf"
    done = subprocess.run([sys.executable, "-m", "geo", "brief", "--town", "浏河", "--as-of",
                           "2019-12-31", "--since", "2019-06-30", "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                          check=True).stdout.decode()
    assert text.count("\f") == 1 and "浏河镇" in text and "2019-12-31" in text


@pytest.mark.parametrize(("args", "expect"), [
    (["--town", "浏"], "可用的镇区：城厢镇、"),
    (["--town", "Nowhere", "--lang", "en"], "Towns: 城厢镇"),
    (["--as-of", "2019-13-01"], "2019-13-01"),
    (["--since", "yesterday"], "yesterday"),
    (["--as-of", "2019-01-01", "--since", "2019-06-30"], "晚于"),
    (["--carriers", "missing.csv"], "找不到文件"),
    (["--out", "no-such-folder/brief.pdf"], "无法写入"),
])
def test_brief_refusals_exit_2_with_one_paragraph(tmp_path, monkeypatch, capsys, args, expect):
    from geo.cli import main

    monkeypatch.chdir(tmp_path)
    if "--out" not in args:
        args = [*args, "--out", "brief.pdf"]
    assert main(["brief", *args]) == 2
    captured = capsys.readouterr()
    assert expect in captured.err and "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and captured.out == ""
    assert not (tmp_path / "brief.pdf").exists()
