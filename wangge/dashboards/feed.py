"""The dashboards' change feed: the aggregates follow the events' timeline steps, in batches.

Every change of an event writes a timeline step (``events.EventStep``) in the same
transaction.  Instead of updating the aggregates in the request that made the
change, ``catch_up`` reads the steps written since it last ran, in id order, and
brings the facts and tallies of their events in line with the events as they are
now (``aggregates.apply_events``: one locked read of the facts, one read of the
events, one upsert of all the tally differences per batch).  A report costs the
request nothing more than its step; a batch of a thousand steps costs about as
much as a handful of single updates did.

Who calls it:

* ``wangge scheduler`` every ``FEED_INTERVAL`` seconds (the dashboards are that
  far behind at most while nobody looks at them);
* every read of the aggregates (``queries.dashboard_data``), bounded by
  ``READ_LIMIT`` steps, so what a user sees includes everything committed before
  the page was asked for. On PostgreSQL a reader that finds the feed busy (another
  process holds its row) reads without waiting.

**Out-of-order commits.** Step ids are handed out when a row is inserted, but
transactions commit in their own order: a step with a lower id may become
visible after a higher one was read.  The feed keeps ``high`` (the highest step
id read) and the ids below it that it has not seen yet (``gaps``, with the time
they were first missed).  Each pass reads ``id > high`` and the gap ids; a gap
that turns up is applied and forgotten, one that stays missing for
``GAP_SECONDS`` is dropped (a rolled-back insert: its id never commits).  Applying
an event is idempotent, so reading a step twice does no harm, and the nightly
``reconcile`` rebuilds everything from the events table anyway.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q

from wangge.dashboards.aggregates import apply_events
from wangge.dashboards.models import FeedCursor
from wangge.events.models import EventStep

FEED = "events"
#: Steps read and applied per transaction.
BATCH = 2000
#: At most this many steps per read of the dashboards (the scheduler takes the rest).
READ_LIMIT = 20_000
#: Seconds a missing step id is waited for before it is taken for a rolled-back insert.
GAP_SECONDS = 300.0
#: Gaps remembered at most (the oldest are dropped first); a wider hole is not a gap.
MAX_GAPS = 5000
#: How often ``wangge scheduler`` runs the feed.
FEED_INTERVAL = 2.0


@dataclass
class FeedResult:
    steps: int = 0
    events: int = 0
    batches: int = 0
    busy: bool = False

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "steps": self.steps,
            "events": self.events,
            "batches": self.batches,
            "busy": self.busy,
        }


def _cursor(*, wait: bool) -> FeedCursor | None:
    """The feed's row, locked for the transaction; None when another process holds it."""
    FeedCursor.objects.get_or_create(name=FEED)
    qs = FeedCursor.objects.filter(name=FEED)
    if connection.features.has_select_for_update_skip_locked and not wait:
        qs = qs.select_for_update(skip_locked=True)
    else:
        qs = qs.select_for_update()
    return qs.first()


def _new_gaps(cursor: FeedCursor, seen: list[int], now: float) -> dict[str, float]:
    """The gaps after a batch: the old ones not seen and not expired, plus the ids skipped
    between ``cursor.high`` and the highest id seen."""
    found = set(seen)
    gaps = {
        key: first
        for key, first in (cursor.gaps or {}).items()
        if int(key) not in found and now - float(first) < GAP_SECONDS
    }
    above = sorted(s for s in seen if s > cursor.high)
    # A fresh cursor starts at the first step there is: ids below it are no gaps.
    previous = cursor.high or (above[0] - 1 if above else 0)
    for step_id in above:
        if 1 < step_id - previous <= MAX_GAPS:
            for missing in range(previous + 1, step_id):
                gaps[str(missing)] = now
        previous = step_id
    if len(gaps) > MAX_GAPS:
        keep = sorted(gaps, key=lambda k: (gaps[k], int(k)))[-MAX_GAPS:]
        gaps = {k: gaps[k] for k in keep}
    return gaps


def _pass(*, batch: int, wait: bool) -> tuple[int, int] | None:
    """One batch in one transaction: (steps, events) read; None when the feed is busy."""
    with transaction.atomic():
        cursor = _cursor(wait=wait)
        if cursor is None:
            return None
        gap_ids = [int(k) for k in (cursor.gaps or {})]
        wanted = Q(pk__gt=cursor.high)
        if gap_ids:
            wanted |= Q(pk__in=gap_ids)
        rows = list(
            EventStep.objects.filter(wanted).order_by("pk").values_list("pk", "event_id")[:batch]
        )
        now = time.time()
        if not rows:
            gaps = _new_gaps(cursor, [], now)
            if gaps != (cursor.gaps or {}):
                FeedCursor.objects.filter(name=FEED).update(gaps=gaps)
            return 0, 0
        event_ids = sorted({event_id for _, event_id in rows})
        apply_events(event_ids)
        seen = [step_id for step_id, _ in rows]
        FeedCursor.objects.filter(name=FEED).update(
            high=max(cursor.high, max(seen)), gaps=_new_gaps(cursor, seen, now)
        )
        return len(rows), len(event_ids)


def catch_up(*, limit: int | None = None, batch: int = BATCH, wait: bool = True) -> FeedResult:
    """Apply the steps written since the last pass, ``batch`` per transaction, until none
    are left or ``limit`` steps were read.  ``wait=False``: give up at once when another
    process is running the feed (PostgreSQL; SQLite serialises writers anyway)."""
    result = FeedResult()
    while limit is None or result.steps < limit:
        size = batch if limit is None else max(1, min(batch, limit - result.steps))
        done = _pass(batch=size, wait=wait)
        if done is None:
            result.busy = True
            break
        steps, events = done
        if steps:
            result.batches += 1
        result.steps += steps
        result.events += events
        if steps < size:
            break
    return result


def backlog() -> int:
    """Steps not yet read by the feed (the gaps left out)."""
    cursor = FeedCursor.objects.filter(name=FEED).first()
    high = cursor.high if cursor is not None else 0
    return EventStep.objects.filter(pk__gt=high).count()


def skip_to_latest() -> int:
    """Mark every step written so far as read, without applying it: only right after a
    full ``reconcile`` with no other writer running (the demo seeder, the benches)."""
    latest = EventStep.objects.aggregate(high=Max("pk"))["high"] or 0
    FeedCursor.objects.update_or_create(name=FEED, defaults={"high": latest, "gaps": {}})
    return int(latest)


def run_feed(**kwargs: Any) -> dict[str, int | bool]:
    """The scheduler's job."""
    return catch_up(**kwargs).as_dict()


def behind_sql(qn: Any) -> tuple[str, list[Any]]:
    """A SQL expression that is 1 when the feed has steps to read (a step above its
    position, a gap waiting, or no position yet), else 0: checked in the same statement
    as a dashboard read, so a read of fresh aggregates costs no extra round trip."""
    step = qn(EventStep._meta.db_table)
    cursor = qn(FeedCursor._meta.db_table)
    pk, name, high, gaps = qn("id"), qn("name"), qn("high"), qn("gaps")
    sql = (
        f"CASE WHEN COALESCE((SELECT MAX({pk}) FROM {step}), 0) > "  # noqa: S608 - quoted names
        f"COALESCE((SELECT {high} FROM {cursor} WHERE {name} = %s), -1) "
        f"OR EXISTS (SELECT 1 FROM {cursor} WHERE {name} = %s AND CAST({gaps} AS text) <> '{{}}') "
        "THEN 1 ELSE 0 END"
    )
    return sql, [FEED, FEED]
