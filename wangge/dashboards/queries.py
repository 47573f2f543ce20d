"""Reading the aggregates for one node and period: every answer is a SUM over an index range.

The node is ``""`` (the whole installation) or a hierarchy code.  Which table
answers depends on the node's depth:

=============  =============================  ===============================  ==========================
node           per day (figures, trend)       breakdowns                        children
=============  =============================  ===============================  ==========================
whole / 区      ``Tally`` dim "all"             ``Tally`` dim = breakdown         ``Tally`` one depth down
街道            ``Tally`` dim "all"             ``Tally`` dim = breakdown         ``Tally`` communities
社区            ``Tally`` dim "all"             ``EventFact`` by column           ``Tally`` grids
网格            ``Tally`` dim "all"             ``EventFact`` by column           —
单元            ``EventFact``                   ``EventFact`` by column           —
=============  =============================  ===============================  ==========================

``Tally`` is read through its unique index ``(node, dim, day, item)`` — for the
whole installation and for children with ``node IN (<the regions of that level under
the node>)``, one index range per node —, ``EventFact`` through ``(region_code, day)``,
selected once per statement (``WITH … AS MATERIALIZED``) and grouped from there.
All parts go in one statement (``UNION ALL``), with one more row that says whether
the change feed is behind.  ``figures_data`` reads the figures alone: one ``SUM``
over the node's day rows.  ``wangge.dashboards.raw`` answers both from ``events_event``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from django.db import connections, transaction

from wangge.dashboards import feed
from wangge.dashboards.aggregates import ALL
from wangge.dashboards.figures import COUNTERS, DIMENSIONS, DURATIONS, zero
from wangge.dashboards.models import EventFact, Tally
from wangge.dashboards.periods import Period
from wangge.lib import codes
from wangge.lib.codes import prefix_upper_bound
from wangge.lib.db import preparing_cursor
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


_counters_of = itemgetter(*COUNTERS)


def add_up(rows: Iterable[Mapping[str, int]]) -> Counters:
    """The counters of ``rows`` summed (column-wise, in C: a year of days is 7,665 values)."""
    columns = list(zip(*map(_counters_of, rows), strict=True))
    if not columns:
        return zero()
    return {name: int(sum(column)) for name, column in zip(COUNTERS, columns, strict=True)}


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass
class _Part:
    """One ``SELECT … GROUP BY`` of the statement: what it is, its key, table and filter
    (``group`` empty: one row, the sums of every row)."""

    part: str
    key: str
    table: str
    where: str
    params: list[Any]
    group: str


assert COUNTERS[0] == "reported"  # noqa: S101 - ``_Sql.run`` skips rows by the first sum

#: The name under which a statement reads the node's facts once (``WITH … AS MATERIALIZED``).
FACTS = "f"


_SUMS: dict[str, str] = {}


def _sums(vendor: str, qn: Any) -> str:
    """``SUM(<counter>), …`` (written once per database vendor)."""
    if vendor not in _SUMS:
        # The durations are bigint: their SUM is numeric on PostgreSQL, cast back to bigint.
        _SUMS[vendor] = ", ".join(
            f"CAST(SUM({qn(c)}) AS bigint)" if c in DURATIONS else f"SUM({qn(c)})" for c in COUNTERS
        )
    return _SUMS[vendor]


def _plain_cursor(connection: Any) -> Any:
    return connection.cursor()


class _Sql:
    """Hand-written SQL: one statement, ``UNION ALL`` of the parts, read in one round trip
    (the ORM would spend longer building 21 ``SUM``s than the database answering)."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self.connection = connections[using]
        self.qn = self.connection.ops.quote_name
        self.fact = self.qn(EventFact._meta.db_table)
        self.tally = self.qn(Tally._meta.db_table)
        self.sums = _sums(self.connection.vendor, self.qn)

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

    def statement(
        self, parts: list[_Part], facts: tuple[str, list[Any], list[str]] | None, feed_check: bool
    ) -> tuple[str, list[Any]]:
        """The parts as one ``UNION ALL``.  ``facts`` (filter, parameters, columns): the
        facts the parts read from ``FACTS`` are selected once, through the
        ``(region_code, day)`` index, and grouped from there.  ``feed_check``: one more
        row tells whether the change feed has steps to read (``feed.behind_sql``)."""
        selects, params = [], []
        head = ""
        if facts is not None:
            where, facts_params, columns = facts
            head = (
                f"WITH {self.qn(FACTS)} AS MATERIALIZED (SELECT {', '.join(columns)} "  # noqa: S608
                f"FROM {self.fact} WHERE {where}) "
            )
            params += facts_params
        for p in parts:
            where = f" WHERE {p.where}" if p.where else ""
            group = f" GROUP BY {p.group}" if p.group else ""
            selects.append(
                f"SELECT {p.part}, CAST({p.key} AS text), {self.sums} "  # noqa: S608 - quoted
                f"FROM {p.table}{where}{group}"
            )
            params += p.params
        if feed_check:
            behind, behind_params = feed.behind_sql(self.qn)
            zeros = ", ".join(["0"] * len(COUNTERS))
            selects.append(f"SELECT 'feed', CAST({behind} AS text), {zeros}")
            params += behind_params
        return head + " UNION ALL ".join(selects), params

    def run(
        self,
        parts: list[_Part],
        facts: tuple[str, list[Any], list[str]] | None = None,
        *,
        feed_check: bool = False,
        large: bool = False,
        prepared: bool = False,
    ) -> tuple[list[tuple[str, Any, Counters]], bool]:
        """The rows of the statement (parts with no events left out) and whether the
        change feed is behind.  ``large``: the statement sums many tally rows;
        ``prepared``: a statement that reads one node's rows by equality, to keep prepared."""
        if not parts:
            return [], False
        sql, params = self.statement(parts, facts, feed_check)
        if large and self.connection.vendor == "postgresql":
            with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
                # A few thousand index rows: starting parallel workers costs more than it
                # saves, and so does compiling the statement (JIT: the estimate of a year of
                # a district's rows can pass jit_above_cost; compiling took 36 ms of 54).
                cursor.execute(
                    "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                    "set_config('jit', 'off', true)"
                )
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        else:
            # ``prepared``: kept prepared once the connection has run it a few times
            # (planning is most of the time of a statement that reads a few index rows).
            # Not a page's statement: a generic plan for its ranges can be far slower.
            cursor_of = preparing_cursor if prepared else _plain_cursor
            with cursor_of(self.connection) as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        result = []
        behind = False
        for part, key, *sums in rows:
            if part == "feed":
                behind = str(key) == "1"
            elif sums[0] and key is not None:  # sums[0]: "reported"
                result.append((str(part), key, dict(zip(COUNTERS, sums, strict=True))))
        return result, behind


