"""Events under /api/v1/events and their figures under /api/v1/stats/events."""

import math
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.events import actions, attachments, selectors, stats
from wangge.events.choices import (
    DEFAULT_DUPLICATE_RADIUS_M,
    AttachmentKind,
    EventSource,
    EventState,
    Satisfaction,
    TimeUnit,
)
from wangge.events.models import (
    Attachment,
    Category,
    Event,
    EventFollower,
    EventPart,
    EventStep,
    ExtensionRequest,
    ReturnVisit,
)
from wangge.lib import codes

router = Router(tags=["events"])
INVALID = actions.INVALID
#: How a resident sees another member of the public in an event's timeline.
PUBLIC_ACTOR = pgettext_lazy("timeline actor", "A member of the public")
PHOTO_IDS = "Ids of photos uploaded through POST /api/v1/events/attachments"


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.EventError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


def mask_contact(value: str) -> str:
    """138****1234 for phone numbers; other contacts keep only their first and last character."""
    value = value.strip()
    digits = value.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(value) <= 2:
        return "*" * len(value)
    return f"{value[0]}{'*' * min(len(value) - 2, 6)}{value[-1]}"


class _Page:
    """A queryset the paginator slices in the database, serialising only the page it keeps."""

    def __init__(self, qs: QuerySet[Event], user: Any = None) -> None:
        self.qs = qs
        self.user = user

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [
            EventOut.from_event(e, contact=selectors.sees_reporter(self.user, e))
            for e in self.qs[window]
        ]


# --- schemas --------------------------------------------------------------------


class CategoryRef(Schema):
    code: str
    name: str
    parent_code: str | None
    parent_name: str | None


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class EventOut(Schema):
    id: int
    number: str
    title: str
    category: CategoryRef
    source: EventSource
    source_label: str
    state: EventState
    state_label: str
    version: int
    region_code: str
    grid_code: str
    district_code: str
    level: str
    department: DepartmentRef | None
    lng: float
    lat: float
    address: str
    reporter_contact: str
    overdue: bool
    rework_count: int
    supervise_count: int
    self_handled: bool
    forced: bool
    satisfaction: str
    accept_due: datetime | None
    handle_due: datetime | None
    reported_at: datetime
    registered_at: datetime | None
    dispatched_at: datetime | None
    accepted_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def from_event(e: Event, *, contact: bool = True) -> dict[str, Any]:
        """``contact=False`` leaves the reporter's contact out (a follower is not staff)."""
        c = e.category
        d = e.current_department
        return {
            "id": e.pk,
            "number": e.number,
            "title": e.title,
            "category": {
                "code": c.code,
                "name": c.name,
                "parent_code": c.parent.code if c.parent else None,
                "parent_name": c.parent.name if c.parent else None,
            },
            "source": e.source,
            "source_label": e.get_source_display(),
            "state": e.state,
            "state_label": e.get_state_display(),
            "version": e.version,
            "region_code": e.region_code,
            "grid_code": e.grid_code,
            "district_code": e.district_code,
            "level": e.level,
            "department": {"id": d.pk, "code": d.code, "name": d.name} if d else None,
            "lng": e.lng,
            "lat": e.lat,
            "address": e.address,
            "reporter_contact": (
                mask_contact(e.reporter_contact) if e.reporter_contact and contact else ""
            ),
            "overdue": e.overdue,
            "rework_count": e.rework_count,
            "supervise_count": e.supervise_count,
            "self_handled": e.self_handled,
            "forced": e.forced,
            "satisfaction": e.satisfaction,
            "accept_due": e.accept_due,
            "handle_due": e.handle_due,
            "reported_at": e.reported_at,
            "registered_at": e.registered_at,
            "dispatched_at": e.dispatched_at,
            "accepted_at": e.accepted_at,
            "handled_at": e.handled_at,
            "closed_at": e.closed_at,
        }


