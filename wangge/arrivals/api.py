"""Arrival reports (离返报备) under /api/v1/arrivals.

Public (no login): ``GET /arrivals/form-token``, ``POST /arrivals`` (one person),
``POST /arrivals/groups`` (a group code) and ``POST /arrivals/groups/{group_code}/reports``
(several people under a group code).  They answer with a receipt — the report's
number and the destination's name — and never list or show stored reports.

Staff (scoped like everything else): the reports of the user's area with their
follow-ups, unmasking (``people.unmask_person``, a reason, audited), and the
follow-up's outcome.
"""

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.accounts.tokens import user_for_token
from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.arrivals import actions, guard, selectors
from wangge.arrivals.actions import receipt_message
from wangge.arrivals.choices import FollowUpOutcome, FollowUpStatus, TravelMode, UnmaskField
from wangge.arrivals.models import ArrivalGroup, ArrivalReport, FollowUp
from wangge.basedata.schemas import ErrorOut
from wangge.lib import codes
from wangge.lib.crypto import mask_id_number, mask_phone

router = Router(tags=["arrivals"])

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS: dict[int, Any] = {
    404: ErrorOut,
    409: ErrorOut,
    410: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"
REQUEST_ID = r"^[0-9A-Za-z\-]{8,64}$"


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.ArrivalError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


def _throttled(exc: guard.Throttled) -> HttpResponse:
    """429 with ``Retry-After``: the one refusal that needs a header."""
    body = {"code": exc.code, "message": exc.message, "fields": {}}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=429,
        content_type="application/json; charset=utf-8",
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


# --- public schemas ------------------------------------------------------------------------------


class FormTokenOut(Schema):
    token: str = Field(..., description="Send it back as form_token")
    min_seconds: int = Field(..., description="A form sent back sooner is refused")


class PublicIn(Schema):
    request_id: str = Field(
        ..., pattern=REQUEST_ID, description="Client-generated UUID: a resend stores nothing new"
    )
    form_token: str = Field("", max_length=300, description="From GET /arrivals/form-token")
    website: str = Field("", max_length=200, description="Leave empty (a field bots fill in)")


class JourneyIn(Schema):
    unit_code: str = Field(
        "",
        max_length=18,
        description="Destination: a minimal unit (or grid) code; or give lng/lat instead",
    )
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    arrival_at: str = Field(
        ..., max_length=40, description="ISO 8601; without an offset, local time (Asia/Shanghai)"
    )
    origin: str = Field(..., max_length=100, description="Where from, free text")
    origin_code: str = Field("", max_length=6, description="GB/T 2260 code of the origin")
    travel_mode: TravelMode
    note: str = Field("", max_length=500)


class ReportIn(PublicIn, JourneyIn):
    name: str = Field(..., max_length=50)
    id_number: str = Field("", max_length=32, description="Optional; checked if given")
    phone: str = Field(..., max_length=32)
    address: str = Field(..., max_length=200, description="Street, number, room")


class ReceiptOut(Schema):
    number: str
    created: bool = Field(..., description="False when the request id was already stored")
    destination: str = Field(..., description="Street, community, grid and unit names")
    arrival_at: datetime
    reported_at: datetime
    late: bool = Field(..., description="Reported more than ARRIVALS_LATE_HOURS after arrival")
    message: str


def _receipt(report: ArrivalReport, created: bool, names: dict[str, str]) -> dict[str, Any]:
    return {
        "number": report.number,
        "created": created,
        "destination": names.get(report.region_code, ""),
        "arrival_at": report.arrival_at,
        "reported_at": report.reported_at,
        "late": report.is_late,
        "message": receipt_message(report),
    }


class GroupIn(PublicIn):
    name: str = Field(..., max_length=100, description="What the group is (company, school…)")
    organiser_name: str = Field("", max_length=50)
    organiser_phone: str = Field("", max_length=32, description="Required without a login")
    district_code: str = Field("", max_length=6, description="The district the group arrives in")
    unit_code: str = Field("", max_length=18, description="Default destination (optional)")
    address: str = Field("", max_length=200)


class GroupOut(Schema):
    code: str
    name: str
    created: bool
    destination: str
    url: str = Field(..., description="The group form (public)")
    qr_url: str = Field(..., description="The QR code of the group form (SVG)")
    expires_at: datetime


class RowSchema(Schema):
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=32)
    phone: str = Field("", max_length=32)
    address: str = Field("", max_length=200, description="Own address (room), if different")


