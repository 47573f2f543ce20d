"""Writes of care visits: generate the visit tasks, record a visit.

``generate_visit_tasks`` is the system's (a background task runs it; see
``wangge.care.tasks``): set-based reads per street and bulk writes, idempotent.
``do_record_visit`` is the worker's: one transaction, idempotent on the
phone's ``request_id`` (unique per visitor), field-level Chinese errors and an
audit row; "needs help" reports an event through ``do_report_event`` in the
same transaction, so a refused event stores nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from wangge.accounts.scope import prefix_q
from wangge.audit.actions import record
from wangge.care import conf, selectors
from wangge.care.choices import VISITED_OUTCOMES, TaskKind, TaskStatus, VisitOutcome
from wangge.care.models import VisitPhoto, VisitRecord, VisitTask
from wangge.lib.errors import Refusal
from wangge.people.choices import PersonStatus
from wangge.people.models import Person
from wangge.regions.choices import RegionLevel
from wangge.regions.models import Region

MAX_NOTE = 2000
#: How far in the future a visit time may lie (phone clocks drift).
CLOCK_SKEW = timedelta(minutes=5)
INVALID = gettext_lazy("Invalid input: please check the fields")
#: The event category "needs help" reports in, when ``CARE_HELP_CATEGORY`` is not set:
#: the sub-category of 特殊人群服务 named 困难群众帮扶 (独居老人、困境儿童等需要帮扶), else
#: the first sub-category of 特殊人群服务.
HELP_TOP_CATEGORY = "特殊人群服务"
HELP_CATEGORY = "困难群众帮扶"


class CareError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""


class CareConflict(CareError):
    status = 409
    code = "conflict"


class CareForbidden(CareError):
    """The user sees the person but may not record visits there."""

    status = 403
    code = "forbidden"


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _actor_label(actor: Any) -> str:
    if not _is_user(actor):
        return "系统"
    return str(getattr(actor, "display_name", "") or actor.get_username())[:150]


def _text(value: str | None, *, limit: int = MAX_NOTE) -> str:
    return (value or "").strip()[:limit]


# --- generating the visit tasks ----------------------------------------------------------------


@dataclass
class GenerationResult:
    #: People with a visit rule looked at.
    people: int = 0
    created: int = 0
    #: Open tasks of people no longer in a group with a rule, or no longer living here.
    cancelled: int = 0
    #: Open tasks moved to the place their person now lives.
    moved: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, other: GenerationResult) -> None:
        self.people += other.people
        self.created += other.created
        self.cancelled += other.cancelled
        self.moved += other.moved


def due_day(last_visit: datetime | None, frequency_days: int, today: date) -> date:
    """The next visit is due ``frequency_days`` after the last one; never visited: today."""
    if last_visit is None:
        return today
    return timezone.localdate(last_visit) + timedelta(days=frequency_days)


def _chunks(district: str | None) -> list[str]:
    """The streets (of ``district``) the work is split by: one set of queries each."""
    streets = Region.objects.filter(level=RegionLevel.STREET)
    if district:
        streets = streets.filter(prefix_q("code", [district]))
    found = list(streets.order_by("code").values_list("code", flat=True))
    if found:
        return found
    if district:
        return [district]
    return list(
        Region.objects.filter(level=RegionLevel.DISTRICT)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _batches[T](items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _generate_under(root: str, now: datetime, today: date, batch_size: int) -> GenerationResult:
    """One street: three reads (rules, open tasks, last visits), then bulk writes."""
    result = GenerationResult()
    lives_here = prefix_q("person__region_code", [root])
    # 1. The rule of every person living here in a group with one (the most frequent).
    found = selectors.rules_from(
        selectors.rule_memberships().filter(lives_here, person__status=PersonStatus.ACTIVE)
    )
    rules = {pid: rule for pid, (rule, _place) in found.items()}
    region_of = {pid: place for pid, (_rule, place) in found.items()}
    result.people = len(rules)
    # 2. The open tasks of the people living here.
    cancel: list[int] = []
    moves: dict[str, list[int]] = defaultdict(list)
    has_task: set[int] = set()
    for pk, person_id, region_code in (
        VisitTask.objects.filter(lives_here, status=TaskStatus.OPEN)
        .order_by()
        .values_list("pk", "person_id", "region_code")
    ):
        if person_id not in rules:
            cancel.append(pk)
            continue
        has_task.add(person_id)
        if region_of[person_id] != region_code:
            moves[region_of[person_id]].append(pk)
    # 3. When the others were last met.
    wanted = [pid for pid in rules if pid not in has_task]
    last: dict[int, datetime] = {}
    if wanted:
        last = dict(
            VisitRecord.objects.filter(lives_here, outcome__in=VISITED_OUTCOMES)
            .order_by()
            .values("person_id")
            .annotate(last=Max("visited_at"))
            .values_list("person_id", "last")
        )
    horizon = today + timedelta(days=conf.lead_days())
    rows: list[VisitTask] = []
    for person_id in wanted:
        rule = rules[person_id]
        due = due_day(last.get(person_id), rule.frequency_days, today)
        if due <= horizon:
            rows.append(
                VisitTask(
                    person_id=person_id,
                    region_code=region_of[person_id],
                    tag_id=rule.tag_id,
                    frequency_days=rule.frequency_days,
                    kind=TaskKind.REGULAR,
                    status=TaskStatus.OPEN,
                    due_on=due,
                    created_at=now,
                )
            )
    with transaction.atomic():
        for batch in _batches(cancel, batch_size):
            result.cancelled += VisitTask.objects.filter(
                pk__in=batch, status=TaskStatus.OPEN
            ).update(status=TaskStatus.CANCELLED, closed_at=now)
        for region_code, ids in moves.items():
            for batch in _batches(ids, batch_size):
                result.moved += VisitTask.objects.filter(
                    pk__in=batch, status=TaskStatus.OPEN
                ).update(region_code=region_code)
        # A task created meanwhile by a visit or another run wins (the partial unique index).
        VisitTask.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
        result.created = len(rows)
    return result


def generate_visit_tasks(
    *, now: datetime | None = None, district: str | None = None, batch_size: int = 2000
) -> GenerationResult:
    """Make sure every person in a special group with a visit rule has one open task once
    their next visit is due (last visit + the most frequent rule; never visited: today).

    Open tasks follow their person (moved: reassigned; no longer in such a group or no
    longer living here: cancelled).  Running it again creates nothing new.  Work is split
    by street: three reads each, whatever the number of people, then bulk writes.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    total = GenerationResult()
    for root in _chunks(district):
        total.add(_generate_under(root, now, today, batch_size))
    if total.created or total.cancelled or total.moved:
        record(
            "care.generate_tasks",
            actor=None,
            object_type="care.visittask",
            object_repr=f"生成走访任务 {total.created} 条",
            region_code=district or "",
            after=total.as_dict(),
        )
    return total


