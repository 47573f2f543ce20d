"""Reading the aggregates for one node and period: every answer is a SUM over an index range.

The node is ``""`` (the whole installation) or a hierarchy code.  Which table
answers depends on the node's depth:

=============  =============================  ===============================  ==========================
node           per day (figures, trend)       breakdowns                        children
=============  =============================  ===============================  ==========================
whole / 区      ``Tally`` dim "all"             ``Tally`` dim = breakdown         ``Tally`` one depth down
街道            ``Tally`` dim "all"             ``Tally`` dim = breakdown         ``Tally`` communities
社区            ``Tally`` dim "all"             ``EventFact`` by column           ``EventFact`` by grid
网格 / 单元     ``EventFact``                   ``EventFact`` by column           —
=============  =============================  ===============================  ==========================

``Tally`` is read through its unique index ``(node, dim, day, item)`` (or
``(depth, dim, node, day)`` for children and the whole installation),
``EventFact`` through ``(region_code, day)``.  ``wangge.dashboards.raw`` answers
the same from ``events_event``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Substr

from wangge.accounts.scope import prefix_q
from wangge.dashboards.aggregates import ALL
from wangge.dashboards.figures import COUNTERS, DIMENSIONS, zero
from wangge.dashboards.models import EventFact, Tally
from wangge.dashboards.periods import Period
from wangge.lib import codes

Counters = dict[str, int]

#: Code length of each depth (0 district … 4 unit).
LENGTHS = (6, 9, 12, 15, 18)


def depth_of(node: str) -> int | None:
    """None for the whole installation, else 0 (district) … 4 (unit)."""
    if not node:
        return None
    return int(codes.level_of(node))


def child_length(node: str) -> int | None:
    """Code length of the children ranked under ``node`` (None: no ranking below grids)."""
    depth = depth_of(node)
    if depth is None:
        return LENGTHS[0]
    if depth >= 3:
        return None
    return LENGTHS[depth + 1]


@dataclass
class Data:
    """Summed counters of a node's events reported in a period."""

    node: str
    period: Period
    days: dict[date, Counters] = field(default_factory=dict)
    breakdowns: dict[str, dict[str, Counters]] = field(default_factory=dict)
    children: dict[str, Counters] = field(default_factory=dict)

    @property
    def totals(self) -> Counters:
        return add_up(self.days.values())


def add_up(rows: Iterable[Mapping[str, int]]) -> Counters:
    total = zero()
    for row in rows:
        for name in COUNTERS:
            total[name] += int(row[name])
    return total


SUMS = {f"s_{name}": Sum(name) for name in COUNTERS}


def grouped(qs: QuerySet[Any], key: str, sums: Mapping[str, Any] = SUMS) -> dict[Any, Counters]:
    """``{key value: counters}`` of ``qs`` grouped by ``key`` (a field or annotation)."""
    result: dict[Any, Counters] = {}
    for row in qs.order_by().values(key).annotate(**sums):
        counters = {name: int(row[f"s_{name}"] or 0) for name in COUNTERS}
        if counters["reported"]:
            result[row[key]] = counters
    return result


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _tally(node: str, dims: Q) -> QuerySet[Tally]:
    qs = Tally.objects.filter(dims)
    return qs.filter(depth=0) if not node else qs.filter(node=node)


def _facts(node: str, period: Period) -> QuerySet[EventFact]:
    return EventFact.objects.filter(prefix_q("region_code", [node])).filter(
        day__gte=period.start, day__lte=period.end
    )


def _in(period: Period) -> Q:
    return Q(day__gte=period.start, day__lte=period.end)


def dashboard_data(
    node: str,
    period: Period,
    *,
    dims: Iterable[str] = DIMENSIONS,
    children: bool = True,
) -> Data:
    """Per-day counters, the breakdowns ``dims`` and the children of ``node`` in ``period``."""
    depth = depth_of(node)
    dims = [d for d in dims if d in DIMENSIONS]
    data = Data(node, period)
    days: QuerySet[Any]
    if depth is None or depth <= 2:
        days = _tally(node, Q(dim=ALL) & _in(period))
    else:
        days = _facts(node, period)
    data.days = {_as_date(k): v for k, v in grouped(days, "day").items()}
    if dims and (depth is None or depth <= 1):
        rows = _tally(node, Q(dim__in=dims) & _in(period))
        pairs = rows.order_by().values("dim", "item").annotate(**SUMS)
        data.breakdowns = {d: {} for d in dims}
        for row in pairs:
            found: dict[str, Any] = dict(row)
            counters = {name: int(found[f"s_{name}"] or 0) for name in COUNTERS}
            if counters["reported"]:
                data.breakdowns[found["dim"]][found["item"]] = counters
    elif dims:
        facts = _facts(node, period)
        data.breakdowns = {d: grouped(facts, d) for d in dims}
    if children:
        data.children = children_of(node, period)
    return data


def children_of(node: str, period: Period) -> dict[str, Counters]:
    depth = depth_of(node)
    length = child_length(node)
    if length is None:
        return {}
    if depth is None or depth <= 1:
        qs = Tally.objects.filter(depth=(depth + 1) if depth is not None else 0, dim=ALL)
        if node:
            qs = qs.filter(prefix_q("node", [node]))
        return grouped(qs.filter(_in(period)), "node")
    facts = _facts(node, period).annotate(child=Substr("region_code", 1, length))
    return grouped(facts, "child")
