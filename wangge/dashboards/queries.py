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

``Tally`` is read through its unique index ``(node, dim, day, item)`` — for the
whole installation and for children with ``node IN (<the regions of that level under
the node>)``, one index range per node —, ``EventFact`` through ``(region_code, day)``.
All parts go in one statement (``UNION ALL``).  ``wangge.dashboards.raw`` answers the
same from ``events_event``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connections, transaction

from wangge.dashboards import feed
from wangge.dashboards.aggregates import ALL
from wangge.dashboards.figures import COUNTERS, DIMENSIONS, zero
from wangge.dashboards.models import EventFact, Tally
from wangge.dashboards.periods import Period
from wangge.lib import codes
from wangge.lib.codes import prefix_upper_bound
from wangge.regions.choices import LEVEL_ORDER
from wangge.regions.models import Region

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


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass
class _Part:
    """One ``SELECT … GROUP BY`` of the statement: what it is, its key, table and filter."""

    part: str
    key: str
    table: str
    where: str
    params: list[Any]
    group: str


class _Sql:
    """Hand-written SQL: one statement, ``UNION ALL`` of the parts, read in one round trip
    (the ORM would spend longer building 21 ``SUM``s than the database answering)."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self.connection = connections[using]
        self.qn = self.connection.ops.quote_name
        self.fact = self.qn(EventFact._meta.db_table)
        self.tally = self.qn(Tally._meta.db_table)
        self.sums = ", ".join(f"SUM({self.qn(c)})" for c in COUNTERS)

    def days(self, period: Period) -> tuple[str, list[Any]]:
        ops = self.connection.ops
        return f"{self.qn('day')} >= %s AND {self.qn('day')} <= %s", [
            ops.adapt_datefield_value(period.start),
            ops.adapt_datefield_value(period.end),
        ]

    def regions(self, level: str, node: str) -> tuple[str, list[Any]]:
        """``node IN (<the codes of the regions of level under node>)``: the tally rows of
        those nodes, each read through the unique index."""
        region = self.qn(Region._meta.db_table)
        sql = f"SELECT {self.qn('code')} FROM {region} WHERE {self.qn('level')} = %s"  # noqa: S608 - quoted names
        params: list[Any] = [level]
        if node:
            below, below_params = self.under("code", node)
            sql, params = f"{sql} AND {below}", [*params, *below_params]
        return f"{self.qn('node')} IN ({sql})", params

    def under(self, column: str, node: str) -> tuple[str, list[Any]]:
        upper = prefix_upper_bound(node)
        if upper is None:  # pragma: no cover - codes never end in nines only
            return f"{self.qn(column)} >= %s", [node]
        return f"{self.qn(column)} >= %s AND {self.qn(column)} < %s", [node, upper]

    def run(self, parts: list[_Part]) -> list[tuple[str, Any, Counters]]:
        if not parts:
            return []
        selects, params = [], []
        for p in parts:
            selects.append(
                f"SELECT {p.part}, CAST({p.key} AS text), {self.sums} "  # noqa: S608 - quoted
                f"FROM {p.table} WHERE {p.where} GROUP BY {p.group}"
            )
            params += p.params
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # A few thousand index rows: starting parallel workers costs more than it saves.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(" UNION ALL ".join(selects), params)
            rows = cursor.fetchall()
        result = []
        for part, key, *sums in rows:
            counters = {name: int(value or 0) for name, value in zip(COUNTERS, sums, strict=True)}
            if counters["reported"] and key is not None:
                result.append((str(part), key, counters))
        return result


def dashboard_data(
    node: str,
    period: Period,
    *,
    dims: Iterable[str] = DIMENSIONS,
    children: bool = True,
    fresh: bool = True,
) -> Data:
    """Per-day counters, the breakdowns ``dims`` and the children of ``node`` in ``period``.

    ``fresh``: first apply what the change feed has not read yet (bounded; see ``feed``)."""
    if fresh:
        feed.catch_up(limit=feed.READ_LIMIT, wait=False)
    depth = depth_of(node)
    dims = [d for d in dims if d in DIMENSIONS]
    sql = _Sql()
    qn = sql.qn
    in_days, day_params = sql.days(period)
    all_rows = f"{qn('dim')} = '{ALL}'"
    if node:
        at_node, node_params = f"{qn('node')} = %s", [node]
    else:
        at_node, node_params = sql.regions(LEVEL_ORDER[0], "")
    facts_where, facts_params = sql.under("region_code", node) if node else ("1 = 1", [])
    facts_where = f"{facts_where} AND {in_days}"
    facts_params = [*facts_params, *day_params]
    day = qn("day")
    parts: list[_Part] = []
    if depth is None or depth <= 2:
        where = f"{at_node} AND {all_rows} AND {in_days}"
        parts.append(_Part("'days'", day, sql.tally, where, [*node_params, *day_params], day))
    else:
        parts.append(_Part("'days'", day, sql.fact, facts_where, facts_params, day))
    if dims and (depth is None or depth <= 1):
        wanted = ", ".join(f"'{d}'" for d in dims)
        where = f"{at_node} AND {qn('dim')} IN ({wanted}) AND {in_days}"
        group = f"{qn('dim')}, {qn('item')}"
        dim, item = qn("dim"), qn("item")
        parts.append(_Part(dim, item, sql.tally, where, [*node_params, *day_params], group))
    else:
        for d in dims:
            parts.append(_Part(f"'{d}'", qn(d), sql.fact, facts_where, facts_params, qn(d)))
    length = child_length(node) if children else None
    if length is not None and (depth is None or depth <= 1):
        child_depth = 0 if depth is None else depth + 1
        among, among_params = sql.regions(LEVEL_ORDER[child_depth], node)
        where = f"{among} AND {all_rows} AND {in_days}"
        params = [*among_params, *day_params]
        parts.append(_Part("'children'", qn("node"), sql.tally, where, params, qn("node")))
    elif length is not None:
        key = f"SUBSTR({qn('region_code')}, 1, {length})"
        parts.append(_Part("'children'", key, sql.fact, facts_where, facts_params, key))
    data = Data(node, period)
    data.breakdowns = {d: {} for d in dims}
    for part, key, counters in sql.run(parts):
        if part == "days":
            data.days[as_date(key)] = counters
        elif part == "children":
            data.children[str(key)] = counters
        else:
            data.breakdowns[part][str(key)] = counters
    return data
