"""Emergency mode (平急转换) under /api/v1/emergency/."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.basedata.schemas import ErrorOut
from wangge.emergency import actions, selectors
from wangge.emergency.choices import EmergencyKind, EmergencyStatus, TargetKind
from wangge.emergency.models import Emergency, KindTag, OutcomeOption, OutcomeRecord, Task
from wangge.lib import codes

router = Router(tags=["emergency"])
UUID_PATTERN = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
AREA_PATTERN = r"^[0-9]{6}([0-9]{3}){0,3}$"
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _kind_label(kind: str) -> str:
    """The label of a target kind, in the request's language."""
    return str(TargetKind(kind).label) if kind in TargetKind.values else kind


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.EmergencyError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


def _check_code(name: str, value: str | None) -> None:
    if value and not codes.is_valid(value):
        raise ApiError(422, "invalid", str(actions.INVALID), {name: [_("Not a valid region code")]})


# --- schemas --------------------------------------------------------------------------


class TagRef(Schema):
    code: str
    name: str


class OutcomeOptionOut(Schema):
    code: str
    label: str
    final: bool = Field(..., description="A final outcome counts the task as covered")


class KindOut(Schema):
    kind: EmergencyKind
    label: str
    tags: list[TagRef] = Field(..., description="Special groups this kind targets")


class CatalogueOut(Schema):
    kinds: list[KindOut]
    outcomes: dict[str, list[OutcomeOptionOut]] = Field(
        ..., description="Target kind (person, building, enterprise) → its outcomes"
    )


class AreaRef(Schema):
    code: str
    name: str
    level: str


class Figures(Schema):
    tasks: int
    covered: int
    percent: float | None


class EmergencyOut(Schema):
    id: int
    kind: EmergencyKind
    kind_label: str
    title: str
    area: AreaRef
    status: EmergencyStatus
    status_label: str
    started_at: datetime
    ended_at: datetime | None
    activated_by: str
    deactivated_by: str
    closing_note: str
    tasks: int = Field(..., description="Tasks the user sees")
    covered: int = Field(..., description="Of them, with a final outcome")
    percent: float | None
    final: Figures | None = Field(
        ..., description="The whole area's record when switched back (for who sees it whole)"
    )
    actions: list[str] = Field(..., description="What the user may do: deactivate")


def _emergency_out(
    request: HttpRequest, e: Emergency, totals: dict[int, tuple[int, int]] | None = None
) -> dict[str, Any]:
    user = request.user
    if totals is None:
        totals = selectors.totals_for(user, [e])
    tasks, covered = totals.get(e.pk, (0, 0))
    final = None
    if e.final_tasks is not None and selectors.sees_whole_area(user, e):
        done = e.final_covered or 0
        final = {
            "tasks": e.final_tasks,
            "covered": done,
            "percent": selectors.percent(done, e.final_tasks),
        }
    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "title": e.title,
        "area": {"code": e.region_code, "name": e.region.name, "level": e.region.level},
        "status": e.status,
        "status_label": e.get_status_display(),
        "started_at": e.started_at,
        "ended_at": e.ended_at,
        "activated_by": e.activated_by_label,
        "deactivated_by": e.deactivated_by_label,
        "closing_note": e.closing_note,
        "tasks": tasks,
        "covered": covered,
        "percent": selectors.percent(covered, tasks),
        "final": final,
        "actions": (
            ["deactivate"] if e.is_active and selectors.can_activate_at(user, e.region_code) else []
        ),
    }


class CoverageRowOut(Schema):
    code: str
    name: str
    level: str
    tasks: int
    covered: int
    percent: float | None


class KindFiguresOut(Schema):
    kind: TargetKind
    label: str
    tasks: int
    covered: int
    percent: float | None


