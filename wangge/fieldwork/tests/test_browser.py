"""The grid worker's phone offline, in a real browser (Debian's chromium through Playwright).

The worker opens today's list, a campaign's targets and the report form while online (the
service worker keeps them), loses the network, opens the pages again, records three visits
and reports an event with a photo, comes back online on a bad network — the first answer to
every request is lost after the server stored it — and the server ends up with each record
exactly once.  Screenshots land in
test-results/.  Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from wangge.accounts.models import Assignment
from wangge.events.models import Attachment, Event
from wangge.regions.models import Region
from wangge.web.tests import test_browser as web

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser
demo = web.demo
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
QUEUED = "已离线保存，联网后自动提交"
DESCRIPTION = "桥下井盖缺失，已设置临时警示"
SECOND = "路灯杆倾斜"

# Polled on a timer: an async predicate does not go with the default requestAnimationFrame.
KEPT = """async (paths) => {
  const cache = await caches.open("wangge-pages");
  for (const path of paths) if (!(await cache.match(path, { ignoreVary: true }))) return false;
  return true;
}"""
PENDING = """() => {
  const badge = document.querySelector("[data-testid=outbox-badge]");
  return badge ? Number(badge.dataset.pending || 0) : -1;
}"""


def photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 90, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def shot(page, name):
    web.RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=web.RESULTS / name, full_page=True)


def request_id(request) -> str:
    """The submission's request id, from a JSON body or a multipart upload."""
    body = request.post_data_buffer or b""
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(body)
        if "reports" in data:  # a batch
            return ",".join(report["request_id"] for report in data["reports"])
        return str(data["request_id"])
    found = re.search(rb'name="request_id"\r\n\r\n([^\r]+)', body)
    return found.group(1).decode() if found else ""


class BadNetwork:
    """The first answer to each submission is lost: the server has it, the phone does not."""

    def __init__(self):
        self.seen: dict[str, int] = {}

    def __call__(self, route):
        request = route.request
        if request.method != "POST":
            route.fallback()
            return
        key = f"{request.url} {request_id(request)}"
        self.seen[key] = self.seen.get(key, 0) + 1
        if self.seen[key] > 1:
            route.fallback()
            return
        route.fetch()  # reaches the server, which stores it …
        route.abort("connectionreset")  # … and the answer never comes back


def take_control(page):
    """Wait for the service worker; a page that loaded while it was activating is not
    claimed by it (a race of the browser's), so load that one again."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def wait_until_sent(page, *, rounds=12):
    """Ask the outbox to send now ("立即提交" on the today page) until nothing waits."""
    for _ in range(rounds):
        if page.evaluate(PENDING) == 0:
            return
        button = page.locator("[data-testid=outbox-retry]")
        if button.is_visible():
            button.click()
        page.wait_for_timeout(700)
    raise AssertionError(f"still waiting: {page.evaluate(PENDING)}")


def rental_buildings(worker, count=8):
    """Rental buildings in the worker's grid: the demo campaign knocks on their doors."""
    from wangge.places.actions import RentalInfo, do_create_building

    grid = Assignment.objects.get(user=worker, role__slug="grid_worker").region
    units = list(Region.objects.filter(parent=grid).order_by("code"))
    for n in range(count):
        do_create_building(
            actor=worker,
            unit_code=units[n % len(units)].code,
            name=f"新塘里{200 + n}号",
            address=f"新塘里{200 + n}号",
            floors=4,
            rental=RentalInfo(landlord_name="陈房东", landlord_phone=f"136000{n:05d}"),
        )


def campaign_worker(campaign):
    """The grid worker with the most targets of the campaign not yet visited."""
    from django.db.models import Count

    from wangge.accounts.models import User
    from wangge.campaigns.models import Target

    busiest = (
        Target.objects.filter(campaign=campaign, attempt_count=0, assignee__isnull=False)
        .values("assignee")
        .annotate(n=Count("pk"))
        .order_by("-n", "assignee")
        .first()
    )
    assert busiest and busiest["n"] >= 3, busiest
    return User.objects.get(pk=busiest["assignee"])


