"""The dashboards' numbers computed straight from ``events_event`` with plain ``GROUP BY``s.

The same ``queries.Data`` as the aggregates give, from the same definitions
(``aggregates.fact_expressions``): the benchmark's baseline and a check of the
aggregates (``wangge bench dashboard`` compares both on every sample).

``raw_figures`` sums the node's events of the period in one row (what the figures
are derived from).  ``raw_data``, one statement: the node's events of the period,
each with its keys and counters (``WITH e AS (SELECT … FROM events_event JOIN … WHERE …)``, read once), then a
``GROUP BY`` per day, per breakdown and per child, ``UNION ALL``.  The ``SELECT``
is compiled by the ORM once per process; only the ``WHERE`` is written per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import cache
from typing import Any

from django.db import connections

from wangge.dashboards.aggregates import day_start, fact_expressions
from wangge.dashboards.figures import COUNTERS, DIMENSIONS, contribution_expressions
from wangge.dashboards.periods import Period
from wangge.dashboards.queries import Counters, Data, as_date, child_length
from wangge.events.models import Event
from wangge.lib.codes import prefix_upper_bound


@cache
def _event_select(alias: str, counters_only: bool = False) -> tuple[str, tuple[Any, ...]]:
    """``SELECT <v_column>… FROM events_event JOIN …`` without a ``WHERE`` (compiled once);
    ``counters_only``: the counters without the keys (no join the figures do not need)."""
    expressions = contribution_expressions() if counters_only else fact_expressions()
    aliased = {f"v_{name}": expr for name, expr in expressions.items()}
    qs = Event.objects.using(alias).order_by().annotate(**aliased).values(*aliased)
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _node_events(
    node: str, period: Period, using: str, *, counters_only: bool = False
) -> tuple[str, list[Any]]:
    """``SELECT <v_column>… FROM events_event … WHERE <the node's events of the period>``."""
    connection = connections[using]
    qn = connection.ops.quote_name
    table = qn(Event._meta.db_table)
    select, select_params = _event_select(using, counters_only)
    where = [f"{table}.{qn('reported_at')} >= %s", f"{table}.{qn('reported_at')} < %s"]
    params: list[Any] = [
        *select_params,
        connection.ops.adapt_datetimefield_value(day_start(period.start)),
        connection.ops.adapt_datetimefield_value(day_start(period.end + timedelta(days=1))),
    ]
    if len(node) == 6:
        where.append(f"{table}.{qn('district_code')} = %s")  # the (district, time) index
        params.append(node)
    elif node:
        where.append(f"{table}.{qn('region_code')} >= %s")
        params.append(node)
        upper = prefix_upper_bound(node)
        if upper is not None:
            where.append(f"{table}.{qn('region_code')} < %s")
            params.append(upper)
    return f"{select} WHERE {' AND '.join(where)}", params


def _sums(qn: Any) -> str:
    return ", ".join(f"SUM({qn('v_' + c)})" for c in COUNTERS)


def raw_figures(node: str, period: Period, *, using: str = "default") -> Counters:
    """The counters of ``queries.figures_data``: one ``SUM`` over the node's events."""
    connection = connections[using]
    events, params = _node_events(node, period, using, counters_only=True)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_sums(connection.ops.quote_name)} FROM ({events}) e", params)  # noqa: S608
        row = cursor.fetchone()
    return {c: int(v or 0) for c, v in zip(COUNTERS, row, strict=True)}


def raw_data(
    node: str,
    period: Period,
    *,
    dims: Iterable[str] = DIMENSIONS,
    children: bool = True,
    using: str = "default",
) -> Data:
    connection = connections[using]
    qn = connection.ops.quote_name
    events, params = _node_events(node, period, using)
    sums = _sums(qn)
    keys = [("days", qn("v_day"))]
    keys += [(d, qn(f"v_{d}")) for d in dims if d in DIMENSIONS]
    length = child_length(node)
    if children and length is not None:
        keys.append(("children", f"SUBSTR({qn('v_region_code')}, 1, {length})"))
    parts = [
        f"SELECT '{part}', CAST({key} AS text), {sums} FROM e GROUP BY {key}"  # noqa: S608
        for part, key in keys
    ]
    sql = f"WITH e AS ({events}) " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    data = Data(node, period)
    data.breakdowns = {d: {} for d, _key in keys[1:] if d != "children"}
    for part, key, *values in rows:
        counters: Counters = {c: int(v or 0) for c, v in zip(COUNTERS, values, strict=True)}
        if not counters["reported"] or key is None:
            continue
        if part == "days":
            data.days[as_date(key)] = counters
        elif part == "children":
            data.children[str(key)] = counters
        else:
            data.breakdowns[str(part)][str(key)] = counters
    return data