class GroupReportIn(PublicIn):
    unit_code: str = Field("", max_length=18)
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    address: str = Field("", max_length=200)
    arrival_at: str = Field(..., max_length=40)
    origin: str = Field(..., max_length=100)
    origin_code: str = Field("", max_length=6)
    travel_mode: TravelMode
    note: str = Field("", max_length=500)
    rows: list[RowSchema] = Field(..., max_length=200)


class GroupReceiptOut(Schema):
    created: bool
    count: int
    numbers: list[str]
    destination: str


def _group_out(group: ArrivalGroup, created: bool) -> dict[str, Any]:
    names = selectors.path_names([group.region_code]) if group.region_code else {}
    district = dict(selectors.districts()).get(group.district_code, "")
    return {
        "code": group.code,
        "name": group.name,
        "created": created,
        "destination": f"{district} {names.get(group.region_code, '')}".strip(),
        "url": reverse("arrivals:group", args=[group.code]),
        "qr_url": reverse("arrivals:group-qr", args=[group.code]),
        "expires_at": group.expires_at,
    }


def _bearer_user(request: HttpRequest) -> Any:
    """The user of an ``Authorization: Bearer`` header, if any (never the session: CSRF)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return user_for_token(header[7:].strip())
    return None


# --- public endpoints ------------------------------------------------------------------------------


@router.get(
    "/arrivals/form-token",
    auth=None,
    response=FormTokenOut,
    summary="A form token for the public arrival forms",
)
def form_token(request: HttpRequest) -> dict[str, Any]:
    from wangge.arrivals import conf

    return {
        "token": guard.issue_form_token(),
        "min_seconds": conf.number("ARRIVALS_MIN_FILL_SECONDS"),
    }


@router.post(
    "/arrivals",
    auth=None,
    response={200: ReceiptOut, 201: ReceiptOut, **PUBLIC_ERRORS},
    summary="Report an arrival (离返报备), without login; idempotent by request_id",
    description=(
        "Anyone may report. Refused: a missing or too fresh form token, a filled honeypot "
        "(`website`), and more than ARRIVALS_IP_RATE submissions per address or "
        "ARRIVALS_PHONE_RATE per phone (429 with Retry-After). The answer is a receipt; "
        "stored reports are never shown here."
    ),
)
def report_arrival(request: HttpRequest, payload: ReportIn) -> Any:
    client = guard.public_client(request, form_token=payload.form_token, honeypot=payload.website)
    try:
        result = _call(
            actions.do_report_arrival,
            actor=None,
            name=payload.name,
            id_number=payload.id_number,
            phone=payload.phone,
            unit_code=payload.unit_code,
            lng=payload.lng,
            lat=payload.lat,
            address=payload.address,
            arrival_at=payload.arrival_at,
            origin=payload.origin,
            origin_code=payload.origin_code,
            travel_mode=payload.travel_mode,
            note=payload.note,
            request_id=payload.request_id,
            client=client,
        )
    except guard.Throttled as exc:
        return _throttled(exc)
    names = selectors.path_names([result.report.region_code])
    return Status(201 if result.created else 200, _receipt(result.report, result.created, names))


@router.post(
    "/arrivals/groups",
    auth=None,
    response={200: GroupOut, 201: GroupOut, **PUBLIC_ERRORS},
    summary="Create a group code (团体码); idempotent by request_id",
    description=(
        "With a bearer token of a user holding `arrivals.add_arrivalgroup`, for a place in "
        "the user's area; otherwise as a public organiser, who gives a phone number (and "
        "meets the same checks as the public report)."
    ),
)
def create_group(request: HttpRequest, payload: GroupIn) -> Any:
    actor = _bearer_user(request)
    client = guard.public_client(request, form_token=payload.form_token, honeypot=payload.website)
    try:
        result = _call(
            actions.do_create_group,
            actor=actor,
            name=payload.name,
            organiser_name=payload.organiser_name,
            organiser_phone=payload.organiser_phone,
            district_code=payload.district_code,
            unit_code=payload.unit_code,
            address=payload.address,
            request_id=payload.request_id,
            client=client,
        )
    except guard.Throttled as exc:
        return _throttled(exc)
    return Status(201 if result.created else 200, _group_out(result.group, result.created))


@router.post(
    "/arrivals/groups/{group_code}/reports",
    auth=None,
    response={200: GroupReceiptOut, 201: GroupReceiptOut, **PUBLIC_ERRORS},
    summary="Report several people under a group code: all of them or none",
    description=(
        "Errors of a row are named `rows.<index>.<field>` (index from 0); nothing is stored "
        "while any row is wrong."
    ),
)
def report_group(request: HttpRequest, group_code: str, payload: GroupReportIn) -> Any:
    group = selectors.get_group_by_code(group_code)
    if group is None:
        raise Http404("no such group")
    client = guard.public_client(request, form_token=payload.form_token, honeypot=payload.website)
    try:
        result = _call(
            actions.do_report_group,
            group,
            actor=None,
            rows=[row.model_dump() for row in payload.rows],
            unit_code=payload.unit_code,
            lng=payload.lng,
            lat=payload.lat,
            address=payload.address,
            arrival_at=payload.arrival_at,
            origin=payload.origin,
            origin_code=payload.origin_code,
            travel_mode=payload.travel_mode,
            note=payload.note,
            request_id=payload.request_id,
            client=client,
        )
    except guard.Throttled as exc:
        return _throttled(exc)
    region = result.reports[0].region_code if result.reports else ""
    names = selectors.path_names([region]) if region else {}
    return Status(
        201 if result.created else 200,
        {
            "created": result.created,
            "count": len(result.reports),
            "numbers": [r.number for r in result.reports],
            "destination": names.get(region, ""),
        },
    )


# --- staff schemas ----------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class FollowUpOut(Schema):
    id: int
    status: FollowUpStatus
    status_label: str
    due_at: datetime
    overdue: bool
    outcome: str
    outcome_label: str
    outcome_note: str
    done_at: datetime | None
    done_by: str

    @staticmethod
    def from_follow_up(f: FollowUp, now: datetime) -> dict[str, Any]:
        return {
            "id": f.pk,
            "status": f.status,
            "status_label": f.get_status_display(),
            "due_at": f.due_at,
            "overdue": f.is_overdue(now),
            "outcome": f.outcome,
            "outcome_label": f.get_outcome_display() if f.outcome else "",
            "outcome_note": f.outcome_note,
            "done_at": f.done_at,
            "done_by": f.done_by_label,
        }


class ArrivalOut(Schema):
    id: int
    number: str
    name: str
    id_number: str = Field(..., description="Masked; see POST /arrivals/{report_id}/unmask")
    phone: str = Field(..., description="Masked; see POST /arrivals/{report_id}/unmask")
    region_code: str = Field(..., description="The destination: minimal unit (or grid)")
    region_name: str
    address: str
    arrival_at: datetime
    reported_at: datetime
    late: bool
    origin: str
    origin_code: str
    travel_mode: TravelMode
    travel_mode_label: str
    note: str
    person: PersonRef | None = Field(
        ..., description="The registered person with this ID number, if the user sees them"
    )
    follow_up_status: str

    @staticmethod
    def from_report(
        r: ArrivalReport, names: dict[str, str], visible_people: set[int]
    ) -> dict[str, Any]:
        follow_up = getattr(r, "follow_up", None)
        person = (
            {"id": r.person_id, "name": r.person.name}
            if r.person_id is not None and r.person_id in visible_people and r.person
            else None
        )
        return {
            "id": r.pk,
            "number": r.number,
            "name": r.name,
            "id_number": mask_id_number(r.id_number),
            "phone": mask_phone(r.phone),
            "region_code": r.region_code,
            "region_name": names.get(r.region_code, ""),
            "address": r.address,
            "arrival_at": r.arrival_at,
            "reported_at": r.reported_at,
            "late": r.is_late,
            "origin": r.origin,
            "origin_code": r.origin_code,
            "travel_mode": r.travel_mode,
            "travel_mode_label": r.get_travel_mode_display(),
            "note": r.note,
            "person": person,
            "follow_up_status": follow_up.status if follow_up else "",
        }


class GroupRef(Schema):
    code: str
    name: str


class ArrivalDetailOut(ArrivalOut):
    follow_up: FollowUpOut | None
    group: GroupRef | None
    actions: list[str] = Field(..., description="What the user may do: unmask, follow_up, match")


def _detail(request: HttpRequest, report: ArrivalReport) -> dict[str, Any]:
    report = selectors.get_report_for_user(request.user, report.pk)
    now = timezone.now()
    names = selectors.short_names([report.region_code])
    seen = selectors.visible_person_ids(request.user, [report.person_id])
    follow_up = getattr(report, "follow_up", None)
    return {
        **ArrivalOut.from_report(report, names, seen),
        "follow_up": FollowUpOut.from_follow_up(follow_up, now) if follow_up else None,
        "group": {"code": report.group.code, "name": report.group.name} if report.group else None,
        "actions": selectors.available_actions(request.user, report),
    }


class ArrivalFilter(Schema):
    late: bool | None = Field(None, description="Only late (or only timely) reports")
    unlinked: bool | None = Field(
        None, description="Only reports not linked to a person the user sees (or only linked)"
    )
    date_from: date | None = Field(None, description="Arrival on or after this day")
    date_to: date | None = Field(None, description="Arrival on or before this day")
    under: str | None = Field(None, pattern=r"^[0-9]{6,18}$", description="Only under this node")
    follow_up: FollowUpStatus | None = None


class TaskOut(FollowUpOut):
    report: ArrivalOut
    can_complete: bool


class TaskFilter(Schema):
    status: FollowUpStatus | None = Field(FollowUpStatus.OPEN, description="open (default), done")
    under: str | None = Field(None, pattern=r"^[0-9]{6,18}$")


class DoneIn(Schema):
    outcome: FollowUpOutcome
    note: str = Field("", max_length=500)


class UnmaskIn(Schema):
    field: UnmaskField
    reason: str = Field(..., max_length=500)


class UnmaskOut(Schema):
    report_id: int
    field: UnmaskField
    value: str


class _ReportPage:
    """A queryset the paginator slices in the database, serialising only the page it keeps."""

    def __init__(self, request: HttpRequest, qs: QuerySet[ArrivalReport]) -> None:
        self.request = request
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        rows = list(self.qs.select_related("person")[window])
        names = selectors.short_names(r.region_code for r in rows)
        seen = selectors.visible_person_ids(self.request.user, (r.person_id for r in rows))
        return [ArrivalOut.from_report(r, names, seen) for r in rows]


class _TaskPage:
    def __init__(self, request: HttpRequest, qs: QuerySet[FollowUp]) -> None:
        self.request = request
        self.qs = qs
        self.now = timezone.now()

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        tasks = list(self.qs.select_related("report", "report__person")[window])
        names = selectors.short_names(t.region_code for t in tasks)
        seen = selectors.visible_person_ids(self.request.user, (t.report.person_id for t in tasks))
        return [_task(self.request, t, names, seen, self.now) for t in tasks]


def _task(
    request: HttpRequest, t: FollowUp, names: dict[str, str], seen: set[int], now: datetime
) -> dict[str, Any]:
    return {
        **FollowUpOut.from_follow_up(t, now),
        "report": ArrivalOut.from_report(t.report, names, seen),
        "can_complete": t.status == FollowUpStatus.OPEN
        and selectors.may(request.user, selectors.FOLLOW_UP, t.region_code),
    }


def _check_under(under: str | None) -> None:
    if under and not codes.is_valid(under):
        raise ApiError(
            422, "invalid", str(actions.INVALID), {"under": [_("Not a valid region code")]}
        )


# --- staff endpoints (literal paths before /arrivals/{report_id}) ---------------------------------


@router.get(
    "/arrivals/tasks",
    response=list[TaskOut],
    summary="Follow-ups of arrival reports in the user's area (open ones by default)",
)
@paginate(Paged)
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> Any:
    _check_under(filters.under)
    qs = selectors.follow_ups_filtered(request.user, status=filters.status, under=filters.under)
    return _TaskPage(request, qs)


@router.post(
    "/arrivals/tasks/{task_id}/done",
    response={200: TaskOut, **ERRORS},
    summary="Record the outcome of a follow-up (contacted, not reachable, verified at home)",
)
def complete_task(request: HttpRequest, task_id: int, payload: DoneIn) -> dict[str, Any]:
    task = selectors.get_follow_up_for_user(request.user, task_id)
    task = _call(
        actions.do_complete_follow_up,
        task,
        actor=request.user,
        outcome=payload.outcome,
        note=payload.note,
    )
    task = selectors.get_follow_up_for_user(request.user, task.pk)
    names = selectors.short_names([task.region_code])
    seen = selectors.visible_person_ids(request.user, [task.report.person_id])
    return _task(request, task, names, seen, timezone.now())


@router.get(
    "/arrivals",
    response=list[ArrivalOut],
    summary="Arrival reports in the user's area, latest arrival first",
)
@paginate(Paged)
def list_reports(request: HttpRequest, filters: Query[ArrivalFilter]) -> Any:
    _check_under(filters.under)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ApiError(
            422,
            "invalid",
            str(actions.INVALID),
            {"date_to": [_("The end date cannot be earlier than the start date")]},
        )
    qs = selectors.reports_filtered(
        request.user,
        late=filters.late,
        unlinked=filters.unlinked,
        date_from=filters.date_from,
        date_to=filters.date_to,
        under=filters.under,
        follow_up=filters.follow_up,
    )
    return _ReportPage(request, qs)


@router.get(
    "/arrivals/{report_id}",
    response={200: ArrivalDetailOut, 404: ErrorOut},
    summary="One arrival report (masked) with its follow-up",
)
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _detail(request, selectors.get_report_for_user(request.user, report_id))


@router.post(
    "/arrivals/{report_id}/unmask",
    response={200: UnmaskOut, **ERRORS},
    summary="See the ID number or phone of a report in clear (permission, reason, audited)",
    description=(
        "Needs `people.unmask_person` at the destination (403 otherwise) and a reason (422 "
        "without). Every answer writes an audit row `arrivals.unmask` with the field and the "
        "reason, never the value."
    ),
)
def unmask_report(request: HttpRequest, report_id: int, payload: UnmaskIn) -> dict[str, Any]:
    report = selectors.get_report_for_user(request.user, report_id)
    value = _call(
        actions.do_unmask_arrival,
        report,
        field=payload.field,
        reason=payload.reason,
        actor=request.user,
    )
    return {"report_id": report.pk, "field": payload.field, "value": value}


@router.post(
    "/arrivals/{report_id}/match",
    response={200: ArrivalDetailOut, **ERRORS},
    summary="Look again for the registered person with the report's ID number",
)
def match_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = selectors.get_report_for_user(request.user, report_id)
    report = _call(actions.do_match_arrival_person, report, actor=request.user)
    return _detail(request, report)
