"""The dashboards' numbers computed straight from ``events_event`` with plain ``GROUP BY``s.

The same ``queries.Data`` as the aggregates give, from the same definitions
(``figures.contribution_expressions``): the benchmark's baseline and a check
of the aggregates (``wangge bench dashboard`` compares both on every sample).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr, TruncDate

from wangge.accounts.scope import prefix_q
from wangge.dashboards.aggregates import day_start, local_tz
from wangge.dashboards.figures import DIMENSIONS, contribution_expressions
from wangge.dashboards.periods import Period
from wangge.dashboards.queries import Data, child_length, grouped
from wangge.events.models import Event

#: The breakdowns as expressions over events.
ITEMS: dict[str, Any] = {
    "category": Coalesce(F("category__parent__code"), Value("")),
    "subcategory": F("category__code"),
    "source": F("source"),
    "department": Coalesce(F("current_department__code"), Value("")),
    "state": F("state"),
    "level": F("level"),
}


def events_of(node: str, period: Period) -> QuerySet[Event]:
    """The events under ``node`` ("" for all) reported in ``period``."""
    qs = Event.objects.filter(
        reported_at__gte=day_start(period.start),
        reported_at__lt=day_start(period.end + timedelta(days=1)),
    )
    if node:
        if len(node) == 6:
            qs = qs.filter(district_code=node)  # the (district_code, reported_at) index
        else:
            qs = qs.filter(prefix_q("region_code", [node]))
    return qs


def _sums() -> dict[str, Any]:
    return {f"s_{name}": Sum(expr) for name, expr in contribution_expressions().items()}


def raw_data(
    node: str, period: Period, *, dims: Iterable[str] = DIMENSIONS, children: bool = True
) -> Data:
    sums = _sums()
    qs = events_of(node, period)
    data = Data(node, period)
    data.days = grouped(qs.annotate(day=TruncDate("reported_at", tzinfo=local_tz())), "day", sums)
    data.breakdowns = {
        dim: grouped(qs.annotate(item=ITEMS[dim]), "item", sums)
        for dim in dims
        if dim in DIMENSIONS
    }
    length = child_length(node)
    if children and length is not None:
        data.children = grouped(qs.annotate(child=Substr("region_code", 1, length)), "child", sums)
    return data
