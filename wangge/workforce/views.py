"""The workforce pages: the worker's own scorecard and "553" checklist (mobile), the
ranking of a community's or street's workers, the roster with its 一格两员 check, the
duties, the "553" progress of a node, and training (sessions, totals, attendance)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.scope import scope_for
from wangge.people.views import add_errors
from wangge.regions.models import Region
from wangge.workforce import actions, forms, months, selectors
from wangge.workforce.models import Scorecard

#: Workers per page of the ranking (a street has a few hundred).
RANKING_PAGE_SIZE = 50
#: Failing grids named in the roster's summary (the table lists them all, ``?failing=1``).
FAILING_NAMED = 10
#: Grids per page of the roster (a district has a few hundred).
ROSTER_PAGE_SIZE = 50
#: Sessions per page of the training page, and people per page of a session's attendance form.
TRAINING_PAGE_SIZE = 30
CANDIDATES_PAGE_SIZE = 50

#: The workforce pages' tabs: (key, label, url name, permission; None: any signed-in user).
TABS: tuple[tuple[str, Any, str, str | None], ...] = (
    ("me", gettext_lazy("My scorecard"), "workforce:me", selectors.TICK),
    ("ranking", gettext_lazy("Ranking"), "workforce:ranking", selectors.VIEW_RANKING),
    ("roster", gettext_lazy("Roster"), "workforce:roster", selectors.VIEW_ROSTER),
    ("progress", gettext_lazy("553 progress"), "workforce:progress", selectors.VIEW_ROSTER),
    ("training", gettext_lazy("Training"), "workforce:training", selectors.VIEW_TRAINING),
    ("duties", gettext_lazy("Duties"), "workforce:duties", None),
)


def _tabs(request: HttpRequest, active: str) -> list[dict[str, Any]]:
    """The tabs the user may open, for ``workforce/_tabs.html``."""
    scope = scope_for(request.user)
    return [
        {"key": key, "label": label, "url": reverse(name), "active": key == active}
        for key, label, name, perm in TABS
        if perm is None or scope.can(perm) or key == active
    ]


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
        "tabs": _tabs(request, "me"),
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
        messages.error(
            request, pgettext("separator", "; ").join([exc.message, *exc.fields.values()])
        )
    else:
        if result.created:
            messages.success(request, _("Ticked."))
    return redirect("workforce:me")


@login_required
@require_POST
def untick(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        removed = actions.do_untick_method(actor=request.user, tick_id=pk)
    except actions.WorkforceError as exc:
        messages.error(
            request, pgettext("separator", "; ").join([exc.message, *exc.fields.values()])
        )
    else:
        if removed:
            messages.success(request, _("Tick taken back."))
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
        "tabs": _tabs(request, "ranking"),
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
    failing = [g for g in grids if not g.ok]
    # ?failing=1: the table pages through the failing grids only (a new district's roster
    # may fail everywhere: the summary names the first few, the table has them all).
    only_failing = request.GET.get("failing") == "1"
    shown = failing if only_failing else grids
    page = Paginator(shown, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **_drill(request, node, selectors.VIEW_ROSTER),
        "tabs": _tabs(request, "roster"),
        "page": page,
        "grids": list(page.object_list),
        "total": len(shown),
        "failing": failing[:FAILING_NAMED],
        "failing_count": len(failing),
        "failing_more": max(0, len(failing) - FAILING_NAMED),
        "only_failing": only_failing,
    }
    return render(request, "workforce/roster.html", context)


@login_required
@require_GET
def duties_page(request: HttpRequest) -> HttpResponse:
    """The 7 categories / 19 duties of a grid worker (data, the same for everyone)."""
    categories = selectors.duty_categories()
    context = {
        "tabs": _tabs(request, "duties"),
        "categories": categories,
        "duty_count": sum(len(duties) for _category, duties in categories),
    }
    return render(request, "workforce/duties.html", context)


@login_required
@require_GET
def progress_page(request: HttpRequest) -> HttpResponse:
    """The "553" progress of a node for a month: per child node, and per worker in a grid."""
    if not scope_for(request.user).can(selectors.VIEW_ROSTER):
        raise PermissionDenied
    month = _month(request)
    tree = selectors.method_progress_tree(request.user, month, request.GET.get("node") or None)
    context = {
        **_drill(request, tree.node, selectors.VIEW_ROSTER),
        "tabs": _tabs(request, "progress"),
        "month": month,
        "month_text": f"{month:%Y-%m}",
        "tree": tree,
    }
    return render(request, "workforce/progress.html", context)


@login_required
@require_GET
def training_page(request: HttpRequest) -> HttpResponse:
    """Training under a node: totals per child node and the sessions, newest first."""
    scope = scope_for(request.user)
    if not scope.can(selectors.VIEW_TRAINING):
        raise PermissionDenied
    node = selectors.node_for_user(
        request.user, request.GET.get("node") or None, selectors.VIEW_TRAINING
    )
    total, children = selectors.training_totals(request.user, node.code)
    sessions = selectors.sessions_for(request.user, node.code)
    page = Paginator(sessions, TRAINING_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    places = selectors.grid_names([s.region_code for s in shown])
    context = {
        **_drill(request, node, selectors.VIEW_TRAINING),
        "tabs": _tabs(request, "training"),
        "total": total,
        "totals": children,
        "page": page,
        "sessions": [(s, places.get(s.region_code, s.region_code)) for s in shown],
        "can_add": scope.can(selectors.ADD_TRAINING),
    }
    return render(request, "workforce/training.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request: HttpRequest) -> HttpResponse:
    """Record a training session (the same action as the API; a resend is stored once)."""
    user = request.user
    if not scope_for(user).can(selectors.ADD_TRAINING):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = forms.SessionForm(request.POST, user=user)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = actions.do_create_training_session(
                    actor=user,
                    title=data["title"],
                    held_on=data["held_on"],
                    node_code=data["node"],
                    trainer=data["trainer"],
                    request_id=data["request_id"],
                )
            except actions.WorkforceError as exc:
                if exc.status == 404:
                    raise Http404 from None
                add_errors(form, exc.fields, exc.message)
                status = exc.status
            else:
                if result.created:
                    messages.success(request, _("Training session recorded."))
                return redirect("workforce:session", pk=result.session.pk)
    else:
        node = request.GET.get("node", "")
        form = forms.SessionForm(
            user=user,
            initial={
                "request_id": str(uuid.uuid4()),
                "held_on": timezone.localdate(),
                "node": node if scope_for(user).can(selectors.ADD_TRAINING, node) else "",
            },
        )
    context = {"tabs": _tabs(request, "training"), "form": form}
    return render(request, "workforce/training_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One session and who attended; who may record training adds attendees (each once)."""
    user = request.user
    session = selectors.get_session_for_user(user, pk)
    can_add = scope_for(user).can(selectors.ADD_TRAINING, session.region_code)
    status = 200
    error = ""
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        try:
            user_ids = [int(v) for v in request.POST.getlist("user_ids")]
        except ValueError:
            user_ids = [-1]
        try:
            added = actions.do_record_attendance(session, actor=user, user_ids=user_ids)
        except actions.WorkforceError as exc:
            if exc.status == 404:
                raise Http404 from None
            error = exc.fields.get("user_ids", exc.message)
            status = exc.status
        else:
            messages.success(
                request,
                ngettext("%(n)d attendee added.", "%(n)d attendees added.", added) % {"n": added},
            )
            return redirect("workforce:session", pk=session.pk)
    candidates = selectors.attendance_candidates(session) if can_add else []
    page = Paginator(candidates, CANDIDATES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tabs": _tabs(request, "training"),
        "session": session,
        "place": selectors.grid_names([session.region_code]).get(session.region_code, ""),
        "attendees": selectors.attendees_of(session),
        "can_add": can_add,
        "page": page,
        "candidates": list(page.object_list),
        "error": error,
    }
    return render(request, "workforce/session.html", context, status=status)
