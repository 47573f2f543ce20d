"""The dashboards under /api/v1/dashboards: the same figures as the pages, as JSON.

Every operation takes the node (``under``; default: the user's first) and the
period (``period``, or ``since``/``until`` for a custom one).  A node outside the
user's dashboards answers 404 like one that does not exist; users who hold
``dashboards.view_dashboard`` nowhere get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from wangge.api.errors import ApiError
from wangge.basedata.schemas import ErrorOut
from wangge.dashboards import selectors
from wangge.dashboards.figures import derive
from wangge.dashboards.periods import Period, PeriodError, default_bucket, resolve_period
from wangge.dashboards.queries import dashboard_data, figures_data

router = Router(tags=["dashboards"])
INVALID = gettext_lazy("Invalid input: please check the fields.")
FORBIDDEN = gettext_lazy("You may not see the dashboards.")
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

PeriodKey = Literal["today", "7d", "30d", "month", "year", "custom"]


class DashboardQuery(Schema):
    under: str | None = Field(
        None,
        pattern=r"^[0-9]{6,18}$",
        description="The node (district … grid); by default the user's first node",
    )
    period: PeriodKey | None = Field(
        None, description="today, 7d, 30d (default), month, year, or custom with since/until"
    )
    since: date | None = Field(None, description="Custom period: first day (inclusive)")
    until: date | None = Field(None, description="Custom period: last day (inclusive)")


class TrendQuery(DashboardQuery):
    bucket: Literal["day", "week", "month"] | None = Field(
        None, description="Points per day, week or month (default by the period's length)"
    )


class RankingQuery(DashboardQuery):
    of: Literal["children", "departments"] = Field(
        "children", description="The node's children (streets, communities, grids) or departments"
    )
    order: Literal["reported", "handling_rate", "on_time_rate", "overdue", "code"] = "reported"


class NodeOut(Schema):
    code: str = Field(..., description='Hierarchy code; "" for the whole installation')
    name: str
    level: str


class PeriodOut(Schema):
    key: str
    start: date
    end: date
    days: int


class ThreeRatesOut(Schema):
    response_rate: float | None
    solve_rate: float | None
    satisfaction_rate: float | None
    score: float | None
    weights: dict[str, float]


class RowOut(Schema):
    key: str
    label: str
    reported: int
    registered: int
    handled: int
    handled_on_time: int
    closed: int
    reworked: int
    overdue: int
    self_handled: int
    dispatched: int
    responded: int
    handling_rate: float | None
    on_time_rate: float | None
    closure_rate: float | None
    rework_rate: float | None
    dept_response_rate: float | None
    satisfaction_rate: float | None
    avg_handle_hours: float | None


class FiguresOut(Schema):
    node: NodeOut
    period: PeriodOut
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


class SummaryOut(FiguresOut):
    by_state: dict[str, int]
    by_category: dict[str, int]
    by_source: dict[str, int]
    by_department: dict[str, int]
    breakdowns: dict[str, list[RowOut]] = Field(
        ..., description="category, subcategory, source, department, state, level → rows"
    )


class PointOut(Schema):
    start: date
    end: date
    label: str
    reported: int
    registered: int
    handled: int
    closed: int
    overdue: int
    handling_rate: float | None


class TrendOut(Schema):
    node: NodeOut
    period: PeriodOut
    bucket: str
    points: list[PointOut]


class RankingOut(Schema):
    node: NodeOut
    period: PeriodOut
    of: str
    order: str
    rows: list[RowOut]


class CompletenessChildOut(Schema):
    code: str
    name: str
    grids: int
    completeness: float | None


class CompletenessOut(Schema):
    node: NodeOut
    grids: int
    too_many: bool = Field(..., description="Too many grids to count here: open a smaller node")
    completeness: float | None = Field(..., description="Mean completeness of the grids, percent")
    complete_grids: int
    stale_records: int
    by_category: dict[str, float | None] = Field(
        ..., description="人/地/事/物/组织 → filled share of the measurable items, percent"
    )
    children: list[CompletenessChildOut]
    lowest: list[CompletenessChildOut]


# --- helpers ----------------------------------------------------------------------------


def _node(request: HttpRequest, code: str | None) -> selectors.Node:
    try:
        return selectors.get_node_for_user(request.user, code)
    except PermissionDenied:
        raise ApiError(403, "forbidden", FORBIDDEN) from None


def _guard[T](fn: Callable[[], T]) -> T:
    try:
        return fn()
    except PeriodError as exc:
        raise ApiError(422, "invalid", INVALID, {k: [v] for k, v in exc.fields.items()}) from None


def _period(query: DashboardQuery) -> Period:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    return _guard(lambda: resolve_period(query.period, query.since, query.until, today=today))


def _node_out(node: selectors.Node) -> dict[str, Any]:
    return {"code": node.code, "name": node.name, "level": node.level}


def _period_out(period: Period) -> dict[str, Any]:
    return {"key": period.key, "start": period.start, "end": period.end, "days": period.days}


def row_out(row: selectors.Row) -> dict[str, Any]:
    return {"key": row.key, "label": row.label, **row.figures}


# --- operations -------------------------------------------------------------------------


@router.get(
    "/dashboards/nodes",
    response={200: list[NodeOut], 403: ErrorOut},
    summary="The nodes whose dashboards the user opens (and everything below them)",
)
def nodes(request: HttpRequest) -> list[dict[str, Any]]:
    if not selectors.can_use_dashboards(request.user):
        raise ApiError(403, "forbidden", FORBIDDEN)
    return [_node_out(n) for n in selectors.node_choices(request.user)]


@router.get(
    "/dashboards/figures",
    response={200: FiguresOut, **ERRORS},
    summary="Figures of a node for a period",
    description=(
        "The figures of GET /dashboards/summary without the breakdowns: one sum over the "
        "node's daily aggregates, for counters that refresh often (the big screen)."
    ),
)
def figures(request: HttpRequest, query: Query[DashboardQuery]) -> dict[str, Any]:
    node = _node(request, query.under)
    period = _period(query)
    return {
        "node": _node_out(node),
        "period": _period_out(period),
        **derive(figures_data(node.code, period)),
    }


@router.get(
    "/dashboards/summary",
    response={200: SummaryOut, **ERRORS},
    summary="Figures of a node for a period, with breakdowns",
    description=(
        "The figures of GET /api/v1/stats/events (same names and definitions, see "
        "docs/metrics.md) for the events reported under the node in the period, from the "
        "incrementally maintained aggregates, and every breakdown with its rates."
    ),
)
def summary(request: HttpRequest, query: Query[DashboardQuery]) -> dict[str, Any]:
    node = _node(request, query.under)
    period = _period(query)
    data = dashboard_data(node.code, period, children=False)
    return {
        "node": _node_out(node),
        "period": _period_out(period),
        **selectors.figures_of(data),
        "breakdowns": {
            dim: [row_out(r) for r in selectors.breakdown_rows(data, dim, node)]
            for dim in data.breakdowns
        },
    }


@router.get(
    "/dashboards/trend",
    response={200: TrendOut, **ERRORS},
    summary="Figures of a node by day, week or month over a period",
)
def trend(request: HttpRequest, query: Query[TrendQuery]) -> dict[str, Any]:
    node = _node(request, query.under)
    period = _period(query)
    bucket = query.bucket or default_bucket(period)
    data = dashboard_data(node.code, period, dims=(), children=False)
    points = _guard(lambda: selectors.trend(data, bucket))
    return {
        "node": _node_out(node),
        "period": _period_out(period),
        "bucket": bucket,
        "points": [
            {
                "start": p.bucket.start,
                "end": p.bucket.end,
                "label": p.bucket.label,
                **{k: p.counters[k] for k in ("reported", "registered", "handled", "closed")},
                "overdue": p.counters["overdue"],
                "handling_rate": p.figures["handling_rate"],
            }
            for p in points
        ],
    }


@router.get(
    "/dashboards/ranking",
    response={200: RankingOut, **ERRORS},
    summary="Ranking of a node's children (streets, communities, grids) or departments",
)
def ranking(request: HttpRequest, query: Query[RankingQuery]) -> dict[str, Any]:
    node = _node(request, query.under)
    period = _period(query)
    if query.of == "departments":
        data = dashboard_data(node.code, period, dims=("department",), children=False)
        rows = selectors.department_rows(data, node, order=query.order)
    else:
        data = dashboard_data(node.code, period, dims=(), children=True)
        rows = selectors.child_rows(data, node, order=query.order)
    return {
        "node": _node_out(node),
        "period": _period_out(period),
        "of": query.of,
        "order": query.order,
        "rows": [row_out(r) for r in rows],
    }


class BasedataQuery(Schema):
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="The node; by default the user's first"
    )


@router.get(
    "/dashboards/basedata",
    response={200: CompletenessOut, **ERRORS},
    summary="Completeness of the base data (the 43-item checklist) of a node's grids",
)
def basedata(request: HttpRequest, query: Query[BasedataQuery]) -> dict[str, Any]:
    node = _node(request, query.under)
    c = selectors.basedata_completeness(request.user, node)
    return {
        "node": _node_out(node),
        "grids": c.grids,
        "too_many": c.too_many,
        "completeness": c.mean,
        "complete_grids": c.complete,
        "stale_records": c.stale_records,
        "by_category": {k: selectors.category_fill_rate(v) for k, v in c.by_category.items()},
        "children": [
            {"code": code, "name": name, "grids": n, "completeness": mean}
            for code, name, n, mean in c.children
        ],
        "lowest": [
            {"code": code, "name": name, "grids": 1, "completeness": value}
            for code, name, value in c.lowest
        ],
    }
