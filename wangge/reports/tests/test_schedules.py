"""Schedules: each due report exactly once, whatever the number of runs; scope; the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from wangge.reports import actions, periods
from wangge.reports.actions import run_schedules
from wangge.reports.models import Report, ReportSchedule

from .conftest import ok

URL = "/api/v1/reports/schedules"


def _schedule(world, username="street", node="440704001", kind="day", formats=("xlsx", "pdf")):
    return actions.do_create_schedule(
        actor=world[username], node=node, kind=kind, formats=list(formats)
    )


def test_a_schedule_makes_each_due_report_exactly_once(world, run_queued):
    schedule = _schedule(world)
    day = date(2026, 3, 10)
    first = run_schedules(today=day)
    again = run_schedules(today=day)
    assert first.created == 2 and again.created == 0
    made = Report.objects.filter(schedule=schedule)
    assert sorted(made.values_list("period_start", "format")) == [
        (date(2026, 3, 9), "pdf"),
        (date(2026, 3, 9), "xlsx"),
    ]
    assert all(r.requested_by_id is None and r.node == "440704001" for r in made)
    # Three days later: the two missed days and yesterday, once each.
    run_schedules(today=day + timedelta(days=3))
    run_schedules(today=day + timedelta(days=3))
    starts = sorted({r.period_start for r in made.all()})
    assert starts == [date(2026, 3, d) for d in (9, 10, 11, 12)]
    assert made.all().count() == 8
    schedule.refresh_from_db()
    assert schedule.last_run_period == date(2026, 3, 12)
    assert run_queued() == 8
    assert set(made.all().values_list("state", flat=True)) == {"done"}


def test_a_second_worker_racing_the_first_creates_nothing(world):
    schedule = _schedule(world, kind="week", formats=["xlsx"])
    start = periods.last_completed("week", date(2026, 3, 11))
    assert start == date(2026, 3, 2)
    assert actions._create_scheduled(schedule, start, "xlsx") is True
    # The other worker had read the schedule before the first one updated it.
    assert actions._create_scheduled(schedule, start, "xlsx") is False
    run_schedules(today=date(2026, 3, 11))
    assert Report.objects.filter(schedule=schedule).count() == 1


def test_periods_of_each_kind():
    assert periods.due_periods("month", None, date(2026, 3, 1)) == [date(2026, 2, 1)]
    assert periods.due_periods("month", date(2025, 12, 1), date(2026, 3, 31)) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert periods.due_periods("week", date(2026, 3, 2), date(2026, 3, 16)) == [date(2026, 3, 9)]
    assert periods.due_periods("week", date(2026, 3, 9), date(2026, 3, 15)) == []
    assert periods.period_end("month", date(2024, 2, 1)) == date(2024, 2, 29)
    many = periods.due_periods("day", date(2026, 1, 1), date(2026, 3, 1))
    assert len(many) == periods.MAX_BACKFILL and many[-1] == date(2026, 2, 28)


def test_the_command_runs_a_pass(world, capsys):
    _schedule(world, kind="month", formats=["xlsx"])
    call_command("reports_worker", "--once")
    call_command("reports_worker", "--once")
    assert Report.objects.count() == 1
    assert "reports created 1" in capsys.readouterr().out


def test_a_schedule_whose_creator_lost_the_node_is_stopped(world):
    from wangge.accounts.models import Assignment
    from wangge.accounts.scope import forget_scope

    schedule = _schedule(world, kind="day", formats=["xlsx"])
    Assignment.objects.filter(user=world["street"]).update(is_active=False)
    forget_scope(world["street"])
    result = run_schedules(today=date(2026, 3, 10))
    assert result.deactivated == 1 and result.created == 0
    schedule.refresh_from_db()
    assert not schedule.is_active


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"node": "440704002", "kind": "day", "formats": ["xlsx"]}, {"node"}),
        ({"node": "440704001", "kind": "hour", "formats": ["xlsx"]}, {"kind"}),
        ({"node": "440704001", "kind": "day", "formats": []}, {"formats"}),
        ({"node": "440704001", "kind": "day", "formats": ["doc"]}, {"formats"}),
        ({}, {"node", "kind", "formats"}),
    ],
)
def test_bad_schedules_are_refused_field_by_field(world, api, payload, fields):
    response = api("street").post(URL, payload, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == fields
    assert not ReportSchedule.objects.exists()


def test_schedules_through_the_api_are_scoped(world, api):
    created = ok(
        api("street").post(
            URL,
            {"node": "440704001", "kind": "week", "formats": ["pdf", "xlsx", "pdf"]},
            content_type="application/json",
        ),
        201,
    )
    assert created["formats"] == ["pdf", "xlsx"] and created["is_active"]
    twice = api("street").post(
        URL,
        {"node": "440704001", "kind": "week", "formats": ["xlsx"]},
        content_type="application/json",
    )
    assert twice.status_code == 422 and "kind" in twice.json()["fields"]
    assert [s["id"] for s in ok(api("street").get(URL))] == [created["id"]]
    assert ok(api("street_b").get(URL)) == []
    assert ok(api("district").get(URL))[0]["id"] == created["id"]
    stop = f"{URL}/{created['id']}/deactivate"
    assert api("street_b").post(stop).status_code == 404
    assert api("dept").post(URL, {}, content_type="application/json").status_code == 403
    stopped = ok(api("district").post(stop))
    assert stopped["is_active"] is False
    assert run_schedules(today=date(2026, 3, 10)).created == 0


def test_housekeeping_fails_interrupted_reports_and_deletes_old_ones(world, run_queued, settings):
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from wangge.web.schedule import jobs_named

    _schedule(world, formats=["xlsx"])
    run_schedules(today=date(2026, 3, 10))
    run_schedules(today=date(2026, 3, 13))  # four days in all
    assert run_queued() == 4
    old, recent, kept, young = Report.objects.order_by("pk")
    assert all(r.state == "done" and r.file for r in (old, recent, kept, young))
    now = timezone.now()
    Report.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=401))
    Report.objects.filter(pk=kept.pk).update(created_at=now - timedelta(days=399))
    Report.objects.filter(pk=recent.pk).update(
        state="running", started_at=now - timedelta(minutes=31)
    )
    Report.objects.filter(pk=young.pk).update(
        state="running", started_at=now - timedelta(minutes=29)
    )
    assert default_storage.exists(old.file.name)
    (job,) = jobs_named(["reports-housekeeping"])
    assert job.call() == {"interrupted": 1, "deleted": 1}
    assert not Report.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(kept.file.name)
    recent.refresh_from_db()
    young.refresh_from_db()
    assert recent.state == "failed" and recent.error == "生成中断（处理进程已退出），可重试"
    assert actions.can_retry(recent)
    assert young.state == "running"  # still within its time
    assert actions.housekeeping() == {"interrupted": 0, "deleted": 0}
    # A shorter keeping time is a setting; a running report is never deleted.
    settings.WANGGE_REPORT_KEEP_DAYS = 1
    Report.objects.update(created_at=now - timedelta(days=2))
    assert actions.housekeeping() == {"interrupted": 0, "deleted": 2}
    assert list(Report.objects.values_list("pk", flat=True)) == [young.pk]


def test_the_audit_log_names_a_schedule_in_chinese_whatever_the_users_language(world):
    from django.utils import translation

    from wangge.audit.models import AuditEntry

    with translation.override("en"):
        schedule = _schedule(world, kind="month")
        assert str(schedule).endswith("Monthly")
    entry = AuditEntry.objects.filter(object_id=str(schedule.pk)).latest("pk")
    assert entry.object_repr.endswith("月报"), entry.object_repr
