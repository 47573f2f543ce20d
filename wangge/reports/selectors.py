"""Reads of reports and schedules, through the user's dashboard scope.

A report (or schedule) belongs to its node: a user sees those of the nodes whose
dashboards they open (``dashboards.view_dashboard`` there or above), administrators
all.  Anything else answers like something that does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from wangge.accounts.scope import prefix_q
from wangge.dashboards.selectors import dashboard_roots
from wangge.regions.choices import LEVEL_ORDER
from wangge.regions.models import Region
from wangge.reports.models import Report, ReportSchedule

#: The node choices of the request form go down to communities, at most this many.
MAX_NODE_CHOICES = 500


def reports_visible_to(user: Any) -> QuerySet[Report]:
    roots = dashboard_roots(user)
    if roots is None:
        return Report.objects.all()
    if not roots:
        return Report.objects.none()
    return Report.objects.filter(prefix_q("node", roots))


def get_report_for_user(user: Any, pk: Any) -> Report:
    try:
        return reports_visible_to(user).get(pk=int(pk))
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("no such report") from None


def recent_reports(user: Any, *, node: str | None = None, limit: int = 50) -> list[Report]:
    qs = reports_visible_to(user).select_related("requested_by", "schedule")
    if node:
        qs = qs.filter(prefix_q("node", [node]))
    return list(qs[:limit])


def schedules_visible_to(user: Any) -> QuerySet[ReportSchedule]:
    roots = dashboard_roots(user)
    if roots is None:
        return ReportSchedule.objects.all()
    if not roots:
        return ReportSchedule.objects.none()
    return ReportSchedule.objects.filter(prefix_q("node", roots))


def get_schedule_for_user(user: Any, pk: Any) -> ReportSchedule:
    try:
        return schedules_visible_to(user).get(pk=int(pk))
    except (ReportSchedule.DoesNotExist, ValueError, TypeError):
        raise Http404("no such schedule") from None


def node_options(user: Any, current: str = "") -> list[tuple[str, str]]:
    """``node_choices`` as a select shows them: names indented by depth under the user's
    top node.  ``current`` (a grid from a dashboard's link, say) is kept as an option when
    it is not among them — whether the user may ask for it is the action's check."""
    choices = node_choices(user)
    if not choices:
        return [(current, current)] if current else []
    top = min(len(code) for code, _name in choices)
    options = [(code, "\u3000" * ((len(code) - top) // 3) + name) for code, name in choices]
    if current and current not in {code for code, _name in choices}:
        roots = dashboard_roots(user)
        name = None
        if roots is None or any(current.startswith(root) for root in roots):
            name = Region.objects.filter(code=current).values_list("name", flat=True).first()
        options.insert(0, (current, name or current))  # out of scope: the code as typed
    return options


def node_choices(user: Any) -> list[tuple[str, str]]:
    """(code, name) of the nodes a report may be asked for: the user's nodes and what lies
    below them down to communities (administrators: from the districts), by code.
    Grids may be typed in."""
    roots = dashboard_roots(user)
    levels = [str(level) for level in LEVEL_ORDER[:3]]
    qs = Region.objects.filter(level__in=levels)
    if roots is not None:
        if not roots:
            return []
        qs = Region.objects.filter(
            (Q(level__in=levels) & prefix_q("code", roots)) | Q(code__in=roots)
        )
    return list(qs.order_by("code").values_list("code", "name")[:MAX_NODE_CHOICES])