def test_a_worker_records_offline_and_the_server_stores_each_record_once(
    browser, live_server, demo
):
    from wangge.campaigns import demo as campaigns_demo
    from wangge.campaigns.models import Attempt, Campaign, Target
    from wangge.demo.seed import DEMO_DISTRICT
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(DEMO_DISTRICT)
    rental_buildings(
        Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker").user
    )
    campaigns_demo.seed_demo(DEMO_DISTRICT)
    campaign = Campaign.objects.get(name=campaigns_demo.NAME)
    worker = campaign_worker(campaign)
    grid = Assignment.objects.get(user=worker, role__slug="grid_worker").region
    here = Region.objects.filter(parent=grid).order_by("code").first()
    attempts_before = Attempt.objects.count()
    mine = f"{live_server.url}/campaigns/{campaign.pk}/mine/"
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, worker.username, demo.password)
        page.wait_for_url(f"{live_server.url}/grid/{grid.code}/")
        # Online: today's list, the campaign's targets and the report form; the service
        # worker keeps them.
        page.locator("[data-testid=nav] [data-nav=today]").click()
        page.wait_for_url(f"{live_server.url}/fieldwork/")
        assert page.locator("[data-testid=today-item][data-kind=campaign]").count() >= 1
        take_control(page)
        page.wait_for_function(KEPT, arg=["/fieldwork/", "/events/new/"], polling=250)
        page.goto(mine)
        page.locator("[data-testid=attempt-form]").first.wait_for(state="attached")
        page.goto(f"{live_server.url}/events/new/")
        page.locator("#report-map path.map-node").wait_for()
        page.wait_for_function(
            KEPT, arg=[f"/campaigns/{campaign.pk}/mine/", "/events/new/"], polling=250
        )

        # Offline: the pages still open; three visits and a report with its photo wait in
        # the outbox.
        context.set_offline(True)
        page.goto(mine)
        page.locator("[data-testid=attempt-form][data-outbox-ready]").first.wait_for(
            state="attached"
        )
        listed = page.locator("[data-testid=attempt-form]").evaluate_all(
            "forms => forms.map(f => Number(f.dataset.target))"
        )
        fresh = set(
            Target.objects.filter(pk__in=listed, attempt_count=0).values_list("pk", flat=True)
        )
        chosen = [pk for pk in listed if pk in fresh][:3]
        outcomes = dict(zip(chosen, ["no_answer", "notified", "refused"], strict=True))
        for number, (target, outcome) in enumerate(outcomes.items(), start=1):
            item = page.locator(f"#target-{target}")
            item.locator("details").evaluate("details => { details.open = true; }")
            form = item.locator("[data-testid=attempt-form]")
            form.locator("select[name=outcome]").select_option(outcome)
            form.locator("textarea[name=note]").fill(f"离线记录 {number}")
            # The button may sit under the tab bar: the keyboard presses it.
            form.locator("button[type=submit]").focus()
            page.keyboard.press("Enter")
            note = form.locator("[data-outbox-note]")
            note.wait_for()
            assert note.inner_text() == QUEUED
            item.locator("details").evaluate("details => { details.open = false; }")
            assert f"{number} 条待提交" in page.locator("[data-testid=outbox-badge]").inner_text()
        shot(page, "fieldwork-campaign-offline-phone.png")

        page.goto(f"{live_server.url}/events/new/")
        form = page.locator("[data-testid=report-form][data-outbox-ready]")
        form.wait_for()
        page.select_option("select[name=category]", "0601")
        page.fill("textarea[name=description]", DESCRIPTION)
        page.fill("#id_lng", str(here.point_lng))
        page.fill("#id_lat", str(here.point_lat))
        page.set_input_files(
            "input[name=photo]",
            files=[{"name": "IMG_2001.jpg", "mimeType": "image/jpeg", "buffer": photo()}],
        )
        page.locator("[data-testid=submit]").click()
        note = form.locator("[data-outbox-note]")
        note.wait_for()
        assert note.inner_text() == QUEUED
        badge = page.locator("[data-testid=outbox-badge]")
        assert "4 条待提交" in badge.inner_text() and "离线" in badge.inner_text()
        assert page.input_value("textarea[name=description]") == ""  # ready for the next one
        # A second report, without a photo: the two go in one batch.
        page.select_option("select[name=category]", "0602")
        page.fill("textarea[name=description]", SECOND)
        page.fill("#id_lng", str(here.point_lng))
        page.fill("#id_lat", str(here.point_lat))
        page.locator("[data-testid=submit]").click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=outbox-badge]').dataset.pending === '5'"
        )
        assert not Event.objects.exists() and not Attachment.objects.exists()
        assert Attempt.objects.count() == attempts_before

        page.goto(f"{live_server.url}/fieldwork/")
        panel = page.locator("[data-testid=outbox]")
        panel.wait_for()
        assert panel.locator("[data-state=pending]").count() == 5
        assert "5 条待提交" in panel.locator("[data-testid=outbox-summary]").inner_text()
        assert web.no_horizontal_overflow(page), "the today page scrolls sideways on a phone"
        shot(page, "fieldwork-offline-phone.png")

        # Back online on a bad network: every first answer is lost, the outbox tries again.
        bad = BadNetwork()
        api = re.compile(re.escape(live_server.url) + r"/api/v1/.*")
        page.route(api, bad)
        context.set_offline(False)
        wait_until_sent(page, rounds=30)
        # Three visits, the photo, and the two reports in one batch.
        assert len(bad.seen) == 5 and all(n >= 2 for n in bad.seen.values()), bad.seen
        assert sum("/api/v1/events/batch " in key for key in bad.seen) == 1, bad.seen

        recorded = Attempt.objects.filter(recorded_by=worker, target__in=chosen)
        assert recorded.count() == 3 == Attempt.objects.count() - attempts_before
        assert {a.target_id: a.outcome.code for a in recorded} == outcomes
        assert sorted(a.note for a in recorded) == ["离线记录 1", "离线记录 2", "离线记录 3"]
        assert Event.objects.count() == 2
        event = Event.objects.get(description=DESCRIPTION)
        assert event.reporter == worker and event.category.code == "0601"
        assert event.grid_code == grid.code
        second = Event.objects.get(description=SECOND)
        assert second.reporter == worker and second.category.code == "0602"
        assert list(Attachment.objects.values_list("event_id", "uploader_id")) == [
            (event.pk, worker.pk)
        ]
        assert "没有待提交的记录" in panel.locator("[data-testid=outbox-summary]").inner_text()
        assert page.locator("[data-testid=outbox-badge]").is_hidden()

        # Reloading sends nothing again.
        page.unroute(api)
        page.reload()
        page.locator("[data-testid=outbox-summary]").wait_for()
        page.wait_for_timeout(500)
        assert Event.objects.count() == 2 and Attachment.objects.count() == 1
        assert Attempt.objects.count() - attempts_before == 3
        shot(page, "fieldwork-synced-phone.png")
        assert errors == []
        assert outside == []
    finally:
        context.close()


