"""Reads of care visits, always through the user's scope.

A user sees the visit tasks and visits whose ``region_code`` lies under a node
where one of their roles grants ``care.view_visittask`` (grid workers their
grid, community staff their grids, streets and the district their subtree);
recording a visit needs ``care.record_visit`` at the person's place.  Anything
else answers like a missing record (404).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404

from wangge.accounts.scope import prefix_q, scope_for
from wangge.care.choices import VISITED_OUTCOMES, TaskStatus
from wangge.care.models import VisitPhoto, VisitRecord, VisitTask
from wangge.people.choices import PersonStatus
from wangge.people.models import Person, PersonTag, Tag

VIEW = "care.view_visittask"
RECORD = "care.record_visit"


# --- the plan: special groups with a visit rule ----------------------------------------------


def rule_tags() -> QuerySet[Tag]:
    """Special groups whose people are visited on a schedule (active, with a frequency)."""
    return Tag.objects.filter(is_active=True, visit_frequency_days__gt=0)


def rule_memberships() -> QuerySet[PersonTag]:
    return PersonTag.objects.filter(tag__is_active=True, tag__visit_frequency_days__gt=0)


def tagged_people() -> QuerySet[Person]:
    """People living here (在住) in at least one special group with a visit rule."""
    return Person.objects.filter(status=PersonStatus.ACTIVE).filter(
        Exists(rule_memberships().filter(person_id=OuterRef("pk")))
    )


@dataclass(frozen=True)
class Rule:
    """A person's visit rule: the most frequent of their groups' (ties: the group listed first)."""

    tag_id: int
    tag_name: str
    frequency_days: int


def pick_rule(rows: Iterable[tuple[int, str, int, int, str]]) -> Rule | None:
    """The rule among ``(tag_id, name, frequency, sort_order, code)`` rows of one person."""
    best = min(rows, key=lambda r: (r[2], r[3], r[4]), default=None)
    return None if best is None else Rule(best[0], best[1], best[2])


#: The columns ``rules_from`` reads of each membership.
RULE_COLUMNS = (
    "person_id",
    "tag_id",
    "tag__name",
    "tag__visit_frequency_days",
    "tag__sort_order",
    "tag__code",
    "person__region_code",
)


def rules_from(memberships: QuerySet[PersonTag]) -> dict[int, tuple[Rule, str]]:
    """Each person's rule and place from ``memberships`` (rule memberships, one query)."""
    rows: dict[int, list[tuple[int, str, int, int, str]]] = defaultdict(list)
    places: dict[int, str] = {}
    for (
        person_id,
        tag_id,
        name,
        frequency,
        order,
        code,
        region_code,
    ) in memberships.order_by().values_list(*RULE_COLUMNS):
        rows[person_id].append((tag_id, name, int(frequency or 0), order, code))
        places[person_id] = region_code
    return {
        pid: (rule, places[pid])
        for pid, found in rows.items()
        if (rule := pick_rule(found)) is not None
    }


def rules_of(person_ids: Iterable[int]) -> dict[int, Rule]:
    """The visit rule of each person that has one (one query)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    found = rules_from(rule_memberships().filter(person_id__in=ids))
    return {pid: rule for pid, (rule, _place) in found.items()}


def group_names(person_ids: Iterable[int]) -> dict[int, list[str]]:
    """The special groups of each person, in the catalogue's order (one query)."""
    ids = sorted(set(person_ids))
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for person_id, name in (
        PersonTag.objects.filter(person_id__in=ids, tag__is_active=True)
        .order_by("tag__sort_order", "tag__code")
        .values_list("person_id", "tag__name")
    ):
        found.setdefault(person_id, []).append(name)
    return found


def last_visits(person_ids: Iterable[int]) -> dict[int, datetime]:
    """When each person was last met (seen, or found needing help), one query."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = (
        VisitRecord.objects.filter(person_id__in=ids, outcome__in=VISITED_OUTCOMES)
        .order_by()
        .values("person_id")
        .annotate(last=Max("visited_at"))
        .values_list("person_id", "last")
    )
    return {pid: last for pid, last in rows if last is not None}


# --- who may do what --------------------------------------------------------------------------


def can_view(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_global or bool(scope.roots_with(VIEW))


def can_record_anywhere(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_global or bool(scope.roots_with(RECORD))


def can_record_at(user: Any, region_code: str) -> bool:
    """``None`` is the system: yes."""
    return user is None or scope_for(user).can(RECORD, region_code)


def view_roots(user: Any) -> list[str] | None:
    """Subtrees where the user sees visits; ``None`` for everywhere."""
    scope = scope_for(user)
    return None if scope.is_global else scope.roots_with(VIEW)


# --- rows in scope -----------------------------------------------------------------------------


def _in_view(user: Any, qs: QuerySet[Any], field_name: str = "region_code") -> QuerySet[Any]:
    scope = scope_for(user)
    return scope.filter_by_code(qs, field_name, scope.roots_with(VIEW))


def tasks_visible_to(user: Any) -> QuerySet[VisitTask]:
    return _in_view(user, VisitTask.objects.all())


def visits_visible_to(user: Any) -> QuerySet[VisitRecord]:
    return _in_view(user, VisitRecord.objects.all())


def people_visible_to(user: Any) -> QuerySet[Person]:
    """People whose visits the user sees (those living under the user's care nodes)."""
    return _in_view(user, Person.objects.all())


def get_person_for_user(user: Any, pk: int) -> Person:
    try:
        return people_visible_to(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("no such person") from None


def get_visit_for_user(user: Any, pk: int) -> VisitRecord:
    try:
        return visits_visible_to(user).select_related("person").get(pk=pk)
    except (VisitRecord.DoesNotExist, ValueError, TypeError):
        raise Http404("no such visit") from None


def get_photo_for_user(user: Any, visit_id: int) -> VisitPhoto:
    """The photo of a visit the user sees; 404 otherwise (also for a visit without a photo)."""
    visit = get_visit_for_user(user, visit_id)
    try:
        return VisitPhoto.objects.get(visit_id=visit.pk)
    except VisitPhoto.DoesNotExist:
        raise Http404("no such photo") from None


#: ``status`` values of the task list besides the task states.
ALL = "all"


def task_list(
    user: Any,
    *,
    today: date,
    status: str | None = TaskStatus.OPEN,
    under: str | None = None,
    overdue: bool | None = None,
    person_id: int | None = None,
) -> QuerySet[VisitTask]:
    """Visit tasks in the user's scope: open ones by default, overdue (earliest due) first."""
    qs = tasks_visible_to(user)
    if status and status != ALL:
        qs = qs.filter(status=status)
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    if overdue is True:
        qs = qs.filter(status=TaskStatus.OPEN, due_on__lt=today)
    elif overdue is False:
        qs = qs.exclude(Q(status=TaskStatus.OPEN) & Q(due_on__lt=today))
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs.order_by("due_on", "region_code", "id")


def open_task_of(person: Person) -> VisitTask | None:
    return (
        VisitTask.objects.filter(person=person, status=TaskStatus.OPEN)
        .select_related("tag")
        .order_by()
        .first()
    )


def visits_of(user: Any, person: Person, limit: int = 200) -> list[VisitRecord]:
    """The person's visits the user sees (made where the user works), newest first."""
    return list(
        visits_visible_to(user)
        .filter(person=person)
        .select_related("event", "photo")
        .order_by("-visited_at", "-id")[:limit]
    )


def is_overdue(task: VisitTask, today: date) -> bool:
    return task.status == TaskStatus.OPEN and task.due_on < today
