"""The worker's target list in a real browser (Debian's chromium through Playwright), on a phone.

Questions shown only if another answer equals a value appear and disappear as
the worker answers; the outcome is recorded from the list.  Screenshots land in
test-results/.  Run alone with ``pytest -m browser``.
"""

import pytest

from wangge.campaigns.models import Attempt, Target
from wangge.testing import PASSWORD
from wangge.web.tests import test_browser as web

from .conftest import create_campaign

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


def test_a_worker_records_an_outcome_from_the_list_on_a_phone(
    browser, live_server, api, world, elderly
):
    campaign = create_campaign(
        api("community"),
        questions=[
            {
                "key": "lives_alone",
                "label": "是否仍独居",
                "kind": "choice",
                "required": True,
                "choices": ["是", "否"],
            },
            {
                "key": "who",
                "label": "同住人",
                "kind": "text",
                "show_if_key": "lives_alone",
                "show_if_value": "否",
            },
        ],  # fmt: skip
    )
    cid = campaign["id"]
    target = Target.objects.filter(campaign_id=cid, assignee=world["worker_a"]).order_by("pk")[0]
    context, page, errors, _outside = web.open_page(
        browser, live_server, web.PHONE, **PHONE_OPTIONS
    )
    try:
        web.sign_in(page, live_server, "worker_a", PASSWORD)
        page.goto(f"{live_server.url}/campaigns/{cid}/mine/")
        item = page.locator(f"li[data-target='{target.pk}']")
        assert target.name in item.inner_text()
        assert web.no_horizontal_overflow(page), "the target list scrolls sideways on a phone"
        item.locator("details > summary").click()
        form = item.locator("form.attempt-form")
        who = form.locator("[name='answers.who']")
        assert not who.is_visible()
        form.locator("[name='answers.lives_alone']").select_option("否")
        assert who.is_visible()
        form.locator("[name='answers.lives_alone']").select_option("是")
        assert not who.is_visible()
        form.locator("[name=outcome]").select_option("registered")
        shot(page, "campaigns-mine-phone.png")
        # The outbox takes the submission (a pointer click races its "sending" state, which
        # turns the button's pointer events off while Playwright still checks the target);
        # once the server has it, the list is loaded again with the new state.
        with page.expect_navigation(url=f"{live_server.url}/campaigns/{cid}/mine/"):
            form.evaluate("f => f.requestSubmit(f.querySelector('[type=submit]'))")
        # Done: off the list of open targets, counted in the figures.
        assert page.locator("[data-figure=done]").inner_text() == "1"
        assert page.locator(f"li[data-target='{target.pk}']").count() == 0
        stored = Attempt.objects.get(target=target)
        assert stored.outcome.code == "registered"
        assert stored.answers == {"lives_alone": "是"}
        page.goto(f"{live_server.url}/campaigns/{cid}/")
        assert web.no_horizontal_overflow(page), "the progress table scrolls sideways on a phone"
        shot(page, "campaigns-progress-phone.png")
        assert not errors, errors
    finally:
        context.close()