# --- recording a visit -------------------------------------------------------------------------


@dataclass
class VisitResult:
    visit: VisitRecord
    created: bool
    #: The follow-up task opened because nobody was home.
    follow_up: VisitTask | None = None
    closed: list[int] = field(default_factory=list)


def _recorded(actor: Any, request_id: str) -> VisitRecord | None:
    return (
        VisitRecord.objects.filter(visitor=actor, request_id=request_id)
        .select_related("event", "task")
        .order_by()
        .first()
    )


def _event_request_id(request_id: str | None) -> str | None:
    """The id the help event is reported with: a retried visit finds the same event."""
    if not request_id:
        return None
    return "care:" + hashlib.sha256(request_id.encode()).hexdigest()[:40]


def help_category() -> str | None:
    """The code of the category "needs help" reports in (see ``conf.help_category_code``)."""
    from wangge.events.models import Category

    wanted = conf.help_category_code()
    active = Category.objects.filter(is_active=True, parent__isnull=False)
    if wanted:
        return wanted if active.filter(code=wanted).exists() else None
    subs = active.filter(parent__name=HELP_TOP_CATEGORY).order_by("sort_order", "code")
    found = subs.filter(name=HELP_CATEGORY).values_list("code", flat=True).first()
    return found or subs.values_list("code", flat=True).first()


