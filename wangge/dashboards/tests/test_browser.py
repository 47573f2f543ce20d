"""The dashboard on a phone and the big screen on a wall, in a real browser (Debian's chromium).

Screenshots land in test-results/.  Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

from typing import Any

import pytest

from wangge.testing import PASSWORD
from wangge.web.tests import test_browser as web

from .conftest import Story

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
WALL = {"width": 1920, "height": 1080}


def shot(page: Any, name: str) -> None:
    web.RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=web.RESULTS / name, full_page=True)


def test_the_dashboard_on_a_phone(browser: Any, live_server: Any, story: Story) -> None:
    context, page, errors, outside = web.open_page(
        browser, live_server, web.PHONE, is_mobile=True, has_touch=True
    )
    web.sign_in(page, live_server, "district", PASSWORD)
    page.goto(f"{live_server.url}/dashboards/?period=30d")
    page.wait_for_selector("[data-chart=trend] svg")
    page.wait_for_selector("[data-chart=category] svg")
    page.wait_for_selector("[data-testid=basedata]")  # the panel htmx loads
    assert page.locator("[data-testid=cards] .dash-card").count() == 14
    assert page.locator("[data-testid=ranking] tbody tr").count() == 2
    # Nothing wider than the phone: wide tables scroll inside their panels.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= web.PHONE["width"], width
    # What a finger taps is at least 40 px tall: the trend's steps, the sortable headers.
    for selector in (".dash-bucket", "[data-testid=ranking] thead th a"):
        heights = [
            box["height"]
            for box in page.locator(selector).evaluate_all(
                "(els) => els.map((el) => el.getBoundingClientRect().toJSON())"
            )
        ]
        assert heights and min(heights) >= 40, (selector, heights)
    page.wait_for_timeout(1500)  # the charts' animation
    shot(page, "dashboards-phone.png")
    # A number opens the events it counts.
    page.locator("[data-testid=cards] .dash-card").first.click()
    page.wait_for_selector("[data-testid=events]")
    assert page.locator("[data-testid=count]").inner_text() == "4"
    assert errors == [] and outside == []
    context.close()


def test_the_big_screen_fills_itself(browser: Any, live_server: Any, story: Story) -> None:
    context, page, errors, outside = web.open_page(browser, live_server, WALL)
    web.sign_in(page, live_server, "district", PASSWORD)
    calls: list[str] = []
    page.on(
        "request",
        lambda request: calls.append(request.url) if "/api/v1/dashboards/" in request.url else None,
    )
    page.goto(f"{live_server.url}/dashboards/screen/")
    page.wait_for_function("document.querySelectorAll('#sc-today .sc-tile').length === 4")
    page.wait_for_selector("#sc-trend svg")
    page.wait_for_selector("#sc-category svg")
    assert page.locator("#sc-ranking li").count() == 2
    assert page.locator("#sc-today .sc-value").first.inner_text() == "1"
    assert "sc-updated" in page.content() and page.locator("#sc-updated").inner_text() != ""
    assert len(calls) == 4
    page.wait_for_timeout(1500)
    shot(page, "dashboards-screen.png")
    assert errors == [] and outside == []
    context.close()
