"""The event pages in a real browser (Debian's chromium through Playwright), on the demo seed.

A street's command centre registers and dispatches an event on its page; the
department then finds it in its inbox and accepts it.  Screenshots land in
test-results/.  Run alone with ``pytest -m browser``.
"""

import re

import pytest

from wangge.accounts.models import Assignment, Department
from wangge.events import actions
from wangge.events.models import Event
from wangge.regions.models import Region
from wangge.web.tests import test_browser as web

# The same chromium, helpers and worker as the other browser tests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
demo = web.demo
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def reported_by_worker(demo):
    """The demo district's catalogue, and one event reported by worker1 in the first grid."""
    from wangge.demo.seed import DEMO_DISTRICT
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(DEMO_DISTRICT)
    worker = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker")
    unit = Region.objects.filter(parent=worker.region).order_by("code").first()
    return actions.do_report_event(
        actor=worker.user,
        category="0101",  # 暴露垃圾
        title="路口垃圾堆放",
        description="十字路口东北角堆了几袋生活垃圾，已经两天没人清运",
        lng=unit.point_lng,
        lat=unit.point_lat,
        address="路口东北角",
        reporter_contact="13812341234",
    ).event


def shot(page, name, *, full_page=True):
    web.RESULTS.mkdir(exist_ok=True)
    if full_page:
        # From the top, so that the sticky bars sit where a reader expects them.
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=web.RESULTS / name, full_page=full_page)


def sign_out(page):
    page.locator("form.logout button").click()
    page.wait_for_url("**/login/**")


def test_it_registers_dispatches_and_accepts_an_event_through_the_pages(browser, live_server, demo):
    event = reported_by_worker(demo)
    cg = Department.objects.get(district__code=event.district_code, code="cg")
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        # The street's command centre finds the event in its queue.
        web.sign_in(page, live_server, demo.street, demo.password)
        page.wait_for_url(f"{live_server.url}/area/**")
        page.locator("[data-testid=nav] [data-nav=queue]").click()
        page.wait_for_url(f"{live_server.url}/events/queue/")
        row = page.locator(f"[data-testid=events] li[data-event='{event.pk}']")
        assert "路口垃圾堆放" in row.inner_text()
        assert web.no_horizontal_overflow(page), "the queue scrolls sideways on a phone"
        shot(page, "events-queue-phone.png")
        row.locator("a.ev-link").click()
        page.wait_for_url(f"{live_server.url}/events/{event.pk}/")

        # The event page: where it is, what it is, the masked contact.
        page.locator(".ev-map .leaflet-marker-icon").wait_for()
        page.locator(".ev-map path.map-node").wait_for()
        assert page.locator("[data-testid=contact]").inner_text() == "138****1234"
        state = page.locator("[data-testid=state]")
        assert state.inner_text() == "已上报"
        assert web.no_horizontal_overflow(page), "the event page scrolls sideways on a phone"
        shot(page, "events-detail-reported-phone.png")
        shot(page, "events-detail-first-screen-phone.png", full_page=False)

        # 立案 (htmx swaps the event in place), then 派遣 to 城管.
        page.locator("details[data-action=register] > summary").click()
        page.locator("details[data-action=register] button[type=submit]").click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=state]').textContent === '已立案'"
        )
        assert "「立案」已完成" in page.locator("[data-testid=messages]").inner_text()
        dispatch = page.locator("details[data-action=dispatch]")
        dispatch.locator("summary").click()
        dispatch.locator("select[name=department]").select_option("cg")
        shot(page, "events-detail-dispatch-phone.png")
        dispatch.locator("button[type=submit]").click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=state]').textContent === '已派遣'"
        )
        assert page.locator("[data-testid=department]").inner_text() == cg.name
        timeline = page.locator("[data-testid=timeline] li")
        assert timeline.count() == 3
        assert "已立案 → 已派遣" in timeline.nth(2).inner_text()
        assert web.no_horizontal_overflow(page)
        shot(page, "events-detail-dispatched-phone.png")
        sign_out(page)

        # The department finds it in its inbox and accepts it.
        web.sign_in(page, live_server, "dept-cg", demo.password)
        page.wait_for_url(f"{live_server.url}/me/")
        assert page.locator(f"[data-testid=inbox-preview] li[data-event='{event.pk}']").count() == 1
        shot(page, "events-department-home-phone.png")
        page.locator("[data-testid=nav] [data-nav=inbox]").click()
        page.wait_for_url(f"{live_server.url}/events/inbox/")
        row = page.locator(f"[data-testid=events] li[data-event='{event.pk}']")
        assert "路口垃圾堆放" in row.inner_text()
        assert web.no_horizontal_overflow(page), "the inbox scrolls sideways on a phone"
        shot(page, "events-inbox-phone.png")
        row.locator("[data-testid=accept]").click()
        page.wait_for_url(f"{live_server.url}/events/inbox/")
        assert "「受理」已完成" in page.locator("[data-testid=messages]").inner_text()
        # Still the department's work, now being handled: nothing left to accept.
        row = page.locator(f"[data-testid=events] li[data-event='{event.pk}']")
        assert row.get_attribute("data-state") == "handling"
        assert row.locator("[data-testid=accept]").count() == 0
        shot(page, "events-inbox-accepted-phone.png")

        event = Event.objects.get(pk=event.pk)
        assert event.state == "handling" and event.current_department == cg
        page.goto(f"{live_server.url}/events/{event.pk}/")
        assert page.locator("[data-testid=state]").inner_text() == "处置中"
        assert set(
            page.locator("[data-testid=actions] details").evaluate_all(
                "els => els.map(e => e.dataset.action)"
            )
        ) == {"request-extension", "feedback"}
        shot(page, "events-detail-handling-phone.png")
        assert errors == []
        assert outside == []
    finally:
        context.close()