def _where(person: Person) -> tuple[float, float] | None:
    """A point at the person's place: the unit's point, else its centroid."""
    row = (
        Region.objects.filter(code=person.region_code)
        .values_list("point_lng", "point_lat", "centroid_lng", "centroid_lat")
        .first()
    )
    if row is None:
        return None
    point_lng, point_lat, centroid_lng, centroid_lat = row
    if point_lng is not None and point_lat is not None:
        return point_lng, point_lat
    return centroid_lng, centroid_lat


def _report_help(
    person: Person,
    *,
    actor: Any,
    note: str,
    groups: list[str],
    request_id: str | None,
    now: datetime,
) -> Any:
    """Report "needs help" as an event at the person's place, by the visitor."""
    from wangge.events.actions import EventError, do_report_event

    category = help_category()
    if category is None:
        raise CareError(
            INVALID,
            {
                "outcome": _(
                    "The event catalogue has no “special groups services” category: "
                    "help cannot be reported"
                )
            },
        )
    point = _where(person)
    if point is None:
        raise CareError(
            INVALID,
            {"outcome": _("The visited person's place cannot be found: help cannot be reported")},
        )
    who = f"{person.name}（{'、'.join(groups)}）" if groups else person.name
    description = f"关爱走访发现需要帮助：{note}\n走访对象：{who}"
    try:
        result = do_report_event(
            actor=actor,
            category=category,
            description=description,
            lng=point[0],
            lat=point[1],
            title=f"关爱走访：{person.name}需要帮助"[:100],
            address=person.residence_address,
            request_id=_event_request_id(request_id),
            now=now,
        )
    except EventError as exc:
        detail = pgettext("separator", "; ").join(dict.fromkeys(exc.fields.values()))
        detail = detail or exc.message
        raise CareError(
            INVALID,
            {"outcome": _("Reporting the help event failed: %(detail)s") % {"detail": detail}},
        ) from None
    return result.event


def _claim_photo(photo_id: int | None, actor: Any) -> VisitPhoto | None:
    if photo_id is None:
        return None
    pool = VisitPhoto.objects.filter(pk=photo_id, visit__isnull=True)
    if _is_user(actor):
        pool = pool.filter(uploader=actor)
    found = pool.first()
    if found is None:
        raise CareError(
            INVALID,
            {"photo_id": _("The photo does not exist or is already used: please upload it again")},
        )
    return found


