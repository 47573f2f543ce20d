"""Accessibility of the main pages (WCAG 2.1 A/AA, GB/T 37668), checked in a real browser with
axe-core (installed from npm with the frontend, never fetched at test time).

Each page is opened as the person who uses it, on a phone and on a desktop; a violation axe
rates "serious" or "critical" fails the test with the rule, the page and the elements.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from . import test_browser as web

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

browser = web.browser

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary)}));
}"""


def violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return found


PHONE = (web.PHONE, {"is_mobile": True, "has_touch": True})
DESKTOP = (web.DESKTOP, {})


def check(
    browser: Any,
    live_server: Any,
    username: str,
    password: str,
    paths: list[str],
    screens: tuple[tuple[dict[str, int], dict[str, Any]], ...],
    language: str = "zh-hans",
) -> dict[str, list[dict[str, Any]]]:
    """The serious and critical violations of each page, on each of ``screens``, and on a
    phone what is cut off (or widens the page)."""
    problems: dict[str, list[dict[str, Any]]] = {}
    for viewport, options in screens:
        context, page, errors, outside = web.open_page(
            browser, live_server, viewport, bypass_csp=True, **options
        )
        if username:
            web.sign_in(page, live_server, username, password)
            page.wait_for_load_state("networkidle")
        if language != "zh-hans":
            web.set_language(page, live_server, language)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, (path, response)
            page.wait_for_load_state("networkidle")
            found = violations(page)
            if viewport == web.PHONE:
                page.evaluate("document.querySelectorAll('details').forEach((d) => d.open = true)")
                cut = page.evaluate(web.CUT_OFF, viewport["width"])
                if cut or page.evaluate("innerWidth") != viewport["width"]:
                    found.append({"id": "cut-off", "impact": "serious", "help": "", "nodes": cut})
            if found:
                problems[f"{username or '-'} {language} {viewport['width']} {path}"] = found
        assert errors == [] and outside == [], (errors, outside)
        context.close()
    return problems


@pytest.fixture
def full_demo(transactional_db: Any) -> None:
    """The demo district with its content (events, base data, residents, field work)."""
    from io import StringIO

    from django.core.management import call_command

    call_command("seed", "--residents", "200", stdout=StringIO())


def test_every_users_pages(browser: Any, live_server: Any, full_demo: None) -> None:
    from wangge.accounts.models import User
    from wangge.demo.seed import FIRST_GRID
    from wangge.events.selectors import events_visible_to

    mine = events_visible_to(User.objects.get(username="worker1")).order_by("pk").first()
    assert mine is not None
    event = f"/events/{mine.pk}/"
    # Who uses which pages, and on what: grid workers and residents on phones (and desktops),
    # the command centre on desktops.
    both, desktop = (PHONE, DESKTOP), (DESKTOP,)
    pages = [
        (
            "worker1",
            both,
            [
                "/me/",
                f"/grid/{FIRST_GRID}/",
                "/",
                "/events/",
                "/events/new/",
                event,
                "/fieldwork/",
                "/map/",
                "/workforce/",
                "/notifications/",
            ],
        ),
        (
            "district",
            desktop,
            [
                f"/area/{FIRST_GRID[:9]}/",
                "/",
                "/events/",
                event,
                "/dashboards/",
                "/dashboards/screen/",
                "/map/",
                "/reports/",
                "/workforce/roster/",
                "/workforce/training/",
                "/people/",
                "/places/",
                "/assets/",
                "/organisations/",
                "/campaigns/",
                "/arrivals/",
                "/care/",
                "/emergency/",
                "/inspections/",
                "/suggestions/",
                "/ledgers/",
                "/all/",
            ],
        ),
        ("resident", both, ["/portal/", "/portal/report/"]),
        ("", both, ["/login/", "/portal/"]),
    ]
    problems: dict[str, list[dict[str, Any]]] = {}
    for username, screens, paths in pages:
        problems.update(
            check(browser, live_server, username, settings.DEMO_PASSWORD, paths, screens)
        )
    # A grid worker who chose English: longer words, the same phone.
    worker, _screens, paths = pages[0]
    problems.update(
        check(browser, live_server, worker, settings.DEMO_PASSWORD, paths, (PHONE,), "en")
    )
    assert problems == {}, "\n".join(
        f"{where}: {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["nodes"])
        for where, found in problems.items()
        for v in found
    )
