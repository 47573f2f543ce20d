"""The event pages through the Django test client: scope, actions, errors, queries."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wangge.accounts.actions import do_assign_role, do_create_user
from wangge.events import actions
from wangge.events.models import Event, EventStep
from wangge.testing import GRID_A, GRID_A2, PASSWORD, POINT_A, POINT_B, POINT_OUTSIDE

POINT_A2 = (113.07, 22.05)
STALE = "该事件已被他人处理，请刷新"


def report(ew, username="worker_a", point=POINT_A, **extra):
    fields = {"category": "0601", "description": "井盖松动，车辆经过时哐哐响"}
    fields.update(extra)
    return actions.do_report_event(actor=ew[username], lng=point[0], lat=point[1], **fields).event


REPORTERS = {POINT_A: "worker_a", POINT_A2: "worker_a2", POINT_B: "worker_b"}


def registered(ew, point=POINT_A, street="street", **extra):
    event = report(ew, username=REPORTERS[point], point=point, **extra)
    return actions.do_register_event(event, actor=ew[street])


def dispatched(ew, department="cg", **extra):
    event = registered(ew, **extra)
    return actions.do_dispatch_event(event, actor=ew["street"], department=department)


def fresh(event):
    return Event.objects.get(pk=event.pk)


def html(response):
    return response.content.decode()


def unmasked(response):
    """The page without its CSRF tokens (masked afresh on every response)."""
    return re.sub(
        r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html(response)
    )


def event_ids(response):
    return [int(pk) for pk in re.findall(r'data-event="(\d+)"', html(response))]


def offered(response):
    """Actions offered on an event page."""
    return re.findall(r'<details class="act [^"]*"[^>]*data-action="([a-z-]+)"', html(response))


# --- who opens which page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "queue", "inbox"),
    [
        ("admin", 200, 200),
        ("district", 200, 403),
        ("street", 200, 403),
        ("street_b", 200, 403),
        ("community", 200, 403),
        ("other_district", 200, 403),
        ("worker_a", 403, 403),
        ("worker_b", 403, 403),
        ("part_time_a", 403, 403),
        ("dept", 403, 200),
        ("dept_sz", 403, 200),
        ("resident", 403, 403),
        ("resident_b", 403, 403),
    ],
)
def test_it_opens_the_queue_and_inbox_only_to_their_roles(ew, login, username, queue, inbox):
    client = login(username)
    assert client.get("/events/queue/").status_code == queue
    assert client.get("/events/inbox/").status_code == inbox
    assert client.get("/events/mine/").status_code == 200
    assert client.get("/events/new/").status_code == 200
    # /events/ opens the list the user works from.
    landing = "queue" if queue == 200 else "inbox" if inbox == 200 else "mine"
    response = client.get("/events/")
    assert response.status_code == 302 and response.url == f"/events/{landing}/"


def test_it_sends_anonymous_visitors_to_the_login_page(ew, client):
    event = report(ew)
    for path in ("/events/", "/events/queue/", "/events/inbox/", "/events/mine/", "/events/new/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get(f"/events/{event.pk}/").status_code == 302
    response = client.post(f"/events/{event.pk}/register/", {"version": 1})
    assert response.status_code == 302
    assert fresh(event).state == "reported"


def test_it_refuses_reporting_to_a_user_without_a_role(ew):
    nobody = do_create_user(username="nobody", password=PASSWORD, actor=None)
    client = Client()
    client.force_login(nobody, backend="wangge.accounts.backends.RoleBackend")
    assert client.get("/events/new/").status_code == 403
    assert "不属于您的工作范围" in html(client.get("/events/queue/"))


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("admin", True),
        ("district", True),
        ("street", True),
        ("community", True),
        ("worker_a", True),
        ("part_time_a", True),  # the event lies in the part-time worker's unit
        ("street_b", False),
        ("worker_a2", False),
        ("worker_b", False),
        ("dept", False),  # not dispatched to the department
        ("dept_sz", False),
        ("resident", False),
        ("other_district", False),
    ],
)
def test_it_shows_an_event_page_only_in_scope(ew, login, username, sees):
    event = report(ew)
    client = login(username)
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == (200 if sees else 404)
    if not sees:
        # Out of scope looks exactly like a missing event.
        missing = unmasked(client.get("/events/999999/")).replace("/events/999999/", "")
        assert unmasked(response).replace(f"/events/{event.pk}/", "") == missing


def test_it_gives_a_worker_of_grid_b_404_on_grid_a_even_when_posting(ew, login):
    event = report(ew)
    client = login("worker_b")
    assert client.get(f"/events/{event.pk}/").status_code == 404
    for slug in ("self-handle", "register", "verify", "escalate"):
        assert client.post(f"/events/{event.pk}/{slug}/", {"version": 1}).status_code == 404
    assert fresh(event).version == 1


def test_it_opens_a_dispatched_event_to_its_department_only(ew, login):
    event = dispatched(ew, department="cg")
    assert login("dept").get(f"/events/{event.pk}/").status_code == 200
    assert login("dept_sz").get(f"/events/{event.pk}/").status_code == 404


def test_it_shows_a_resident_their_own_report(ew, login):
    event = report(ew, username="resident", reporter_contact="13812341234")
    response = login("resident").get(f"/events/{event.pk}/")
    assert response.status_code == 200
    assert offered(response) == []
    assert login("resident_b").get(f"/events/{event.pk}/").status_code == 404


# --- the command-centre queue -------------------------------------------------------------------


def test_it_lists_only_the_events_of_the_users_area_in_the_queue(ew, login):
    a = report(ew)
    b = report(ew, username="worker_b", point=POINT_B)
    assert set(event_ids(login("district").get("/events/queue/"))) == {a.pk, b.pk}
    assert event_ids(login("street").get("/events/queue/")) == [a.pk]
    assert event_ids(login("community").get("/events/queue/")) == [a.pk]
    assert event_ids(login("street_b").get("/events/queue/")) == [b.pk]
    assert event_ids(login("other_district").get("/events/queue/")) == []


def test_it_filters_the_queue(ew, login):
    a = registered(ew)
    b = report(ew, username="worker_b", point=POINT_B, category="0101")
    a2 = report(ew, username="resident", point=POINT_A2)
    client = login("district")
    assert set(event_ids(client.get("/events/queue/?state=registered"))) == {a.pk}
    assert set(event_ids(client.get("/events/queue/?state=reported"))) == {b.pk, a2.pk}
    assert set(event_ids(client.get("/events/queue/?category=01"))) == {b.pk}
    assert set(event_ids(client.get("/events/queue/?category=0601"))) == {a.pk, a2.pk}
    assert set(event_ids(client.get("/events/queue/?under=440704002"))) == {b.pk}
    assert set(event_ids(client.get(f"/events/queue/?under={GRID_A2}"))) == {a2.pk}
    assert set(event_ids(client.get("/events/queue/?source=resident"))) == {a2.pk}
    assert set(event_ids(client.get("/events/queue/?overdue=1"))) == set()
    Event.objects.filter(pk=b.pk).update(overdue=True)
    assert set(event_ids(client.get("/events/queue/?overdue=1"))) == {b.pk}
    # A value that does not parse is left out rather than failing the page.
    assert set(event_ids(client.get("/events/queue/?state=nonsense&under=12"))) == {
        a.pk,
        b.pk,
        a2.pk,
    }
    # Closed and rejected events leave the default ("to do") view.
    actions.do_reject_event(fresh(b), actor=ew["street_b"], reason="重复上报")
    assert b.pk not in event_ids(client.get("/events/queue/"))
    assert b.pk in event_ids(client.get("/events/queue/?state=all"))


def test_it_offers_the_area_filter_down_two_levels(ew, login):
    page = html(login("district").get("/events/queue/"))
    assert 'value="440704001"' in page and 'value="440704001001"' in page
    assert f'value="{GRID_A}"' not in page  # three levels down: too many to list
    page = html(login("community").get("/events/queue/"))
    assert f'value="{GRID_A}"' in page and f'value="{GRID_A}001"' not in page
    assert 'value="440704002' not in page


def test_it_loads_the_queue_list_as_a_fragment_for_htmx(ew, login):
    report(ew)
    response = login("street").get("/events/queue/?state=reported", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in html(response)
    assert 'id="queue-list"' in html(response)


def test_it_pages_the_queue_in_a_bounded_number_of_queries(ew, login):
    for _ in range(3):
        registered(ew)
    client = login("district")

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count("/events/queue/")
    for i in range(30):
        if i % 2:
            registered(ew, point=POINT_A2)
        else:
            dispatched(ew)
    many = count("/events/queue/")
    assert many == few
    assert many <= 16
    assert count("/events/queue/?page=2") == few
    assert len(event_ids(client.get("/events/queue/"))) == 20


def test_it_dispatches_several_events_at_once_and_reports_each(ew, login):
    a1 = registered(ew)
    a2 = registered(ew, point=POINT_A2)
    not_yet = report(ew)
    elsewhere = registered(ew, point=POINT_B, street="street_b")
    client = login("street")
    page = html(client.get("/events/queue/"))
    assert f'name="ids" value="{a1.pk}"' in page and f'name="ids" value="{a2.pk}"' in page
    assert f'name="ids" value="{not_yet.pk}"' not in page  # only registered events

    response = client.post(
        "/events/queue/dispatch/",
        {
            "ids": [a1.pk, a2.pk, not_yet.pk, elsewhere.pk],
            "department": "cg",
            "next": "/events/queue/?state=registered",
        },
    )
    assert response.status_code == 302 and response.url == "/events/queue/?state=registered"
    assert fresh(a1).state == fresh(a2).state == "dispatched"
    assert fresh(a1).current_department.code == "cg"
    assert fresh(not_yet).state == "reported"
    assert fresh(elsewhere).state == "registered"
    shown = html(client.get(response.url))
    assert f"{a1.number}" in shown and "城管局" in shown
    assert "事件当前状态为「已上报」，不能派遣" in shown
    assert f"事件 {elsewhere.pk}：不存在或不在您的范围内" in shown
    assert "派遣成功 2 件，失败 2 件" in shown


def test_it_dispatches_to_each_categorys_default_department(ew, login):
    event = registered(ew)
    client = login("street")
    client.post("/events/queue/dispatch/", {"ids": [event.pk], "department": ""})
    assert fresh(event).current_department.code == "sz"  # 井盖 → 市政


def test_it_refuses_bulk_dispatch_without_a_selection_or_a_queue(ew, login):
    event = registered(ew)
    street = login("street")
    response = street.post("/events/queue/dispatch/", {"department": "cg"})
    assert response.status_code == 302
    assert "请选择要派遣的事件" in html(street.get("/events/queue/"))
    response = login("worker_a").post("/events/queue/dispatch/", {"ids": [event.pk]})
    assert response.status_code == 403
    assert fresh(event).state == "registered"


# --- the event page and its actions ------------------------------------------------------------


def test_it_shows_the_event_with_its_facts_and_masked_contact(ew, login):
    event = report(ew, username="resident", reporter_contact="13812341234", address="礼华街 12 号")
    response = login("street").get(f"/events/{event.pk}/")
    page = html(response)
    assert event.number in page and event.title in page
    assert 'data-testid="state">已上报<' in page
    assert "138****1234" in page and "13812341234" not in page
    assert "礼华街 12 号" in page and "东一网格" in page
    assert f'data-point="{POINT_A[0]},{POINT_A[1]}"' in page
    assert f'data-geojson="/area/{GRID_A}/geojson/"' in page


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("street", {"register", "reject", "supervise", "escalate"}),
        ("district", {"register", "reject", "supervise", "escalate"}),
        ("community", {"escalate"}),  # the event is handled at street level
        ("worker_a", {"self-handle"}),
        ("part_time_a", set()),
        ("admin", {"register", "reject", "self-handle", "supervise", "escalate"}),
    ],
)
def test_it_offers_only_the_actions_of_the_user_and_state(ew, login, username, expected):
    event = report(ew)
    assert set(offered(login(username).get(f"/events/{event.pk}/"))) == expected


def test_it_offers_departments_accept_and_send_back_only(ew, login):
    event = dispatched(ew)
    assert set(offered(login("dept").get(f"/events/{event.pk}/"))) == {"accept", "send-back"}
    assert set(offered(login("street").get(f"/events/{event.pk}/"))) == {"supervise", "escalate"}


def test_it_runs_an_event_through_the_page_forms(ew, login):
    event = report(ew, reporter_contact="13812341234")
    street, dept, worker = login("street"), login("dept"), login("worker_a")

    def post(client, slug, data, version=True):
        body = dict(data)
        if version:
            body["version"] = fresh(event).version
        response = client.post(f"/events/{event.pk}/{slug}/", body)
        assert response.status_code == 302, html(response)
        return response

    response = post(street, "register", {"category": "0601", "note": "符合立案条件"})
    assert response.url == f"/events/{event.pk}/"
    assert "「立案」已完成" in html(street.get(response.url))
    post(street, "dispatch", {"department": "cg"})
    assert fresh(event).current_department.code == "cg"
    response = post(dept, "accept", {"note": "马上安排", "next": "/events/inbox/"})
    assert response.url == "/events/inbox/"
    assert 'data-action="decide-extension"' not in html(street.get(f"/events/{event.pk}/"))
    post(dept, "request-extension", {"amount": "2", "unit": "working_days", "reason": "需采购"})
    extension = fresh(event).extensions.get()
    page = html(street.get(f"/events/{event.pk}/"))
    assert 'data-action="decide-extension"' in page and "需采购" in page
    # One request at a time.
    assert "request-extension" not in offered(dept.get(f"/events/{event.pk}/"))
    post(street, "decide-extension", {"extension_id": extension.pk, "approve": "1"})
    extension.refresh_from_db()
    assert extension.state == "granted"
    post(dept, "feedback", {"note": "已更换井盖"})
    post(worker, "verify", {"passed": "0", "note": "仍有异响"})
    assert fresh(event).state == "handling" and fresh(event).rework_count == 1
    post(dept, "feedback", {"note": "已加装减震垫"})
    post(worker, "verify", {"passed": "1", "note": "现场核实无异响"})
    assert fresh(event).state == "closed"
    post(
        street,
        "return-visit",
        {"contacted": "1", "solved": "1", "satisfaction": "satisfied", "note": "满意"},
    )
    event = fresh(event)
    assert event.satisfaction == "satisfied"

    page = html(street.get(f"/events/{event.pk}/"))
    steps = list(EventStep.objects.filter(event=event))
    assert page.count('class="tl-item') == len(steps) == 11
    assert "已上报 → 已立案" in page and "已派遣 → 处置中" in page
    assert "东街道指挥中心" in page and "城管局" in page and "张伟" in page
    assert "派往 城管局" in page  # the dispatch step names the department
    assert "仍有异响" in page and "核查不通过，返工" in page
    assert 'data-testid="visit"' in page and 'data-testid="extensions"' in page


def test_it_summons_departments_and_lets_each_report_in(ew, login):
    event = registered(ew)
    street = login("street")
    response = street.post(
        f"/events/{event.pk}/summon/",
        {"version": fresh(event).version, "departments": ["cg", "sz"], "note": "多部门联合处置"},
    )
    assert response.status_code == 302
    assert fresh(event).state == "joint"
    for username in ("dept", "dept_sz"):
        client = login(username)
        assert username and event.pk in event_ids(client.get("/events/inbox/"))
        assert set(offered(client.get(f"/events/{event.pk}/"))) == {"report-in"}
        assert client.post(f"/events/{event.pk}/report-in/", {}).status_code == 302
        assert set(offered(client.get(f"/events/{event.pk}/"))) == {"complete-part"}
        response = client.post(f"/events/{event.pk}/complete-part/", {"note": "本部门已完成"})
        assert response.status_code == 302
    assert fresh(event).state == "handled"
    assert 'data-testid="parts"' in html(street.get(f"/events/{event.pk}/"))


def test_it_lets_a_grid_worker_close_on_the_spot(ew, login):
    event = report(ew)
    response = login("worker_a").post(
        f"/events/{event.pk}/self-handle/", {"version": 1, "note": "已当场处理"}
    )
    assert response.status_code == 302
    assert fresh(event).state == "closed" and fresh(event).self_handled


def test_it_shows_action_errors_by_field_and_stores_nothing(ew, login):
    event = dispatched(ew)
    steps = EventStep.objects.filter(event=event).count()
    client = login("dept")
    response = client.post(f"/events/{event.pk}/send-back/", {"version": event.version})
    assert response.status_code == 422
    page = html(response)
    assert "请填写退单理由" in page
    assert re.search(r'<details class="act [^"]*" open data-action="send-back"', page)
    assert fresh(event).state == "dispatched"
    assert EventStep.objects.filter(event=event).count() == steps

    street = login("street")
    other = report(ew)
    response = street.post(f"/events/{other.pk}/reject/", {"version": 1, "duplicate_of": "123"})
    assert response.status_code == 422
    assert "请填写不予立案的理由" in html(response)
    response = street.post(
        f"/events/{other.pk}/reject/",
        {"version": 1, "reason": "重复", "duplicate_of": "4407040000000000000"},
    )
    assert response.status_code == 422 and "重复的事件不存在" in html(response)
    response = street.post(
        f"/events/{other.pk}/reject/",
        {"version": 1, "reason": "重复", "duplicate_of": event.number},
    )
    assert response.status_code == 302 and fresh(other).duplicate_of_id == event.pk


def test_it_shows_form_parse_errors_in_chinese(ew, login):
    event = dispatched(ew)
    actions.do_accept_event(event, actor=ew["dept"])
    response = login("dept").post(
        f"/events/{event.pk}/request-extension/",
        {"version": fresh(event).version, "amount": "两天", "reason": "x"},
    )
    assert response.status_code == 422
    assert "输入整数" in html(response)
    assert not fresh(event).extensions.exists()


def test_it_says_when_somebody_else_handled_the_event_first(ew, login):
    event = report(ew)
    seen = event.version
    actions.do_register_event(fresh(event), actor=ew["district"])
    steps = EventStep.objects.filter(event=event).count()
    response = login("street").post(f"/events/{event.pk}/register/", {"version": seen})
    assert response.status_code == 409
    page = html(response)
    assert STALE in page
    assert 'data-testid="state">已立案<' in page  # the page shows the event as it is now
    assert EventStep.objects.filter(event=event).count() == steps

    # The same through htmx: the part of the page is swapped in with the message.
    response = login("street").post(
        f"/events/{event.pk}/register/", {"version": seen}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and STALE in html(response)
    assert "<html" not in html(response)


def test_it_refuses_an_action_that_is_not_the_users(ew, login):
    event = report(ew)
    response = login("worker_a").post(f"/events/{event.pk}/register/", {"version": 1})
    assert response.status_code == 403
    assert "您无权对该事件执行「立案」" in html(response)
    assert fresh(event).state == "reported"
    assert login("street").post(f"/events/{event.pk}/nonsense/", {}).status_code == 404
    assert login("street").get(f"/events/{event.pk}/register/").status_code == 405


def test_it_answers_htmx_actions_with_the_event_part(ew, login):
    event = report(ew)
    response = login("street").post(
        f"/events/{event.pk}/register/", {"version": 1}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    page = html(response)
    assert "<html" not in page and 'id="event-body"' in page
    assert "「立案」已完成" in page and 'data-testid="state">已立案<' in page
    assert fresh(event).state == "registered"


# --- the department inbox -----------------------------------------------------------------------


def test_it_shows_a_department_only_its_own_events_in_the_inbox(ew, login):
    mine = dispatched(ew, department="cg")
    theirs = dispatched(ew, department="sz")
    assert event_ids(login("dept").get("/events/inbox/")) == [mine.pk]
    assert event_ids(login("dept_sz").get("/events/inbox/")) == [theirs.pk]
    assert event_ids(login("dept_zj").get("/events/inbox/")) == []

    # Holding a node role as well never brings the node's events into the inbox.
    do_assign_role(
        user=ew["dept_sz"], role="community_staff", region=ew.regions["440704001001"], actor=None
    )
    ew["dept_sz"].refresh_from_db()
    assert event_ids(login("dept_sz").get("/events/inbox/")) == [theirs.pk]

    # Sent back and re-dispatched, the event moves to the other department.
    actions.do_send_back_event(fresh(mine), actor=ew["dept"], reason="非本部门职责")
    actions.do_redispatch_event(fresh(mine), actor=ew["street"], department="sz")
    assert event_ids(login("dept").get("/events/inbox/?show=all")) == []
    assert set(event_ids(login("dept_sz").get("/events/inbox/"))) == {mine.pk, theirs.pk}


def test_it_accepts_and_sends_back_from_the_inbox(ew, login):
    first = dispatched(ew)
    second = dispatched(ew)
    client = login("dept")
    page = html(client.get("/events/inbox/"))
    assert page.count('data-testid="accept"') == 2
    response = client.post(
        f"/events/{first.pk}/accept/", {"version": fresh(first).version, "next": "/events/inbox/"}
    )
    assert response.status_code == 302 and response.url == "/events/inbox/"
    response = client.post(
        f"/events/{second.pk}/send-back/",
        {"version": fresh(second).version, "reason": "非本部门职责", "next": "/events/inbox/"},
    )
    assert response.url == "/events/inbox/"
    assert fresh(first).state == "handling" and fresh(second).state == "sent_back"
    assert event_ids(client.get("/events/inbox/")) == [first.pk]
    assert set(event_ids(client.get("/events/inbox/?show=all"))) == {first.pk, second.pk}
    # An address elsewhere is never followed.
    third = dispatched(ew)
    response = client.post(
        f"/events/{third.pk}/accept/",
        {"version": fresh(third).version, "next": "https://evil.test/"},
    )
    assert response.url == f"/events/{third.pk}/"


# --- my events and reporting ----------------------------------------------------------------------


def test_it_lists_my_grid_with_verification_first(ew, login):
    mine = report(ew)
    handled = dispatched(ew)
    actions.do_accept_event(fresh(handled), actor=ew["dept"])
    actions.do_feedback_event(fresh(handled), actor=ew["dept"], note="已处理")
    other_grid = report(ew, username="worker_b", point=POINT_B)
    by_resident = report(ew, username="resident")

    response = login("worker_a").get("/events/mine/")
    page = html(response)
    verify = page[page.index('data-testid="to-verify"') : page.index('data-testid="mine"')]
    assert f'data-event="{handled.pk}"' in verify
    assert set(event_ids(response)) == {mine.pk, handled.pk, by_resident.pk}
    assert other_grid.pk not in event_ids(response)
    assert event_ids(login("worker_b").get("/events/mine/")) == [other_grid.pk]
    # A resident's "my events" is what they reported.
    assert event_ids(login("resident").get("/events/mine/")) == [by_resident.pk]


def test_it_reports_an_event_once_per_form(ew, login):
    client = login("worker_a")
    page = html(client.get("/events/new/"))
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)
    assert "<optgroup" in page and "非网格事项" not in page
    body = {
        "category": "0602",
        "title": "路灯不亮",
        "description": "三盏路灯夜里不亮",
        "lng": str(POINT_A[0]),
        "lat": str(POINT_A[1]),
        "address": "礼华街",
        "request_id": request_id,
    }
    first = client.post("/events/new/", body)
    assert first.status_code == 302
    event = Event.objects.get()
    assert first.url == f"/events/{event.pk}/"
    assert event.region_code == GRID_A + "001" and event.source == "grid_worker"
    assert "已上报，编号" in html(client.get(first.url))
    again = client.post("/events/new/", body)
    assert again.status_code == 302 and again.url == first.url
    assert Event.objects.count() == 1
    assert "已经上报过" in html(client.get(again.url))


def test_it_shows_report_errors_by_field_and_stores_nothing(ew, login):
    client = login("worker_a")
    response = client.post("/events/new/", {"request_id": "r1"})
    assert response.status_code == 422
    page = html(response)
    assert "请选择事件类型" in page
    assert "请描述问题" in page
    assert "请在地图上点选问题所在位置，或使用当前位置" in page
    response = client.post(
        "/events/new/",
        {
            "category": "0601",
            "description": "x",
            "lng": str(POINT_OUTSIDE[0]),
            "lat": str(POINT_OUTSIDE[1]),
        },
    )
    assert response.status_code == 422
    assert html(response).count("该位置不在您可上报的网格范围内") == 1
    # The place the user picked is kept for the next try.
    assert f'value="{POINT_OUTSIDE[0]}"' in html(response)
    response = client.post(
        "/events/new/", {"category": "0601", "description": "x", "lng": "东经", "lat": "1"}
    )
    assert response.status_code == 422
    response = client.post(
        "/events/new/",
        {"category": "0601", "description": "x", "lng": str(POINT_B[0]), "lat": str(POINT_B[1])},
    )
    assert "该位置不在您可上报的网格范围内" in html(response)  # grid B is not worker A's
    assert not Event.objects.exists()


def test_it_centres_the_report_map_on_the_users_area(ew, login):
    assert f'data-geojson="/area/{GRID_A}/geojson/"' in html(login("worker_a").get("/events/new/"))
    assert 'data-geojson="/area/440704/geojson/"' in html(login("resident").get("/events/new/"))
    assert 'data-geojson="/area/440704/geojson/"' in html(login("dept").get("/events/new/"))


# --- landing pages and the menu -----------------------------------------------------------------------


def nav(response):
    return re.findall(r'data-nav="([a-z]+)"', html(response))


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("worker_a", ["home", "today", "mine", "basedata", "new", "all"]),
        ("part_time_a", ["home", "today", "mine", "basedata", "new", "all"]),
        ("street", ["home", "queue", "map", "new", "all"]),
        ("community", ["home", "queue", "basedata", "map", "new", "all"]),
        ("dept", ["home", "inbox", "map", "new", "all"]),
        ("resident", ["home", "mine", "new", "all"]),
        ("admin", ["home", "queue", "inbox", "basedata", "map", "new", "all"]),
    ],
)
def test_it_links_each_role_to_its_event_pages(ew, login, username, expected):
    response = login(username).get("/events/mine/")
    assert nav(response) == expected
    assert 'data-nav="mine" aria-current="page"' in html(response) or "mine" not in expected


def test_it_counts_my_events_on_the_grid_page(ew, login):
    report(ew)
    handled = dispatched(ew)
    actions.do_accept_event(fresh(handled), actor=ew["dept"])
    actions.do_feedback_event(fresh(handled), actor=ew["dept"], note="已处理")
    response = login("worker_a").get(f"/grid/{GRID_A}/")
    assert response.context["events"]["counts"] == {
        "to_verify": 1,
        "open": 2,
        "reported_by_me": 2,
    }
    assert 'href="/events/mine/"' in html(response)


def test_it_counts_the_queue_on_the_area_page(ew, login):
    report(ew)
    registered(ew)
    report(ew, username="worker_b", point=POINT_B)
    response = login("street").get("/area/440704001/")
    counts = response.context["events"]["counts"]
    assert (counts["reported"], counts["registered"], counts["open"]) == (1, 1, 2)
    assert 'href="/events/queue/?under=440704001"' in html(response)


def test_it_shows_the_inbox_on_a_departments_page(ew, login):
    event = dispatched(ew)
    response = login("dept").get("/me/")
    assert response.context["inbox"]["counts"]["to_accept"] == 1
    page = html(response)
    assert f'data-event="{event.pk}"' in page and 'data-testid="accept"' in page
    assert 'data-testid="events-empty"' in html(login("dept_sz").get("/me/"))


def test_it_shows_a_resident_their_reports_on_their_page(ew, login):
    event = report(ew, username="resident")
    page = html(login("resident").get("/me/"))
    assert f'data-event="{event.pk}"' in page and 'href="/events/new/"' in page
    assert 'data-testid="events-empty"' in html(login("resident_b").get("/me/"))


def test_it_reads_an_event_page_in_a_bounded_number_of_queries(ew, login):
    event = registered(ew)
    actions.do_summon_event(fresh(event), actor=ew["street"], departments=["cg", "sz"], note="联办")
    client = login("street")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/events/{event.pk}/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for username in ("dept", "dept_sz"):
        actions.do_report_in_event(fresh(event), actor=ew[username])
        actions.do_supervise_event(fresh(event), actor=ew["street"], note="请加快")
    assert count() == before <= 12


def test_it_shows_the_pages_in_english_when_chosen(ew, login):
    event = dispatched(ew)
    client = login("dept")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get("/events/inbox/"))
    assert "Inbox" in page and "To accept" in page
    page = html(client.get(f"/events/{event.pk}/"))
    assert "What you can do" in page and "Timeline" in page
    # The state, the source and the steps of the timeline are named in English too.
    assert "Dispatched" in page and "已派遣" not in page
    assert "Report" in page and "Dispatch" in page and "派遣" not in page
    api = client.get(f"/api/v1/events/{event.pk}").json()
    assert api["state_label"] == "Dispatched"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "已派遣" in html(client.get(f"/events/{event.pk}/"))
