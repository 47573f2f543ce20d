"""Care visits on the grid worker's to-do list: the open visit tasks where they record visits.

Overdue tasks (due day passed) come first, then by due day; one query (the tasks
with their person and group), capped at ``LIMIT`` items.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.scope import scope_for
from wangge.care.choices import TaskKind, TaskStatus
from wangge.care.models import VisitTask
from wangge.care.selectors import RECORD
from wangge.fieldwork.worklist import WorkItem

LIMIT = 200


def work_items(user: Any, *, now: datetime) -> list[WorkItem]:
    scope = scope_for(user)
    if scope.user_id is None:
        return []
    qs = VisitTask.objects.filter(status=TaskStatus.OPEN)
    qs = scope.filter_by_code(qs, "region_code", scope.roots_with(RECORD))
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    items = []
    for task in (
        qs.select_related("person", "tag")
        .only(
            "id",
            "region_code",
            "due_on",
            "kind",
            "person__id",
            "person__name",
            "person__residence_address",
            "tag__name",
        )
        .order_by("due_on", "region_code", "id")[:LIMIT]
    ):
        person = task.person
        if task.kind == TaskKind.FOLLOW_UP:
            title = _("Visit %(name)s again (not home last time)") % {"name": person.name}
        else:
            title = _("Visit %(name)s") % {"name": person.name}
        detail = " · ".join(
            p for p in (task.tag.name if task.tag else "", person.residence_address) if p
        )
        items.append(
            WorkItem(
                kind="care",
                title=title,
                url=reverse("care:person", args=[person.pk]),
                region_code=task.region_code,
                # Due by the end of the due day.
                due_at=datetime.combine(task.due_on, time.max, tzinfo=tz),
                overdue=task.due_on < today,
                detail=detail,
            )
        )
    return items
