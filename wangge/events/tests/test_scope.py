"""Who sees which events: grid, subtree, department, own reports."""

import pytest

from wangge.events.models import Event
from wangge.testing import POINT_B

from .conftest import act, ok, report


def ids(client, query=""):
    return {e["id"] for e in ok(client.get(f"/api/v1/events{query}"))["items"]}


@pytest.fixture
def two_events(ew, client_for):
    a = ok(report(client_for("resident"), description="A 网格的井盖"), 201)["id"]
    b = ok(report(client_for("worker_b"), point=POINT_B, description="B 网格的井盖"), 201)["id"]
    return a, b


@pytest.mark.parametrize(
    ("username", "sees_a", "sees_b"),
    [
        ("admin", True, True),
        ("district", True, True),
        ("street", True, False),
        ("street_b", False, True),
        ("community", True, False),
        ("worker_a", True, False),
        ("worker_a2", False, False),
        ("worker_b", False, True),
        ("part_time_a", True, False),  # A's report lies in the part-time worker's unit
        ("dept", False, False),
        ("dept_sz", False, False),
        ("resident", True, False),  # their own report
        ("resident_b", False, False),
        ("other_district", False, False),
    ],
)
def test_it_shows_each_role_its_events(two_events, client_for, username, sees_a, sees_b):
    a, b = two_events
    client = client_for(username)
    assert ids(client) == {e for e, seen in ((a, sees_a), (b, sees_b)) if seen}
    for event_id, seen in ((a, sees_a), (b, sees_b)):
        assert client.get(f"/api/v1/events/{event_id}").status_code == (200 if seen else 404)


def test_it_hides_another_grids_event_from_a_worker_even_when_acting(two_events, client_for):
    a, _ = two_events
    worker_b = client_for("worker_b")
    for action, body in [
        ("verify", {"passed": True}),
        ("self-handle", {}),
        ("register", {}),
        ("escalate", {"reason": "x"}),
    ]:
        response = act(worker_b, a, action, body)
        assert response.status_code == 404, action
        assert response.json() == {
            "code": "not_found",
            "message": "未找到该对象，或您无权访问",
            "fields": {},
        }
    missing = worker_b.get("/api/v1/events/999999")
    assert missing.json() == worker_b.get(f"/api/v1/events/{a}").json()
    assert Event.objects.get(pk=a).version == 1


def test_it_shows_departments_only_what_is_dispatched_to_them(two_events, client_for):
    a, b = two_events
    ok(act(client_for("street"), a, "register"))
    ok(act(client_for("street"), a, "dispatch", {"department": "cg"}))
    assert ids(client_for("dept")) == {a}
    assert ids(client_for("dept_sz")) == set()
    assert client_for("dept_sz").get(f"/api/v1/events/{a}").status_code == 404
    assert act(client_for("dept_sz"), a, "accept").status_code == 404
    # After a send-back and re-dispatch the event moves to the new department.
    ok(act(client_for("dept"), a, "send-back", {"reason": "非本部门职责"}))
    ok(act(client_for("street"), a, "redispatch", {"department": "sz"}))
    assert ids(client_for("dept")) == set()
    assert ids(client_for("dept_sz")) == {a}


def test_it_filters_the_list(two_events, client_for):
    a, b = two_events
    district = client_for("district")
    ok(act(client_for("street"), a, "register"))
    assert ids(district, "?state=registered") == {a}
    assert ids(district, "?state=reported") == {b}
    assert ids(district, "?category=06") == {a, b}
    assert ids(district, "?category=0601") == {a, b}
    assert ids(district, "?category=04") == set()
    assert ids(district, "?source=resident") == {a}
    assert ids(district, "?under=440704002") == {b}
    assert ids(district, "?overdue=false") == {a, b}
    assert ids(district, "?overdue=true") == set()
    page = ok(district.get("/api/v1/events?limit=1"))
    assert page["count"] == 2 and len(page["items"]) == 1
    bad = district.get("/api/v1/events?state=nonsense")
    assert bad.status_code == 422 and "state" in bad.json()["fields"]
    assert district.get("/api/v1/events?under=44070").status_code == 422


def test_it_masks_the_contact_for_everybody(ew, client_for):
    event_id = ok(report(client_for("resident"), reporter_contact="139 0000 5678"), 201)["id"]
    for username in ("resident", "street", "admin"):
        assert (
            ok(client_for(username).get(f"/api/v1/events/{event_id}"))["reporter_contact"]
            == "139****5678"
        )
    assert Event.objects.get(pk=event_id).reporter_contact == "139 0000 5678"


def test_it_requires_authentication(ew, client):
    assert client.get("/api/v1/events").status_code == 401
    assert client.post("/api/v1/events", {}, content_type="application/json").status_code == 401