class AttachmentOut(Schema):
    id: int
    kind: AttachmentKind
    kind_label: str
    content_type: str
    size: int
    width: int
    height: int
    sha256: str
    created_at: datetime
    event_id: int | None = Field(None, description="Empty until a report or transition uses it")
    url: str | None = Field(
        None, description="Where the photo is served (once it belongs to an event)"
    )

    @staticmethod
    def from_attachment(a: Attachment) -> dict[str, Any]:
        return {
            "id": a.pk,
            "kind": a.kind,
            "kind_label": a.get_kind_display(),
            "content_type": a.content_type,
            "size": a.size,
            "width": a.width,
            "height": a.height,
            "sha256": a.sha256,
            "created_at": a.created_at,
            "event_id": a.event_id,
            "url": (
                reverse(
                    "api-v1:event_attachment",
                    kwargs={"event_id": a.event_id, "attachment_id": a.pk},
                )
                if a.event_id is not None
                else None
            ),
        }


class StepOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str
    attachments: list[AttachmentOut]
    data: dict[str, Any]

    @staticmethod
    def from_step(s: EventStep, photos: list[Attachment] | None = None) -> dict[str, Any]:
        if photos is None:
            photos = list(s.photos.all())
        return {
            "id": s.pk,
            "at": s.at,
            "actor": s.actor_label,
            "actor_id": s.actor_id,  # not published: lets the detail hide other residents
            "action": s.action,
            "action_label": s.get_action_display(),
            "from_state": s.from_state,
            "to_state": s.to_state,
            "note": s.note,
            "attachments": [AttachmentOut.from_attachment(a) for a in photos],
            "data": dict(s.data or {}),
        }


class PartOut(Schema):
    department: DepartmentRef
    state: str
    state_label: str
    task: str
    note: str
    reported_in_at: datetime | None
    done_at: datetime | None


class ExtensionOut(Schema):
    id: int
    amount: int
    unit: str
    reason: str
    state: str
    state_label: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str
    new_due: datetime | None


class ReturnVisitOut(Schema):
    contacted: bool
    solved: bool
    satisfaction: str
    note: str
    visited_at: datetime


class EventDetailOut(EventOut):
    description: str
    escalated_at: datetime | None
    visited_at: datetime | None
    duplicate_of: int | None = Field(
        description="Id of the event this one repeats (merged or rejected as a duplicate)"
    )
    followers_count: int = Field(
        description="Users following the event besides its reporter (joined or merged in)"
    )
    anonymous: bool = Field(
        description="The reporter asked to stay anonymous to the public (staff still see the "
        "contact, masked)"
    )
    category_conditions: dict[str, str]
    timeline: list[StepOut]
    parts: list[PartOut]
    extensions: list[ExtensionOut]
    return_visit: ReturnVisitOut | None
    actions: list[str]


def _detail(request: HttpRequest, event: Event) -> dict[str, Any]:
    event = selectors.with_followers_count(
        Event.objects.select_related("category__parent", "current_department")
    ).get(pk=event.pk)
    parts: list[EventPart] = list(event.parts.select_related("department"))
    extensions: list[ExtensionRequest] = list(event.extensions.all())
    visit: ReturnVisit | None = ReturnVisit.objects.filter(event=event).first()
    timeline = [
        StepOut.from_step(s)
        for s in event.steps.prefetch_related(
            Prefetch("photos", queryset=Attachment.objects.order_by("pk"))
        )
    ]
    return _detail_of(
        request, event, timeline, parts, extensions, visit, selectors.followers_count(event)
    )


def _new_detail(request: HttpRequest, result: actions.ReportResult) -> dict[str, Any]:
    """The detail of an event just reported, from what the action returned: no queries."""
    assert result.step is not None  # noqa: S101 - set for every new event
    timeline = [StepOut.from_step(result.step, sorted(result.photos, key=lambda a: a.pk))]
    return _detail_of(request, result.event, timeline, [], [], None, 0)


