"""The reports page on a phone, in a real browser (Debian's chromium): ask for a report with
htmx, watch its row turn ready, download it.

Screenshots land in test-results/.  Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

from typing import Any

import pytest

from wangge.reports.actions import generate_report
from wangge.reports.models import Report
from wangge.testing import PASSWORD
from wangge.web.tests import test_browser as web

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser


def test_asking_for_a_report_on_a_phone(browser: Any, live_server: Any, story: Any) -> None:
    context, page, errors, outside = web.open_page(
        browser, live_server, web.PHONE, is_mobile=True, has_touch=True
    )
    web.sign_in(page, live_server, "street", PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    # The nodes are offered by name, the street's own first; another street's is not.
    options = page.locator("#id_node option")
    assert options.first.get_attribute("value") == "440704001"
    assert "440704002" not in [
        options.nth(i).get_attribute("value") for i in range(options.count())
    ]
    # A node slipped in anyway (a tampered form) is refused field by field.
    page.evaluate(
        "document.querySelector('#id_node').add(new Option('x', '440704002', true, true))"
    )
    page.click("[data-testid=request-submit]")
    page.wait_for_selector("[data-testid=error-node]")
    assert Report.objects.count() == 0
    page.select_option("#id_node", "440704001")
    page.select_option("#id_format", "pdf")
    page.click("[data-testid=request-submit]")
    page.wait_for_selector("[data-testid=notice]")
    row = page.locator("[data-testid=report]").first
    assert row.get_attribute("data-state") == "queued"
    # What the task worker does; the row polls until it sees the file.
    generate_report(Report.objects.get().pk)
    page.wait_for_selector("[data-testid=report][data-state=done]", timeout=10_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= web.PHONE["width"], width
    web.RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=web.RESULTS / "reports-phone.png", full_page=True)
    with page.expect_download() as info:
        page.click("[data-testid=download]")
    assert info.value.suggested_filename.endswith(".pdf")
    assert errors == [] and outside == []
    context.close()
