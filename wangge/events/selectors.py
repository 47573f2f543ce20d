"""Reads of events, always through the user's scope, and who may do what to an event.

* node roles (grid worker, community, street, district…) see the events whose
  ``region_code`` lies in their subtree;
* department handlers see the events dispatched to their department (the
  current department, or a part of a summoned event);
* everybody sees what they reported themselves; users without node roles
  (residents, departments) also the events they follow (joined as a duplicate
  report, or merged in).  Residents see only that.

Out of scope is answered exactly like a missing event (404).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from wangge.accounts.choices import RoleScope
from wangge.accounts.models import Department
from wangge.accounts.scope import Scope, prefix_q, scope_for
from wangge.events.choices import (
    DEFAULT_DUPLICATE_RADIUS_M,
    FINAL_STATES,
    OPEN_STATES,
    TRANSITIONS,
    EventAction,
    EventState,
    HandlingLevel,
    PartState,
)
from wangge.events.models import (
    Attachment,
    Category,
    Event,
    EventFollower,
    EventPart,
    EventStep,
    ReturnVisit,
)
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
    else:
        q |= _followed_q(scope.user_id)
    department_ids = scope.department_ids
    if department_ids:
        q |= Q(current_department_id__in=department_ids)
        q |= Q(pk__in=EventPart.objects.filter(department_id__in=department_ids).values("event_id"))
    return qs.filter(q)


def _followed_q(user_id: int) -> Q:
    """Events the user follows.  Only for users without node roles (residents, departments):
    those with a subtree see the events there anyway, and a subquery inside the OR would keep
    PostgreSQL from scanning the region-code and reporter indexes for every such list."""
    return Q(pk__in=EventFollower.objects.filter(user_id=user_id).values("event_id"))


def get_event_for_user(user: Any, pk: int, *, write: bool = False) -> Event:
    """The event if the user may see it (and, with ``write``, act on it somehow); 404 otherwise."""
    try:
        event = (
            events_visible_to(user)
            .select_related("category__parent", "current_department", "reporter")
            .get(pk=pk)
        )
    except (Event.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("no such event") from None
    if write and not available_actions(user, event, ignore_state=True):
        raise Http404("no such event")
    return event


def get_attachment_for_user(user: Any, event_id: int, pk: int) -> Attachment:
    """A photo of an event the user may see; 404 otherwise (also for another event's photo)."""
    event = get_event_for_user(user, event_id)
    try:
        return Attachment.objects.get(pk=pk, event_id=event.pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("no such attachment") from None


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


def report_categories(codes: Iterable[str]) -> dict[str, Category]:
    """The active sub-categories among ``codes`` (one query), by code."""
    wanted = {(code or "").strip() for code in codes} - {""}
    if not wanted:
        return {}
    rows = Category.objects.filter(
        code__in=wanted, is_active=True, parent__isnull=False
    ).select_related("parent")
    return {c.code: c for c in rows.order_by()}


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
        EventAction.MERGE,
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
        # The reporter rates the result of their own event themselves.
        return scope.can("events.visit_event", event.region_code) or is_reporter(user, event)
    if action == EventAction.JOIN:
        return may_join(user, event)
    if action == EventAction.ESCALATE:
        return scope.can("events.escalate_event", event.region_code)
    if action == EventAction.SUPERVISE:
        return scope.can("events.supervise_event", event.region_code)
    return False


def available_actions(user: Any, event: Event, *, ignore_state: bool = False) -> list[str]:
    """Actions the user may take on the event now (for buttons; actions check again)."""
    result = []
    for action, transition in TRANSITIONS.items():
        if action in (EventAction.REPORT, EventAction.OVERDUE, EventAction.JOIN):
            continue  # not offered on the event page (joining starts from a report)
        if not ignore_state and event.state not in transition.sources:
            continue
        if not ignore_state and (
            (
                action == EventAction.RETURN_VISIT
                and (event.visited_at is not None or event.duplicate_of_id is not None)
            )
            or (action == EventAction.ESCALATE and event.level == HandlingLevel.DISTRICT)
        ):
            continue
        if may(user, action, event):
            result.append(str(action))
    return result


# --- the pages: command-centre queue, department inbox, "my events" -------------------

#: Holding one of these at a node opens the command-centre queue of its subtree.
QUEUE_PERMISSIONS = (_COMMAND, "events.supervise_event")
#: What a department still has to do: accept, handle, or its part of a summoned event.
INBOX_PENDING = (EventState.DISPATCHED, EventState.HANDLING)


def queue_roots(user: Any) -> list[str] | None:
    """Nodes whose events make up the user's queue: ``None`` for all (global), ``[]`` for none."""
    scope = scope_for(user)
    if scope.is_global:
        return None
    return codes.minimal_roots([root for p in QUEUE_PERMISSIONS for root in scope.roots_with(p)])


def can_use_queue(user: Any) -> bool:
    return queue_roots(user) != []


def can_use_inbox(user: Any) -> bool:
    return scope_for(user).is_global or bool(user_department_ids(user))


def can_report(user: Any) -> bool:
    return scope_for(user).can("events.report_event")


def event_queue(
    user: Any,
    *,
    state: str | None = None,
    open_only: bool = False,
    category: str | None = None,
    source: str | None = None,
    under: str | None = None,
    overdue: bool | None = None,
) -> QuerySet[Event]:
    """The command-centre queue: events under the user's command or supervision nodes."""
    roots = queue_roots(user)
    qs = events_filtered(
        user, state=state, category=category, source=source, under=under, overdue=overdue
    )
    if roots is not None:
        qs = qs.filter(prefix_q("region_code", roots))
    if open_only and not state:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs


def queue_counts(user: Any, *, under: str | None = None) -> dict[str, int]:
    """What waits for the command centre (under ``under``): one query."""
    result: dict[str, int] = event_queue(user, under=under).aggregate(
        reported=Count("id", filter=Q(state=EventState.REPORTED)),
        registered=Count("id", filter=Q(state=EventState.REGISTERED)),
        sent_back=Count("id", filter=Q(state=EventState.SENT_BACK)),
        handled=Count("id", filter=Q(state=EventState.HANDLED)),
        overdue=Count("id", filter=Q(overdue=True, state__in=OPEN_STATES)),
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
    )
    return result


def queue_area_choices(user: Any) -> list[tuple[str, str, str]]:
    """``(code, name, level)`` of the nodes the queue can be narrowed to, parents first.

    The user's queue roots and two levels below them (never minimal units), so a
    district offers its streets and communities and a community its grids.
    """
    from wangge.regions.models import Region

    roots = queue_roots(user)
    if roots == []:
        return []
    if roots is None:
        wanted = Q(level__in=["district", "street"])
    else:
        wanted = Q(pk__in=[])
        for root in roots:
            depth = int(codes.level_of(root))
            lengths = [
                codes.CODE_LENGTH[codes.Level(d)]
                for d in range(depth, min(depth + 2, int(codes.Level.GRID)) + 1)
            ]
            wanted |= prefix_q("code", [root]) & Q(code__regex=_lengths_regex(lengths))
    rows = (
        Region.objects.filter(wanted)
        .order_by("code")
        .values_list("code", "name", "level")[:AREA_CHOICES_LIMIT]
    )
    return [(code, name, level) for code, name, level in rows]


AREA_CHOICES_LIMIT = 400


def _lengths_regex(lengths: list[int]) -> str:
    return "^(" + "|".join(f"[0-9]{{{n}}}" for n in lengths) + ")$"


def inbox_events(user: Any, *, pending_only: bool = True) -> QuerySet[Event]:
    """Events of the user's departments: dispatched to one of them, or summoned (吹哨) parts.

    Only the departments' work, even for a user who also holds a node role.
    """
    scope = scope_for(user)
    qs = events_visible_to(user)
    if scope.is_global:
        current = Q(current_department__isnull=False)
        parts = EventPart.objects.all()
    else:
        department_ids = user_department_ids(user)
        if not department_ids:
            return qs.none()
        current = Q(current_department_id__in=department_ids)
        parts = EventPart.objects.filter(department_id__in=department_ids)
    if pending_only:
        current &= Q(state__in=INBOX_PENDING)
        return qs.filter(
            current
            | Q(
                state=EventState.JOINT,
                pk__in=parts.exclude(state=PartState.DONE).values("event_id"),
            )
        )
    return qs.filter(current | Q(pk__in=parts.values("event_id")))


def inbox_counts(user: Any) -> dict[str, int]:
    result: dict[str, int] = inbox_events(user).aggregate(
        to_accept=Count("id", filter=Q(state=EventState.DISPATCHED)),
        handling=Count("id", filter=Q(state=EventState.HANDLING)),
        joint=Count("id", filter=Q(state=EventState.JOINT)),
        overdue=Count("id", filter=Q(overdue=True)),
    )
    return result


def _verify_q(user: Any) -> Q:
    scope = scope_for(user)
    if scope.is_global:
        return Q(state=EventState.HANDLED)
    roots = scope.roots_with("events.verify_event")
    if not roots:
        return Q(pk__in=[])
    return Q(state=EventState.HANDLED) & prefix_q("region_code", roots)


def my_events(user: Any) -> QuerySet[Event]:
    """Events in the user's own grids (node roots) and those the user reported."""
    scope = scope_for(user)
    qs = events_visible_to(user)
    if scope.user_id is None:
        return qs.none()
    mine = Q(reporter_id=scope.user_id)
    if scope.node_roots:
        mine |= prefix_q("region_code", scope.node_roots)
    else:
        mine |= _followed_q(scope.user_id)
    return qs.filter(mine)


def waiting_for_verification(user: Any) -> QuerySet[Event]:
    """Handled events in the user's area that the user may verify on site (核查)."""
    return my_events(user).filter(_verify_q(user))


def my_event_counts(user: Any) -> dict[str, int]:
    result: dict[str, int] = my_events(user).aggregate(
        to_verify=Count("id", filter=_verify_q(user)),
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
        reported_by_me=Count("id", filter=Q(reporter_id=scope_for(user).user_id)),
    )
    return result


def departments_for_event(event: Event) -> QuerySet[Department]:
    """The departments an event can go to: those of its district."""
    return Department.objects.filter(district__code=event.district_code).order_by("code")


def departments_for_districts(district_codes: Iterable[str]) -> QuerySet[Department]:
    return (
        Department.objects.filter(district__code__in=list(district_codes))
        .select_related("district")
        .only("id", "code", "name", "district__code", "district__name")
        .order_by("district__code", "code")
    )


def find_event_id(user: Any, text: str) -> int | None:
    """The id of a visible event by tracking number or id (for "duplicate of")."""
    text = (text or "").strip()
    if not text.isdigit():
        return None
    q = Q(number=text) if len(text) > 12 else Q(pk=int(text))
    found: int | None = events_visible_to(user).filter(q).values_list("pk", flat=True).first()
    return found


def get_event_page_for_user(user: Any, pk: int) -> Event:
    """The event with its timeline, parts, extensions and followers' count loaded; 404 as
    ``get_event_for_user``."""
    try:
        event = with_followers_count(
            events_visible_to(user).select_related(
                "category__parent", "current_department", "reporter"
            )
        ).get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("no such event") from None
    prefetch_related_objects(
        [event],
        Prefetch("steps", queryset=EventStep.objects.order_by("at", "id")),
        Prefetch("parts", queryset=EventPart.objects.select_related("department")),
        "extensions",
    )
    return event


def return_visit_of(event: Event) -> ReturnVisit | None:
    if event.visited_at is None:
        return None
    return ReturnVisit.objects.filter(event=event).first()


def grid_names(grid_codes: Iterable[str]) -> dict[str, str]:
    """Names of grids by code, for lists of events the user already sees (one query)."""
    from wangge.regions.models import Region

    wanted = sorted(set(grid_codes))
    if not wanted:
        return {}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


# --- duplicates: nearby open events, joining, following ---------------------------------------

#: Mean Earth radius (m), for haversine distances.
EARTH_RADIUS_M = 6_371_008.8
#: Candidates read from the bounding box before the exact distance is computed.
NEARBY_CANDIDATES = 200


@dataclass(frozen=True)
class Nearby:
    """An open event near a point, and how far (metres, rounded) it is from the point."""

    event: Event
    distance_m: int


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _bounding_box(lng: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min lng, min lat, max lng, max lat) of a box holding the circle (a little larger)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.01
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    dlng = min(dlat / cos_lat, 180.0)
    return lng - dlng, lat - dlat, lng + dlng, lat + dlat


def _category_of(category: Category | str | None) -> Category | None:
    if category is None or isinstance(category, Category):
        return category
    code = (category or "").strip()
    if not code:
        return None
    return Category.objects.filter(code=code).select_related("parent").first()


def nearby_open_events(
    category: Category | str | None,
    lng: float,
    lat: float,
    *,
    radius_m: int | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Nearby]:
    """Open events of ``category`` within ``radius_m`` of the point, nearest first.

    ``category`` is a sub-category (its events only), a top-level category (all of its
    sub-categories) or None (every category); an unknown code finds nothing.  The radius
    defaults to the category's ``duplicate_radius_m`` (0 = no detection).  Not scoped:
    callers filter what the user may see (``nearby_for_reporter`` for the public facts).
    """
    if not (isinstance(lng, int | float) and isinstance(lat, int | float)):
        return []
    if not (math.isfinite(lng) and math.isfinite(lat)) or abs(lat) > 90 or abs(lng) > 180:
        return []
    found = _category_of(category)
    if category is not None and found is None:
        return []
    if radius_m is None:
        radius_m = found.duplicate_radius_m if found is not None else DEFAULT_DUPLICATE_RADIUS_M
    if radius_m <= 0 or limit <= 0:
        return []
    x0, y0, x1, y1 = _bounding_box(lng, lat, radius_m)
    qs = Event.objects.filter(
        state__in=sorted(OPEN_STATES), lat__gte=y0, lat__lte=y1, lng__gte=x0, lng__lte=x1
    )
    if found is not None:
        qs = (
            qs.filter(category__parent=found)
            if found.parent_id is None
            else qs.filter(category=found)
        )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    candidates = qs.select_related("category__parent").order_by("-reported_at", "-id")[
        :NEARBY_CANDIDATES
    ]
    result = []
    for event in candidates:
        d = distance_m(lng, lat, event.lng, event.lat)
        if d <= radius_m:
            result.append(Nearby(event, round(d)))
    result.sort(key=lambda n: (n.distance_m, -n.event.reported_at.timestamp(), -n.event.pk))
    return result[:limit]


def is_private(event: Event) -> bool:
    """Is the event in one of the groups never shown to the public (Open311's private groups)?"""
    from wangge.open311 import conf

    private = set(conf.private_groups())
    category = event.category
    parent_code = category.parent.code if category.parent_id and category.parent else ""
    return category.code in private or parent_code in private


def is_reporter(user: Any, event: Event) -> bool:
    user_id = scope_for(user).user_id
    return user_id is not None and event.reporter_id == user_id


def is_staff(user: Any) -> bool:
    """Does the user work on events (node, department or global roles), beyond reporting?"""
    scope = scope_for(user)
    return scope.is_global or bool(scope.node_roots) or bool(scope.department_ids)


def sees_reporter(user: Any, event: Event) -> bool:
    """May the user see who reported the event (the contact, masked)?  Staff and the reporter
    themselves; a resident following the event does not."""
    return is_staff(user) or is_reporter(user, event)


def may_join(user: Any, event: Event) -> bool:
    """May the user follow (附议) the event: they could report at its place, and it is either
    public or already visible to them."""
    if scope_for(user).user_id is None or not can_report_at(user, event.region_code):
        return False
    if not is_private(event):
        return True
    return events_visible_to(user).filter(pk=event.pk).exists()


def nearby_for_reporter(
    user: Any, category: Category | str | None, lng: float, lat: float, *, limit: int = 5
) -> list[Nearby]:
    """What a reporter may be offered to join: nearby open events of the category at places
    the user could report at, never of the private groups.  Show only the public facts
    (number, title, category, state, distance, reported date) unless the event is also in
    ``events_visible_to(user)``."""
    if scope_for(user).user_id is None:
        return []
    found = nearby_open_events(category, lng, lat, limit=NEARBY_CANDIDATES)
    result = [
        n for n in found if can_report_at(user, n.event.region_code) and not is_private(n.event)
    ]
    return result[:limit]


def get_joinable_event(user: Any, ref: int | str) -> Event:
    """The event the user wants to join, by id or tracking number: visible to the user, or
    open to joining by them (``may_join``); 404 otherwise, like a missing event."""
    text = str(ref).strip()
    if not text.isdigit():
        raise Http404("no such event")
    if len(text) > 24:
        raise Http404("no such event")
    q = Q(number=text) if len(text) > 12 else Q(pk=int(text))
    event = (
        Event.objects.filter(q)
        .select_related("category__parent", "current_department", "reporter")
        .first()
    )
    if event is None:
        raise Http404("no such event")
    if events_visible_to(user).filter(pk=event.pk).exists():
        return event
    if event.state in FINAL_STATES or not may_join(user, event):
        raise Http404("no such event")
    return event


def with_followers_count(qs: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate ``followers_total`` (no extra query: a correlated subquery)."""
    counted = (
        EventFollower.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return qs.annotate(
        followers_total=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    )


def followers_count(event: Event) -> int:
    """The event's followers: from ``with_followers_count`` when annotated, else one query."""
    annotated = getattr(event, "followers_total", None)
    if annotated is not None:
        return int(annotated)
    return EventFollower.objects.filter(event=event).count()


def is_follower(user: Any, event: Event) -> bool:
    user_id = scope_for(user).user_id
    return (
        user_id is not None and EventFollower.objects.filter(event=event, user_id=user_id).exists()
    )


@dataclass(frozen=True)
class NearbyRow:
    """A nearby event as one user is offered it: ``opens`` when the user may open the event
    (their scope, their own reports, events they follow); otherwise only its public facts."""

    event: Event
    distance_m: int
    opens: bool


def nearby_for_user(
    user: Any,
    category: Category | str | None,
    lng: float,
    lat: float,
    *,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[NearbyRow]:
    """``nearby_for_reporter`` plus the nearby events the user may open anyway, nearest first."""
    public = [
        n
        for n in nearby_for_reporter(user, category, lng, lat, limit=NEARBY_CANDIDATES)
        if n.event.pk != exclude_id
    ]
    every = nearby_open_events(category, lng, lat, exclude_id=exclude_id, limit=50)
    visible = set(
        events_visible_to(user)
        .filter(pk__in=[n.event.pk for n in every])
        .values_list("pk", flat=True)
    )
    chosen = {n.event.pk: n for n in public}
    chosen.update({n.event.pk: n for n in every if n.event.pk in visible})
    rows = sorted(chosen.values(), key=lambda n: (n.distance_m, n.event.pk))[:limit]
    return [NearbyRow(n.event, n.distance_m, n.event.pk in visible) for n in rows]


#: Where the command centre decides about an event: its page offers possible duplicates then.
INTAKE_STATES = frozenset({EventState.REPORTED, EventState.REGISTERED, EventState.SENT_BACK})


def possible_duplicates(user: Any, event: Event, *, limit: int = 5) -> list[NearbyRow]:
    """For the command centre on an open event's page: nearby open events of its category that
    the user could merge with it (both ways), nearest first."""
    if event.state not in INTAKE_STATES or not may(user, EventAction.MERGE, event):
        return []
    every = nearby_open_events(
        event.category, event.lng, event.lat, exclude_id=event.pk, limit=limit * 4
    )
    mergeable = [n for n in every if may(user, EventAction.MERGE, n.event)]
    if not mergeable:
        return []
    visible = set(
        events_visible_to(user)
        .filter(pk__in=[n.event.pk for n in mergeable])
        .values_list("pk", flat=True)
    )
    return [NearbyRow(n.event, n.distance_m, True) for n in mergeable if n.event.pk in visible][
        :limit
    ]