def _detail_of(
    request: HttpRequest,
    event: Event,
    timeline: list[dict[str, Any]],
    parts: list[EventPart],
    extensions: list[ExtensionRequest],
    visit: ReturnVisit | None,
    followers: int,
) -> dict[str, Any]:
    user = request.user
    staff = selectors.is_staff(user)
    if not staff:
        timeline = [_public_step(step, user) for step in timeline]
    return {
        **EventOut.from_event(event, contact=staff or selectors.is_reporter(user, event)),
        "description": event.description,
        "escalated_at": event.escalated_at,
        "visited_at": event.visited_at,
        "duplicate_of": event.duplicate_of_id,
        "followers_count": followers,
        "anonymous": event.anonymous,
        "category_conditions": {
            "register": event.category.register_condition,
            "close": event.category.close_condition,
        },
        "timeline": timeline,
        "parts": [
            {
                "department": {
                    "id": p.department.pk,
                    "code": p.department.code,
                    "name": p.department.name,
                },
                "state": p.state,
                "state_label": p.get_state_display(),
                "task": p.task,
                "note": p.note,
                "reported_in_at": p.reported_in_at,
                "done_at": p.done_at,
            }
            for p in parts
        ],
        "extensions": [
            {
                "id": x.pk,
                "amount": x.amount,
                "unit": x.unit,
                "reason": x.reason,
                "state": x.state,
                "state_label": x.get_state_display(),
                "requested_at": x.requested_at,
                "decided_at": x.decided_at,
                "decision_note": x.decision_note,
                "new_due": x.new_due,
            }
            for x in extensions
        ],
        "return_visit": (
            {
                "contacted": visit.contacted,
                "solved": visit.solved,
                "satisfaction": visit.satisfaction,
                "note": visit.note,
                "visited_at": visit.visited_at,
            }
            if visit
            else None
        ),
        "actions": selectors.available_actions(request.user, event),
    }


def _public_step(step: dict[str, Any], user: Any) -> dict[str, Any]:
    """A timeline step as a resident following the event sees it: the names, notes and request
    details of the other members of the public (the reporter, other followers) left out."""
    by_public = step["action"] in ("report", "join") or (
        step["action"] == "return_visit" and step["data"].get("by_reporter")
    )
    if not by_public or step.get("actor_id") == getattr(user, "pk", None):
        return step
    data = {k: v for k, v in step["data"].items() if k not in ("request_id", "follower_id")}
    note = "" if step["action"] in ("join", "return_visit") else step["note"]
    return {**step, "actor": str(PUBLIC_ACTOR), "note": note, "data": data}


class EventIn(Schema):
    category: str = Field(
        ..., min_length=1, max_length=8, description="Sub-category code, e.g. 0601"
    )
    description: str = Field(..., min_length=1, max_length=2000)
    lng: float = Field(..., ge=-180, le=180, description="Longitude (WGS84)")
    lat: float = Field(..., ge=-90, le=90, description="Latitude (WGS84)")
    title: str = Field("", max_length=100, description="Defaults to the category name")
    address: str = Field("", max_length=200)
    source: EventSource | None = Field(None, description="Defaults from the reporter's role")
    reporter_contact: str = Field("", max_length=64, description="Phone; shown masked")
    request_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="Client-chosen id: repeating a request with it returns the same event (200)",
    )
    attachments: list[int] = Field(default_factory=list, max_length=9, description=PHOTO_IDS)
    anonymous: bool = Field(
        False, description="Hide the reporter from public views (Open311, the residents' portal)"
    )


class EventFilter(Schema):
    state: EventState | None = None
    category: str | None = Field(
        None, max_length=8, description="Category code (top-level codes include subs)"
    )
    source: EventSource | None = None
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="Only events under this node"
    )
    overdue: bool | None = None
    department: int | None = Field(None, description="Department id")


class Versioned(Schema):
    version: int | None = Field(None, description="The version the client saw; 409 if it moved on")


class NoteIn(Versioned):
    note: str = Field("", max_length=2000)


class RequiredNoteIn(Versioned):
    note: str = Field(..., min_length=1, max_length=2000)


class HandledNoteIn(RequiredNoteIn):
    attachments: list[int] = Field(default_factory=list, max_length=9, description=PHOTO_IDS)


class SelfHandleIn(NoteIn):
    attachments: list[int] = Field(default_factory=list, max_length=9, description=PHOTO_IDS)


class ReasonIn(Versioned):
    reason: str = Field(..., min_length=1, max_length=2000)


class RegisterIn(NoteIn):
    category: str | None = Field(None, max_length=8, description="Corrected sub-category code")


class RejectIn(ReasonIn):
    duplicate_of: int | None = Field(None, description="Id of the event this one repeats")


class DispatchIn(NoteIn):
    department: str | None = Field(
        None, max_length=32, description="Department code; default from the category"
    )


