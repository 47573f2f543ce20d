"""The resident portal in a real browser on a phone-sized viewport (Debian's chromium).

A resident signs in with an SMS code (read from the outbox, as a test gateway
would), picks a plain-language choice, takes a photo, uses the phone's location,
is shown the open event of the same kind nearby, reports anyway and lands on
the tracking page.  Screenshots land in test-results/.  Run alone with
``pytest -m browser``.
"""

import io
import re

import pytest
from PIL import Image

from wangge.accounts.models import Assignment
from wangge.events import actions as event_actions
from wangge.events.models import Event
from wangge.portal.plain import seed_plain_choices
from wangge.regions.models import Region
from wangge.web.tests import test_browser as web

from .conftest import last_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
demo = web.demo
PHONE_NUMBER = "13912345678"


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (64, 48), (90, 90, 90))
    image.putpixel((10, 10), (255, 255, 255))
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def shot(page, name):
    web.RESULTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=web.RESULTS / name, full_page=True)


def test_a_resident_reports_with_a_photo_and_sees_the_tracking_page(browser, live_server, demo):
    from wangge.demo.seed import DEMO_DISTRICT
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(DEMO_DISTRICT)
    seed_plain_choices()
    worker = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker")
    unit = Region.objects.filter(parent=worker.region).order_by("code").first()
    # Somebody already reported a loose manhole cover here.
    earlier = event_actions.do_report_event(
        actor=worker.user,
        category="0601",
        title="井盖松动",
        description="路口井盖松动",
        lng=unit.point_lng + 0.0003,
        lat=unit.point_lat,
    ).event

    context, page, errors, outside = web.open_page(
        browser,
        live_server,
        web.PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        geolocation={"latitude": unit.point_lat, "longitude": unit.point_lng},
        permissions=["geolocation"],
    )
    try:
        # The staff login page leads residents to the portal.
        page.goto(f"{live_server.url}/login/")
        page.locator("[data-testid=resident-login]").click()
        page.wait_for_url(f"{live_server.url}/portal/login/")
        page.fill("input[name=phone]", PHONE_NUMBER)
        page.locator("[data-testid=send-code]").click()
        page.locator("[data-testid=code-form]").wait_for()
        assert "139****5678" in page.locator("[data-testid=sent]").inner_text()
        code = last_code(PHONE_NUMBER)
        page.fill("input[name=code]", code)
        shot(page, "portal-login-phone.png")
        page.locator("[data-testid=verify]").click()
        page.wait_for_url(f"{live_server.url}/portal/")
        assert page.locator("[data-testid=own-empty]").is_visible()

        page.locator("[data-testid=report]").click()
        page.wait_for_url(f"{live_server.url}/portal/report/")
        page.locator("label.portal-choice", has_text="井盖松动、破损或丢失").click()
        page.fill("#id_description", "礼华街有三个井盖松动，夜里车一过就哐哐响")
        page.set_input_files(
            "[data-testid=photos]",
            files=[{"name": "manhole.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}],
        )
        page.locator(".leaflet-container").first.wait_for()
        locate = page.locator("[data-testid=locate]")
        locate.wait_for()
        locate.click()
        page.wait_for_function("() => document.getElementById('id_lat').value !== ''")
        # The open event of the same kind nearby is offered to join.
        offered = page.locator(f"[data-testid=nearby-list] [data-number='{earlier.number}']")
        offered.wait_for()
        assert offered.locator("[data-testid=join]").is_visible()
        page.fill("#id_address", "礼华街 12 号对面")
        assert web.no_horizontal_overflow(page), "the report page scrolls sideways on a phone"
        shot(page, "portal-report-phone.png")

        page.locator("[data-testid=submit]").click()
        page.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/portal/track/\d+/"))
        event = Event.objects.exclude(pk=earlier.pk).get()
        assert page.locator("[data-testid=number]").inner_text() == event.number
        assert page.locator("[data-testid=state]").inner_text() == "已上报"
        photo = page.locator("[data-testid=photo]").first
        photo.wait_for()
        page.wait_for_function(
            "() => { const i = document.querySelector('[data-testid=photo]');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        assert event.attachments.count() == 1
        assert event.reporter_contact == PHONE_NUMBER
        assert abs(event.lat - unit.point_lat) < 1e-5
        assert web.no_horizontal_overflow(page), "the tracking page scrolls sideways on a phone"
        shot(page, "portal-track-phone.png")
        assert errors == []
        assert outside == []
    finally:
        context.close()
