"""Care visits (关爱走访) under /api/v1/care/."""

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.basedata.schemas import ErrorOut
from wangge.care import actions, coverage, photos, selectors
from wangge.care.choices import TaskKind, TaskStatus, VisitOutcome
from wangge.care.models import VisitRecord, VisitTask
from wangge.lib import codes
from wangge.people.models import Person
from wangge.people.views import place_names

router = Router(tags=["care"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.CareError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


def _needs_view(request: HttpRequest) -> None:
    if not selectors.can_view(request.user):
        raise ApiError(403, "forbidden", _("You may not see care visits"))


# --- schemas --------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str
    address: str = Field(..., description="Actual residence (现住址)")
    groups: list[str] = Field(..., description="Special groups (特殊人群)")


class TaskOut(Schema):
    id: int
    person: PersonRef
    region_code: str = Field(..., description="The grid or minimal unit the person lives in")
    grid_code: str
    place: str
    group: str = Field(..., description="The special group whose rule made the task")
    frequency_days: int
    kind: TaskKind
    kind_label: str
    status: TaskStatus
    status_label: str
    due_on: date
    overdue: bool = Field(..., description="Open and its due day has passed")
    last_visited_at: datetime | None = Field(..., description="When the person was last met")
    created_at: datetime
    closed_at: datetime | None


class EventRef(Schema):
    id: int
    number: str


class FollowUpRef(Schema):
    id: int
    due_on: date


class VisitOut(Schema):
    id: int
    person_id: int
    task_id: int | None
    region_code: str
    outcome: VisitOutcome
    outcome_label: str
    note: str
    visited_at: datetime
    recorded_at: datetime
    on_time: bool = Field(..., description="On or before the due day of the task it closed")
    visitor: str
    event: EventRef | None = Field(..., description="The event reported (needs help)")
    follow_up: FollowUpRef | None = Field(..., description="The task opened (not home)")
    photo_url: str | None


class RuleOut(Schema):
    group: str
    frequency_days: int


class PersonVisitsOut(Schema):
    person: PersonRef
    region_code: str
    place: str
    rule: RuleOut | None = Field(..., description="The most frequent rule of the person's groups")
    open_task: TaskOut | None
    last_visited_at: datetime | None
    can_record: bool
    visits: list[VisitOut] = Field(..., description="Newest first (at most 200)")


class PhotoOut(Schema):
    id: int
    content_type: str
    size: int
    width: int
    height: int


class VisitIn(Schema):
    person_id: int
    outcome: VisitOutcome
    note: str = Field("", max_length=2000, description="Required for needs_help: what help")
    visited_at: datetime | None = Field(None, description="When (default: now)")
    photo_id: int | None = Field(None, description="Id from POST /api/v1/care/photos")
    request_id: str = Field(
        ...,
        min_length=1,
        max_length=64,
        description="Client-chosen id (a UUID): repeating the request returns the same visit",
    )


class StatusFilter(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    ALL = "all"


class TaskFilter(Schema):
    status: StatusFilter | None = Field(
        None, description="open (the default), done, cancelled or all"
    )
    under: str | None = Field(None, pattern=r"^[0-9]{6,18}$", description="Only under this node")
    overdue: bool | None = Field(None, description="Only overdue (or only not overdue) tasks")
    person_id: int | None = None


class CoverageRowOut(Schema):
    code: str
    name: str
    level: str
    tagged: int = Field(..., description="People in a special group with a visit rule")
    visited: int = Field(..., description="Of them, met in the period")
    visited_on_time: int = Field(..., description="Of them, met on time in the period")
    overdue: int = Field(..., description="Open visit tasks past their due day")
    rate: float | None = Field(..., description="visited_on_time / tagged")


class CoverageOut(Schema):
    node: str | None = Field(..., description="The node; null for the user's whole area")
    name: str
    start: date
    end: date
    today: date
    up: str | None = Field(..., description='Where "up" leads: a node, "" for the whole area')
    total: CoverageRowOut
    rows: list[CoverageRowOut]


class CoverageFilter(Schema):
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="The node (default: the user's whole area)"
    )
    start: date | None = Field(None, description="First day (default: the 1st of this month)")
    end: date | None = Field(None, description="Last day (default: today)")


# --- serialising ----------------------------------------------------------------------------


def _person_ref(person: Person, groups: dict[int, list[str]]) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "address": person.residence_address,
        "groups": groups.get(person.pk, []),
    }


def task_dicts(tasks: list[VisitTask], today: date) -> list[dict[str, Any]]:
    """Tasks as ``TaskOut`` (three queries for the lot: places, groups, last visits)."""
    person_ids = [t.person_id for t in tasks]
    names = place_names(t.region_code for t in tasks)
    groups = selectors.group_names(person_ids)
    last = selectors.last_visits(person_ids)
    return [
        {
            "id": t.pk,
            "person": _person_ref(t.person, groups),
            "region_code": t.region_code,
            "grid_code": t.grid_code,
            "place": names.get(t.region_code, t.region_code),
            "group": t.tag.name if t.tag else "",
            "frequency_days": t.frequency_days,
            "kind": t.kind,
            "kind_label": t.get_kind_display(),
            "status": t.status,
            "status_label": t.get_status_display(),
            "due_on": t.due_on,
            "overdue": selectors.is_overdue(t, today),
            "last_visited_at": last.get(t.person_id),
            "created_at": t.created_at,
            "closed_at": t.closed_at,
        }
        for t in tasks
    ]


def visit_dicts(visits: list[VisitRecord]) -> list[dict[str, Any]]:
    follow_ups = {
        follows: {"id": pk, "due_on": due}
        for follows, pk, due in VisitTask.objects.filter(
            follows_id__in=[v.pk for v in visits]
        ).values_list("follows_id", "pk", "due_on")
    }
    result = []
    for v in visits:
        photo = getattr(v, "photo", None)
        result.append(
            {
                "id": v.pk,
                "person_id": v.person_id,
                "task_id": v.task_id,
                "region_code": v.region_code,
                "outcome": v.outcome,
                "outcome_label": v.get_outcome_display(),
                "note": v.note,
                "visited_at": v.visited_at,
                "recorded_at": v.recorded_at,
                "on_time": v.on_time,
                "visitor": v.visitor_label,
                "event": {"id": v.event.pk, "number": v.event.number} if v.event else None,
                "follow_up": follow_ups.get(v.pk),
                "photo_url": reverse("api-v1:care_visit_photo", args=[v.pk]) if photo else None,
            }
        )
    return result


def _task_qs(qs: QuerySet[VisitTask]) -> QuerySet[VisitTask]:
    return qs.select_related("person", "tag")


class _Page:
    """A queryset the paginator slices in the database, serialising only the page it keeps."""

    def __init__(self, qs: QuerySet[VisitTask], today: date) -> None:
        self.qs = qs
        self.today = today

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return task_dicts(list(_task_qs(self.qs)[window]), self.today)


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/care/tasks",
    response={200: list[TaskOut], 403: ErrorOut, 422: ErrorOut},
    summary="Visit tasks in the user's scope (open ones by default, overdue first)",
)
@paginate(Paged)
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> Any:
    _needs_view(request)
    if filters.under and not codes.is_valid(filters.under):
        raise ApiError(
            422, "invalid", str(actions.INVALID), {"under": [_("Not a valid region code")]}
        )
    today = timezone.localdate()
    qs = selectors.task_list(
        request.user,
        today=today,
        status=(filters.status or StatusFilter.OPEN).value,
        under=filters.under,
        overdue=filters.overdue,
        person_id=filters.person_id,
    )
    return _Page(qs, today)


