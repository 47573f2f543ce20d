"""Conflicting transitions at the same moment: exactly one wins (PostgreSQL only)."""

import threading

import pytest
from django.db import connection, connections

from wangge.accounts.tokens import issue_token
from wangge.events import actions
from wangge.events.models import Event, EventStep
from wangge.testing import POINT_A

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="needs concurrent writers (run with a PostgreSQL database)",
)

THREADS = 20


def run_together(work):
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def dispatched_event(ew):
    event = actions.do_report_event(
        actor=ew["worker_a"],
        category="0601",
        description="井盖松动",
        lng=POINT_A[0],
        lat=POINT_A[1],
    ).event
    actions.do_register_event(event, actor=ew["street"])
    actions.do_dispatch_event(event, actor=ew["street"])
    return Event.objects.get(pk=event.pk)


def test_it_lets_exactly_one_of_twenty_conflicting_requests_win(transactional_db, ew):
    from django.test import Client

    event = dispatched_event(ew)
    steps_before = EventStep.objects.filter(event=event).count()
    keys = [issue_token(ew["dept_sz"])[0] for _ in range(THREADS)]

    def work(i):
        client = Client(headers={"Authorization": f"Bearer {keys[i]}"})
        action, body = ("accept", {}) if i % 2 else ("send-back", {"reason": "非本部门职责"})
        return client.post(
            f"/api/v1/events/{event.pk}/{action}", body, content_type="application/json"
        ).status_code

    codes = run_together(work)
    assert sorted(codes) == [200] + [409] * (THREADS - 1), codes
    event.refresh_from_db()
    assert event.version == 4
    assert event.state in ("handling", "sent_back")
    assert EventStep.objects.filter(event=event).count() == steps_before + 1


def test_it_compares_and_sets_even_when_every_request_read_the_same_version(transactional_db, ew):
    event = dispatched_event(ew)
    steps_before = EventStep.objects.filter(event=event).count()
    stale = [Event.objects.select_related("category").get(pk=event.pk) for _ in range(THREADS)]

    def work(i):
        try:
            actions.do_accept_event(stale[i], actor=ew["dept_sz"])
        except actions.EventConflict:
            return "conflict"
        return "won"

    outcomes = run_together(work)
    assert sorted(outcomes) == ["conflict"] * (THREADS - 1) + ["won"]
    assert EventStep.objects.filter(event=event).count() == steps_before + 1


def test_it_creates_one_event_for_a_request_id_sent_twenty_times_at_once(transactional_db, ew):
    def work(i):
        return actions.do_report_event(
            actor=ew["resident"],
            category="0601",
            description="井盖",
            lng=POINT_A[0],
            lat=POINT_A[1],
            request_id="burst-1",
        )

    results = run_together(work)
    assert len({r.event.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Event.objects.count() == 1


def test_it_completes_a_summoned_event_exactly_once_when_parts_finish_together(
    transactional_db, ew
):
    event = actions.do_report_event(
        actor=ew["worker_a"],
        category="0902",
        description="飞线充电",
        lng=POINT_A[0],
        lat=POINT_A[1],
    ).event
    actions.do_register_event(event, actor=ew["street"])
    actions.do_summon_event(event, actor=ew["street"], departments=["xf", "zj", "sz"], note="吹哨")
    handlers = [ew["dept_xf"], ew["dept_zj"], ew["dept_sz"]]
    for user in handlers:
        actions.do_report_in_event(event, actor=user)
    barrier = threading.Barrier(3)
    errors = []

    def finish(user):
        try:
            barrier.wait()
            actions.do_complete_part_event(event, actor=user, note="完成")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finish, args=(u,)) for u in handlers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    event.refresh_from_db()
    assert event.state == "handled"
    assert (
        EventStep.objects.filter(event=event, action="complete_part", to_state="handled").count()
        == 1
    )
