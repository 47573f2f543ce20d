"""The generated hierarchy: counts, exact tiling at every level, determinism."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from wangge.demo import geometry
from wangge.demo.hierarchy import apportion, build_hierarchy
from wangge.demo.names import chinese_number
from wangge.lib import codes, geo
from wangge.regions.actions import RegionSpec, validate_specs

LEVEL_COUNTS = {
    codes.Level.DISTRICT: 1,
    codes.Level.STREET: 3,
    codes.Level.COMMUNITY: 30,
    codes.Level.GRID: 190,
    codes.Level.UNIT: 2590,
}


@pytest.fixture(scope="module")
def demo() -> list[RegionSpec]:
    return build_hierarchy("demo", seed=1)


@pytest.fixture(scope="module")
def small_city() -> list[RegionSpec]:
    return build_hierarchy("city", seed=1, grids_per_district=40, units_per_grid=2)


def by_level(specs: Sequence[RegionSpec]) -> dict[codes.Level, list[RegionSpec]]:
    levels: dict[codes.Level, list[RegionSpec]] = defaultdict(list)
    for spec in specs:
        levels[codes.level_of(spec.code)].append(spec)
    return levels


def assert_tiles(specs: Sequence[RegionSpec]) -> int:
    """Every parent is exactly covered by its children: same area, no overlaps, no gaps."""
    geoms = {s.code: shape(s.geometry) for s in specs}
    children: dict[str, list[str]] = defaultdict(list)
    for code in geoms:
        parent = codes.parent_of(code)
        if parent is not None:
            children[parent].append(code)
    assert children
    for parent, kids in children.items():
        outer = geoms[parent]
        parts = np.array([geoms[k] for k in kids])
        total = float(shapely.area(parts).sum())
        assert abs(total - outer.area) <= 1e-9 * outer.area, parent
        union = shapely.union_all(parts)
        assert union.symmetric_difference(outer).area <= 1e-9 * outer.area, parent
        left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
        pairs = left < right
        overlap = shapely.area(shapely.intersection(parts[left[pairs]], parts[right[pairs]])).sum()
        assert overlap <= 1e-12 * outer.area, parent
    return len(children)


def test_it_has_the_demo_counts(demo: list[RegionSpec]) -> None:
    levels = by_level(demo)
    assert {level: len(items) for level, items in levels.items()} == LEVEL_COUNTS
    assert [s.name for s in levels[codes.Level.STREET]] == ["外海街道", "礼乐街道", "江南街道"]
    assert levels[codes.Level.DISTRICT][0].code == "440704"
    assert levels[codes.Level.DISTRICT][0].name == "江海区"
    kinds = Counter(s.kind for s in levels[codes.Level.COMMUNITY])
    assert kinds["community"] >= 10 and kinds["village"] >= 10
    grids_per_community = Counter(codes.parent_of(s.code) for s in levels[codes.Level.GRID])
    assert min(grids_per_community.values()) >= 3


def test_it_codes_children_under_their_parents(demo: list[RegionSpec]) -> None:
    all_codes = [s.code for s in demo]
    assert all_codes == sorted(all_codes)
    assert len(set(all_codes)) == len(all_codes)
    known = set(all_codes)
    for spec in demo:
        assert codes.is_valid(spec.code)
        parent = codes.parent_of(spec.code)
        assert parent is None or parent in known
    first_numbers = {s.code[-3:] for s in demo if codes.level_of(s.code) is codes.Level.GRID}
    assert "001" in first_numbers
    assert "440704001001" in known and "440704001201" in known  # 社区 from 001, 村 from 201


def test_it_names_things_plausibly(demo: list[RegionSpec]) -> None:
    levels = by_level(demo)
    names = {s.code: s.name for s in demo}
    assert names["440704001001"] == "外海社区"
    assert names["440704001001001"] == "外海社区第1网格"
    for grid in levels[codes.Level.GRID]:
        community = names[grid.code[:12]]
        assert grid.name == f"{community}第{int(grid.code[-3:])}网格"
    units_by_community: dict[str, list[str]] = defaultdict(list)
    for unit in levels[codes.Level.UNIT]:
        units_by_community[unit.code[:12]].append(unit.name)
        assert re.search(r"(号|栋|组|坊|屋|里|头|前|厂房)$", unit.name), unit.name
    for community, unit_names in units_by_community.items():
        assert len(set(unit_names)) == len(unit_names), community
    village_units = units_by_community["440704001201"]
    assert f"{names['440704001201']}一组" in village_units


def test_it_tiles_every_level_without_gaps_or_overlaps(demo: list[RegionSpec]) -> None:
    assert assert_tiles(demo) == 1 + 3 + 30 + 190


def test_it_stores_valid_rounded_geometry(demo: list[RegionSpec]) -> None:
    for spec in demo:
        polygon = geo.parse_area(spec.geometry)
        assert polygon.is_valid
    coordinates = shapely.get_coordinates(np.array([shape(s.geometry) for s in demo]))
    assert np.allclose(coordinates, np.round(coordinates, 7), rtol=0, atol=1e-12)


def test_it_puts_each_unit_point_inside_its_unit(demo: list[RegionSpec]) -> None:
    for spec in demo:
        if codes.level_of(spec.code) is codes.Level.UNIT:
            assert spec.point is not None
            assert shape(spec.geometry).contains(shapely.Point(spec.point)), spec.code
        else:
            assert spec.point is None


def test_it_lies_around_jianghai(demo: list[RegionSpec]) -> None:
    district = shape(demo[0].geometry)
    assert abs(district.centroid.x - 113.12) < 0.03
    assert abs(district.centroid.y - 22.56) < 0.03
    assert 90 < geo.area_km2(district) < 110
    assert len(district.exterior.coords) > 24  # irregular, not a box


def test_it_is_deterministic(demo: list[RegionSpec]) -> None:
    again = build_hierarchy("demo", seed=1)
    assert again == demo
    other = build_hierarchy("demo", seed=2)
    assert len(other) == len(demo)
    assert other[0].geometry != demo[0].geometry
    assert Counter(len(s.code) for s in other) == Counter(len(s.code) for s in demo)


def test_it_passes_the_import_checks(db: None, demo: list[RegionSpec]) -> None:
    errors, _ = validate_specs(demo, check_geometry=True)
    assert errors == []


def test_it_builds_a_city_of_five_adjacent_districts(small_city: list[RegionSpec]) -> None:
    levels = by_level(small_city)
    districts = levels[codes.Level.DISTRICT]
    assert [d.code for d in districts] == ["440703", "440704", "440705", "440781", "440784"]
    assert len(levels[codes.Level.GRID]) == 5 * 40
    assert len(levels[codes.Level.UNIT]) == 5 * 40 * 2
    assert_tiles(small_city)
    shapes = np.array([shape(d.geometry) for d in districts])
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    pairs = left < right
    assert pairs.sum() >= 4  # side by side
    assert (
        shapely.area(shapely.intersection(shapes[left[pairs]], shapes[right[pairs]])).sum() < 1e-15
    )
    assert build_hierarchy("city", seed=1, grids_per_district=40, units_per_grid=2) == small_city


def test_it_refuses_an_unknown_scale() -> None:
    with pytest.raises(ValueError):
        build_hierarchy("planet")


def test_it_apportions_exactly() -> None:
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(2590, [0.8, 1.1, 1.3] * 63, minimum=6)) == 2590
    assert min(apportion(20, [100, 1, 1], minimum=3)) == 3
    with pytest.raises(ValueError):
        apportion(5, [1, 1], minimum=3)


def test_it_snaps_a_coverage_to_the_grid() -> None:
    square = shapely.box(113.0, 22.0, 113.01, 22.01)
    pieces = [piece for piece, _ in geometry.partition(random.Random(5), square, 7)]
    snapped = geometry.snap_coverage(pieces)
    assert len(snapped) == 7
    assert abs(sum(p.area for p in snapped) - square.area) <= 1e-12 * square.area
    assert shapely.coverage_is_valid(np.array(snapped))


def test_it_writes_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 10, 12, 20, 35, 99)] == [
        "一",
        "十",
        "十二",
        "二十",
        "三十五",
        "九十九",
    ]


def test_it_gives_a_detached_piece_of_a_cell_to_a_neighbour() -> None:
    # In a U, the cell of the seed at the top of the left arm also reaches the right arm.
    u_shape = shapely.box(0, 0, 3, 3).difference(shapely.box(1, 1, 2, 3))
    seeds = [(0.9, 2.6), (0.5, 0.5), (2.5, 0.5)]
    cells = geometry._clipped_cells(u_shape, seeds)
    assert [c.geom_type for c in cells] == ["Polygon"] * 3
    assert abs(sum(c.area for c in cells) - u_shape.area) < 1e-9
    for cell, seed in zip(cells, seeds, strict=True):
        assert cell.contains(shapely.Point(seed))
