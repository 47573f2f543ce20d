"""Benchmark of the dashboards: aggregates against a plain GROUP BY over the events table.

The bench makes its own PostgreSQL database (``--database-url``; dropped at the
end unless ``keep``; ``reuse`` keeps it and uses it again next time when it holds
the same number of events), migrates it and loads the five-district city
(``wangge seed --scale city``, 12,000 grids).  Then, in a child process whose
default database is the bench's:

* ``events`` events are generated set-wise — one ``INSERT … SELECT … FROM
  generate_series`` per million (SQLite: ``bulk_create``) — over the last 365
  days (more recent days a little busier; working hours), on the units and grids
  of the city (some busier than others), with categories, sources, handling
  levels, departments, states and timestamps that follow an event's age (old
  events mostly closed and visited; recent ones all along the way), deadlines
  met or missed, reworks, return visits and satisfaction;
* ``rebuild_aggregates`` builds the aggregates (a district and a month per
  transaction), then ``ANALYZE``;
* for a district, a street and a grid, over the last 30 days and the last year,
  ``queries`` random nodes, each read from the aggregates
  (``wangge.dashboards.queries``) two ways: **the figures** (上报, 立案, 办结率,
  按期办结率, 超期, 返工率, 三率…: ``figures_data``, what the headline of a dashboard
  and the big screen's counters read) and **the whole page** (those figures, per-day
  figures, every breakdown, the ranking of its children: ``dashboard_data``); for
  ``raw_queries`` of them the same numbers by plain ``GROUP BY`` over ``events_event``
  (``wangge.dashboards.raw``), whose answers must be equal.

Targets: p95 < 200 ms for every cell, the same numbers both ways, and for districts
and streets the aggregates ≥ 20× faster than the plain ``GROUP BY`` (medians), the
figures and the page alike.  A grid's speed-up is reported but not required: its plain
``GROUP BY`` reads its hundred events a month through the region index in a few
milliseconds, and 20× that is less than one round trip to the database (see
docs/dashboards.md).
"""

from __future__ import annotations

import json
import random
import tempfile
import time as clock
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from wangge.bench.search import (
    Latency,
    _check_url,
    _pad,
    _redacted,
    _wangge,
    create_database,
    database_exists,
    drop_database,
)

TARGET_P95_MS = 200.0
TARGET_RATIO = 20.0
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wangge_dashboard_bench"
DEFAULT_EVENTS = 10_000_000
#: Events per INSERT … SELECT (PostgreSQL) or per bulk_create batch (SQLite).
CHUNK = 1_000_000
SQLITE_BATCH = 2_000

#: level → (code length, label)
LEVELS: dict[str, tuple[int, str]] = {
    "district": (6, "区"),
    "street": (9, "街道"),
    "grid": (15, "网格"),
}
#: Levels the speed-up target applies to (see ``Cell.ratio_required``).
RATIO_LEVELS = frozenset({"district", "street"})
#: period → (days, label)
PERIODS: dict[str, tuple[int, str]] = {"30d": (30, "近 30 天"), "year": (365, "近一年")}

Say = Callable[[str], Any]


