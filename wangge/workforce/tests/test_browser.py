"""The district's roster and the "553" and training pages on a phone, in English (the longest
labels), on the demo seed (Debian's chromium through Playwright).  Screenshots land in
test-results/.  Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

import pytest

from wangge.web.tests import test_browser as web
from wangge.workforce import views

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
demo = web.demo
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
#: The narrowest a grid's name may be drawn (about six Chinese characters of 16 px).
MIN_NAME_WIDTH = 90


def test_it_keeps_the_district_roster_readable_on_a_phone(browser, live_server, demo):
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, "district", demo.password)
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/workforce/roster/")
        page.click("form.lang button[value=en]")
        page.locator("form.lang button[value=zh-hans]").wait_for()
        rows = page.locator("[data-testid=roster] tbody tr")
        assert 0 < rows.count() <= views.ROSTER_PAGE_SIZE
        assert page.locator("[data-testid=roster] thead th").first.inner_text() == "Grid"
        widths = page.eval_on_selector_all(
            "[data-testid=roster] tbody th", "(cells) => cells.map((c) => c.offsetWidth)"
        )
        assert min(widths) >= MIN_NAME_WIDTH, widths
        # Every header is drawn whole: none is wider inside than its cell.
        cut = page.eval_on_selector_all(
            "[data-testid=roster] thead th",
            "(cells) => cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.innerText)",
        )
        assert cut == []
        assert web.no_horizontal_overflow(page)
        assert page.locator("nav.pager a[rel=next]").count() == 1
        height = page.evaluate("() => document.documentElement.scrollHeight")
        assert height < 20_000, height
        web.RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=web.RESULTS / "browser-workforce-roster-phone.png", full_page=True)
        for name, url in (
            ("progress", "/workforce/progress/"),
            ("training", "/workforce/training/"),
        ):
            page.goto(f"{live_server.url}{url}")
            assert web.no_horizontal_overflow(page), name
            page.screenshot(
                path=web.RESULTS / f"browser-workforce-{name}-phone.png", full_page=True
            )
        assert errors == [] and outside == []
    finally:
        context.close()
