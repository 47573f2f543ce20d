"""Keeping the dashboards' aggregates: incrementally in batches, set-wise on demand.

**Incrementally.**  ``apply_events(event_ids)`` (called by the change feed,
``feed.catch_up``, for the events of the steps written since its last pass)
locks the events' ``EventFact`` rows in id order (what the tallies hold for each
event), reads the events as they are now, and applies the differences — each old
contribution subtracted under its old keys, the new one added under its new
keys — summed over the batch into one
``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` over rows sorted by
key (so concurrent writers take row locks in the same order and never
deadlock).  Applying an event twice changes nothing.

**Set-wise.**  ``rebuild_aggregates(start, end, district)`` replaces the facts and
tallies of the events reported in ``[start, end]`` (in ``district``, or
everywhere) by ``INSERT … SELECT`` from ``events_event``: the facts selected once
into a temporary table, copied into ``EventFact``, and one ``GROUP BY`` of them per
tally level and breakdown.  On PostgreSQL it holds an
``EXCLUSIVE`` lock on both tables meanwhile (readers go on; the incremental
path waits and then sees the rebuilt rows).  ``reconcile`` runs it for every
district, a month per transaction: the nightly task and ``wangge rebuild_dashboards``.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import F, Min, Q, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from wangge.dashboards.figures import COUNTERS, DIMENSIONS, contribution, contribution_expressions
from wangge.dashboards.models import EventFact, Tally
from wangge.events.models import Event, ReturnVisit
from wangge.lib.codes import prefix_upper_bound

logger = logging.getLogger("wangge.dashboards")

ALL = "all"
#: The tally rows an event adds to: (depth, code length, breakdowns), district to grid.
TALLY_LEVELS: tuple[tuple[int, int, tuple[str, ...]], ...] = (
    (0, 6, (ALL, *DIMENSIONS)),
    (1, 9, (ALL, *DIMENSIONS)),
    (2, 12, (ALL,)),
    (3, 15, (ALL,)),
)
#: Columns of ``EventFact`` besides the counters, in insert order.
FACT_KEYS: tuple[str, ...] = (
    "event_id",
    "day",
    "region_code",
    "category",
    "subcategory",
    "source",
    "department",
    "state",
    "level",
)
TALLY_KEYS: tuple[str, ...] = ("node", "depth", "dim", "item", "day")

TallyKey = tuple[str, int, str, str, date]


def local_tz() -> Any:
    return timezone.get_default_timezone()


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the installation's time zone."""
    return datetime.combine(day, time.min, tzinfo=local_tz())


def reporting_day(moment: datetime) -> date:
    return timezone.localtime(moment, local_tz()).date()


# --- one event --------------------------------------------------------------------------


def tally_rows(fact: Mapping[str, Any] | None) -> dict[TallyKey, dict[str, int]]:
    """The tally rows a fact adds to, with the counters it adds to each."""
    if fact is None or not fact["reported"]:
        return {}
    counters = {name: int(fact[name]) for name in COUNTERS}
    rows: dict[TallyKey, dict[str, int]] = {}
    for depth, length, dims in TALLY_LEVELS:
        node = fact["region_code"][:length]
        for dim in dims:
            item = "" if dim == ALL else str(fact[dim])
            rows[(node, depth, dim, item, fact["day"])] = counters
    return rows


