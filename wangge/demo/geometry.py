"""Reproducible random tilings for demo data: pure shapely, no Django.

A region is cut into ``n`` children by a Voronoi diagram of random points
inside it (relaxed towards the cells' centroids so the pieces look like
administrative areas), each cell clipped to the region.  The cut is done in
floating point level by level; :func:`snap_coverage` then rounds the finest
level to a precision grid *as one planar coverage*, so that every level built
from it by :func:`merge` tiles its parent exactly: shared borders have the
same vertices, there are no gaps and no overlaps.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from wangge.lib.geo import KM_PER_DEGREE, area_km2

#: Coordinates of the final geometry are multiples of this (about 1 cm).
GRID_SIZE = 1e-7
POLYGON_TYPE_ID = 3

type Area = Polygon | MultiPolygon


class TilingError(RuntimeError):
    """The generator could not produce a clean tiling (a bug, not bad input)."""


def star_polygon(
    rng: random.Random,
    *,
    center: tuple[float, float],
    area: float,
    vertices: int = 24,
    roughness: float = 0.22,
) -> Polygon:
    """An irregular outline of about ``area`` km² around ``center`` (lng, lat).

    The radius wobbles with a few low harmonics plus per-vertex jitter, so the
    outline is irregular but never folds back on itself.
    """
    lng0, lat0 = center
    harmonics = [(k, rng.uniform(0.3, 1.0) / k, rng.uniform(0, 2 * math.pi)) for k in (2, 3, 4, 5)]
    norm = sum(amp for _, amp, _ in harmonics)
    step = 2 * math.pi / vertices
    points: list[tuple[float, float]] = []
    for i in range(vertices):
        angle = i * step + rng.uniform(-0.3, 0.3) * step
        wobble = sum(amp * math.sin(k * angle + phase) for k, amp, phase in harmonics) / norm
        radius = 1.0 + roughness * wobble + rng.uniform(-0.06, 0.06)
        points.append((radius * math.cos(angle), radius * math.sin(angle)))
    unit = Polygon(points)
    # Scale the unit outline (in km) to the wanted area, then to degrees.
    factor = math.sqrt(area / unit.area)
    km_per_lng = KM_PER_DEGREE * math.cos(math.radians(lat0))
    return Polygon(
        [(lng0 + x * factor / km_per_lng, lat0 + y * factor / KM_PER_DEGREE) for x, y in points]
    )


def random_points(rng: random.Random, polygon: BaseGeometry, n: int) -> list[tuple[float, float]]:
    """``n`` uniformly random points strictly inside ``polygon``."""
    min_x, min_y, max_x, max_y = polygon.bounds
    shapely.prepare(polygon)
    found: list[tuple[float, float]] = []
    for _ in range(10_000):
        if len(found) >= n:
            break
        want = max(8, 2 * (n - len(found)))
        xs = np.array([rng.uniform(min_x, max_x) for _ in range(want)])
        ys = np.array([rng.uniform(min_y, max_y) for _ in range(want)])
        inside = shapely.contains_xy(polygon, xs, ys)
        found.extend((float(x), float(y)) for x, y, ok in zip(xs, ys, inside, strict=True) if ok)
    if len(found) < n:
        raise TilingError("no room for random points in a (nearly) empty polygon")
    return found[:n]


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    """The polygonal parts of an overlay result (which may hold stray lines or points)."""
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]


def _clipped_cells(polygon: BaseGeometry, seeds: Sequence[tuple[float, float]]) -> list[Area]:
    """Voronoi cells of ``seeds`` clipped to ``polygon``, in the order of ``seeds``.

    A cell whose clip falls apart keeps the piece holding its seed; the other
    pieces go to the neighbour they share the longest border with.
    """
    if len(seeds) == 1:
        return [polygon]
    diagram = shapely.voronoi_polygons(
        shapely.multipoints(np.array(seeds)), extend_to=polygon, ordered=True
    )
    cells = shapely.intersection(shapely.get_parts(diagram), polygon)
    if (shapely.get_type_id(cells) == POLYGON_TYPE_ID).all():
        return list(cells)  # the usual case: every clipped cell is in one piece
    main: list[BaseGeometry] = []
    strays: list[Polygon] = []
    for (x, y), cell in zip(seeds, cells, strict=True):
        parts = _polygons(cell)
        if not parts:
            raise TilingError("empty Voronoi cell")
        keep = next(
            (p for p in parts if shapely.contains_xy(p, x, y)), max(parts, key=lambda p: p.area)
        )
        main.append(keep)
        strays.extend(p for p in parts if p is not keep)
    for _ in range(len(strays) + 1):
        if not strays:
            break
        left: list[Polygon] = []
        for stray in strays:
            touch = stray.buffer(GRID_SIZE / 10)
            shared = [shapely.length(shapely.intersection(touch, m.boundary)) for m in main]
            best = int(np.argmax(shared))
            if shared[best] <= 0:
                left.append(stray)
                continue
            main[best] = _clean(shapely.union(main[best], stray))
        strays = left
    if strays:
        raise TilingError("a detached piece touches no cell")
    return main


def _clean(geom: BaseGeometry) -> Area:
    """Drop slivers a floating-point union may leave (the final snap removes the rest)."""
    parts = _polygons(geom)
    biggest = max(p.area for p in parts)
    kept = [
        Polygon(p.exterior, [r for r in p.interiors if Polygon(r).area > 1e-9 * biggest])
        for p in parts
        if p.area > 1e-9 * biggest
    ]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def partition(
    rng: random.Random, polygon: BaseGeometry, n: int, *, relax: int = 2
) -> list[tuple[Area, tuple[float, float]]]:
    """Cut ``polygon`` into ``n`` pieces; returns (piece, seed point) pairs.

    ``relax`` Lloyd steps move each seed to its cell's centroid first, which
    evens out the sizes and rounds the shapes.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    seeds = random_points(rng, polygon, n)
    if n == 1:
        return [(polygon, seeds[0])]
    shapely.prepare(polygon)
    for _ in range(relax):
        cells = _clipped_cells(polygon, seeds)
        moved: list[tuple[float, float]] = []
        for seed, cell in zip(seeds, cells, strict=True):
            c = cell.centroid
            moved.append((c.x, c.y) if shapely.contains_xy(polygon, c.x, c.y) else seed)
        if len(set(moved)) == len(moved):
            seeds = moved
    return list(zip(_clipped_cells(polygon, seeds), seeds, strict=True))


