"""Overdue supervision: the flag, automatic escalation, the task and the command."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from wangge.events.actions import mark_overdue
from wangge.events.models import Event, EventStep
from wangge.events.tasks import mark_overdue_task

from .conftest import act, ok, report


def dispatched(client_for) -> int:
    event_id = ok(report(client_for("worker_a")), 201)["id"]
    ok(act(client_for("street"), event_id, "register"))
    ok(act(client_for("street"), event_id, "dispatch"))
    return event_id


def test_it_flags_an_event_past_its_acceptance_deadline_once(ew, client_for):
    event_id = dispatched(client_for)
    event = Event.objects.get(pk=event_id)
    assert mark_overdue(event.accept_due - timedelta(minutes=1)).flagged == []
    result = mark_overdue(event.accept_due + timedelta(minutes=1))
    assert result.flagged == [event_id]
    event.refresh_from_db()
    assert event.overdue and event.state == "dispatched"
    assert event.version == 3  # a flag, not a transition: the version did not move
    step = EventStep.objects.filter(event=event, action="overdue").get()
    assert step.actor_label == "系统" and step.note == "已超过受理时限"
    assert mark_overdue(event.accept_due + timedelta(minutes=2)).flagged == []
    # The department can still accept (late).
    ok(act(client_for("dept_sz"), event_id, "accept"))
    assert ok(client_for("district").get("/api/v1/events?overdue=true"))["count"] == 1


def test_it_flags_a_late_handling_deadline(ew, client_for):
    event_id = dispatched(client_for)
    ok(act(client_for("dept_sz"), event_id, "accept"))
    event = Event.objects.get(pk=event_id)
    assert mark_overdue(event.handle_due + timedelta(seconds=1)).flagged == [event_id]
    assert EventStep.objects.get(event=event, action="overdue").note == "已超过办理时限"


def test_it_escalates_an_event_overdue_for_long_enough(ew, client_for, settings):
    settings.EVENTS_ESCALATE_OVERDUE_HOURS = 24
    event_id = dispatched(client_for)
    due = Event.objects.get(pk=event_id).accept_due
    flagged_at = due + timedelta(minutes=5)
    assert mark_overdue(flagged_at).escalated == []
    assert mark_overdue(flagged_at + timedelta(hours=23)).escalated == []
    result = mark_overdue(flagged_at + timedelta(hours=24, minutes=1))
    assert result.escalated == [event_id]
    event = Event.objects.get(pk=event_id)
    assert event.level == "district" and event.state == "dispatched"
    step = EventStep.objects.filter(event=event, action="escalate").get()
    assert step.actor is None and "自动提级" in step.note
    # Now the district command centre acts on it; the street still sees it.
    detail = ok(client_for("district").get(f"/api/v1/events/{event_id}"))
    assert detail["level"] == "district"
    assert ok(client_for("street").get(f"/api/v1/events/{event_id}"))["id"] == event_id
    # Nothing above the district: later runs leave it alone.
    assert mark_overdue(flagged_at + timedelta(days=30)).escalated == []


def test_it_does_not_escalate_when_the_rule_is_off(ew, client_for, settings):
    settings.EVENTS_ESCALATE_OVERDUE_HOURS = 0
    event_id = dispatched(client_for)
    due = Event.objects.get(pk=event_id).accept_due
    result = mark_overdue(due + timedelta(days=10))
    assert result.flagged == [event_id] and result.escalated == []


def test_it_runs_as_a_task_on_the_database_backend(transactional_db, ew, client_for):
    # The worker manages its own transactions and connections, as in production.
    event_id = dispatched(client_for)
    Event.objects.filter(pk=event_id).update(accept_due=timezone.now() - timedelta(hours=1))
    result = mark_overdue_task.enqueue()
    assert result.status == TaskResultStatus.READY
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"flagged": 1, "escalated": 0}
    assert Event.objects.get(pk=event_id).overdue


def test_it_runs_once_from_the_command_line(ew, client_for):
    event_id = dispatched(client_for)
    Event.objects.filter(pk=event_id).update(accept_due=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("events_worker", "--once", stdout=out)
    assert out.getvalue().strip() == "flagged 1, escalated 0"
    out = StringIO()
    call_command("events_worker", "--once", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued ")