@router.post(
    "/care/visits",
    response={200: VisitOut, 201: VisitOut, **ERRORS},
    summary="Record a visit (idempotent by request_id)",
    description=(
        "Closes the person's open visit task. `not_home` opens a follow-up task "
        "(CARE_NOT_HOME_FOLLOW_UP_DAYS, default 1 day); `needs_help` reports an event "
        "(特殊人群服务) at the person's place and links it. The same request_id again "
        "answers 200 with the visit first stored."
    ),
)
def record_visit(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    person = selectors.get_person_for_user(request.user, payload.person_id)
    result = _call(
        actions.do_record_visit,
        person,
        actor=request.user,
        outcome=payload.outcome,
        note=payload.note,
        visited_at=payload.visited_at,
        photo_id=payload.photo_id,
        request_id=payload.request_id,
    )
    visit = VisitRecord.objects.select_related("event", "photo").get(pk=result.visit.pk)
    return Status(201 if result.created else 200, visit_dicts([visit])[0])


@router.get(
    "/care/people/{person_id}/visits",
    response={200: PersonVisitsOut, 403: ErrorOut, 404: ErrorOut},
    summary="A person's visit plan, open task and visit history",
)
def person_visits(request: HttpRequest, person_id: int) -> dict[str, Any]:
    _needs_view(request)
    person = selectors.get_person_for_user(request.user, person_id)
    today = timezone.localdate()
    rule = selectors.rules_of([person.pk]).get(person.pk)
    task = selectors.open_task_of(person)
    groups = selectors.group_names([person.pk])
    return {
        "person": _person_ref(person, groups),
        "region_code": person.region_code,
        "place": place_names([person.region_code]).get(person.region_code, person.region_code),
        "rule": {"group": rule.tag_name, "frequency_days": rule.frequency_days} if rule else None,
        "open_task": task_dicts([task], today)[0] if task else None,
        "last_visited_at": selectors.last_visits([person.pk]).get(person.pk),
        "can_record": selectors.can_record_at(request.user, person.region_code),
        "visits": visit_dicts(selectors.visits_of(request.user, person)),
    }


@router.post(
    "/care/photos",
    response={201: PhotoOut, 403: ErrorOut, 422: ErrorOut},
    summary="Upload a photo (JPEG, PNG or WebP) for a visit",
    description=(
        "Checked by decoding and stored re-encoded without metadata. Pass the id as "
        "`photo_id` of POST /api/v1/care/visits; photos no visit uses are deleted after a day."
    ),
)
def upload_photo(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    photo = _call(photos.do_upload_visit_photo, file, actor=request.user, size=file.size)
    return Status(
        201,
        {
            "id": photo.pk,
            "content_type": photo.content_type,
            "size": photo.size,
            "width": photo.width,
            "height": photo.height,
        },
    )


@router.get(
    "/care/visits/{visit_id}/photo",
    url_name="care_visit_photo",
    summary="The photo of a visit (metadata stripped)",
    response={200: None, 404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The photo",
                "content": {f: {} for f in ("image/jpeg", "image/png", "image/webp")},
            }
        }
    },
)
def visit_photo(request: HttpRequest, visit_id: int) -> StreamingHttpResponse:
    return photos.file_response(selectors.get_photo_for_user(request.user, visit_id))


@router.get(
    "/care/coverage",
    response={200: CoverageOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Coverage of care visits for a node and each of its children",
    description=(
        "tagged: people in a special group with a visit rule; visited / visited_on_time: of "
        "them, those met in the period (on or before the due day); overdue: open tasks past "
        "their due day."
    ),
)
def coverage_figures(request: HttpRequest, filters: Query[CoverageFilter]) -> dict[str, Any]:
    found = _call(
        coverage.coverage_for,
        request.user,
        under=filters.under,
        start=filters.start,
        end=filters.end,
    )
    return {
        "node": found.node,
        "name": found.name,
        "start": found.start,
        "end": found.end,
        "today": found.today,
        "up": found.up,
        "total": found.total.as_dict(),
        "rows": [row.as_dict() for row in found.rows],
    }
