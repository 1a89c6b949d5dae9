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
