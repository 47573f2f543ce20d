"""Reads of the resident portal, always for one resident.

A resident sees the events they reported or follow, nothing else: the
tracking page answers 404 for any other number, exactly as for a missing one.
The timeline shown is the public one (the Open311 rule, ``open311.selectors``):
the public steps only, departments by name, no staff names, notes only where
they are a reason or a result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import pgettext

from wangge.accounts.models import Department
from wangge.accounts.scope import scope_for
from wangge.events import selectors as event_selectors
from wangge.events.choices import OPEN_STATES, EventAction, EventState, Satisfaction
from wangge.events.models import Attachment, Category, Event, EventFollower, EventStep
from wangge.open311.selectors import NOTE_ACTIONS, PUBLIC_ACTIONS
from wangge.portal.models import PlainChoice


def is_resident(user: Any) -> bool:
    """Does the user hold the resident role (the portal's audience)?"""
    scope = scope_for(user)
    return "resident" in scope.roles


# --- the category choices -------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str  # "p<id>" for a plain choice, a category code otherwise
    label: str
    hint: str
    category: str


def plain_choices() -> list[Choice]:
    """The plain-language choices; without any, the active sub-categories by name."""
    rows = list(
        PlainChoice.objects.filter(
            is_active=True, category__is_active=True, category__parent__isnull=False
        )
        .select_related("category")
        .order_by("sort", "id")
    )
    if rows:
        return [Choice(f"p{r.pk}", r.label, r.hint, r.category.code) for r in rows]
    subs = Category.objects.filter(
        is_active=True, parent__isnull=False, parent__is_active=True
    ).select_related("parent")
    return [
        Choice(c.code, c.name, c.parent.name if c.parent else "", c.code)
        for c in subs.order_by("parent__sort_order", "sort_order", "code")
    ]


# --- the resident's events -----------------------------------------------------------------


def _followed(user: Any) -> Q:
    return Q(pk__in=EventFollower.objects.filter(user_id=user.pk).values("event_id"))


def resident_events(user: Any) -> QuerySet[Event]:
    """The events the user reported or follows, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Event.objects.none()
    return (
        Event.objects.filter(Q(reporter_id=user.pk) | _followed(user))
        .select_related("category")
        .order_by("-reported_at", "-id")
    )


def get_tracked_event(user: Any, number: str) -> Event:
    """The event with tracking ``number`` if the user reported or follows it; 404 otherwise."""
    number = (number or "").strip()
    if not number or len(number) > 24:
        raise Http404("no such event")
    found = (
        resident_events(user)
        .select_related("category__parent", "current_department")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise Http404("no such event")
    return found


# --- the public timeline --------------------------------------------------------------------


@dataclass
class Photo:
    url: str
    width: int
    height: int


@dataclass
class TimelineRow:
    at: Any
    action: str
    label: str
    state: str
    state_label: str
    detail: str = ""
    note: str = ""
    photos: list[Photo] = field(default_factory=list)


def _department_names(event: Event) -> dict[str, str]:
    return dict(
        Department.objects.filter(district__code=event.district_code).values_list("code", "name")
    )


def _detail(step: EventStep, departments: dict[str, str]) -> str:
    data = step.data or {}

    def name(code: Any) -> str:
        return departments.get(str(code), "")

    if step.action in (EventAction.DISPATCH, EventAction.REDISPATCH, EventAction.FORCE):
        return name(data.get("department"))
    if step.action == EventAction.COMPLETE_PART:
        return name(data.get("department"))
    if step.action == EventAction.SUMMON:
        names = (name(c) for c in data.get("departments") or [])
        return pgettext("list separator", ", ").join(n for n in names if n)
    if step.action == EventAction.VERIFY:
        if data.get("passed"):
            return pgettext("portal timeline", "Verification passed")
        return pgettext("portal timeline", "Verification failed: back for rework")
    if step.action == EventAction.RETURN_VISIT:
        satisfaction = data.get("satisfaction") or ""
        if satisfaction in Satisfaction.values:
            if data.get("solved"):
                solved = pgettext("portal timeline", "problem solved")
            else:
                solved = pgettext("portal timeline", "problem not solved")
            return pgettext("portal timeline", "%(satisfaction)s, %(solved)s") % {
                "satisfaction": Satisfaction(satisfaction).label,
                "solved": solved,
            }
    return ""


def _label(action: str) -> str:
    return str(EventAction(action).label) if action in EventAction.values else action


def _state_label(state: str) -> str:
    return str(EventState(state).label) if state in EventState.values else state


def photo_url(attachment: Attachment) -> str:
    """The events API's photo view: scoped to who sees the event, metadata stripped."""
    return reverse(
        "api-v1:event_attachment",
        kwargs={"event_id": attachment.event_id, "attachment_id": attachment.pk},
    )


def public_timeline(event: Event, *, own: bool) -> list[TimelineRow]:
    """The steps a member of the public may read; ``own`` adds the reporter's own rating."""
    actions = list(PUBLIC_ACTIONS)
    if own:
        actions.append(EventAction.RETURN_VISIT)
    steps = list(EventStep.objects.filter(event=event, action__in=actions).order_by("at", "id"))
    photos: dict[int, list[Photo]] = {}
    for a in Attachment.objects.filter(event=event, step__in=steps).order_by("pk"):
        if a.step_id is not None:
            photos.setdefault(a.step_id, []).append(Photo(photo_url(a), a.width, a.height))
    departments = _department_names(event)
    rows = []
    for step in steps:
        rows.append(
            TimelineRow(
                at=step.at,
                action=step.action,
                label=_label(step.action),
                state=step.to_state,
                state_label=_state_label(step.to_state),
                detail=_detail(step, departments),
                note=step.note if step.action in NOTE_ACTIONS else "",
                photos=photos.get(step.pk, []),
            )
        )
    return rows


def may_rate(user: Any, event: Event) -> bool:
    """Closed, not yet rated, and the user is its reporter (the events action checks again)."""
    return (
        event.state == EventState.CLOSED
        and event.visited_at is None
        and event.reporter_id == getattr(user, "pk", None)
        and event_selectors.may(user, EventAction.RETURN_VISIT, event)
    )


def is_open(event: Event) -> bool:
    return event.state in OPEN_STATES


# --- nearby open events ----------------------------------------------------------------------


def nearby(user: Any, category: str, lng: float, lat: float) -> list[event_selectors.Nearby]:
    """Open events of the same category near the point, as a reporter may see them."""
    if not category:
        return []
    return event_selectors.nearby_for_reporter(user, category, lng, lat)
