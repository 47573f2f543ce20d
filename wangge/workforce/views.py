"""The workforce pages: the worker's own scorecard and "553" checklist (mobile), the
ranking of a community's or street's workers, and the roster with its 一格两员 check."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.accounts.scope import scope_for
from wangge.regions.models import Region
from wangge.workforce import actions, months, selectors
from wangge.workforce.models import Scorecard

#: Workers per page of the ranking (a street has a few hundred).
RANKING_PAGE_SIZE = 50


def _month(request: HttpRequest, default: date | None = None) -> date:
    value = request.GET.get("month", "")
    return months.parse_month(value) or default or months.this_month()


@login_required
@require_GET
def my_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    month = months.this_month()
    cards = list(selectors.own_scorecards(user))
    ticked = {t.item_id: t for t in selectors.ticks_of(user, month)}
    items = [(i, ticked.get(i.pk)) for i in selectors.method_items()]
    context = {
        "card": cards[0] if cards else None,
        "rows": selectors.scorecard_rows(cards[0]) if cards else [],
        "history": cards[1:7],
        "grid_names": selectors.grid_names([c.region_code for c in cards[:7]]),
        "month": month,
        "items": items,
        "ticked": len(ticked),
        "is_worker": bool(selectors.worker_grids(user)),
        "request_id": uuid.uuid4(),
        "trainings": selectors.attended_by(user).count(),
    }
    return render(request, "workforce/me.html", context)


@login_required
@require_POST
def tick(request: HttpRequest) -> HttpResponse:
    try:
        result = actions.do_tick_method(
            actor=request.user,
            item_code=request.POST.get("item", ""),
            note=request.POST.get("note", ""),
            request_id=request.POST.get("request_id", ""),
        )
    except actions.WorkforceError as exc:
        messages.error(request, "；".join([exc.message, *exc.fields.values()]))
    else:
        if result.created:
            messages.success(request, _("Ticked."))
    return redirect("workforce:me")


def _drill(request: HttpRequest, node: Region, perm: str) -> dict[str, Any]:
    """The node, the way up to it (as far as the user may go) and its children."""
    path, children = selectors.drill(node)
    scope = scope_for(request.user)
    return {
        "node": node,
        "path": [r for r in path if scope.can(perm, r.code)],
        "children": children,
    }


@login_required
@require_GET
def ranking_page(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).can(selectors.VIEW_RANKING):
        raise PermissionDenied
    month = _month(request, months.previous_month(months.this_month()))
    node, cards = selectors.ranking(request.user, month, request.GET.get("node") or None)
    page = Paginator(cards, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    shown: list[Scorecard] = list(page.object_list)
    names = selectors.grid_names([c.region_code for c in shown])
    first = page.start_index()
    context = {
        **_drill(request, node, selectors.VIEW_RANKING),
        "month": month,
        "month_text": f"{month:%Y-%m}",
        "page": page,
        "rows": [
            (first + i, c, names.get(c.region_code, c.region_code)) for i, c in enumerate(shown)
        ],
    }
    return render(request, "workforce/ranking.html", context)


@login_required
@require_GET
def scorecard_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One worker's scorecard, for the worker and for whoever may see the ranking there."""
    card = selectors.get_scorecard_for_user(request.user, pk)
    context = {
        "card": card,
        "rows": selectors.scorecard_rows(card),
        "grid_name": selectors.grid_names([card.region_code]).get(card.region_code, ""),
    }
    return render(request, "workforce/scorecard.html", context)


@login_required
@require_GET
def roster_page(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).can(selectors.VIEW_ROSTER):
        raise PermissionDenied
    node, grids = selectors.roster(request.user, request.GET.get("node") or None)
    context = {
        **_drill(request, node, selectors.VIEW_ROSTER),
        "grids": grids,
        "failing": [g for g in grids if not g.ok],
    }
    return render(request, "workforce/roster.html", context)