# --- results ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """One level and period: the figures alone and the whole page, each read from the
    aggregates and computed by plain GROUP BY over the events, and disagreements."""

    level: str
    period: str
    #: The whole page (per-day figures, every breakdown, the ranking) from the aggregates.
    aggregate: Latency
    #: The same by plain GROUP BY over the events table.
    raw: Latency | None = None
    #: Samples where the page from the aggregates and the plain GROUP BY differ.
    mismatches: int = 0
    #: Mean events per query (what the plain GROUP BY has to read).
    events: float = 0.0
    #: The figures alone (上报, 立案, 办结率, 按期办结率, 超期, 返工率, 三率…) from the aggregates.
    figures: Latency = field(default_factory=Latency)
    #: The same figures by plain GROUP BY (one SUM) over the events table.
    figures_raw: Latency | None = None
    figures_mismatches: int = 0

    @property
    def ratio(self) -> float:
        """The page: plain GROUP BY p50 ÷ aggregates p50."""
        return _ratio(self.raw, self.aggregate)

    @property
    def figures_ratio(self) -> float:
        """The figures: plain GROUP BY p50 ÷ aggregates p50."""
        return _ratio(self.figures_raw, self.figures)

    @property
    def ratio_required(self) -> bool:
        """The speed-up target holds for districts and streets.  A grid has about a hundred
        events a month: the plain GROUP BY reads them through the region index in a few
        milliseconds, and a twentieth of that is less than one round trip to the database,
        so only the latency target applies there."""
        return self.level in RATIO_LEVELS

    def figures_passed(self, target_ms: float, target_ratio: float) -> bool:
        return (
            self.figures.count > 0
            and self.figures.p95_ms < target_ms
            and self.figures_mismatches == 0
            and (
                self.figures_raw is None
                or not self.ratio_required
                or self.figures_ratio >= target_ratio
            )
        )

    def page_passed(self, target_ms: float, target_ratio: float) -> bool:
        return (
            self.aggregate.count > 0
            and self.aggregate.p95_ms < target_ms
            and self.mismatches == 0
            and (self.raw is None or not self.ratio_required or self.ratio >= target_ratio)
        )

    def passed(self, target_ms: float, target_ratio: float) -> bool:
        return self.figures_passed(target_ms, target_ratio) and self.page_passed(
            target_ms, target_ratio
        )


def _ratio(raw: Latency | None, aggregate: Latency) -> float:
    if raw is None or not raw.count or aggregate.p50_ms <= 0:
        return 0.0
    return raw.p50_ms / aggregate.p50_ms


@dataclass
class DashboardBenchResult:
    database: str
    vendor: str
    events: int
    districts: int
    grids: int
    queries: int
    raw_queries: int
    seed: int
    cells: list[Cell]
    #: Rows and megabytes of the events table and of the aggregates.
    sizes: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Seconds spent on each set-up step (create, migrate, seed, generate, aggregate, analyze).
    setup: dict[str, float] = field(default_factory=dict)
    reused: bool = False
    target_p95_ms: float = TARGET_P95_MS
    target_ratio: float = TARGET_RATIO

    @property
    def passed(self) -> bool:
        return bool(self.cells) and all(
            c.passed(self.target_p95_ms, self.target_ratio) for c in self.cells
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for cell, out in zip(self.cells, data["cells"], strict=True):
            out["ratio"] = cell.ratio
            out["figures_ratio"] = cell.figures_ratio
            out["passed"] = cell.passed(self.target_p95_ms, self.target_ratio)
        data["passed"] = self.passed
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DashboardBenchResult:
        cells = [
            Cell(
                level=c["level"],
                period=c["period"],
                aggregate=Latency(**c["aggregate"]),
                raw=Latency(**c["raw"]) if c.get("raw") else None,
                mismatches=c["mismatches"],
                events=c["events"],
                figures=Latency(**c.get("figures", {})),
                figures_raw=Latency(**c["figures_raw"]) if c.get("figures_raw") else None,
                figures_mismatches=c.get("figures_mismatches", 0),
            )
            for c in data["cells"]
        ]
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["cells"] = cells
        return cls(**fields)


# --- generating events (in the process whose default database is the bench's) ----------------


@dataclass
class Plan:
    """What events are drawn from: weighted places and categories, the departments."""

    #: (unit code, lng, lat), each repeated by how busy it is.
    units: list[tuple[str, float, float]]
    #: (category id, default department code), each repeated by how frequent it is.
    categories: list[tuple[int, str]]


def make_plan(rng: random.Random) -> Plan:
    from wangge.events.models import Category
    from wangge.regions.models import Region

    units = []
    for code, lng, lat in (
        Region.objects.filter(level="unit", point_lng__isnull=False)
        .order_by("code")
        .values_list("code", "point_lng", "point_lat")
    ):
        units += [(code, float(lng or 0.0), float(lat or 0.0))] * rng.choice((1, 1, 1, 2, 2, 3, 5))
    if not units:
        raise RuntimeError("数据库中没有最小单元：请先载入城市规模层级（wangge seed --scale city）")
    categories = []
    for pk, department in (
        Category.objects.filter(parent__isnull=False, admitted=True)
        .order_by("code")
        .values_list("pk", "default_department_code")
    ):
        categories += [(pk, department or "cg")] * rng.choice((1, 2, 3, 6, 10))
    if not categories:
        raise RuntimeError("数据库中没有事件目录")
    return Plan(units, categories)


#: The columns the generator fills; every other column of events_event gets its default.
_EVENT_SQL = """
WITH drawn AS (
    SELECT s.i,
           1 + floor(random() * %(n_units)s)::int AS unit_at,
           1 + floor(random() * %(n_categories)s)::int AS category_at,
           LEAST(364, floor(365 * power(random(), 1.15)))::int AS age,
           random() AS r_place, random() AS r_hour, random() AS r_source, random() AS r_fate,
           random() AS r_stage, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
           random() AS r5, random() AS r_level, random() AS r_rework, random() AS r_satisfied
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS s(i)
),
placed AS (
    SELECT d.*,
           CASE WHEN d.r_place < 0.7 THEN u.code ELSE substr(u.code, 1, 15) END AS region_code,
           u.lng,
           u.lat,
           c.id AS category_id,
           c.department AS department_code,
           LEAST(now(), ((date_trunc('day', now() AT TIME ZONE %(tz)s) - d.age * interval '1 day'
               + (7 + 13 * d.r_hour) * interval '1 hour') AT TIME ZONE %(tz)s)) AS reported_at,
           CASE WHEN d.r_fate < 0.12 THEN 'self'
                WHEN d.r_fate < 0.16 THEN 'rejected'
                WHEN d.age >= 14 THEN
                    CASE WHEN d.r_stage < 0.01 THEN 'reported' WHEN d.r_stage < 0.02 THEN 'registered'
                         WHEN d.r_stage < 0.03 THEN 'dispatched' WHEN d.r_stage < 0.06 THEN 'handling'
                         WHEN d.r_stage < 0.09 THEN 'handled' WHEN d.r_stage < 0.45 THEN 'closed'
                         ELSE 'visited' END
                ELSE
                    CASE WHEN d.r_stage < 0.15 THEN 'reported' WHEN d.r_stage < 0.25 THEN 'registered'
                         WHEN d.r_stage < 0.35 THEN 'dispatched' WHEN d.r_stage < 0.55 THEN 'handling'
                         WHEN d.r_stage < 0.70 THEN 'handled' WHEN d.r_stage < 0.90 THEN 'closed'
                         ELSE 'visited' END
           END AS fate
    FROM drawn d
    JOIN bench_units u ON u.k = d.unit_at
    JOIN bench_categories c ON c.k = d.category_at
),
timed AS (
    SELECT p.*,
           p.reported_at + (0.2 + 3 * p.r1) * interval '1 hour' AS t_registered,
           p.reported_at + (0.3 + 3 * p.r1 + 2 * p.r2) * interval '1 hour' AS t_dispatched,
           p.reported_at + (0.5 + 3 * p.r1 + 2 * p.r2 + 6 * p.r3 * p.r3) * interval '1 hour'
               AS t_accepted,
           CASE p.fate WHEN 'self' THEN 0 WHEN 'rejected' THEN 0 WHEN 'reported' THEN 0
                WHEN 'registered' THEN 1 WHEN 'dispatched' THEN 2 WHEN 'handling' THEN 3
                WHEN 'handled' THEN 4 WHEN 'closed' THEN 5 ELSE 6 END AS stage
    FROM placed p
),
dated AS (
    SELECT t.*,
           t.t_dispatched + interval '4 hours' AS accept_due,
           t.t_accepted + interval '3 days' AS handle_due,
           t.t_accepted + 4 * power(t.r4, 1.5) * interval '1 day' AS t_handled
    FROM timed t
),
finished AS (
    SELECT d.*,
           d.t_handled + (1 + 20 * d.r5) * interval '1 hour' AS t_closed,
           d.t_handled + (25 + 20 * d.r5) * interval '1 hour' AS t_visited
    FROM dated d
)
INSERT INTO events_event (
    number, title, description, category_id, source, state, version, region_code, grid_code,
    district_code, lng, lat, level, current_department_id, accept_due, handle_due, overdue,
    overdue_at, rework_count, self_handled, forced, satisfaction, reported_at, registered_at,
    dispatched_at, accepted_at, handled_at, closed_at, visited_at, updated_at
    %(extra_columns)s
)
SELECT 'B' || lpad(f.i::text, 18, '0'),
       '基准事件',
       '基准测试生成的事件',
       f.category_id,
       CASE WHEN f.r_source < 0.55 THEN 'grid_worker' WHEN f.r_source < 0.75 THEN 'resident'
            WHEN f.r_source < 0.90 THEN 'hotline' WHEN f.r_source < 0.95 THEN 'department'
            ELSE 'inspection' END,
       CASE WHEN f.fate = 'self' THEN 'closed' WHEN f.fate = 'rejected' THEN 'rejected'
            WHEN f.stage >= 5 THEN 'closed' ELSE f.fate END,
       1 + f.stage,
       f.region_code,
       substr(f.region_code, 1, 15),
       substr(f.region_code, 1, 6),
       f.lng,
       f.lat,
       CASE WHEN f.r_level < 0.05 THEN 'community' WHEN f.r_level < 0.93 THEN 'street'
            ELSE 'district' END,
       CASE WHEN f.stage >= 2 THEN dept.id END,
       CASE WHEN f.stage >= 2 THEN f.accept_due END,
       CASE WHEN f.stage >= 3 THEN f.handle_due END,
       f.stage >= 2 AND (
           (f.stage = 2 AND f.accept_due < now()) OR (f.stage >= 3 AND f.t_accepted > f.accept_due)
           OR (f.stage = 3 AND f.handle_due < now()) OR (f.stage >= 4 AND f.t_handled > f.handle_due)
       ),
       CASE WHEN f.stage >= 2 AND (
           (f.stage = 2 AND f.accept_due < now()) OR (f.stage >= 3 AND f.t_accepted > f.accept_due)
           OR (f.stage = 3 AND f.handle_due < now()) OR (f.stage >= 4 AND f.t_handled > f.handle_due)
       ) THEN LEAST(now(), f.handle_due) END,
       CASE WHEN f.stage >= 5 AND f.r_rework < 0.04 THEN 1 ELSE 0 END,
       f.fate = 'self',
       false,
       CASE WHEN f.stage = 6 THEN
           CASE WHEN f.r_satisfied < 0.55 THEN 'satisfied' WHEN f.r_satisfied < 0.80 THEN 'basically'
                WHEN f.r_satisfied < 0.90 THEN 'dissatisfied' ELSE '' END
       ELSE '' END,
       f.reported_at,
       CASE WHEN f.fate = 'self' THEN f.reported_at + interval '40 minutes'
            WHEN f.stage >= 1 THEN LEAST(now(), f.t_registered) END,
       CASE WHEN f.stage >= 2 THEN LEAST(now(), f.t_dispatched) END,
       CASE WHEN f.stage >= 3 THEN LEAST(now(), f.t_accepted) END,
       CASE WHEN f.fate = 'self' THEN f.reported_at + interval '40 minutes'
            WHEN f.stage >= 4 THEN LEAST(now(), f.t_handled) END,
       CASE WHEN f.fate = 'self' THEN f.reported_at + interval '40 minutes'
            WHEN f.stage >= 5 THEN LEAST(now(), f.t_closed) END,
       CASE WHEN f.stage = 6 THEN LEAST(now(), f.t_visited) END,
       LEAST(now(), f.reported_at + interval '2 days')
       %(extra_values)s
