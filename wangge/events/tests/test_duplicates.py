"""Duplicates: nearby open events offered to the reporter, joining (附议), merging (合并), and
the reporter's own rating of the result."""

from __future__ import annotations

from typing import Any

import pytest

from wangge.events import actions, selectors
from wangge.events.choices import EventAction, EventState, FollowVia
from wangge.events.models import Category, Event, EventFollower, EventStep
from wangge.testing import POINT_A, POINT_OTHER

from .conftest import act, ok, post, report

#: Degrees of latitude per metre (close enough for tests).
DEG_PER_M = 1 / 111_195


def north(metres: float, point: tuple[float, float] = POINT_A) -> tuple[float, float]:
    return (point[0], point[1] + metres * DEG_PER_M)


def nearby(client: Any, point: tuple[float, float], category: str | None = "0601") -> Any:
    query: dict[str, Any] = {"lng": point[0], "lat": point[1]}
    if category is not None:
        query["category"] = category
    return client.get("/api/v1/events/nearby", query)


def visible_ids(client: Any) -> set[int]:
    return {e["id"] for e in ok(client.get("/api/v1/events?limit=500"))["items"]}


def close_event(event_id: int) -> Event:
    """Run an event through to closed as the system."""
    event = Event.objects.select_related("category").get(pk=event_id)
    actions.do_register_event(event, actor=None)
    actions.do_dispatch_event(event, actor=None)
    actions.do_accept_event(event, actor=None)
    actions.do_feedback_event(event, actor=None, note="已处理")
    actions.do_verify_event(event, actor=None, passed=True)
    return event


@pytest.fixture
def original(ew, client_for) -> dict[str, Any]:
    """A resident's open 0601 report at POINT_A."""
    return ok(report(client_for("resident"), reporter_contact="13812341234"), 201)


# --- nearby ----------------------------------------------------------------------------------


def test_a_duplicate_report_100m_away_is_offered_the_original_and_joins_it(original, client_for):
    neighbour = client_for("resident_b")
    found = ok(nearby(neighbour, north(100)))
    assert found["radius_m"] == 250
    [item] = found["items"]
    assert item["number"] == original["number"]
    assert 95 <= item["distance_m"] <= 105
    assert item["state"] == "reported" and item["state_label"] == "已上报"
    assert item["category"] == {"code": "0601", "name": original["category"]["name"]}
    # Public facts only: no id (the neighbour may not open it), no reporter, no place codes.
    assert item["id"] is None and item["followers_count"] is None
    assert set(item) == {
        "id",
        "number",
        "title",
        "category",
        "state",
        "state_label",
        "distance_m",
        "reported_on",
        "followers_count",
    }
    assert original["id"] not in visible_ids(neighbour)

    joined = ok(post(neighbour, f"/api/v1/events/{item['number']}/join", {"note": "我也遇到"}))
    assert joined["id"] == original["id"]
    assert joined["followers_count"] == 1
    assert joined["state"] == "reported" and joined["version"] == original["version"]
    assert joined["reporter_contact"] == ""  # a follower is not told who reported it
    report_step = joined["timeline"][0]
    assert report_step["action"] == "report" and report_step["actor"] == "群众"
    assert [s["action"] for s in joined["timeline"]] == ["report", "join"]
    assert original["id"] in visible_ids(neighbour)
    follower = EventFollower.objects.get(event_id=original["id"])
    assert follower.via == FollowVia.JOIN

    # The reporter (and staff) see the follower; the contact stays masked for them.
    seen = ok(client_for("resident").get(f"/api/v1/events/{original['id']}"))
    assert seen["followers_count"] == 1 and seen["reporter_contact"] == "138****1234"
    # Now the neighbour may open it, the nearby list gives its id.
    assert ok(nearby(neighbour, north(100)))["items"][0]["id"] == original["id"]


def test_joining_is_idempotent(original, client_for):
    neighbour = client_for("resident_b")
    path = f"/api/v1/events/{original['id']}/join"
    first = ok(post(neighbour, path, {"request_id": "j-1"}))
    again = ok(post(neighbour, path, {"request_id": "j-2"}))
    assert first["followers_count"] == again["followers_count"] == 1
    assert EventFollower.objects.filter(event_id=original["id"]).count() == 1
    assert EventStep.objects.filter(event_id=original["id"], action=EventAction.JOIN).count() == 1
    assert EventFollower.objects.get().client_request_id == "j-1"