def test_a_report_sent_online_goes_to_the_event_with_its_number(browser, live_server, demo):
    """Online the outbox sends at once: the worker lands on the event, as without JavaScript."""
    from wangge.demo.seed import DEMO_DISTRICT
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(DEMO_DISTRICT)
    grid = Assignment.objects.get(user__username=demo.worker, role__slug="grid_worker").region
    here = Region.objects.filter(parent=grid).order_by("code").last()
    context, page, errors, outside = web.open_page(browser, live_server, web.PHONE, **PHONE_OPTIONS)
    try:
        web.sign_in(page, live_server, demo.worker, demo.password)
        page.wait_for_url(f"{live_server.url}/grid/{grid.code}/")
        page.goto(f"{live_server.url}/events/new/")
        page.wait_for_function("() => document.querySelector('form[data-outbox-ready]')")
        page.select_option("select[name=category]", "0602")
        page.fill("textarea[name=description]", "路灯不亮")
        # Outside the worker's grid first: refused, shown on the form, nothing kept.
        page.fill("#id_lng", "0")
        page.fill("#id_lat", "0")
        page.locator("[data-testid=submit]").click()
        refused = page.locator("[data-outbox-note].outbox-note-error")
        refused.wait_for()
        assert errors == []
        assert "请检查" in refused.inner_text()
        assert page.locator(".field.has-error .field-error").count() >= 1
        assert page.evaluate(PENDING) <= 0
        page.fill("#id_lng", str(here.point_lng))
        page.fill("#id_lat", str(here.point_lat))
        page.set_input_files(
            "input[name=photo]",
            files=[{"name": "IMG_2002.jpg", "mimeType": "image/jpeg", "buffer": photo()}],
        )
        page.locator("[data-testid=submit]").dblclick()
        page.wait_for_url(re.compile(r"/events/\d+/$"))
        event = Event.objects.get()
        assert page.url.endswith(f"/events/{event.pk}/")
        assert f"已上报，编号 {event.number}" in page.locator("[data-testid=messages]").inner_text()
        assert Attachment.objects.get().event == event
        assert errors == []
        assert outside == []
    finally:
        context.close()
