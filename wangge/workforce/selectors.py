"""Reads of the workforce app, every one filtered through ``wangge.accounts.scope``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wangge.accounts.models import Assignment
from wangge.accounts.scope import prefix_q, scope_for
from wangge.lib import codes
from wangge.regions.models import Region
from wangge.workforce.assessment import COMPONENTS
from wangge.workforce.choices import FULL_TIME, LIAISON, MEMBER_ROLES, ROSTER_ROLES, Component
from wangge.workforce.models import (
    Attendance,
    Duty,
    DutyCategory,
    MethodItem,
    MethodTick,
    Scorecard,
    TrainingSession,
)

GRID_LENGTH = codes.CODE_LENGTH[codes.Level.GRID]

VIEW_ROSTER = "workforce.view_roster"
VIEW_RANKING = "workforce.view_ranking"
TICK = "workforce.tick_method"
VIEW_TRAINING = "workforce.view_trainingsession"
ADD_TRAINING = "workforce.add_trainingsession"


# --- nodes ---------------------------------------------------------------------------------


def node_for_user(user: Any, code: str | None, perm: str) -> Region:
    """The node ``code`` (or the user's first root holding ``perm``) if the user holds ``perm``
    there; 404 otherwise (out of scope answers like a missing node)."""
    scope = scope_for(user)
    if not code:
        roots = scope.roots_with(perm)
        if scope.is_global and not roots:
            region = Region.objects.filter(level="district").order_by("code").first()
            if region is None:
                raise Http404
            return region
        if not roots:
            raise Http404
        code = roots[0]
    if not scope.can(perm, code):
        raise Http404
    region = Region.objects.filter(code=code).only("code", "name", "level").first()
    if region is None:
        raise Http404
    return region


def drill(node: Region) -> tuple[list[Region], list[Region]]:
    """The way up (from the district) and the children one level down of a ranking or
    roster node, districts to communities (below that the page lists grids itself).  The
    node is in the user's scope, so are its children; the way up is shown only as far as
    the user's scope reaches (the view checks)."""
    path = [
        r
        for r in Region.objects.filter(code__in=codes.ancestors_of(node.code)).only(
            "code", "name", "level"
        )
    ]
    path.sort(key=lambda r: len(r.code))
    if node.level in ("grid", "unit", "community"):
        return path, []
    children = list(
        Region.objects.filter(parent_id=node.pk).only("code", "name", "level").order_by("code")
    )
    return path, children


def worker_grids(user: Any) -> list[str]:
    """Grids where the user is a full-time grid worker."""
    return sorted(
        Assignment.objects.filter(
            user_id=user.pk, is_active=True, role__slug=FULL_TIME, region__level="grid"
        ).values_list("region__code", flat=True)
    )


# --- roster and 一格两员 ----------------------------------------------------------------------


@dataclass
class Member:
    user_id: int
    name: str
    role: str
    node: str


@dataclass
class GridRoster:
    code: str
    name: str
    full_time: list[Member] = field(default_factory=list)
    part_time: list[Member] = field(default_factory=list)
    dept_members: list[Member] = field(default_factory=list)
    liaison_leaders: list[Member] = field(default_factory=list)

    @property
    def member_ids(self) -> set[int]:
        return {
            m.user_id
            for m in (*self.full_time, *self.part_time, *self.dept_members)
            if m.role in MEMBER_ROLES
        }

    @property
    def problems(self) -> list[str]:
        """Why the grid fails 一格两员 (empty when it passes)."""
        found = []
        if not self.full_time:
            found.append(_("No full-time grid worker"))
        if len(self.member_ids) < 2:
            found.append(_("No second grid worker"))
        return found

    @property
    def ok(self) -> bool:
        return not self.problems


def roster(user: Any, node_code: str | None = None) -> tuple[Region, list[GridRoster]]:
    """Every grid under the node with its people, from the role assignments."""
    node = node_for_user(user, node_code, VIEW_ROSTER)
    grids = (
        Region.objects.filter(level="grid")
        .filter(prefix_q("code", [node.code]))
        .order_by("code")
        .values_list("code", "name")
    )
    rosters = {code: GridRoster(code=code, name=name) for code, name in grids}
    rows = (
        Assignment.objects.filter(is_active=True, role__slug__in=ROSTER_ROLES)
        .filter(prefix_q("region__code", [node.code]))
        .values_list(
            "user_id", "user__display_name", "user__username", "role__slug", "region__code"
        )
        .order_by("region__code", "user_id")
    )
    for user_id, display, username, role, code in rows:
        grid = rosters.get(code[:GRID_LENGTH])
        if grid is None:
            continue
        member = Member(user_id=user_id, name=display or username, role=role, node=code)
        if role == FULL_TIME:
            grid.full_time.append(member)
        elif role == LIAISON:
            grid.liaison_leaders.append(member)
        elif role == "dept_member":
            grid.dept_members.append(member)
        else:
            grid.part_time.append(member)
    return node, list(rosters.values())


# --- duties and 553 -------------------------------------------------------------------------


def duty_categories() -> list[tuple[DutyCategory, list[Duty]]]:
    duties: dict[int, list[Duty]] = defaultdict(list)
    for duty in Duty.objects.filter(is_active=True).order_by("sort_order", "code"):
        duties[duty.category_id].append(duty)
    return [(c, duties.get(c.pk, [])) for c in DutyCategory.objects.order_by("sort_order", "code")]


def method_items() -> list[MethodItem]:
    return list(MethodItem.objects.filter(is_active=True).order_by("sort_order", "code"))


def ticks_of(user: Any, month: date) -> QuerySet[MethodTick]:
    return MethodTick.objects.filter(worker_id=user.pk, month=month).select_related("item")


@dataclass
class Progress:
    code: str
    name: str
    total: int
    ticked: int

    @property
    def rate(self) -> float | None:
        return round(self.ticked / self.total, 4) if self.total else None

    @property
    def percent(self) -> float | None:
        """The rate in per cent, one decimal (for the page)."""
        return round(self.ticked * 100 / self.total, 1) if self.total else None


def method_progress(
    user: Any, month: date, node_code: str | None = None
) -> tuple[list[Progress], list[Progress]]:
    """(per worker, per grid) ticks of the month.  A worker without the roster permission sees
    only their own progress."""
    total = MethodItem.objects.filter(is_active=True).count()
    scope = scope_for(user)
    if node_code or scope.roots_with(VIEW_ROSTER) or scope.is_global:
        node = node_for_user(user, node_code, VIEW_ROSTER)
        worker_rows = (
            Assignment.objects.filter(is_active=True, role__slug=FULL_TIME, region__level="grid")
            .filter(prefix_q("region__code", [node.code]))
            .values_list("user_id", "user__display_name", "user__username", "region__code")
        )
        grid_names = dict(
            Region.objects.filter(level="grid")
            .filter(prefix_q("code", [node.code]))
            .values_list("code", "name")
        )
        ticks = MethodTick.objects.filter(month=month, item__is_active=True).filter(
            prefix_q("region_code", [node.code])
        )
    else:
        worker_rows = Assignment.objects.filter(
            user_id=user.pk, is_active=True, role__slug=FULL_TIME, region__level="grid"
        ).values_list("user_id", "user__display_name", "user__username", "region__code")
        grid_names = dict(
            Region.objects.filter(code__in=worker_grids(user)).values_list("code", "name")
        )
        ticks = MethodTick.objects.filter(month=month, worker_id=user.pk, item__is_active=True)
    per_worker: dict[tuple[int, str], int] = defaultdict(int)
    per_grid: dict[str, set[int]] = defaultdict(set)
    for worker_id, grid, item_id in ticks.values_list("worker_id", "region_code", "item_id"):
        per_worker[(worker_id, grid)] += 1
        per_grid[grid].add(item_id)
    workers = [
        Progress(
            code=f"{uid}@{grid}",
            name=display or username,
            total=total,
            ticked=per_worker.get((uid, grid), 0),
        )
        for uid, display, username, grid in worker_rows
    ]
    grids = [
        Progress(code=code, name=name, total=total, ticked=len(per_grid.get(code, ())))
        for code, name in sorted(grid_names.items())
    ]
    return workers, grids


@dataclass
class MethodTree:
    """The "553" progress of a node for a month: the node, its children (streets,
    communities or grids, each the sum of its grids) and, for a grid, its workers."""

    node: Region
    total: Progress
    children: list[Progress]
    workers: list[Progress]


def method_progress_tree(user: Any, month: date, node_code: str | None = None) -> MethodTree:
    """Per child node and, at grid level, per worker: ticked over total items of the grids
    below (a grid counts the items ticked by any of its workers).  Needs the roster
    permission at the node (404 otherwise), like the API given a node."""
    node = node_for_user(user, node_code, VIEW_ROSTER)
    workers, grids = method_progress(user, month, node.code)

    def summed(code: str, name: str) -> Progress:
        below = [g for g in grids if g.code.startswith(code)]
        return Progress(
            code=code,
            name=name,
            total=sum(g.total for g in below),
            ticked=sum(g.ticked for g in below),
        )

    children: list[Progress] = []
    if node.level != "grid":
        children = [
            summed(code, name)
            for code, name in Region.objects.filter(parent_id=node.pk)
            .exclude(level="unit")
            .order_by("code")
            .values_list("code", "name")
        ]
    return MethodTree(
        node=node,
        total=summed(node.code, node.name),
        children=children,
        workers=workers if node.level == "grid" else [],
    )


# --- training -----------------------------------------------------------------------------


def sessions_for(user: Any, node_code: str | None = None) -> QuerySet[TrainingSession]:
    node = node_for_user(user, node_code, VIEW_TRAINING)
    return (
        TrainingSession.objects.filter(prefix_q("region_code", [node.code]))
        .annotate(attendance_count=Count("attendances"))
        .order_by("-held_on", "-id")
    )


def get_session_for_user(user: Any, pk: int, perm: str = VIEW_TRAINING) -> TrainingSession:
    session = TrainingSession.objects.filter(pk=pk).first()
    if session is None or not scope_for(user).can(perm, session.region_code):
        raise Http404
    return session


@dataclass
class TrainingTotal:
    code: str
    name: str
    sessions: int
    attendances: int


def training_totals(
    user: Any, node_code: str | None = None
) -> tuple[TrainingTotal, list[TrainingTotal]]:
    """Sessions and attendances under the node, and under each of its children."""
    node = node_for_user(user, node_code, VIEW_TRAINING)
    sessions = TrainingSession.objects.filter(prefix_q("region_code", [node.code]))
    counts: dict[str, int] = dict(sessions.values_list("region_code").annotate(n=Count("id")))
    attendance: dict[str, int] = dict(
        Attendance.objects.filter(prefix_q("session__region_code", [node.code]))
        .values_list("session__region_code")
        .annotate(n=Count("id"))
    )
    total = TrainingTotal(node.code, node.name, sum(counts.values()), sum(attendance.values()))
    children = []
    # Sessions are held for a grid or above: a grid's units would all read zero.
    below = Region.objects.filter(parent__code=node.code).exclude(level="unit")
    for code, name in below.order_by("code").values_list("code", "name"):
        children.append(
            TrainingTotal(
                code,
                name,
                sum(n for c, n in counts.items() if c.startswith(code)),
                sum(n for c, n in attendance.items() if c.startswith(code)),
            )
        )
    return total, children


@dataclass
class Attendee:
    user_id: int
    name: str
    node_code: str
    node_name: str


def attendees_of(session: TrainingSession) -> list[Attendee]:
    """Who attended the session (the session was read through ``get_session_for_user``), with
    the place of their first assignment under the session's node."""
    rows = list(
        Attendance.objects.filter(session=session)
        .values_list("user_id", "user__display_name", "user__username")
        .order_by("user__display_name", "user__username")
    )
    places = _people_under(session.region_code, [uid for uid, _d, _u in rows])
    return [
        Attendee(uid, display or username, *places.get(uid, ("", "", ""))[1:])
        for uid, display, username in rows
    ]


def _people_under(
    node_code: str, user_ids: list[int] | None = None
) -> dict[int, tuple[str, str, str]]:
    """user id → (name, place code, place name) of their first active assignment in the
    node's subtree (of ``user_ids`` only, when given)."""
    people: dict[int, tuple[str, str, str]] = {}
    assignments = Assignment.objects.filter(is_active=True, region__isnull=False).filter(
        prefix_q("region__code", [node_code])
    )
    if user_ids is not None:
        assignments = assignments.filter(user_id__in=user_ids)
    for uid, display, username, code, name in assignments.order_by(
        "region__code", "user_id"
    ).values_list(
        "user_id", "user__display_name", "user__username", "region__code", "region__name"
    ):
        people.setdefault(uid, (display or username, code, name))
    return people


def attendance_candidates(session: TrainingSession) -> list[Attendee]:
    """The people who may still be added to the session: holders of an assignment in the
    session's node subtree (as ``do_record_attendance`` accepts) not yet attending, by place."""
    attending = set(Attendance.objects.filter(session=session).values_list("user_id", flat=True))
    rows = [
        Attendee(uid, name, code, place)
        for uid, (name, code, place) in _people_under(session.region_code).items()
        if uid not in attending
    ]
    rows.sort(key=lambda a: (a.node_code, a.name, a.user_id))
    return rows


def node_choices(user: Any, perm: str = ADD_TRAINING) -> list[tuple[str, str]]:
    """Nodes (district down to grid) where the user holds ``perm``, in tree order."""
    from wangge.regions.selectors import choices_where

    return choices_where(user, perm)


def attended_by(user: Any) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(attendances__user_id=user.pk).order_by("-held_on")


# --- scorecards ---------------------------------------------------------------------------


def own_scorecards(user: Any, month: date | None = None) -> QuerySet[Scorecard]:
    qs = Scorecard.objects.filter(worker_id=user.pk).select_related("worker", "scheme")
    if month is not None:
        qs = qs.filter(month=month)
    return qs.order_by("-month", "region_code")


def ranking(
    user: Any, month: date, node_code: str | None = None
) -> tuple[Region, QuerySet[Scorecard]]:
    """The scorecards of the node's workers for the month, best first (a query: page it)."""
    node = node_for_user(user, node_code, VIEW_RANKING)
    qs = (
        Scorecard.objects.filter(month=month)
        .filter(prefix_q("region_code", [node.code]))
        .select_related("worker")
        .order_by("-score", "region_code", "worker_id")
    )
    return node, qs


def get_scorecard_for_user(user: Any, pk: int) -> Scorecard:
    card = Scorecard.objects.filter(pk=pk).select_related("worker", "scheme").first()
    if card is None:
        raise Http404
    if card.worker_id == user.pk or scope_for(user).can(VIEW_RANKING, card.region_code):
        return card
    raise Http404


def grid_names(grid_codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=grid_codes).values_list("code", "name"))