def test_it_reports_an_event_from_a_phone_with_a_map_pin(browser, live_server, demo):
    from wangge.demo.seed import DEMO_DISTRICT
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(DEMO_DISTRICT)
    grid = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker").region
    here = Region.objects.filter(parent=grid).order_by("code").last()
    context, page, errors, outside = web.open_page(
        browser,
        live_server,
        web.PHONE,
        geolocation={"latitude": here.point_lat, "longitude": here.point_lng},
        permissions=["geolocation"],
        **PHONE_OPTIONS,
    )
    try:
        web.sign_in(page, live_server, demo.worker, demo.password)
        page.wait_for_url(f"{live_server.url}/grid/{grid.code}/")
        assert page.locator("[data-testid=events-card]").count() == 1
        page.locator("[data-testid=nav] [data-nav=new]").click()
        page.wait_for_url(f"{live_server.url}/events/new/")
        page.locator("#report-map path.map-node").wait_for()
        page.select_option("select[name=category]", "0602")
        # "Use my location" puts the pin where the phone is ...
        page.locator("[data-locate-for=report-map]").click()
        page.locator("#report-map .leaflet-marker-icon").wait_for()
        assert float(page.input_value("#id_lng")) == pytest.approx(here.point_lng, abs=1e-6)
        assert float(page.input_value("#id_lat")) == pytest.approx(here.point_lat, abs=1e-6)
        # ... and a tap in the middle of the grid moves it there.
        box = page.locator("#report-map").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function(
            f"() => Math.abs(Number(document.querySelector('#id_lng').value) - {here.point_lng})"
            " > 1e-6"
        )
        page.fill("textarea[name=description]", "三盏路灯夜里不亮")
        page.fill("input[name=address]", "礼华街口")
        assert web.no_horizontal_overflow(page), "the report form scrolls sideways on a phone"
        shot(page, "events-report-phone.png")
        page.locator("[data-testid=submit]").dblclick()
        page.wait_for_url(re.compile(r"/events/\d+/$"))
        assert Event.objects.count() == 1  # a double tap stores it once
        event = Event.objects.get()
        assert event.grid_code == grid.code and event.category.code == "0602"
        assert "已上报" in page.locator("[data-testid=messages]").inner_text()
        assert set(
            page.locator("[data-testid=actions] details").evaluate_all(
                "els => els.map(e => e.dataset.action)"
            )
        ) == {"self-handle"}
        page.locator("[data-testid=nav] [data-nav=mine]").click()
        page.wait_for_url(f"{live_server.url}/events/mine/")
        assert page.locator(f"li[data-event='{event.pk}']").count() == 1
        shot(page, "events-mine-phone.png")
        assert errors == []
        assert outside == []
    finally:
        context.close()


def test_it_shows_the_queue_and_an_event_side_by_side_on_a_desktop(browser, live_server, demo):
    event = reported_by_worker(demo)
    for _ in range(21):  # two pages of the queue
        reported_by_worker(demo)
    context, page, errors, outside = web.open_page(browser, live_server, web.DESKTOP)
    try:
        web.sign_in(page, live_server, "district", demo.password)
        page.wait_for_url(f"{live_server.url}/area/**")
        page.goto(f"{live_server.url}/events/queue/")
        # Filters apply at once (htmx) and the address follows them.
        page.select_option("select[name=state]", "registered")
        page.wait_for_url("**/events/queue/?*state=registered*")
        page.locator("[data-testid=events] .tree-empty").wait_for()
        page.select_option("select[name=state]", "reported")
        page.locator("[data-testid=events] li[data-event]").first.wait_for()
        assert page.locator("[data-testid=events] li[data-event]").count() == 20
        shot(page, "events-queue-desktop.png")
        # The next page comes in place, the filter kept (the first event is the oldest).
        page.locator(".pager a[rel=next]").click()
        page.wait_for_url("**/events/queue/?state=reported&page=2")
        page.locator(f"[data-testid=events] li[data-event='{event.pk}']").wait_for()
        assert page.locator("[data-testid=events] li[data-event]").count() == 2
        assert page.locator("select[name=state]").input_value() == "reported"
        page.goto(f"{live_server.url}/events/{event.pk}/")
        page.locator(".ev-map .leaflet-marker-icon").wait_for()
        shot(page, "events-detail-desktop.png")
        assert errors == []
        assert outside == []
    finally:
        context.close()