class ForceIn(ReasonIn):
    department: str | None = Field(None, max_length=32)


class ExtensionIn(Versioned):
    amount: int = Field(..., ge=1, le=1000)
    unit: TimeUnit | None = Field(None, description="Defaults to the category's handling unit")
    reason: str = Field(..., min_length=1, max_length=2000)


class DecideExtensionIn(NoteIn):
    extension_id: int
    approve: bool


class VerifyIn(NoteIn):
    passed: bool
    attachments: list[int] = Field(default_factory=list, max_length=9, description=PHOTO_IDS)


class ReturnVisitIn(NoteIn):
    contacted: bool
    solved: bool
    satisfaction: Satisfaction | None = None


class SummonIn(Versioned):
    departments: list[str] = Field(..., min_length=2, max_length=20, description="Department codes")
    note: str = Field(..., min_length=1, max_length=2000)
    tasks: dict[str, str] = Field(default_factory=dict, description="Department code → its task")


class PartIn(Schema):
    department: str | None = Field(
        None, max_length=32, description="Which of the user's departments"
    )
    note: str = Field("", max_length=2000)


class CompletePartIn(PartIn):
    note: str = Field(..., min_length=1, max_length=2000)
    attachments: list[int] = Field(default_factory=list, max_length=9, description=PHOTO_IDS)


class CategoryOut(Schema):
    code: str
    name: str
    parent_code: str | None
    default_department_code: str
    accept_limit: int
    accept_unit: str
    handle_limit: int
    handle_unit: str
    priority: int
    admitted: bool
    register_condition: str
    close_condition: str


# --- endpoints ------------------------------------------------------------------


@router.get("/events/categories", response=list[CategoryOut], summary="The event catalogue")
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    rows: list[Category] = list(selectors.active_categories())
    return [
        {
            "code": c.code,
            "name": c.name,
            "parent_code": c.parent.code if c.parent else None,
            "default_department_code": c.default_department_code,
            "accept_limit": c.accept_limit,
            "accept_unit": c.accept_unit,
            "handle_limit": c.handle_limit,
            "handle_unit": c.handle_unit,
            "priority": c.priority,
            "admitted": c.admitted,
            "register_condition": c.register_condition,
            "close_condition": c.close_condition,
        }
        for c in rows
    ]


class NearbyQuery(Schema):
    category: str | None = Field(
        None,
        max_length=8,
        description="Sub-category code (its events only), a top-level code (all of its "
        "sub-categories) or nothing (every category)",
    )
    lng: float = Field(..., ge=-180, le=180, description="Longitude (WGS84)")
    lat: float = Field(..., ge=-90, le=90, description="Latitude (WGS84)")


class NearbyCategoryOut(Schema):
    code: str
    name: str


class NearbyOut(Schema):
    id: int | None = Field(
        None, description="Only for events the caller may open; else join by the number"
    )
    number: str = Field(description="Tracking number (what a reporter joins by)")
    title: str
    category: NearbyCategoryOut
    state: EventState
    state_label: str
    distance_m: int = Field(description="Metres from the point")
    reported_on: date = Field(description="The day it was reported")
    followers_count: int | None = Field(None, description="Only for events the caller may open")


class NearbyListOut(Schema):
    radius_m: int = Field(description="The radius searched (the category's, or the default)")
    items: list[NearbyOut]


def _located_or_404(user: Any, lng: float, lat: float) -> str:
    """The unit or grid holding the point; outside every grid and out of sight answer alike."""
    from wangge.accounts.scope import scope_for
    from wangge.regions import spatial

    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise ApiError(422, "invalid", INVALID, {"lat": [_("Must be a finite number.")]})
    found = spatial.locate(lng, lat)
    subject = found.unit_code or found.grid_code
    if subject is None or not scope_for(user).can_see_region(subject):
        outside = str(actions.OUTSIDE)
        raise ApiError(404, "outside", outside, {"lat": [outside], "lng": [outside]})
    return subject


