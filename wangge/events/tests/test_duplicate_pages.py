"""The duplicate pages: nearby events on the report form, joining, merging from the event page."""

from __future__ import annotations

from typing import Any

import pytest

from wangge.events import actions
from wangge.events.models import Event, EventFollower
from wangge.testing import POINT_A

DEG_PER_M = 1 / 111_195


def north(metres: float) -> tuple[float, float]:
    return (POINT_A[0], POINT_A[1] + metres * DEG_PER_M)


def reported(ew: Any, username: str, point: tuple[float, float] = POINT_A, **extra: Any) -> Event:
    fields = {"category": "0601", "description": "井盖松动，车辆经过时哐哐响", **extra}
    return actions.do_report_event(
        actor=ew[username], lng=point[0], lat=point[1], reporter_contact="13812341234", **fields
    ).event


def nearby_page(client: Any, point: tuple[float, float], category: str = "0601") -> str:
    response = client.get(
        "/events/nearby/", {"category": category, "lng": point[0], "lat": point[1]}
    )
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.fixture
def original(ew: Any) -> Event:
    return reported(ew, "resident")


def test_the_report_form_offers_nearby_events_to_join(original, login):
    page = login("resident_b").get("/events/new/").content.decode()
    assert 'data-testid="nearby-events"' in page and 'name="anonymous"' in page
    html = nearby_page(login("resident_b"), north(100))
    assert original.number in html and 'data-testid="join"' in html
    assert f"/events/{original.pk}/" not in html  # the neighbour may not open it
    assert "138" not in html and "陈静" not in html  # nothing of the reporter
    assert 'data-testid="nearby"' not in nearby_page(login("resident_b"), north(300))
    assert 'data-testid="nearby"' not in nearby_page(login("resident_b"), north(100), "0602")
    # The grid worker sees it and gets the link.
    assert f"/events/{original.pk}/" in nearby_page(login("worker_a"), north(100))


def test_private_events_are_not_offered_on_the_form(ew, login):
    private = reported(ew, "worker_a", category="0701")
    assert private.number not in nearby_page(login("resident_b"), north(20), "0701")


def test_joining_from_the_form_leads_to_the_event(original, login):
    client = login("resident_b")
    response = client.post(f"/events/join/{original.number}/", {"description": "我家门口也是"})
    assert response.status_code == 302 and response.url == f"/events/{original.pk}/"
    page = client.get(response.url).content.decode()
    assert original.title in page
    assert "138****1234" not in page and "陈静" not in page
    assert "群众" in page
    # htmx: redirected by header; again: the same follower.
    again = client.post(f"/events/join/{original.pk}/", headers={"HX-Request": "true"})
    assert again.status_code == 204 and again["HX-Redirect"] == f"/events/{original.pk}/"
    assert EventFollower.objects.filter(event=original).count() == 1
    # The reporter's own page still shows the contact (masked) and the follower.
    own = login("resident").get(f"/events/{original.pk}/").content.decode()
    assert "138****1234" in own and 'data-testid="followers"' in own


def test_joining_an_unknown_or_closed_event_is_refused(original, login):
    client = login("resident_b")
    assert client.post("/events/join/999999/").status_code == 404
    assert client.post("/events/join/abc/").status_code == 404
    response = client.post(f"/events/join/{original.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    actions.do_self_handle_event(Event.objects.get(pk=original.pk), actor=None)
    # Now following it, the closed event is visible to them; joining again answers the same.
    assert client.post(f"/events/join/{original.pk}/").status_code == 302


def test_the_centre_merges_from_the_possible_duplicates(original, ew, login):
    duplicate = reported(ew, "resident_b", north(100))
    street = login("street")
    page = street.get(f"/events/{original.pk}/").content.decode()
    assert 'data-testid="duplicates"' in page and f'data-id="{duplicate.pk}"' in page
    response = street.post(
        f"/events/{duplicate.pk}/merge/",
        {"original": original.pk, "next": f"/events/{original.pk}/"},
    )
    assert response.status_code == 302 and response.url == f"/events/{original.pk}/"
    merged = Event.objects.get(pk=duplicate.pk)
    assert merged.state == "closed" and merged.duplicate_of_id == original.pk
    assert EventFollower.objects.filter(event=original, user=ew["resident_b"]).exists()
    page = street.get(f"/events/{original.pk}/").content.decode()
    assert 'data-testid="duplicates"' not in page
    # The duplicate's reporter finds the original among their events.
    mine = login("resident_b").get("/events/mine/").content.decode()
    assert f"/events/{original.pk}/" in mine


def test_only_the_centre_in_scope_sees_and_uses_the_merge(original, ew, login):
    duplicate = reported(ew, "resident_b", north(100))
    for username in ("resident", "worker_a"):
        page = login(username).get(f"/events/{original.pk}/").content.decode()
        assert 'data-testid="duplicates"' not in page
    assert (
        login("street_b")
        .post(f"/events/{duplicate.pk}/merge/", {"original": original.pk})
        .status_code
        == 404
    )
    response = login("resident_b").post(f"/events/{duplicate.pk}/merge/", {"original": original.pk})
    assert response.status_code == 302
    assert Event.objects.get(pk=duplicate.pk).state == "reported"


def test_an_anonymous_report_from_the_form(ew, login):
    client = login("resident")
    response = client.post(
        "/events/new/",
        {
            "category": "0601",
            "description": "路灯不亮",
            "lng": POINT_A[0],
            "lat": POINT_A[1],
            "anonymous": "on",
            "request_id": "form-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    event = Event.objects.get(client_request_id="form-1")
    assert event.anonymous is True
    page = login("street").get(f"/events/{event.pk}/").content.decode()
    assert 'data-testid="anonymous"' in page


def test_the_reporter_rates_their_closed_event_on_its_page(original, ew, login):
    actions.do_self_handle_event(Event.objects.get(pk=original.pk), actor=None)
    client = login("resident")
    page = client.get(f"/events/{original.pk}/").content.decode()
    assert 'data-action="return-visit"' in page
    assert 'type="hidden" name="contacted" value="1"' in page
    response = client.post(
        f"/events/{original.pk}/return-visit/",
        {"contacted": "1", "solved": "1", "satisfaction": "satisfied", "version": "2"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    event = Event.objects.get(pk=original.pk)
    assert event.satisfaction == "satisfied"
    assert event.steps.last().data["by_reporter"] is True
