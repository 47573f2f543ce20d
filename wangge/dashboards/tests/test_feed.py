"""The change feed: the aggregates follow the timeline steps in batches, after the request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from wangge.dashboards import aggregates, feed, queries
from wangge.dashboards.models import EventFact, FeedCursor, Tally
from wangge.dashboards.periods import Period
from wangge.events import actions
from wangge.events.models import Event, EventStep
from wangge.testing import GRID_A, POINT_A, World


def today() -> Period:
    day = timezone.localdate()
    return Period("custom", day, day)


def report(n: int, **kwargs: Any) -> list[Event]:
    return [
        actions.do_report_event(
            actor=None,
            category="0601",
            description=f"井盖 {i}",
            lng=POINT_A[0],
            lat=POINT_A[1],
            **kwargs,
        ).event
        for i in range(n)
    ]


def snapshot() -> list[Any]:
    return sorted(Tally.objects.values_list("node", "dim", "item", "day", "reported", "registered"))


def test_the_request_does_not_touch_the_aggregates_the_feed_does(ew: World) -> None:
    events = report(3)
    assert not EventFact.objects.exists() and not Tally.objects.exists()
    assert feed.backlog() == 3
    result = feed.catch_up()
    assert (result.steps, result.events, result.batches) == (3, 3, 1)
    assert EventFact.objects.count() == 3 and feed.backlog() == 0
    assert queries.dashboard_data(GRID_A, today(), fresh=False).totals["reported"] == 3
    # Later steps of the same events: only their changes are applied.
    actions.do_register_event(events[0], actor=None)
    assert queries.dashboard_data(GRID_A, today(), fresh=False).totals["registered"] == 0
    assert feed.catch_up().steps == 1
    assert queries.dashboard_data(GRID_A, today(), fresh=False).totals["registered"] == 1
    # Nothing new: nothing read, nothing written.
    assert feed.catch_up().steps == 0


def test_a_read_of_the_dashboards_catches_up_first(ew: World) -> None:
    report(2)
    assert queries.dashboard_data("440704", today()).totals["reported"] == 2
    assert feed.backlog() == 0


def test_a_read_catches_up_only_when_the_feed_is_behind(
    ew: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the feed is behind is asked in the read's own statement: a fresh read does not
    run the feed; a step above the cursor, or a gap waiting, makes it catch up and read again."""
    calls: list[int] = []
    real = feed.catch_up

    def counted(**kwargs: Any) -> feed.FeedResult:
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(feed, "catch_up", counted)
    events = report(1)
    assert queries.dashboard_data(GRID_A, today()).totals["reported"] == 1
    assert len(calls) == 1
    for node in (GRID_A, "440704", ""):
        assert queries.dashboard_data(node, today()).totals["reported"] == 1
    assert len(calls) == 1  # fresh: no feed run
    actions.do_register_event(events[0], actor=None)
    assert queries.dashboard_data(GRID_A, today()).totals["registered"] == 1
    assert len(calls) == 2
    # A gap (a step committed out of order) is waited for: the read looks again.
    FeedCursor.objects.filter(name=feed.FEED).update(gaps={"999999": time.time()})
    queries.dashboard_data(GRID_A, today())
    assert len(calls) == 3
    # fresh=False never asks.
    report(1)
    assert queries.dashboard_data(GRID_A, today(), fresh=False).totals["reported"] == 1
    assert len(calls) == 3


def test_batches_and_limits(ew: World) -> None:
    report(7)
    result = feed.catch_up(batch=3, limit=5)
    assert (result.steps, result.batches) == (5, 2)
    assert feed.backlog() == 2
    assert feed.catch_up(batch=3).steps == 2
    rebuilt = snapshot()
    aggregates.reconcile()
    assert snapshot() == rebuilt


def test_a_step_committed_after_a_higher_one_is_not_lost(ew: World) -> None:
    """Ids are handed out at insert, commits come in their own order: a missing id below the
    highest one read is a gap, read again on every pass until it shows up or expires."""
    first, second = report(2)
    feed.catch_up()
    actions.do_register_event(first, actor=None)
    actions.do_register_event(second, actor=None)
    late, early = EventStep.objects.order_by("-pk")[:2]
    # As if ``early``'s transaction had not committed yet when the feed ran: hide it.
    hidden = EventStep.objects.filter(pk=early.pk)
    saved = list(hidden.values())
    hidden.delete()
    feed.catch_up()
    cursor = FeedCursor.objects.get()
    assert cursor.high == late.pk and list(cursor.gaps) == [str(early.pk)]
    assert queries.dashboard_data(GRID_A, today(), fresh=False).totals["registered"] == 1
    EventStep.objects.create(**saved[0])  # the commit
    assert feed.catch_up().steps == 1
    assert FeedCursor.objects.get().gaps == {}
    assert queries.dashboard_data(GRID_A, today(), fresh=False).totals["registered"] == 2


