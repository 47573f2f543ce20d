"""The command map in a real browser (Debian's chromium through Playwright), on the demo seed.

The district's command centre opens the map, drills from the district down to a
grid by clicking polygons (the address and the breadcrumb follow, back works),
clicks the overdue event's red marker and lands on the event's page.  On a
phone the map fills the screen and the layer control folds away.  Screenshots
land in test-results/.  Run alone with ``pytest -m browser``.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from wangge.accounts.models import Assignment
from wangge.events import actions
from wangge.events.models import Event
from wangge.regions.models import Region
from wangge.web.tests import test_browser as web

# The same chromium, helpers and worker as the other browser tests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
demo = web.demo
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}

#: A point well inside a child polygon of the map (its path on top there), as [x, y].
CHILD_SPOT = """(code) => {
  const path = document.querySelector(`.leaflet-overlay-pane path.cm-child[data-code="${code}"]`);
  if (!path) return null;
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


def late_event(grid):
    """An event in ``grid`` dispatched, accepted and left past its deadline (flagged overdue)."""
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(grid.code[:6])
    unit = Region.objects.filter(parent=grid).order_by("code").first()
    event = actions.do_report_event(
        actor=None,
        category="0601",  # 井盖
        title="井盖松动哐哐响",
        description="路口井盖松动，夜里车辆经过哐哐响",
        lng=unit.point_lng,
        lat=unit.point_lat,
        address="路口",
    ).event
    event = Event.objects.select_related("category").get(pk=event.pk)
    actions.do_register_event(event, actor=None)
    actions.do_dispatch_event(event, actor=None)
    actions.do_accept_event(event, actor=None)
    assert actions.mark_overdue(timezone.now() + timedelta(days=60)).flagged == [event.pk]
    return event


def on_time_event(grid):
    """An event reported at the point of ``grid``'s first unit, not overdue."""
    unit = Region.objects.filter(parent=grid).order_by("code").first()
    event = actions.do_report_event(
        actor=None,
        category="0101",  # 暴露垃圾
        title="路边垃圾堆放",
        description="路边堆了几袋生活垃圾",
        lng=unit.point_lng,
        lat=unit.point_lat,
    ).event
    assert event.grid_code == grid.code
    return event


def shot(page, name):
    web.RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=web.RESULTS / name)


def drill(page, live_server, code):
    """Click the child polygon ``code`` and wait for its map."""
    page.mouse.move(1, 1)
    spot = page.evaluate(CHILD_SPOT, code)
    assert spot, f"no visible point inside the polygon of {code}"
    page.mouse.click(*spot)
    page.wait_for_url(f"{live_server.url}/map/{code}/**")
    page.wait_for_function(
        "(code) => document.querySelector('[data-cm-map]').dataset.node === code", arg=code
    )


def test_it_drills_down_to_a_grid_and_opens_the_overdue_event(browser, live_server, demo):
    grid = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker").region
    community = grid.parent
    street = community.parent
    district = street.parent
    event = late_event(grid)
    # Others elsewhere: the district's map shows them, the grid's does not.
    elsewhere = [
        on_time_event(
            Region.objects.filter(level="grid").exclude(code=grid.code).order_by("code")[i]
        )
        for i in (0, 40)
    ]
    context, page, errors, outside = web.open_page(browser, live_server, web.DESKTOP)
    try:
        web.sign_in(page, live_server, "district", demo.password)
        page.wait_for_url(f"{live_server.url}/area/**")
        page.goto(f"{live_server.url}/map/")
        page.wait_for_url(f"{live_server.url}/map/{district.code}/**")
        overlay = page.locator(".leaflet-overlay-pane")
        overlay.locator(f"path.cm-child[data-code='{street.code}']").wait_for()
        assert (
            overlay.locator("path.cm-child").count()
            == Region.objects.filter(parent=district).count()
        )
        # The events of the whole district are on (clustered where they are close).
        page.wait_for_function(
            "(code) => { const d = document.querySelector('[data-cm-map]').dataset;"
            " return d.layerEventsAt === code && d.layerEvents === '3'; }",
            arg=district.code,
        )
        assert page.locator("[data-cm-title]").inner_text() == district.name
        shot(page, "map-district-desktop.png")

        drill(page, live_server, street.code)
        crumbs = page.locator("[data-cm-crumbs] li")
        assert crumbs.all_inner_texts() == [district.name, street.name]
        drill(page, live_server, community.code)
        drill(page, live_server, grid.code)
        assert page.locator("[data-cm-title]").inner_text() == grid.name
        assert crumbs.all_inner_texts() == [district.name, street.name, community.name, grid.name]
        units = Region.objects.filter(parent=grid).count()
        assert overlay.locator("path.cm-child[data-level='unit']").count() == units

        # Back goes up the way it came, forward comes down again.
        page.go_back()
        page.wait_for_url(f"{live_server.url}/map/{community.code}/**")
        page.wait_for_function(
            "(code) => document.querySelector('[data-cm-map]').dataset.node === code",
            arg=community.code,
        )
        assert page.locator("[data-cm-title]").inner_text() == community.name
        page.go_forward()
        page.wait_for_url(f"{live_server.url}/map/{grid.code}/**")

        # Only the grid's event, in red; a click shows its card.
        page.wait_for_function(
            "(code) => { const d = document.querySelector('[data-cm-map]').dataset;"
            " return d.node === code && d.layerEventsAt === code; }",
            arg=grid.code,
        )
        marker = page.locator(f".leaflet-marker-icon.cm-pin-event[data-id='{event.pk}']")
        marker.wait_for()
        assert "is-hot" in marker.get_attribute("class")
        for other in elsewhere:
            assert page.locator(f".cm-pin-event[data-id='{other.pk}']").count() == 0
        marker.click()
        card = page.locator("[data-testid=map-card]")
        card.wait_for()
        assert event.number in card.inner_text()
        assert "井盖松动哐哐响" in card.inner_text()
        assert "已派遣" not in card.inner_text() and "处置中" in card.inner_text()
        shot(page, "map-grid-overdue-event-desktop.png")
        card.locator("[data-testid=card-link]").click()
        page.wait_for_url(f"{live_server.url}/events/{event.pk}/")
        assert page.locator("[data-testid=state]").inner_text() == "处置中"
        assert errors == []
        assert outside == []
    finally:
        context.close()


