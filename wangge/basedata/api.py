"""The base-data checklist under /api/v1/basedata."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.basedata import measures, selectors
from wangge.basedata.choices import ItemCategory
from wangge.basedata.models import ChecklistItem
from wangge.basedata.schemas import ErrorOut
from wangge.lib import codes
from wangge.regions.models import Region

router = Router(tags=["basedata"])


class ItemOut(Schema):
    number: int
    category: ItemCategory
    category_label: str
    name: str
    description: str
    measurable: bool = Field(..., description="Whether an installed registry counts this item")

    @staticmethod
    def from_item(item: ChecklistItem, measurable: bool) -> dict[str, Any]:
        return {
            "number": item.number,
            "category": item.category,
            "category_label": item.get_category_display(),
            "name": item.name,
            "description": item.description,
            "measurable": measurable,
        }


class ItemResultOut(ItemOut):
    count: int | None = Field(..., description="Records in the grid; null if not measurable")
    stale: int | None = Field(
        ..., description="Of those, not verified within the stale period; null if not tracked"
    )
    filled: bool


class CategorySummary(Schema):
    total: int
    measurable: int
    filled: int


class ChecklistOut(Schema):
    grid_code: str
    grid_name: str
    total: int = Field(..., description="Items on the checklist")
    measurable: int = Field(..., description="Items some installed registry counts")
    filled: int = Field(..., description="Measurable items with at least one record")
    completeness: float | None = Field(..., description="filled / measurable, in percent")
    stale_records: int
    stale_days: int = Field(..., description="WANGGE_BASEDATA_STALE_DAYS")
    computed_at: datetime
    by_category: dict[str, CategorySummary]
    items: list[ItemResultOut]


class GridSummaryOut(Schema):
    grid_code: str
    grid_name: str
    measurable: int
    filled: int
    completeness: float | None
    stale_records: int


class ChecklistQuery(Schema):
    grid: str = Field(..., pattern=r"^[0-9]{15}$", description="Grid code")


class GridsQuery(Schema):
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="Only grids under this node"
    )


def _summary(c: selectors.GridChecklist) -> dict[str, Any]:
    return {
        "grid_code": c.grid_code,
        "grid_name": c.grid_name,
        "measurable": c.measurable,
        "filled": c.filled,
        "completeness": c.completeness,
        "stale_records": c.stale_records,
    }


@router.get(
    "/basedata/items",
    response=list[ItemOut],
    summary="The base-information checklist (人、地、事、物、组织)",
)
def list_items(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        ItemOut.from_item(item, measures.parse(item.measure) is not None)
        for item in selectors.active_items()
    ]


@router.get(
    "/basedata/checklist",
    response={200: ChecklistOut, 404: ErrorOut},
    summary="A grid's checklist: filled items, completeness, stale records",
    description=(
        "Counts every measurable item's records in the grid. Only for users who work in "
        "the grid or above it; anyone else gets 404, as for a grid that does not exist."
    ),
)
def grid_checklist(request: HttpRequest, query: Query[ChecklistQuery]) -> dict[str, Any]:
    c = selectors.grid_checklist(request.user, query.grid)
    return {
        **_summary(c),
        "total": c.total,
        "stale_days": c.stale_days,
        "computed_at": c.computed_at,
        "by_category": c.by_category,
        "items": [
            {
                **ItemOut.from_item(r.item, r.measurable),
                "count": r.count,
                "stale": r.stale,
                "filled": r.filled,
            }
            for r in c.items
        ],
    }


class _GridPages:
    """Grids the paginator slices; checklists are computed for the page only."""

    def __init__(self, qs: QuerySet[Region]) -> None:
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        grids = list(self.qs.values_list("code", "name")[window])
        return [_summary(c) for c in selectors.checklists_for(grids)]


@router.get(
    "/basedata/grids",
    response=list[GridSummaryOut],
    summary="Checklist completeness of every grid in the user's scope",
)
@paginate(Paged)
def list_grids(request: HttpRequest, query: Query[GridsQuery]) -> Any:
    if query.under and not codes.is_valid(query.under):
        raise ApiError(
            422,
            "invalid",
            _("The input is invalid; please check the fields."),
            {"under": [_("Not a valid area code.")]},
        )
    return _GridPages(selectors.grids_for_checklist(request.user, under=query.under))
