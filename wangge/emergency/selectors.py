"""Reads of emergencies, their tasks and coverage, always through the user's scope.

* An emergency is seen by whoever holds ``emergency.view_emergency`` at a node
  that overlaps its area: a node inside the area (the grid worker of a grid of
  a street in emergency) or above it (the district over a street).
* A task is seen by whoever holds the permission at the task's place
  (``region_code``): a worker sees the tasks of their grid only.
* Coverage is counted over the tasks the user sees.

Out of scope is answered exactly like "does not exist" (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from wangge.accounts.scope import prefix_q, scope_for
from wangge.emergency.choices import AREA_LEVELS, EmergencyStatus, TargetKind
from wangge.emergency.models import Emergency, OutcomeOption, OutcomeRecord, Task
from wangge.lib import codes

VIEW = "emergency.view_emergency"
ACTIVATE = "emergency.activate_emergency"
RECORD = "emergency.record_outcome"


# --- emergencies -----------------------------------------------------------------------


def _overlapping(roots: Iterable[str]) -> Q:
    """Areas under one of ``roots`` or above one (an ancestor, or the root itself)."""
    roots = list(roots)
    above: set[str] = set()
    for root in roots:
        above.add(root)
        above.update(codes.ancestors_of(root))
    return prefix_q("region_code", roots) | Q(region_code__in=sorted(above))


def emergencies_visible_to(user: Any) -> QuerySet[Emergency]:
    scope = scope_for(user)
    qs = Emergency.objects.all()
    if scope.is_global:
        return qs
    roots = scope.roots_with(VIEW)
    if not roots:
        return qs.none()
    return qs.filter(_overlapping(roots))


def get_emergency_for_user(user: Any, pk: int) -> Emergency:
    """The emergency if the user may see it; 404 otherwise."""
    try:
        return (
            emergencies_visible_to(user)
            .select_related("region")
            .defer("region__geometry")
            .get(pk=pk)
        )
    except (Emergency.DoesNotExist, ValueError, TypeError):
        raise Http404("no such emergency") from None


def emergencies_listed(
    user: Any, *, status: str | None = None, kind: str | None = None, under: str | None = None
) -> QuerySet[Emergency]:
    qs = emergencies_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if under:
        qs = qs.filter(_overlapping([under]))
    return qs.order_by("status", "-started_at", "-id")


def active_overlapping(code: str) -> list[Emergency]:
    """Active emergencies whose area contains ``code`` or lies inside it (any user)."""
    return list(
        Emergency.objects.filter(status=EmergencyStatus.ACTIVE)
        .filter(_overlapping([code]))
        .order_by("region_code")
    )


# --- tasks -----------------------------------------------------------------------------


def _tasks_under(user: Any, perm: str) -> QuerySet[Task]:
    scope = scope_for(user)
    qs = Task.objects.all()
    if scope.is_global:
        return qs
    return scope.filter_by_code(qs, "region_code", scope.roots_with(perm))


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    return _tasks_under(user, VIEW)


def get_task_for_user(user: Any, pk: int) -> Task:
    try:
        return tasks_visible_to(user).select_related("emergency", "outcome").get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("no such task") from None


def tasks_filtered(
    user: Any,
    *,
    emergency: Emergency | None = None,
    open_only: bool = False,
    covered: bool | None = None,
    target_kind: str | None = None,
    under: str | None = None,
    actionable: bool = False,
) -> QuerySet[Task]:
    """Tasks the user sees (``actionable``: those they may record outcomes for, in emergencies
    still active — a worker's list)."""
    qs = _tasks_under(user, RECORD) if actionable else tasks_visible_to(user)
    if actionable:
        qs = qs.filter(emergency__status=EmergencyStatus.ACTIVE)
    if emergency is not None:
        qs = qs.filter(emergency=emergency)
    if open_only:
        qs = qs.filter(covered=False)
    if covered is not None:
        qs = qs.filter(covered=covered)
    if target_kind:
        qs = qs.filter(target_kind=target_kind)
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    return qs.select_related("emergency", "outcome").order_by(
        "covered", "emergency_id", "region_code", "target_kind", "label", "id"
    )


def records_of(task: Task, limit: int = 50) -> list[OutcomeRecord]:
    return list(
        OutcomeRecord.objects.filter(task=task)
        .select_related("outcome")
        .order_by("-at", "-id")[:limit]
    )


def outcome_options() -> dict[str, list[OutcomeOption]]:
    """Active outcomes by target kind, in their order (one query)."""
    found: dict[str, list[OutcomeOption]] = {kind: [] for kind in TargetKind.values}
    for option in OutcomeOption.objects.filter(is_active=True).order_by(
        "target_kind", "sort_order", "code"
    ):
        found.setdefault(option.target_kind, []).append(option)
    return found


# --- who may do what -------------------------------------------------------------------


def can_view(user: Any) -> bool:
    return scope_for(user).can(VIEW)


def can_activate(user: Any) -> bool:
    return scope_for(user).can(ACTIVATE)


def can_activate_at(user: Any, code: str) -> bool:
    return scope_for(user).can(ACTIVATE, code)


def can_record(user: Any) -> bool:
    return scope_for(user).can(RECORD)


def can_record_at(user: Any, code: str) -> bool:
    return scope_for(user).can(RECORD, code)


def activation_areas(user: Any, limit: int = 400) -> list[tuple[str, str, str]]:
    """``(code, name, level)`` of the areas the user may switch into emergency mode, from the
    district down to communities (grids through the API)."""
    from wangge.regions.models import Region

    scope = scope_for(user)
    levels = [level for level in AREA_LEVELS if level != "grid"]
    qs = Region.objects.filter(level__in=levels)
    if not scope.is_global:
        roots = scope.roots_with(ACTIVATE)
        if not roots:
            return []
        qs = qs.filter(prefix_q("code", roots))
    rows = qs.order_by("code").values_list("code", "name", "level")[:limit]
    return [(c, n, lv) for c, n, lv in rows]


def region_names(region_codes: Iterable[str]) -> dict[str, str]:
    from wangge.regions.models import Region

    wanted = sorted(set(region_codes))
    if not wanted:
        return {}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


# --- coverage --------------------------------------------------------------------------


def percent(covered: int, tasks: int) -> float | None:
    return round(covered * 100.0 / tasks, 1) if tasks else None


@dataclass
class CoverageRow:
    code: str
    name: str
    level: str
    tasks: int = 0
    covered: int = 0

    @property
    def percent(self) -> float | None:
        return percent(self.covered, self.tasks)

    @property
    def depth(self) -> int:
        return int(codes.level_of(self.code))


@dataclass
class Coverage:
    emergency_id: int
    tasks: int = 0
    covered: int = 0
    #: Per target kind: kind → [tasks, covered].
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    #: Streets, communities and grids under the area, in tree order.
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return percent(self.covered, self.tasks)


_LEVEL_NAMES = ("district", "street", "community", "grid", "unit")


def coverage_counts(emergency: Emergency, user: Any | None) -> list[tuple[str, str, int, int]]:
    """``(grid code, target kind, tasks, covered)`` of the emergency's tasks the user sees
    (``None``: all).  One grouped query over the coverage index."""
    qs = (
        Task.objects.filter(emergency=emergency)
        if user is None
        else tasks_visible_to(user).filter(emergency=emergency)
    )
    rows = (
        qs.values("grid_code", "target_kind")
        .annotate(n=Count("id"), done=Count("id", filter=Q(covered=True)))
        .order_by("grid_code", "target_kind")
    )
    return [(r["grid_code"], r["target_kind"], r["n"], r["done"]) for r in rows]


def coverage(emergency: Emergency, user: Any | None) -> Coverage:
    """Tasks, covered and percentage: in total, per target kind and per street, community and
    grid under the emergency's area.  Only nodes the user sees whole are listed."""
    counts = coverage_counts(emergency, user)
    result = Coverage(emergency_id=emergency.pk)
    result.by_kind = {kind: [0, 0] for kind in TargetKind.values}
    nodes: dict[str, list[int]] = {}
    area_level = int(codes.level_of(emergency.region_code))
    for grid, kind, n, done in counts:
        result.tasks += n
        result.covered += done
        result.by_kind.setdefault(kind, [0, 0])
        result.by_kind[kind][0] += n
        result.by_kind[kind][1] += done
        for level in range(area_level + 1, int(codes.Level.GRID) + 1):
            code = grid[: codes.CODE_LENGTH[codes.Level(level)]]
            node = nodes.setdefault(code, [0, 0])
            node[0] += n
            node[1] += done
    if user is not None:
        scope = scope_for(user)
        if not scope.is_global:
            roots = scope.roots_with(VIEW)
            nodes = {c: v for c, v in nodes.items() if any(c.startswith(r) for r in roots)}
    names = region_names(nodes)
    result.rows = [
        CoverageRow(
            code=code,
            name=names.get(code, code),
            level=_LEVEL_NAMES[int(codes.level_of(code))],
            tasks=v[0],
            covered=v[1],
        )
        for code, v in sorted(nodes.items())
    ]
    return result


def totals_for(user: Any, emergencies: list[Emergency]) -> dict[int, tuple[int, int]]:
    """(tasks, covered) the user sees per emergency: one grouped query for a whole list."""
    if not emergencies:
        return {}
    rows = (
        tasks_visible_to(user)
        .filter(emergency__in=[e.pk for e in emergencies])
        .values("emergency_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(covered=True)))
        .order_by()
    )
    return {r["emergency_id"]: (r["n"], r["done"]) for r in rows}


def sees_whole_area(user: Any, emergency: Emergency) -> bool:
    return scope_for(user).can(VIEW, emergency.region_code)