def test_a_report_300m_away_is_not_offered_unless_the_category_reaches_further(
    original, client_for
):
    neighbour = client_for("resident_b")
    assert ok(nearby(neighbour, north(300)))["items"] == []
    Category.objects.filter(code="0601").update(duplicate_radius_m=500)
    found = ok(nearby(neighbour, north(300)))
    assert found["radius_m"] == 500
    assert [i["number"] for i in found["items"]] == [original["number"]]
    Category.objects.filter(code="0601").update(duplicate_radius_m=0)
    assert ok(nearby(neighbour, north(10)))["items"] == []


def test_only_open_events_of_the_same_sub_category_are_offered(original, client_for):
    neighbour = client_for("resident_b")
    assert ok(nearby(neighbour, north(100), "0602"))["items"] == []
    # A top-level code takes in its sub-categories.
    assert len(ok(nearby(neighbour, north(100), "06"))["items"]) == 1
    close_event(original["id"])
    assert ok(nearby(neighbour, north(100)))["items"] == []


def test_the_centre_gets_the_ids_and_the_nearest_first(original, client_for):
    second = ok(report(client_for("resident_b"), point=north(50)), 201)
    found = ok(nearby(client_for("street"), north(40)))
    assert [i["id"] for i in found["items"]] == [second["id"], original["id"]]
    assert found["items"][0]["followers_count"] == 0


def test_nearby_answers_404_outside_the_callers_map(original, client_for):
    for username in ("resident", "worker_a", "street"):
        assert nearby(client_for(username), POINT_OTHER).status_code == 404
    assert nearby(client_for("resident"), (113.25, 22.05)).status_code == 404  # no grid
    assert nearby(client_for("resident"), north(10), "9999").status_code == 422


def test_private_groups_are_never_offered_to_residents(ew, client_for):
    private = ok(report(client_for("worker_a"), category="0701", description="邻里纠纷"), 201)
    resident = client_for("resident")
    for category in ("0701", "07", None):
        assert ok(nearby(resident, north(20), category))["items"] == []
    assert post(resident, f"/api/v1/events/{private['number']}/join").status_code == 404
    assert post(resident, f"/api/v1/events/{private['id']}/join").status_code == 404
    # The grid worker who sees it is offered it, with its id.
    found = ok(nearby(client_for("worker_a"), north(20), "0701"))
    assert [i["id"] for i in found["items"]] == [private["id"]]


def test_the_selector_filters_by_box_and_exact_distance(original):
    category = Category.objects.get(code="0601")
    lng, lat = north(200)
    found = selectors.nearby_open_events(category, lng, lat)
    assert [(n.event.pk, n.distance_m) for n in found] == [(original["id"], 200)]
    assert selectors.nearby_open_events(category, lng, lat, radius_m=150) == []
    assert selectors.nearby_open_events("0601", lng, lat, exclude_id=original["id"]) == []
    # East-west: a degree of longitude is shorter than one of latitude at 22°N.
    east = (POINT_A[0] + 240 * DEG_PER_M / 0.927, POINT_A[1])
    assert [n.distance_m for n in selectors.nearby_open_events(category, *east)] == [240]


# --- joining ----------------------------------------------------------------------------------


def test_a_closed_event_cannot_be_joined(ew, original, client_for):
    close_event(original["id"])
    neighbour = client_for("resident_b")
    response = post(neighbour, f"/api/v1/events/{original['number']}/join")
    assert response.status_code == 404  # not open to joining: the neighbour never saw it
    event = Event.objects.get(pk=original["id"])
    with pytest.raises(actions.EventConflict, match="已结案"):
        actions.do_join_event(event, actor=ew["resident_b"])


def test_the_reporter_does_not_join_their_own_event(original, client_for):
    response = post(client_for("resident"), f"/api/v1/events/{original['id']}/join")
    assert response.status_code == 409
    assert "本人" in response.json()["message"]


