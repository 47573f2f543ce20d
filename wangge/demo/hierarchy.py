"""The demo hierarchy as ``RegionSpec`` rows, generated without touching the database.

``build_hierarchy("demo")`` is the demo district 江海区 (440704): 3 streets,
30 villages and communities, 190 grids and 2,590 minimal units around
22.56 N, 113.12 E.  ``build_hierarchy("city")`` is a five-district city of
about 12,000 grids for benchmarks.  The same seed always gives the same codes,
names and coordinates.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from wangge.demo import geometry as g
from wangge.demo.names import UnitNamer, place_names
from wangge.demo.plans import CITY, JIANGHAI, DistrictPlan, StreetPlan
from wangge.lib.codes import child_code
from wangge.regions.actions import RegionSpec

SCALES = ("demo", "city")

DEMO_CENTER = (113.12, 22.56)  # lng, lat
DEMO_AREA_KM2 = 100.0
DEMO_GRIDS = 190
DEMO_UNITS = 2590
DEMO_MIN_GRIDS_PER_COMMUNITY = 3
DEMO_MIN_UNITS_PER_GRID = 6

CITY_CENTER = (113.02, 22.52)
CITY_DISTRICT_AREA_KM2 = 400.0
CITY_GRIDS_PER_DISTRICT = 2400
CITY_UNITS_PER_GRID = 4
CITY_GRIDS_PER_COMMUNITY = 12

#: Urban communities hold more grids per km² than villages.
COMMUNITY_DENSITY = 2.5

FIRST_COMMUNITY_NUMBER = 1
FIRST_VILLAGE_NUMBER = 201


@dataclass
class _Node:
    code: str
    name: str
    kind: str
    geom: BaseGeometry
    seed: tuple[float, float]
    children: list[_Node] = field(default_factory=list)
    point: tuple[float, float] | None = None

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integer shares proportional to ``weights`` (largest remainder)."""
    n = len(weights)
    rest = total - minimum * n
    if n == 0 or rest < 0:
        raise ValueError(f"cannot split {total} into {n} shares of at least {minimum}")
    weight_sum = sum(weights)
    raw = [rest * w / weight_sum for w in weights]
    shares = [int(r) for r in raw]
    by_remainder = sorted(range(n), key=lambda i: (-(raw[i] - shares[i]), i))
    for i in by_remainder[: rest - sum(shares)]:
        shares[i] += 1
    return [s + minimum for s in shares]


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(":".join(("wangge-demo", str(seed), *parts)))


def _community_names(
    street: StreetPlan, count: int, rng: random.Random, taken: set[str]
) -> list[tuple[str, str]]:
    """``count`` (name, kind) pairs for a street: known names first, 社区 before 村."""
    known = [(n, "community") for n in street.communities] + [
        (n, "village") for n in street.villages
    ]
    chosen = known[:count]
    extra = count - len(chosen)
    if extra > 0:
        villages = round(extra * street.village_share)
        chosen += [(n, "community") for n in place_names(rng, extra - villages, taken, "社区")]
        chosen += [(n, "village") for n in place_names(rng, villages, taken, "村")]
    return sorted(chosen, key=lambda item: item[1] != "community")


def _build_district(
    plan: DistrictPlan,
    outline: BaseGeometry,
    seed: int,
    *,
    grids: int,
    units: int,
    min_units: int,
    communities: int | None,
    min_grids: int,
) -> _Node:
    """Cut ``outline`` down to minimal units (floating-point geometry, snapped later)."""
    rng = _rng(seed, plan.code, "geometry")
    name_rng = _rng(seed, plan.code, "names")
    center = outline.centroid
    district = _Node(plan.code, plan.name, "district", outline, (center.x, center.y))

    # Streets and towns, numbered clockwise from the north.
    pieces = g.order_clockwise(g.partition(rng, outline, len(plan.streets), relax=3), district.seed)
    for street_plan, (geom, point) in zip(plan.streets, pieces, strict=True):
        code = child_code(plan.code, street_plan.number)
        district.children.append(_Node(code, street_plan.name, street_plan.kind, geom, point))

    # Villages and communities; 社区 take the cells nearest the district's centre.
    if communities is None:
        counts = [len(s.communities) + len(s.villages) for s in plan.streets]
    else:
        areas = [g.size_km2(s.geom) for s in district.children]
        counts = apportion(communities, areas, minimum=1)
    taken = {n for s in plan.streets for n in (*s.communities, *s.villages)}
    for street, street_plan, count in zip(district.children, plan.streets, counts, strict=True):
        names = _community_names(street_plan, count, name_rng, taken)
        pieces = g.partition(rng, street.geom, count, relax=2)
        cx, cy = district.seed
        pieces.sort(key=lambda piece: (piece[1][0] - cx) ** 2 + (piece[1][1] - cy) ** 2)
        numbers = {"community": FIRST_COMMUNITY_NUMBER, "village": FIRST_VILLAGE_NUMBER}
        for (name, kind), (geom, point) in zip(names, pieces, strict=True):
            if numbers[kind] > (199 if kind == "community" else 399):
                raise ValueError(f"too many {kind} entries in {street.name}")
            code = child_code(street.code, numbers[kind])
            numbers[kind] += 1
            street.children.append(_Node(code, name, kind, geom, point))
        street.children.sort(key=lambda node: node.code)

    # Grids: more per km² in 社区 than in 村.
    all_communities = [c for s in district.children for c in s.children]
    weights = [
        g.size_km2(c.geom) * (COMMUNITY_DENSITY if c.kind == "community" else 1.0)
        for c in all_communities
    ]
    for community, count in zip(
        all_communities, apportion(grids, weights, minimum=min_grids), strict=True
    ):
        pieces = g.order_clockwise(g.partition(rng, community.geom, count, relax=2), community.seed)
        for number, (geom, point) in enumerate(pieces, start=1):
            code = child_code(community.code, number)
            community.children.append(
                _Node(code, f"{community.name}第{number}网格", "grid", geom, point)
            )

    # Minimal units, named along each village or community.
    all_grids = [(c, grid) for c in all_communities for grid in c.children]
    weights = [rng.uniform(0.8, 1.2) for _ in all_grids]
    counts = apportion(units, weights, minimum=min_units)
    namers: dict[str, UnitNamer] = {}
    for (community, grid), count in zip(all_grids, counts, strict=True):
        namer = namers.get(community.code)
        if namer is None:
            namer = namers[community.code] = UnitNamer(
                name_rng, community.name, community.kind == "village"
            )
        pieces = g.order_clockwise(g.partition(rng, grid.geom, count, relax=1), grid.seed)
        for number, (geom, point) in enumerate(pieces, start=1):
            grid.children.append(
                _Node(child_code(grid.code, number), namer.next(), "unit", geom, point)
            )
    return district


