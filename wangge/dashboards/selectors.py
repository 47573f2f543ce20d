"""Dashboards through the user's scope: which nodes, the figures, the events behind a number.

A user opens the dashboards of the nodes where they hold ``dashboards.view_dashboard``
(command centres and leaders of districts and streets, community stations, grid
workers and liaison leaders of their grids) and of everything below them;
administrators (global scope) also the whole installation (node ``""``).
A node outside that answers like one that does not exist (404); a user who holds
the permission nowhere gets 403.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import Department
from wangge.accounts.scope import prefix_q, scope_for
from wangge.dashboards.aggregates import day_start
from wangge.dashboards.figures import (
    DIMENSIONS,
    FIGURE_FILTERS,
    derive,
    rate,
    value_labels,
    zero,
)
from wangge.dashboards.periods import Bucket, Period, buckets
from wangge.dashboards.queries import Counters, Data, add_up, child_length, dashboard_data
from wangge.events.models import Category, Event
from wangge.events.selectors import events_visible_to
from wangge.lib import codes
from wangge.regions.choices import LEVEL_ORDER, RegionLevel
from wangge.regions.models import Region

PERMISSION = "dashboards.view_dashboard"
#: The whole installation (administrators).
EVERYWHERE = ""
#: Above this many grids the base-data panel asks to open a smaller node.
MAX_CHECKLIST_GRIDS = 3000


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    level: str

    @property
    def depth(self) -> int | None:
        return None if not self.code else int(codes.level_of(self.code))

    @property
    def district(self) -> str:
        return self.code[:6]


# --- which nodes ------------------------------------------------------------------------


def dashboard_roots(user: Any) -> list[str] | None:
    """Nodes whose dashboards (and everything below) the user opens; None: everything."""
    scope = scope_for(user)
    if scope.is_global:
        return None
    return scope.roots_with(PERMISSION)


def can_use_dashboards(user: Any) -> bool:
    return dashboard_roots(user) != []


def _region_names(wanted: Iterable[str]) -> dict[str, tuple[str, str]]:
    found = Region.objects.filter(code__in=sorted(set(wanted))).values_list("code", "name", "level")
    return {code: (name, level) for code, name, level in found}


def _node(code: str) -> Node | None:
    if not code:
        return Node(EVERYWHERE, str(_("All areas")), "")
    found = _region_names([code]).get(code)
    return Node(code, *found) if found else None


def node_choices(user: Any) -> list[Node]:
    """The user's top nodes (their roots; for administrators the whole installation)."""
    roots = dashboard_roots(user)
    if roots is None:
        return [_node(EVERYWHERE)]  # type: ignore[list-item]
    names = _region_names(roots)
    return [Node(code, *names[code]) for code in roots if code in names]


def get_node_for_user(user: Any, code: str | None) -> Node:
    """The node ``code`` (default: the user's first) if the user opens its dashboard.

    ``PermissionDenied`` for users without dashboards; 404 for a node out of scope,
    exactly as for one that does not exist."""
    roots = dashboard_roots(user)
    if roots == []:
        raise PermissionDenied
    wanted = (code or "").strip()
    if not wanted:
        wanted = EVERYWHERE if roots is None else roots[0]
    elif not codes.is_valid(wanted) or (
        roots is not None and not any(wanted.startswith(root) for root in roots)
    ):
        raise Http404("no such node")
    node = _node(wanted)
    if node is None:
        raise Http404("no such node")
    return node


def breadcrumb(user: Any, node: Node) -> list[Node]:
    """The nodes from the user's root down to ``node``'s parent (those the user may open)."""
    roots = dashboard_roots(user)
    if not node.code:
        return []
    wanted = codes.ancestors_of(node.code)
    if roots is not None:
        wanted = [a for a in wanted if any(a.startswith(root) for root in roots)]
    names = _region_names(wanted)
    trail = [Node(code, *names[code]) for code in wanted if code in names]
    if roots is None:
        trail.insert(0, _node(EVERYWHERE))  # type: ignore[arg-type]
    return trail


