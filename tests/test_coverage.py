"""Coverage gaps (geo.coverage): closed-form answers, invariants, bad input, the CLI."""

from __future__ import annotations

import copy
import io
import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geo import InputFileError, Targets, check, load_dataset, prepare_boundaries
from geo.cli import main
from geo.coverage import (
    ALL_TYPES,
    CoverageError,
    band_polygons,
    distance_surface,
    gap_polygons,
    hypothetical_rows,
    make_grid,
    read_population,
    run_scenario,
    select_carriers,
    site_points,
    suggest_sites,
    town_at,
    town_coverage,
    validate_hypothetical,
)
from geo.coverage.distance import within_radius
from geo.readers import RawTable
from geo.register import validate_register
from geo.schema import CARRIER_TYPES, COLUMNS

UTM = "EPSG:32651"  # what metric_crs chooses near 121.1E, 31.5N
X0, Y0 = 320_000.0, 3_485_000.0
TO_WGS84 = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
TARGETS = Targets()
quick = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def squares(*towns: tuple[str, float, float, float]):
    """Square towns (name, west, south, side in metres from X0/Y0), built in UTM, kept in WGS84."""
    frame = gpd.GeoDataFrame(
        {"name": [t[0] for t in towns]},
        geometry=[shapely.box(X0 + w, Y0 + s, X0 + w + side, Y0 + s + side)
                  for _, w, s, side in towns], crs=UTM)
    return prepare_boundaries(frame)


def lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_WGS84.transform(X0 + x, Y0 + y)
    return float(lon), float(lat)


def register(points: list[tuple[float, float, str]], status: str = "in_use"):
    """A validated register of carriers at metre offsets (x, y, type), via the register's rules."""
    coords = [lonlat(x, y) for x, y, _ in points]
    rows = hypothetical_rows([c[0] for c in coords], [c[1] for c in coords],
                             [p[2] for p in points], [5000.0] * len(points), status=status,
                             opened="2019-06", name=[f"载体{i}" for i in range(len(points))])
    frame = pd.DataFrame({c: rows[c] if c in rows else None for c in COLUMNS},
                         dtype=object).astype("str")
    frame["id"] = [f"T{i}" for i in range(len(points))]
    return validate_register(RawTable(frame=frame, rows=pd.Series(range(2, 2 + len(points))),
                                      header=list(COLUMNS), path="test"))


_GRIDS: dict = {}


def grid_of(boundaries, resolution_m):
    """The grid, made once per boundaries and resolution (as a page caches it)."""
    key = (id(boundaries), resolution_m)
    if key not in _GRIDS:
        _GRIDS[key] = (boundaries, make_grid(boundaries, resolution_m))
    return _GRIDS[key][1]


def coverage(boundaries, points, radius_km=3.0, resolution_m=250.0, **options):
    located = check(register(points), boundaries, TARGETS).carriers
    surface = distance_surface(grid_of(boundaries, resolution_m), located)
    return surface, town_coverage(surface, radius_km, **options)


def row(table, town, carrier_type="incubator"):
    frame = table.for_type(carrier_type).set_index("town")
    return frame.loc[town]


# --- closed-form answers -------------------------------------------------------------------

@pytest.mark.parametrize("radius_km", [1.0, 2.0, 3.0, 4.5])
def test_one_carrier_at_the_centre_covers_pi_r2_over_side2(radius_km):
    side = 20_000.0
    boundaries = squares(("方镇", 0, 0, side))
    surface, table = coverage(boundaries, [(side / 2, side / 2, "incubator")], radius_km)
    share = row(table, "方镇")["covered_share"]
    r, e = radius_km * 1000, surface.grid.error_m
    # The square lies on the lattice, so its cells are exact; the disk's counted area lies
    # between the disks shrunk and grown by half a cell's diagonal (the grid's stated error).
    assert math.pi * (r - e) ** 2 / side**2 <= share <= math.pi * (r + e) ** 2 / side**2
    assert share == pytest.approx(math.pi * r * r / side**2, rel=0.05)
    assert row(table, "方镇")["covered_km2"] == pytest.approx(math.pi * radius_km**2, rel=0.05)