class CoverageOut(Schema):
    emergency_id: int
    status: EmergencyStatus
    tasks: int
    covered: int
    percent: float | None
    by_kind: list[KindFiguresOut]
    rows: list[CoverageRowOut] = Field(
        ..., description="Streets, communities and grids under the area, in tree order"
    )
    at: datetime


class TargetRef(Schema):
    kind: TargetKind
    kind_label: str
    id: int


class OutcomeRef(Schema):
    code: str
    label: str
    final: bool


class TaskOut(Schema):
    id: int
    emergency_id: int
    target: TargetRef
    region_code: str = Field(..., description="The target's grid or unit")
    grid_code: str = Field(..., description="The grid the task is assigned to")
    label: str
    detail: str
    address: str
    contact: str = Field(..., description="Phones masked")
    outcome: OutcomeRef | None
    outcome_note: str
    outcome_at: datetime | None
    outcome_by: str
    covered: bool
    open: bool = Field(..., description="The emergency is active: outcomes can be recorded")
    outcomes: list[OutcomeOptionOut] = Field(..., description="The outcomes one may tap")


def _task_out(t: Task, options: dict[str, list[OutcomeOption]]) -> dict[str, Any]:
    o = t.outcome
    return {
        "id": t.pk,
        "emergency_id": t.emergency_id,
        "target": {
            "kind": t.target_kind,
            "kind_label": _kind_label(t.target_kind),
            "id": t.target_id,
        },
        "region_code": t.region_code,
        "grid_code": t.grid_code,
        "label": t.label,
        "detail": t.detail,
        "address": t.address,
        "contact": t.contact,
        "outcome": {"code": o.code, "label": o.label, "final": o.is_final} if o else None,
        "outcome_note": t.outcome_note,
        "outcome_at": t.outcome_at,
        "outcome_by": t.outcome_by_label,
        "covered": t.covered,
        "open": t.emergency.is_active,
        "outcomes": [
            {"code": x.code, "label": x.label, "final": x.is_final}
            for x in options.get(t.target_kind, [])
        ],
    }


class RecordOut(Schema):
    id: int
    outcome: str
    outcome_label: str
    final: bool
    note: str
    by: str
    at: datetime


def _record_out(r: OutcomeRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "outcome": r.outcome.code,
        "outcome_label": r.outcome.label,
        "final": r.is_final,
        "note": r.note,
        "by": r.by_label,
        "at": r.at,
    }


class TaskDetailOut(TaskOut):
    records: list[RecordOut] = Field(..., description="Outcomes recorded, newest first")


class OutcomeOut(RecordOut):
    request_id: str | None
    task: TaskOut


class EmergencyFilter(Schema):
    status: EmergencyStatus | None = None
    kind: EmergencyKind | None = None
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="Emergencies overlapping this node"
    )


class TaskFilter(Schema):
    covered: bool | None = None
    target_kind: TargetKind | None = None
    under: str | None = Field(None, pattern=r"^[0-9]{6,18}$", description="Tasks under this node")


class MyTaskFilter(Schema):
    open: bool = Field(True, description="Only tasks without a final outcome yet")
    target_kind: TargetKind | None = None


class ActivateIn(Schema):
    region_code: str = Field(
        ..., pattern=AREA_PATTERN, description="The area: a district, street, community or grid"
    )
    kind: EmergencyKind
    title: str = Field("", max_length=100, description="Default: the kind's name + 应急响应")
    started_at: datetime | None = Field(None, description="Default: now")
    request_id: str | None = Field(
        None, min_length=1, max_length=64, description="Repeating a request with it answers 200"
    )


class DeactivateIn(Schema):
    note: str = Field("", max_length=500, description="Closing note (总结)")


class OutcomeIn(Schema):
    request_id: str = Field(
        ..., pattern=UUID_PATTERN, description="Client-generated UUID: a repeat stores nothing"
    )
    task_id: int
    outcome: str = Field(..., min_length=1, max_length=32, description="An outcome code")
    note: str = Field("", max_length=500)
    at: datetime | None = Field(None, description="When it was done (default: now)")


