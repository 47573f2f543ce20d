"""Where a user starts, and how their roles read in the page header.

The decision comes from the user's scope only (``scope_for``): the nodes a
user works at decide the landing page.  A node at grid or unit level opens
"my grid"; a higher node opens the area page; several nodes open a chooser.
Department and self-scoped roles (handlers, residents) get an overview of
their department or district.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.accounts.choices import RoleScope
from wangge.accounts.scope import Scope
from wangge.lib import codes
from wangge.regions import selectors
from wangge.regions.choices import RegionLevel

#: Roles that work on the ground in one grid (or one minimal unit).
WORKER_ROLES = frozenset({"grid_worker", "part_time_worker", "dept_member", "liaison_leader"})
#: Roles that oversee an area: command centres, community stations, leaders, admins.
AREA_ROLES = frozenset({"dispatcher", "community_staff", "leader", "admin"})

ROLE_LABELS: dict[str, Promise] = {
    "admin": _("Administrator"),
    "leader": _("Leader"),
    "dispatcher": _("Command centre"),
    "community_staff": _("Community staff"),
    "grid_worker": _("Grid worker"),
    "part_time_worker": _("Part-time grid worker"),
    "liaison_leader": _("Liaison leader"),
    "dept_member": _("Department grid member"),
    "dept_handler": _("Department"),
    "resident": _("Resident"),
}

#: Levels shown on the "my grid" page rather than the area page.
GROUND_LEVELS = frozenset({RegionLevel.GRID.value, RegionLevel.UNIT.value})


def role_label(slug: str) -> str:
    label = ROLE_LABELS.get(slug)
    return str(label) if label is not None else slug


def role_labels(scope: Scope) -> list[str]:
    labels = [role_label(slug) for slug in scope.roles]
    if scope.is_global and not labels:
        labels = [role_label("admin")]
    return labels


def level_of(code: str) -> str:
    return RegionLevel.from_code_level(codes.level_of(code)).value


def page_url(code: str) -> str:
    """The page of a node: "my grid" for grids and units, the area page above."""
    if level_of(code) in GROUND_LEVELS:
        return reverse("web:grid", args=[code])
    return reverse("web:area", args=[code])


@dataclass(frozen=True)
class Landing:
    """``redirect`` to go straight to one page, else the chooser or the overview."""

    redirect: str | None
    roots: list[str]
    overview: bool


def work_roots(user: Any, scope: Scope) -> list[str]:
    """The top nodes a user works at: assigned nodes, or every district for a global role."""
    if scope.is_global:
        return list(
            selectors.regions_under(user, level=RegionLevel.DISTRICT).values_list("code", flat=True)
        )
    return scope.node_roots


def has_overview(scope: Scope) -> bool:
    """Does the user hold a department or self-scoped role (handler, resident)?"""
    return any(g.scope in (RoleScope.DEPARTMENT, RoleScope.SELF) for g in scope.grants)


def landing_for(user: Any, scope: Scope) -> Landing:
    if not scope.is_global and scope.roles == ["resident"]:
        # Residents only: their reports in the resident portal.
        return Landing(redirect=reverse("portal:home"), roots=[], overview=False)
    roots = work_roots(user, scope)
    overview = has_overview(scope)
    if len(roots) == 1 and not overview:
        return Landing(redirect=page_url(roots[0]), roots=roots, overview=False)
    if not roots and overview:
        return Landing(redirect=reverse("web:overview"), roots=[], overview=True)
    return Landing(redirect=None, roots=roots, overview=overview)
