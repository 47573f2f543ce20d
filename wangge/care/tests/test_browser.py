"""The visit list on a phone (Debian's chromium through Playwright), on the demo seed.

The first grid's worker opens the list, taps 不在家 for the most overdue person and sees the
follow-up; the coverage table fits a phone too.  Screenshots land in test-results/.
Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wangge.accounts.models import Assignment
from wangge.care.actions import generate_visit_tasks
from wangge.care.choices import TaskKind, TaskStatus
from wangge.care.models import VisitRecord, VisitTask
from wangge.regions.models import Region
from wangge.web.tests import test_browser as web

from .conftest import make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
demo = web.demo
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_it_takes_one_tap_to_record_a_visit_on_a_phone(browser, live_server, demo):
    grid = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker").region
    units = list(Region.objects.filter(parent=grid).order_by("code"))
    late = make_person("陈阿婆", units[0].code, ["elderly_alone", "disabled"])
    make_person("黄伯", units[-1].code, ["low_income"], address="新塘里96号")
    generate_visit_tasks()
    VisitTask.objects.filter(person=late).update(due_on=timezone.localdate() - timedelta(days=3))
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, demo.worker, demo.password)
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/care/")
        items = page.locator("[data-testid=tasks] li.ev-item")
        assert items.count() == 2
        first = items.first
        assert "陈阿婆" in first.inner_text() and first.locator(".flag-danger").count() == 1
        assert web.no_horizontal_overflow(page)
        web.RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=web.RESULTS / "browser-care-list-phone.png", full_page=True)
        first.locator("button[data-outcome=not_home]").click()
        page.wait_for_url(f"{live_server.url}/care/")
        assert page.locator("[data-testid=messages]").count() == 1
        visit = VisitRecord.objects.get(person=late)
        assert visit.outcome == "not_home"
        follow_up = VisitTask.objects.get(person=late, status=TaskStatus.OPEN)
        assert follow_up.kind == TaskKind.FOLLOW_UP
        assert page.locator(f"li[data-task='{follow_up.pk}']").count() == 1
        page.goto(f"{live_server.url}/care/people/{late.pk}/")
        assert "不在家" in page.locator("[data-testid=visits]").inner_text()
        page.screenshot(path=web.RESULTS / "browser-care-person-phone.png", full_page=True)
        page.goto(f"{live_server.url}/care/coverage/?under={grid.code}")
        assert page.locator("[data-testid=rows] tbody tr").count() >= 1
        assert web.no_horizontal_overflow(page)
        page.screenshot(path=web.RESULTS / "browser-care-coverage-phone.png", full_page=True)
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()