# --- labels -----------------------------------------------------------------------------


def category_names() -> dict[str, str]:
    return dict(Category.objects.values_list("code", "name"))


def department_names(node: Node) -> dict[str, str]:
    """Department code → name in the node's district (the whole installation: the names of
    the first district holding the code, without the district's name)."""
    qs = Department.objects.select_related("district").order_by("district__code", "code")
    if node.code:
        qs = qs.filter(district__code=node.district)
        return {d.code: d.name for d in qs}
    names: dict[str, str] = {}
    for d in qs:
        names.setdefault(d.code, d.name.removeprefix(d.district.name) or d.name)
    return names


def labels_for(dim: str, node: Node) -> dict[str, str]:
    if dim in ("category", "subcategory"):
        return category_names()
    if dim == "department":
        return department_names(node)
    return value_labels(dim)


# --- the figures ------------------------------------------------------------------------


def figures_of(data: Data) -> dict[str, Any]:
    """The figures of ``wangge.events.stats.event_figures`` (same keys, same values)."""
    result = derive(data.totals)
    for name, dim in (
        ("by_state", "state"),
        ("by_category", "category"),
        ("by_source", "source"),
        ("by_department", "department"),
    ):
        rows = data.breakdowns.get(dim, {})
        result[name] = {key: c["reported"] for key, c in sorted(rows.items()) if key}
    return result


@dataclass
class Row:
    """One line of a breakdown or ranking: its key, label, counters and rates."""

    key: str
    label: str
    counters: Counters
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.figures:
            self.figures = derive(self.counters)


def breakdown_rows(data: Data, dim: str, node: Node) -> list[Row]:
    names = labels_for(dim, node)
    rows = [
        Row(key, names.get(key, key) if key else str(_("None")), counters)
        for key, counters in data.breakdowns.get(dim, {}).items()
    ]
    return sorted(rows, key=lambda r: (-r.counters["reported"], r.key))


ORDERS = {
    "reported": ("reported", True),
    "handling_rate": ("handling_rate", True),
    "on_time_rate": ("on_time_rate", True),
    "overdue": ("overdue", True),
    "code": ("code", False),
}


def _ordered(rows: list[Row], order: str) -> list[Row]:
    name, descending = ORDERS.get(order, ORDERS["reported"])
    if name == "code":
        return sorted(rows, key=lambda r: r.key)

    def value(r: Row) -> float:
        v = r.figures.get(name)
        return -1.0 if v is None else float(v)

    return sorted(rows, key=lambda r: (-value(r) if descending else value(r), r.key))


def child_rows(data: Data, node: Node, *, order: str = "reported") -> list[Row]:
    """Every child of the node (also those without events) with its counters."""
    length = child_length(node.code)
    if length is None:
        return []
    level = LEVEL_ORDER[codes.LEVEL_BY_LENGTH[length]]
    regions = Region.objects.filter(level=level)
    if node.code:
        regions = regions.filter(prefix_q("code", [node.code]))
    rows = [
        Row(code, name, data.children.get(code, zero()))
        for code, name in regions.order_by("code").values_list("code", "name")
    ]
    return _ordered(rows, order)


def department_rows(data: Data, node: Node, *, order: str = "reported") -> list[Row]:
    rows = [r for r in breakdown_rows(data, "department", node) if r.key]
    return _ordered(rows, order)


@dataclass
class Point:
    bucket: Bucket
    counters: Counters

    @property
    def figures(self) -> dict[str, Any]:
        return derive(self.counters)


def trend(data: Data, size: str) -> list[Point]:
    """The period's per-day counters added up by day, week or month."""
    points = []
    for bucket in buckets(data.period, size):
        days = [
            c
            for d, c in data.days.items()
            if bucket.start <= d <= bucket.end  # at most a few hundred days
        ]
        points.append(Point(bucket, add_up(days)))
    return points


