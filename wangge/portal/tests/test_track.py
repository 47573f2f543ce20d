"""Tracking, following and rating: the manhole-cover story end to end, and who may see what."""

import re

from django.test import Client

from wangge.events import actions as event_actions
from wangge.events.models import Event, EventFollower, ReturnVisit
from wangge.testing import POINT_A

from .conftest import PHONE_A, PHONE_B, photo, plain_choice, report_data


def _reported(client: Client, **extra: object) -> Event:
    response = client.post("/portal/report/", report_data(**extra))
    assert response.status_code == 302, response.content.decode()
    return Event.objects.get(number=response.url.rstrip("/").rsplit("/", 1)[-1])


def _handle_and_close(pw, event: Event) -> Event:
    """The staff steps: the street registers and dispatches (市政), fixed, verified, closed."""
    street, sz, worker = pw["street"], pw["dept_sz"], pw["worker_a"]
    event_actions.do_register_event(event, actor=street, note="符合立案条件")
    event_actions.do_dispatch_event(event, actor=street)  # 井盖 → 市政 by default
    assert event.current_department is not None and event.current_department.code == "sz"
    event_actions.do_accept_event(event, actor=sz, note="马上安排")
    event_actions.do_feedback_event(event, actor=sz, note="三个井盖已加装减震垫并紧固")
    event_actions.do_verify_event(event, actor=worker, passed=True, note="现场核实无异响")
    event.refresh_from_db()
    assert event.state == "closed"
    return event


def test_the_manhole_cover_story_end_to_end(pw, sms_login, media):
    resident = sms_login(PHONE_A)
    response = resident.post("/portal/report/", {**report_data(), "photos": [photo("manhole.jpg")]})
    event = Event.objects.get()
    track = f"/portal/track/{event.number}/"
    assert response.url == track
    html = resident.get(track).content.decode()
    assert 'data-testid="rating"' not in html  # not closed yet

    _handle_and_close(pw, event)
    html = resident.get(track).content.decode()
    assert "已结案" in html
    # The public timeline: steps and departments, never staff names or internal notes.
    for label in ("上报", "立案", "派遣", "受理", "办结反馈", "核查"):
        assert label in html, label
    assert "市政局" in html
    assert "三个井盖已加装减震垫并紧固" in html  # a result is public
    assert "马上安排" not in html  # an acceptance note is internal
    for name in ("东街道指挥中心", "市政值班员", "张伟"):
        assert name not in html
    assert 'data-testid="rating"' in html
    home = resident.get("/portal/").content.decode()
    assert f'data-number="{event.number}" data-state="closed"' in home

    rated = resident.post(
        f"{track}rate/", {"satisfaction": "satisfied", "solved": "1", "note": "很满意，晚上安静了"}
    )
    assert rated.status_code == 302
    event.refresh_from_db()
    assert event.satisfaction == "satisfied" and event.visited_at is not None
    visit = ReturnVisit.objects.get(event=event)
    assert visit.contacted and visit.solved and visit.satisfaction == "satisfied"
    html = resident.get(track).content.decode()
    assert 'data-testid="rating"' not in html and 'data-testid="visit"' in html
    assert "满意" in html
    # Once only.
    again = resident.post(f"{track}rate/", {"satisfaction": "dissatisfied", "solved": "0"})
    assert again.status_code in (403, 409)
    assert ReturnVisit.objects.count() == 1


