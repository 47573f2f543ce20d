"""The emergency pages: the command centre (switch in and back, live coverage) and the
worker's point-to-point list with one-tap outcomes.

Views are thin: they parse a form, read through ``wangge.emergency.selectors``
(out of scope answers 404 like a missing emergency) and call one action.  Every
page works without JavaScript; htmx refreshes the coverage every 10 seconds.
Outcome forms carry ``data-outbox`` so the phone's outbox can send them to
``POST /api/v1/emergency/outcomes`` when the connection is bad.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from wangge.emergency import actions, forms, selectors
from wangge.emergency.choices import EmergencyStatus, TargetKind
from wangge.emergency.models import Emergency, OutcomeOption, Task
from wangge.people.views import add_errors

LIST_SIZE = 20
TASK_PAGE_SIZE = 30


def _kind_labels() -> dict[str, str]:
    """The labels of the target kinds, in the request's language."""
    return {value: str(label) for value, label in TargetKind.choices}


def _safe_next(request: HttpRequest) -> str | None:
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None


# --- the command centre ------------------------------------------------------------------


@dataclass
class EmergencyRow:
    emergency: Emergency
    tasks: int
    covered: int

    @property
    def percent(self) -> float | None:
        return selectors.percent(self.covered, self.tasks)


def _centre(
    request: HttpRequest, form: forms.ActivateForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    areas = selectors.activation_areas(user) if selectors.can_activate(user) else []
    if form is None and areas:
        form = forms.ActivateForm(areas=areas)
    qs = selectors.emergencies_listed(user).select_related("region").defer("region__geometry")
    active = list(qs.filter(status=EmergencyStatus.ACTIVE))
    page = Paginator(qs.filter(status=EmergencyStatus.ARCHIVED), LIST_SIZE).get_page(
        request.GET.get("page")
    )
    archived: list[Emergency] = list(page.object_list)
    totals = selectors.totals_for(user, active + archived)

    def rows(found: list[Emergency]) -> list[EmergencyRow]:
        return [EmergencyRow(e, *totals.get(e.pk, (0, 0))) for e in found]

    context = {
        "form": form,
        "active": rows(active),
        "archived": rows(archived),
        "page": page,
        "can_record": selectors.can_record(user),
    }
    return render(request, "emergency/centre.html", context, status=status)


@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    """Emergencies overlapping the user's area; switching an area in, for command centres."""
    if not selectors.can_view(request.user):
        raise PermissionDenied
    return _centre(request)


@login_required
@require_POST
def activate(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_activate(user):
        raise PermissionDenied
    form = forms.ActivateForm(request.POST, areas=selectors.activation_areas(user))
    if not form.is_valid():
        return _centre(request, form, 422)
    data = form.cleaned_data
    try:
        result = actions.do_activate_emergency(
            actor=user,
            region_code=data["region_code"],
            kind=data["kind"],
            title=data["title"],
            started_at=data["started_at"],
            request_id=data["request_id"] or None,
        )
    except actions.EmergencyError as exc:
        add_errors(form, exc.fields, exc.message)
        return _centre(request, form, exc.status)
    emergency = result.emergency
    if result.created:
        messages.success(
            request,
            _("Emergency mode is on. %(count)s point-to-point tasks were sent to the grids.")
            % {"count": emergency.task_count},
        )
    else:
        messages.info(request, _("This emergency was already started."))
    return redirect("emergency:detail", pk=emergency.pk)


def _detail_context(request: HttpRequest, emergency: Emergency) -> dict[str, Any]:
    user = request.user
    found = selectors.coverage(emergency, user)
    labels = _kind_labels()
    return {
        "emergency": emergency,
        "coverage": found,
        "kinds": [
            (labels.get(kind, kind), n, done) for kind, (n, done) in found.by_kind.items() if n
        ],
        "can_deactivate": emergency.is_active
        and selectors.can_activate_at(user, emergency.region_code),
        "whole": selectors.sees_whole_area(user, emergency),
        "final_percent": selectors.percent(
            emergency.final_covered or 0, emergency.final_tasks or 0
        ),
        "now": timezone.now(),
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One emergency: its live coverage (refreshed every 10 s while active)."""
    emergency = selectors.get_emergency_for_user(request.user, pk)
    context = {**_detail_context(request, emergency), "form": forms.DeactivateForm()}
    return render(request, "emergency/detail.html", context)


@login_required
@require_GET
def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    """The coverage part of the page (htmx polls it)."""
    emergency = selectors.get_emergency_for_user(request.user, pk)
    return render(request, "emergency/_coverage.html", _detail_context(request, emergency))


@login_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    emergency = selectors.get_emergency_for_user(user, pk)
    form = forms.DeactivateForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            actions.do_deactivate_emergency(emergency, actor=user, note=form.cleaned_data["note"])
        except actions.EmergencyError as exc:
            add_errors(form, exc.fields, exc.message)
            status = exc.status
        else:
            messages.success(
                request, _("Emergency mode is off. The tasks and their coverage are archived.")
            )
            return redirect("emergency:detail", pk=pk)
    emergency = selectors.get_emergency_for_user(user, pk)
    context = {**_detail_context(request, emergency), "form": form}
    return render(request, "emergency/detail.html", context, status=status)


# --- tasks -------------------------------------------------------------------------------


@dataclass
class Choice:
    option: OutcomeOption
    request_id: str


@dataclass
class TaskRow:
    task: Task
    choices: list[Choice]
    #: A request id for the form with a note.
    note_request_id: str
    editable: bool
    place: str


def _task_rows(user: Any, tasks: list[Task]) -> list[TaskRow]:
    options = selectors.outcome_options()
    names = selectors.region_names(t.grid_code for t in tasks)
    rows = []
    for t in tasks:
        editable = t.emergency.is_active and selectors.can_record_at(user, t.region_code)
        choices = (
            [Choice(o, forms.new_request_id()) for o in options.get(t.target_kind, [])]
            if editable
            else []
        )
        place = names.get(t.grid_code, t.grid_code)
        rows.append(TaskRow(t, choices, forms.new_request_id(), editable, place))
    return rows


def _task_list(
    request: HttpRequest,
    *,
    template_context: dict[str, Any],
    emergency: Emergency | None,
    actionable: bool,
) -> HttpResponse:
    user = request.user
    filters = forms.TaskFilterForm(request.GET)
    values = filters.values()
    qs = selectors.tasks_filtered(
        user,
        emergency=emergency,
        actionable=actionable,
        open_only=values["open_only"],
        target_kind=values["target_kind"],
    )
    page = Paginator(qs, TASK_PAGE_SIZE).get_page(request.GET.get("page"))
    tasks: list[Task] = list(page.object_list)
    context = {
        **template_context,
        "filters": filters,
        "page": page,
        "rows": _task_rows(user, tasks),
        "kind_labels": _kind_labels(),
        "here": request.get_full_path(),
        "open_only": values["open_only"],
    }
    return render(request, "emergency/tasks.html", context)


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The worker's point-to-point tasks in active emergencies, open first."""
    if not selectors.can_record(request.user):
        raise PermissionDenied
    return _task_list(request, template_context={}, emergency=None, actionable=True)


@login_required
@require_GET
def emergency_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """One emergency's tasks the user sees (the centre's drill-down; read-only once archived)."""
    emergency = selectors.get_emergency_for_user(request.user, pk)
    return _task_list(
        request, template_context={"emergency": emergency}, emergency=emergency, actionable=False
    )


@login_required
@require_POST
def record(request: HttpRequest) -> HttpResponse:
    """One tap: store the outcome and go back to the list."""
    user = request.user
    if not selectors.can_record(user):
        raise PermissionDenied
    form = forms.OutcomeForm(request.POST)
    back = _safe_next(request) or reverse("emergency:tasks")
    if not form.is_valid():
        messages.error(request, _("The outcome could not be recorded. Please try again."))
        return redirect(back)
    data = form.cleaned_data
    try:
        result = actions.do_record_outcome(
            actor=user,
            task_id=data["task_id"],
            outcome=data["outcome"],
            note=data["note"],
            request_id=data["request_id"],
        )
    except actions.EmergencyError as exc:
        text = pgettext("separator", "; ").join(exc.fields.values()) or exc.message
        if exc.status == 403:
            raise PermissionDenied from None
        messages.error(request, text)
        return redirect(back)
    entry = result.record
    if result.created:
        messages.success(
            request,
            _("Recorded: %(target)s — %(outcome)s.")
            % {"target": entry.task.label, "outcome": entry.outcome.label},
        )
    else:
        messages.info(request, _("This outcome was already recorded."))
    return redirect(f"{back.split('#')[0]}#task-{entry.task_id}")
