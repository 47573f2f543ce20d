"""The dashboard on a phone and the big screen on a wall, in a real browser (Debian's chromium).

Screenshots land in test-results/.  Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

from typing import Any

import pytest

from wangge.events import actions
from wangge.testing import PASSWORD, POINT_A
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


# Every visible text of a chart lies inside the chart's box (a label cut at an edge is lost).
TEXTS_OUTSIDE = """(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  return [...document.querySelectorAll(`#${id} svg text`)]
    .map((t) => [t.textContent, t.getBoundingClientRect()])
    .filter(([text, r]) => text && r.width > 0)
    .filter(([, r]) => r.left < box.left - 1 || r.right > box.right + 1
                       || r.top < box.top - 1 || r.bottom > box.bottom + 1)
    .map(([text]) => text);
}"""


@pytest.mark.parametrize(
    ("viewport", "language"),
    [
        ({"width": 1280, "height": 720}, "zh-hans"),
        ({"width": 1280, "height": 720}, "en"),
        (web.PHONE, "zh-hans"),
        (WALL, "en"),
    ],
)
def test_the_big_screen_shows_whole_category_names(
    browser: Any,
    live_server: Any,
    ew: Any,
    steps: Any,
    viewport: dict[str, int],
    language: str,
) -> None:
    # One event of each of the 16 categories: long names (安全生产/消防隐患, "Work safety and
    # fire hazards") and many small slices.
    for n in range(1, 17):
        steps(
            actions.do_report_event,
            actor=None,
            category=f"{n:02d}01",
            description="样例",
            lng=POINT_A[0],
            lat=POINT_A[1],
            source="grid_worker",
        )
    context, page, errors, outside = web.open_page(browser, live_server, viewport)
    web.sign_in(page, live_server, "district", PASSWORD)
    if language != "zh-hans":
        web.set_language(page, live_server, language)
    page.goto(f"{live_server.url}/dashboards/screen/")
    page.wait_for_selector("#sc-category svg text")
    page.wait_for_timeout(1200)  # the pie's animation
    shown = page.evaluate(
        "[...document.querySelectorAll('#sc-category svg text')].map((t) => t.textContent)"
    )
    assert len([t for t in shown if t.strip()]) >= 6, shown  # the large slices are named
    assert [t for t in shown if t.endswith(("...", "…"))] == []  # none shortened
    assert page.evaluate(TEXTS_OUTSIDE, "sc-category") == []
    shot(page, f"dashboards-screen-categories-{viewport['width']}-{language}.png")
    assert errors == [] and outside == []
    context.close()


def _edge_darkness(page: Any, index: int) -> float:
    """How dark the right 6 px of the ``index``-th scrolling table are (0 white … 255 black):
    the median, which a shadow moves and a few strokes of text do not."""
    from io import BytesIO

    from PIL import Image, ImageStat

    box = page.locator(".dash-scroll").nth(index).bounding_box()
    png = page.screenshot(
        clip={"x": box["x"] + box["width"] - 6, "y": box["y"], "width": 6, "height": box["height"]}
    )
    (lightness,) = ImageStat.Stat(Image.open(BytesIO(png)).convert("L")).median
    return 255 - float(lightness)


def test_a_table_wider_than_a_phone_shows_that_it_scrolls(
    browser: Any, live_server: Any, story: Story
) -> None:
    context, page, errors, outside = web.open_page(
        browser, live_server, web.PHONE, is_mobile=True, has_touch=True
    )
    web.sign_in(page, live_server, "district", PASSWORD)
    page.goto(f"{live_server.url}/dashboards/?period=30d")
    page.wait_for_selector("[data-testid=ranking]")
    wide = page.locator(".dash-scroll").evaluate_all(
        "(els) => els.map((el, i) => el.scrollWidth > el.clientWidth + 1 ? i : -1)"
        ".filter((i) => i >= 0)"
    )
    assert wide, "no table is wider than the phone"
    index = wide[0]
    page.locator(".dash-scroll").nth(index).scroll_into_view_if_needed()
    before = _edge_darkness(page, index)
    page.locator(".dash-scroll").nth(index).evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_timeout(100)
    after = _edge_darkness(page, index)
    # A shadow at the edge while columns hide there; none once scrolled to the end.
    assert before > after + 8, (before, after)
    assert errors == [] and outside == []
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_nothing_on_the_dashboard_is_cut_off_on_a_phone(
    browser: Any, live_server: Any, story: Story, language: str
) -> None:
    context, page, errors, outside = web.open_page(
        browser, live_server, web.PHONE, is_mobile=True, has_touch=True
    )
    web.sign_in(page, live_server, "district", PASSWORD)
    web.set_language(page, live_server, language)
    page.goto(f"{live_server.url}/dashboards/?period=30d")
    page.wait_for_selector("[data-chart=trend] svg")
    page.locator(".dash-table-wrap summary").click()  # the trend as a table
    page.wait_for_selector("[data-testid=trend]")
    # A table wider than the phone scrolls sideways inside its panel: nothing is cut off, and
    # the page is not widened (a phone would zoom the whole page out to fit it).
    assert page.evaluate(web.CUT_OFF, web.PHONE["width"]) == []
    assert page.evaluate("innerWidth") == web.PHONE["width"]
    assert errors == [] and outside == []
    context.close()
