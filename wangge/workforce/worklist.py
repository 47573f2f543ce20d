"""The "553" checklist on the grid worker's to-do list: one line per grid while this month's
checklist has unticked items, due at the end of the month (two queries)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from wangge.fieldwork.worklist import WorkItem
from wangge.workforce import months, selectors
from wangge.workforce.models import MethodItem, MethodTick


def work_items(user: Any, *, now: datetime) -> list[WorkItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    grids = selectors.worker_grids(user)
    if not grids:
        return []
    month = months.this_month(now)
    total = MethodItem.objects.filter(is_active=True).count()
    done = Counter(
        MethodTick.objects.filter(
            worker_id=user.pk, month=month, item__is_active=True, region_code__in=grids
        ).values_list("region_code", flat=True)
    )
    _start, end = months.bounds(month)
    items = []
    for grid in grids:
        left = total - done.get(grid, 0)
        if left <= 0:
            continue
        items.append(
            WorkItem(
                kind="workforce",
                title=_("553 checklist: %(n)s items left this month") % {"n": left},
                url=reverse("workforce:me"),
                region_code=grid,
                due_at=end - timedelta(seconds=1),
                overdue=False,
            )
        )
    return items
