"""The command map's data under /api/v1/map: the hierarchy to drill through and its layers.

Every layer is scoped like the app it comes from (a street sees its own
street, a grid worker their grid, a department what is dispatched to it or
what it owns), filtered by a node (``under``) and by the visible box
(``bbox``), and capped (``limit``): ``total`` says how many there are,
``truncated`` whether the answer holds fewer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from wangge.api.errors import ApiError
from wangge.assets.choices import AssetState
from wangge.basedata.schemas import ErrorOut
from wangge.events.choices import EventState
from wangge.maps import selectors
from wangge.maps.bbox import BBox, BBoxError
from wangge.maps.choices import AssetGroup

router = Router(tags=["map"])
INVALID = gettext_lazy("Invalid input: please check the fields.")
CODE = r"^[0-9]{6,18}$"
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a selector, answering a layer the user may not see as 403."""
    try:
        return fn(*args, **kwargs)
    except selectors.MapForbidden as exc:
        raise ApiError(403, "forbidden", exc.message) from None


def _bbox(text: str | None) -> BBox | None:
    try:
        return BBox.parse(text)
    except BBoxError as exc:
        raise ApiError(422, "invalid", INVALID, {"bbox": [str(exc)]}) from None


# --- schemas --------------------------------------------------------------------------


class FeatureOut(Schema):
    type: str = Field("Feature", description="Always Feature")
    id: int | str | None = Field(None, description="The record's id, or the region's code")
    geometry: dict[str, Any] = Field(..., description="GeoJSON geometry (WGS84 lng/lat)")
    properties: dict[str, Any] = Field(
        ..., description="What the card shows: number/name, state, category, address, url…"
    )


class CrumbOut(Schema):
    code: str
    name: str
    level: str
    visible: bool = Field(..., description="Whether the user may open this node")


class NodeOut(Schema):
    node: FeatureOut | None = Field(
        ..., description="The node's outline; null above the user's nodes"
    )
    children: list[FeatureOut] = Field(..., description="The nodes one level down, to drill into")
    ancestors: list[CrumbOut] = Field(..., description="From the district down (breadcrumb)")
    up: str | None = Field(..., description="The parent's code if the user may open it")


class PointsOut(Schema):
    type: str = "FeatureCollection"
    features: list[FeatureOut]
    total: int = Field(..., description="How many match, in scope")
    returned: int
    limit: int
    truncated: bool = Field(..., description="More match than were returned: zoom in")


class HeatOut(Schema):
    points: list[list[float]] = Field(..., description="[lat, lng, weight]; overdue weigh 2")
    total: int
    returned: int
    limit: int
    truncated: bool


class CareOut(Schema):
    type: str = "FeatureCollection"
    features: list[FeatureOut]
    start: str
    end: str
    total: dict[str, Any]


class CampaignRef(Schema):
    id: int
    name: str
    url: str


class CampaignProgressOut(Schema):
    type: str = "FeatureCollection"
    features: list[FeatureOut]
    campaign: CampaignRef
    by: str = Field(..., description="grid, or unit under a grid")
    total: dict[str, Any]


class CampaignOut(Schema):
    id: int
    name: str
    state: str
    state_label: str
    deadline: str | None
    total: int
    done: int
    pending: int
    contacted: int
    follow_up: int
    overdue: int
    done_rate: float


# --- filters ----------------------------------------------------------------------------


class Where(Schema):
    under: str | None = Field(
        None, pattern=CODE, description="Code of a node: only what lies under it"
    )
    bbox: str | None = Field(
        None,
        max_length=100,
        description="The visible box: west,south,east,north (WGS84), e.g. 113.0,22.0,113.2,22.2",
    )
    limit: int = Field(
        selectors.DEFAULT_LIMIT,
        ge=1,
        le=selectors.MAX_LIMIT,
        description=f"At most this many points (≤ {selectors.MAX_LIMIT})",
    )


class EventWhere(Where):
    state: EventState | None = None
    category: str | None = Field(
        None, pattern=r"^[0-9A-Za-z]{2,8}$", description="A category; a top-level one takes all"
    )
    overdue: bool | None = Field(None, description="Only overdue events (or only those on time)")
    open: bool | None = Field(
        None, description="true: events still being worked on; false: closed or rejected"
    )