def test_a_gap_that_never_fills_is_forgotten(ew: World) -> None:
    report(1)
    feed.catch_up()
    high = FeedCursor.objects.get().high
    expired, waiting = str(high + 1000), str(high + 1001)  # ids no step has
    FeedCursor.objects.update(
        gaps={expired: time.time() - feed.GAP_SECONDS - 1, waiting: time.time()}
    )
    feed.catch_up()
    # The expired one is dropped; the other is still waited for.
    assert set(FeedCursor.objects.get().gaps) == {waiting}


def test_a_fresh_cursor_starts_at_the_first_step_without_gaps(ew: World) -> None:
    report(1)
    # Step ids need not start at 1 (PostgreSQL sequences never go back): no gaps below.
    FeedCursor.objects.update(high=0, gaps={})
    feed.catch_up()
    assert FeedCursor.objects.get().gaps == {}


def test_skip_to_latest_and_a_missing_cursor(ew: World) -> None:
    report(2)
    feed.skip_to_latest()
    assert feed.backlog() == 0 and not EventFact.objects.exists()
    # Without its row (a flushed database) the feed starts from the first step again.
    FeedCursor.objects.all().delete()
    assert feed.catch_up().steps == 2
    assert EventFact.objects.count() == 2


def test_the_scheduler_runs_the_feed(ew: World) -> None:
    report(2)
    out = StringIO()
    call_command("scheduler", "--once", "--only", "dashboards-feed", stdout=out)
    assert "dashboards-feed" in out.getvalue()
    assert EventFact.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_reader_does_not_wait_for_a_busy_feed(ew: World) -> None:
    FeedCursor.objects.get_or_create(name=feed.FEED)  # as the migration leaves it (committed)
    report(1)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                assert feed._cursor(wait=True) is not None
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        result = feed.catch_up(wait=False)
        assert result.busy and result.steps == 0
        # The dashboards still answer (with what was applied before).
        assert queries.dashboard_data("440704", today()).totals["reported"] == 0
    finally:
        release.set()
        thread.join()
    assert feed.catch_up().steps == 1


def test_old_steps_of_a_rebuilt_period(ew: World, steps: Callable[..., Any]) -> None:
    """The feed re-reading steps a reconcile already covered changes nothing."""
    report(2, now=timezone.now() - timedelta(days=3))
    aggregates.reconcile()
    rebuilt = snapshot()
    feed.catch_up()
    assert snapshot() == rebuilt


def test_a_deleted_event_leaves_the_aggregates_when_the_delete_commits(
    ew: World, django_capture_on_commit_callbacks: Any
) -> None:
    events = report(3)
    feed.catch_up()
    assert queries.figures_data(GRID_A, today())["reported"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        Event.objects.filter(pk__in=[events[0].pk, events[1].pk]).delete()
    assert queries.figures_data(GRID_A, today(), fresh=False)["reported"] == 1
    assert queries.dashboard_data("440704", today(), fresh=False).totals["reported"] == 1
    assert sorted(EventFact.objects.values_list("event_id", flat=True)) == [events[2].pk]
    # A delete rolled back changes nothing, and its ids do no harm later.
    with transaction.atomic():
        events[2].delete()
        transaction.set_rollback(True)
    with django_capture_on_commit_callbacks(execute=True):
        report(1)
        Event.objects.filter(pk=-1).delete()  # nothing: no signal
    from wangge.dashboards.receivers import apply_deleted

    assert apply_deleted() == 1  # the rolled-back id: applied, changes nothing
    feed.catch_up()
    assert queries.figures_data(GRID_A, today())["reported"] == 2


def test_the_figures_statement_is_kept_prepared_and_still_reads_fresh(ew: World) -> None:
    """PostgreSQL keeps the figures' statement prepared after a few runs; each run still
    sees what was reported just before it (the feed check is part of the statement)."""
    from django.test.utils import CaptureQueriesContext

    for n in range(1, 9):
        report(1)
        assert queries.figures_data(GRID_A, today())["reported"] == n
    with CaptureQueriesContext(connection) as captured:  # through Django's wrappers
        assert queries.figures_data(GRID_A, today())["reported"] == 8
    assert len(captured.captured_queries) == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any('FROM "dashboards_tally"' in sql for sql in prepared), prepared


def test_a_districts_page_is_read_without_parallel_workers_or_jit(ew: World) -> None:
    """A year of a district's tally rows can be estimated above ``jit_above_cost``:
    compiling the statement then took two thirds of its time (PostgreSQL)."""
    from django.test.utils import CaptureQueriesContext

    report(1)
    feed.catch_up()
    with CaptureQueriesContext(connection) as captured:
        assert queries.dashboard_data("440704", today()).totals["reported"] == 1
    settings = [q["sql"] for q in captured.captured_queries if "set_config" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(settings) == 1 and "'jit', 'off', true" in settings[0]
        assert "'max_parallel_workers_per_gather', '0', true" in settings[0]
    else:
        assert settings == []
