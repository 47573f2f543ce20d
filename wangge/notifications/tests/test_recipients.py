"""Who is told about which step of an event, and that a repeated signal stores nothing new."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wangge.events import actions as ev
from wangge.events.models import EventStep
from wangge.events.notifications import event_changed, notify
from wangge.notifications.models import Notification


def told(event, kind=None):
    qs = Notification.objects.filter(event=event)
    if kind:
        qs = qs.filter(kind=kind)
    return sorted(qs.values_list("recipient__username", flat=True))


def test_report_and_register_tell_nobody(registered):
    event = registered()
    assert told(event) == []


def test_dispatch_notifies_the_department_handler_only(ew, dispatched):
    event = dispatched("cg")
    assert told(event) == ["dept"]
    n = Notification.objects.get(event=event)
    assert n.kind == "dispatched" and n.read_at is None
    assert event.number in n.body and n.link == f"/events/{event.pk}/"
    assert n.step.action == "dispatch"


def test_the_texts_stay_chinese_when_the_step_is_taken_in_english(ew, dispatched, api):
    from django.utils import translation

    with translation.override("en"):  # a dispatcher reading English pages
        event = dispatched("cg")
    n = Notification.objects.get(event=event)
    assert n.title.startswith("新派遣事件：") and "类别：" in n.body
    # The recipient reading English sees the kind in English, the stored texts as they are.
    client = api("dept")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    (item,) = client.get("/api/v1/notifications").json()["items"]
    assert item["kind_label"] == "New event dispatched" and item["title"] == n.title


def test_dispatch_to_another_department(ew, dispatched):
    event = dispatched("sz")
    assert told(event) == ["dept_sz"]


def test_inactive_assignment_is_not_told(ew, dispatched):
    ew["dept"].assignments.update(is_active=False)
    event = dispatched("cg")
    assert told(event) == []


def test_summon_notifies_each_summoned_department(ew, run, registered):
    event = registered()
    run(
        ev.do_summon_event,
        event,
        actor=ew["street"],
        departments=["sz", "zj", "xf"],
        note="多部门联合整治",
    )
    assert told(event, "summoned") == ["dept_sz", "dept_xf", "dept_zj"]
    assert told(event) == ["dept_sz", "dept_xf", "dept_zj"]


def test_send_back_notifies_the_command_centre(ew, run, dispatched):
    event = dispatched("cg")
    run(ev.do_send_back_event, event, actor=ew["dept"], reason="不属于本部门职责")
    # The street's centre (the nearest node containing the event), not the district's.
    assert told(event, "sent_back") == ["street"]


def test_escalate_notifies_the_upper_level(ew, run, dispatched):
    event = dispatched("cg")
    run(ev.do_escalate_event, event, actor=ew["street"], reason="涉及多个街道")
    assert told(event, "escalated") == ["district"]


def test_supervise_notifies_department_and_centre_but_not_the_actor(ew, run, dispatched):
    event = dispatched("cg")
    run(ev.do_supervise_event, event, actor=ew["district"], note="请加快处置")
    assert told(event, "supervised") == ["dept", "street"]
    run(ev.do_supervise_event, event, actor=ew["street"], note="再次督办")
    step = EventStep.objects.filter(event=event, action="supervise").last()
    assert sorted(
        Notification.objects.filter(step=step).values_list("recipient__username", flat=True)
    ) == ["dept"]


def test_overdue_notifies_department_and_centre(ew, run, dispatched):
    event = dispatched("cg")
    later = timezone.now() + timedelta(days=30)
    run(ev.mark_overdue, later)
    assert told(event, "overdue") == ["dept", "street"]


def test_the_same_signal_twice_creates_nothing_new(ew, run, dispatched):
    event = dispatched("cg")
    step = EventStep.objects.get(event=event, action="dispatch")
    before = Notification.objects.count()
    run(notify, event.pk, "dispatch", step.pk)
    run(
        event_changed.send,
        sender=type(event),
        event_id=event.pk,
        action="dispatch",
        step_id=step.pk,
    )
    assert Notification.objects.count() == before == 1


def test_closing_notifies_the_reporter_and_the_department(ew, run, dispatched):
    event = dispatched("cg", reporter="resident")
    run(ev.do_accept_event, event, actor=ew["dept"])
    run(ev.do_feedback_event, event, actor=ew["dept"], note="已更换井盖")
    run(ev.do_verify_event, event, actor=ew["worker_a"], passed=False, note="仍有松动")
    assert told(event, "rework") == ["dept"]
    run(ev.do_feedback_event, event, actor=ew["dept"], note="已加固")
    run(ev.do_verify_event, event, actor=ew["worker_a"], passed=True)
    assert told(event, "verified") == ["dept"]
    assert told(event, "closed") == ["resident"]


def test_seed_demo_fills_in_and_is_idempotent(ew, dispatched):
    from wangge.notifications.demo import seed_demo
    from wangge.notifications.models import Webhook

    event = dispatched("cg")
    Notification.objects.all().delete()
    first = seed_demo("440704")
    assert told(event) == ["dept"] and "1 new" in first
    assert Webhook.objects.filter(is_active=False).count() == 1
    second = seed_demo("440704")
    assert "0 new" in second and Notification.objects.count() == 1
    assert Webhook.objects.count() == 1


def test_recipients_are_computed_set_wise(ew, run, dispatched, django_assert_num_queries):
    from wangge.events.models import Event
    from wangge.notifications.actions import _plan

    event = dispatched("cg")
    run(ev.do_supervise_event, event, actor=ew["district"], note="请加快处置")
    event = Event.objects.select_related("category").get(pk=event.pk)
    step = EventStep.objects.get(event=event, action="supervise")
    with django_assert_num_queries(2):  # the department's handlers, the centre
        plan = _plan(event, step)
    assert [kind for kind, _ in plan] == ["supervised"]


def test_the_quick_exit_list_covers_every_action_that_notifies() -> None:
    """``NOTIFYING_ACTIONS`` lets a new report skip the work; it must not skip any real case."""
    from types import SimpleNamespace

    from wangge.events.choices import EventAction
    from wangge.notifications import actions

    for action in EventAction.values:
        if action in actions.NOTIFYING_ACTIONS:
            continue
        event = SimpleNamespace(reporter_id=1, handler_code="440704")
        step = SimpleNamespace(action=action, data={"passed": True})
        assert actions._plan(event, step) == [], action  # type: ignore[arg-type]