def test_square_off_the_lattice_still_within_the_stated_error():
    side, radius = 15_130.0, 3000.0
    boundaries = squares(("方镇", 37.0, 91.0, side))
    surface, table = coverage(boundaries, [(37 + side / 2, 91 + side / 2, "incubator")])
    e = surface.grid.error_m
    share = row(table, "方镇")["covered_share"]
    cells_low, cells_high = (side - 2 * e) ** 2, (side + 2 * e) ** 2
    assert (math.pi * (radius - e) ** 2 / cells_high <= share
            <= math.pi * (radius + e) ** 2 / cells_low)
    assert row(table, "方镇")["area_km2"] == pytest.approx(side**2 / 1e6)


def test_two_towns_one_empty():
    boundaries = squares(("甲镇", 0, 0, 10_000), ("乙镇", 10_000, 0, 10_000))
    surface, table = coverage(boundaries, [(5_000, 5_000, "incubator")])
    full = row(table, "甲镇")
    empty = row(table, "乙镇")
    assert full["covered_share"] == pytest.approx(math.pi * 9 / 100, rel=0.03)
    assert empty["covered_share"] == 0.0
    assert bool(empty["no_carrier"]) and not bool(full["no_carrier"])
    assert bool(empty["under_half_covered"])
    # The farthest point of the empty town is its far corner, ~√(15² + 5²) km away.
    assert empty["max_distance_km"] == pytest.approx(math.hypot(15, 5),
                                                     abs=surface.grid.error_m / 1000)
    assert pd.isna(row(table, "乙镇", "maker_space")["max_distance_km"])  # none anywhere
    assert full["carriers"] == 1 and empty["carriers"] == 0
    assert full["carriers_per_km2"] == pytest.approx(0.01)


def test_a_carrier_on_the_town_line_covers_both_towns():
    boundaries = squares(("甲镇", 0, 0, 10_000), ("乙镇", 10_000, 0, 10_000))
    _, table = coverage(boundaries, [(10_000, 5_000, "maker_space")])
    half_disk = math.pi * 9 / 2 / 100
    for town in ("甲镇", "乙镇"):
        assert row(table, town, "maker_space")["covered_share"] == pytest.approx(half_disk,
                                                                                 rel=0.05)
    # Counted once, in one town (the check's placement), but covering both.
    assert table.for_type("maker_space")["carriers"].sum() == 1


def test_every_town_appears_even_one_smaller_than_a_cell():
    boundaries = squares(("大镇", 0, 0, 10_000), ("小镇", 10_000, 0, 100))
    _, table = coverage(boundaries, [(5_000, 5_000, "incubator")], resolution_m=500)
    assert list(table.for_type("incubator")["town"]) == ["大镇", "小镇"]
    assert row(table, "小镇")["area_km2"] == pytest.approx(0.01)
    assert 0 <= row(table, "小镇")["covered_share"] <= 1


def test_the_scanline_grid_matches_shapely_points_in_polygon():
    boundaries = load_dataset().boundaries
    grid = make_grid(boundaries, 500)
    towns = boundaries.towns.geometry.to_crs(grid.crs).to_numpy()
    rows, cols = np.mgrid[0:grid.shape[0], 0:grid.shape[1]]
    x = grid.origin[0] + (cols.ravel() + 0.5) * grid.resolution_m
    y = grid.origin[1] + (rows.ravel() + 0.5) * grid.resolution_m
    on = grid.row >= 0
    mine = grid.row[on].astype(np.int64) * grid.shape[1] + grid.col[on]
    for index, town in enumerate(towns):
        expected = np.flatnonzero(shapely.contains_xy(town, x, y))
        assert set(mine[grid.town[on] == index]) == set(expected)


def test_the_grid_gets_coarser_to_stay_under_the_cell_limit():
    boundaries = squares(("方镇", 0, 0, 20_000))
    grid = make_grid(boundaries, 100, max_cells=10_000)
    assert grid.coarsened and grid.resolution_m % 50 == 0
    assert grid.size <= 10_000
    assert make_grid(boundaries, 250).resolution_m == 250


# --- invariants ----------------------------------------------------------------------------

TWO_TOWNS = squares(("甲镇", 0, 0, 8_000), ("乙镇", 8_000, 0, 8_000))
point = st.tuples(st.floats(100, 15_900), st.floats(100, 7_900),
                  st.sampled_from(CARRIER_TYPES))


