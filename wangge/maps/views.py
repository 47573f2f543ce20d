"""The command map page: /map/ (the user's nodes) and /map/CODE/ (one node).

The page carries only the starting node and the settings; the browser draws
the hierarchy and the layers from /api/v1/map/… and moves between nodes
without reloading (the address follows, so back and reload work).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from wangge.accounts.scope import scope_for
from wangge.maps import selectors
from wangge.maps.choices import AssetGroup, Layer
from wangge.regions import selectors as regions
from wangge.regions.models import Region

LAYER_LABELS = {
    Layer.EVENTS: _("Events"),
    Layer.HEAT: _("Event heat"),
    Layer.ASSETS: _("City parts"),
    Layer.RENTALS: _("Rental housing"),
    Layer.HAZARDS: _("Enterprises with open hazards"),
    Layer.CARE: _("Care-visit coverage"),
    Layer.CAMPAIGNS: _("Campaign progress"),
}

ASSET_GROUP_LABELS = {
    AssetGroup.ALL: _("All city parts"),
    AssetGroup.HYDRANTS: _("Fire hydrants"),
    AssetGroup.COVERS: _("Manhole covers"),
}

#: Words the browser shows (cards, filters, notes).
LABELS = {
    "layers": _("Layers"),
    "close": _("Close"),
    "open": _("Open"),
    "drill": _("Go in"),
    "up": _("Up one level"),
    "all_areas": _("My areas"),
    "loading": _("Loading the map…"),
    "failed": _("The map could not be loaded."),
    "layer_failed": _("A layer could not be loaded."),
    "truncated": _("Showing %(shown)s of %(total)s: zoom in to see the rest."),
    "any_state": _("Open events"),
    "any_category": _("All categories"),
    "overdue_only": _("Overdue only"),
    "overdue": _("Overdue"),
    "state": _("State"),
    "category": _("Category"),
    "address": _("Address"),
    "grid": _("Grid"),
    "reported_at": _("Reported"),
    "due": _("Due"),
    "type": _("Type"),
    "last_inspected": _("Last inspected"),
    "floors": _("Floors"),
    "rooms": _("Rooms"),
    "occupants": _("Living there now"),
    "open_hazards": _("Open hazards"),
    "deadline": _("Rectification deadline"),
    "late": _("Past the deadline"),
    "tagged": _("People to visit"),
    "visited": pgettext_lazy("map care card: people", "Visited"),
    "visited_on_time": _("Visited on time"),
    "rate": _("Coverage"),
    "targets": _("Targets"),
    "done": pgettext_lazy("map campaign card: targets", "Done"),
    "pending": _("Not yet contacted"),
    "follow_up": _("Follow-ups"),
    "done_rate": pgettext_lazy("map campaign card", "Done rate"),
    "campaign": _("Campaign"),
    "no_campaign": _("No campaign to show"),
    "no_data": _("No figures"),
    "period": _("This month"),
}


def _require_map(user: Any) -> None:
    if not selectors.can_use_map(user):
        raise PermissionDenied


def _crumbs(user: Any, region: Region | None) -> list[dict[str, Any]]:
    """Ancestors (linked where the user may open them), then the node itself."""
    if region is None:
        return []
    scope = scope_for(user)
    found = [
        {
            "name": a.name,
            "url": reverse("maps:node", args=[a.code]) if scope.can_see_region(a.code) else None,
        }
        for a in regions.ancestors(region)
    ]
    found.append({"name": region.name, "url": None})
    return found


def _config(request: HttpRequest, region: Region | None) -> dict[str, Any]:
    from wangge.events.choices import EventState
    from wangge.events.selectors import active_categories

    user = request.user
    layers = selectors.available_layers(user)
    sample = reverse("maps:node", args=["440000"])
    return {
        "node": region.code if region else None,
        "several": selectors.several_roots(user),
        "urls": {
            "top": reverse("maps:index"),
            "node": sample.replace("440000", "{code}"),
            "api": "/api/v1/map/",
        },
        "layers": [{"key": key, "label": str(LAYER_LABELS[Layer(key)])} for key in layers],
        "defaults": [Layer.EVENTS.value] if Layer.EVENTS.value in layers else [],
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "states": [[value, str(label)] for value, label in EventState.choices],
        "categories": [
            [c.code, c.name] for c in active_categories().filter(parent__isnull=True)[:100]
        ],
        "asset_groups": [[key.value, str(label)] for key, label in ASSET_GROUP_LABELS.items()],
        "labels": {key: str(value) for key, value in LABELS.items()},
    }


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The user's nodes; straight to the node for those who have one."""
    _require_map(request.user)
    if not selectors.several_roots(request.user):
        top = selectors.top_regions(request.user).values_list("code", flat=True).first()
        if top:
            return redirect("maps:node", code=top)
    return render(
        request,
        "maps/map.html",
        {"node": None, "crumbs": [], "config": _config(request, None)},
    )


@login_required
@require_GET
def node(request: HttpRequest, code: str) -> HttpResponse:
    """One node: its outline, its children to click into, and the layers over them."""
    _require_map(request.user)
    region = regions.get_region_for_user(request.user, code)
    return render(
        request,
        "maps/map.html",
        {
            "node": region,
            "crumbs": _crumbs(request.user, region),
            "several": selectors.several_roots(request.user),
            "config": _config(request, region),
        },
    )
