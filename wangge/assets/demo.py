"""Demo city parts for a district: hydrants, manhole covers, street lamps, micro fire stations…

``seed_demo_assets(district, seed)`` spreads the parts over the district's grids
(in proportion to their area, at least one each) at random points inside them,
with numbers like ``XFS-001-0007`` (type prefix, street, serial).  The hydrant
figures follow a real town's register: 783 hydrants, 419 of them newly built.
The same seed always gives the same numbers, places and states.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import Department
from wangge.accounts.scope import prefix_q
from wangge.assets.catalogue import HYDRANT, MICRO_FIRE_STATION, seed_asset_types
from wangge.assets.choices import AssetState
from wangge.assets.models import Asset, AssetType
from wangge.audit.actions import record
from wangge.regions import spatial
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

BULK_BATCH = 1000
HYDRANTS = 783
NEW_HYDRANTS = 419


@dataclass(frozen=True)
class Plan:
    type_code: str
    count: int  # per district; micro fire stations: per community (count 0)
    department: str  # owner department code in the district, "" for none


PLANS: tuple[Plan, ...] = (
    Plan(HYDRANT, HYDRANTS, "xf"),
    Plan(MICRO_FIRE_STATION, 0, "xf"),
    Plan("0101", 1200, ""),
    Plan("0102", 900, "sz"),
    Plan("0103", 900, "sz"),
    Plan("0105", 300, ""),
    Plan("0107", 300, ""),
    Plan("0115", 2400, "sz"),
    Plan("0116", 400, "ga"),
)


@dataclass
class AssetSeedSummary:
    district: str
    by_type: dict[str, int] = field(default_factory=dict)
    new_hydrants: int = 0
    skipped: bool = False

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


@dataclass(frozen=True)
class _Grid:
    code: str
    box: tuple[float, float, float, float]
    area: float
    centroid: tuple[float, float]


def _share(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` over grids in proportion to ``weights``, at least one each if possible."""
    n = len(weights)
    if n == 0:
        return []
    minimum = 1 if total >= n else 0
    rest = total - minimum * n
    weight_sum = sum(weights) or 1.0
    raw = [rest * (w or 0.0) / weight_sum for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(n), key=lambda i: (-(raw[i] - shares[i]), i))
    for i in order[: rest - sum(shares)]:
        shares[i] += 1
    return [s + minimum for s in shares]


def _points_in(
    grid: _Grid, n: int, rng: random.Random, index: spatial.SpatialIndex
) -> list[tuple[float, float, str]]:
    """``n`` random (lng, lat, region code) inside ``grid``: drawn in its box, kept if inside."""
    found: list[tuple[float, float, str]] = []
    x0, y0, x1, y1 = grid.box
    for _attempt in range(30):
        if len(found) >= n:
            break
        want = max(8, 3 * (n - len(found)))
        lngs = np.array([rng.uniform(x0, x1) for _ in range(want)])
        lats = np.array([rng.uniform(y0, y1) for _ in range(want)])
        grids, units = index.locate_many(lngs, lats)
        for lng, lat, g, u in zip(lngs, lats, grids, units, strict=True):
            if g == grid.code and len(found) < n:
                found.append((round(float(lng), 6), round(float(lat), 6), u or g))
    while len(found) < n:  # an odd sliver of a grid: fall back to its centroid
        found.append((grid.centroid[0], grid.centroid[1], grid.code))
    return found


def _installed(rng: random.Random, today: date, new: bool) -> date:
    if new:
        return today - timedelta(days=rng.randint(30, 730))
    return date(rng.randint(2003, 2020), rng.randint(1, 12), rng.randint(1, 28))


def _state(rng: random.Random, new: bool) -> str:
    roll = rng.random()
    if new:
        return AssetState.DAMAGED if roll < 0.01 else AssetState.NORMAL
    if roll < 0.03:
        return AssetState.DAMAGED
    if roll < 0.04:
        return AssetState.MISSING
    if roll < 0.05:
        return AssetState.UNDER_REPAIR
    return AssetState.NORMAL


def seed_demo_assets(
    district: Region | str, seed: int = 1, *, now: datetime | None = None
) -> AssetSeedSummary:
    """Generate the district's demo parts (bulk insert, one audit row).

    Does nothing (``skipped``) if the district already has assets.
    """
    code = district.code if isinstance(district, Region) else district
    summary = AssetSeedSummary(district=code)
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        seed_asset_types()
        if Asset.objects.filter(district_code=code).exists():
            summary.skipped = True
            return summary
        types = {t.code: t for t in AssetType.objects.all()}
        departments = {d.code: d for d in Department.objects.filter(district__code=code)}
        regions = Region.objects.filter(prefix_q("code", [code]))
        grids = [
            _Grid(r[0], (r[1], r[2], r[3], r[4]), r[5], (r[6], r[7]))
            for r in regions.filter(level=RegionLevel.GRID)
            .order_by("code")
            .values_list(
                "code",
                "min_lng",
                "min_lat",
                "max_lng",
                "max_lat",
                "area_km2",
                "centroid_lng",
                "centroid_lat",
            )
        ]
        communities = list(
            regions.filter(level=RegionLevel.COMMUNITY)
            .order_by("code")
            .values_list("code", flat=True)
        )
        index = spatial.get_index()
        rows: list[Asset] = []
        serials: Counter[tuple[str, str]] = Counter()
        for plan in PLANS:
            rng = random.Random(f"wangge-demo:{seed}:{code}:assets:{plan.type_code}")  # noqa: S311
            asset_type = types[plan.type_code]
            if plan.count:
                counts = _share(plan.count, [g.area for g in grids])
                targets = list(zip(grids, counts, strict=True))
            else:  # one per community, in its first grid
                firsts = {
                    c: next((g for g in grids if g.code.startswith(c)), None) for c in communities
                }
                targets = [(g, 1) for g in firsts.values() if g is not None]
            places = [p for grid, n in targets if n for p in _points_in(grid, n, rng, index)]
            new_flags = [False] * len(places)
            if plan.type_code == HYDRANT:
                for i in rng.sample(range(len(places)), min(NEW_HYDRANTS, len(places))):
                    new_flags[i] = True
            for (lng, lat, region_code), new in zip(places, new_flags, strict=True):
                street = region_code[6:9]
                serials[(plan.type_code, street)] += 1
                rows.append(
                    Asset(
                        type=asset_type,
                        code=f"{asset_type.prefix}-{street}-{serials[(plan.type_code, street)]:04d}",
                        name="",
                        district_code=code,
                        region_code=region_code,
                        lng=lng,
                        lat=lat,
                        state=_state(rng, new),
                        owner_department=departments.get(plan.department),
                        installed_on=_installed(rng, today, new),
                        is_new=new,
                        verified_at=now
                        - timedelta(days=rng.randint(0, 240), hours=rng.randint(0, 23)),
                        created_at=now,
                        updated_at=now,
                    )
                )
            summary.by_type[plan.type_code] = len(places)
            if plan.type_code == HYDRANT:
                summary.new_hydrants = sum(new_flags)
        Asset.objects.bulk_create(rows, batch_size=BULK_BATCH)
        record(
            "demo.seed_assets",
            actor=None,
            object_type="assets.asset",
            object_repr=f"{len(rows)} 个城市部件",
            region_code=code,
            after={"seed": seed, "by_type": summary.by_type, "new_hydrants": summary.new_hydrants},
        )
    return summary