@router.get(
    "/events/nearby",
    response=NearbyListOut,
    summary="Open events of a category near a point (possible duplicates, to join instead)",
    description=(
        "Nearest first, at most 5, within the category's duplicate radius (default 250 m; "
        "0 turns detection off). A reporter gets the public facts of the events at places "
        "they could report at, never of the private groups; events the caller may open "
        "(their scope, their own reports) also carry their `id`. A point outside every grid "
        "or outside the caller's map answers 404."
    ),
)
def nearby_events(request: HttpRequest, query: Query[NearbyQuery]) -> dict[str, Any]:
    user = request.user
    _located_or_404(user, query.lng, query.lat)
    code = (query.category or "").strip() or None
    category = Category.objects.filter(code=code).first() if code else None
    if code and category is None:
        raise ApiError(422, "invalid", INVALID, {"category": [_("Unknown event category.")]})
    radius = category.duplicate_radius_m if category is not None else DEFAULT_DUPLICATE_RADIUS_M
    rows = selectors.nearby_for_user(user, category, query.lng, query.lat)
    counts = dict(
        EventFollower.objects.filter(event_id__in=[r.event.pk for r in rows if r.opens])
        .values("event_id")
        .annotate(n=Count("id"))
        .values_list("event_id", "n")
    )
    return {
        "radius_m": radius,
        "items": [
            {
                "id": r.event.pk if r.opens else None,
                "number": r.event.number,
                "title": r.event.title,
                "category": {"code": r.event.category.code, "name": r.event.category.name},
                "state": r.event.state,
                "state_label": r.event.get_state_display(),
                "distance_m": r.distance_m,
                "reported_on": timezone.localtime(r.event.reported_at).date(),
                "followers_count": counts.get(r.event.pk, 0) if r.opens else None,
            }
            for r in rows
        ],
    }


@router.post(
    "/events",
    response={200: EventDetailOut, 201: EventDetailOut},
    summary="Report an event (idempotent by request_id)",
)
def create_event(request: HttpRequest, payload: EventIn) -> Status[dict[str, Any]]:
    result = _call(
        actions.do_report_event,
        actor=request.user,
        category=payload.category,
        description=payload.description,
        lng=payload.lng,
        lat=payload.lat,
        title=payload.title,
        address=payload.address,
        source=payload.source,
        reporter_contact=payload.reporter_contact,
        request_id=payload.request_id,
        attachments=payload.attachments,
        anonymous=payload.anonymous,
    )
    if result.created and result.step is not None:
        return Status(201, _new_detail(request, result))
    return Status(200, _detail(request, result.event))


class EventBatchIn(Schema):
    reports: list[EventIn] = Field(
        ...,
        min_length=1,
        max_length=actions.MAX_BATCH,
        description="Each with its own request_id (required here)",
    )


class BatchItemOut(Schema):
    index: int
    request_id: str
    status: Literal["created", "existing", "invalid"]
    id: int | None = None
    number: str | None = None
    state: str | None = None
    region_code: str | None = None
    message: str = ""
    fields: dict[str, list[str]] = Field(default_factory=dict)


class EventBatchOut(Schema):
    created: int
    existing: int
    invalid: int
    results: list[BatchItemOut]


@router.post(
    "/events/batch",
    response=EventBatchOut,
    summary="Report many events at once (a phone syncing its offline queue)",
    description=(
        "Each report is judged on its own: `created`, `existing` (its request_id was "
        "seen before: the event it created) or `invalid` with field errors in Chinese. "
        "Sending the same batch again creates nothing new. At most "
        f"{actions.MAX_BATCH} reports per request."
    ),
)
def create_events(request: HttpRequest, payload: EventBatchIn) -> dict[str, Any]:
    reports = [
        actions.ReportInput(
            category=r.category,
            description=r.description,
            lng=r.lng,
            lat=r.lat,
            title=r.title,
            address=r.address,
            source=r.source,
            reporter_contact=r.reporter_contact,
            request_id=r.request_id,
            attachments=r.attachments,
            anonymous=r.anonymous,
        )
        for r in payload.reports
    ]
    outcomes = _call(actions.do_report_events, reports, actor=request.user)
    results = [
        {
            "index": o.index,
            "request_id": o.request_id,
            "status": o.status,
            "id": o.event.pk if o.event else None,
            "number": o.event.number if o.event else None,
            "state": o.event.state if o.event else None,
            "region_code": o.event.region_code if o.event else None,
            "message": o.message,
            "fields": {name: [text] for name, text in o.fields.items()},
        }
        for o in outcomes
    ]
    counts = Counter(o.status for o in outcomes)
    return {
        "created": counts["created"],
        "existing": counts["existing"],
        "invalid": counts["invalid"],
        "results": results,
    }


