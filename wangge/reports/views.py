"""The reports pages: my nodes' reports with their state and download links, the form
to ask for one (htmx: the panel is replaced; rows of reports being generated poll
their state), and the schedules.

Works without JavaScript: the forms post and the page reloads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.dashboards.selectors import can_use_dashboards
from wangge.reports import actions, periods, selectors
from wangge.reports.api import download_name
from wangge.reports.choices import PeriodKind, ReportFormat, ReportState
from wangge.reports.models import Report

#: Rows of reports being generated ask for their state this often (htmx).
POLL_SECONDS = 3


def _deny_without_dashboards(request: HttpRequest) -> None:
    if not can_use_dashboards(request.user):
        raise PermissionDenied


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _row(report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "active": report.is_active,
        "poll": POLL_SECONDS,
        "can_retry": actions.can_retry(report),
    }


def _panel_context(
    request: HttpRequest, values: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    user = request.user
    choices = selectors.node_choices(user)
    defaults = {
        "node": request.GET.get("node", "") or (choices[0][0] if choices else ""),
        "kind": PeriodKind.MONTH,
        "period_start": periods.today().isoformat(),
        "format": ReportFormat.XLSX,
    }
    merged = {**defaults, **(values or {})}
    return {
        "values": merged,
        "errors": errors or {},
        "node_options": selectors.node_options(user, merged["node"]),
        "kinds": PeriodKind.choices,
        "formats": ReportFormat.choices,
        "rows": [_row(r) for r in selectors.recent_reports(user)],
        "today": periods.today().isoformat(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    _deny_without_dashboards(request)
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("node", "kind", "period_start", "format")}
        try:
            actions.do_request_report(
                actor=request.user,
                node=values["node"],
                kind=values["kind"],
                period_start=values["period_start"],
                fmt=values["format"],
            )
        except actions.ReportError as exc:
            context = _panel_context(request, values, exc.fields or {"form": exc.message})
            template = "reports/_panel.html" if _is_htmx(request) else "reports/index.html"
            return render(request, template, context, status=422 if not _is_htmx(request) else 200)
        if _is_htmx(request):
            context = _panel_context(request, values)
            context["notice"] = _("The report is being generated; it appears below when ready.")
            return render(request, "reports/_panel.html", context)
        messages.success(request, _("The report is being generated; it appears below when ready."))
        return redirect("reports:index")
    return render(request, "reports/index.html", _panel_context(request))


@login_required
@require_GET
def row(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    return render(request, "reports/_row.html", _row(report))


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:

    from wangge.reports.api import CONTENT_TYPES

    report = selectors.get_report_for_user(request.user, pk)
    if report.state != ReportState.DONE or not report.file:
        raise Http404("not ready")
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404("file gone") from None
    return FileResponse(
        handle,
        content_type=CONTENT_TYPES[report.format],
        as_attachment=True,
        filename=download_name(report),
    )


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    try:
        report = actions.do_retry_report(report, actor=request.user)
    except actions.ReportError as exc:
        messages.error(request, exc.message)
        return redirect("reports:index")
    if _is_htmx(request):
        return render(request, "reports/_row.html", _row(report))
    return redirect("reports:index")


@login_required
@require_http_methods(["GET", "POST"])
def schedules(request: HttpRequest) -> HttpResponse:
    _deny_without_dashboards(request)
    values: dict[str, Any] = {"node": "", "kind": PeriodKind.MONTH, "formats": ["xlsx"]}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {
            "node": request.POST.get("node", ""),
            "kind": request.POST.get("kind", ""),
            "formats": request.POST.getlist("formats"),
        }
        try:
            actions.do_create_schedule(actor=request.user, **values)
        except actions.ReportError as exc:
            errors = exc.fields or {"form": exc.message}
            status = 422
        else:
            messages.success(request, _("Schedule created."))
            return redirect("reports:schedules")
    context = {
        "values": values,
        "errors": errors,
        "node_options": selectors.node_options(request.user, str(values.get("node") or "")),
        "kinds": PeriodKind.choices,
        "formats": ReportFormat.choices,
        "schedules": list(
            selectors.schedules_visible_to(request.user).order_by("-is_active", "node", "pk")
        ),
    }
    return render(request, "reports/schedules.html", context, status=status)


@login_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = selectors.get_schedule_for_user(request.user, pk)
    actions.do_deactivate_schedule(schedule, actor=request.user)
    messages.success(request, _("Schedule stopped."))
    return redirect("reports:schedules")