@quick
@given(st.lists(point, max_size=6), point)
def test_adding_a_carrier_never_lowers_coverage_or_a_town_total(points, added):
    located = check(register(points), TWO_TOWNS, TARGETS)
    surface = distance_surface(grid_of(TWO_TOWNS, 500), located.carriers)
    lon, lat = lonlat(added[0], added[1])
    rows = hypothetical_rows([lon], [lat], [added[2]], [8000.0], status="in_use",
                             opened="2019-06")
    reg = register(points)
    result = run_scenario(reg, TWO_TOWNS, TARGETS, rows, surface, 2.0, before=located)
    change = result.coverage
    assert (change["covered_share_after"] >= change["covered_share_before"] - 1e-12).all()
    assert (change["carriers_after"] >= change["carriers_before"]).all()
    before_far = change["max_distance_km_before"].fillna(np.inf)
    assert (change["max_distance_km_after"].fillna(np.inf) <= before_far + 1e-9).all()
    towns = result.towns
    assert (towns["new_area_m2_after"] >= towns["new_area_m2_before"]).all()
    assert (towns["projected_m2_after"] >= towns["projected_m2_before"]).all()
    assert result.city.set_index("figure").eval("after >= before").all()


@quick
@given(st.lists(point, max_size=8), st.sampled_from(CARRIER_TYPES))
def test_without_any_carrier_of_a_type_every_town_lacks_it(points, removed):
    kept = [p for p in points if p[2] != removed]
    _, table = coverage(TWO_TOWNS, kept, 2.0, 500)
    towns = table.for_type(removed)
    assert towns["no_carrier"].all()
    assert (towns["covered_share"] == 0).all()
    assert towns["max_distance_km"].isna().all()


@quick
@given(st.lists(point, max_size=5), st.sampled_from([*CARRIER_TYPES, ALL_TYPES]),
       st.floats(0.6, 4.0))
@example([], "incubator", 1.9999999999999996)  # cells on the circle: one test of "within"
def test_the_first_greedy_pick_covers_at_least_any_single_cell(points, carrier_type, radius):
    surface, _ = coverage(TWO_TOWNS, points, radius, 500)
    grid = surface.grid
    uncovered = ~surface.covered(carrier_type, radius)
    xy = np.column_stack([grid.x, grid.y])
    pairwise = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    best = (within_radius(pairwise, radius * 1000) & uncovered[None, :]).sum(axis=1).max()
    best_km2 = best * grid.resolution_m**2 / 1e6
    result = suggest_sites(surface, carrier_type, radius, k=3)
    if best == 0:
        assert result.exhausted and result.sites.empty
        return
    assert result.sites["new_covered_km2"].iloc[0] >= best_km2 - 1e-9
    # The picks are what the distance surface says once they are there.
    added = pd.DataFrame({"type": carrier_type if carrier_type != ALL_TYPES else "incubator",
                          "has_point": True, "x": result.sites["x"], "y": result.sites["y"]})
    after = ~surface.with_carriers(added).covered(carrier_type, radius)
    newly = (uncovered & ~after).sum() * grid.resolution_m**2 / 1e6
    assert newly == pytest.approx(result.sites["new_covered_km2"].sum())


def test_suggestions_keep_to_the_town_and_cover_the_most_first():
    boundaries = squares(("甲镇", 0, 0, 10_000), ("乙镇", 10_000, 0, 10_000))
    surface, _ = coverage(boundaries, [(5_000, 5_000, "incubator")])
    sites = suggest_sites(surface, "incubator", 3, k=4, town="乙镇").sites
    assert (sites["town"] == "乙镇").all()
    assert sites["new_covered_km2"].is_monotonic_decreasing
    assert sites["new_covered_km2"].iloc[0] == pytest.approx(math.pi * 9, rel=0.03)
    assert sites["lon"].between(121, 121.3).all() and sites["lat"].between(31.4, 31.6).all()


# --- population ----------------------------------------------------------------------------