@router.post(
    "/events/attachments",
    response={200: AttachmentOut, 201: AttachmentOut},
    summary="Upload a photo (JPEG, PNG or WebP) for a report or transition (idempotent by request_id)",
    description=(
        "The photo is checked by decoding it and stored re-encoded without metadata; "
        "its EXIF location and time stay on the server. Pass the returned id in "
        "`attachments` of a report, self-handle, feedback, complete-part or verify. "
        "Photos nobody uses are deleted after a day. With a `request_id` (the phone's "
        "id for the upload) a second upload with the same id answers 200 with the photo "
        "the first one stored."
    ),
)
def upload_attachment(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[AttachmentKind] = AttachmentKind.REPORT,
    request_id: Form[str] = "",
) -> Status[dict[str, Any]]:
    result = _call(
        attachments.store_attachment,
        file,
        actor=request.user,
        kind=kind,
        size=file.size,
        request_id=request_id,
    )
    return Status(201 if result.created else 200, AttachmentOut.from_attachment(result.attachment))


@router.get(
    "/events/{event_id}/attachments/{attachment_id}",
    url_name="event_attachment",
    summary="A photo of an event (metadata stripped)",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The photo",
                "content": {f: {} for f in ("image/jpeg", "image/png", "image/webp")},
            }
        }
    },
)
def get_attachment(
    request: HttpRequest, event_id: int, attachment_id: int
) -> StreamingHttpResponse:
    found = selectors.get_attachment_for_user(request.user, event_id, attachment_id)
    return attachments.file_response(found)


@router.get("/events", response=list[EventOut], summary="Events in the user's scope")
@paginate(Paged)
def list_events(request: HttpRequest, filters: Query[EventFilter]) -> Any:
    if filters.under and not codes.is_valid(filters.under):
        raise ApiError(422, "invalid", INVALID, {"under": [_("Not a valid hierarchy code.")]})
    qs = selectors.events_filtered(
        request.user,
        state=filters.state,
        category=filters.category,
        source=filters.source,
        under=filters.under,
        overdue=filters.overdue,
        department=filters.department,
    ).select_related("category__parent", "current_department")
    return _Page(qs, request.user)


@router.get("/events/{event_id}", response=EventDetailOut, summary="One event with its timeline")
def get_event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    return _detail(request, selectors.get_event_for_user(request.user, event_id))


def _event(request: HttpRequest, event_id: int) -> Event:
    return selectors.get_event_for_user(request.user, event_id)


