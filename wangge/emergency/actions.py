"""Writes of emergency mode: switch an area in (generating its tasks), record an outcome,
switch back (archiving the emergency with its final coverage).

Each action runs in one transaction, checks the actor's rights at the place,
validates with field-level Chinese messages and writes an audit row.
``actor=None`` is the system (seed, tests).

Concurrency:

* activations of one district are serialised by a row lock on the district's
  region, so two nested areas switched in at the same moment cannot both pass
  the overlap check (the same area twice is also refused by a constraint);
* an outcome takes a share lock on its emergency (PostgreSQL ``FOR SHARE``) and
  switching back an exclusive one, so no outcome lands after the final record
  was taken; outcomes of one emergency do not wait for each other;
* the same ``request_id`` from the same user stores one outcome, also when two
  identical requests race (the unique constraint decides, the loser answers
  with the winner's row).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.audit.actions import record
from wangge.emergency import selectors
from wangge.emergency.choices import AREA_LEVELS, EmergencyKind, EmergencyStatus
from wangge.emergency.models import Emergency, OutcomeOption, OutcomeRecord, Task
from wangge.emergency.targets import generate_tasks
from wangge.lib import codes
from wangge.lib.errors import Refusal
from wangge.lib.language import in_data_language

INVALID = gettext_lazy("Invalid input: please check the fields")
OUTSIDE = gettext_lazy("This area does not exist, or is outside where you may start an emergency")
ARCHIVED = gettext_lazy(
    "This emergency has been lifted and its tasks archived: no more outcomes can be recorded"
)
MAX_TITLE = 100
MAX_NOTE = 500
#: How far in the future a recorded time may lie (phone clocks drift).
CLOCK_SKEW = timedelta(minutes=5)


class EmergencyError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""


class EmergencyConflict(EmergencyError):
    """Illegal in the current state (overlapping emergency, already archived…)."""

    status = 409
    code = "conflict"


class EmergencyForbidden(EmergencyError):
    """The user sees the emergency or task but may not take this action."""

    status = 403
    code = "forbidden"


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _actor_label(actor: Any) -> str:
    if not _is_user(actor):
        return "系统"
    return str(getattr(actor, "display_name", "") or actor.get_username())[:150]


def _text(value: str | None, *, limit: int) -> str:
    return (value or "").strip()[:limit]


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _request_uuid(value: str | uuid.UUID | None) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise EmergencyError(INVALID, {"request_id": _("Must be a UUID")}) from None


def overlap_message(found: Emergency, names: dict[str, str]) -> str:
    area = names.get(found.region_code, found.region_code)
    return _(
        "“%(area)s” is in a “%(kind)s” emergency (%(title)s), which overlaps this area; an area "
        "can be in only one emergency at a time: please lift that one before starting another"
    ) % {"area": area, "kind": found.get_kind_display(), "title": found.title}


# --- switch in -------------------------------------------------------------------------


@dataclass
class ActivationResult:
    emergency: Emergency
    created: bool
    #: Tasks generated per target kind (empty when answering a repeated request).
    counts: dict[str, int]


def _activated(actor: Any, request_id: str) -> Emergency | None:
    return (
        Emergency.objects.filter(activated_by=actor, client_request_id=request_id)
        .order_by()
        .first()
    )


def _lock_district(code: str) -> None:
    """Serialise activations in the district (a row lock on its region; no-op on SQLite)."""
    from wangge.regions.models import Region

    list(Region.objects.select_for_update().filter(code=code[:6]).values_list("pk", flat=True))


@transaction.atomic
def do_activate_emergency(
    *,
    actor: Any,
    region_code: str,
    kind: str,
    title: str = "",
    started_at: datetime | None = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> ActivationResult:
    """Switch an area into emergency mode and generate its point-to-point tasks.

    Refused (409) when an active emergency covers the area, lies inside it or
    contains it.  The same ``request_id`` from the same user answers with the
    emergency the first request started (``created=False``).
    """
    if actor is not None and not selectors.can_activate(actor):
        raise EmergencyForbidden(_("You may not start emergencies"))
    request_id = _text(request_id, limit=64)
    if request_id and _is_user(actor):
        existing = _activated(actor, request_id)
        if existing is not None:
            return ActivationResult(existing, False, {})
    now = now or timezone.now()
    errors: dict[str, str] = {}
    code = (region_code or "").strip()
    region = None
    if codes.is_valid(code) and codes.level_of(code).name.lower() in AREA_LEVELS:
        from wangge.regions.models import Region

        region = Region.objects.filter(code=code).only("pk", "code", "name", "level").first()
    if region is None or (actor is not None and not selectors.can_activate_at(actor, code)):
        # An area that does not exist and one outside the actor's reach answer alike.
        errors["region_code"] = str(OUTSIDE)
    if kind not in EmergencyKind.values:
        errors["kind"] = _("Unknown kind of emergency")
    text = _text(title, limit=MAX_TITLE + 1)
    if len(text) > MAX_TITLE:
        errors["title"] = _("The name can be at most %(limit)s characters") % {"limit": MAX_TITLE}
    when = _aware(started_at) if started_at is not None else now
    if when > now + CLOCK_SKEW:
        errors["started_at"] = _("The start cannot be later than now")
    if errors:
        raise EmergencyError(INVALID, errors)
    assert region is not None  # noqa: S101 - narrowed by the checks above
    if not text:
        # Stored, and seen by everybody: in the installation's language.
        text = f"{in_data_language(EmergencyKind(kind).label)}应急响应"
    _lock_district(code)
    found = selectors.active_overlapping(code)
    if found:
        names = selectors.region_names(e.region_code for e in found)
        message = overlap_message(found[0], names)
        raise EmergencyConflict(message, {"region_code": message})
    emergency = Emergency(
        kind=kind,
        title=text,
        region=region,
        region_code=code,
        status=EmergencyStatus.ACTIVE,
        started_at=when,
        activated_by=actor if _is_user(actor) else None,
        activated_by_label=_actor_label(actor),
        client_request_id=request_id if _is_user(actor) else "",
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            emergency.save()
    except IntegrityError:
        existing = _activated(actor, request_id) if request_id and _is_user(actor) else None
        if existing is not None:
            return ActivationResult(existing, False, {})
        message = _("This area is already in an emergency: please reload to see it")
        raise EmergencyConflict(message, {"region_code": message}) from None
    counts = generate_tasks(emergency)
    emergency.task_count = sum(counts.values())
    Emergency.objects.filter(pk=emergency.pk).update(task_count=emergency.task_count)
    record(
        "emergency.activate",
        actor=actor,
        obj=emergency,
        after={
            "kind": kind,
            "title": text,
            "region_code": code,
            "started_at": when.isoformat(),
            "tasks": counts,
        },
    )
    return ActivationResult(emergency, True, counts)


# --- outcomes --------------------------------------------------------------------------


@dataclass
class OutcomeResult:
    record: OutcomeRecord
    created: bool


def _recorded(actor: Any, request_id: uuid.UUID) -> OutcomeRecord | None:
    found = list(
        OutcomeRecord.objects.filter(recorded_by=actor, request_id=request_id)
        .order_by()
        .values_list("pk", flat=True)[:1]
    )
    if not found:
        return None
    return OutcomeRecord.objects.select_related("task__emergency", "task__outcome", "outcome").get(
        pk=found[0]
    )


def _emergency_status(emergency_id: int) -> str:
    """The emergency's status, read under a share lock (PostgreSQL) that switching back waits
    for; elsewhere the database serialises writers anyway."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Emergency._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT status FROM {table} WHERE id = %s FOR SHARE",  # noqa: S608 - quoted name
                [emergency_id],
            )
            row = cursor.fetchone()
        return str(row[0]) if row else ""
    return str(
        Emergency.objects.filter(pk=emergency_id).values_list("status", flat=True).first() or ""
    )


