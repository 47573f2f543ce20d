"""Reporting: validation with field-level errors, nothing stored on refusal, idempotency."""

import pytest

from wangge.audit.models import AuditEntry
from wangge.events.models import Event, EventStep
from wangge.testing import GRID_A, POINT_B, POINT_OUTSIDE

from .conftest import act, ok, report


def nothing_stored() -> bool:
    return (
        not Event.objects.exists()
        and not EventStep.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="events.").exists()
    )


def test_it_refuses_an_unknown_category(ew, client_for):
    response = report(client_for("worker_a"), category="9999")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["fields"] == {"category": ["未知的事件类型"]}
    # A top-level code is not enough either.
    assert report(client_for("worker_a"), category="06").json()["fields"] == {
        "category": ["未知的事件类型"]
    }
    assert nothing_stored()


def test_it_refuses_a_point_outside_every_grid(ew, client_for):
    response = report(client_for("worker_a"), point=POINT_OUTSIDE)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"lng", "lat"}
    assert nothing_stored()


def test_it_refuses_a_point_outside_the_reporters_area_alike(ew, client_for):
    outside = report(client_for("worker_a"), point=POINT_OUTSIDE).json()
    elsewhere = report(client_for("worker_a"), point=POINT_B).json()
    assert outside == elsewhere
    # The other district's command centre cannot report in this district either.
    assert report(client_for("other_district")).status_code == 422
    assert nothing_stored()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"lng": 200}, "lng"),
        ({"lat": "north"}, "lat"),
        ({"source": "rumour"}, "source"),
        ({"title": "x" * 101}, "title"),
        ({"reporter_contact": "1" * 65}, "reporter_contact"),
    ],
)
def test_it_reports_bad_fields_by_name(ew, client_for, body, field):
    response = report(client_for("worker_a"), **body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert nothing_stored()


def test_it_keeps_residents_to_their_own_source(ew, client_for):
    response = report(client_for("resident"), source="hotline")
    assert response.status_code == 422 and "source" in response.json()["fields"]
    assert ok(report(client_for("street"), source="hotline"), 201)["source"] == "hotline"
    assert ok(report(client_for("street")), 201)["source"] == "hotline"
    assert ok(report(client_for("dept")), 201)["source"] == "department"


def test_it_returns_the_same_event_for_the_same_request_id(ew, client_for):
    client = client_for("resident")
    responses = [report(client, request_id="phone-7f3a") for _ in range(50)]
    assert [r.status_code for r in responses] == [201] + [200] * 49
    assert {r.json()["id"] for r in responses} == {responses[0].json()["id"]}
    assert Event.objects.count() == 1
    assert EventStep.objects.count() == 1
    # Another reporter may use the same id for their own report.
    other = report(client_for("resident_b"), request_id="phone-7f3a")
    assert other.status_code == 201 and other.json()["id"] != responses[0].json()["id"]
    # Without a request id every post is a new report.
    assert report(client).status_code == 201
    assert Event.objects.count() == 3


def test_it_numbers_events_per_district_and_day(ew, client_for):
    numbers = [ok(report(client_for("worker_a")), 201)["number"] for _ in range(3)]
    assert len(set(numbers)) == 3
    assert all(len(n) == 19 and n.startswith("440704") for n in numbers)
    assert [int(n[-5:]) for n in numbers] == [1, 2, 3]


def test_it_refuses_an_illegal_transition_with_409_and_stores_nothing(ew, client_for):
    event_id = ok(report(client_for("worker_a")), 201)["id"]
    steps = EventStep.objects.count()
    response = act(client_for("street"), event_id, "dispatch")
    assert response.status_code == 409
    assert response.json()["message"] == "事件当前状态为「已上报」，不能派遣"
    assert act(client_for("worker_a"), event_id, "verify", {"passed": True}).status_code == 409
    assert EventStep.objects.count() == steps
    event = Event.objects.get(pk=event_id)
    assert (event.state, event.version, event.current_department) == ("reported", 1, None)


def test_it_refuses_actions_by_the_wrong_role_with_403(ew, client_for):
    event_id = ok(report(client_for("worker_a")), 201)["id"]
    response = act(client_for("worker_a"), event_id, "register")
    assert response.status_code == 403 and "立案" in response.json()["message"]
    # The community works at community level only; events are handled by the street here.
    assert act(client_for("community"), event_id, "register").status_code == 403
    assert Event.objects.get(pk=event_id).state == "reported"


def test_it_stores_the_grid_and_unit(ew, client_for):
    created = ok(report(client_for("part_time_a")), 201)
    assert created["grid_code"] == GRID_A and created["region_code"] == GRID_A + "001"
    assert created["district_code"] == "440704"


def test_it_reports_in_a_handful_of_queries(ew, client_for, django_assert_max_num_queries):
    client = client_for("worker_a")
    ok(report(client, request_id="warm-up"), 201)  # the token's last use is noted once
    # token, scope, request id, category, geometry revision, number, savepoints and the
    # event, its step, its audit row; the answer is built without reading anything back.
    with django_assert_max_num_queries(13):
        ok(report(client, request_id="second"), 201)
    # A repeat answers with the stored event and its full detail.
    with django_assert_max_num_queries(12):
        assert report(client, request_id="second").status_code == 200