def test_it_fits_a_phone_with_the_layers_folded_away(browser, live_server, demo):
    street = Assignment.objects.get(user__username=demo.street, role__slug="dispatcher").region
    grids = list(Region.objects.filter(level="grid", code__startswith=street.code).order_by("code"))
    for grid in grids[:3]:
        late_event(grid) if grid == grids[0] else on_time_event(grid)
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, demo.street, demo.password)
        page.wait_for_url(f"{live_server.url}/area/**")
        page.goto(f"{live_server.url}/map/")
        page.wait_for_url(f"{live_server.url}/map/{street.code}/**")
        page.locator(".leaflet-overlay-pane path.cm-child").first.wait_for()
        page.wait_for_function(
            "() => document.querySelector('[data-cm-map]').dataset.layerEvents === '3'"
        )
        # The map takes the screen below the header, down to the tab bar.
        box = page.locator("[data-cm-map]").bounding_box()
        assert box["height"] > web.PHONE["height"] * 0.55
        assert web.no_horizontal_overflow(page), "the map scrolls sideways on a phone"
        control = page.locator("[data-testid=layer-control]")
        panel = control.locator("form.cm-layers-panel")
        assert panel.is_hidden()
        # The zoom buttons are big enough for a finger.
        for selector in (".leaflet-control-zoom-in", ".leaflet-control-zoom-out"):
            box = page.locator(selector).bounding_box()
            assert box["height"] >= 40 and box["width"] >= 40, (selector, box)
        shot(page, "map-street-phone.png")

        control.locator(".cm-layers-toggle").click()
        assert panel.is_visible()
        control.locator("input[value=heat]").check()
        page.locator(".leaflet-heatmap-layer").wait_for(state="attached")
        control.locator("input[value=assets]").check()
        page.wait_for_url("**layers=events%2Cheat%2Cassets**")
        assert web.no_horizontal_overflow(page)
        shot(page, "map-street-layers-phone.png")
        # Reloading keeps the layers chosen.
        page.reload()
        page.locator(".leaflet-overlay-pane path.cm-child").first.wait_for()
        assert page.locator("[data-testid=layer-control] input[value=heat]").is_checked()
        assert errors == []
        assert outside == []
    finally:
        context.close()


#: Each area's figure, and whether a shown name covers part of it (names let taps through,
#: so ``elementFromPoint`` cannot tell: the boxes are compared).
RATES_COVERED = """() => {
  const names = [...document.querySelectorAll('.leaflet-tooltip.map-label')]
    .filter((el) => getComputedStyle(el).visibility !== 'hidden')
    .map((el) => el.getBoundingClientRect());
  const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return [...document.querySelectorAll('.cm-rate span')].map((span) => {
    const box = span.getBoundingClientRect();
    return [span.textContent, names.some((name) => meets(box, name))];
  });
}"""


def test_it_shows_each_areas_figure_beside_its_name(browser, live_server, demo):
    # The care and campaign layers draw their figures alike (``drawAreas``).
    layer = "care"
    street = Assignment.objects.get(user__username=demo.street, role__slug="dispatcher").region
    context, page, errors, outside = web.open_page(browser, live_server, web.DESKTOP)
    try:
        web.sign_in(page, live_server, demo.street, demo.password)
        page.wait_for_url(f"{live_server.url}/area/**")
        for code in (street.code, Region.objects.filter(parent=street).order_by("code")[0].code):
            page.goto(f"{live_server.url}/map/{code}/?layers={layer}")
            page.locator(".leaflet-overlay-pane path.cm-child").first.wait_for()
            page.locator(".cm-rate span").first.wait_for()
            page.wait_for_timeout(300)  # the names are fitted after the areas are drawn
            rates = page.evaluate(RATES_COVERED)
            children = Region.objects.filter(parent__code=code).count()
            assert len(rates) == children, (code, rates)
            hidden = [text for text, covered in rates if covered]
            assert hidden == [], f"{layer} figures under the names at {code}: {hidden}"
            names = page.locator(".leaflet-tooltip.map-label:not(.map-label-squeezed)")
            assert names.count() > 0
        shot(page, f"map-{layer}-figures.png")
        # At the community the "up" button shows; at the street, the user's top, it does not.
        up = page.locator("[data-testid=map-up]")
        assert up.is_visible()
        up.click()
        page.wait_for_url(f"{live_server.url}/map/{street.code}/**")
        page.wait_for_function(
            "(code) => document.querySelector('[data-cm-map]').dataset.node === code",
            arg=street.code,
        )
        assert up.is_hidden()
        # Switching the language keeps the place drilled to.
        community = Region.objects.filter(parent=street).order_by("code")[1]
        drill(page, live_server, community.code)
        page.locator("form.lang button").click()
        page.wait_for_url(f"{live_server.url}/map/{community.code}/**")
        assert page.locator("html").get_attribute("lang") == "en"
        assert errors == []
        assert outside == []
    finally:
        context.close()