@transaction.atomic
def do_record_visit(
    person: Person,
    *,
    actor: Any,
    outcome: str,
    note: str = "",
    visited_at: datetime | None = None,
    photo_id: int | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> VisitResult:
    """Record a visit to ``person``: it closes their open task; "not home" opens a follow-up
    due ``CARE_NOT_HOME_FOLLOW_UP_DAYS`` later; "needs help" reports an event (特殊人群服务)
    at the person's place and links it.  The same ``request_id`` from the same visitor
    answers with the visit the first request stored (``created=False``)."""
    request_id = _text(request_id, limit=64) or None
    if request_id and _is_user(actor):
        existing = _recorded(actor, request_id)
        if existing is not None:
            return VisitResult(existing, False)
    now = now or timezone.now()
    # One visit of a person at a time: the open task and the follow-up stay consistent.
    person = Person.objects.select_for_update().get(pk=person.pk)
    if request_id and _is_user(actor):
        existing = _recorded(actor, request_id)  # stored while we waited for the lock
        if existing is not None:
            return VisitResult(existing, False)
    # Checked on the locked row: a person moved meanwhile is no longer this actor's to visit.
    if actor is not None and not selectors.can_record_at(actor, person.region_code):
        raise CareForbidden(_("You may not record care visits in this grid"))
    errors: dict[str, str] = {}
    if outcome not in VisitOutcome.values:
        errors["outcome"] = _("Unknown visit outcome")
    text = _text(note)
    if outcome == VisitOutcome.NEEDS_HELP and not text:
        errors["note"] = _("Please say what help is needed")
    when = visited_at or now
    if timezone.is_naive(when):
        errors["visited_at"] = _("The time must include a time zone")
    elif when > now + CLOCK_SKEW:
        errors["visited_at"] = _("The visit cannot be later than now")
    elif when < now - timedelta(days=conf.max_backdate_days()):
        errors["visited_at"] = _(
            "Only visits of the last %(days)s days can be recorded afterwards"
        ) % {"days": conf.max_backdate_days()}
    if person.status != PersonStatus.ACTIVE:
        errors["person_id"] = _("This resident has left or died: no visit is needed")
    photo: VisitPhoto | None = None
    try:
        photo = _claim_photo(photo_id, actor)
    except CareError as exc:
        errors.update(exc.fields)
    if errors:
        raise CareError(INVALID, errors)
    task = (
        VisitTask.objects.select_for_update()
        .filter(person=person, status=TaskStatus.OPEN)
        .order_by()
        .first()
    )
    rule = selectors.rules_of([person.pk]).get(person.pk)
    event = None
    if outcome == VisitOutcome.NEEDS_HELP:
        groups = selectors.group_names([person.pk]).get(person.pk, [])
        event = _report_help(
            person, actor=actor, note=text, groups=groups, request_id=request_id, now=now
        )
    visit = VisitRecord(
        person=person,
        region_code=person.region_code,
        task=task,
        outcome=outcome,
        note=text,
        visited_at=when,
        on_time=task is None or timezone.localdate(when) <= task.due_on,
        visitor=actor if _is_user(actor) else None,
        visitor_label=_actor_label(actor),
        event=event,
        request_id=(request_id or "") if _is_user(actor) else "",
        recorded_at=now,
    )
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        # The same request id raced in from a second connection: answer with its visit.
        existing = _recorded(actor, request_id) if request_id else None
        if existing is None:
            raise
        return VisitResult(existing, False)
    result = VisitResult(visit, True)
    if task is not None:
        closed = VisitTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
            status=TaskStatus.DONE, closed_at=now
        )
        if closed != 1:  # pragma: no cover - the row lock makes this unreachable
            raise CareConflict(
                _("Somebody else has completed this visit task: please reload and try again")
            )
        task.status, task.closed_at = TaskStatus.DONE, now
        result.closed.append(task.pk)
    days = conf.follow_up_days()
    if outcome == VisitOutcome.NOT_HOME and rule is not None and days is not None:
        result.follow_up = VisitTask.objects.create(
            person=person,
            region_code=person.region_code,
            tag_id=rule.tag_id,
            frequency_days=rule.frequency_days,
            kind=TaskKind.FOLLOW_UP,
            status=TaskStatus.OPEN,
            due_on=timezone.localdate(when) + timedelta(days=days),
            follows=visit,
            created_at=now,
        )
    if photo is not None:
        claimed = VisitPhoto.objects.filter(pk=photo.pk, visit__isnull=True).update(visit=visit)
        if claimed != 1:
            raise CareConflict(
                _("The photo is already used by another visit: please upload it again"),
                {"photo_id": _("The photo is already used")},
            )
    record(
        "care.record_visit",
        actor=actor,
        obj=visit,
        region_code=person.region_code,
        after={
            "person": person.pk,
            "outcome": outcome,
            "visited_at": when.isoformat(),
            "task": task.pk if task else None,
            "on_time": visit.on_time,
            "event": event.pk if event else None,
            "follow_up": result.follow_up.pk if result.follow_up else None,
            "photo": photo.pk if photo else None,
        },
        reason=text[:200],
    )
    return result
