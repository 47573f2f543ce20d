"""``POST /api/v1/events/batch``: a phone syncs its offline queue in one request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.test import Client

from wangge.audit.models import AuditEntry
from wangge.events.models import Event, EventStep
from wangge.events.tests.conftest import ok, post, report
from wangge.testing import POINT_A, POINT_B, POINT_OUTSIDE, World


def item(point: tuple[float, float] = POINT_A, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "0601",
        "description": "井盖松动，车辆经过时哐哐响",
        "lng": point[0],
        "lat": point[1],
        "request_id": str(uuid.uuid4()),
    }
    body.update(extra)
    return body


def batch(client: Client, reports: list[dict[str, Any]]) -> Any:
    return post(client, "/api/v1/events/batch", {"reports": reports})


def test_a_batch_creates_each_report_once_with_numbers_steps_and_audit(
    ew: World, client_for: Callable[[str], Client]
) -> None:
    worker = client_for("worker_a")
    reports = [item(address=f"东街{n}号") for n in range(5)]
    data = ok(batch(worker, reports))
    assert (data["created"], data["existing"], data["invalid"]) == (5, 0, 0)
    ids = [r["id"] for r in data["results"]]
    events = Event.objects.filter(pk__in=ids).order_by("pk")
    assert [e.address for e in events] == [f"东街{n}号" for n in range(5)]
    numbers = sorted(e.number for e in events)
    assert len(set(numbers)) == 5 and all(len(n) == 19 for n in numbers)
    assert {e.client_request_id for e in events} == {r["request_id"] for r in reports}
    assert EventStep.objects.filter(event__in=ids, action="report").count() == 5
    assert (
        AuditEntry.objects.filter(action="events.report", object_id__in=map(str, ids)).count() == 5
    )
    # The event pages show them like any report.
    detail = ok(worker.get(f"/api/v1/events/{ids[0]}"))
    assert detail["number"] == data["results"][0]["number"]
    assert detail["state"] == "reported"

    # Sent again (the phone never saw the answer): nothing new, the same events.
    again = ok(batch(worker, reports))
    assert (again["created"], again["existing"]) == (0, 5)
    assert [r["id"] for r in again["results"]] == ids
    assert Event.objects.count() == 5


def test_numbers_follow_single_reports_without_gaps(
    ew: World, client_for: Callable[[str], Client]
) -> None:
    worker = client_for("worker_a")
    single = ok(report(worker, request_id=str(uuid.uuid4())), 201)["number"]
    data = ok(batch(worker, [item(), item()]))
    after = ok(report(worker, request_id=str(uuid.uuid4())), 201)["number"]
    numbers = sorted([single, after, *(r["number"] for r in data["results"])])
    serials = [int(n[-5:]) for n in numbers]
    assert serials == list(range(serials[0], serials[0] + 4))


def test_bad_reports_are_refused_one_by_one_and_the_rest_is_stored(
    ew: World, client_for: Callable[[str], Client]
) -> None:
    worker = client_for("worker_a")
    good = item()
    repeat = dict(good)
    reports = [
        good,
        item(category="9999"),
        item(point=POINT_OUTSIDE),
        item(point=POINT_B),  # grid B: not the worker's grid
        item(request_id=None),
        item(description="   "),
        repeat,  # the same report twice in one batch
    ]
    data = ok(batch(worker, reports))
    assert (data["created"], data["existing"], data["invalid"]) == (1, 1, 5)
    results = data["results"]
    assert [r["status"] for r in results] == [
        "created",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "existing",
    ]
    assert results[1]["fields"] == {"category": ["未知的事件类型"]}
    assert "lng" in results[2]["fields"] and "lng" in results[3]["fields"]
    assert results[2]["fields"]["lng"] == results[3]["fields"]["lng"]  # outside = not yours
    assert "request_id" in results[4]["fields"]
    assert results[5]["fields"] == {"description": ["请描述问题"]}
    assert results[6]["id"] == results[0]["id"]
    assert Event.objects.count() == 1


def test_batch_limits_and_validation(ew: World, client_for: Callable[[str], Client]) -> None:
    worker = client_for("worker_a")
    assert batch(worker, []).status_code == 422
    assert batch(worker, [item() for _ in range(201)]).status_code == 422
    bad = batch(worker, [{"category": "0601"}])
    assert bad.status_code == 422
    assert "reports.0.description" in bad.json()["fields"]
    assert Event.objects.count() == 0


def test_a_batch_needs_a_reporter(ew: World) -> None:
    anonymous = Client()
    assert post(anonymous, "/api/v1/events/batch", {"reports": [item()]}).status_code == 401
    assert Event.objects.count() == 0


def test_single_and_batch_share_request_ids(ew: World, client_for: Callable[[str], Client]) -> None:
    worker = client_for("worker_a")
    first = item()
    created = ok(report(worker, **{k: v for k, v in first.items() if k != "category"}), 201)
    data = ok(batch(worker, [first]))
    assert data["results"][0]["status"] == "existing"
    assert data["results"][0]["id"] == created["id"]
    # Another reporter's request ids are their own.
    other = ok(
        batch(
            client_for("worker_a2"), [item(point=(113.07, 22.05), request_id=first["request_id"])]
        )
    )
    assert other["created"] == 1


def test_reporter_contacts_are_encrypted_at_rest(
    ew: World, client_for: Callable[[str], Client]
) -> None:
    from django.db import connection

    worker = client_for("worker_a")
    single = ok(report(worker, reporter_contact="13912345678"), 201)
    many = ok(batch(worker, [item(reporter_contact="13787654321")]))
    ids = [single["id"], many["results"][0]["id"]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_contact FROM events_event WHERE id IN (%s, %s)", ids)
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2
    assert all(value.startswith("v1:") for value in stored)
    assert not any("1391234" in value or "1378765" in value for value in stored)
    # Python reads the clear value; the API shows it masked.
    assert sorted(Event.objects.filter(pk__in=ids).values_list("reporter_contact", flat=True)) == [
        "13787654321",
        "13912345678",
    ]
    assert ok(worker.get(f"/api/v1/events/{ids[0]}"))["reporter_contact"] == "139****5678"