def _finish(districts: list[_Node], seed: int) -> None:
    """Snap every unit to the precision grid as one coverage, then rebuild the levels above."""
    units = [n for d in districts for n in d.walk() if n.kind == "unit"]
    for unit, geom in zip(units, g.snap_coverage([u.geom for u in units]), strict=True):
        unit.geom = geom

    def rebuild(node: _Node) -> None:
        if node.children:
            for child in node.children:
                rebuild(child)
            node.geom = g.merge([c.geom for c in node.children])

    for district in districts:
        rebuild(district)
        rng = _rng(seed, district.code, "points")
        for unit in (n for n in district.walk() if n.kind == "unit"):
            unit.point = g.round_point(g.random_points(rng, unit.geom, 1)[0], unit.geom)


def build_hierarchy(
    scale: str = "demo",
    seed: int = 1,
    *,
    grids_per_district: int | None = None,
    units_per_grid: int | None = None,
) -> list[RegionSpec]:
    """Every region of the demo (``scale="demo"``) or benchmark city (``"city"``), by code.

    ``grids_per_district`` and ``units_per_grid`` shrink the city (tests);
    the demo district always has 190 grids and 2,590 minimal units.
    """
    if scale == "demo":
        outline = g.star_polygon(_rng(seed, "outline"), center=DEMO_CENTER, area=DEMO_AREA_KM2)
        districts = [
            _build_district(
                JIANGHAI,
                outline,
                seed,
                grids=DEMO_GRIDS,
                units=DEMO_UNITS,
                min_units=DEMO_MIN_UNITS_PER_GRID,
                communities=None,
                min_grids=DEMO_MIN_GRIDS_PER_COMMUNITY,
            )
        ]
    elif scale == "city":
        grids = grids_per_district or CITY_GRIDS_PER_DISTRICT
        per_grid = units_per_grid or CITY_UNITS_PER_GRID
        most_streets = max(len(p.streets) for p in CITY)
        if grids < most_streets:
            raise ValueError(f"grids_per_district must be at least {most_streets}")
        rng = _rng(seed, "city")
        outline = g.star_polygon(
            rng, center=CITY_CENTER, area=CITY_DISTRICT_AREA_KM2 * len(CITY), roughness=0.15
        )
        cells = g.order_clockwise(g.partition(rng, outline, len(CITY), relax=3), CITY_CENTER)
        districts = [
            _build_district(
                plan,
                geom,
                seed,
                grids=grids,
                units=grids * per_grid,
                min_units=per_grid,
                communities=max(len(plan.streets), round(grids / CITY_GRIDS_PER_COMMUNITY)),
                min_grids=1,
            )
            for plan, (geom, _point) in zip(CITY, cells, strict=True)
        ]
    else:
        raise ValueError(f"unknown scale {scale!r}; use one of {', '.join(SCALES)}")
    _finish(districts, seed)
    nodes = [node for district in districts for node in district.walk()]
    # GEOS writes the shortest text that reads back to the same double.
    geojson = shapely.to_geojson(np.array([node.geom for node in nodes], dtype=object))
    return [
        RegionSpec(
            code=node.code,
            name=node.name,
            geometry=json.loads(text),
            kind=node.kind,
            point=node.point,
        )
        for node, text in zip(nodes, geojson, strict=True)
    ]