def test_population_weights_the_city_and_the_sites():
    boundaries = squares(("甲镇", 0, 0, 10_000), ("乙镇", 10_000, 0, 10_000))
    population = read_population(io.BytesIO("镇区,人口\n甲镇,1000\n乙镇,5.2万\n".encode()),
                                 boundaries, name="人口.csv")
    assert not population.problems
    surface, table = coverage(boundaries, [(5_000, 5_000, "incubator")],
                              population=population)
    full = row(table, "甲镇")
    assert full["covered_population"] == pytest.approx(1000 * full["covered_share"])
    city = table.city.set_index("type").loc["incubator"]
    assert city["covered_population_share"] == pytest.approx(
        full["covered_population"] / 53_000)
    sites = suggest_sites(surface, "incubator", 3, k=1, population=population)
    assert sites.weighted_by == "population" and sites.sites["town"].iloc[0] == "乙镇"


def test_population_rows_that_cannot_be_used_are_problems_with_row_and_value():
    boundaries = squares(("甲镇", 0, 0, 10_000), ("乙镇", 10_000, 0, 10_000))
    text = "town,population\n甲镇,-5\n乙镇,很多\n火星镇,100\n甲,200\n甲镇,300\n"
    table = read_population(text.encode(), boundaries, name="pop.csv")
    found = {(p.code, p.row, p.value) for p in table.problems}
    assert ("population.negative", 2, "-5") in found
    assert ("population.not_number", 3, "很多") in found
    assert ("population.town_unknown", 4, "火星镇") in found
    assert ("population.duplicate", 6, "甲镇") in found
    assert ("population.towns_missing", None, "乙镇") in found
    assert table.population.to_dict() == {"甲镇": 200.0}
    assert "火星镇" in next(p for p in table.problems if p.row == 4).message("en")


def test_a_population_file_without_the_columns_is_one_message():
    boundaries = squares(("甲镇", 0, 0, 10_000))
    with pytest.raises(InputFileError) as caught:
        read_population(b"a,b\n1,2\n", boundaries, name="pop.csv")
    assert "town" in caught.value.message("en") and "a, b" in caught.value.message("en")


# --- bad parameters ------------------------------------------------------------------------

@pytest.mark.parametrize("call, code", [
    (lambda s: town_coverage(s, 0), "coverage.radius_invalid"),
    (lambda s: town_coverage(s, 500), "coverage.radius_invalid"),
    (lambda s: town_coverage(s, "abc"), "coverage.radius_invalid"),
    (lambda s: suggest_sites(s, "incubator", 3, k=0), "coverage.k_invalid"),
    (lambda s: suggest_sites(s, "incubator", 3, k=11), "coverage.k_invalid"),
    (lambda s: suggest_sites(s, "incubator", 3, k=2.5), "coverage.k_invalid"),
    (lambda s: suggest_sites(s, "rocket", 3, k=1), "coverage.type_unknown"),
    (lambda s: suggest_sites(s, "incubator", 3, k=1, town="火星镇"), "coverage.town_unknown"),
    (lambda s: make_grid(TWO_TOWNS, 0), "coverage.resolution_invalid"),
    (lambda s: make_grid(TWO_TOWNS, float("nan")), "coverage.resolution_invalid"),
    (lambda s: town_at(100.0, 20.0, TWO_TOWNS), "coverage.point_outside"),
])
def test_bad_parameters_give_a_message_in_either_language(call, code):
    surface, _ = coverage(TWO_TOWNS, [(1_000, 1_000, "incubator")], 2.0, 500)
    with pytest.raises(CoverageError) as caught:
        call(surface)
    assert caught.value.code == code
    assert caught.value.message("en") != caught.value.message("zh")
    assert "{" not in caught.value.message("en")


def test_a_hypothetical_carrier_outside_every_town_or_with_bad_values_is_refused():
    reg = register([(1_000, 1_000, "incubator")])
    outside = hypothetical_rows([100.0], [20.0], ["incubator"], [1000.0])
    with pytest.raises(CoverageError) as caught:
        validate_hypothetical(outside, reg, TWO_TOWNS)
    assert caught.value.code == "scenario.outside" and "100.000000" in caught.value.message("en")
    lon, lat = lonlat(500, 500)
    bad = hypothetical_rows([lon], [lat], ["rocket"], [-5.0])
    with pytest.raises(CoverageError) as caught:
        validate_hypothetical(bad, reg, TWO_TOWNS)
    assert caught.value.code == "scenario.invalid_rows"
    assert {p.code for p in caught.value.problems} == {"row.type_unknown",
                                                       "row.area_not_positive"}
    assert "rocket" in caught.value.message("en") and "Row 2" in caught.value.message("en")


