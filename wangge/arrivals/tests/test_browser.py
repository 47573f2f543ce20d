"""The public arrival form in a real browser (Debian's chromium through Playwright), on a phone.

Somebody without an account picks the destination street → community → unit
(each select filled by htmx from the one above), fills the form and gets a
receipt; the grid worker then finds the follow-up.  Screenshots land in
test-results/.  Run alone with ``pytest -m browser``.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from wangge.arrivals.models import ArrivalReport
from wangge.testing import GRID_A, build_world
from wangge.web.tests import test_browser as web

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def shot(page, name):
    web.RESULTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=web.RESULTS / name, full_page=True)


def test_it_takes_an_arrival_report_on_a_phone(browser, live_server, transactional_db, settings):
    build_world()
    settings.ARRIVALS_MIN_FILL_SECONDS = 0
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        page.goto(f"{live_server.url}/arrivals/")
        page.select_option("#id_district", "440704")
        page.wait_for_selector("#id_street option[value='440704001']", state="attached")
        page.select_option("#id_street", "440704001")
        page.wait_for_selector("#id_community option[value='440704001001']", state="attached")
        page.select_option("#id_community", "440704001001")
        unit = GRID_A + "001"
        page.wait_for_selector(f"#id_unit_code option[value='{unit}']", state="attached")
        page.select_option("#id_unit_code", unit)
        page.fill("#id_name", "林小雨")
        page.fill("#id_phone", "13912345678")
        page.fill("#id_address", "礼华街8号302房")
        arrived = timezone.localtime(timezone.now() - timedelta(hours=14))
        page.fill("#id_arrival_at", arrived.strftime("%Y-%m-%dT%H:%M"))
        page.fill("#id_origin", "广州市天河区")
        page.select_option("#id_travel_mode", "train")
        assert web.no_horizontal_overflow(page)
        shot(page, "arrivals-form-phone.png")

        # Changing the street empties the community and unit below it.
        page.select_option("#id_street", "440704002")
        page.wait_for_selector("#id_community option[value='440704002001']", state="attached")
        assert page.locator("#id_unit_code option").count() == 1
        page.select_option("#id_street", "440704001")
        page.wait_for_selector("#id_community option[value='440704001001']", state="attached")
        page.select_option("#id_community", "440704001001")
        page.wait_for_selector(f"#id_unit_code option[value='{unit}']", state="attached")
        page.select_option("#id_unit_code", unit)

        page.click("[data-testid=submit]")
        page.wait_for_selector("[data-testid=receipt]")
        report = ArrivalReport.objects.get()
        assert report.number in page.inner_text("[data-testid=numbers]")
        assert report.is_late and page.locator("[data-testid=late]").count() == 1
        shot(page, "arrivals-receipt-phone.png")
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()
