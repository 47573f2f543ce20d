"""The links to the event pages in the top bar (a tab bar on phones), by what the user does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.accounts.scope import scope_for
from wangge.events import selectors
from wangge.fieldwork.selectors import is_field_worker
from wangge.maps.selectors import can_use_map

#: The base-data pages (people, buildings, city parts, organisations): one tab for them all.
BASEDATA_APPS = ("people:", "places:", "assets:", "organisations:")

#: Roles whose "my events" (their grid, their reports) is worth a tab of its own.
FIELD_ROLES = frozenset(
    {"grid_worker", "part_time_worker", "dept_member", "liaison_leader", "resident"}
)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Promise
    url: str
    active: bool


def keeps_basedata(user: Any) -> bool:
    """Records who lives where somewhere (grid workers, community staff, part-time workers)."""
    return scope_for(user).can("places.add_occupancy")


def nav_items(request: HttpRequest) -> list[NavItem]:
    """Home, then the queue, inbox, my events and report as the user's roles allow.

    Empty when only "home" would be left: the top bar then has no tabs.
    """
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match is not None else ""
    queue = selectors.can_use_queue(user)
    inbox = selectors.can_use_inbox(user)
    field = bool(FIELD_ROLES & set(scope_for(user).roles))
    wanted: list[tuple[str, Promise, str, bool]] = [
        ("home", _("Home"), "web:home", True),
        # The worker's phone: today's tasks from every field-work app, and the outbox.
        ("today", _("Today"), "fieldwork:today", is_field_worker(user)),
        ("queue", _("Queue"), "events:queue", queue),
        ("inbox", _("Inbox"), "events:inbox", inbox),
        ("mine", _("My events"), "events:mine", field or not (queue or inbox)),
        # Those who keep the base data of their grids: grid workers, community staff.
        ("basedata", _("Base data"), "people:list", keeps_basedata(user)),
        ("map", _("Map"), "maps:index", can_use_map(user) and (queue or not field)),
        ("new", _("Report"), "events:new", selectors.can_report(user)),
        # Everything else the user may open (campaigns, care, inspections, dashboards…).
        ("all", _("All"), "web:modules", True),
    ]
    items = [
        NavItem(
            key,
            label,
            reverse(name),
            here == name
            or (key == "home" and here.startswith("web:") and here != "web:modules")
            or (key == "today" and here.startswith("fieldwork:"))
            or (key == "map" and here.startswith("maps:"))
            or (key == "basedata" and here.startswith(BASEDATA_APPS)),
        )
        for key, label, name, shown in wanted
        if shown
    ]
    return items if len(items) > 1 else []
