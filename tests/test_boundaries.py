"""Boundary files: formats, CRS, name field, repairs, duplicates, overlaps, bad files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import InputFileError, limits, load_boundaries, prepare_boundaries
from geo.settings import BUNDLED_BOUNDARIES
from tests.conftest import SQUARES, square_towns


def test_geojson(towns_file):
    boundaries = load_boundaries(towns_file)
    assert boundaries.names == list(SQUARES)
    assert not boundaries.approximate
    assert boundaries.problems == []


def test_zipped_shapefile_in_a_projected_crs(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    square_towns().to_crs("EPSG:4547").to_file(folder / "towns.shp", encoding="utf-8")
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in folder.iterdir():
            bundle.write(part, part.name)
    boundaries = load_boundaries(archive)
    assert boundaries.names == list(SQUARES)
    assert boundaries.towns.crs.to_epsg() == 4326
    assert boundaries.towns.geometry.iloc[0].bounds == pytest.approx((121.0, 31.4, 121.1, 31.5),
                                                                      abs=1e-6)


def test_gbk_shapefile_without_cpg_is_decoded(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    square_towns().to_file(folder / "towns.shp", encoding="gbk")
    (folder / "towns.cpg").unlink(missing_ok=True)
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in folder.iterdir():
            bundle.write(part, part.name)
    assert load_boundaries(archive).names == list(SQUARES)


def test_geopackage_with_another_name_field(tmp_path):
    frame = square_towns().rename(columns={"name": "XZQMC"}).to_crs("EPSG:3857")
    path = tmp_path / "towns.gpkg"
    frame.to_file(path, driver="GPKG")
    assert load_boundaries(path, name_field="XZQMC").names == list(SQUARES)


def test_missing_name_field_lists_the_fields(towns_file):
    with pytest.raises(InputFileError) as caught:
        load_boundaries(towns_file, name_field="XZQMC")
    assert caught.value.code == "boundary.no_name_field"
    assert "name_en" in caught.value.message("zh") and "--name-field" in caught.value.message()


def test_no_polygons(tmp_path):
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"name": ["甲"]}, geometry=[shapely.Point(121, 31)],
                     crs="EPSG:4326").to_file(path)
    with pytest.raises(InputFileError) as caught:
        load_boundaries(path)
    assert caught.value.code == "boundary.no_polygons"


@pytest.mark.parametrize(("content", "code"), [
    (b"", "file.empty"), (b"not json at all", "file.unreadable"),
    (bytes(range(256)) * 10, "file.unreadable"),
])
def test_unreadable_boundary_files(tmp_path, content, code):
    path = tmp_path / "towns.geojson"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        load_boundaries(path)
    assert caught.value.code == code


def _zipped_shapefile(tmp_path) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    square_towns().to_file(folder / "towns.shp", encoding="utf-8")
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for part in folder.iterdir():
            bundle.write(part, part.name)
    return archive


def test_a_boundary_zip_that_would_unpack_past_the_limit_is_refused_unread(tmp_path,
                                                                           monkeypatch):
    archive = _zipped_shapefile(tmp_path)
    with zipfile.ZipFile(archive) as bundle:
        declared = sum(member.file_size for member in bundle.infolist())
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", declared - 1)
    monkeypatch.setattr(gpd, "read_file", lambda *a, **k: pytest.fail("the zip was read"))
    for source in (archive, io.BytesIO(archive.read_bytes())):
        with pytest.raises(InputFileError) as caught:
            load_boundaries(source, name="镇界.zip")
        assert caught.value.code == "file.expands_too_large"
        assert "镇界.zip" in caught.value.message("zh") and "towns." in caught.value.message("en")


def test_a_boundary_file_over_the_size_or_vertex_limit_is_refused(towns_file, monkeypatch):
    assert len(load_boundaries(towns_file).names) == 4
    monkeypatch.setattr(limits, "MAX_VERTICES", 4 * 5 - 1)  # four squares of five vertices
    with pytest.raises(InputFileError) as caught:
        load_boundaries(towns_file)
    assert caught.value.code == "boundary.too_many_vertices"
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", towns_file.stat().st_size - 1)
    with pytest.raises(InputFileError) as caught:
        load_boundaries(io.BytesIO(towns_file.read_bytes()), name="towns.geojson")
    assert caught.value.code == "file.too_large"


def test_an_empty_feature_collection_says_there_are_no_towns(tmp_path):
    path = tmp_path / "towns.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_boundaries(path)
    assert caught.value.code == "boundary.empty"


def test_all_names_blank_says_which_features_have_no_name(tmp_path):
    path = tmp_path / "towns.geojson"
    square_towns().assign(name=["", " ", None, ""]).to_file(path)
    with pytest.raises(InputFileError) as caught:
        load_boundaries(path)
    assert caught.value.code == "boundary.names_all_missing"
    message = caught.value.message("en")
    assert "features 1、2、3、4" in message and "name_en" in message


def test_a_geopackage_whose_first_layer_is_points_reads_its_polygon_layer(tmp_path):
    path = tmp_path / "towns.gpkg"
    gpd.GeoDataFrame({"name": ["甲"]}, geometry=[shapely.Point(121.05, 31.45)],
                     crs="EPSG:4326").to_file(path, layer="carriers")
    square_towns().to_file(path, layer="towns")
    boundaries = load_boundaries(path)
    assert boundaries.names == list(SQUARES)
    [note] = [p for p in boundaries.problems if p.code == "boundary.layer_chosen"]
    assert note.value == "towns" and note.severity == "info"
    assert "carriers" in note.message("zh")


def test_a_geopackage_without_a_polygon_layer_names_its_layers(tmp_path):
    path = tmp_path / "points.gpkg"
    for layer in ("carriers", "offices"):
        gpd.GeoDataFrame({"name": ["甲"]}, geometry=[shapely.Point(121.05, 31.45)],
                         crs="EPSG:4326").to_file(path, layer=layer)
    with pytest.raises(InputFileError) as caught:
        load_boundaries(path)
    assert caught.value.code == "boundary.no_polygon_layer"
    assert "carriers" in caught.value.message("zh") and "offices" in caught.value.message("zh")


def test_coordinates_out_of_range_for_their_declared_crs_are_an_error_not_a_crash(tmp_path):
    path = tmp_path / "towns.geojson"
    path.write_text('{"type": "Feature", "properties": {"name": "甲镇"}, "geometry": {"type": '
                    '"Polygon", "coordinates": [[[500, 31], [121.1, 31], [121.1, 31.1], '
                    '[500, 31]]]}}', encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_boundaries(path)
    assert caught.value.code == "boundary.out_of_range"
    assert "500" in caught.value.message("zh")


def test_missing_boundary_file(tmp_path):
    with pytest.raises(InputFileError) as caught:
        load_boundaries(tmp_path / "nope.geojson")
    assert caught.value.code == "file.missing"


def test_invalid_geometry_is_repaired_with_a_warning():
    bowtie = shapely.Polygon([(121.0, 31.4), (121.1, 31.5), (121.1, 31.4), (121.0, 31.5)])
    frame = gpd.GeoDataFrame({"name": ["蝴蝶镇"]}, geometry=[bowtie], crs="EPSG:4326")
    boundaries = prepare_boundaries(frame)
    assert boundaries.towns.geometry.iloc[0].is_valid
    assert boundaries.towns.geometry.iloc[0].area == pytest.approx(0.005)
    assert [(p.code, p.severity) for p in boundaries.problems] == [
        ("boundary.geometry_repaired", "warning")]


def test_duplicate_names_are_merged_and_reported():
    frame = gpd.GeoDataFrame({"name": ["甲镇", "甲镇", "乙镇"]}, crs="EPSG:4326", geometry=[
        shapely.box(121.0, 31.4, 121.1, 31.5), shapely.box(121.3, 31.4, 121.4, 31.5),
        shapely.box(121.1, 31.4, 121.2, 31.5)])
    boundaries = prepare_boundaries(frame)
    assert boundaries.names == ["甲镇", "乙镇"]
    assert boundaries.towns.geometry.iloc[0].geom_type == "MultiPolygon"
    assert [p.code for p in boundaries.problems] == ["boundary.name_duplicate"]


def test_overlaps_are_reported_in_square_metres():
    frame = gpd.GeoDataFrame({"name": ["甲镇", "乙镇"]}, crs="EPSG:4326", geometry=[
        shapely.box(121.0, 31.4, 121.1, 31.5), shapely.box(121.09, 31.4, 121.2, 31.5)])
    problems = prepare_boundaries(frame).problems
    assert [p.code for p in problems] == ["boundary.overlap"]
    area = problems[0].params["area_m2"]
    assert 9.0e6 < area < 1.1e7  # 0.01° × 0.1° at 31.45° N ≈ 10.5 km²


def test_each_overlapping_pair_is_named_once_and_neighbours_that_touch_are_not():
    frame = gpd.GeoDataFrame({"name": ["甲镇", "乙镇", "丙镇", "丁镇"]}, crs="EPSG:4326",
                             geometry=[shapely.box(121.0, 31.4, 121.1, 31.5),
                                       shapely.box(121.09, 31.4, 121.2, 31.5),
                                       shapely.box(121.2, 31.4, 121.3, 31.5),
                                       shapely.box(121.25, 31.45, 121.35, 31.55)])
    problems = prepare_boundaries(frame).problems
    assert [(p.value, p.params["other"]) for p in problems] == [("甲镇", "乙镇"),
                                                                 ("丙镇", "丁镇")]
    assert all(isinstance(p.params["area_m2"], float) for p in problems)


def test_features_without_name_or_polygon_are_reported_and_skipped():
    frame = gpd.GeoDataFrame({"name": ["甲镇", None, "线镇"]}, crs="EPSG:4326", geometry=[
        shapely.box(121.0, 31.4, 121.1, 31.5), shapely.box(121.1, 31.4, 121.2, 31.5),
        shapely.GeometryCollection([shapely.LineString([(121, 31), (121.1, 31.1)]),
                                    shapely.box(121.3, 31.4, 121.4, 31.5)])])
    boundaries = prepare_boundaries(frame)
    assert boundaries.names == ["甲镇", "线镇"]
    assert [p.code for p in boundaries.problems] == ["boundary.name_missing"]


def test_no_crs_is_taken_as_wgs84_when_coordinates_are_degrees():
    frame = square_towns().set_crs(None, allow_override=True)
    assert prepare_boundaries(frame).towns.crs.to_epsg() == 4326


def test_no_crs_and_projected_coordinates_is_an_error():
    frame = square_towns().to_crs("EPSG:3857").set_crs(None, allow_override=True)
    with pytest.raises(InputFileError) as caught:
        prepare_boundaries(frame)
    assert caught.value.code == "boundary.no_crs"


def test_town_lookup_accepts_short_english_and_alias_names(towns):
    lookup = towns.lookup()
    assert lookup["甲镇"] == lookup["甲"] == lookup["jia"] == "甲镇"
    assert lookup["丁"] == "丁区"


def test_input_frame_is_not_modified():
    frame = square_towns().to_crs("EPSG:3857")
    before = frame.copy()
    prepare_boundaries(frame)
    assert frame.crs == before.crs and frame.geom_equals(before).all()


class TestBundled:
    def test_covers_the_real_outline_without_overlap(self):
        boundaries = load_boundaries(BUNDLED_BOUNDARIES)
        outline = gpd.read_file(BUNDLED_BOUNDARIES.parent / "taicang_outline.geojson")
        union = boundaries.towns.geometry.union_all()
        metric = boundaries.towns.estimate_utm_crs()
        outline_m = outline.to_crs(metric).geometry.iloc[0]
        union_m = gpd.GeoSeries([union], crs=4326).to_crs(metric).iloc[0]
        assert union_m.symmetric_difference(outline_m).area < 1e-4 * outline_m.area
        assert boundaries.problems == []

    def test_nine_units_of_2018_all_marked_approximate(self):
        boundaries = load_boundaries(BUNDLED_BOUNDARIES)
        assert set(boundaries.names) == {"城厢镇", "沙溪镇", "浏河镇", "浮桥镇", "璜泾镇", "双凤镇",
                                         "太仓高新区", "太仓港区", "科教新城"}
        assert boundaries.approximate
        assert boundaries.towns["approximate"].all()
        assert boundaries.towns["name_en"].notna().all()
        assert boundaries.lookup()["娄东街道"] == "太仓高新区"


def test_a_ring_left_open_is_one_unusable_town_not_a_crash(tmp_path):
    path = tmp_path / "towns.geojson"
    text = square_towns().to_json()
    open_ring = text.replace("[121.1, 31.4]]]", "[121.1, 31.45]]]", 1)  # 甲镇 no longer closes
    assert open_ring != text
    path.write_text(open_ring, encoding="utf-8")
    boundaries = load_boundaries(path)
    assert boundaries.names == list(SQUARES)[1:]
    [problem] = boundaries.problems
    assert (problem.code, problem.row, problem.value) == ("boundary.geometry_unusable", 1, "甲镇")
