"""Periodic reports under /api/v1/reports: list, request, detail, download; schedules.

A report or schedule is seen by the users who open its node's dashboard (and
administrators); anything else answers 404 like something that does not exist.
Users who hold ``dashboards.view_dashboard`` nowhere get 403 on requests.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.basedata.schemas import ErrorOut
from wangge.reports import actions, selectors
from wangge.reports.choices import ReportState
from wangge.reports.models import Report, ReportSchedule

router = Router(tags=["reports"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FILE = {
    "responses": {
        200: {
            "content": {t: {} for t in CONTENT_TYPES.values()},
            "description": "The report file (.xlsx or PDF)",
        }
    }
}


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    except actions.ReportError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


class ReportIn(Schema):
    node: str = Field("", description="Hierarchy code of the node (district … grid)")
    kind: str = Field("", description="day, week or month")
    period_start: str = Field(
        "", description="A day of the period (YYYY-MM-DD); the period is the day, week or month"
    )
    format: str = Field("", description="xlsx or pdf")


class ReportOut(Schema):
    id: int
    node: str
    node_name: str
    kind: str
    kind_label: str
    period_start: date
    period_end: date
    format: str
    state: str
    state_label: str
    size: int = Field(..., description="File size in bytes (0 until ready)")
    error: str
    download_url: str | None = Field(..., description="Once the state is done")
    requested_by: str | None = Field(..., description="Who asked; null for scheduled reports")
    schedule_id: int | None
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def of(report: Report) -> dict[str, Any]:
        user = report.requested_by
        return {
            "id": report.pk,
            "node": report.node,
            "node_name": report.node_name,
            "kind": report.kind,
            "kind_label": str(report.get_kind_display()),
            "period_start": report.period_start,
            "period_end": report.period_end,
            "format": report.format,
            "state": report.state,
            "state_label": str(report.get_state_display()),
            "size": report.size,
            "error": report.error_text,
            "download_url": f"/api/v1/reports/{report.pk}/download"
            if report.state == ReportState.DONE
            else None,
            "requested_by": (getattr(user, "display_name", "") or str(user)) if user else None,
            "schedule_id": report.schedule_id,
            "created_at": report.created_at,
            "finished_at": report.finished_at,
        }


class ReportFilter(Schema):
    node: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="Only reports of this node and below"
    )


class ScheduleIn(Schema):
    node: str = Field("", description="Hierarchy code of the node")
    kind: str = Field("", description="day, week or month")
    formats: list[str] = Field(default_factory=list, description="xlsx and/or pdf")


class ScheduleOut(Schema):
    id: int
    node: str
    node_name: str
    kind: str
    kind_label: str
    formats: list[str]
    is_active: bool
    last_run_period: date | None = Field(..., description="Start of the last period produced")
    created_at: datetime

    @staticmethod
    def of(schedule: ReportSchedule) -> dict[str, Any]:
        return {
            "id": schedule.pk,
            "node": schedule.node,
            "node_name": schedule.node_name,
            "kind": schedule.kind,
            "kind_label": str(schedule.get_kind_display()),
            "formats": schedule.format_list,
            "is_active": schedule.is_active,
            "last_run_period": schedule.last_run_period,
            "created_at": schedule.created_at,
        }


# --- schedules (before /reports/{id}) ------------------------------------------------------


@router.get(
    "/reports/schedules", response=list[ScheduleOut], summary="Report schedules of my nodes"
)
def list_schedules(request: HttpRequest) -> list[dict[str, Any]]:
    qs = selectors.schedules_visible_to(request.user).order_by("-is_active", "node", "pk")
    return [ScheduleOut.of(s) for s in qs[:500]]


@router.post(
    "/reports/schedules",
    response={201: ScheduleOut, **ERRORS},
    summary="Produce a node's daily, weekly or monthly report after every period",
)
def create_schedule(request: HttpRequest, payload: ScheduleIn) -> Status[dict[str, Any]]:
    schedule = _call(
        actions.do_create_schedule,
        actor=request.user,
        node=payload.node,
        kind=payload.kind,
        formats=payload.formats,
    )
    return Status(201, ScheduleOut.of(schedule))


@router.post(
    "/reports/schedules/{schedule_id}/deactivate",
    response={200: ScheduleOut, **ERRORS},
    summary="Stop a schedule (its reports stay)",
)
def deactivate_schedule(request: HttpRequest, schedule_id: int) -> dict[str, Any]:
    schedule = selectors.get_schedule_for_user(request.user, schedule_id)
    return ScheduleOut.of(_call(actions.do_deactivate_schedule, schedule, actor=request.user))


# --- reports ------------------------------------------------------------------------------


@router.get("/reports", response=list[ReportOut], summary="Reports of my nodes, newest first")
@paginate(Paged)
def list_reports(request: HttpRequest, filters: Query[ReportFilter]) -> Any:
    return [
        ReportOut.of(r)
        for r in selectors.recent_reports(request.user, node=filters.node, limit=500)
    ]


@router.post(
    "/reports",
    response={201: ReportOut, **ERRORS},
    summary="Ask for a report; it is generated in the background",
)
def request_report(request: HttpRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    report = _call(
        actions.do_request_report,
        actor=request.user,
        node=payload.node,
        kind=payload.kind,
        period_start=payload.period_start,
        fmt=payload.format,
    )
    return Status(201, ReportOut.of(report))


@router.get(
    "/reports/{periodic_report_id}",
    response={200: ReportOut, 404: ErrorOut},
    summary="A report: state, period, download link",
)
def get_report(request: HttpRequest, periodic_report_id: int) -> dict[str, Any]:
    return ReportOut.of(selectors.get_report_for_user(request.user, periodic_report_id))


@router.post(
    "/reports/{periodic_report_id}/retry",
    response={200: ReportOut, **ERRORS},
    summary="Queue a failed report again",
)
def retry_report(request: HttpRequest, periodic_report_id: int) -> dict[str, Any]:
    report = selectors.get_report_for_user(request.user, periodic_report_id)
    return ReportOut.of(_call(actions.do_retry_report, report, actor=request.user))


def file_response(report: Report) -> FileResponse:
    """The report's file as a download; 409 while it is not ready."""
    if report.state != ReportState.DONE or not report.file:
        raise ApiError(409, "not_ready", _("The report is not ready yet"))
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise ApiError(
            409, "not_ready", _("The report's file no longer exists: please generate it again")
        ) from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[report.format])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(download_name(report))}"
    return response


def download_name(report: Report) -> str:
    kind = {"day": "日报", "week": "周报", "month": "月报"}.get(report.kind, "报表")
    return f"{report.node_name or report.node}-{kind}-{report.period_start:%Y%m%d}.{report.format}"


@router.get(
    "/reports/{periodic_report_id}/download",
    openapi_extra=FILE,
    response={404: ErrorOut, 409: ErrorOut},
    summary="Download a report's file",
)
def download_report(request: HttpRequest, periodic_report_id: int) -> Any:
    return file_response(selectors.get_report_for_user(request.user, periodic_report_id))