def tally_delta(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[tuple[TallyKey, dict[str, int]]]:
    """What to add to each tally row to go from ``old`` to ``new`` (zero rows left out),
    sorted by the unique key so that concurrent writers lock rows in one order."""
    delta: dict[TallyKey, dict[str, int]] = {}
    for key, counters in tally_rows(new).items():
        delta[key] = dict(counters)
    for key, counters in tally_rows(old).items():
        row = delta.setdefault(key, dict.fromkeys(COUNTERS, 0))
        for name, value in counters.items():
            row[name] -= value
    changed = [(key, row) for key, row in delta.items() if any(row.values())]
    return sorted(changed, key=lambda kv: (kv[0][0], kv[0][2], kv[0][4], kv[0][3]))


def add_to_tallies(rows: list[tuple[TallyKey, dict[str, int]]], using: str = "default") -> None:
    """``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` of ``rows`` (one statement;
    on PostgreSQL the rows travel as one array per column, so the text never changes)."""
    if not rows:
        return
    connection = connections[using]
    qn = connection.ops.quote_name
    table = qn(Tally._meta.db_table)
    columns = [*TALLY_KEYS, *COUNTERS]
    sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in COUNTERS)
    conflict = ", ".join(qn(c) for c in ("node", "dim", "day", "item"))
    head = f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    if connection.vendor == "postgresql":
        types = ["text", "integer", "text", "text", "date"] + ["bigint"] * len(COUNTERS)
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        sql = f"{head}SELECT * FROM unnest({arrays}){tail}"  # noqa: S608
        params: list[Any] = [[row[0][i] for row in rows] for i in range(len(TALLY_KEYS))]
        params += [[row[1][name] for row in rows] for name in COUNTERS]
    else:
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        sql = f"{head}VALUES {', '.join([one] * len(rows))}{tail}"
        params = []
        for (node, depth, dim, item, day), counters in rows:
            params += [node, depth, dim, item, connection.ops.adapt_datefield_value(day)]
            params += [counters[name] for name in COUNTERS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _drop_empty(keys: list[TallyKey]) -> None:
    """Delete the rows among ``keys`` no event counts in any more (as a rebuild has none)."""
    for start in range(0, len(keys), 200):  # SQLite limits the depth of an expression
        match = Q(pk__in=[])
        for node, _depth, dim, item, day in keys[start : start + 200]:
            match |= Q(node=node, dim=dim, day=day, item=item)
        Tally.objects.filter(match, reported=0).delete()


#: What ``current_fact`` reads of an event (one row, no model instance: it runs after every step).
EVENT_FIELDS = (
    "pk",
    "reported_at",
    "region_code",
    "category__code",
    "category__parent__code",
    "source",
    "current_department__code",
    "state",
    "level",
    "registered_at",
    "dispatched_at",
    "accepted_at",
    "handled_at",
    "visited_at",
    "accept_due",
    "handle_due",
    "rework_count",
    "overdue",
    "self_handled",
    "forced",
    "satisfaction",
)


def _fact_of(row: Mapping[str, Any], visit: Any) -> dict[str, Any]:
    event = SimpleNamespace(**{k: v for k, v in row.items() if "__" not in k})
    return {
        "event_id": row["pk"],
        "day": reporting_day(row["reported_at"]),
        "region_code": row["region_code"],
        "category": row["category__parent__code"] or "",
        "subcategory": row["category__code"],
        "source": row["source"],
        "department": row["current_department__code"] or "",
        "state": row["state"],
        "level": row["level"],
        **contribution(event, visit),
    }


def current_facts(event_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The ``EventFact`` values of the events as they are now (missing events left out):
    one query for the events, one for the return visits of those that have one."""
    ids = list(event_ids)
    rows = list(Event.objects.filter(pk__in=ids).order_by().values(*EVENT_FIELDS))
    visited = [row["pk"] for row in rows if row["visited_at"] is not None]
    visits: dict[int, Any] = {}
    if visited:
        for v in ReturnVisit.objects.filter(event_id__in=visited).values(
            "event_id", "contacted", "solved", "satisfaction"
        ):
            visits.setdefault(
                v["event_id"],
                SimpleNamespace(
                    contacted=v["contacted"], solved=v["solved"], satisfaction=v["satisfaction"]
                ),
            )
    return {row["pk"]: _fact_of(row, visits.get(row["pk"])) for row in rows}


def current_fact(event_id: int) -> dict[str, Any] | None:
    """The ``EventFact`` values of the event as it is now; None if it does not exist."""
    return current_facts([event_id]).get(event_id)


def _locked_facts(event_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The facts of ``event_ids`` (sorted), locked in id order until the transaction ends."""
    rows = (
        EventFact.objects.select_for_update()
        .filter(event_id__in=event_ids)
        .order_by("event_id")
        .values(*FACT_KEYS, *COUNTERS)
    )
    return {row["event_id"]: row for row in rows}


def _apply_many(event_ids: list[int]) -> int:
    facts = _locked_facts(event_ids)
    missing = [pk for pk in event_ids if pk not in facts]
    if missing:
        # Placeholder rows to lock; two workers racing here insert each once.
        EventFact.objects.bulk_create(
            [
                EventFact(event_id=pk, day=date(2000, 1, 1), subcategory="", source="")
                for pk in missing
            ],
            ignore_conflicts=True,
        )
        facts.update(_locked_facts(missing))
    # Read the events only now: whatever committed before the locks were taken is seen.
    news = current_facts(event_ids)
    total: dict[TallyKey, dict[str, int]] = {}
    changed: list[dict[str, Any]] = []
    gone: list[int] = []
    for pk in event_ids:
        fact = facts[pk]
        old = fact if fact["reported"] else None  # a placeholder: nothing applied yet
        new = news.get(pk)
        if old == new:
            continue
        for key, counters in tally_delta(old, new):
            row = total.setdefault(key, dict.fromkeys(COUNTERS, 0))
            for name, value in counters.items():
                row[name] += value
        if new is None:
            gone.append(pk)
        else:
            changed.append(new)
    delta = sorted(
        ((key, row) for key, row in total.items() if any(row.values())),
        key=lambda kv: (kv[0][0], kv[0][2], kv[0][4], kv[0][3]),
    )
    add_to_tallies(delta)
    _drop_empty([key for key, counters in delta if counters["reported"] < 0])
    # The changed facts replaced (their rows are locked): a delete and an insert are two
    # statements where an update per event would be one each.
    rewrite = gone + [new["event_id"] for new in changed]
    if rewrite:
        EventFact.objects.filter(event_id__in=rewrite).delete()
    if changed:
        EventFact.objects.bulk_create([EventFact(**new) for new in changed], batch_size=500)
    return len(changed) + len(gone)


def apply_events(event_ids: Iterable[int]) -> int:
    """Bring the aggregates in line with the events as they are now, in one transaction;
    the number of events whose contribution changed.  Idempotent."""
    ids = sorted(set(event_ids))
    if not ids:
        return 0
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _apply_many(ids)
        except IntegrityError:  # pragma: no cover - a rebuild deleted a row meanwhile
            if attempt == 2:
                raise
    return 0  # pragma: no cover


def apply_event(event_id: int) -> bool:
    """Bring the aggregates in line with ``event_id`` as it is now; True if anything changed."""
    return apply_events([event_id]) > 0


# --- set-wise ---------------------------------------------------------------------------


@dataclass
class RebuildResult:
    start: date
    end: date
    district: str | None
    events: int = 0
    tallies: int = 0
    seconds: float = 0.0


def _region_bounds(district: str | None) -> tuple[str, str | None] | None:
    if not district:
        return None
    return district, prefix_upper_bound(district)


def fact_expressions() -> dict[str, Any]:
    """The columns of ``EventFact`` (keys and counters) as expressions over ``events.Event``."""
    keys: dict[str, Any] = {
        "event_id": F("pk"),
        "day": TruncDate("reported_at", tzinfo=local_tz()),
        "region_code": F("region_code"),
        "category": Coalesce(F("category__parent__code"), Value("")),
        "subcategory": F("category__code"),
        "source": F("source"),
        "department": Coalesce(F("current_department__code"), Value("")),
        "state": F("state"),
        "level": F("level"),
    }
    return {**keys, **contribution_expressions()}


def _fact_select(start: date, end: date, district: str | None) -> tuple[str, list[Any]]:
    """``SELECT`` of the facts of the events reported in ``[start, end]``, aliased ``v_<column>``."""
    qs = Event.objects.filter(
        reported_at__gte=day_start(start), reported_at__lt=day_start(end + timedelta(days=1))
    )
    if district:
        qs = qs.filter(district_code=district)  # the (district_code, reported_at) index
    aliased = {f"v_{name}": expr for name, expr in fact_expressions().items()}
    sql, params = qs.order_by().annotate(**aliased).values(*aliased).query.sql_with_params()
    return sql, list(params)


def _execute(sql: str, params: Iterable[Any], using: str = "default") -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, list(params))
        return int(cursor.rowcount or 0)


def _where(
    column: str, bounds: tuple[str, str | None] | None, start: date, end: date, qn: Any, ops: Any
) -> tuple[str, list[Any]]:
    parts = [f"{qn('day')} >= %s", f"{qn('day')} <= %s"]
    params: list[Any] = [ops.adapt_datefield_value(start), ops.adapt_datefield_value(end)]
    if bounds is not None:
        parts.append(f"{qn(column)} >= %s")
        params.append(bounds[0])
        if bounds[1] is not None:
            parts.append(f"{qn(column)} < %s")
            params.append(bounds[1])
    return " AND ".join(parts), params


def rebuild_aggregates(
    start: date, end: date, district: str | None = None, *, using: str = "default"
) -> RebuildResult:
    """Recompute the facts and tallies of the events reported from ``start`` to ``end``
    (both inclusive, local days) in ``district`` (a district code; None: everywhere)."""
    if end < start:
        raise ValueError("end before start")
    if district is not None and not (len(district) == 6 and district.isdigit()):
        raise ValueError(f"not a district code: {district!r}")
    began = clock.perf_counter()
    result = RebuildResult(start, end, district)
    connection = connections[using]
    qn, ops = connection.ops.quote_name, connection.ops
    fact_table, tally_table = qn(EventFact._meta.db_table), qn(Tally._meta.db_table)
    bounds = _region_bounds(district)
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            _execute(f"LOCK TABLE {fact_table}, {tally_table} IN EXCLUSIVE MODE", [], using)
        where, params = _where("region_code", bounds, start, end, qn, ops)
        _execute(f"DELETE FROM {fact_table} WHERE {where}", params, using)  # noqa: S608
        where, params = _where("node", bounds, start, end, qn, ops)
        _execute(f"DELETE FROM {tally_table} WHERE {where}", params, using)  # noqa: S608
        # The chunk's facts once in a temporary table: the tallies are grouped from it.
        select, params = _fact_select(start, end, district)
        chunk = qn("dashboards_rebuild_chunk")
        _execute(f"DROP TABLE IF EXISTS {chunk}", [], using)
        _execute(f"CREATE TEMPORARY TABLE {chunk} AS {select}", params, using)
        columns = [*FACT_KEYS, *COUNTERS]
        result.events = _execute(
            f"INSERT INTO {fact_table} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
            f"SELECT {', '.join(qn('v_' + c) for c in columns)} FROM {chunk} "
            # Stored in (place, day) order: a grid's facts of a month share a few pages.
            f"ORDER BY {qn('v_region_code')}, {qn('v_day')}",
            [],
            using,
        )
        sums = ", ".join(f"SUM({qn('v_' + c)})" for c in COUNTERS)
        into = f"INSERT INTO {tally_table} ({', '.join(qn(c) for c in (*TALLY_KEYS, *COUNTERS))}) "
        day = qn("v_day")
        for depth, length, dims in TALLY_LEVELS:
            node = f"SUBSTR({qn('v_region_code')}, 1, {length})"
            for dim in dims:
                item = "''" if dim == ALL else qn(f"v_{dim}")
                group = [node, day] + ([] if dim == ALL else [item])
                select = (
                    f"SELECT {node}, {depth}, %s, {item}, {day}, {sums} "  # noqa: S608
                    f"FROM {chunk} GROUP BY {', '.join(group)} "
                    # In the order of the unique index: a node's days share a few pages.
                    f"ORDER BY {node}, {day}" + ("" if dim == ALL else f", {item}")
                )
                result.tallies += _execute(into + select, [dim], using)
        _execute(f"DROP TABLE {chunk}", [], using)
    result.seconds = clock.perf_counter() - began
    return result


def month_chunks(start: date, end: date) -> Iterator[tuple[date, date]]:
    """``[start, end]`` cut at month boundaries."""
    current = start
    while current <= end:
        following = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = min(end, following - timedelta(days=1))
        yield current, last
        current = last + timedelta(days=1)


def first_event_day(district: str | None = None) -> date | None:
    qs = Event.objects.all()
    if district:
        qs = qs.filter(district_code=district)
    first = qs.aggregate(first=Min("reported_at"))["first"]
    return reporting_day(first) if first is not None else None


def first_day(district: str) -> date | None:
    """The first day with events or aggregates in ``district``."""
    tallied = Tally.objects.filter(depth=0, node=district).aggregate(first=Min("day"))["first"]
    days = [d for d in (first_event_day(district), tallied) if d is not None]
    return min(days) if days else None


def event_districts() -> list[str]:
    """Districts that have events or aggregates (of events deleted since)."""
    found = set(Event.objects.order_by().values_list("district_code", flat=True).distinct())
    found |= set(Tally.objects.filter(depth=0).order_by().values_list("node", flat=True).distinct())
    return sorted(found)


@dataclass
class ReconcileResult:
    chunks: list[RebuildResult] = field(default_factory=list)
    #: Districts after which the tables were vacuumed (``vacuum_aggregates``).
    vacuumed: int = 0

    @property
    def events(self) -> int:
        return sum(c.events for c in self.chunks)

    @property
    def tallies(self) -> int:
        return sum(c.tallies for c in self.chunks)

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.chunks)