class _Page:
    """A queryset the paginator slices in the database, serialising only the page it keeps."""

    def __init__(self, qs: QuerySet[Any], serialise: Callable[[list[Any]], list[Any]]) -> None:
        self.qs = qs
        self.serialise = serialise

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[Any]:
        return self.serialise(list(self.qs[window]))


def _tasks_page(qs: QuerySet[Task]) -> _Page:
    options = selectors.outcome_options()
    return _Page(qs, lambda rows: [_task_out(t, options) for t in rows])


# --- endpoints ------------------------------------------------------------------------


@router.get(
    "/emergency/catalogue",
    response=CatalogueOut,
    summary="Kinds of emergency, the special groups each targets, and the outcomes",
)
def catalogue(request: HttpRequest) -> dict[str, Any]:
    tags: dict[str, list[dict[str, str]]] = {k: [] for k in EmergencyKind.values}
    for kind, code, name in (
        KindTag.objects.filter(is_active=True, tag__is_active=True)
        .order_by("kind", "tag__sort_order", "tag__code")
        .values_list("kind", "tag__code", "tag__name")
    ):
        tags.setdefault(kind, []).append({"code": code, "name": name})
    options = selectors.outcome_options()
    return {
        "kinds": [
            {"kind": k.value, "label": str(k.label), "tags": tags.get(k.value, [])}
            for k in EmergencyKind
        ],
        "outcomes": {
            kind: [{"code": o.code, "label": o.label, "final": o.is_final} for o in found]
            for kind, found in options.items()
        },
    }


@router.get(
    "/emergency/emergencies",
    response=list[EmergencyOut],
    summary="Emergencies overlapping the user's area (active first)",
)
@paginate(Paged)
def list_emergencies(request: HttpRequest, filters: Query[EmergencyFilter]) -> Any:
    _check_code("under", filters.under)
    qs = (
        selectors.emergencies_listed(
            request.user, status=filters.status, kind=filters.kind, under=filters.under
        )
        .select_related("region")
        .defer("region__geometry")
    )

    def serialise(rows: list[Emergency]) -> list[dict[str, Any]]:
        totals = selectors.totals_for(request.user, rows)
        return [_emergency_out(request, e, totals) for e in rows]

    return _Page(qs, serialise)


@router.post(
    "/emergency/emergencies",
    response={200: EmergencyOut, 201: EmergencyOut, **ERRORS},
    summary="Switch an area into emergency mode (平急转换), generating its task lists",
    description=(
        "Refused (409) when an active emergency covers the area, contains it or lies inside it. "
        "Idempotent by request_id."
    ),
)
def activate(request: HttpRequest, payload: ActivateIn) -> Status[dict[str, Any]]:
    result = _call(
        actions.do_activate_emergency,
        actor=request.user,
        region_code=payload.region_code,
        kind=payload.kind,
        title=payload.title,
        started_at=payload.started_at,
        request_id=payload.request_id,
    )
    emergency = selectors.get_emergency_for_user(request.user, result.emergency.pk)
    return Status(201 if result.created else 200, _emergency_out(request, emergency))


@router.get(
    "/emergency/emergencies/{emergency_id}",
    response={200: EmergencyOut, 404: ErrorOut},
    summary="One emergency",
)
def get_emergency(request: HttpRequest, emergency_id: int) -> dict[str, Any]:
    return _emergency_out(request, selectors.get_emergency_for_user(request.user, emergency_id))


@router.post(
    "/emergency/emergencies/{emergency_id}/deactivate",
    response={200: EmergencyOut, **ERRORS},
    summary="Switch the area back: archive the emergency with its final coverage",
)
def deactivate(request: HttpRequest, emergency_id: int, payload: DeactivateIn) -> dict[str, Any]:
    emergency = selectors.get_emergency_for_user(request.user, emergency_id)
    _call(actions.do_deactivate_emergency, emergency, actor=request.user, note=payload.note)
    return _emergency_out(request, selectors.get_emergency_for_user(request.user, emergency_id))


