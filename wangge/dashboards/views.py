"""The dashboard pages: a node's figures for a period, the events behind a number, the
base-data panel and the command centre's big screen (指挥大屏).

Views parse the query string, find the node through ``wangge.dashboards.selectors``
(403 without dashboards, 404 for a node out of scope) and read the aggregates.
Every number links to the list of the events it counts.  Without JavaScript the
tables carry every number; ECharts draws the charts when it can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from wangge.dashboards import forms, selectors
from wangge.dashboards.figures import DIMENSION_LABELS, FIGURE_LABELS
from wangge.dashboards.periods import BUCKETS, PERIODS, Period, default_bucket
from wangge.dashboards.queries import Data, child_length, dashboard_data
from wangge.dashboards.selectors import Node, Row
from wangge.events.selectors import grid_names

PAGE_SIZE = 20
#: The big screen fetches its figures again this often.
SCREEN_REFRESH_SECONDS = 30


def _today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _query(**values: Any) -> str:
    return urlencode({k: v for k, v in values.items() if v is not None})


def dashboard_url(node: str, span: Period | None = None, **extra: Any) -> str:
    """The dashboard of ``node`` for the period ``span`` (or ``period=…`` in ``extra``)."""
    values: dict[str, Any] = {"under": node or None}
    if span is not None:
        values["period"] = span.key
        if span.key == "custom":
            values["since"], values["until"] = span.start.isoformat(), span.end.isoformat()
    values.update(extra)
    query = _query(**values)
    return reverse("dashboards:index") + (f"?{query}" if query else "")


def events_url(node: Node, period: Period, figure: str = "reported", **filters: str) -> str:
    """The list of the events a number counts (explicit days: the list stays that number's)."""
    values: dict[str, Any] = {
        "under": node.code or None,
        "since": period.start.isoformat(),
        "until": period.end.isoformat(),
        "figure": figure,
        **filters,
    }
    return f"{reverse('dashboards:events')}?{_query(**values)}"


# --- formatting -------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def one_decimal(value: float) -> str:
    """``value`` rounded to one decimal, in the language's format (``number_format`` alone
    cuts the other decimals off: 82.86 would read 82.8 where the big screen and the
    reports say 82.9)."""
    return formats.number_format(round(value, 1), 1)


def hours(value: float | None) -> str:
    return "—" if value is None else _("%(n)s h") % {"n": one_decimal(value)}


@dataclass
class Cell:
    text: str
    url: str | None = None
    numeric: bool = True


@dataclass
class Card:
    label: Promise
    value: str
    url: str
    detail: str = ""
    tone: str = ""


#: (figure, label, kind, the count it links to, numerator, denominator)
CARDS: tuple[tuple[str, Promise, str, str, str, str], ...] = (
    ("reported", gettext_lazy("Reported events"), "count", "reported", "", ""),
    ("registered", gettext_lazy("Registered events"), "count", "registered", "", ""),
    ("handled", gettext_lazy("Handled events"), "count", "handled", "", ""),
    ("handling_rate", gettext_lazy("Handling rate"), "rate", "handled", "handled", "registered"),
    (
        "on_time_rate",
        gettext_lazy("On-time rate"),
        "rate",
        "handled_on_time",
        "handled_on_time",
        "handled",
    ),
    ("closure_rate", gettext_lazy("Closure rate"), "rate", "closed", "closed", "registered"),
    ("overdue", gettext_lazy("Overdue events"), "count", "overdue", "", ""),
    ("rework_rate", gettext_lazy("Rework rate"), "rate", "reworked", "reworked", "handled"),
    (
        "self_handled_rate",
        gettext_lazy("Rate handled on the spot"),
        "rate",
        "self_handled",
        "self_handled",
        "reported",
    ),
    (
        "dept_response_rate",
        gettext_lazy("Department response rate"),
        "rate",
        "responded",
        "responded",
        "dispatched",
    ),
    (
        "satisfaction_rate",
        gettext_lazy("Satisfaction rate"),
        "rate",
        "satisfied",
        "satisfied",
        "visited",
    ),
    ("score", gettext_lazy("Three-rate score"), "score", "return_visits", "", ""),
    ("avg_accept_hours", gettext_lazy("Mean time to accept"), "hours", "accept_n", "", ""),
    ("avg_handle_hours", gettext_lazy("Mean time to handle"), "hours", "handle_n", "", ""),
)


def cards(data: Data, node: Node, figures: dict[str, Any]) -> list[Card]:
    totals = data.totals
    result = []
    for name, label, kind, link, part, whole in CARDS:
        detail = ""
        if kind == "count":
            value = formats.number_format(figures[name], force_grouping=True)
        elif kind == "rate":
            value = percent(figures[name])
            detail = f"{totals[part]:,} / {totals[whole]:,}"
        elif kind == "score":
            score = figures["three_rates"]["score"]
            value = "—" if score is None else one_decimal(score)
            detail = _("%(n)s return visits") % {"n": f"{figures['return_visits']:,}"}
        else:
            value = hours(figures[name])
            detail = _("%(n)s events") % {"n": f"{totals[link]:,}"}
        tone = "danger" if name == "overdue" and figures[name] else ""
        result.append(Card(label, value, events_url(node, data.period, link), detail, tone))
    return result


def _count(row: Row, node: Node, period: Period, figure: str, **filters: str) -> Cell:
    return Cell(
        f"{row.counters[figure]:,}",
        events_url(node, period, figure, **filters) if row.counters[figure] else None,
    )


def breakdown_table(data: Data, node: Node, dim: str, limit: int | None = None) -> dict[str, Any]:
    rows = selectors.breakdown_rows(data, dim, node)[:limit]
    period = data.period
    return {
        "dim": dim,
        "title": DIMENSION_LABELS[dim],
        "head": [
            _("Reported events"),
            _("Registered events"),
            _("Handled events"),
            _("Handling rate"),
            _("Overdue events"),
        ],
        "rows": [
            {
                "label": r.label,
                "url": None,
                "cells": [
                    _count(r, node, period, "reported", **{dim: r.key}),
                    _count(r, node, period, "registered", **{dim: r.key}),
                    _count(r, node, period, "handled", **{dim: r.key}),
                    Cell(percent(r.figures["handling_rate"])),
                    _count(r, node, period, "overdue", **{dim: r.key}),
                ],
            }
            for r in rows
        ],
    }


def department_table(data: Data, node: Node, order: str) -> dict[str, Any]:
    period = data.period
    rows = selectors.department_rows(data, node, order=order)
    return {
        "dim": "department",
        "title": _("Departments"),
        "empty": _("No event of this period went to a department."),
        "head": [
            _("Dispatched events"),
            _("Accepted in time"),
            _("Response rate"),
            _("Handled events"),
            _("On-time rate"),
            _("Overdue events"),
        ],
        "rows": [
            {
                "label": r.label,
                "url": None,
                "cells": [
                    _count(r, node, period, "dispatched", department=r.key),
                    _count(r, node, period, "responded", department=r.key),
                    Cell(percent(r.figures["dept_response_rate"])),
                    _count(r, node, period, "handled", department=r.key),
                    Cell(percent(r.figures["on_time_rate"])),
                    _count(r, node, period, "overdue", department=r.key),
                ],
            }
            for r in rows
        ],
    }


def ranking_table(data: Data, node: Node, order: str, urls: dict[str, str]) -> dict[str, Any]:
    period = data.period
    rows = selectors.child_rows(data, node, order=order)
    result = []
    for rank, r in enumerate(rows, start=1):
        child = Node(r.key, r.label, "")
        result.append(
            {
                "rank": rank,
                "label": r.label,
                "url": dashboard_url(r.key, period),
                "cells": [
                    _count(r, child, period, "reported"),
                    _count(r, child, period, "registered"),
                    _count(r, child, period, "handled"),
                    Cell(percent(r.figures["handling_rate"])),
                    Cell(percent(r.figures["on_time_rate"])),
                    _count(r, child, period, "overdue"),
                ],
            }
        )
    head = [
        ("reported", _("Reported events")),
        ("", _("Registered events")),
        ("", _("Handled events")),
        ("handling_rate", _("Handling rate")),
        ("on_time_rate", _("On-time rate")),
        ("overdue", _("Overdue events")),
    ]
    return {
        "head": [(label, urls.get(key), key == order) for key, label in head],
        "rows": result,
    }


def chart_data(data: Data, node: Node, points: list[selectors.Point]) -> dict[str, Any]:
    period = data.period

    def pie(dim: str) -> list[dict[str, Any]]:
        return [
            {
                "name": r.label,
                "value": r.counters["reported"],
                "url": events_url(node, period, "reported", **{dim: r.key}),
            }
            for r in selectors.breakdown_rows(data, dim, node)
        ]

    return {
        "trend": {
            "labels": [p.bucket.label for p in points],
            "series": {
                name: [p.counters[name] for p in points]
                for name in ("reported", "handled", "closed", "overdue")
            },
            "names": {
                name: str(FIGURE_LABELS[name])
                for name in ("reported", "handled", "closed", "overdue")
            },
            "urls": [
                events_url(node, Period("custom", p.bucket.start, p.bucket.end)) for p in points
            ],
        },
        "category": pie("category"),
        "source": pie("source"),
        "state": pie("state"),
    }


# --- pages -------------------------------------------------------------------------------


def _node_or_deny(request: HttpRequest, under: str | None) -> Node:
    if not selectors.can_use_dashboards(request.user):
        raise PermissionDenied
    return selectors.get_node_for_user(request.user, under)


#: The columns of the trend as a table: each count links to its events.
TREND_COLUMNS = ("reported", "handled", "closed", "overdue")


def trend_cells(node: Node, point: selectors.Point) -> list[Cell]:
    days = Period("custom", point.bucket.start, point.bucket.end)
    return [
        Cell(
            f"{point.counters[name]:,}",
            events_url(node, days, name) if point.counters[name] else None,
        )
        for name in TREND_COLUMNS
    ]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard of a node for a period."""
    form = forms.DashboardForm(request.GET)
    selection = form.selection(today=_today())
    node = _node_or_deny(request, selection.under)
    period = selection.period
    bucket = selection.bucket or default_bucket(period)
    data = dashboard_data(node.code, period)
    figures = selectors.figures_of(data)
    points = selectors.trend(data, bucket)
    order_urls = {
        key: dashboard_url(node.code, period, bucket=selection.bucket, order=key)
        for key in selectors.ORDERS
    }
    context = {
        "node": node,
        "level_label": selectors.level_label(node.level),
        "period": period,
        "selection": selection,
        "form": form,
        "breadcrumb": [
            (n, dashboard_url(n.code, period)) for n in selectors.breadcrumb(request.user, node)
        ],
        "roots": [
            (n, dashboard_url(n.code, period))
            for n in selectors.node_choices(request.user)
            if n.code != node.code
        ],
        "periods": [
            (key, label, dashboard_url(node.code, None, period=key), key == period.key)
            for key, label in PERIODS.items()
            if key != "custom"
        ],
        "buckets": [
            (key, label, dashboard_url(node.code, period, bucket=key), key == bucket)
            for key, label in BUCKETS.items()
        ],
        "cards": cards(data, node, figures),
        "points": [(p, trend_cells(node, p)) for p in points],
        "tables": [
            breakdown_table(data, node, "category"),
            breakdown_table(data, node, "subcategory", limit=10),
            breakdown_table(data, node, "source"),
            breakdown_table(data, node, "state"),
            breakdown_table(data, node, "level"),
        ],
        "departments": department_table(data, node, selection.order),
        "ranking": ranking_table(data, node, selection.order, order_urls),
        "charts": chart_data(data, node, points),
        "basedata_url": reverse("dashboards:basedata") + "?" + _query(under=node.code or None),
        "screen_url": reverse("dashboards:screen") + "?" + _query(under=node.code or None),
        "all_events_url": events_url(node, period),
    }
    return render(request, "dashboards/index.html", context)


@dataclass
class ListRow:
    """What ``events/_row.html`` expects of a row."""

    event: Any
    grid_name: str
    selectable: bool = False
    can_accept: bool = False
    can_send_back: bool = False


@login_required
@require_GET
def events(request: HttpRequest) -> HttpResponse:
    """The events a dashboard number counts."""
    form = forms.EventsForm(request.GET)
    selection = form.selection(today=_today())
    node = _node_or_deny(request, selection.under)
    figure, filters = form.figure_and_filters()
    qs = selectors.events_behind(
        request.user, node, selection.period, figure=figure, filters=filters
    )
    qs = qs.select_related("category__parent", "current_department").order_by("-reported_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    names = grid_names(e.grid_code for e in items)
    chips = []
    for dim, value in filters.items():
        labels = selectors.labels_for(dim, node)
        chips.append((DIMENSION_LABELS[dim], labels.get(value, value) if value else _("None")))
    context = {
        "node": node,
        "period": selection.period,
        "figure_label": FIGURE_LABELS.get(figure, figure),
        "chips": chips,
        "page": page,
        "rows": [ListRow(e, names.get(e.grid_code, e.grid_code)) for e in items],
        "back": dashboard_url(node.code, selection.period),
        "errors": selection.errors,
    }
    if _is_htmx(request):
        return render(request, "dashboards/events.html#event-list", context)
    return render(request, "dashboards/events.html", context)


@login_required
@require_GET
def basedata(request: HttpRequest) -> HttpResponse:
    """Base-data completeness of the node's grids (loaded into the dashboard by htmx)."""
    form = forms.DashboardForm(request.GET)
    node = _node_or_deny(request, form.selection(today=_today()).under)
    c = selectors.basedata_completeness(request.user, node)
    from wangge.basedata.choices import ItemCategory

    labels = {value: str(label) for value, label in ItemCategory.choices}
    context = {
        "node": node,
        "c": c,
        "mean": None if c.mean is None else f"{c.mean:.1f}%",
        "categories": [
            (labels.get(k, k), selectors.category_fill_rate(v), v) for k, v in c.by_category.items()
        ],
        "children": [
            (code, name, n, "—" if mean is None else f"{mean:.1f}%", dashboard_url(code))
            for code, name, n, mean in c.children
        ],
        "lowest": [
            (
                code,
                name,
                "—" if value is None else f"{value:.1f}%",
                reverse("web:grid", args=[code]),
            )
            for code, name, value in c.lowest
        ],
        "dashboard": dashboard_url(node.code),
    }
    if _is_htmx(request):
        return render(request, "dashboards/_basedata.html", context)
    return render(request, "dashboards/basedata.html", context)


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    """The full-screen wall display of the command centre; refreshes itself every 30 s."""
    form = forms.DashboardForm(request.GET)
    node = _node_or_deny(request, form.selection(today=_today()).under)
    api = reverse("api-v1:openapi-json").rsplit("/", 1)[0]
    labels = {
        "reported": _("Reported events"),
        "registered": _("Registered events"),
        "handled": _("Handled events"),
        "closed": _("Closed events"),
        "overdue": _("Overdue events"),
        "handling_rate": _("Handling rate"),
        "on_time_rate": _("On-time rate"),
        "dept_response_rate": _("Department response rate"),
        "satisfaction_rate": _("Satisfaction rate"),
        "score": _("Three-rate score"),
        "trend": _("Events over the last 30 days"),
        "category": _("By category (30 days)"),
        "ranking": _("Ranking (30 days)"),
        "departments": _("Departments (30 days)"),
        "updated": _("Updated"),
        "failed": _("Could not refresh; retrying"),
    }
    context = {
        "node": node,
        "dashboard": dashboard_url(node.code),
        "labels": labels,
        "config": {
            "api": api,
            "under": node.code,
            "refresh": SCREEN_REFRESH_SECONDS,
            "labels": labels,
            "ranking": child_length(node.code) is not None,
        },
    }
    return render(request, "dashboards/screen.html", context)