def dashboard(user: Any, node: Node, period: Period, *, dims: Iterable[str] = DIMENSIONS) -> Data:
    """The node's aggregates for the period (the node comes from ``get_node_for_user``)."""
    return dashboard_data(node.code, period, dims=dims)


# --- the events behind a number ----------------------------------------------------------

#: The breakdowns a list of events can be narrowed by, as lookups on events.
DIMENSION_LOOKUPS: dict[str, str] = {
    "category": "category__parent__code",
    "subcategory": "category__code",
    "source": "source",
    "department": "current_department__code",
    "state": "state",
    "level": "level",
}


def events_behind(
    user: Any,
    node: Node,
    period: Period,
    *,
    figure: str = "reported",
    filters: Mapping[str, str] | None = None,
) -> QuerySet[Event]:
    """The events a dashboard number counts: under the node, reported in the period, with
    the figure's condition and the breakdown values in ``filters``."""
    qs = events_visible_to(user).filter(
        reported_at__gte=day_start(period.start),
        reported_at__lt=day_start(period.end + timedelta(days=1)),
    )
    if node.code:
        qs = qs.filter(prefix_q("region_code", [node.code]))
    qs = qs.filter(FIGURE_FILTERS.get(figure, Q()))
    for dim, value in (filters or {}).items():
        lookup = DIMENSION_LOOKUPS.get(dim)
        if lookup is None:
            continue
        if value:
            qs = qs.filter(**{lookup: value})
        elif dim in ("category", "department"):
            qs = qs.filter(**{f"{lookup.rsplit('__', 1)[0]}__isnull": True})
    return qs


# --- base-data completeness --------------------------------------------------------------


@dataclass
class Completeness:
    grids: int
    too_many: bool = False
    mean: float | None = None
    complete: int = 0
    stale_records: int = 0
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    #: (code, name, grids, mean completeness) of the children, lowest first.
    children: list[tuple[str, str, int, float | None]] = field(default_factory=list)
    #: (code, name, completeness) of the least complete grids.
    lowest: list[tuple[str, str, float | None]] = field(default_factory=list)


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 1) if known else None


def basedata_completeness(user: Any, node: Node, *, now: Any = None) -> Completeness:
    """How complete the base data (the 43-item checklist) of the node's grids is."""
    from wangge.basedata.selectors import checklists_for, grids_for_checklist

    grids = grids_for_checklist(user, under=node.code or None)
    count = grids.count()
    if count > MAX_CHECKLIST_GRIDS:
        return Completeness(grids=count, too_many=True)
    lists = checklists_for(list(grids.values_list("code", "name")), now=now)
    result = Completeness(grids=len(lists))
    if not lists:
        return result
    result.mean = _mean([c.completeness for c in lists])
    result.complete = sum(1 for c in lists if c.completeness == 100.0)
    result.stale_records = sum(c.stale_records for c in lists)
    for c in lists:
        for category, counts in c.by_category.items():
            total = result.by_category.setdefault(category, {"measurable": 0, "filled": 0})
            total["measurable"] += counts["measurable"]
            total["filled"] += counts["filled"]
    length = child_length(node.code)
    if length is not None and length < 15:
        groups: dict[str, list[float | None]] = {}
        for c in lists:
            groups.setdefault(c.grid_code[:length], []).append(c.completeness)
        names = _region_names(groups)
        result.children = sorted(
            (
                (code, names.get(code, (code, ""))[0], len(values), _mean(values))
                for code, values in groups.items()
            ),
            key=lambda t: (t[3] if t[3] is not None else 101.0, t[0]),
        )
    result.lowest = sorted(
        ((c.grid_code, c.grid_name, c.completeness) for c in lists),
        key=lambda t: (t[2] if t[2] is not None else 101.0, t[0]),
    )[:10]
    return result


def category_fill_rate(counts: Mapping[str, int]) -> float | None:
    value = rate(counts["filled"], counts["measurable"])
    return round(value * 100, 1) if value is not None else None


def level_label(level: str) -> str:
    if not level:
        return str(_("All areas"))
    return str(RegionLevel(level).label)