def coverage_out(emergency: Emergency, user: Any) -> dict[str, Any]:
    found = selectors.coverage(emergency, user)
    return {
        "emergency_id": emergency.pk,
        "status": emergency.status,
        "tasks": found.tasks,
        "covered": found.covered,
        "percent": found.percent,
        "by_kind": [
            {
                "kind": kind,
                "label": _kind_label(kind),
                "tasks": n,
                "covered": done,
                "percent": selectors.percent(done, n),
            }
            for kind, (n, done) in found.by_kind.items()
        ],
        "rows": [
            {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "tasks": r.tasks,
                "covered": r.covered,
                "percent": r.percent,
            }
            for r in found.rows
        ],
        "at": timezone.now(),
    }


@router.get(
    "/emergency/emergencies/{emergency_id}/coverage",
    response={200: CoverageOut, 404: ErrorOut},
    summary="Live coverage per street, community and grid (the tasks the user sees)",
)
def get_coverage(request: HttpRequest, emergency_id: int) -> dict[str, Any]:
    emergency = selectors.get_emergency_for_user(request.user, emergency_id)
    return coverage_out(emergency, request.user)


@router.get(
    "/emergency/emergencies/{emergency_id}/tasks",
    response={200: list[TaskOut], 404: ErrorOut},
    summary="The emergency's tasks the user sees (open first)",
)
@paginate(Paged)
def list_emergency_tasks(
    request: HttpRequest, emergency_id: int, filters: Query[TaskFilter]
) -> Any:
    _check_code("under", filters.under)
    emergency = selectors.get_emergency_for_user(request.user, emergency_id)
    qs = selectors.tasks_filtered(
        request.user,
        emergency=emergency,
        covered=filters.covered,
        target_kind=filters.target_kind,
        under=filters.under,
    )
    return _tasks_page(qs)


@router.get(
    "/emergency/tasks",
    response=list[TaskOut],
    summary="The user's tasks in active emergencies (those they may record outcomes for)",
)
@paginate(Paged)
def my_tasks(request: HttpRequest, filters: Query[MyTaskFilter]) -> Any:
    qs = selectors.tasks_filtered(
        request.user, actionable=True, open_only=filters.open, target_kind=filters.target_kind
    )
    return _tasks_page(qs)


@router.get(
    "/emergency/tasks/{emergency_task_id}",
    response={200: TaskDetailOut, 404: ErrorOut},
    summary="One task with its outcomes",
)
def get_task(request: HttpRequest, emergency_task_id: int) -> dict[str, Any]:
    task = selectors.get_task_for_user(request.user, emergency_task_id)
    return {
        **_task_out(task, selectors.outcome_options()),
        "records": [_record_out(r) for r in selectors.records_of(task)],
    }


@router.post(
    "/emergency/outcomes",
    response={200: OutcomeOut, 201: OutcomeOut, **ERRORS},
    summary="Record a task's outcome (one tap; idempotent by request_id)",
    description=(
        "The latest outcome (by `at`) is the task's; a final one counts it as covered. "
        "Repeating a request_id answers 200 with the first record and stores nothing."
    ),
)
def record_outcome(request: HttpRequest, payload: OutcomeIn) -> Status[dict[str, Any]]:
    result = _call(
        actions.do_record_outcome,
        actor=request.user,
        task_id=payload.task_id,
        outcome=payload.outcome,
        note=payload.note,
        request_id=payload.request_id,
        at=payload.at,
    )
    entry = result.record
    task = selectors.get_task_for_user(request.user, entry.task_id)
    return Status(
        201 if result.created else 200,
        {
            **_record_out(entry),
            "request_id": str(entry.request_id) if entry.request_id else None,
            "task": _task_out(task, selectors.outcome_options()),
        },
    )