# --- scenario ------------------------------------------------------------------------------

def test_a_scenario_uses_the_check_and_leaves_the_register_alone():
    dataset = load_dataset()
    before = dataset.check()
    kept = copy.deepcopy(dataset.register.carriers)
    surface = distance_surface(make_grid(dataset.boundaries), before.carriers)
    town = before.towns.sort_values("new_area_m2")["town"].iloc[0]
    site = dataset.boundaries.towns.set_index("name").loc[town, "geometry"].representative_point()
    rows = hypothetical_rows([site.x], [site.y], ["incubator"], [15000.0], status="in_use",
                             opened="2019-06")
    result = run_scenario(dataset.register, dataset.boundaries, dataset.targets, rows, surface,
                          3.0, before=before)
    pd.testing.assert_frame_equal(dataset.register.carriers, kept)
    changes = result.towns.set_index("town")
    assert changes.loc[town, "new_area_m2_after"] == changes.loc[town, "new_area_m2_before"] + 15000
    assert changes["changed"].sum() == 1
    city = result.city.set_index("figure")
    assert city.loc["new_carriers", "after"] == city.loc["new_carriers", "before"] + 1
    # The after-state is exactly the rule applied to the combined register.
    assert result.after.towns["met"].tolist() == list(
        result.after.towns["new_area_m2"] >= result.after.towns["target_m2"])
    assert result.hypothetical["town"].tolist() == [town]
    assert (result.coverage["covered_share_after"]
            >= result.coverage["covered_share_before"]).all()


# --- the CLI -------------------------------------------------------------------------------

def _strict(text: str):
    def refuse(value: str):
        raise AssertionError(f"non-finite number {value} in the JSON")
    return json.loads(text, parse_constant=refuse)


def test_the_cli_json_is_the_fixed_interface(capsys):
    assert main(["gaps", "--type", "maker_space", "--radius-km", "3", "--suggest", "3",
                 "--format", "json", "--lang", "en"]) == 0
    document = _strict(capsys.readouterr().out)
    assert {"type", "radius_km", "resolution_m", "approximate_boundaries", "towns",
            "suggestions"} <= set(document)
    assert document["type"] == "maker_space" and document["radius_km"] == 3
    assert document["resolution_m"] == 250 and document["approximate_boundaries"] is True
    names = load_dataset().boundaries.names
    assert [t["town"] for t in document["towns"]] == names
    for town in document["towns"]:
        assert isinstance(town["carriers"], int) and isinstance(town["no_carrier"], bool)
        assert 0 <= town["covered_share"] <= 1
        assert town["max_distance_km"] is None or town["max_distance_km"] >= 0
    assert len(document["suggestions"]) == 3
    for site in document["suggestions"]:
        assert {"lon", "lat", "town", "new_covered_km2"} <= set(site) and site["town"] in names


