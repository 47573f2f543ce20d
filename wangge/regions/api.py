import math
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wangge.accounts.scope import scope_for
from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.lib import codes
from wangge.regions import imports, selectors, spatial
from wangge.regions.actions import RegionImportError
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

router = Router(tags=["regions"])
OUTSIDE = gettext_lazy("This place is not in any grid you can see.")
INVALID = gettext_lazy("The input is invalid; please check the fields.")


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
    under: str | None = Field(
        None, description="Code of a node: only regions under it", pattern=r"^[0-9]{6,18}$"
    )
    type: RegionLevel | None = Field(
        None, description="Level: district, street, community, grid, unit"
    )


class LocateQuery(Schema):
    lat: float = Field(..., ge=-90, le=90, allow_inf_nan=False, description="Latitude (WGS84)")
    lng: float = Field(..., ge=-180, le=180, allow_inf_nan=False, description="Longitude (WGS84)")


class LocateOut(Schema):
    lat: float
    lng: float
    grid: RegionOut
    unit: RegionOut | None


@router.get("/regions", response=list[RegionOut], summary="Regions in the user's scope")
@paginate(Paged)
def list_regions(request: HttpRequest, filters: Query[RegionFilter]) -> Any:
    if filters.under and not codes.is_valid(filters.under):
        raise ApiError(422, "invalid", str(INVALID), {"under": [_("Not a valid area code.")]})
    qs = selectors.regions_under(request.user, under=filters.under, level=filters.type)
    return _RegionPages(qs.only(*selectors.LIST_FIELDS))


class _RegionPages:
    """A queryset that the paginator slices and counts; only the page is fetched and converted."""

    def __init__(self, qs: QuerySet[Region]) -> None:
        self.qs = qs

    def all(self) -> QuerySet[Region]:
        return self.qs

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [RegionOut.from_region(r) for r in self.qs[page]]


class ImportOut(Schema):
    created: int


class ImportRowError(Schema):
    row: int | None = Field(
        ...,
        description="CSV line number or GeoJSON feature number (from 1); null for the whole file",
    )
    code: str
    field: str
    message: str


class ImportErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]
    rows: list[ImportRowError]


#: Rows listed in one error answer; the message gives the total.
MAX_ERROR_ROWS = 1000


def _import_error(status: int, code: str, exc: RegionImportError) -> Status[dict[str, Any]]:
    total = len(exc.errors)
    counts = {"total": total, "shown": MAX_ERROR_ROWS}
    if status == 403 and total > MAX_ERROR_ROWS:
        message = (
            _(
                "You may not import under some nodes of the file; nothing was stored "
                "(%(total)d problems, only the first %(shown)d listed)."
            )
            % counts
        )
    elif status == 403:
        message = _("You may not import under some nodes of the file; nothing was stored.")
    elif total > MAX_ERROR_ROWS:
        message = (
            _(
                "The file has errors; nothing was stored "
                "(%(total)d problems, only the first %(shown)d listed)."
            )
            % counts
        )
    else:
        message = _("The file has errors; nothing was stored.")
    rows = [
        {"row": e.row, "code": e.code, "field": e.field, "message": e.message}
        for e in exc.errors[:MAX_ERROR_ROWS]
    ]
    return Status(status, {"code": code, "message": message, "fields": {}, "rows": rows})


# Declared before "/regions/{code}", whose pattern would otherwise take "/regions/import".
@router.post(
    "/regions/import",
    response={200: ImportOut, 403: ImportErrorOut, 413: ImportErrorOut, 422: ImportErrorOut},
    summary="Import regions from a GeoJSON or CSV file (all or nothing)",
    description=(
        "multipart/form-data with `file` (GeoJSON FeatureCollection or UTF-8 CSV with the columns "
        "code,name,kind,geometry,lng,lat; geometry as GeoJSON or WKT) and optional `format` "
        f"(auto, geojson, csv).  At most {imports.MAX_IMPORT_BYTES // 1024 // 1024} MB.  Needs the "
        "import permission at the parent node of every row.  Nothing is stored unless every row is "
        "valid; 422 lists every problem by row."
    ),
)
def import_regions(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[str] = "auto",
) -> Any:
    if not scope_for(request.user).can("regions.import_regions"):
        raise ApiError(403, "forbidden", _("You may not import regions."))
    if format not in imports.FORMATS:
        raise ApiError(
            422, "invalid", str(INVALID), {"format": [_("Must be auto, geojson or csv.")]}
        )
    # The size Django saw, then what is actually read: a client may misstate the first.
    for size in (file.size or 0, len(data := file.read(imports.MAX_IMPORT_BYTES + 1))):
        if size > imports.MAX_IMPORT_BYTES:
            message = imports.too_large_message(size)
            return Status(
                413,
                {
                    "code": "file_too_large",
                    "message": message,
                    "fields": {"file": [message]},
                    "rows": [],
                },
            )
    try:
        created = imports.import_file(
            data, actor=request.user, fmt=format, filename=file.name or ""
        )
    except imports.ImportPermissionError as exc:
        return _import_error(403, "forbidden", exc)
    except RegionImportError as exc:
        return _import_error(422, "invalid_import", exc)
    return {"created": len(created)}


@router.get(
    "/regions/{code}", response=RegionDetailOut, summary="One region with its GeoJSON geometry"
)
def get_region(request: HttpRequest, code: str) -> dict[str, Any]:
    region = selectors.get_region_for_user(request.user, code)
    return {
        **RegionOut.from_region(region),
        "geometry": region.geometry,
        "children": selectors.child_counts(region),
        "ancestors": [
            {"code": a.code, "name": a.name, "level": a.level} for a in selectors.ancestors(region)
        ],
    }


@router.get("/locate", response=LocateOut, summary="The grid and minimal unit holding a point")
def locate(request: HttpRequest, point: Query[LocateQuery]) -> dict[str, Any]:
    if not (math.isfinite(point.lat) and math.isfinite(point.lng)):
        raise ApiError(422, "invalid", str(INVALID), {"lat": [_("Must be a finite number.")]})
    found = spatial.locate(point.lng, point.lat)
    wanted = [c for c in (found.grid_code, found.unit_code) if c]
    visible = {
        r.code: r
        for r in selectors.regions_visible_to(request.user)
        .filter(code__in=wanted)
        .only(*selectors.LIST_FIELDS)
    }
    grid = visible.get(found.grid_code) if found.grid_code else None
    unit = visible.get(found.unit_code) if found.unit_code else None
    if grid is None and unit is not None and found.grid_code:
        # A part-time worker sees their unit; its grid is their own ancestor.
        grid = Region.objects.only(*selectors.LIST_FIELDS).get(code=found.grid_code)
    if grid is None:
        # Outside every grid and outside the user's scope answer alike,
        # never revealing whose grid a point is in.
        outside = str(OUTSIDE)
        raise ApiError(404, "outside", outside, {"lat": [outside], "lng": [outside]})
    return {
        "lat": point.lat,
        "lng": point.lng,
        "grid": RegionOut.from_region(grid),
        "unit": RegionOut.from_region(unit) if unit else None,
    }
