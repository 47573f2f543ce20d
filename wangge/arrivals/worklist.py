"""Arrival follow-ups on the grid worker's to-do list (``wangge.fieldwork.worklist``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.arrivals import selectors
from wangge.fieldwork.worklist import WorkItem


def work_items(user: Any, *, now: datetime) -> list[WorkItem]:
    """Open follow-ups of the grids where the user follows reports up (one query)."""
    items = []
    for follow_up in selectors.open_follow_ups_for_worker(user):
        report = follow_up.report
        arrival = timezone.localtime(report.arrival_at).strftime("%m-%d %H:%M")
        detail = _("%(address)s · arrives %(arrival)s · from %(origin)s") % {
            "address": report.address,
            "arrival": arrival,
            "origin": report.origin,
        }
        if report.is_late:
            detail = f"{detail} · {_('reported late')}"
        items.append(
            WorkItem(
                kind="arrival",
                title=_("Arrival follow-up: %(name)s") % {"name": report.name},
                url=reverse("arrivals:report-detail", args=[report.pk]),
                region_code=follow_up.region_code,
                due_at=follow_up.due_at,
                overdue=follow_up.is_overdue(now),
                detail=detail,
            )
        )
    return items
