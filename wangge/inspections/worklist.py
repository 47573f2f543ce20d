"""Hazards due for re-inspection (复查) in the worker's grid, for the worker's to-do list."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wangge.fieldwork.worklist import WorkItem
from wangge.inspections import selectors

#: At most this many hazards on the list (the earliest deadlines).
LIMIT = 200


def work_items(user: Any, *, now: datetime) -> list[WorkItem]:
    """Open hazards where the user re-inspects: due at the end of the deadline day."""
    today = timezone.localdate(now)
    items = []
    for hazard in selectors.due_for_reinspection(user)[:LIMIT]:
        due = timezone.make_aware(datetime.combine(hazard.deadline, time(23, 59)))
        items.append(
            WorkItem(
                kind="inspection",
                title=gettext("Re-inspect: %(target)s") % {"target": hazard.target_name},
                url=reverse("inspections:hazard", args=[hazard.pk]),
                region_code=hazard.region_code,
                due_at=due,
                overdue=hazard.deadline < today,
                detail=hazard.description,
            )
        )
    return items
