"""The base-data checklist of a grid, and completeness of many grids, through the user's scope.

A grid's checklist is for whoever works in the grid or above it (node scope);
anyone else gets 404, exactly as for a grid that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from wangge.accounts.scope import prefix_q, scope_for
from wangge.basedata import measures
from wangge.basedata.models import ChecklistItem
from wangge.basedata.staleness import stale_before, stale_days
from wangge.lib import codes
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region


@dataclass(frozen=True)
class ItemResult:
    item: ChecklistItem
    measurable: bool
    count: int | None
    stale: int | None

    @property
    def filled(self) -> bool:
        return bool(self.count)


@dataclass
class GridChecklist:
    grid_code: str
    grid_name: str
    items: list[ItemResult]
    stale_days: int
    computed_at: datetime
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def measurable(self) -> int:
        return sum(1 for r in self.items if r.measurable)

    @property
    def filled(self) -> int:
        return sum(1 for r in self.items if r.filled)

    @property
    def completeness(self) -> float | None:
        """Filled items among the measurable ones, in percent."""
        return round(100.0 * self.filled / self.measurable, 1) if self.measurable else None

    @property
    def stale_records(self) -> int:
        return sum(r.stale or 0 for r in self.items)


def active_items() -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(is_active=True).order_by("number"))


def _may_see_grid(user: Any, grid_code: str) -> bool:
    scope = scope_for(user)
    return scope.is_global or any(grid_code.startswith(root) for root in scope.node_roots)


def _evaluate(
    items: Sequence[ChecklistItem], grid_codes: Sequence[str], now: datetime
) -> dict[str, list[ItemResult]]:
    """Per grid, the result of every item (one grouped query per measurable item)."""
    threshold = stale_before(now)
    per_grid: dict[str, list[ItemResult]] = {g: [] for g in grid_codes}
    parsed = [measures.parse(item.measure) for item in items]
    counted = [m for m in parsed if m is not None]
    tallied = iter(measures.tally_many(counted, grid_codes, threshold))
    for item, measure in zip(items, parsed, strict=True):
        tallies = next(tallied) if measure is not None else {}
        for grid in grid_codes:
            if measure is None:
                per_grid[grid].append(ItemResult(item, False, None, None))
                continue
            tally = tallies.get(grid)
            count = tally.count if tally else 0
            stale = (tally.stale or 0) if tally else 0
            per_grid[grid].append(
                ItemResult(item, True, count, stale if measure.has_verified_at else None)
            )
    return per_grid


def _checklist(code: str, name: str, results: list[ItemResult], now: datetime) -> GridChecklist:
    checklist = GridChecklist(code, name, results, stale_days(), now)
    for r in results:
        counts = checklist.by_category.setdefault(
            r.item.category, {"total": 0, "measurable": 0, "filled": 0}
        )
        counts["total"] += 1
        counts["measurable"] += int(r.measurable)
        counts["filled"] += int(r.filled)
    return checklist


def grid_checklist(user: Any, grid_code: str, *, now: datetime | None = None) -> GridChecklist:
    """The checklist of one grid: which items are filled, how many records are stale."""
    code = (grid_code or "").strip()
    if not codes.is_valid(code) or codes.level_of(code) is not codes.Level.GRID:
        raise Http404("no such grid")
    if not _may_see_grid(user, code):
        raise Http404("no such grid")
    name = Region.objects.filter(code=code).values_list("name", flat=True).first()
    if name is None:
        raise Http404("no such grid")
    now = now or timezone.now()
    results = _evaluate(active_items(), [code], now)[code]
    return _checklist(code, name, results, now)


def grids_for_checklist(user: Any, *, under: str | None = None) -> QuerySet[Region]:
    """The grids whose checklist the user may read (under ``under``), in code order."""
    qs = scope_for(user).nodes(Region.objects.filter(level=RegionLevel.GRID), "code")
    if under:
        qs = qs.filter(prefix_q("code", [under]))
    return qs.order_by("code")


def checklists_for(
    grids: Sequence[tuple[str, str]], *, now: datetime | None = None
) -> list[GridChecklist]:
    """Checklists of several grids (``(code, name)`` the caller may read) at once."""
    now = now or timezone.now()
    per_grid = _evaluate(active_items(), [code for code, _ in grids], now)
    return [_checklist(code, name, per_grid[code], now) for code, name in grids]