@transaction.atomic
def do_record_outcome(
    *,
    actor: Any,
    task_id: int,
    outcome: str,
    note: str = "",
    request_id: str | uuid.UUID | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> OutcomeResult:
    """Record what happened at a target (one tap).  The latest outcome (by when it was done)
    is the task's; a final one counts it as covered.

    The same ``request_id`` from the same user answers with the first record
    (``created=False``), whatever else the repeated request says.
    """
    rid = _request_uuid(request_id)
    if rid is not None and _is_user(actor):
        existing = _recorded(actor, rid)
        if existing is not None:
            return OutcomeResult(existing, False)
    now = now or timezone.now()
    if actor is None:
        task = Task.objects.select_related("emergency").filter(pk=task_id).first()
        if task is None:
            raise Http404("no such task")
    else:
        task = selectors.get_task_for_user(actor, task_id)
        if not selectors.can_record_at(actor, task.region_code):
            raise EmergencyForbidden(_("You may not record the outcome of this task"))
    if _emergency_status(task.emergency_id) != EmergencyStatus.ACTIVE:
        raise EmergencyConflict(ARCHIVED)
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("emergency", "outcome")
        .get(pk=task.pk)
    )
    errors: dict[str, str] = {}
    option = (
        OutcomeOption.objects.filter(
            target_kind=task.target_kind, code=(outcome or "").strip(), is_active=True
        )
        .order_by()
        .first()
    )
    if option is None:
        errors["outcome"] = _("This task has no such outcome")
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        errors["note"] = _("The note can be at most %(limit)s characters") % {"limit": MAX_NOTE}
    when = _aware(at) if at is not None else now
    if when > now + CLOCK_SKEW:
        errors["at"] = _("The time cannot be later than now")
    elif when < task.emergency.started_at - CLOCK_SKEW:
        errors["at"] = _("The time is earlier than the start of the emergency")
    if errors:
        raise EmergencyError(INVALID, errors)
    assert option is not None  # noqa: S101 - narrowed by the checks above
    entry = OutcomeRecord(
        task=task,
        outcome=option,
        is_final=option.is_final,
        note=text,
        recorded_by=actor if _is_user(actor) else None,
        by_label=_actor_label(actor),
        request_id=rid if _is_user(actor) else None,
        at=when,
        created_at=now,
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # The same request id raced in from a second connection: answer with its record.
        existing = _recorded(actor, rid) if rid is not None else None
        if existing is None:
            raise
        return OutcomeResult(existing, False)
    before = {"outcome": task.outcome.code if task.outcome else "", "covered": task.covered}
    if task.outcome_at is None or when >= task.outcome_at:
        changes = {
            "outcome": option,
            "outcome_note": text,
            "outcome_at": when,
            "outcome_by_label": entry.by_label,
            "covered": option.is_final,
        }
        Task.objects.filter(pk=task.pk).update(**changes)
        for name, value in changes.items():
            setattr(task, name, value)
    entry.task = task
    record(
        "emergency.outcome",
        actor=actor,
        obj=task,
        before=before,
        after={
            "outcome": option.code,
            "covered": task.covered,
            "record": entry.pk,
            "at": when.isoformat(),
        },
        reason=text,
    )
    return OutcomeResult(entry, True)


# --- switch back -----------------------------------------------------------------------


def final_rows(emergency: Emergency) -> list[list[Any]]:
    return [list(row) for row in selectors.coverage_counts(emergency, None)]


@transaction.atomic
def do_deactivate_emergency(
    emergency: Emergency, *, actor: Any, note: str = "", now: datetime | None = None
) -> Emergency:
    """Switch the area back to normal: the emergency is archived with its final coverage,
    its tasks become read-only and leave the workers' lists."""
    if actor is not None and not selectors.can_activate_at(actor, emergency.region_code):
        raise EmergencyForbidden(_("You may not lift this emergency"))
    now = now or timezone.now()
    locked = Emergency.objects.select_for_update().get(pk=emergency.pk)
    if locked.status != EmergencyStatus.ACTIVE:
        raise EmergencyConflict(_("This emergency has already been lifted"))
    text = _text(note, limit=MAX_NOTE + 1)
    if len(text) > MAX_NOTE:
        raise EmergencyError(
            INVALID,
            {"note": _("The note can be at most %(limit)s characters") % {"limit": MAX_NOTE}},
        )
    rows = final_rows(locked)
    tasks = sum(r[2] for r in rows)
    covered = sum(r[3] for r in rows)
    changes: dict[str, Any] = {
        "status": EmergencyStatus.ARCHIVED,
        "ended_at": max(now, locked.started_at),
        "deactivated_by": actor if _is_user(actor) else None,
        "deactivated_by_label": _actor_label(actor),
        "closing_note": text,
        "final_tasks": tasks,
        "final_covered": covered,
        "final_coverage": rows,
        "updated_at": now,
    }
    updated = Emergency.objects.filter(pk=locked.pk, status=EmergencyStatus.ACTIVE).update(
        **changes
    )
    if updated != 1:  # pragma: no cover - the row lock makes this unreachable
        raise EmergencyConflict(_("This emergency has already been lifted"))
    for name, value in changes.items():
        setattr(locked, name, value)
    record(
        "emergency.deactivate",
        actor=actor,
        obj=locked,
        before={"status": EmergencyStatus.ACTIVE},
        after={"status": EmergencyStatus.ARCHIVED, "tasks": tasks, "covered": covered},
        reason=text,
    )
    return locked
