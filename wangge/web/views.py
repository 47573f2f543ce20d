"""The web pages: landing by role, "my grid", the area tree, and their map data.

Every region read goes through ``wangge.regions.selectors``, so a page or a
map of a node outside the user's scope answers 404 like a missing one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wangge.accounts.choices import RoleScope
from wangge.accounts.models import Assignment, Department
from wangge.accounts.scope import scope_for
from wangge.events.views import event_card, overview_events
from wangge.lib import codes
from wangge.regions import selectors
from wangge.regions.choices import LEVEL_ORDER, RegionLevel
from wangge.regions.models import Region
from wangge.web.landing import GROUND_LEVELS, has_overview, landing_for, page_url
from wangge.web.modules import modules_for


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status": "ok"}`` when the database answers; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


# --- labels ------------------------------------------------------------------

#: Headings of the count cards, per level below the node.
STAT_LABELS = {
    RegionLevel.STREET: _("Streets / towns"),
    RegionLevel.COMMUNITY: _("Communities / villages"),
    RegionLevel.GRID: _("Grids"),
    RegionLevel.UNIT: _("Minimal units"),
}

#: Headings of the list of children, per level of the children.
CHILDREN_HEADINGS = {
    RegionLevel.STREET: _("Streets and towns"),
    RegionLevel.COMMUNITY: _("Communities and villages"),
    RegionLevel.GRID: _("Grids"),
    RegionLevel.UNIT: _("Minimal units"),
}


def count_label(level: str, n: int) -> str:
    """A count of nodes of one level: "3 grids", "3 个网格"."""
    if level == RegionLevel.STREET:
        text = ngettext("%(n)d street or town", "%(n)d streets or towns", n)
    elif level == RegionLevel.COMMUNITY:
        text = ngettext("%(n)d community", "%(n)d communities", n)
    elif level == RegionLevel.GRID:
        text = ngettext("%(n)d grid", "%(n)d grids", n)
    else:
        text = ngettext("%(n)d unit", "%(n)d units", n)
    return text % {"n": n}


# --- helpers -----------------------------------------------------------------


def child_level(region: Region) -> RegionLevel | None:
    depth = RegionLevel(region.level).depth + 1
    return LEVEL_ORDER[depth] if depth < len(LEVEL_ORDER) else None


@dataclass
class Crumb:
    name: str
    url: str | None


def breadcrumb(user: Any, region: Region) -> list[Crumb]:
    """Ancestors from the district down; linked only where the user may open them."""
    scope = scope_for(user)
    return [
        Crumb(a.name, page_url(a.code) if scope.can_see_region(a.code) else None)
        for a in selectors.ancestors(region)
    ]


@dataclass
class ChildRow:
    region: Region
    url: str
    expandable: bool
    counts: list[str] = field(default_factory=list)


@dataclass
class Stat:
    label: Any
    value: str


def branch_counts(user: Any, node: Region) -> dict[str, dict[str, int]]:
    """For each child of ``node`` (by code), how many nodes of each level lie under it.

    One grouped query over the node's subtree, whatever its size.
    """
    below = child_level(node)
    if below is None:
        return {}
    child_len = codes.CODE_LENGTH[codes.Level(below.depth)]
    rows = (
        selectors.regions_under(user, under=node.code)
        .filter(code__gt=node.code)
        .annotate(branch=Substr("code", 1, child_len))
        .values("branch", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["branch"]][row["level"]] = row["n"]
    return counts


def child_rows(user: Any, node: Region) -> tuple[list[ChildRow], dict[str, int]]:
    """The children of ``node`` with their counts, and the node's totals per level."""
    below = child_level(node)
    if below is None:
        return [], {}
    counts = branch_counts(user, node)
    totals: dict[str, int] = defaultdict(int)
    for per_level in counts.values():
        for level, n in per_level.items():
            totals[level] += n
    children = selectors.regions_under(user, under=node.code, level=below).only(
        *selectors.LIST_FIELDS
    )
    rows = []
    for child in children:
        mine = counts.get(child.code, {})
        labels = []
        deeper = child_level(child)
        if deeper is not None:
            labels.append(count_label(deeper, mine.get(deeper, 0)))
            if deeper.depth < RegionLevel.GRID.depth:
                labels.append(count_label(RegionLevel.GRID, mine.get(RegionLevel.GRID, 0)))
        rows.append(
            ChildRow(
                region=child,
                url=page_url(child.code),
                expandable=child.level not in GROUND_LEVELS and deeper is not None,
                counts=labels,
            )
        )
    return rows, dict(totals)


def area_stats(node: Region, totals: dict[str, int]) -> list[Stat]:
    return [
        Stat(label, str(totals.get(level, 0)))
        for level, label in STAT_LABELS.items()
        if level.depth > RegionLevel(node.level).depth
    ]


