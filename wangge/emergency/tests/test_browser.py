"""Emergency mode in a real browser (Debian's chromium through Playwright), on a phone:
the centre's coverage refreshes by itself; a worker's one tap goes through the outbox.

Run alone with ``pytest -m browser``.
"""

import re

import pytest

from wangge.emergency import actions
from wangge.emergency.models import OutcomeRecord, Task
from wangge.emergency.testing import STREET, emergency_ledgers
from wangge.testing import GRID_A, PASSWORD
from wangge.web.tests import test_browser as web

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def world(world):
    """The special groups are created by a data migration of people, which a flush between
    transactional tests removes: put them (and the catalogue rows needing them) back."""
    from importlib import import_module

    from django.apps import apps

    from wangge.emergency.catalogue import seed_catalogue

    import_module("wangge.people.migrations.0002_default_tags").create_tags(apps, None)
    seed_catalogue()
    return world


def test_the_centre_sees_coverage_rise_as_a_worker_taps(browser, live_server, world):
    emergency_ledgers(world)
    emergency = actions.do_activate_emergency(
        actor=world["street"], region_code=STREET, kind="typhoon", title="防御台风「马鞍」"
    ).emergency
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, "street", PASSWORD)
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/emergency/{emergency.pk}/")
        percent = page.locator("[data-testid=percent]")
        assert percent.inner_text() == "0.0%"
        assert web.no_horizontal_overflow(page), "the centre page scrolls sideways on a phone"

        # A worker covers every task of grid A meanwhile.
        for task in Task.objects.filter(emergency=emergency, grid_code=GRID_A):
            actions.do_record_outcome(actor=world["worker_a"], task_id=task.pk, outcome="notified")
        # htmx polls the coverage every 10 seconds: no reload.
        page.wait_for_function(
            "() => document.querySelector('[data-testid=percent]').textContent.trim() === '62.5%'",
            timeout=15_000,
        )
        web.RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=web.RESULTS / "emergency-centre-phone.png", full_page=True)
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()


def test_a_worker_taps_an_outcome_through_the_outbox(browser, live_server, world):
    emergency_ledgers(world)
    emergency = actions.do_activate_emergency(
        actor=None, region_code=STREET, kind="typhoon"
    ).emergency
    task = Task.objects.filter(emergency=emergency, grid_code=GRID_A, target_kind="person").first()
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, "worker_a", PASSWORD)
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/emergency/tasks/")
        card = page.locator(f"#task-{task.pk}")
        assert task.label in card.inner_text()
        assert web.no_horizontal_overflow(page), "the task list scrolls sideways on a phone"
        web.RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=web.RESULTS / "emergency-tasks-phone.png", full_page=True)
        card.locator("button[data-outcome=notified]").click()
        note = card.locator("[data-outbox-note]")
        note.wait_for()
        page.wait_for_function(
            f"() => /已记录|Recorded/.test(document.querySelector('#task-{task.pk} [data-outbox-note]').textContent)"
        )
        assert re.search("已通知", note.inner_text())
        record = OutcomeRecord.objects.get(task=task)
        assert record.outcome.code == "notified" and record.recorded_by == world["worker_a"]
        task.refresh_from_db()
        assert task.covered
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()
