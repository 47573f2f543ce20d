"""The pages in a real browser: Debian's chromium driven by Playwright against the live server.

Screenshots land in test-results/.  Run alone with ``pytest -m browser``.
"""

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from wangge.accounts.models import Assignment
from wangge.regions.models import Region

# One worker runs them all (one chromium) under `pytest -n 2 --dist loadgroup`.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
STATIC_BUILD = settings.BASE_DIR / "wangge" / "web" / "static_build"
RESULTS = settings.BASE_DIR / "test-results"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SEED_BUDGET_SECONDS = 30


@dataclass
class Demo:
    password: str
    worker: str
    street: str


def seed() -> Demo:
    from wangge.demo.seed import seed_demo

    started = time.monotonic()
    seed_demo(seed=1)
    elapsed = time.monotonic() - started
    assert elapsed < SEED_BUDGET_SECONDS, f"seeding the demo took {elapsed:.1f}s"
    return Demo(password=settings.DEMO_PASSWORD, worker="worker1", street="street1")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's chromium "
            "(`apt-get install chromium`, done by `make deps`)."
        )
    if not (STATIC_BUILD / "app.js").exists():
        pytest.fail("the frontend is not built: run `npm install && npm run build` (or `make`).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    return seed()


def open_page(browser, live_server, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Nothing may be fetched from anywhere but the site itself (no CDN, no tiles).
    outside = []
    page.route(
        re.compile(r"^(?!" + re.escape(live_server.url) + r"|data:).*"),
        lambda route: (outside.append(route.request.url), route.abort()),
    )
    return context, page, errors, outside


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")


#: A point well inside a child's polygon: it, and every point 8 px around, hit it first.
CHILD_SPOT = """(code) => {
  const path = document.querySelector(`.leaflet-overlay-pane path.map-child[data-code="${code}"]`);
  const box = path.getBoundingClientRect();
  const hits = (x, y) => document.elementFromPoint(x, y) === path;
  const d = 8;
  for (let i = 1; i < 32; i++) {
    for (let j = 1; j < 32; j++) {
      const x = box.left + (box.width * i) / 32;
      const y = box.top + (box.height * j) / 32;
      if (hits(x, y) && hits(x - d, y) && hits(x + d, y) && hits(x, y - d) && hits(x, y + d)) {
        return [x, y];
      }
    }
  }
  return null;
}"""


def no_horizontal_overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
    )


def test_it_lands_a_grid_worker_on_the_map_of_their_grid(browser, live_server, demo):
    grid = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker").region
    units = list(Region.objects.filter(parent=grid).order_by("code"))
    point = units[0]
    context, page, errors, outside = open_page(
        browser,
        live_server,
        PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        geolocation={"latitude": point.point_lat, "longitude": point.point_lng},
        permissions=["geolocation"],
    )
    try:
        sign_in(page, live_server, demo.worker, demo.password)
        page.wait_for_url(f"{live_server.url}/grid/{grid.code}/")
        assert page.locator("h1").inner_text() == grid.name
        assert "我的网格" in page.locator(".eyebrow").inner_text()

        overlay = page.locator(".leaflet-overlay-pane")
        overlay.locator("path.map-node").wait_for()
        assert overlay.locator("path.map-node").count() == 1
        assert overlay.locator("path.map-child").count() == len(units)
        assert overlay.locator("path.map-point").count() == len([u for u in units if u.point_lng])
        assert page.locator("[data-testid=units] li.tree-item").count() == len(units)

        # Leaflet's marker images are served from the bundle.
        page.locator(".map-locate a").click()
        marker = page.locator(".leaflet-marker-icon")
        marker.wait_for()
        page.wait_for_function(
            "() => { const i = document.querySelector('.leaflet-marker-icon');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        assert "marker-icon" in marker.get_attribute("src")

        assert no_horizontal_overflow(page), "the page scrolls sideways on a phone"
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=RESULTS / "browser-worker-grid-phone.png", full_page=True)
        assert errors == []
        assert outside == []
    finally:
        context.close()


def test_it_shows_a_street_only_its_communities(browser, live_server, demo):
    street = Assignment.objects.get(user__username=demo.street, role__slug="dispatcher").region
    communities = list(
        Region.objects.filter(parent=street).order_by("code").values_list("code", flat=True)
    )
    others = set(
        Region.objects.filter(level="community")
        .exclude(parent=street)
        .values_list("code", flat=True)
    )
    assert communities and others
    context, page, errors, outside = open_page(browser, live_server, DESKTOP)
    try:
        sign_in(page, live_server, demo.street, demo.password)
        page.wait_for_url(f"{live_server.url}/area/{street.code}/")
        assert page.locator("h1").inner_text() == street.name

        rows = page.locator("[data-testid=tree] > li.tree-item")
        shown = [rows.nth(i).get_attribute("data-region") for i in range(rows.count())]
        assert shown == communities
        assert not others & set(shown)

        overlay = page.locator(".leaflet-overlay-pane")
        overlay.locator("path.map-node").wait_for()
        assert overlay.locator("path.map-child").count() == len(communities)
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=RESULTS / "browser-street-area.png")

        # The tree opens in place (htmx) with the community's grids.
        first = page.locator(f"li[data-region='{communities[0]}']")
        first.locator(".tree-twisty").first.click()
        grids = Region.objects.filter(parent__code=communities[0]).count()
        sub = first.locator(".tree-sub > li.tree-item[data-region]")
        sub.first.wait_for()
        assert sub.count() == grids
        assert page.url == f"{live_server.url}/area/{street.code}/"

        # Clicking a community on the map opens its page.
        page.mouse.move(1, 1)  # off the tree: no row holds a polygon highlighted
        spot = page.evaluate(CHILD_SPOT, communities[0])
        assert spot, "no visible point inside the first community's polygon"
        page.mouse.click(*spot)
        page.wait_for_url(f"{live_server.url}/area/{communities[0]}/")
        assert page.locator("h1").inner_text() == Region.objects.get(code=communities[0]).name
        assert errors == []
        assert outside == []
    finally:
        context.close()


#: Elements that pass the right edge of a screen ``width`` px wide outside any box that
#: scrolls sideways: what is cut off, or widens the page.
CUT_OFF = """(width) => {
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrolls(p)) return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > width + 1)
    .filter((el) => !inScroller(el) && !scrolls(el) && !el.closest(".leaflet-container"))
    .slice(0, 5)
    .map((el) => `${el.tagName}.${el.className}: ${(el.textContent || "").trim().slice(0, 40)}`);
}"""


def set_language(page, live_server, language):
    """Switch the signed-in page's user to ``language`` (the switch in the top bar)."""
    page.evaluate(
        """(lang) => fetch('/i18n/setlang/', {method: 'POST', body: new URLSearchParams(
            {language: lang, next: '/'}), headers: {'X-CSRFToken': document.cookie
            .match(/csrftoken=([^;]+)/)[1]}})""",
        language,
    )
