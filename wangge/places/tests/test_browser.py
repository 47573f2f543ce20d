"""The places pages in a real browser (Debian's chromium through Playwright), on the demo seed.

A grid worker opens a rental building of their grid on a phone, moves a tenant
out and sees the counts follow.  Screenshots land in test-results/.  Run alone
with ``pytest -m browser``.
"""

import re

import pytest

from wangge.accounts.models import Assignment
from wangge.people.actions import do_create_person
from wangge.places.actions import RentalInfo, do_create_building, do_create_room, do_move_in
from wangge.places.models import Occupancy
from wangge.regions.models import Region
from wangge.testing import make_id_number
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
NAME = "新塘里196号"
TENANTS = {"101": ["陈晓东", "陈晓南"], "102": ["林海"], "201": ["黄丽", "黄小明", "周强"]}


def rental_building(worker):
    """A rental building in the first unit of the worker's grid: 3 rooms, 6 tenants."""
    grid = Assignment.objects.get(user=worker, role__slug="grid_worker").region
    unit = Region.objects.filter(parent=grid).order_by("code").first()
    building = do_create_building(
        actor=worker,
        unit_code=unit.code,
        name=NAME,
        address=NAME,
        floors=4,
        rental=RentalInfo(landlord_name="陈房东", landlord_phone="13600001234"),
    )
    serial = 700
    for number, names in TENANTS.items():
        room = do_create_room(building, actor=worker, number=number, floor=int(number[0]))
        for name in names:
            serial += 1
            person = do_create_person(
                actor=worker,
                name=name,
                id_number=make_id_number(unit.code[:6], "19330303", f"{serial:03d}"),
                phone=f"13900{serial:06d}",
                region_code=unit.code,
                residence_type="floating",
            )
            do_move_in(room, person, actor=worker)
    return building, grid


def shot(page, name, *, full_page=True):
    web.RESULTS.mkdir(exist_ok=True)
    if full_page:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=web.RESULTS / name, full_page=full_page)


def test_it_moves_a_tenant_out_of_a_rental_building_on_a_phone(browser, live_server, demo):
    worker = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker").user
    building, grid = rental_building(worker)
    people = sum(len(names) for names in TENANTS.values())
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, demo.worker, demo.password)
        page.wait_for_url(f"{live_server.url}/grid/{grid.code}/")

        # 基础数据 → 房屋 → the rental buildings of the grid.
        page.locator("[data-testid=nav] [data-nav=basedata]").click()
        page.wait_for_url(f"{live_server.url}/people/")
        page.locator("[data-testid=tabs] [data-tab=places]").click()
        page.wait_for_url(f"{live_server.url}/places/")
        page.select_option("select[name=rental]", "1")
        page.wait_for_url(re.compile(r"/places/\?rental=1$"))
        # The demo grid has buildings of its own: find this one by its name.
        page.fill("input[name=q]", NAME)
        page.press("input[name=q]", "Enter")
        page.wait_for_url(re.compile(r"/places/\?q=.+&rental=1$"))
        row = page.locator(f"[data-testid=buildings] li[data-building='{building.pk}']")
        assert NAME in row.inner_text()
        assert web.no_horizontal_overflow(page), "the building list scrolls sideways on a phone"
        shot(page, "places-list-phone.png")
        row.locator("a.ev-link").click()
        page.wait_for_url(f"{live_server.url}/places/{building.pk}/")

        # The building: its summary, rooms and masked tenants and landlord.
        summary = page.locator("[data-testid=summary]")
        assert summary.inner_text() == f"{NAME}：4层，3间，{people}人"
        count = page.locator("[data-testid=people-count]")
        assert count.inner_text() == str(people)
        assert page.locator("[data-testid=landlord-phone]").inner_text() == "136****1234"
        assert "13600001234" not in page.content()
        assert web.no_horizontal_overflow(page), "the building page scrolls sideways on a phone"
        shot(page, "places-building-phone.png")
        shot(page, "places-building-first-screen-phone.png", full_page=False)

        # 搬离: the first tenant of room 201, through the form under the name (htmx).
        room_201 = building.rooms.get(number="201")
        room = page.locator(f"article.room[data-room='{room_201.pk}']")
        tenant = room.locator("li.occupant").first
        name = tenant.locator(".occupant-name").inner_text()
        tenant.locator("details[data-action=move-out] > summary").click()
        tenant.locator("input[name=note]").fill("合同到期，已退租")
        shot(page, "places-move-out-form-phone.png", full_page=False)
        tenant.locator("[data-testid=confirm-move-out]").click()
        page.wait_for_function(
            "(n) => document.querySelector('[data-testid=people-count]').textContent === n",
            arg=str(people - 1),
        )
        assert summary.inner_text() == f"{NAME}：4层，3间，{people - 1}人"
        assert f"{name} 已从201室搬离" in page.locator("[data-testid=messages]").inner_text()
        assert room.locator("[data-testid=load]").inner_text() == "2/6"
        assert room.locator("li.occupant", has_text=name).count() == 0
        history = page.locator("[data-testid=history] li", has_text=name).first
        assert "已搬离" in history.inner_text()
        assert page.url == f"{live_server.url}/places/{building.pk}/"
        assert web.no_horizontal_overflow(page)
        shot(page, "places-building-moved-out-phone.png")

        # A tenant's page: masked, and the full ID number once, with a reason.
        stayer = room.locator("li.occupant").first
        stayer_name = stayer.locator(".occupant-name").inner_text()
        stayer.locator(".occupant-name").click()
        page.wait_for_url(re.compile(r"/people/\d+/$"))
        assert page.locator("[data-testid=name]").inner_text() == stayer_name
        masked = page.locator("[data-testid=id-number]").inner_text()
        assert "********" in masked
        page.locator("details[data-action=unmask] > summary").click()
        page.locator("details[data-action=unmask] [data-testid=unmask-id_number]").click()
        page.locator("#identifiers .field-error").wait_for()
        assert "请填写查看原因" in page.locator("#identifiers").inner_text()
        page.fill("#identifiers textarea[name=reason]", "核对租户身份")
        page.locator("details[data-action=unmask] [data-testid=unmask-id_number]").click()
        page.locator("[data-testid=revealed]").wait_for()
        revealed = page.locator("[data-testid=revealed] .reveal-value").inner_text()
        assert revealed[:6] == masked[:6] and revealed[-4:] == masked[-4:]
        assert "*" not in revealed
        assert web.no_horizontal_overflow(page), "the person page scrolls sideways on a phone"
        shot(page, "people-detail-unmasked-phone.png")

        # The ledger keeps the stay, ended today.
        stays = Occupancy.objects.filter(room__building=building)
        assert stays.count() == people
        assert stays.filter(move_out__isnull=True).count() == people - 1
        assert errors == []
        assert outside == []
    finally:
        context.close()
