"""Suggestions on a phone (Debian's chromium through Playwright), on the demo seed.

The demo resident submits a suggestion from the form; the street's command centre triages
and answers it on its page (htmx panels); the resident sees the answer.  Screenshots land in
test-results/.  Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

import pytest

from wangge.accounts.models import Assignment
from wangge.suggestions.models import Suggestion
from wangge.web.tests import test_browser as web

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
demo = web.demo
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_a_suggestion_from_a_phone_is_answered(browser, live_server, demo):
    street = Assignment.objects.get(user__username=demo.street, role__slug="dispatcher").region
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, "resident", demo.password)
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/suggestions/new/")
        page.fill("input[name=title]", "小区增设快递柜")
        page.select_option("select[name=topic]", "services")
        page.select_option("select[name=node]", street.code)
        page.fill("textarea[name=content]", "快递经常堆放在门口，建议增设智能快递柜。")
        page.fill("input[name=contact]", "13800001234")
        assert web.no_horizontal_overflow(page)
        page.click("[data-testid=submit]")
        page.wait_for_url(f"{live_server.url}/suggestions/*/")
        suggestion = Suggestion.objects.get(title="小区增设快递柜")
        assert page.locator("[data-testid=state]").inner_text() == "已提交"
        assert "138****1234" in page.locator("[data-testid=contact]").inner_text()
        web.RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=web.RESULTS / "browser-suggestion-phone.png", full_page=True)
        context.clear_cookies()

        web.sign_in(page, live_server, demo.street, demo.password)
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/suggestions/{suggestion.pk}/")
        page.click("details[data-action=triage] summary")
        page.select_option("select[name=triage-node]", street.code)
        page.click("details[data-action=triage] button[type=submit]")
        page.locator("#suggestion-body[data-state=triaged]").wait_for()
        page.click("details[data-action=answer] summary")
        page.check("input[name=answer-adopted][value=yes]")
        page.fill("textarea[name=answer-answer]", "采纳，已列入明年民生实事。")
        page.click("details[data-action=answer] button[type=submit]")
        page.locator("#suggestion-body[data-state=adopted]").wait_for()
        assert page.locator("[data-testid=messages]").count() == 1
        assert web.no_horizontal_overflow(page)
        page.screenshot(path=web.RESULTS / "browser-suggestion-answer-phone.png", full_page=True)
        context.clear_cookies()

        web.sign_in(page, live_server, "resident", demo.password)
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/suggestions/{suggestion.pk}/")
        assert "明年民生实事" in page.locator("[data-testid=answer]").inner_text()
        assert page.locator("[data-testid=steps] li").count() == 3
        assert not errors, errors
        assert not outside, outside
    finally:
        context.close()