# --- pages -------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to where they work; several places → a chooser."""
    scope = scope_for(request.user)
    landing = landing_for(request.user, scope)
    if landing.redirect:
        return redirect(landing.redirect)
    places = [
        {"region": r, "url": page_url(r.code)}
        for r in selectors.regions_visible_to(request.user)
        .filter(code__in=landing.roots)
        .only(*selectors.LIST_FIELDS)
        .order_by("code")
    ]
    return render(
        request,
        "web/chooser.html",
        {"places": places, "overview": landing.overview},
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Departments and residents: their department or district, with its map."""
    scope = scope_for(request.user)
    if scope.node_roots and not has_overview(scope):
        return redirect("web:home")  # a grid worker, a street: their place is their page
    departments = list(
        Department.objects.filter(id__in=scope.department_ids).select_related("district")
    )
    district_codes = sorted(
        {
            g.district_code
            for g in scope.grants
            if g.scope == RoleScope.DEPARTMENT and g.district_code
        }
        | {g.region_code for g in scope.grants if g.scope == RoleScope.SELF and g.region_code}
    )
    districts = list(
        selectors.regions_visible_to(request.user)
        .filter(code__in=district_codes)
        .only(*selectors.LIST_FIELDS)
        .order_by("code")
    )
    return render(
        request,
        "web/overview.html",
        {
            "departments": departments,
            "districts": districts,
            "map_region": districts[0] if districts else None,
            "is_resident": any(g.scope == RoleScope.SELF for g in scope.grants),
            **overview_events(request.user),
        },
    )


@login_required
@require_GET
def area(request: HttpRequest, code: str) -> HttpResponse:
    """A district, street or community: its children as a tree and on the map."""
    node = selectors.get_region_for_user(request.user, code)
    if node.level in GROUND_LEVELS:
        return redirect("web:grid", code=node.code)
    children, totals = child_rows(request.user, node)
    below = child_level(node)
    return render(
        request,
        "web/area.html",
        {
            "node": node,
            "crumbs": breadcrumb(request.user, node),
            "children": children,
            "children_heading": CHILDREN_HEADINGS.get(below) if below else "",
            "stats": area_stats(node, totals),
            "events": event_card(request.user, node.code),
        },
    )


@login_required
@require_GET
def area_children(request: HttpRequest, code: str) -> HttpResponse:
    """The tree items under one node (loaded into the tree by htmx)."""
    node = selectors.get_region_for_user(request.user, code)
    if not request.headers.get("HX-Request"):
        return redirect(page_url(node.code))
    children, _totals = child_rows(request.user, node)
    return render(request, "web/area.html#tree-children", {"node": node, "children": children})


@login_required
@require_GET
def area_geojson(request: HttpRequest, code: str) -> JsonResponse:
    """The node and its children (a grid's minimal units) as a GeoJSON FeatureCollection."""
    node = selectors.get_region_for_user(request.user, code)
    features = [node.feature(role="node", url=page_url(node.code))]
    below = child_level(node)
    if below is not None:
        for child in selectors.regions_under(request.user, under=node.code, level=below):
            url = page_url(child.code) if below != RegionLevel.UNIT else None
            features.append(child.feature(role="child", url=url))
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


@login_required
@require_GET
def grid(request: HttpRequest, code: str) -> HttpResponse:
    """My grid: the grid (or minimal unit), its units, and who works there."""
    node = selectors.get_region_for_user(request.user, code)
    if node.level not in GROUND_LEVELS:
        return redirect("web:area", code=node.code)
    is_grid = node.level == RegionLevel.GRID
    units = (
        list(
            selectors.regions_under(request.user, under=node.code, level=RegionLevel.UNIT).only(
                *selectors.LIST_FIELDS
            )
        )
        if is_grid
        else []
    )
    worker_role = "grid_worker" if is_grid else "part_time_worker"
    workers = [
        a.user
        for a in Assignment.objects.filter(
            region_id=node.pk, role__slug=worker_role, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    ]
    stats = [
        Stat(_("Workers"), str(len(workers))),
        Stat(_("Area (km²)"), f"{node.area_km2:.2f}"),
    ]
    if is_grid:
        stats.insert(0, Stat(_("Minimal units"), str(len(units))))
    return render(
        request,
        "web/grid.html",
        {
            "node": node,
            "is_grid": is_grid,
            "crumbs": breadcrumb(request.user, node),
            "units": units,
            "workers": workers,
            "stats": stats,
            "events": event_card(request.user, node.code),
        },
    )


@login_required
@require_GET
def all_modules(request: HttpRequest) -> HttpResponse:
    """Every part of the platform the user may open (全部功能)."""
    return render(request, "web/modules.html", {"groups": modules_for(request.user)})
