"""The worker's open emergency tasks for the to-do list (``wangge.fieldwork.worklist``).

Open means: in an emergency still active, without a final outcome yet.  Only
tasks the user may record outcomes for, under the grids and units they work in
themselves (grid workers, part-time workers): a community's or a street's
thousands of tasks belong on the emergency pages, not in a to-do list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from wangge.accounts.scope import scope_for
from wangge.emergency.choices import EmergencyStatus
from wangge.emergency.models import Task
from wangge.emergency.selectors import RECORD
from wangge.fieldwork.worklist import WorkItem
from wangge.lib import codes

#: At most this many items (the list page shows the rest).
LIMIT = 200


def _field_roots(user: Any) -> list[str]:
    scope = scope_for(user)
    return [
        root
        for root in scope.roots_with(RECORD)
        if codes.is_valid(root) and codes.level_of(root) >= codes.Level.GRID
    ]


def work_items(user: Any, *, now: datetime) -> list[WorkItem]:
    roots = _field_roots(user)
    if not roots:
        return []
    qs = (
        scope_for(user)
        .filter_by_code(Task.objects.all(), "region_code", roots)
        .filter(emergency__status=EmergencyStatus.ACTIVE, covered=False)
        .select_related("emergency", "outcome")
        .order_by("emergency__started_at", "region_code", "target_kind", "label", "id")
    )
    base = reverse("emergency:tasks")
    items = []
    for t in qs[:LIMIT]:
        kind = t.get_target_kind_display()
        again = f" · {t.outcome.label}" if t.outcome is not None else ""
        items.append(
            WorkItem(
                kind="emergency",
                title=f"{t.emergency.get_kind_display()} · {kind}：{t.label}",
                url=f"{base}#task-{t.pk}",
                region_code=t.region_code,
                due_at=None,
                overdue=False,
                detail=" · ".join(p for p in (t.emergency.title, t.address) if p) + again,
            )
        )
    return items