class AssetWhere(Where):
    group: AssetGroup | None = Field(
        None, description="hydrants (消防栓), covers (井盖) or all (default)"
    )
    state: AssetState | None = Field(None, description="Default: every state but retired")


class UnderOnly(Schema):
    under: str | None = Field(
        None, pattern=CODE, description="Code of a node: its children (default: the user's nodes)"
    )


# --- endpoints --------------------------------------------------------------------------


@router.get(
    "/map/regions",
    response=NodeOut,
    summary="The map above the user's nodes: each of them as a polygon to drill into",
)
def map_top(request: HttpRequest) -> dict[str, Any]:
    return selectors.top_view(request.user)


@router.get(
    "/map/regions/{code}",
    response={200: NodeOut, 404: ErrorOut},
    summary="A node's outline, its children's polygons and its ancestors",
)
def map_node(request: HttpRequest, code: str) -> dict[str, Any]:
    return selectors.node_view(request.user, code)


@router.get(
    "/map/events",
    response={200: PointsOut, **ERRORS},
    summary="Events as points (overdue first), for the map",
)
def map_events(request: HttpRequest, where: Query[EventWhere]) -> dict[str, Any]:
    return _call(
        selectors.events_layer,
        request.user,
        under=where.under,
        bbox=_bbox(where.bbox),
        state=where.state,
        category=where.category,
        overdue=where.overdue,
        open_only=where.open,
        limit=where.limit,
    )


@router.get(
    "/map/events/heat",
    response={200: HeatOut, **ERRORS},
    summary="Where events are thick: points for a heat layer",
    description=f"Up to {selectors.HEAT_LIMIT} points; `limit` is ignored.",
)
def map_events_heat(request: HttpRequest, where: Query[EventWhere]) -> dict[str, Any]:
    return _call(
        selectors.events_heat,
        request.user,
        under=where.under,
        bbox=_bbox(where.bbox),
        state=where.state,
        category=where.category,
        overdue=where.overdue,
        open_only=where.open,
    )


@router.get(
    "/map/assets",
    response={200: PointsOut, **ERRORS},
    summary="City parts (hydrants, manhole covers…) as points; damaged and missing first",
)
def map_assets(request: HttpRequest, where: Query[AssetWhere]) -> dict[str, Any]:
    return _call(
        selectors.assets_layer,
        request.user,
        under=where.under,
        bbox=_bbox(where.bbox),
        group=where.group,
        state=where.state,
        limit=where.limit,
    )


@router.get(
    "/map/rentals",
    response={200: PointsOut, **ERRORS},
    summary="Rental buildings (出租屋) with rooms and occupants",
)
def map_rentals(request: HttpRequest, where: Query[Where]) -> dict[str, Any]:
    return _call(
        selectors.rentals_layer,
        request.user,
        under=where.under,
        bbox=_bbox(where.bbox),
        limit=where.limit,
    )


@router.get(
    "/map/hazards",
    response={200: PointsOut, **ERRORS},
    summary="Enterprises with open hazards (late: past a rectification deadline)",
)
def map_hazards(request: HttpRequest, where: Query[Where]) -> dict[str, Any]:
    return _call(
        selectors.hazards_layer,
        request.user,
        under=where.under,
        bbox=_bbox(where.bbox),
        limit=where.limit,
    )


@router.get(
    "/map/care",
    response={200: CareOut, **ERRORS},
    summary="Care-visit coverage this month for each child of a node",
)
def map_care(request: HttpRequest, where: Query[UnderOnly]) -> dict[str, Any]:
    return _call(selectors.care_layer, request.user, under=where.under)


@router.get(
    "/map/campaigns",
    response={200: list[CampaignOut], **ERRORS},
    summary="Launched campaigns the user sees, for the progress layer",
)
def map_campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    return _call(selectors.campaigns_for_map, request.user)


@router.get(
    "/map/campaigns/{int:campaign_id}/progress",
    response={200: CampaignProgressOut, **ERRORS},
    summary="A campaign's progress per grid (per minimal unit under a grid)",
)
def map_campaign_progress(
    request: HttpRequest, campaign_id: int, where: Query[UnderOnly]
) -> dict[str, Any]:
    return _call(selectors.campaign_layer, request.user, campaign_id, under=where.under)
