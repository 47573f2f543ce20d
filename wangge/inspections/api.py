"""Safety inspections (安全检查) under /api/v1/inspections."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
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
from wangge.inspections import actions, selectors
from wangge.inspections.choices import (
    AnswerType,
    EnforcementKind,
    HazardState,
    Outcome,
    TargetKind,
)
from wangge.inspections.models import (
    Checklist,
    ChecklistItem,
    EnforcementRecord,
    Hazard,
    Inspection,
    ItemResult,
    Reinspection,
)
from wangge.lib import codes

router = Router(tags=["inspections"])
UUID_PATTERN = r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$"
REQUEST_ID = (
    "Client-generated UUID: repeating the request with it returns what the first stored (200)"
)

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.InspectionError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _check_under(under: str | None) -> None:
    if under and not codes.is_valid(under):
        raise ApiError(
            422, "invalid", str(actions.INVALID), {"under": [_("Not a valid region code")]}
        )


# --- schemas --------------------------------------------------------------------


class ChecklistItemOut(Schema):
    id: int
    code: str
    text: str
    answer_type: AnswerType
    answer_type_label: str
    limit_min: float | None
    limit_max: float | None
    unit: str
    limit_label: str = Field(..., description="e.g. ≤2 m; empty without a limit")
    is_hazard: bool = Field(..., description="A failed answer opens a hazard")
    rectify_days: int = Field(..., description="Default deadline: days after the inspection")
    guidance: str

    @staticmethod
    def of(item: ChecklistItem) -> dict[str, Any]:
        return {
            "id": item.pk,
            "code": item.code,
            "text": item.text,
            "answer_type": item.answer_type,
            "answer_type_label": item.get_answer_type_display(),
            "limit_min": _float(item.limit_min),
            "limit_max": _float(item.limit_max),
            "unit": item.unit,
            "limit_label": actions.limit_label(item.limit_min, item.limit_max, item.unit),
            "is_hazard": item.is_hazard,
            "rectify_days": item.rectify_days,
            "guidance": item.guidance,
        }


class ChecklistOut(Schema):
    code: str
    name: str
    target_kind: TargetKind
    target_kind_label: str
    description: str
    items: list[ChecklistItemOut]

    @staticmethod
    def of(checklist: Checklist) -> dict[str, Any]:
        return {
            "code": checklist.code,
            "name": checklist.name,
            "target_kind": checklist.target_kind,
            "target_kind_label": checklist.get_target_kind_display(),
            "description": checklist.description,
            "items": [ChecklistItemOut.of(i) for i in getattr(checklist, "active_items", [])],
        }


class ChecklistRef(Schema):
    code: str
    name: str


class EventRef(Schema):
    id: int
    number: str
    state: str
    state_label: str


class HazardOut(Schema):
    id: int
    state: HazardState
    state_label: str
    version: int
    description: str
    target_kind: TargetKind
    enterprise_id: int | None
    building_id: int | None
    target_name: str
    address: str
    region_code: str = Field(..., description="The target's grid or minimal unit")
    grid_code: str
    owner_name: str = Field(..., description="Who must rectify: the enterprise or landlord")
    responsible_person: str
    deadline: date
    overdue: bool = Field(..., description="Open past the deadline")
    days_left: int | None = Field(..., description="Days until the deadline while open")
    found_at: datetime
    rectified_at: datetime | None
    escalated_at: datetime | None
    escalation_reason: str
    inspection_id: int
    checklist: ChecklistRef
    event: EventRef | None = Field(..., description="The event an escalated hazard became")

    @staticmethod
    def of(h: Hazard, today: date) -> dict[str, Any]:
        checklist = h.inspection.checklist
        event = h.event
        is_open = h.state == HazardState.OPEN
        return {
            "id": h.pk,
            "state": h.state,
            "state_label": h.get_state_display(),
            "version": h.version,
            "description": h.description,
            "target_kind": TargetKind.ENTERPRISE if h.enterprise_id else TargetKind.BUILDING,
            "enterprise_id": h.enterprise_id,
            "building_id": h.building_id,
            "target_name": h.target_name,
            "address": h.address,
            "region_code": h.region_code,
            "grid_code": h.grid_code,
            "owner_name": h.owner_name,
            "responsible_person": h.responsible_person,
            "deadline": h.deadline,
            "overdue": h.is_overdue(today),
            "days_left": (h.deadline - today).days if is_open else None,
            "found_at": h.found_at,
            "rectified_at": h.rectified_at,
            "escalated_at": h.escalated_at,
            "escalation_reason": h.escalation_reason,
            "inspection_id": h.inspection_id,
            "checklist": {"code": checklist.code, "name": checklist.name},
            "event": {
                "id": event.pk,
                "number": event.number,
                "state": event.state,
                "state_label": event.get_state_display(),
            }
            if event is not None
            else None,
        }


class ReinspectionOut(Schema):
    id: int
    hazard_id: int
    passed: bool
    value: float | None
    note: str
    inspector: str
    inspected_at: datetime

    @staticmethod
    def of(r: Reinspection) -> dict[str, Any]:
        return {
            "id": r.pk,
            "hazard_id": r.hazard_id,
            "passed": r.passed,
            "value": _float(r.value_number),
            "note": r.note,
            "inspector": r.inspector_label,
            "inspected_at": r.inspected_at,
        }


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class EnforcementOut(Schema):
    id: int
    hazard_id: int
    kind: EnforcementKind
    kind_label: str
    item: str
    quantity: int | None
    unit: str
    details: str
    department: DepartmentRef
    enforced_on: date
    recorded_by: str
    created_at: datetime

    @staticmethod
    def of(e: EnforcementRecord) -> dict[str, Any]:
        d = e.department
        return {
            "id": e.pk,
            "hazard_id": e.hazard_id,
            "kind": e.kind,
            "kind_label": e.get_kind_display(),
            "item": e.item,
            "quantity": e.quantity,
            "unit": e.unit,
            "details": e.details,
            "department": {"id": d.pk, "code": d.code, "name": d.name},
            "enforced_on": e.enforced_on,
            "recorded_by": e.recorded_by_label,
            "created_at": e.created_at,
        }


class HazardItemOut(Schema):
    text: str
    answer_type: AnswerType
    unit: str
    limit_label: str
    value: float | None = Field(..., description="What was measured at the inspection")


class HazardDetailOut(HazardOut):
    item: HazardItemOut
    reinspections: list[ReinspectionOut]
    enforcement_records: list[EnforcementOut]
    actions: list[str] = Field(..., description="What the user may do: reinspect, change, enforce")


def _hazard_detail(request: HttpRequest, hazard: Hazard) -> dict[str, Any]:
    hazard = selectors.get_hazard_for_user(request.user, hazard.pk)
    result = hazard.result
    return {
        **HazardOut.of(hazard, timezone.localdate()),
        "item": {
            "text": result.text,
            "answer_type": result.answer_type,
            "unit": result.unit,
            "limit_label": actions.limit_label(result.limit_min, result.limit_max, result.unit),
            "value": _float(result.value_number),
        },
        "reinspections": [ReinspectionOut.of(r) for r in selectors.reinspections_of(hazard)],
        "enforcement_records": [EnforcementOut.of(e) for e in selectors.enforcement_of(hazard)],
        "actions": selectors.available_actions(request.user, hazard),
    }


class InspectionOut(Schema):
    id: int
    checklist: ChecklistRef
    target_kind: TargetKind
    enterprise_id: int | None
    building_id: int | None
    target_name: str
    address: str
    region_code: str
    grid_code: str
    inspector: str
    inspected_at: datetime
    note: str
    hazard_count: int

    @staticmethod
    def of(i: Inspection, hazard_count: int) -> dict[str, Any]:
        return {
            "id": i.pk,
            "checklist": {"code": i.checklist.code, "name": i.checklist.name},
            "target_kind": i.target_kind,
            "enterprise_id": i.enterprise_id,
            "building_id": i.building_id,
            "target_name": i.target_name,
            "address": i.address,
            "region_code": i.region_code,
            "grid_code": i.grid_code,
            "inspector": i.inspector_label,
            "inspected_at": i.inspected_at,
            "note": i.note,
            "hazard_count": hazard_count,
        }


class ResultOut(Schema):
    item_id: int
    text: str
    answer_type: AnswerType
    outcome: Outcome
    outcome_label: str
    value: float | None
    unit: str
    limit_label: str
    value_text: str
    note: str
    hazard_id: int | None

    @staticmethod
    def of(r: ItemResult) -> dict[str, Any]:
        hazard: Hazard | None = getattr(r, "hazard", None)
        return {
            "item_id": r.item_id,
            "text": r.text,
            "answer_type": r.answer_type,
            "outcome": r.outcome,
            "outcome_label": r.get_outcome_display(),
            "value": _float(r.value_number),
            "unit": r.unit,
            "limit_label": actions.limit_label(r.limit_min, r.limit_max, r.unit),
            "value_text": r.value_text,
            "note": r.note,
            "hazard_id": hazard.pk if hazard is not None else None,
        }


class InspectionDetailOut(InspectionOut):
    results: list[ResultOut]
    hazards: list[HazardOut]


def _inspection_detail(request: HttpRequest, inspection: Inspection) -> dict[str, Any]:
    inspection = selectors.get_inspection_for_user(request.user, inspection.pk)
    results = selectors.results_of(inspection)
    today = timezone.localdate()
    hazards = [
        HazardOut.of(h, today)
        for h in selectors.hazards_visible_to(request.user)
        .filter(inspection=inspection)
        .select_related("inspection__checklist", "event")
        .order_by("deadline", "id")
    ]
    return {
        **InspectionOut.of(inspection, len(hazards)),
        "results": [ResultOut.of(r) for r in results],
        "hazards": hazards,
    }


# --- inputs ---------------------------------------------------------------------


class AnswerIn(Schema):
    item: int = Field(..., description="Checklist item id (GET /api/v1/inspections/checklists)")
    outcome: Outcome | None = Field(
        None, description="pass / fail / na; for measured items the value decides"
    )
    value: Decimal | None = Field(None, description="The measured value of a number item")
    text: str = Field("", max_length=500, description="The answer of a text item")
    note: str = Field("", max_length=500)
    deadline: date | None = Field(
        None, description="Rectification deadline if this answer opens a hazard (default: item)"
    )


class InspectionIn(Schema):
    checklist: str = Field(..., min_length=1, max_length=32, description="Checklist code")
    enterprise_id: int | None = Field(None, description="The enterprise or shop inspected")
    building_id: int | None = Field(None, description="Or the building (rental housing)")
    answers: list[AnswerIn] = Field(..., max_length=200, description="One per active item")
    note: str = Field("", max_length=2000)
    inspected_at: datetime | None = Field(None, description="Default: now")
    owner_name: str = Field("", max_length=200, description="Default: the enterprise / landlord")
    responsible_person: str = Field(
        "", max_length=64, description="Default: the legal person / manager"
    )
    request_id: str | None = Field(None, pattern=UUID_PATTERN, description=REQUEST_ID)


class HazardChangeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)
    deadline: date | None = None
    owner_name: str | None = Field(None, max_length=200)
    responsible_person: str | None = Field(None, max_length=64)
    version: int | None = Field(None, description="The version the client saw; 409 if it moved on")


class ReinspectionIn(Schema):
    passed: bool | None = Field(None, description="Rectified? For measured items `value` decides")
    value: Decimal | None = Field(None, description="The new measurement of a number item")
    note: str = Field("", max_length=2000)
    inspected_at: datetime | None = Field(None, description="Default: now")
    request_id: str | None = Field(None, pattern=UUID_PATTERN, description=REQUEST_ID)


class EnforcementIn(Schema):
    kind: EnforcementKind
    item: str = Field(..., min_length=1, max_length=100, description="e.g. 液化石油气钢瓶")
    quantity: int | None = Field(None, ge=0, le=1_000_000)
    unit: str = Field("", max_length=16, description="e.g. 个")
    details: str = Field("", max_length=2000, description="e.g. 实瓶5个，空瓶40个")
    department: str = Field(
        ..., min_length=1, max_length=32, description="Department code (or id) in the district"
    )
    enforced_on: date | None = Field(None, description="Default: today")
    request_id: str | None = Field(None, pattern=UUID_PATTERN, description=REQUEST_ID)


class ChecklistFilter(Schema):
    target_kind: TargetKind | None = None


class InspectionFilter(Schema):
    under: str | None = Field(None, pattern=r"^[0-9]{6,18}$", description="Only under this node")
    enterprise_id: int | None = None
    building_id: int | None = None


class HazardFilter(Schema):
    state: HazardState | None = None
    under: str | None = Field(None, pattern=r"^[0-9]{6,18}$", description="Only under this node")
    overdue: bool | None = Field(None, description="Only open hazards past (or not) the deadline")
    enterprise_id: int | None = None
    building_id: int | None = None


class _InspectionPage:
    def __init__(self, qs: QuerySet[Inspection]) -> None:
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [InspectionOut.of(i, getattr(i, "hazard_count", 0)) for i in self.qs[window]]


class _HazardPage:
    def __init__(self, qs: QuerySet[Hazard]) -> None:
        self.qs = qs
        self.today = timezone.localdate()

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [HazardOut.of(h, self.today) for h in self.qs[window]]


# --- endpoints ------------------------------------------------------------------


@router.get(
    "/inspections/checklists",
    response=list[ChecklistOut],
    summary="The checklists (检查表) with their items",
)
def list_checklists(request: HttpRequest, filters: Query[ChecklistFilter]) -> list[dict[str, Any]]:
    return [ChecklistOut.of(c) for c in selectors.active_checklists(filters.target_kind)]


@router.get(
    "/inspections/hazards",
    response=list[HazardOut],
    summary="Hazards (隐患) in the user's area, earliest deadline first",
)
@paginate(Paged)
def list_hazards(request: HttpRequest, filters: Query[HazardFilter]) -> Any:
    _check_under(filters.under)
    qs = selectors.hazards_filtered(
        request.user,
        state=filters.state,
        under=filters.under,
        overdue=filters.overdue,
        enterprise=filters.enterprise_id,
        building=filters.building_id,
    ).select_related("inspection__checklist", "event")
    return _HazardPage(qs.order_by("deadline", "id"))


@router.get(
    "/inspections/hazards/{hazard_id}",
    response={200: HazardDetailOut, 404: ErrorOut},
    summary="One hazard with its re-inspections and enforcement records",
)
def get_hazard(request: HttpRequest, hazard_id: int) -> dict[str, Any]:
    return _hazard_detail(request, selectors.get_hazard_for_user(request.user, hazard_id))


@router.patch(
    "/inspections/hazards/{hazard_id}",
    response={200: HazardDetailOut, **ERRORS},
    summary="Change an open hazard's deadline or owner (with a reason)",
)
def change_hazard(request: HttpRequest, hazard_id: int, payload: HazardChangeIn) -> dict[str, Any]:
    hazard = _call(
        actions.do_change_hazard,
        selectors.get_hazard_for_user(request.user, hazard_id),
        actor=request.user,
        reason=payload.reason,
        deadline=payload.deadline,
        owner_name=payload.owner_name,
        responsible_person=payload.responsible_person,
        version=payload.version,
    )
    return _hazard_detail(request, hazard)


class ReinspectionResultOut(Schema):
    reinspection: ReinspectionOut
    hazard: HazardDetailOut


@router.post(
    "/inspections/hazards/{hazard_id}/reinspections",
    response={200: ReinspectionResultOut, 201: ReinspectionResultOut, **ERRORS},
    summary="Re-inspect a hazard (复查): rectified closes it, not rectified makes it an event",
    description=(
        "A failed re-inspection reports an event (category under 安全生产/消防隐患, source "
        "巡查发现) at the target's place for the command centre to dispatch; the hazard "
        "links to it. Idempotent by request_id."
    ),
)
def reinspect_hazard(
    request: HttpRequest, hazard_id: int, payload: ReinspectionIn
) -> Status[dict[str, Any]]:
    stored = _call(
        actions.do_reinspect_hazard,
        selectors.get_hazard_for_user(request.user, hazard_id),
        actor=request.user,
        passed=payload.passed,
        value=payload.value,
        note=payload.note,
        inspected_at=payload.inspected_at,
        request_id=payload.request_id,
    )
    body = {
        "reinspection": ReinspectionOut.of(stored.obj),
        "hazard": _hazard_detail(request, stored.obj.hazard),
    }
    return Status(201 if stored.created else 200, body)


@router.post(
    "/inspections/hazards/{hazard_id}/enforcement",
    response={200: EnforcementOut, 201: EnforcementOut, **ERRORS},
    summary="Keep an enforcement record (执法记录) with the hazard's case",
    description="E.g. 暂扣 液化石油气钢瓶 45 个, details 实瓶5个，空瓶40个. Idempotent by request_id.",
)
def record_enforcement(
    request: HttpRequest, hazard_id: int, payload: EnforcementIn
) -> Status[dict[str, Any]]:
    stored = _call(
        actions.do_record_enforcement,
        selectors.get_hazard_for_user(request.user, hazard_id),
        actor=request.user,
        kind=payload.kind,
        item=payload.item,
        quantity=payload.quantity,
        unit=payload.unit,
        details=payload.details,
        department=payload.department,
        enforced_on=payload.enforced_on,
        request_id=payload.request_id,
    )
    record = EnforcementRecord.objects.select_related("department").get(pk=stored.obj.pk)
    return Status(201 if stored.created else 200, EnforcementOut.of(record))


@router.get(
    "/inspections",
    response=list[InspectionOut],
    summary="Safety inspections in the user's area, newest first",
)
@paginate(Paged)
def list_inspections(request: HttpRequest, filters: Query[InspectionFilter]) -> Any:
    _check_under(filters.under)
    qs = selectors.inspections_filtered(
        request.user,
        under=filters.under,
        enterprise=filters.enterprise_id,
        building=filters.building_id,
    )
    return _InspectionPage(qs.order_by("-inspected_at", "-id"))


@router.post(
    "/inspections",
    response={200: InspectionDetailOut, 201: InspectionDetailOut, **ERRORS},
    summary="Record an inspection of an enterprise or a building (idempotent by request_id)",
    description=(
        "Every active item of the checklist is answered. Each failed item whose failure is "
        "a hazard opens a hazard with a rectification deadline and an owner."
    ),
)
def create_inspection(request: HttpRequest, payload: InspectionIn) -> Status[dict[str, Any]]:
    stored = _call(
        actions.do_record_inspection,
        actor=request.user,
        checklist=payload.checklist,
        enterprise=payload.enterprise_id,
        building=payload.building_id,
        answers=[
            actions.Answer(
                item=a.item,
                outcome=a.outcome,
                value=a.value,
                text=a.text,
                note=a.note,
                deadline=a.deadline,
            )
            for a in payload.answers
        ],
        note=payload.note,
        inspected_at=payload.inspected_at,
        owner_name=payload.owner_name,
        responsible_person=payload.responsible_person,
        request_id=payload.request_id,
    )
    return Status(201 if stored.created else 200, _inspection_detail(request, stored.obj))


@router.get(
    "/inspections/{inspection_id}",
    response={200: InspectionDetailOut, 404: ErrorOut},
    summary="One inspection with every item's result and the hazards it found",
)
def get_inspection(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    return _inspection_detail(
        request, selectors.get_inspection_for_user(request.user, inspection_id)
    )
