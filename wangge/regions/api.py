import math
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from wangge.api.errors import ApiError
from wangge.lib import codes
from wangge.regions import selectors, spatial
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

router = Router(tags=["regions"])
OUTSIDE = "该位置不在您可查看的任何网格内"


class RegionOut(Schema):
    code: str
    name: str
    level: RegionLevel
    kind: str
    parent: str | None
    centroid: list[float]
    point: list[float] | None
    bbox: list[float]
    area_km2: float

    @staticmethod
    def from_region(r: Region) -> dict[str, Any]:
        return {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "kind": r.kind,
            "parent": codes.parent_of(r.code),
            "centroid": [r.centroid_lng, r.centroid_lat],
            "point": [r.point_lng, r.point_lat] if r.point_lng is not None else None,
            "bbox": [r.min_lng, r.min_lat, r.max_lng, r.max_lat],
            "area_km2": round(r.area_km2, 4),
        }


class RegionDetailOut(RegionOut):
    geometry: dict[str, Any]
    children: dict[str, int]
    ancestors: list[dict[str, str]]


class RegionFilter(Schema):
    under: str | None = Field(None, description="Code of a node: only regions under it", pattern=r"^[0-9]{6,18}$")
    type: RegionLevel | None = Field(None, description="Level: district, street, community, grid, unit")


class LocateQuery(Schema):
    lat: float = Field(..., ge=-90, le=90, description="Latitude (WGS84)")
    lng: float = Field(..., ge=-180, le=180, description="Longitude (WGS84)")


class LocateOut(Schema):
    lat: float
    lng: float
    grid: RegionOut
    unit: RegionOut | None


@router.get("/regions", response=list[RegionOut], summary="Regions in the user's scope")
@paginate(LimitOffsetPagination)
def list_regions(request: HttpRequest, filters: Query[RegionFilter]) -> Any:
    if filters.under and not codes.is_valid(filters.under):
        raise ApiError(422, "invalid", "输入有误，请检查各字段", {"under": ["不是有效的层级编码"]})
    qs = selectors.regions_under(request.user, under=filters.under, level=filters.type)
    return [RegionOut.from_region(r) for r in qs.only(*selectors.LIST_FIELDS)]


@router.get("/regions/{code}", response=RegionDetailOut, summary="One region with its GeoJSON geometry")
def get_region(request: HttpRequest, code: str) -> dict[str, Any]:
    region = selectors.get_region_for_user(request.user, code)
    return {
        **RegionOut.from_region(region),
        "geometry": region.geometry,
        "children": selectors.child_counts(region),
        "ancestors": [{"code": a.code, "name": a.name, "level": a.level} for a in selectors.ancestors(region)],
    }


@router.get("/locate", response=LocateOut, summary="The grid and minimal unit holding a point")
def locate(request: HttpRequest, point: Query[LocateQuery]) -> dict[str, Any]:
    if not (math.isfinite(point.lat) and math.isfinite(point.lng)):
        raise ApiError(422, "invalid", "输入有误，请检查各字段", {"lat": ["必须是有限的数字"]})
    found = spatial.locate(point.lng, point.lat)
    wanted = [c for c in (found.grid_code, found.unit_code) if c]
    visible = {r.code: r for r in selectors.regions_visible_to(request.user).filter(code__in=wanted)}
    grid = visible.get(found.grid_code) if found.grid_code else None
    if grid is None:
        # Outside every grid and outside the user's scope answer alike,
        # never revealing whose grid a point is in.
        raise ApiError(404, "outside", OUTSIDE, {"lat": [OUTSIDE], "lng": [OUTSIDE]})
    unit = visible.get(found.unit_code) if found.unit_code else None
    return {
        "lat": point.lat,
        "lng": point.lng,
        "grid": RegionOut.from_region(grid),
        "unit": RegionOut.from_region(unit) if unit else None,
    }