@dataclass
class ComponentRow:
    """One line of a scorecard as shown: the component, what it was computed from, its
    ratio, configured weight, the weight it counted for (the configured weights shared out
    over the components with data, summing to 100) and points = ratio × effective weight
    (None: no data this month, left out)."""

    key: str
    label: str
    basis: str
    ratio: float | None
    weight: int
    effective_weight: float
    points: float | None

    @property
    def percent(self) -> float | None:
        return None if self.ratio is None else round(self.ratio * 100, 1)

    @property
    def reweighted(self) -> bool:
        """Whether the weight counted differs from the configured one."""
        return abs(self.effective_weight - self.weight) >= 0.005


def _basis(key: str, f: dict[str, Any]) -> str:
    """What a component was computed from, in words (empty when there was nothing)."""

    def part(done: str, total: str) -> str:
        if not f.get(total):
            return ""
        return f"{f.get(done) or 0} / {f[total]}"

    if key in ("reported", "self_handled"):
        return (
            ngettext("%(n)d event", "%(n)d events", f.get(key) or 0) % {"n": f.get(key) or 0}
            if key in f
            else ""
        )
    if key == "verification":
        if not f.get("verified"):
            return ""
        return _("%(n)d verified, %(hours)s h on average") % {
            "n": f["verified"],
            "hours": f.get("verify_hours_avg"),
        }
    return {
        "visits": lambda: part("visits_on_time", "visits"),
        "campaigns": lambda: part("campaign_reached", "campaign_targets"),
        "freshness": lambda: part("basedata_fresh", "basedata_records"),
        "satisfaction": lambda: part("satisfied", "return_visits"),
    }.get(key, lambda: "")()


def scorecard_rows(card: Scorecard) -> list[ComponentRow]:
    """The scorecard's components in the assessment's order, labelled."""
    labels = dict(Component.choices)
    applicable = sum(
        int(c.get("weight") or 0) for c in card.components.values() if c.get("ratio") is not None
    )
    rows = []
    for key in [k for k in COMPONENTS if k in card.components] + [
        k for k in card.components if k not in COMPONENTS
    ]:
        c = card.components[key]
        weight = int(c.get("weight") or 0)
        effective = c.get("effective_weight")
        if effective is None:  # stored before effective weights were kept
            ratio = c.get("ratio")
            effective = weight * 100 / applicable if applicable and ratio is not None else 0
        rows.append(
            ComponentRow(
                key=key,
                label=str(labels.get(key, key)),
                basis=_basis(key, card.figures or {}),
                ratio=c.get("ratio"),
                weight=weight,
                effective_weight=round(float(effective), 2),
                points=c.get("points"),
            )
        )
    return rows