def test_joining_out_of_the_reporters_area_is_refused(ew, client_for):
    other = actions.do_report_event(
        actor=None,
        category="0601",
        description="邻区的井盖",
        lng=POINT_OTHER[0],
        lat=POINT_OTHER[1],
    ).event
    response = post(client_for("resident"), f"/api/v1/events/{other.number}/join")
    assert response.status_code == 404


# --- merging ----------------------------------------------------------------------------------


@pytest.fixture
def pair(original, client_for) -> tuple[dict[str, Any], dict[str, Any]]:
    """The original and a second resident's report of the same thing 100 m away."""
    duplicate = ok(report(client_for("resident_b"), point=north(100)), 201)
    return original, duplicate


def test_merge_closes_the_duplicate_into_the_original(pair, client_for):
    original, duplicate = pair
    street = client_for("street")
    neighbour = client_for("resident_b")
    ok(post(client_for("worker_a"), f"/api/v1/events/{duplicate['id']}/join"))
    merged = ok(
        act(
            street,
            duplicate["id"],
            "merge",
            {"original": original["id"], "note": "同一井盖", "version": duplicate["version"]},
        )
    )
    assert merged["state"] == "closed" and merged["duplicate_of"] == original["id"]
    assert merged["closed_at"] is not None and merged["handled_at"] is None
    assert merged["timeline"][-1]["action"] == "merge"
    assert "merge" not in merged["actions"] and "return_visit" not in merged["actions"]

    seen = ok(street.get(f"/api/v1/events/{original['id']}"))
    assert seen["state"] == "reported" and seen["version"] == original["version"]
    assert seen["followers_count"] == 2  # the duplicate's reporter and its follower
    merge_step = seen["timeline"][-1]
    assert merge_step["action"] == "merge" and merge_step["data"]["duplicate"] == duplicate["id"]
    followers = dict(
        EventFollower.objects.filter(event_id=original["id"]).values_list("user__username", "via")
    )
    assert followers == {"resident_b": FollowVia.MERGE, "worker_a": FollowVia.MERGE}
    # The duplicate's reporter follows the original: in their list and "my events".
    assert original["id"] in visible_ids(neighbour)
    user = Event.objects.get(pk=duplicate["id"]).reporter
    assert selectors.my_events(user).filter(pk=original["id"]).exists()
    # A merged duplicate is closed but never handled (docs/metrics.md).
    figures = ok(street.get("/api/v1/stats/events"))
    assert figures["closed"] == 1 and figures["handled"] == 0


def test_merging_into_a_duplicate_points_to_its_original(pair, client_for):
    original, duplicate = pair
    street = client_for("street")
    third = ok(report(client_for("worker_a"), point=north(150)), 201)
    ok(act(street, duplicate["id"], "merge", {"original": original["id"]}))
    merged = ok(act(street, third["id"], "merge", {"original": duplicate["id"]}))
    assert merged["duplicate_of"] == original["id"]


def test_merge_refuses_itself_a_final_original_and_stale_versions(pair, client_for):
    original, duplicate = pair
    street = client_for("street")
    response = act(street, duplicate["id"], "merge", {"original": duplicate["id"]})
    assert response.status_code == 422 and "original" in response.json()["fields"]
    response = act(street, duplicate["id"], "merge", {"original": 999_999})
    assert response.status_code == 422 and "original" in response.json()["fields"]
    response = act(street, duplicate["id"], "merge", {"original": original["id"], "version": 9})
    assert response.status_code == 409
    close_event(original["id"])
    response = act(street, duplicate["id"], "merge", {"original": original["id"]})
    assert response.status_code == 409 and "original" in response.json()["fields"]
    assert Event.objects.get(pk=duplicate["id"]).state == EventState.REPORTED