def dashboard_data(
    node: str,
    period: Period,
    *,
    dims: Iterable[str] = DIMENSIONS,
    children: bool = True,
    fresh: bool = True,
) -> Data:
    """Per-day counters, the breakdowns ``dims`` and the children of ``node`` in ``period``.

    ``fresh``: what the change feed has not read yet is applied first (bounded; see
    ``feed``).  Whether there is any is asked in the same statement as the figures; only
    when there is does the read catch up and read again."""
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
    facts_columns: list[str] = []

    def from_facts(part: str, key: str, column: str) -> _Part:
        if column not in facts_columns:
            facts_columns.append(column)
        return _Part(part, key, qn(FACTS), "", [], key)

    day = qn("day")
    parts: list[_Part] = []
    if depth is None or depth <= 3:
        where = f"{at_node} AND {all_rows} AND {in_days}"
        parts.append(_Part("'days'", day, sql.tally, where, [*node_params, *day_params], day))
    else:
        parts.append(from_facts("'days'", day, day))
    if dims and (depth is None or depth <= 1):
        wanted = ", ".join(f"'{d}'" for d in dims)
        where = f"{at_node} AND {qn('dim')} IN ({wanted}) AND {in_days}"
        group = f"{qn('dim')}, {qn('item')}"
        dim, item = qn("dim"), qn("item")
        parts.append(_Part(dim, item, sql.tally, where, [*node_params, *day_params], group))
    else:
        for d in dims:
            parts.append(from_facts(f"'{d}'", qn(d), qn(d)))
    length = child_length(node) if children else None
    if length is not None:
        child_depth = 0 if depth is None else depth + 1
        among, among_params = sql.regions(LEVEL_ORDER[child_depth], node)
        where = f"{among} AND {all_rows} AND {in_days}"
        params = [*among_params, *day_params]
        parts.append(_Part("'children'", qn("node"), sql.tally, where, params, qn("node")))
    facts = None
    if facts_columns:
        columns = [*facts_columns, *(qn(c) for c in COUNTERS)]
        facts = (facts_where, facts_params, columns)
    large = depth is None or depth <= 1
    rows, behind = sql.run(parts, facts, feed_check=fresh, large=large)
    if behind:
        feed.catch_up(limit=feed.READ_LIMIT, wait=False)
        rows, _ = sql.run(parts, facts, large=large)
    data = Data(node, period)
    data.breakdowns = {d: {} for d in dims}
    for part, key, counters in rows:
        if part == "days":
            data.days[as_date(key)] = counters
        elif part == "children":
            data.children[str(key)] = counters
        else:
            data.breakdowns[part][str(key)] = counters
    return data


def figures_data(node: str, period: Period, *, fresh: bool = True) -> Counters:
    """The counters of ``node``'s events reported in ``period``, summed: what the figures
    (上报, 立案, 办结率, 按期办结率, 超期, 返工率, 三率…) are derived from
    (``figures.derive``).  One ``SUM`` over the node's day rows (``Tally`` dim "all"; a
    unit's facts), and whether the change feed is behind, in one statement."""
    sql = _Sql()
    qn = sql.qn
    in_days, day_params = sql.days(period)
    depth = depth_of(node)
    if depth is None:
        at_node, params = sql.regions(LEVEL_ORDER[0], "")
    elif depth <= 3:
        at_node, params = f"{qn('node')} = %s", [node]
    else:
        at_node, params = sql.under("region_code", node)
    if depth is not None and depth > 3:
        table, where = sql.fact, f"{at_node} AND {in_days}"
    else:
        table, where = sql.tally, f"{at_node} AND {qn('dim')} = '{ALL}' AND {in_days}"
    part = _Part("'total'", "''", table, where, [*params, *day_params], "")  # no GROUP BY
    by_node = depth is None or depth <= 3  # not a unit's range of facts
    rows, behind = sql.run([part], feed_check=fresh, prepared=by_node)
    if behind:
        feed.catch_up(limit=feed.READ_LIMIT, wait=False)
        rows, _ = sql.run([part], prepared=by_node)
    return rows[0][2] if rows else zero()
