"""Reads of events, always through the user's scope, and who may do what to an event.

* node roles (grid worker, community, street, district…) see the events whose
  ``region_code`` lies in their subtree;
* department handlers see the events dispatched to their department (the
  current department, or a part of a summoned event);
* everybody sees what they reported themselves (residents see only that).

Out of scope is answered exactly like a missing event (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from wangge.accounts.choices import RoleScope
from wangge.accounts.scope import Scope, prefix_q, scope_for
from wangge.events.choices import TRANSITIONS, EventAction, HandlingLevel
from wangge.events.models import Category, Event, EventPart
from wangge.lib import codes


def events_visible_to(user: Any) -> QuerySet[Event]:
    scope = scope_for(user)
    qs = Event.objects.all()
    if scope.is_global:
        return qs
    if scope.user_id is None:
        return qs.none()
    q = Q(reporter_id=scope.user_id)
    if scope.node_roots:
        q |= prefix_q("region_code", scope.node_roots)
    department_ids = scope.department_ids
    if department_ids:
        q |= Q(current_department_id__in=department_ids)
        q |= Q(pk__in=EventPart.objects.filter(department_id__in=department_ids).values("event_id"))
    return qs.filter(q)


def get_event_for_user(user: Any, pk: int, *, write: bool = False) -> Event:
    """The event if the user may see it (and, with ``write``, act on it somehow); 404 otherwise."""
    try:
        event = (
            events_visible_to(user)
            .select_related("category__parent", "current_department", "reporter")
            .get(pk=pk)
        )
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404("no such event") from None
    if write and not available_actions(user, event, ignore_state=True):
        raise Http404("no such event")
    return event


def events_filtered(
    user: Any,
    *,
    state: str | None = None,
    category: str | None = None,
    source: str | None = None,
    under: str | None = None,
    overdue: bool | None = None,
    department: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Event]:
    qs = events_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    if category:
        # A top-level code takes in all of its sub-categories.
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    if source:
        qs = qs.filter(source=source)
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    if overdue is not None:
        qs = qs.filter(overdue=overdue)
    if department is not None:
        qs = qs.filter(
            Q(current_department_id=department)
            | Q(pk__in=EventPart.objects.filter(department_id=department).values("event_id"))
        )
    if since is not None:
        qs = qs.filter(reported_at__gte=since)
    if until is not None:
        qs = qs.filter(reported_at__lt=until)
    return qs


def active_categories() -> QuerySet[Category]:
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent")
        .order_by("sort_order", "code")
    )


# --- who may do what ----------------------------------------------------------


def _department_can(scope: Scope, perm: str, department_ids: Iterable[int | None]) -> bool:
    if scope.is_global:
        return True
    wanted = {d for d in department_ids if d is not None}
    return any(
        g.department_id in wanted and perm in g.permissions
        for g in scope.grants
        if g.scope == RoleScope.DEPARTMENT
    )


def can_report_at(user: Any, code: str) -> bool:
    """May the user report an event located at ``code`` (a grid or unit)?"""
    scope = scope_for(user)
    perm = "events.report_event"
    if scope.can(perm, code):
        return True
    # Residents and departments report anywhere in their district.
    for g in scope.grants:
        root = g.region_code if g.scope == RoleScope.SELF else g.district_code
        if g.scope in (RoleScope.SELF, RoleScope.DEPARTMENT) and root and perm in g.permissions:
            if codes.is_within(code, root):
                return True
    return False


def user_department_ids(user: Any, perm: str = "events.handle_event") -> list[int]:
    scope = scope_for(user)
    return sorted(
        {
            g.department_id
            for g in scope.grants
            if g.department_id is not None and perm in g.permissions
        }
    )


def _part_department_ids(event: Event) -> list[int]:
    return list(EventPart.objects.filter(event=event).values_list("department_id", flat=True))


_COMMAND = "events.dispatch_event"
_HANDLE = "events.handle_event"


def may(user: Any, action: str, event: Event) -> bool:
    """Does the user hold the right to ``action`` on ``event`` (whatever its state)?"""
    scope = scope_for(user)
    if action in (
        EventAction.REGISTER,
        EventAction.REJECT,
        EventAction.DISPATCH,
        EventAction.REDISPATCH,
        EventAction.FORCE,
        EventAction.DECIDE_EXTENSION,
        EventAction.SUMMON,
    ):
        # The command centre of the level the event is handled at (or above it).
        return scope.can(_COMMAND, event.handler_code)
    if action in (
        EventAction.ACCEPT,
        EventAction.SEND_BACK,
        EventAction.FEEDBACK,
        EventAction.REQUEST_EXTENSION,
    ):
        return _department_can(scope, _HANDLE, [event.current_department_id])
    if action in (EventAction.REPORT_IN, EventAction.COMPLETE_PART):
        return _department_can(scope, _HANDLE, _part_department_ids(event))
    if action == EventAction.SELF_HANDLE:
        return scope.can("events.self_handle_event", event.grid_code)
    if action == EventAction.VERIFY:
        return scope.can("events.verify_event", event.region_code)
    if action == EventAction.RETURN_VISIT:
        return scope.can("events.visit_event", event.region_code)
    if action == EventAction.ESCALATE:
        return scope.can("events.escalate_event", event.region_code)
    if action == EventAction.SUPERVISE:
        return scope.can("events.supervise_event", event.region_code)
    return False


def available_actions(user: Any, event: Event, *, ignore_state: bool = False) -> list[str]:
    """Actions the user may take on the event now (for buttons; actions check again)."""
    result = []
    for action, transition in TRANSITIONS.items():
        if action in (EventAction.REPORT, EventAction.OVERDUE):
            continue
        if not ignore_state and event.state not in transition.sources:
            continue
        if not ignore_state and (
            (action == EventAction.RETURN_VISIT and event.visited_at is not None)
            or (action == EventAction.ESCALATE and event.level == HandlingLevel.DISTRICT)
        ):
            continue
        if may(user, action, event):
            result.append(str(action))
    return result
