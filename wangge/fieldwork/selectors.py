"""Reads for the grid worker's phone: who has a "today" page, what is on it, what to keep offline."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.urls import reverse

from wangge.accounts.scope import scope_for
from wangge.events.selectors import can_report
from wangge.fieldwork.worklist import WorkItem, work_items

#: Roles that work in the field and get the "today" tab (see ``wangge.events.nav``).
FIELD_WORKER_ROLES = frozenset({"grid_worker", "part_time_worker", "dept_member"})

#: Paths (regular expressions) whose pages the service worker keeps for offline use once they
#: have been seen: the today list, the report form, the field-work apps' pages, the map outline
#: of an area (the report form's map).  Only whole pages a user opened; never the API.
OFFLINE_PAGES: tuple[str, ...] = (
    r"^/fieldwork/$",
    r"^/events/new/$",
    r"^/campaigns/",
    r"^/arrivals/",
    r"^/care/",
    r"^/emergency/",
    r"^/inspections/",
    r"^/area/[0-9]+/geojson/$",
)
_OFFLINE = [re.compile(pattern) for pattern in OFFLINE_PAGES]
#: At most this many of the today list's links are fetched ahead for offline use.
WARM_LIMIT = 30


def can_use_today(user: Any) -> bool:
    """Everybody who works in the tree (a node role) and administrators; not residents or
    department-only handlers, whose work lives in their inbox."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    return scope.is_global or bool(scope.node_roots)


def is_field_worker(user: Any) -> bool:
    """Holds a role that works in the field (for the tab in the menu)."""
    if user is None or not user.is_authenticated:
        return False
    return bool(FIELD_WORKER_ROLES & set(scope_for(user).roles))


def kept_offline(path: str) -> bool:
    return any(pattern.search(path) for pattern in _OFFLINE)


def today_items(user: Any, *, now: datetime) -> list[WorkItem]:
    """The user's open work from every field-work app, overdue first (see ``worklist``)."""
    return work_items(user, now=now)


def offline_pages(user: Any, items: list[WorkItem]) -> list[str]:
    """What the phone fetches ahead for offline use from the today page: the page itself,
    the report form if the user reports, and the pages the listed items link to."""
    urls = [reverse("fieldwork:today")]
    if can_report(user):
        urls.append(reverse("events:new"))
    for item in items:
        path = item.url.split("#", 1)[0]
        if path.startswith("/") and kept_offline(path.split("?", 1)[0]) and path not in urls:
            urls.append(path)
        if len(urls) >= WARM_LIMIT:
            break
    return urls
