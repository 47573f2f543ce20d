"""How the aggregates are kept: batches, the overdue worker, rebuilds, the nightly task."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from wangge.dashboards import aggregates, feed, queries
from wangge.dashboards.demo import seed_demo
from wangge.dashboards.models import EventFact, Tally
from wangge.dashboards.periods import Period
from wangge.dashboards.tasks import reconcile_dashboards_task
from wangge.events import actions
from wangge.events.models import Event
from wangge.testing import GRID_A, POINT_A, POINT_B, POINT_OTHER, World

from .conftest import Story


def last(days: int) -> Period:
    today = timezone.localdate()
    return Period("custom", today - timedelta(days=days), today)


@contextmanager
def feed_skipped() -> Iterator[None]:
    """As if the events had been loaded before the dashboards existed."""
    yield
    feed.skip_to_latest()


def rows() -> list[Any]:
    return sorted(Tally.objects.values_list("node", "dim", "item", "day", "reported", "handled"))


def test_a_batch_of_reports_is_counted(ew: World, steps: Callable[..., Any]) -> None:
    reports = [
        actions.ReportInput(
            category="0601",
            description=f"批量 {i}",
            lng=POINT_A[0],
            lat=POINT_A[1],
            request_id=f"r{i}",
        )
        for i in range(5)
    ]
    outcomes = steps(actions.do_report_events, reports, actor=ew["worker_a"])
    assert [o.status for o in outcomes] == ["created"] * 5
    assert EventFact.objects.count() == 5
    assert queries.dashboard_data(GRID_A, last(0)).totals["reported"] == 5
    assert (
        queries.dashboard_data("440704", last(0)).breakdowns["source"]["grid_worker"]["reported"]
        == 5
    )


def test_the_overdue_flag_is_counted(ew: World, steps: Callable[..., Any]) -> None:
    event = steps(
        actions.do_report_event,
        actor=None,
        category="0601",
        description="x",
        lng=POINT_A[0],
        lat=POINT_A[1],
    ).event
    event = steps(actions.do_register_event, event, actor=None)
    event = steps(actions.do_dispatch_event, event, actor=None)
    assert queries.dashboard_data("440704", last(0)).totals["overdue"] == 0
    result = steps(actions.mark_overdue, timezone.now() + timedelta(days=30))
    assert result.flagged == [event.pk]
    for node in ("", "440704", "440704001", "440704001001", GRID_A):
        assert queries.dashboard_data(node, last(0)).totals["overdue"] == 1, node
    before = rows()
    aggregates.reconcile()
    assert rows() == before


def test_rebuild_covers_events_loaded_without_the_signal(
    ew: World, steps: Callable[..., Any]
) -> None:
    with feed_skipped():
        for point, days_ago in ((POINT_A, 0), (POINT_B, 40), (POINT_OTHER, 3)):
            actions.do_report_event(
                actor=None,
                category="0601",
                description="旧数据",
                lng=point[0],
                lat=point[1],
                now=timezone.now() - timedelta(days=days_ago),
            )
    assert not EventFact.objects.exists()
    out = StringIO()
    call_command("rebuild_dashboards", "--district", "440704", stdout=out)
    assert "已重建：2 件事件" in out.getvalue()
    assert queries.dashboard_data("", last(60)).totals["reported"] == 2
    call_command("rebuild_dashboards", "--days", "5", stdout=out)
    assert queries.dashboard_data("", last(60)).totals["reported"] == 3
    Event.objects.filter(region_code__startswith="440703").delete()
    call_command(
        "rebuild_dashboards",
        "--since",
        (timezone.localdate() - timedelta(days=5)).isoformat(),
        "--until",
        timezone.localdate().isoformat(),
        stdout=out,
    )
    assert queries.dashboard_data("", last(60)).totals["reported"] == 2
    assert not EventFact.objects.filter(region_code__startswith="440703").exists()
    # A district whose events are all gone loses its aggregates in a full rebuild too.
    Event.objects.filter(region_code__startswith="440704002").delete()
    call_command("rebuild_dashboards", stdout=out)
    assert queries.dashboard_data("", last(60)).totals["reported"] == 1
    Event.objects.all().delete()
    call_command("rebuild_dashboards", stdout=out)
    assert not Tally.objects.exists() and not EventFact.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--district", "4407"], "不是区的编码"),
        (["--district", "440704001"], "不是区的编码"),
        (["--since", "yesterday"], "不是有效的日期"),
        (["--days", "0"], "正整数"),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "结束日期不能早于开始日期"),
    ],
)
def test_the_command_refuses_bad_options(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("rebuild_dashboards", *args, stdout=StringIO())


def test_the_nightly_reconcile_task(story: Story, settings: Any) -> None:
    before = rows()
    Tally.objects.all().delete()
    EventFact.objects.all().delete()
    result = reconcile_dashboards_task.call(days=60)
    assert result["events"] == 6 and result["chunks"] >= 2
    assert rows() == before
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    out = StringIO()
    call_command("rebuild_dashboards", "--enqueue", "--days", "400", stdout=out)
    assert "已放入任务队列" in out.getvalue()


def test_the_demo_summary(story: Story) -> None:
    assert "统计看板：5 件事件已汇总" in seed_demo("440704")


def test_rebuilding_takes_a_district_code(world: World) -> None:
    with pytest.raises(ValueError, match="district"):
        aggregates.rebuild_aggregates(timezone.localdate(), timezone.localdate(), "440704001")
    with pytest.raises(ValueError, match="before"):
        aggregates.rebuild_aggregates(
            timezone.localdate(), timezone.localdate() - timedelta(days=1), "440704"
        )


def test_month_chunks() -> None:
    from datetime import date

    assert list(aggregates.month_chunks(date(2026, 1, 30), date(2026, 3, 2))) == [
        (date(2026, 1, 30), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 2)),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_count_every_step_once(world: World) -> None:
    """Two workers applying steps of the same events at once (PostgreSQL: row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    from wangge.testing import extend_world_for_events

    extend_world_for_events(world)
    with feed_skipped():
        ids = [
            actions.do_report_event(
                actor=None, category="0601", description=f"并发 {i}", lng=POINT_A[0], lat=POINT_A[1]
            ).event.pk
            for i in range(20)
        ]
        for pk in ids[::2]:
            actions.do_register_event(Event.objects.get(pk=pk), actor=None)
    errors: list[BaseException] = []

    def work(order: list[int]) -> None:
        from django.db import connections

        try:
            for pk in order:
                aggregates.apply_event(pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(o,)) for o in (ids, ids[::-1], ids, ids[::-1])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    incremental = rows()
    aggregates.reconcile()
    assert rows() == incremental
    assert queries.dashboard_data("440704", last(0)).totals["registered"] == 10


def test_the_migration_fills_the_grid_day_tallies_as_the_rebuild_does(
    ew: World, steps: Callable[..., Any]
) -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    fill = importlib.import_module("wangge.dashboards.migrations.0003_grid_day_tallies").fill
    for point in (POINT_A, POINT_A, POINT_B):
        steps(
            actions.do_report_event,
            actor=None,
            category="0601",
            description="网格",
            lng=point[0],
            lat=point[1],
        )
    feed.catch_up()
    kept = sorted(Tally.objects.filter(depth=3).values_list("node", "day", "reported", "handled"))
    assert kept and sum(r[2] for r in kept) == 3
    Tally.objects.filter(depth=3).delete()
    fill(apps, SimpleNamespace(connection=connection))  # what it uses of the schema editor
    filled = Tally.objects.filter(depth=3).values_list("node", "day", "reported", "handled")
    assert sorted(filled) == kept


@pytest.mark.django_db(transaction=True)
def test_a_reconcile_vacuums_the_tables_after_each_district(world: World) -> None:
    """PostgreSQL, outside a transaction (the nightly task, the command): ``VACUUM
    (ANALYZE)`` after each district, so the next one reuses the space the last freed."""
    from django.db import transaction

    from wangge.testing import extend_world_for_events

    extend_world_for_events(world)
    for point in (POINT_A, POINT_OTHER):
        actions.do_report_event(
            actor=None, category="0601", description="井盖", lng=point[0], lat=point[1]
        )
    feed.catch_up()
    before = rows()
    assert len(aggregates.event_districts()) == 2
    result = aggregates.reconcile()
    assert rows() == before
    assert result.vacuumed == (2 if connection.vendor == "postgresql" else 0)
    with transaction.atomic():  # VACUUM cannot run in a transaction: not tried there
        assert aggregates.reconcile().vacuumed == 0
