"""The care-visit pages: the worker's visit list, a person's visits, the coverage table.

Views are thin: they parse a form, read through ``wangge.care.selectors`` (out
of scope answers 404 like a missing record), call one action and render.
Everything works without JavaScript; the list's outcomes are one tap each
(a form per button, with its own request id, so a double tap stores one visit).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.accounts.scope import scope_for
from wangge.care import actions, coverage, forms, photos, selectors
from wangge.care.actions import CareError
from wangge.care.choices import VisitOutcome
from wangge.care.models import VisitRecord, VisitTask
from wangge.people.models import Person
from wangge.people.views import add_errors, is_htmx, place_names

PAGE_SIZE = 50


def _needs_view(user: Any) -> None:
    if not selectors.can_view(user):
        raise PermissionDenied


def _safe_next(request: HttpRequest, wanted: str | None) -> str | None:
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None


@dataclass
class TaskRow:
    task: VisitTask
    place: str
    groups: list[str]
    last_visit: datetime | None
    overdue: bool
    can_record: bool
    #: One request id per outcome button: a double tap stores one visit.
    request_ids: dict[str, str]

    @property
    def buttons(self) -> list[tuple[str, str, str, str]]:
        """The one-tap outcomes: (value, label, button style, request id)."""
        return [
            (
                VisitOutcome.SEEN,
                str(VisitOutcome.SEEN.label),
                "btn-primary",
                self.request_ids["seen"],
            ),
            (
                VisitOutcome.NOT_HOME,
                str(VisitOutcome.NOT_HOME.label),
                "btn-default",
                self.request_ids["not_home"],
            ),
        ]


def _task_rows(user: Any, tasks: list[VisitTask], today: Any) -> list[TaskRow]:
    scope = scope_for(user)
    person_ids = [t.person_id for t in tasks]
    names = place_names(t.region_code for t in tasks)
    groups = selectors.group_names(person_ids)
    last = selectors.last_visits(person_ids)
    return [
        TaskRow(
            task=t,
            place=names.get(t.region_code, t.region_code),
            groups=groups.get(t.person_id, []),
            last_visit=last.get(t.person_id),
            overdue=selectors.is_overdue(t, today),
            can_record=scope.can(selectors.RECORD, t.region_code),
            request_ids={o: uuid.uuid4().hex for o in VisitOutcome.values},
        )
        for t in tasks
    ]


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    """The visits to make: overdue first, then by due day, with one-tap outcomes."""
    user = request.user
    _needs_view(user)
    today = timezone.localdate()
    filters = forms.TaskFilterForm(request.GET, roots=selectors.view_roots(user))
    qs = selectors.task_list(user, today=today, **filters.selection())
    page = Paginator(qs.select_related("person", "tag"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    tasks: list[VisitTask] = list(page.object_list)
    context = {
        "filters": filters,
        "page": page,
        "rows": _task_rows(user, tasks, today),
        "overdue_count": selectors.task_list(user, today=today, overdue=True).count(),
        "here": request.get_full_path(),
        "outcomes": VisitOutcome,
    }
    if is_htmx(request):
        return render(request, "care/list.html#task-list", context)
    return render(request, "care/list.html", context)


def _person_context(
    request: HttpRequest, person: Person, form: forms.VisitForm | None = None
) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    task = selectors.open_task_of(person)
    can_record = selectors.can_record_at(user, person.region_code)
    return {
        "person": person,
        "place": place_names([person.region_code]).get(person.region_code, person.region_code),
        "groups": selectors.group_names([person.pk]).get(person.pk, []),
        "rule": selectors.rules_of([person.pk]).get(person.pk),
        "task": task,
        "task_overdue": task is not None and selectors.is_overdue(task, today),
        "last_visit": selectors.last_visits([person.pk]).get(person.pk),
        "visits": _visit_rows(selectors.visits_of(user, person)),
        "can_record": can_record,
        "form": form or (forms.VisitForm() if can_record else None),
    }


def _visit_rows(visits: list[VisitRecord]) -> list[tuple[VisitRecord, VisitTask | None, bool]]:
    follow_ups = {
        t.follows_id: t for t in VisitTask.objects.filter(follows_id__in=[v.pk for v in visits])
    }
    return [(v, follow_ups.get(v.pk), hasattr(v, "photo")) for v in visits]


@login_required
@require_GET
def person_visits(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's plan, open task and visit history, with the form to record a visit."""
    _needs_view(request.user)
    person = selectors.get_person_for_user(request.user, pk)
    return render(request, "care/person.html", _person_context(request, person))


def _done_message(result: actions.VisitResult) -> str:
    visit = result.visit
    if not result.created:
        return _("This visit was already recorded.")
    text = _("Visit to %(name)s recorded: %(outcome)s.") % {
        "name": visit.person.name,
        "outcome": visit.get_outcome_display(),
    }
    if result.follow_up is not None:
        text += " " + _("A new visit is due on %(day)s.") % {
            "day": result.follow_up.due_on.isoformat()
        }
    if visit.event is not None:
        text += " " + _("Event %(number)s reported.") % {"number": visit.event.number}
    return text


@login_required
@require_POST
def record_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Store a visit (from the list's one-tap buttons or the person's page)."""
    user = request.user
    _needs_view(user)
    person = selectors.get_person_for_user(user, pk)
    if not selectors.can_record_at(user, person.region_code):
        raise PermissionDenied
    form = forms.VisitForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            photo_id = None
            upload = data.get("photo")
            if upload:
                photo_id = photos.do_upload_visit_photo(upload, actor=user, size=upload.size).pk
            result = actions.do_record_visit(
                person,
                actor=user,
                outcome=data["outcome"],
                note=data["note"],
                photo_id=photo_id,
                request_id=data["request_id"] or None,
            )
        except CareError as exc:
            fields = {
                ("photo" if k in ("file", "photo_id") else k): v for k, v in exc.fields.items()
            }
            add_errors(form, fields, exc.message)
            status = exc.status
        else:
            messages.success(request, _done_message(result))
            target = _safe_next(request, data.get("next")) or reverse("care:person", args=[pk])
            return redirect(target)
    return render(
        request, "care/person.html", _person_context(request, person, form), status=status
    )


@login_required
@require_GET
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    _needs_view(request.user)
    return photos.file_response(selectors.get_photo_for_user(request.user, pk))


@login_required
@require_GET
def coverage_table(request: HttpRequest) -> HttpResponse:
    """Tagged people, visited (on time) in the period and overdue, per child of a node."""
    user = request.user
    _needs_view(user)
    form = forms.CoverageForm(request.GET)
    values = form.values()
    try:
        found = coverage.coverage_for(
            user, under=values.get("under"), start=values.get("start"), end=values.get("end")
        )
    except CareError as exc:
        add_errors(form, exc.fields, exc.message)
        found = coverage.coverage_for(user, under=values.get("under"))
    else:
        # Show the period the figures are for (the defaults included).
        form = forms.CoverageForm(
            {"under": found.node or "", "start": found.start, "end": found.end}
        )
    return render(
        request,
        "care/coverage.html",
        {"form": form, "coverage": found, "drill": _drillable(found)},
    )


def _drillable(found: coverage.Coverage) -> set[str]:
    """Rows that have rows of their own (anything above a minimal unit, not the node itself)."""
    return {row.code for row in found.rows if len(row.code) < 18 and row.code != found.node}