def order_clockwise(
    pieces: Sequence[tuple[Area, tuple[float, float]]], center: tuple[float, float]
) -> list[tuple[Area, tuple[float, float]]]:
    """Sort pieces clockwise from north around ``center``, the way numbering often runs."""

    def key(item: tuple[Area, tuple[float, float]]) -> float:
        x, y = item[1]
        return (math.atan2(x - center[0], y - center[1]) + 2 * math.pi) % (2 * math.pi)

    return sorted(pieces, key=key)


def snap_coverage(pieces: Sequence[BaseGeometry], grid_size: float = GRID_SIZE) -> list[Area]:
    """Round a nearly-exact tiling to ``grid_size`` as one planar coverage.

    The borders of all pieces are noded together with snap-rounding, so a
    border shared by two pieces becomes exactly the same chain of vertices in
    both, and every vertex lies on the precision grid.  Each face of the noded
    linework goes back to the piece that holds it.
    """
    lines = shapely.boundary(np.array(pieces, dtype=object))
    noded = shapely.union_all(lines, grid_size=grid_size)
    faces = np.array(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))
    inner = shapely.point_on_surface(faces)
    tree = shapely.STRtree(pieces)
    face_idx, piece_idx = tree.query(inner, predicate="within")
    owner = np.full(len(faces), -1)
    counts = np.bincount(face_idx, minlength=len(faces))
    single = counts[face_idx] == 1
    owner[face_idx[single]] = piece_idx[single]
    for f in np.flatnonzero(owner < 0):
        # On a border (or in a float sliver): the piece covering most of the face.
        candidates = tree.query(faces[f], predicate="intersects")
        if len(candidates) == 0:
            raise TilingError("a face outside every piece")
        shares = shapely.area(shapely.intersection(np.array(pieces)[candidates], faces[f]))
        owner[f] = candidates[int(np.argmax(shares))]
    groups: dict[int, list[Any]] = defaultdict(list)
    for face, piece in zip(faces, owner, strict=True):
        groups[int(piece)].append(face)
    if len(groups) != len(pieces):
        raise TilingError("a piece vanished when snapped to the grid")
    return [merge(groups[i]) for i in range(len(pieces))]


def merge(pieces: Sequence[BaseGeometry]) -> Area:
    """Union of edge-matched pieces of a coverage (no new vertices are made)."""
    if len(pieces) == 1:
        result = pieces[0]
    else:
        result = shapely.coverage_union_all(np.array(pieces, dtype=object))
    if isinstance(result, Polygon | MultiPolygon):
        return result
    raise TilingError(f"coverage union gave {result.geom_type}")


def round_point(
    point: tuple[float, float], area: BaseGeometry, digits: int = 7
) -> tuple[float, float]:
    """``point`` rounded to ``digits`` decimals if it stays inside ``area``."""
    x, y = round(point[0], digits), round(point[1], digits)
    if shapely.contains_xy(area, x, y):
        return (x, y)
    return point


def size_km2(geom: BaseGeometry) -> float:
    return area_km2(geom)