def test_only_the_command_centre_in_scope_merges(pair, client_for):
    original, duplicate = pair
    # A resident sees their own report but may not merge it.
    response = act(client_for("resident_b"), duplicate["id"], "merge", {"original": original["id"]})
    assert response.status_code == 403
    # Another street's centre does not see either event: like a missing event.
    response = act(client_for("street_b"), duplicate["id"], "merge", {"original": original["id"]})
    assert response.status_code == 404
    # The grid worker sees both but does not command.
    response = act(client_for("worker_a"), duplicate["id"], "merge", {"original": original["id"]})
    assert response.status_code == 403
    # The duplicate in scope, the original not: refused as unknown.
    far = actions.do_report_event(
        actor=None, category="0601", description="西镇的井盖", lng=113.15, lat=22.05
    ).event
    response = act(client_for("street"), duplicate["id"], "merge", {"original": far.pk})
    assert response.status_code == 422
    assert Event.objects.get(pk=duplicate["id"]).state == EventState.REPORTED


# --- the reporter rates the result ------------------------------------------------------------


def test_a_resident_rates_their_closed_event_and_the_three_rates_count_it(original, client_for):
    resident = client_for("resident")
    close_event(original["id"])
    seen = ok(resident.get(f"/api/v1/events/{original['id']}"))
    assert "return_visit" in seen["actions"]
    rated = ok(
        act(
            resident,
            original["id"],
            "return-visit",
            {"contacted": True, "solved": True, "satisfaction": "basically", "note": "还行"},
        )
    )
    assert rated["return_visit"]["satisfaction"] == "basically"
    assert rated["timeline"][-1]["data"]["by_reporter"] is True
    figures = ok(client_for("street").get("/api/v1/stats/events"))
    three = figures["three_rates"]
    assert figures["return_visits"] == 1
    assert three["response_rate"] == three["solve_rate"] == three["satisfaction_rate"] == 1.0
    # Once only.
    again = act(resident, original["id"], "return-visit", {"contacted": True, "solved": True})
    assert again.status_code == 409


def test_a_resident_rates_only_as_reached_and_only_their_own(original, client_for):
    ok(post(client_for("resident_b"), f"/api/v1/events/{original['id']}/join"))
    close_event(original["id"])
    response = act(
        client_for("resident"),
        original["id"],
        "return-visit",
        {"contacted": False, "solved": False},
    )
    assert response.status_code == 422 and "contacted" in response.json()["fields"]
    # A follower sees the event but the rating is the reporter's.
    response = act(
        client_for("resident_b"),
        original["id"],
        "return-visit",
        {"contacted": True, "solved": True, "satisfaction": "satisfied"},
    )
    assert response.status_code in (403, 404)


def test_a_staff_return_visit_is_not_marked_as_the_reporters(original, client_for):
    close_event(original["id"])
    visited = ok(
        act(
            client_for("street"),
            original["id"],
            "return-visit",
            {"contacted": False, "solved": False},
        )
    )
    assert "by_reporter" not in visited["timeline"][-1]["data"]


def test_a_merged_duplicate_gets_no_return_visit(pair, client_for):
    original, duplicate = pair
    ok(act(client_for("street"), duplicate["id"], "merge", {"original": original["id"]}))
    response = act(
        client_for("street"),
        duplicate["id"],
        "return-visit",
        {"contacted": True, "solved": True, "satisfaction": "satisfied"},
    )
    assert response.status_code == 409


# --- anonymous reports ------------------------------------------------------------------------


def test_an_anonymous_report_keeps_the_contact_for_staff_masked(ew, client_for):
    created = ok(
        report(client_for("resident"), anonymous=True, reporter_contact="13900001111"), 201
    )
    assert created["anonymous"] is True
    seen = ok(client_for("street").get(f"/api/v1/events/{created['id']}"))
    assert seen["anonymous"] is True and seen["reporter_contact"] == "139****1111"
    assert Event.objects.get(pk=created["id"]).anonymous is True
    plain = ok(report(client_for("resident"), point=north(500)), 201)
    assert plain["anonymous"] is False


def test_followers_are_told_when_the_event_closes(
    ew, original, client_for, django_capture_on_commit_callbacks
):
    from wangge.notifications.models import Notification

    ok(post(client_for("resident_b"), f"/api/v1/events/{original['id']}/join"))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_self_handle_event(Event.objects.get(pk=original["id"]), actor=None)
    told = set(
        Notification.objects.filter(event_id=original["id"], kind="closed").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"resident", "resident_b"}