def test_the_cli_table_and_a_research_institute_gap(capsys):
    assert main(["gaps", "--type", "research_institute", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Coverage by Research institute" in out and "None of this type" in out


@pytest.mark.parametrize("argv, words", [
    (["--radius-km", "0"], "radius"),
    (["--radius-km", "500"], "radius"),
    (["--suggest", "11"], "sites"),
    (["--resolution-m", "abc"], "resolution"),
    (["--population", "/nonexistent/pop.csv"], "not found"),
    (["--town", "火星镇", "--suggest", "1"], "not in the boundaries"),
])
def test_the_cli_refuses_bad_input_with_exit_2(capsys, argv, words):
    assert main(["gaps", "--type", "incubator", "--lang", "en", *argv]) == 2
    captured = capsys.readouterr()
    assert words in captured.err and "Traceback" not in captured.err and not captured.out


def test_the_cli_reports_population_problems_and_weights(capsys, tmp_path):
    names = load_dataset().boundaries.names
    path = tmp_path / "人口.csv"
    path.write_text("镇区,常住人口\n" + "".join(f"{n},{10000 + i}\n" for i, n in
                                              enumerate(names[:-1])) + "火星镇,-1\n",
                    encoding="utf-8")
    assert main(["gaps", "--type", "all", "--population", str(path), "--format", "json",
                 "--suggest", "1"]) == 0
    document = _strict(capsys.readouterr().out)
    assert document["weighted_by"] == "population"
    assert document["towns"][-1]["population"] is None
    assert {p["code"] for p in document["problems"]} == {"population.town_unknown",
                                                         "population.towns_missing"}
    assert document["suggestions"][0]["new_covered_people"] is not None or \
        document["suggestions_exhausted"]


def test_select_carriers_only_in_use_unless_the_pipeline_is_asked_for():
    boundaries = squares(("甲镇", 0, 0, 10_000))
    reg = register([(5_000, 5_000, "incubator")], status="planned")
    located = check(reg, boundaries, TARGETS).carriers
    grid = make_grid(boundaries, 500)
    assert select_carriers(located, grid).empty
    assert len(select_carriers(located, grid, include_pipeline=True)) == 1


# --- map layers and the no-SciPy path ------------------------------------------------------

def test_bands_and_the_gap_layer_add_up_to_the_table():
    boundaries = squares(("甲镇", 0, 0, 10_000), ("乙镇", 10_000, 0, 10_000))
    surface, table = coverage(boundaries, [(5_000, 5_000, "incubator")])
    bands = band_polygons(surface, "incubator", [1, 3, 5])
    assert bands["band"].tolist() == [0, 1, 2, 3] and bands.crs.to_epsg() == 4326
    assert bands.geometry.is_valid.all()
    metric = bands.to_crs(surface.grid.crs).area / 1e6
    assert metric.sum() == pytest.approx(200.0)
    assert metric.tolist() == pytest.approx(bands["area_km2"].tolist())
    gap = gap_polygons(surface, "incubator", 3, boundaries)
    uncovered = (table.for_type("incubator")["area_km2"]
                 - table.for_type("incubator")["covered_km2"]).sum()
    assert gap.to_crs(surface.grid.crs).area.sum() / 1e6 == pytest.approx(uncovered)
    sites = site_points(suggest_sites(surface, "incubator", 3, k=2))
    assert len(sites) == 2 and sites.crs.to_epsg() == 4326


def test_without_scipy_the_answers_are_the_same(monkeypatch):
    import geo.coverage.distance as distance_module
    import geo.coverage.suggest as suggest_module

    surface, _ = coverage(TWO_TOWNS, [(1_000, 1_000, "incubator"), (9_000, 5_000, "incubator")],
                          2.0, 500)
    with_scipy = suggest_sites(surface, "incubator", 2.0, k=3).sites
    monkeypatch.setattr(distance_module, "cKDTree", None)
    monkeypatch.setattr(suggest_module, "fftconvolve", None)
    cells = np.column_stack([surface.grid.x, surface.grid.y])
    points = surface.carriers[["x", "y"]].to_numpy()
    expected = np.hypot(cells[:, None, 0] - points[None, :, 0],
                        cells[:, None, 1] - points[None, :, 1]).min(axis=1)
    assert distance_module.nearest_distance(points, cells) == pytest.approx(expected)
    pd.testing.assert_frame_equal(suggest_sites(surface, "incubator", 2.0, k=3).sites,
                                  with_scipy)


def test_a_scenario_leaves_the_store_its_data_version_and_history_unchanged(tmp_path):
    import sqlalchemy as sa

    from geo.store.engine import sqlite_url
    from geo.store.schema import changes
    from geo.store.setup import open_store

    store = open_store(sqlite_url(tmp_path / "store.db"))
    try:
        def state():
            with store.reading() as connection:
                history = connection.execute(sa.select(sa.func.count()).select_from(
                    changes)).scalar_one()
            return store.data_version(), store.carrier_rows(), history

        version, rows, history = state()
        register, boundaries = store.register(), store.boundaries()
        before = check(register, boundaries, TARGETS)
        surface = distance_surface(make_grid(boundaries, 500), before.carriers)
        site = boundaries.towns.geometry.iloc[0].representative_point()
        result = run_scenario(register, boundaries, TARGETS, hypothetical_rows(
            [site.x], [site.y], ["incubator"], [15000.0], status="in_use", opened="2019-06"),
            surface, 3.0, before=before)
        assert result.city.set_index("figure").loc["new_carriers", "after"] == \
            before.city.new_carriers + 1
        after_version, after_rows, after_history = state()
        assert (after_version, after_history) == (version, history)
        pd.testing.assert_frame_equal(after_rows, rows)
    finally:
        store.close()
