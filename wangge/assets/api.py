"""City parts (城市部件) under /api/v1/assets."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.assets import actions, selectors
from wangge.assets.choices import AssetCategory, AssetState, InspectionResult, LogKind
from wangge.assets.models import Asset, AssetType, InspectionLog
from wangge.basedata.schemas import ErrorOut
from wangge.basedata.staleness import stale_before
from wangge.lib import codes

router = Router(tags=["assets"])
GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.AssetError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- schemas --------------------------------------------------------------------


class AssetTypeOut(Schema):
    code: str
    name: str
    category: AssetCategory
    category_label: str
    prefix: str
    description: str

    @staticmethod
    def from_type(t: AssetType) -> dict[str, Any]:
        return {
            "code": t.code,
            "name": t.name,
            "category": t.category,
            "category_label": t.get_category_display(),
            "prefix": t.prefix,
            "description": t.description,
        }


class TypeRef(Schema):
    code: str
    name: str
    category: AssetCategory


class DepartmentRef(Schema):
    id: int
    code: str
    name: str


class AssetOut(Schema):
    id: int
    code: str = Field(..., description="The number on the part (unique in its district)")
    name: str
    type: TypeRef
    state: AssetState
    state_label: str
    version: int
    region_code: str = Field(..., description="The grid or minimal unit the part lies in")
    grid_code: str
    lng: float
    lat: float
    address: str
    owner_department: DepartmentRef | None
    installed_on: date | None
    is_new: bool
    verified_at: datetime | None
    last_inspected_at: datetime | None
    stale: bool = Field(..., description="Not verified within WANGGE_BASEDATA_STALE_DAYS")
    updated_at: datetime

    @staticmethod
    def from_asset(a: Asset, stale_from: datetime) -> dict[str, Any]:
        t, d = a.type, a.owner_department
        return {
            "id": a.pk,
            "code": a.code,
            "name": a.name or t.name,
            "type": {"code": t.code, "name": t.name, "category": t.category},
            "state": a.state,
            "state_label": a.get_state_display(),
            "version": a.version,
            "region_code": a.region_code,
            "grid_code": a.grid_code,
            "lng": a.lng,
            "lat": a.lat,
            "address": a.address,
            "owner_department": {"id": d.pk, "code": d.code, "name": d.name} if d else None,
            "installed_on": a.installed_on,
            "is_new": a.is_new,
            "verified_at": a.verified_at,
            "last_inspected_at": a.last_inspected_at,
            "stale": a.verified_at is None or a.verified_at < stale_from,
            "updated_at": a.updated_at,
        }


class LogOut(Schema):
    id: int
    kind: LogKind
    kind_label: str
    result: str
    result_label: str
    note: str
    state_before: str
    state_after: str
    by: str
    at: datetime

    @staticmethod
    def from_log(log: InspectionLog) -> dict[str, Any]:
        return {
            "id": log.pk,
            "kind": log.kind,
            "kind_label": log.get_kind_display(),
            "result": log.result,
            "result_label": log.get_result_display() if log.result else "",
            "note": log.note,
            "state_before": log.state_before,
            "state_after": log.state_after,
            "by": log.by_label,
            "at": log.at,
        }


class AssetDetailOut(AssetOut):
    notes: str
    logs: list[LogOut] = Field(..., description="The latest 100 entries, newest first")
    actions: list[str] = Field(..., description="What the user may do: inspect, change_state")


def _detail(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    asset = selectors.get_asset_for_user(request.user, asset.pk)
    return {
        **AssetOut.from_asset(asset, stale_before()),
        "notes": asset.notes,
        "logs": [LogOut.from_log(log) for log in selectors.logs_of(asset)],
        "actions": selectors.available_actions(request.user, asset),
    }


class AssetFilter(Schema):
    asset_type: str | None = Field(
        None,
        pattern=r"^[0-9A-Za-z]{2,8}$",
        description="Type code (0111 消防栓); a two-digit class code (01) takes in its types",
    )
    state: AssetState | None = None
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="Only parts under this node"
    )
    is_new: bool | None = Field(None, description="Only newly installed (or only older) parts")
    department: int | None = Field(None, description="Owner department id")


class AssetIn(Schema):
    type: str = Field(..., max_length=8, description="Type code, see GET /api/v1/assets/types")
    lng: float = Field(..., ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(..., ge=-90, le=90, allow_inf_nan=False)
    region_code: str | None = Field(
        None,
        pattern=GRID_OR_UNIT,
        description="Grid or unit; by default the one holding the point",
    )
    code: str = Field("", max_length=32, description="Number on the part; generated if empty")
    name: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    state: AssetState = AssetState.NORMAL
    owner_department: str | None = Field(
        None, max_length=32, description="Code of the owner department in the part's district"
    )
    installed_on: date | None = None
    is_new: bool = False
    notes: str = Field("", max_length=2000)


class InspectionIn(Schema):
    kind: Literal["inspection", "maintenance", "repair"] = "inspection"
    result: InspectionResult
    note: str = Field("", max_length=2000)
    at: datetime | None = Field(None, description="When it was done (default: now)")


class StateIn(Schema):
    state: AssetState
    reason: str = Field(..., min_length=1, max_length=2000)
    version: int | None = Field(None, description="The version the client saw; 409 if it moved on")


class _Page:
    """A queryset the paginator slices in the database, serialising only the page it keeps."""

    def __init__(self, qs: QuerySet[Asset]) -> None:
        self.qs = qs
        self.stale_from = stale_before()

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [AssetOut.from_asset(a, self.stale_from) for a in self.qs[window]]


# --- endpoints ------------------------------------------------------------------


@router.get("/assets/types", response=list[AssetTypeOut], summary="The asset types (部件小类)")
def list_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [AssetTypeOut.from_type(t) for t in selectors.active_asset_types()]


@router.get("/assets", response=list[AssetOut], summary="City parts in the user's scope")
@paginate(Paged)
def list_assets(request: HttpRequest, filters: Query[AssetFilter]) -> Any:
    if filters.under and not codes.is_valid(filters.under):
        raise ApiError(
            422, "invalid", str(actions.INVALID), {"under": [_("Not a valid area code.")]}
        )
    qs = selectors.assets_filtered(
        request.user,
        asset_type=filters.asset_type,
        state=filters.state,
        under=filters.under,
        is_new=filters.is_new,
        department=filters.department,
    ).select_related("type", "owner_department")
    return _Page(qs)


@router.post(
    "/assets",
    response={201: AssetDetailOut, **ERRORS},
    summary="Register a city part",
    description="Located by its point (or the given grid/unit), which must lie in the user's area.",
)
def create_asset(request: HttpRequest, payload: AssetIn) -> Status[dict[str, Any]]:
    asset = _call(
        actions.do_create_asset,
        actor=request.user,
        type_code=payload.type,
        lng=payload.lng,
        lat=payload.lat,
        region_code=payload.region_code,
        code=payload.code,
        name=payload.name,
        address=payload.address,
        state=payload.state,
        owner_department=payload.owner_department,
        installed_on=payload.installed_on,
        is_new=payload.is_new,
        notes=payload.notes,
    )
    return Status(201, _detail(request, asset))


@router.get(
    "/assets/{asset_id}",
    response={200: AssetDetailOut, 404: ErrorOut},
    summary="One city part with its inspection and maintenance log",
)
def get_asset(request: HttpRequest, asset_id: int) -> dict[str, Any]:
    return _detail(request, selectors.get_asset_for_user(request.user, asset_id))


@router.post(
    "/assets/{asset_id}/inspections",
    response={201: AssetDetailOut, **ERRORS},
    summary="Record an inspection, maintenance or repair (巡检、养护、维修)",
    description=(
        "The part's state follows what was found: damaged or missing sets it so, "
        "fixed (by maintenance or repair) makes it normal again."
    ),
)
def record_inspection(
    request: HttpRequest, asset_id: int, payload: InspectionIn
) -> Status[dict[str, Any]]:
    asset = selectors.get_asset_for_user(request.user, asset_id)
    _call(
        actions.do_record_inspection,
        asset,
        actor=request.user,
        kind=payload.kind,
        result=payload.result,
        note=payload.note,
        at=payload.at,
        now=timezone.now(),
    )
    return Status(201, _detail(request, asset))


@router.post(
    "/assets/{asset_id}/state",
    response={200: AssetDetailOut, **ERRORS},
    summary="Change the state of a city part (报修、维修中、报废…)",
)
def change_state(request: HttpRequest, asset_id: int, payload: StateIn) -> dict[str, Any]:
    asset = _call(
        actions.do_change_asset_state,
        selectors.get_asset_for_user(request.user, asset_id),
        actor=request.user,
        state=payload.state,
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(request, asset)
