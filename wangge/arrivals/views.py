"""The arrival pages: the public forms (no login) and the staff pages (scoped).

Public: ``/arrivals/`` (one person), ``/arrivals/g/new/`` (create a group code),
``/arrivals/g/<code>/`` (several people under a group code) and the helpers they
need (the next select's options, the district map, the group's QR code).  They
answer with a receipt and never show stored reports.

Staff: ``/arrivals/reports/`` (the reports of the user's area, with filters),
``/arrivals/reports/<id>/`` (masked identifiers, unmasking, the follow-up),
``/arrivals/tasks/`` (the follow-ups, done on the spot) and ``/arrivals/groups/``.
Views are thin: they parse a form, read through ``selectors`` (out of scope is
404 like a missing report) and call one action.
"""

from __future__ import annotations

import io
import math
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.scope import scope_for
from wangge.arrivals import actions, conf, forms, guard, selectors
from wangge.arrivals.choices import FollowUpStatus, UnmaskField
from wangge.arrivals.models import ArrivalGroup, ArrivalReport, FollowUp
from wangge.lib.crypto import mask_id_number, mask_phone
from wangge.people.forms import node_roots
from wangge.people.views import add_errors, is_htmx

PAGE_SIZE = 20


def _throttled(
    request: HttpRequest, template: str, context: dict[str, Any], exc: guard.Throttled
) -> HttpResponse:
    response = render(request, template, {**context, "throttled": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _point(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# --- the public form: one person ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """离返报备: who, where to (street → community → unit, or the map), when, from where."""
    template = "arrivals/report.html"
    late_hours = conf.number("ARRIVALS_LATE_HOURS")
    if request.method != "POST":
        form = forms.ReportForm(initial={"district": request.GET.get("d", "")})
        return render(request, template, {"form": form, "late_hours": late_hours})
    form = forms.ReportForm(request.POST)
    context: dict[str, Any] = {"form": form, "late_hours": late_hours}
    if "refresh" in request.POST:  # the next select's options, without JavaScript
        return render(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=422)
    data = form.cleaned_data
    client = guard.public_client(request, form_token=data["form_token"], honeypot=data["website"])
    try:
        result = actions.do_report_arrival(
            actor=None,
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            unit_code=data["unit_code"],
            lng=_point(data.get("lng")),
            lat=_point(data.get("lat")),
            address=data["address"],
            arrival_at=data["arrival_at"],
            origin=data["origin"],
            origin_code=data["origin_code"],
            travel_mode=data["travel_mode"],
            note=data["note"],
            request_id=data["request_id"] or None,
            client=client,
        )
    except guard.Throttled as exc:
        return _throttled(request, template, context, exc)
    except actions.ArrivalError as exc:
        add_errors(form, exc.fields, exc.message)
        return render(request, template, context, status=exc.status)
    names = selectors.path_names([result.report.region_code])
    return render(
        request,
        "arrivals/receipt.html",
        {
            "reports": [result.report],
            "created": result.created,
            "destination": names.get(result.report.region_code, ""),
            "message": actions.receipt_message(result.report),
        },
    )


@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """The options of the select below the one that changed (htmx), with the lower ones reset."""
    level = request.GET.get("of", "")
    order = ["district", "street", "community", "unit_code"]
    if level not in order[:-1]:
        raise Http404("no such level")
    parent = (request.GET.get(level) or "").strip()[:18]
    below = order[order.index(level) + 1 :]
    context = {
        "options": selectors.children(parent) if parent else [],
        "reset": below[1:],
    }
    return render(request, "arrivals/_options.html", context)


@require_GET
def district_map(request: HttpRequest, code: str) -> JsonResponse:
    """The district's outline and communities for the public form's map picker."""
    collection = selectors.district_geojson(code)
    if collection is None:
        raise Http404("no such district")
    return JsonResponse(
        collection, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )


# --- group codes ------------------------------------------------------------------------------------


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and selectors.can_create_group(user)


@never_cache
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    """Create a group code: staff for their area, anybody else as an organiser with a phone."""
    template = "arrivals/group_new.html"
    staff = _is_staff(request.user)
    if request.method != "POST":
        form = forms.GroupForm(initial={"district": request.GET.get("d", "")}, staff=staff)
        return render(request, template, {"form": form, "staff": staff})
    form = forms.GroupForm(request.POST, staff=staff)
    context: dict[str, Any] = {"form": form, "staff": staff}
    if "refresh" in request.POST:
        return render(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=422)
    data = form.cleaned_data
    client = guard.public_client(request, form_token=data["form_token"], honeypot=data["website"])
    try:
        result = actions.do_create_group(
            actor=request.user if staff else None,
            name=data["name"],
            organiser_name=data["organiser_name"],
            organiser_phone=data["organiser_phone"],
            district_code=data["district"],
            unit_code=data["unit_code"],
            address=data["address"],
            request_id=data["request_id"] or None,
            client=client,
        )
    except guard.Throttled as exc:
        return _throttled(request, template, context, exc)
    except actions.ArrivalError as exc:
        fields = {("district" if k == "district_code" else k): v for k, v in exc.fields.items()}
        add_errors(form, fields, exc.message)
        return render(request, template, context, status=exc.status)
    return render(request, "arrivals/group_created.html", _group_context(request, result.group))


def _group_context(request: HttpRequest, group: ArrivalGroup) -> dict[str, Any]:
    district = dict(selectors.districts()).get(group.district_code, "")
    place = selectors.path_names([group.region_code]).get(group.region_code, "")
    return {
        "group": group,
        "destination": f"{district} {place}".strip(),
        "url": request.build_absolute_uri(reverse("arrivals:group", args=[group.code])),
    }


def _group(code: str) -> ArrivalGroup:
    group = selectors.get_group_by_code(code)
    if group is None:
        raise Http404("no such group")
    return group


@require_GET
def group_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code of a group's form (SVG)."""
    group = _group(code)
    url = request.build_absolute_uri(reverse("arrivals:group", args=[group.code]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def group_report(request: HttpRequest, code: str) -> HttpResponse:
    """The group form: where to, when, from where once; then one row per person."""
    group = _group(code)
    template = "arrivals/group_report.html"
    expired = group.expires_at <= timezone.now()
    bound = request.method == "POST"
    form = forms.GroupReportForm(request.POST if bound else None, group=group)
    if bound:
        more = forms.row_count(request.POST) + 5 if "more" in request.POST else None
        count = forms.row_count(request.POST, more)
    else:
        count = forms.row_count(None, request.GET.get("rows"))
    rows = forms.rows_from(request.POST, count) if bound else [actions.RowIn()] * count
    context: dict[str, Any] = {
        **_group_context(request, group),
        "form": form,
        "expired": expired,
        "rows": [(i, row, {}) for i, row in enumerate(rows)],
    }
    if not bound or "refresh" in request.POST or "more" in request.POST:
        return render(request, template, context, status=410 if expired else 200)
    if not form.is_valid():
        return render(request, template, context, status=422)
    data = form.cleaned_data
    client = guard.public_client(request, form_token=data["form_token"], honeypot=data["website"])
    try:
        result = actions.do_report_group(
            group,
            actor=None,
            rows=rows,
            unit_code=data["unit_code"],
            lng=_point(data.get("lng")),
            lat=_point(data.get("lat")),
            address=data["address"],
            arrival_at=data["arrival_at"],
            origin=data["origin"],
            origin_code=data["origin_code"],
            travel_mode=data["travel_mode"],
            note=data["note"],
            request_id=data["request_id"] or None,
            client=client,
        )
    except guard.Throttled as exc:
        return _throttled(request, template, context, exc)
    except actions.ArrivalError as exc:
        row_errors: dict[int, dict[str, str]] = {}
        shared: dict[str, str] = {}
        for key, message in exc.fields.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "rows" and parts[1].isdigit():
                row_errors.setdefault(int(parts[1]), {})[parts[2]] = message
            else:
                shared[key] = message
        if shared or not row_errors:
            add_errors(form, shared, exc.message)
        if row_errors:
            form.add_error(None, _("Please check the rows marked below."))
        context["rows"] = [(i, row, row_errors.get(i, {})) for i, row in enumerate(rows)]
        return render(request, template, context, status=exc.status)
    region = result.reports[0].region_code if result.reports else ""
    return render(
        request,
        "arrivals/receipt.html",
        {
            "reports": result.reports,
            "created": result.created,
            "group": group,
            "destination": selectors.path_names([region]).get(region, ""),
            "message": _("Reported. The grid worker will contact you."),
        },
    )


# --- staff: reports ----------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> Any:
    if not selectors.can_view(request.user):
        raise PermissionDenied
    return request.user


def _tabs(user: Any) -> dict[str, Any]:
    return {"can_groups": selectors.can_create_group(user)}


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    filters = forms.ReportFilterForm(request.GET, roots=node_roots(user))
    qs = selectors.reports_filtered(user, **filters.selection())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    reports: list[ArrivalReport] = list(page.object_list)
    names = selectors.short_names(r.region_code for r in reports)
    seen = selectors.visible_person_ids(user, (r.person_id for r in reports))
    now = timezone.now()
    context = {
        **_tabs(user),
        "filters": filters,
        "page": page,
        "rows": [
            {
                "report": r,
                "place": names.get(r.region_code, r.region_code),
                "linked": r.person_id in seen,
                "follow_up": getattr(r, "follow_up", None),
                "overdue": bool(getattr(r, "follow_up", None) and r.follow_up.is_overdue(now)),
            }
            for r in reports
        ],
    }
    if is_htmx(request):
        return render(request, "arrivals/reports.html#report-list", context)
    return render(request, "arrivals/reports.html", context)


def _detail_context(
    request: HttpRequest,
    report: ArrivalReport,
    *,
    unmask_form: forms.UnmaskForm | None = None,
    done_form: forms.DoneForm | None = None,
    revealed: tuple[str, str] | None = None,
) -> dict[str, Any]:
    user = request.user
    seen = selectors.visible_person_ids(user, [report.person_id])
    follow_up = getattr(report, "follow_up", None)
    allowed = selectors.available_actions(user, report)
    return {
        **_tabs(user),
        "report": report,
        "place": selectors.path_names([report.region_code]).get(report.region_code, ""),
        "id_number": mask_id_number(report.id_number),
        "phone": mask_phone(report.phone),
        "person": report.person if report.person_id in seen else None,
        "can_register": scope_for(user).can("people.add_person", report.region_code),
        "follow_up": follow_up,
        "overdue": bool(follow_up and follow_up.is_overdue(timezone.now())),
        "can_unmask": "unmask" in allowed,
        "can_follow_up": "follow_up" in allowed,
        "can_match": "match" in allowed,
        "unmask_form": unmask_form or forms.UnmaskForm(),
        "unmask_fields": [(value, str(label)) for value, label in UnmaskField.choices],
        "done_form": done_form or forms.DoneForm(),
        "revealed": revealed,
    }


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    report = selectors.get_report_for_user(user, pk)
    return render(request, "arrivals/report_detail.html", _detail_context(request, report))


@never_cache
@login_required
@require_POST
def report_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """The clear value, shown once in this answer (never stored in a page that can be reloaded)."""
    user = _staff(request)
    report = selectors.get_report_for_user(user, pk)
    form = forms.UnmaskForm(request.POST)
    status, revealed = 422, None
    if form.is_valid():
        wanted = form.cleaned_data["field"] or ""
        try:
            value = actions.do_unmask_arrival(
                report, field=wanted, reason=form.cleaned_data["reason"], actor=user
            )
        except actions.ArrivalForbidden:
            raise PermissionDenied from None
        except actions.ArrivalError as exc:
            add_errors(form, exc.fields, exc.message)
            status = exc.status
        else:
            status = 200
            revealed = (str(UnmaskField(wanted).label), value or _("(none recorded)"))
            form = forms.UnmaskForm()
    context = _detail_context(request, report, unmask_form=form, revealed=revealed)
    template = (
        "arrivals/report_detail.html#identifiers"
        if is_htmx(request)
        else "arrivals/report_detail.html"
    )
    return render(request, template, context, status=status)


@login_required
@require_POST
def report_match(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    report = selectors.get_report_for_user(user, pk)
    try:
        report = actions.do_match_arrival_person(report, actor=user)
    except actions.ArrivalForbidden:
        raise PermissionDenied from None
    seen = selectors.visible_person_ids(user, [report.person_id])
    if report.person_id in seen:
        messages.success(request, _("Linked to the registered person."))
    else:
        messages.info(request, _("No registered person with this ID number in your area yet."))
    return redirect("arrivals:report-detail", pk=report.pk)


# --- staff: follow-ups ----------------------------------------------------------------------------


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    filters = forms.TaskFilterForm(request.GET, roots=node_roots(user))
    qs = selectors.follow_ups_filtered(user, **filters.selection())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    tasks: list[FollowUp] = list(page.object_list)
    names = selectors.short_names(t.region_code for t in tasks)
    scope = scope_for(user)
    now = timezone.now()
    context = {
        **_tabs(user),
        "filters": filters,
        "page": page,
        "rows": [
            {
                "task": t,
                "report": t.report,
                "phone": mask_phone(t.report.phone),
                "place": names.get(t.region_code, t.region_code),
                "overdue": t.is_overdue(now),
                "can_complete": t.status == FollowUpStatus.OPEN
                and scope.can(selectors.FOLLOW_UP, t.region_code),
            }
            for t in tasks
        ],
        "done_form": forms.DoneForm(),
    }
    if is_htmx(request):
        return render(request, "arrivals/tasks.html#task-list", context)
    return render(request, "arrivals/tasks.html", context)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    task = selectors.get_follow_up_for_user(user, pk)
    form = forms.DoneForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        actions.do_complete_follow_up(
            task, actor=user, outcome=data.get("outcome") or "", note=data.get("note") or ""
        )
    except actions.ArrivalForbidden:
        raise PermissionDenied from None
    except actions.ArrivalError as exc:
        add_errors(form, exc.fields, exc.message)
        report = selectors.get_report_for_user(user, task.report_id)
        context = _detail_context(request, report, done_form=form)
        return render(request, "arrivals/report_detail.html", context, status=exc.status)
    messages.success(request, _("Follow-up recorded."))
    back = request.POST.get("next", "")
    if back == "tasks":
        return redirect("arrivals:tasks")
    return redirect("arrivals:report-detail", pk=task.report_id)


# --- staff: group codes -----------------------------------------------------------------------------


@login_required
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_create_group(user):
        raise PermissionDenied
    groups = list(selectors.groups_created_by(user)[:100])
    counts = selectors.group_counts(groups)
    now = timezone.now()
    return render(
        request,
        "arrivals/groups.html",
        {
            **_tabs(user),
            "rows": [(g, counts.get(g.pk, 0), g.expires_at <= now) for g in groups],
        },
    )
