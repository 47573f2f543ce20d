"""Every part of the platform a user may open, for the "All" page (全部功能).

The tab bar keeps to the few pages a role uses all day; everything else is
listed here, grouped, each shown only when the user holds its permission
somewhere (``scope.can``).  One scope computation, no further queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.accounts.scope import Scope, scope_for
from wangge.fieldwork.selectors import is_field_worker
from wangge.maps.selectors import can_use_map


@dataclass(frozen=True)
class Module:
    group: Promise
    label: Promise
    url_name: str
    #: Any of these permissions (``app.codename``) somewhere opens it; empty: any signed-in user.
    perms: tuple[str, ...]
    description: Promise
    #: Instead of ``perms``: the owning app's own test, ``check(user)``.
    check: Callable[[Any], bool] | None = None


WORK = _("Daily work")
FIELD = _("Field work")
DATA = _("Base data")
COMMAND = _("Command centre")
TEAM = _("Grid workers")

MODULES: tuple[Module, ...] = (
    Module(WORK, _("Today"), "fieldwork:today", (), _("My tasks today"), check=is_field_worker),
    Module(
        WORK,
        _("Event queue"),
        "events:queue",
        ("events.dispatch_event",),
        _("Register and dispatch"),
    ),
    Module(
        WORK,
        _("Inbox"),
        "events:inbox",
        ("events.handle_event",),
        _("Events dispatched to my department"),
    ),
    Module(WORK, _("My events"), "events:mine", (), _("What I reported or follow")),
    Module(
        WORK, _("Notifications"), "notifications:list", (), _("Dispatched, overdue, sent back…")
    ),
    Module(
        WORK,
        _("Suggestions"),
        "suggestions:list",
        (
            "suggestions.submit_suggestion",
            "suggestions.handle_suggestion",
            "suggestions.view_suggestion",
            "suggestions.manage_draft",
            "suggestions.record_opinion",
            "suggestions.submit_opinion",
        ),
        _("金点子 and opinions on drafts (立法联系点)"),
    ),
    Module(
        FIELD,
        _("Campaigns"),
        "campaigns:list",
        ("campaigns.view_campaign",),
        _("Door-to-door canvassing"),
    ),
    Module(
        FIELD,
        _("Care visits"),
        "care:list",
        ("care.view_visittask",),
        _("Visits to special groups"),
    ),
    Module(
        FIELD,
        _("Arrival follow-ups"),
        "arrivals:tasks",
        ("arrivals.follow_up_arrival",),
        _("People who reported their arrival"),
    ),
    Module(
        FIELD,
        _("Arrival reports"),
        "arrivals:reports",
        ("arrivals.view_arrivalreport",),
        _("All arrival reports of my area"),
    ),
    Module(
        FIELD,
        _("Safety inspections"),
        "inspections:hazards",
        ("inspections.view_inspection",),
        _("Hazards and re-inspections"),
    ),
    Module(
        FIELD,
        _("Emergency tasks"),
        "emergency:tasks",
        ("emergency.record_outcome",),
        _("Point-to-point lists"),
    ),
    Module(
        COMMAND,
        _("Map"),
        "maps:index",
        (),
        _("Events, parts, buildings and hazards on the map"),
        check=can_use_map,
    ),
    Module(
        COMMAND,
        _("Dashboard"),
        "dashboards:index",
        ("dashboards.view_dashboard",),
        _("Figures, trends and rankings"),
    ),
    Module(
        COMMAND,
        _("Periodic reports"),
        "reports:index",
        ("dashboards.view_dashboard",),
        _("Daily, weekly and monthly reports as Excel or PDF"),
    ),
    Module(
        COMMAND,
        _("Big screen"),
        "dashboards:screen",
        ("events.dispatch_event", "events.supervise_event"),
        _("For the command-centre wall"),
    ),
    Module(
        COMMAND,
        _("Emergency mode"),
        "emergency:centre",
        ("emergency.activate_emergency", "emergency.view_emergency"),
        _("Switch an area into an emergency"),
    ),
    Module(
        DATA,
        _("People"),
        "people:list",
        ("people.view_person",),
        _("Residents, households, special groups"),
    ),
    Module(
        DATA,
        _("Buildings"),
        "places:list",
        ("places.view_building",),
        _("Buildings, rooms, rental housing"),
    ),
    Module(
        DATA,
        _("City parts"),
        "assets:list",
        ("assets.view_asset",),
        _("Hydrants, manhole covers, lamps…"),
    ),
    Module(
        DATA,
        _("Organisations"),
        "organisations:index",
        ("organisations.view_enterprise",),
        _("Enterprises, shops, party organisations"),
    ),
    Module(
        DATA,
        _("Ledgers (Excel)"),
        "ledgers:index",
        ("people.add_person", "organisations.add_enterprise", "assets.add_asset"),
        _("Import and export"),
    ),
    Module(
        TEAM,
        _("My scorecard"),
        "workforce:me",
        ("workforce.tick_method",),
        _("553 checklist and monthly assessment"),
    ),
    Module(
        TEAM,
        _("Ranking"),
        "workforce:ranking",
        ("workforce.view_ranking",),
        _("Monthly assessment of grid workers"),
    ),
    Module(
        TEAM,
        _("Roster"),
        "workforce:roster",
        ("workforce.view_roster",),
        _("Two members per grid: who works each grid"),
    ),
    Module(
        TEAM,
        _("553 progress"),
        "workforce:progress",
        ("workforce.view_roster",),
        _("Five to know, five to visit, three to attend, by area and worker"),
    ),
    Module(
        TEAM,
        _("Training"),
        "workforce:training",
        ("workforce.view_trainingsession",),
        _("Sessions, attendances and totals by area"),
    ),
    Module(
        TEAM,
        _("Duties"),
        "workforce:duties",
        ("workforce.tick_method", "workforce.view_roster"),
        _("7 categories, 19 duties of a grid worker"),
    ),
)


def _allowed(user: Any, scope: Scope, module: Module) -> bool:
    if module.check is not None:
        return module.check(user)
    return not module.perms or any(scope.can(perm) for perm in module.perms)


def modules_for(user: Any) -> list[tuple[str, list[dict[str, str]]]]:
    """``[(group, [{label, url, description, key}…])…]`` of what the user may open."""
    scope = scope_for(user)
    groups: dict[str, list[dict[str, str]]] = {}
    for module in MODULES:
        if _allowed(user, scope, module):
            groups.setdefault(str(module.group), []).append(
                {
                    "label": str(module.label),
                    "url": reverse(module.url_name),
                    "description": str(module.description),
                    "key": module.url_name,
                }
            )
    return list(groups.items())
