"""Boundary files: formats, CRS, name field, repairs, duplicates, overlaps, bad files."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pytest
import shapely

from geo import InputFileError, load_boundaries, prepare_boundaries
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
