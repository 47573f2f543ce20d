"""Joining instead of reporting again, in a real browser on the demo seed (``pytest -m browser``)."""

import re

import pytest

from wangge.accounts.models import Assignment
from wangge.events import actions
from wangge.events.models import EventFollower
from wangge.regions.models import Region
from wangge.web.tests import test_browser as web

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
demo = web.demo
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_the_report_form_offers_a_nearby_event_and_joins_it(browser, live_server, demo):
    from wangge.demo.seed import DEMO_DISTRICT
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(DEMO_DISTRICT)
    grid = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker").region
    here = Region.objects.filter(parent=grid).order_by("code").last()
    existing = actions.do_report_event(
        actor=None,
        category="0602",
        title="路灯不亮（已有上报）",
        description="三盏路灯夜里不亮",
        lng=here.point_lng + 0.0005,
        lat=here.point_lat,
    ).event
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
        page.goto(f"{live_server.url}/events/new/")
        page.locator("#report-map path.map-node").wait_for()
        page.select_option("select[name=category]", "0602")
        page.locator("[data-locate-for=report-map]").click()
        item = page.locator(f"[data-testid=nearby-item][data-number='{existing.number}']")
        item.wait_for()
        assert "路灯不亮（已有上报）" in item.inner_text()
        assert web.no_horizontal_overflow(page), "the nearby list scrolls sideways on a phone"
        page.fill("textarea[name=description]", "我这边也看到了")
        item.locator("[data-testid=join]").click()
        page.wait_for_url(re.compile(rf"/events/{existing.pk}/$"))
        follower = EventFollower.objects.get(event=existing)
        assert follower.user.username == demo.worker
        assert existing.steps.filter(action="join", note="我这边也看到了").exists()
        assert errors == []
        assert outside == []
    finally:
        context.close()