@router.post(
    "/events/{event_id}/self-handle", response=EventDetailOut, summary="网格自办: close on the spot"
)
def self_handle(request: HttpRequest, event_id: int, payload: SelfHandleIn) -> dict[str, Any]:
    e = _call(
        actions.do_self_handle_event,
        _event(request, event_id),
        actor=request.user,
        note=payload.note,
        attachments=payload.attachments,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/register", response=EventDetailOut, summary="立案")
def register(request: HttpRequest, event_id: int, payload: RegisterIn) -> dict[str, Any]:
    e = _call(
        actions.do_register_event,
        _event(request, event_id),
        actor=request.user,
        category=payload.category,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/reject", response=EventDetailOut, summary="不予立案")
def reject(request: HttpRequest, event_id: int, payload: RejectIn) -> dict[str, Any]:
    e = _call(
        actions.do_reject_event,
        _event(request, event_id),
        actor=request.user,
        reason=payload.reason,
        duplicate_of=payload.duplicate_of,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/dispatch", response=EventDetailOut, summary="派遣")
def dispatch(request: HttpRequest, event_id: int, payload: DispatchIn) -> dict[str, Any]:
    e = _call(
        actions.do_dispatch_event,
        _event(request, event_id),
        actor=request.user,
        department=payload.department,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/redispatch", response=EventDetailOut, summary="退单后重新派遣")
def redispatch(request: HttpRequest, event_id: int, payload: DispatchIn) -> dict[str, Any]:
    e = _call(
        actions.do_redispatch_event,
        _event(request, event_id),
        actor=request.user,
        department=payload.department,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/force", response=EventDetailOut, summary="强制派遣")
def force(request: HttpRequest, event_id: int, payload: ForceIn) -> dict[str, Any]:
    e = _call(
        actions.do_force_event,
        _event(request, event_id),
        actor=request.user,
        reason=payload.reason,
        department=payload.department,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/accept", response=EventDetailOut, summary="受理")
def accept(request: HttpRequest, event_id: int, payload: NoteIn) -> dict[str, Any]:
    e = _call(
        actions.do_accept_event,
        _event(request, event_id),
        actor=request.user,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/send-back", response=EventDetailOut, summary="退单")
def send_back(request: HttpRequest, event_id: int, payload: ReasonIn) -> dict[str, Any]:
    e = _call(
        actions.do_send_back_event,
        _event(request, event_id),
        actor=request.user,
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/request-extension", response=EventDetailOut, summary="申请延期")
def request_extension(request: HttpRequest, event_id: int, payload: ExtensionIn) -> dict[str, Any]:
    event = _event(request, event_id)
    _call(
        actions.do_request_extension,
        event,
        actor=request.user,
        amount=payload.amount,
        unit=payload.unit,
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(request, event)


@router.post("/events/{event_id}/decide-extension", response=EventDetailOut, summary="审批延期")
def decide_extension(
    request: HttpRequest, event_id: int, payload: DecideExtensionIn
) -> dict[str, Any]:
    e = _call(
        actions.do_decide_extension,
        _event(request, event_id),
        actor=request.user,
        extension_id=payload.extension_id,
        approve=payload.approve,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/feedback", response=EventDetailOut, summary="办结反馈")
def feedback(request: HttpRequest, event_id: int, payload: HandledNoteIn) -> dict[str, Any]:
    e = _call(
        actions.do_feedback_event,
        _event(request, event_id),
        actor=request.user,
        note=payload.note,
        attachments=payload.attachments,
        version=payload.version,
    )
    return _detail(request, e)


@router.post(
    "/events/{event_id}/verify", response=EventDetailOut, summary="核查（通过结案，不通过返工）"
)
def verify(request: HttpRequest, event_id: int, payload: VerifyIn) -> dict[str, Any]:
    e = _call(
        actions.do_verify_event,
        _event(request, event_id),
        actor=request.user,
        passed=payload.passed,
        note=payload.note,
        attachments=payload.attachments,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/return-visit", response=EventDetailOut, summary="回访")
def return_visit(request: HttpRequest, event_id: int, payload: ReturnVisitIn) -> dict[str, Any]:
    event = _event(request, event_id)
    _call(
        actions.do_return_visit_event,
        event,
        actor=request.user,
        contacted=payload.contacted,
        solved=payload.solved,
        satisfaction=payload.satisfaction,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, event)


@router.post("/events/{event_id}/summon", response=EventDetailOut, summary="吹哨：召集多个部门")
def summon(request: HttpRequest, event_id: int, payload: SummonIn) -> dict[str, Any]:
    e = _call(
        actions.do_summon_event,
        _event(request, event_id),
        actor=request.user,
        departments=payload.departments,
        note=payload.note,
        tasks=payload.tasks,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/report-in", response=EventDetailOut, summary="报到（吹哨的部门）")
def report_in(request: HttpRequest, event_id: int, payload: PartIn) -> dict[str, Any]:
    event = _event(request, event_id)
    _call(
        actions.do_report_in_event,
        event,
        actor=request.user,
        department=payload.department,
        note=payload.note,
    )
    return _detail(request, event)


@router.post("/events/{event_id}/complete-part", response=EventDetailOut, summary="完成本部门分工")
def complete_part(request: HttpRequest, event_id: int, payload: CompletePartIn) -> dict[str, Any]:
    e = _call(
        actions.do_complete_part_event,
        _event(request, event_id),
        actor=request.user,
        note=payload.note,
        department=payload.department,
        attachments=payload.attachments,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/escalate", response=EventDetailOut, summary="提级办理")
def escalate(request: HttpRequest, event_id: int, payload: ReasonIn) -> dict[str, Any]:
    e = _call(
        actions.do_escalate_event,
        _event(request, event_id),
        actor=request.user,
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(request, e)


@router.post("/events/{event_id}/supervise", response=EventDetailOut, summary="督办")
def supervise(request: HttpRequest, event_id: int, payload: RequiredNoteIn) -> dict[str, Any]:
    e = _call(
        actions.do_supervise_event,
        _event(request, event_id),
        actor=request.user,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, e)


class JoinIn(Schema):
    request_id: str = Field(
        "", max_length=64, description="Client-chosen id of the attempt (joining is idempotent)"
    )
    note: str = Field("", max_length=2000, description="What the joiner adds (optional)")


class MergeIn(Versioned):
    original: int = Field(..., description="Id of the event the duplicate repeats")
    note: str = Field("", max_length=2000)


@router.post(
    "/events/{event_id}/join",
    response=EventDetailOut,
    summary="附议: follow an open event instead of reporting it again (idempotent)",
    description=(
        "`event_id` is the id or the tracking number (as `GET /events/nearby` gives it). The "
        "caller must be able to report at the event's place; events of the private groups "
        "can only be joined by those who already see them. Joining twice answers the same; "
        "a closed or rejected event answers 409. Afterwards the caller sees the event in "
        "their list."
    ),
)
def join(request: HttpRequest, event_id: int, payload: JoinIn) -> dict[str, Any]:
    event = selectors.get_joinable_event(request.user, event_id)
    _call(
        actions.do_join_event,
        event,
        actor=request.user,
        request_id=payload.request_id,
        note=payload.note,
    )
    return _detail(request, event)


@router.post(
    "/events/{event_id}/merge",
    response=EventDetailOut,
    summary="合并: close this event as a duplicate of another (command centre)",
    description=(
        "The event is closed with `duplicate_of` set to the original (or to the original's "
        "own original); its reporter and followers follow the original. Both events must be "
        "in the caller's command scope; the original must still be open."
    ),
)
def merge(request: HttpRequest, event_id: int, payload: MergeIn) -> dict[str, Any]:
    e = _call(
        actions.do_merge_event,
        _event(request, event_id),
        actor=request.user,
        original=payload.original,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, e)


# --- figures ----------------------------------------------------------------------


class StatsQuery(Schema):
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="Only events under this node"
    )
    since: date | None = Field(None, description="First day (inclusive) of reported_at")
    until: date | None = Field(None, description="Last day (inclusive) of reported_at")


class ThreeRatesOut(Schema):
    response_rate: float | None
    solve_rate: float | None
    satisfaction_rate: float | None
    score: float | None
    weights: dict[str, float]


class StatsOut(Schema):
    under: str | None
    since: date | None
    until: date | None
    reported: int
    registered: int
    handled: int
    handled_on_time: int
    closed: int
    reworked: int
    overdue: int
    self_handled: int
    handling_rate: float | None
    on_time_rate: float | None
    closure_rate: float | None
    rework_rate: float | None
    self_handled_rate: float | None
    satisfaction_rate: float | None
    dispatched: int
    responded: int
    dept_response_rate: float | None
    return_visits: int
    three_rates: ThreeRatesOut
    avg_accept_hours: float | None
    avg_handle_hours: float | None
    by_state: dict[str, int]
    by_category: dict[str, int]
    by_source: dict[str, int]
    by_department: dict[str, int]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.get_current_timezone())


@router.get(
    "/stats/events", response=StatsOut, tags=["stats"], summary="Event figures in the user's scope"
)
def event_stats(request: HttpRequest, query: Query[StatsQuery]) -> dict[str, Any]:
    if query.under and not codes.is_valid(query.under):
        raise ApiError(422, "invalid", INVALID, {"under": [_("Not a valid hierarchy code.")]})
    if query.since and query.until and query.until < query.since:
        raise ApiError(
            422, "invalid", INVALID, {"until": [_("The last day cannot be before the first.")]}
        )
    qs = selectors.events_filtered(
        request.user,
        under=query.under,
        since=_day_start(query.since) if query.since else None,
        until=_day_start(query.until + timedelta(days=1)) if query.until else None,
    )
    return {
        "under": query.under,
        "since": query.since,
        "until": query.until,
        **stats.event_figures(qs),
    }
