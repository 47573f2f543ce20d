"""The city-parts pages (物): the list with its filters and one part with its inspection log.

Read-only.  Parts are found through ``wangge.assets.selectors``: a user sees
the parts in the subtrees they work in, a department the parts it owns; out
of scope answers 404 like a missing part.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wangge.assets import forms, selectors
from wangge.assets.choices import AssetState
from wangge.assets.models import Asset
from wangge.basedata.staleness import is_stale
from wangge.people.forms import node_roots
from wangge.people.views import basedata_tabs, can_view_assets, is_htmx, place_names

PAGE_SIZE = 20


@login_required
@require_GET
def asset_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_view_assets(user):
        raise PermissionDenied
    filters = forms.AssetFilterForm(request.GET, roots=node_roots(user))
    qs = selectors.assets_filtered(user, **filters.selection()).select_related(
        "type", "owner_department"
    )
    page = Paginator(qs.order_by("region_code", "code", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    assets: list[Asset] = list(page.object_list)
    names = place_names(a.region_code for a in assets)
    context = {
        "tabs": basedata_tabs(user, "assets"),
        "filters": filters,
        "page": page,
        "rows": [
            (a, names.get(a.region_code, a.region_code), is_stale(a.verified_at)) for a in assets
        ],
    }
    if is_htmx(request):
        return render(request, "assets/list.html#asset-list", context)
    return render(request, "assets/list.html", context)


@login_required
@require_GET
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not can_view_assets(user):
        raise PermissionDenied
    asset = selectors.get_asset_for_user(user, pk)
    states = {value: str(label) for value, label in AssetState.choices}
    context = {
        "tabs": basedata_tabs(user, "assets"),
        "asset": asset,
        "place": place_names([asset.region_code]).get(asset.region_code, asset.region_code),
        "stale": is_stale(asset.verified_at),
        "logs": [
            (log, states.get(log.state_before, log.state_before), states.get(log.state_after, ""))
            for log in selectors.logs_of(asset)
        ],
    }
    return render(request, "assets/detail.html", context)
