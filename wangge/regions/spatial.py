"""Point → (grid, minimal unit) lookup through shapely STRtree indexes.

The index is built once per process from the regions table and rebuilt only
when the geometry revision (bumped by every geometry-changing action) moves.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db.models import F
from shapely import STRtree

from wangge.regions.choices import RegionLevel
from wangge.regions.models import GeometryRevision, Region


@dataclass(frozen=True)
class Location:
    grid_code: str | None
    unit_code: str | None


class SpatialIndex:
    """STRtrees over grid and unit polygons, with vectorised lookup."""

    def __init__(
        self,
        grid_codes: list[str],
        grid_geoms: list[shapely.Geometry],
        unit_codes: list[str],
        unit_geoms: list[shapely.Geometry],
        revision: str = "",
    ) -> None:
        self.revision = revision
        self.grid_codes = np.array(grid_codes, dtype=object)
        self.unit_codes = np.array(unit_codes, dtype=object)
        self.grid_geoms = np.array(grid_geoms, dtype=object)
        self.unit_geoms = np.array(unit_geoms, dtype=object)
        shapely.prepare(self.grid_geoms)
        shapely.prepare(self.unit_geoms)
        self.grid_tree = STRtree(self.grid_geoms)
        self.unit_tree = STRtree(self.unit_geoms)

    @classmethod
    def from_database(cls, revision: str = "") -> SpatialIndex:
        grids: tuple[list[str], list[shapely.Geometry]] = ([], [])
        units: tuple[list[str], list[shapely.Geometry]] = ([], [])
        rows = Region.objects.filter(level__in=[RegionLevel.GRID, RegionLevel.UNIT]).values_list(
            "code", "level", "geometry"
        )
        for code, level, geometry in rows.iterator(chunk_size=5000):
            target = grids if level == RegionLevel.GRID else units
            target[0].append(code)
            target[1].append(shapely.geometry.shape(geometry))
        return cls(grids[0], grids[1], units[0], units[1], revision=revision)

    def __len__(self) -> int:
        return len(self.grid_codes)

    def _first_hits(self, tree: STRtree, points: np.ndarray) -> np.ndarray:
        """Index into the tree's geometries of the first polygon holding each point, or -1."""
        result = np.full(len(points), -1, dtype=np.int64)
        if len(tree) == 0 or len(points) == 0:
            return result
        pairs = tree.query(points, predicate="intersects")
        if pairs.shape[1] == 0:
            return result
        # On a shared border a point touches two polygons; keep the lowest tree index.
        order = np.lexsort((pairs[1], pairs[0]))
        inputs, trees = pairs[0][order], pairs[1][order]
        first = np.ones(len(inputs), dtype=bool)
        first[1:] = inputs[1:] != inputs[:-1]
        result[inputs[first]] = trees[first]
        return result

    def locate_many(self, lngs: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grid and unit codes (``None`` where outside) for arrays of coordinates."""
        points = shapely.points(np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float))
        unit_idx = self._first_hits(self.unit_tree, points)
        units = np.full(len(points), None, dtype=object)
        grids = np.full(len(points), None, dtype=object)
        found = unit_idx >= 0
        if found.any():
            units[found] = self.unit_codes[unit_idx[found]]
            grids[found] = np.array([code[:15] for code in units[found]], dtype=object)
        missing = np.flatnonzero(~found)
        if len(missing):
            grid_idx = self._first_hits(self.grid_tree, points[missing])
            hit = grid_idx >= 0
            grids[missing[hit]] = self.grid_codes[grid_idx[hit]]
        return grids, units

    def locate(self, lng: float, lat: float) -> Location:
        grids, units = self.locate_many(np.array([lng]), np.array([lat]))
        return Location(grid_code=grids[0], unit_code=units[0])


_lock = threading.Lock()
_index: SpatialIndex | None = None
_checked_at = 0.0


def current_revision() -> str:
    token = GeometryRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    return token or ""


def bump_revision() -> None:
    """Call inside any transaction that changes grid or unit geometry."""
    token = uuid.uuid4().hex
    updated = GeometryRevision.objects.filter(pk=1).update(revision=F("revision") + 1, token=token)
    if not updated:
        GeometryRevision.objects.create(pk=1, revision=1, token=token)


def get_index() -> SpatialIndex:
    """The process's index, rebuilt when the geometry revision has moved."""
    global _index, _checked_at
    now = time.monotonic()
    index = _index
    # 0 <= …: a clock that went back (a simulated one, as the demo seeder runs) is a miss.
    if index is not None and 0 <= now - _checked_at < settings.SPATIAL_INDEX_CHECK_SECONDS:
        return index
    revision = current_revision()
    if index is not None and index.revision == revision:
        _checked_at = now
        return index
    with _lock:
        if _index is None or _index.revision != revision:
            _index = SpatialIndex.from_database(revision=revision)
        _checked_at = now
        return _index


def locate(lng: float, lat: float) -> Location:
    return get_index().locate(lng, lat)