FROM finished f
JOIN regions_region district ON district.code = substr(f.region_code, 1, 6)
LEFT JOIN accounts_department dept
       ON dept.district_id = district.id AND dept.code = f.department_code
"""

_VISIT_SQL = """
INSERT INTO events_returnvisit (event_id, contacted, solved, satisfaction, note, visited_at)
SELECT id, satisfaction <> '', satisfaction IN ('satisfied', 'basically'), satisfaction, '',
       visited_at
FROM events_event
WHERE visited_at IS NOT NULL AND number >= %s AND number <= %s
"""

#: Columns the SQL above fills.
_FILLED = {
    "id",
    "number",
    "title",
    "description",
    "category",
    "source",
    "state",
    "version",
    "region_code",
    "grid_code",
    "district_code",
    "lng",
    "lat",
    "level",
    "current_department",
    "accept_due",
    "handle_due",
    "overdue",
    "overdue_at",
    "rework_count",
    "self_handled",
    "forced",
    "satisfaction",
    "reported_at",
    "registered_at",
    "dispatched_at",
    "accepted_at",
    "handled_at",
    "closed_at",
    "visited_at",
    "updated_at",
}


def _other_columns() -> tuple[list[str], list[Any]]:
    """Columns of events_event the generator does not draw (current and future): defaults."""
    from wangge.events.models import Event

    columns: list[str] = []
    values: list[Any] = []
    for f in Event._meta.concrete_fields:
        if f.name in _FILLED or f.column is None:
            continue
        columns.append(f.column)
        values.append(f.get_db_prep_save(f.get_default(), connection=_connection()))
    return columns, values


def _connection() -> Any:
    from django.db import connection

    return connection


def _generate_postgresql(n: int, plan: Plan, *, seed: int, say: Say | None) -> None:
    from django.db import connection, transaction

    extra_columns, extra_values = _other_columns()
    qn = connection.ops.quote_name
    params: dict[str, Any] = {
        "n_units": len(plan.units),
        "n_categories": len(plan.categories),
        "tz": settings.TIME_ZONE,
    }
    for k, value in enumerate(extra_values):
        params[f"extra_{k}"] = value
    sql = _EVENT_SQL % {
        **{key: f"%({key})s" for key in (*params, "lo", "hi")},
        "extra_columns": "".join(f", {qn(c)}" for c in extra_columns),
        "extra_values": "".join(f", %(extra_{k})s" for k in range(len(extra_values))),
    }
    with connection.cursor() as cursor:
        # What events are drawn from, numbered from 1: a join, not an array subscript
        # (which walks a text[] from its start every time).
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS bench_units "
            "(k integer PRIMARY KEY, code text, lng float8, lat float8)"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS bench_categories "
            "(k integer PRIMARY KEY, id bigint, department text)"
        )
        cursor.execute("TRUNCATE bench_units, bench_categories")
        cursor.execute(
            "INSERT INTO bench_units SELECT row_number() OVER (), * FROM "
            "unnest(%s::text[], %s::float8[], %s::float8[])",
            [[u[0] for u in plan.units], [u[1] for u in plan.units], [u[2] for u in plan.units]],
        )
        cursor.execute(
            "INSERT INTO bench_categories SELECT row_number() OVER (), * FROM "
            "unnest(%s::bigint[], %s::text[])",
            [[c[0] for c in plan.categories], [c[1] for c in plan.categories]],
        )
        cursor.execute("ANALYZE bench_units")
        cursor.execute("ANALYZE bench_categories")
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000.0])
    done = 0
    while done < n:
        lo, hi = done + 1, min(n, done + CHUNK)
        start = clock.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {**params, "lo": lo, "hi": hi})
            cursor.execute(_VISIT_SQL, [f"B{lo:018d}", f"B{hi:018d}"])
        done = hi
        if say:
            say(f"  已生成 {done:,} / {n:,} 件事件（{clock.perf_counter() - start:.1f} 秒）")


def _generate_python(n: int, plan: Plan, *, seed: int, say: Say | None) -> None:
    """The same distributions, row by row (SQLite: tests and small runs)."""
    from django.db import transaction
    from django.utils import timezone

    from wangge.accounts.models import Department
    from wangge.events.models import Event, ReturnVisit

    rng = random.Random(f"wangge-bench-dashboard:{seed}")
    departments = {
        (d.district.code, d.code): d.pk for d in Department.objects.select_related("district")
    }
    now = timezone.now()
    tz = timezone.get_default_timezone()
    today = timezone.localdate(timezone=tz)
    h = timedelta(hours=1)
    done = 0
    while done < n:
        batch: list[Event] = []
        visits: list[tuple[int, str]] = []
        for i in range(done + 1, min(n, done + SQLITE_BATCH) + 1):
            unit, lng, lat = rng.choice(plan.units)
            category_id, department = rng.choice(plan.categories)
            region = unit if rng.random() < 0.7 else unit[:15]
            age = min(364, int(365 * rng.random() ** 1.15))
            day = today - timedelta(days=age)
            reported = min(
                now,
                datetime.combine(day, time.min, tzinfo=tz) + (7 + 13 * rng.random()) * h,
            )
            fate = rng.random()
            r = rng.random()
            if fate < 0.12:
                stage, kind = 5, "self"
            elif fate < 0.16:
                stage, kind = 0, "rejected"
            else:
                cut = (
                    (0.01, 0.02, 0.03, 0.06, 0.09, 0.45)
                    if age >= 14
                    else (0.15, 0.25, 0.35, 0.55, 0.70, 0.90)
                )
                stage, kind = sum(r >= c for c in cut), "normal"
            t_reg = reported + (0.2 + 3 * rng.random()) * h
            t_dis = t_reg + (0.1 + 2 * rng.random()) * h
            t_acc = t_dis + (0.2 + 6 * rng.random() ** 2) * h
            accept_due, handle_due = t_dis + 4 * h, t_acc + 72 * h
            t_han = t_acc + 96 * rng.random() ** 1.5 * h
            late = stage >= 2 and (
                (stage == 2 and accept_due < now)
                or (stage >= 3 and t_acc > accept_due)
                or (stage == 3 and handle_due < now)
                or (stage >= 4 and t_han > handle_due)
            )
            satisfaction = ""
            if stage == 6:
                s = rng.random()
                satisfaction = (
                    "satisfied"
                    if s < 0.55
                    else "basically"
                    if s < 0.8
                    else "dissatisfied"
                    if s < 0.9
                    else ""
                )
            spot = reported + timedelta(minutes=40)
            state = {0: "reported", 1: "registered", 2: "dispatched", 3: "handling", 4: "handled"}
            batch.append(
                Event(
                    number=f"B{i:018d}",
                    title="基准事件",
                    description="基准测试生成的事件",
                    category_id=category_id,
                    source=rng.choice(["grid_worker"] * 11 + ["resident"] * 4 + ["hotline"] * 3)
                    if rng.random() < 0.9
                    else rng.choice(["department", "inspection"]),
                    state="rejected" if kind == "rejected" else state.get(stage, "closed"),
                    version=1 + stage,
                    region_code=region,
                    grid_code=region[:15],
                    district_code=region[:6],
                    lng=lng,
                    lat=lat,
                    level=rng.choice(["street"] * 18 + ["community", "district"]),
                    current_department_id=departments.get((region[:6], department))
                    if kind == "normal" and stage >= 2
                    else None,
                    accept_due=accept_due if kind == "normal" and stage >= 2 else None,
                    handle_due=handle_due if kind == "normal" and stage >= 3 else None,
                    overdue=kind == "normal" and late,
                    overdue_at=min(now, handle_due) if kind == "normal" and late else None,
                    rework_count=1 if kind == "normal" and stage >= 5 and r < 0.04 else 0,
                    self_handled=kind == "self",
                    satisfaction=satisfaction if kind == "normal" else "",
                    reported_at=reported,
                    registered_at=spot
                    if kind == "self"
                    else min(now, t_reg)
                    if kind == "normal" and stage >= 1
                    else None,
                    dispatched_at=min(now, t_dis) if kind == "normal" and stage >= 2 else None,
                    accepted_at=min(now, t_acc) if kind == "normal" and stage >= 3 else None,
                    handled_at=spot
                    if kind == "self"
                    else min(now, t_han)
                    if kind == "normal" and stage >= 4
                    else None,
                    closed_at=spot
                    if kind == "self"
                    else min(now, t_han + 2 * h)
                    if kind == "normal" and stage >= 5
                    else None,
                    visited_at=min(now, t_han + 26 * h)
                    if kind == "normal" and stage == 6
                    else None,
                    updated_at=min(now, reported + 48 * h),
                )
            )
        with transaction.atomic():
            created = Event.objects.bulk_create(batch)
            for event in created:
                if event.visited_at is not None:
                    visits.append((event.pk, event.satisfaction))
            ReturnVisit.objects.bulk_create(
                [
                    ReturnVisit(
                        event_id=pk,
                        contacted=bool(s),
                        solved=s in ("satisfied", "basically"),
                        satisfaction=s,
                        visited_at=now,
                    )
                    for pk, s in visits
                ]
            )
        done += len(batch)
        if say:
            say(f"  已生成 {done:,} / {n:,} 件事件")


def prepare_events(events: int, *, seed: int = 1, say: Say | None = None) -> dict[str, float]:
    """Generate ``events`` bench events unless the database has them, then build the
    aggregates unless they are there; ``ANALYZE``.  Returns the seconds of each step."""
    from django.db import connection

    from wangge.dashboards.aggregates import reconcile
    from wangge.dashboards.models import EventFact
    from wangge.events.catalogue import seed_catalogue
    from wangge.events.models import Event
    from wangge.regions.models import Region

    steps: dict[str, float] = {}
    have = Event.objects.count()
    if have != events:
        if have:
            raise RuntimeError(
                f"数据库中已有 {have:,} 件事件（需要 {events:,} 件）：请用新的基准数据库"
            )
        start = clock.perf_counter()
        seed_catalogue()
        for district in Region.objects.filter(level="district").order_by("code"):
            seed_catalogue(district)
        plan = make_plan(random.Random(f"wangge-bench-dashboard-plan:{seed}"))
        if say:
            say(f"生成 {events:,} 件事件（{len(set(plan.units)):,} 个最小单元）…")
        if connection.vendor == "postgresql":
            _generate_postgresql(events, plan, seed=seed, say=say)
        else:
            _generate_python(events, plan, seed=seed, say=say)
        steps["generate"] = clock.perf_counter() - start
    if EventFact.objects.count() != events:
        if say:
            say("rebuild_aggregates：按区、按月重建汇总…")
        start = clock.perf_counter()
        reconcile(say=say)
        steps["aggregate"] = clock.perf_counter() - start
    if steps and connection.vendor == "postgresql":  # fresh rows: fresh planner statistics
        start = clock.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        steps["analyze"] = clock.perf_counter() - start
    return steps


# --- measuring -------------------------------------------------------------------------------


def pick_nodes(rng: random.Random, level: str, n: int) -> list[str]:
    """``n`` random nodes of a level (with repeats when there are fewer), among those with events."""
    from wangge.dashboards.models import Tally
    from wangge.regions.models import Region

    length = LEVELS[level][0]
    if level == "grid":
        # Busy and quiet grids alike: any grid of the city.
        codes = list(
            Region.objects.filter(level="grid").order_by("code").values_list("code", flat=True)
        )
    else:
        codes = sorted(
            set(
                Tally.objects.filter(depth=0 if length == 6 else 1, dim="all")
                .order_by()
                .values_list("node", flat=True)
                .distinct()
            )
        )
    if not codes:
        raise RuntimeError(f"没有可测的{LEVELS[level][1]}")
    return [rng.choice(codes) for _ in range(n)]


def _time(fn: Callable[[str, Any], Any], node: str, period: Any) -> tuple[float, Any]:
    start = clock.perf_counter()
    answer = fn(node, period)
    return clock.perf_counter() - start, answer


def dashboard_answer(node: str, period: Any) -> Any:
    """What a dashboard page reads: per-day figures, every breakdown, the children."""
    from wangge.dashboards.queries import dashboard_data
    from wangge.dashboards.selectors import figures_of

    data = dashboard_data(node, period)
    figures_of(data)
    return data


def figures_answer(node: str, period: Any) -> Any:
    """What the figures read (the dashboard's headline, the big screen's counters)."""
    from wangge.dashboards.figures import derive
    from wangge.dashboards.queries import figures_data

    return derive(figures_data(node, period))


def raw_figures_answer(node: str, period: Any) -> Any:
    from wangge.dashboards.figures import derive
    from wangge.dashboards.raw import raw_figures

    return derive(raw_figures(node, period))


def raw_answer(node: str, period: Any) -> Any:
    from wangge.dashboards.raw import raw_data
    from wangge.dashboards.selectors import figures_of

    data = raw_data(node, period)
    figures_of(data)
    return data


def measure(
    *,
    queries: int = 50,
    raw_queries: int = 5,
    seed: int = 1,
    warmup: int = 10,
    say: Say | None = None,
) -> DashboardBenchResult:
    """Time the dashboards on the default database (which must hold the events already)."""
    from django.db import connection
    from django.utils import timezone

    from wangge.dashboards.periods import Period
    from wangge.events.models import Event
    from wangge.regions.models import Region

    rng = random.Random(f"wangge-bench-dashboard:{seed}")
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    cells = []
    for level in LEVELS:
        nodes = pick_nodes(rng, level, queries)
        for key, (span, label) in PERIODS.items():
            period = Period("custom", today - timedelta(days=span - 1), today)
            for node in nodes[:warmup]:
                dashboard_answer(node, period)
                figures_answer(node, period)
            timings, sizes = [], []
            answers = {}
            for node in nodes:
                seconds, data = _time(dashboard_answer, node, period)
                timings.append(seconds)
                sizes.append(data.totals["reported"])
                answers[node] = data
            figure_timings, figures = [], {}
            for node in nodes:
                seconds, figures[node] = _time(figures_answer, node, period)
                figure_timings.append(seconds)
            raw_timings, mismatches = [], 0
            raw_figure_timings, figure_mismatches = [], 0
            for node in nodes[:raw_queries]:
                seconds, data = _time(raw_answer, node, period)
                raw_timings.append(seconds)
                if data != answers[node]:
                    mismatches += 1
                # After the page: the node's events are in the cache for the plain SUM.
                seconds, answer = _time(raw_figures_answer, node, period)
                raw_figure_timings.append(seconds)
                if answer != figures[node]:
                    figure_mismatches += 1
            cell = Cell(
                level=level,
                period=key,
                aggregate=Latency.of(timings),
                raw=Latency.of(raw_timings) if raw_timings else None,
                mismatches=mismatches,
                events=sum(sizes) / len(sizes) if sizes else 0.0,
                figures=Latency.of(figure_timings),
                figures_raw=Latency.of(raw_figure_timings) if raw_figure_timings else None,
                figures_mismatches=figure_mismatches,
            )
            cells.append(cell)
            if say:
                say(
                    f"  {LEVELS[level][1]} {label}：数字 p95 {cell.figures.p95_ms:.2f} ms"
                    + (f"（对照 p50 {cell.figures_raw.p50_ms:.0f} ms）" if cell.figures_raw else "")
                    + f"，整页 p95 {cell.aggregate.p95_ms:.1f} ms"
                    + (f"（对照 p50 {cell.raw.p50_ms:.0f} ms）" if cell.raw else "")
                )
    return DashboardBenchResult(
        database=str(connection.settings_dict.get("NAME", "")),
        vendor=connection.vendor,
        events=Event.objects.count(),
        districts=Region.objects.filter(level="district").count(),
        grids=Region.objects.filter(level="grid").count(),
        queries=queries,
        raw_queries=raw_queries,
        seed=seed,
        cells=cells,
        sizes=table_sizes(),
    )


def table_sizes() -> dict[str, dict[str, float]]:
    from django.db import connection

    from wangge.dashboards.models import EventFact, Tally
    from wangge.events.models import Event

    sizes: dict[str, dict[str, float]] = {}
    for model in (Event, EventFact, Tally):
        table = model._meta.db_table
        entry: dict[str, float] = {"rows": float(model.objects.count())}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                row = cursor.fetchone()
            entry["mb"] = round(int(row[0]) / 1_048_576, 1) if row else 0.0
        sizes[table] = entry
    return sizes


# --- the throwaway database (in the process that runs the command) ------------------------------


def events_in(url: str) -> int:
    """Events in the bench database (0 when it has no such table yet)."""
    import psycopg

    from wangge.bench.search import _database_settings

    cfg = _database_settings(url)
    try:
        with psycopg.connect(
            dbname=cfg["NAME"],
            user=cfg["USER"] or None,
            password=cfg["PASSWORD"] or None,
            host=cfg["HOST"] or None,
            port=cfg["PORT"] or None,
            connect_timeout=5,
        ) as conn:
            row = conn.execute("SELECT count(*) FROM events_event").fetchone()
    except psycopg.Error:
        return 0
    return int(row[0]) if row else 0


def run_dashboard_bench(
    *,
    database_url: str = DEFAULT_DATABASE_URL,
    events: int = DEFAULT_EVENTS,
    scale: str = "city",
    queries: int = 50,
    raw_queries: int = 5,
    warmup: int = 10,
    seed: int = 1,
    keep: bool = False,
    reuse: bool = False,
    log_path: Path | None = None,
    say: Say | None = None,
) -> DashboardBenchResult:
    """Build (or reuse) the bench database, measure in a child process, drop it unless kept."""
    _check_url(database_url)
    if min(events, queries) < 1 or raw_queries < 0 or warmup < 0:
        raise ValueError("--events 与 --queries 必须是正整数，--raw-queries、--warmup 不能为负")
    setup: dict[str, float] = {}
    log_file = log_path or Path(tempfile.gettempdir()) / "wangge-bench-dashboard.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    reused = reuse and database_exists(database_url) and events_in(database_url) == events
    try:
        with open(log_file, "w", encoding="utf-8") as log:
            if reused:
                if say:
                    say(f"沿用已有的基准数据库（{events:,} 件事件）")
                start = clock.perf_counter()
                _wangge(["migrate", "--noinput", "-v", "0"], database_url, log=log)
                setup["migrate"] = clock.perf_counter() - start
            else:
                start = clock.perf_counter()
                create_database(database_url)
                setup["create"] = clock.perf_counter() - start
                for step, args in (
                    ("migrate", ["migrate", "--noinput", "-v", "0"]),
                    ("seed", ["seed", "--scale", scale, "--events", "0", "--residents", "0"]),
                ):
                    if say:
                        say(f"wangge {' '.join(args)}…")
                    start = clock.perf_counter()
                    _wangge(args, database_url, log=log)
                    setup[step] = clock.perf_counter() - start
            result = _measure_in_child(
                database_url,
                log,
                events=events,
                queries=queries,
                raw_queries=raw_queries,
                warmup=warmup,
                seed=seed,
                say=say,
            )
    finally:
        if not (keep or reuse):
            with suppress(Exception):
                drop_database(database_url)
    result.database = _redacted(database_url)
    result.reused = reused
    result.setup = {**setup, **result.setup}
    return result


def _measure_in_child(
    url: str,
    log: IO[str],
    *,
    events: int,
    queries: int,
    raw_queries: int,
    warmup: int,
    seed: int,
    say: Say | None,
) -> DashboardBenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        args = [
            "bench",
            "dashboard",
            "--in-place",
            "--events",
            str(events),
            "--queries",
            str(queries),
            "--raw-queries",
            str(raw_queries),
            "--warmup",
            str(warmup),
            "--seed",
            str(seed),
            "--json",
            str(out),
        ]
        # A missed target exits non-zero too: the result file tells them apart.
        code = _wangge(args, url, log=log, say=say, check=False)
        if not out.exists():
            raise RuntimeError(f"测量失败（退出码 {code}），见 {log.name}")
        return DashboardBenchResult.from_dict(json.loads(out.read_text(encoding="utf-8")))


# --- the report ------------------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


_STEP_NAMES = {
    "create": "建库",
    "migrate": "迁移",
    "seed": "城市层级",
    "generate": "生成事件",
    "aggregate": "重建汇总",
    "analyze": "ANALYZE",
}


def summary_lines(r: DashboardBenchResult) -> list[str]:
    lines = [
        f"数据：{r.events:,} 件事件，{r.districts} 个区、{r.grids:,} 个网格（{r.vendor}）"
        + ("，沿用已有数据库" if r.reused else ""),
    ]
    if r.setup:
        lines.append(
            "准备用时："
            + "，".join(f"{_STEP_NAMES.get(k, k)} {v:,.1f} 秒" for k, v in r.setup.items())
        )
    if r.sizes:
        lines.append(
            "表："
            + "；".join(
                f"{name} {int(s['rows']):,} 行" + (f" {s['mb']:,.0f} MB" if "mb" in s else "")
                for name, s in r.sizes.items()
            )
        )
    lines.append(
        f"每格 {r.queries} 个随机节点，读汇总；其中 {r.raw_queries} 个同时以事件表上的"
        "普通 GROUP BY 计算并核对"
    )
    head = _pad("", 6) + _pad("周期", 10) + "".join(f"{h:>9}" for h in ("p50", "p95", "p99"))
    head += f"{'对照 p50':>11}{'对照 p95':>11}{'倍数':>8}"
    lines.append("看板数字（上报、立案、办结率、按期办结率、超期、返工率、三率…）：")
    lines.append(head)
    for c in r.cells:
        lines.append(
            _row(c, c.figures, c.figures_raw, c.figures_ratio)
            + "  "
            + _mark(c.figures_passed(r.target_p95_ms, r.target_ratio))
            + (f"（{c.figures_mismatches} 次结果不一致）" if c.figures_mismatches else "")
        )
    lines.append("整页看板（数字、逐日走势、各项分类、下级排名）：")
    lines.append(f"{head}{'事件/次':>10}")
    for c in r.cells:
        lines.append(
            _row(c, c.aggregate, c.raw, c.ratio)
            + f"{c.events:>11,.0f}  "
            + _mark(c.page_passed(r.target_p95_ms, r.target_ratio))
            + (f"（{c.mismatches} 次结果不一致）" if c.mismatches else "")
        )
    lines.append("（毫秒；对照为事件表上的普通 GROUP BY，倍数为对照 p50 ÷ 汇总 p50）")
    lines.append(
        f"目标：每格 p95 < {r.target_p95_ms:.0f} ms，区、街道快 {r.target_ratio:.0f} 倍以上"
        f"（数字与整页），结果一致 {_mark(r.passed)}"
    )
    return lines


def _row(c: Cell, aggregate: Latency, raw: Latency | None, ratio: float) -> str:
    raw50 = f"{raw.p50_ms:>12,.1f}" if raw and raw.count else f"{'—':>12}"
    raw95 = f"{raw.p95_ms:>12,.1f}" if raw and raw.count else f"{'—':>12}"
    times = f"{aggregate.p50_ms:>9.2f}{aggregate.p95_ms:>9.2f}{aggregate.p99_ms:>9.2f}"
    return (
        _pad(LEVELS[c.level][1], 6)
        + _pad(PERIODS[c.period][1], 10)
        + times
        + raw50
        + raw95
        + (f"{ratio:>9,.0f}×" if ratio else f"{'—':>10}")
    )


def cells_by_key(r: DashboardBenchResult) -> dict[tuple[str, str], Cell]:
    return {(c.level, c.period): c for c in r.cells}