def test_a_rating_needs_its_answers(pw, sms_login):
    resident = sms_login(PHONE_A)
    event = _handle_and_close(pw, _reported(resident))
    response = resident.post(f"/portal/track/{event.number}/rate/", {"satisfaction": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert "请选择满意度" in html and "请选择问题是否已解决" in html
    assert not ReturnVisit.objects.exists()
    response = resident.post(
        f"/portal/track/{event.number}/rate/", {"satisfaction": "great", "solved": "1"}
    )
    assert response.status_code == 422 and not ReturnVisit.objects.exists()


def test_rating_an_open_event_is_refused(pw, sms_login):
    resident = sms_login(PHONE_A)
    event = _reported(resident)
    response = resident.post(
        f"/portal/track/{event.number}/rate/", {"satisfaction": "satisfied", "solved": "1"}
    )
    assert response.status_code == 409
    assert not ReturnVisit.objects.exists()


def test_another_resident_sees_nothing_of_it(pw, sms_login, login, media):
    a = sms_login(PHONE_A)
    a.post("/portal/report/", {**report_data(), "photos": [photo()]})
    event = Event.objects.get()
    photo_path = re.search(
        r'src="(/api/v1/events/\d+/attachments/\d+)"',
        a.get(f"/portal/track/{event.number}/").content.decode(),
    )
    assert photo_path is not None
    shown = a.get(photo_path.group(1))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"

    b = sms_login(PHONE_B)
    missing = b.get("/portal/track/440704209901010000/")
    assert b.get(f"/portal/track/{event.number}/").status_code == 404 == missing.status_code
    assert b.get(photo_path.group(1)).status_code == 404
    assert event.number not in b.get("/portal/").content.decode()
    rate = b.post(f"/portal/track/{event.number}/rate/", {"satisfaction": "satisfied"})
    assert rate.status_code == 404
    # Staff use the staff pages, not the resident's.
    assert login("street").get(f"/portal/track/{event.number}/").status_code == 403
    assert Client().get(f"/portal/track/{event.number}/").status_code == 302


def test_home_lists_own_reports_and_followed_events_newest_first(pw, sms_login):
    a = sms_login(PHONE_A)
    first = _reported(a, request_id="one", title="第一件")
    second = _reported(a, request_id="two", title="第二件")
    html = a.get("/portal/").content.decode().split('data-testid="own"', 1)[1]
    assert html.index(second.number) < html.index(first.number)
    assert "已上报" in html


def test_a_resident_is_offered_an_open_event_nearby_and_joins_it(pw, sms_login):
    a = sms_login(PHONE_A)
    original = _reported(a)
    b = sms_login(PHONE_B)
    # About 100 m away, same kind of problem.
    lng, lat = POINT_A[0] + 0.0009, POINT_A[1]
    query = {"choice": plain_choice(), "lng": str(lng), "lat": str(lat)}
    fragment = b.get("/portal/report/nearby/", query, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert original.number in html and 'data-testid="join"' in html
    assert "139****5678" not in html and PHONE_A not in html  # the public facts only
    # Another kind of problem there: nothing offered.
    other = b.get("/portal/report/nearby/", {**query, "choice": plain_choice("0602")})
    assert original.number not in other.content.decode()

    joined = b.post(f"/portal/join/{original.number}/", query, headers={"HX-Request": "true"})
    assert joined.status_code == 200
    assert joined["HX-Redirect"] == f"/portal/track/{original.number}/"
    assert EventFollower.objects.filter(event=original, user__resident_account__isnull=False)
    again = b.post(f"/portal/join/{original.number}/", query)
    assert again.status_code == 404 or again.status_code == 302
    assert EventFollower.objects.filter(event=original).count() == 1

    page = b.get(f"/portal/track/{original.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert original.number in html and "139****5678" not in html
    assert 'data-testid="rating"' not in html
    assert original.number in b.get("/portal/").content.decode()


def test_joining_needs_the_event_to_be_offered_there(pw, sms_login):
    a = sms_login(PHONE_A)
    original = _reported(a)
    b = sms_login(PHONE_B)
    far = {"choice": plain_choice(), "lng": "113.15", "lat": "22.05"}  # grid B, kilometres away
    assert b.post(f"/portal/join/{original.number}/", far).status_code == 404
    assert not EventFollower.objects.exists()
    assert b.get(f"/portal/track/{original.number}/").status_code == 404


def test_staff_cannot_join_or_rate_through_the_portal(pw, sms_login, login):
    event = _reported(sms_login(PHONE_A))
    query = {"choice": plain_choice(), "lng": str(POINT_A[0]), "lat": str(POINT_A[1])}
    for staff in ("worker_a", "street", "dept_sz"):
        client = login(staff)
        assert client.post(f"/portal/join/{event.number}/", query).status_code == 403
        rate = client.post(f"/portal/track/{event.number}/rate/", {"satisfaction": "satisfied"})
        assert rate.status_code == 403
    assert Client().post(f"/portal/join/{event.number}/", query).status_code == 302
    assert not EventFollower.objects.exists()