def reconcile(
    *,
    start: date | None = None,
    end: date | None = None,
    districts: Iterable[str] | None = None,
    say: Any = None,
) -> ReconcileResult:
    """Rebuild ``[start, end]`` (default: from the first event to today) for each district,
    one month per transaction, so that no lock is held for long."""
    result = ReconcileResult()
    today = timezone.localdate(timezone=local_tz())
    end = end or today
    wanted = sorted(set(districts)) if districts is not None else event_districts()
    for district in wanted:
        first = start or first_day(district)
        if first is None or first > end:
            continue
        for chunk_start, chunk_end in month_chunks(first, end):
            chunk = rebuild_aggregates(chunk_start, chunk_end, district)
            result.chunks.append(chunk)
            if say is not None:
                say(
                    f"{district} {chunk_start}–{chunk_end}: {chunk.events:,} 件事件，"
                    f"{chunk.tallies:,} 行汇总，{chunk.seconds:.2f} 秒"
                )
        result.vacuumed += int(vacuum_aggregates())
    return result


def vacuum_aggregates(using: str = "default") -> bool:
    """``VACUUM (ANALYZE)`` the facts and tallies (PostgreSQL, outside a transaction).

    A rebuild deletes and rewrites its rows; until a vacuum, the old versions take space
    that nothing can reuse.  Vacuumed after each district, the next district's rows
    go into the space the last one freed (a nightly reconcile of everything would
    otherwise leave a dead copy of the tables behind, which autovacuum reclaims only
    later), and the planner's statistics follow the new rows.  False when not run."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    qn = connection.ops.quote_name
    tables = ", ".join(qn(m._meta.db_table) for m in (EventFact, Tally))
    _execute(f"VACUUM (ANALYZE) {tables}", [], using)
    return True
