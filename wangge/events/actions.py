"""Writes to events: one action per transition of the life cycle.

Each action runs in one transaction, checks the transition table and the
actor's rights, then moves the event with a compare-and-set on
``(state, version)``: of two conflicting requests exactly one wins, the other
gets ``EventConflict`` (HTTP 409).  Every change writes a timeline step and an
audit row; notifications go out after commit.  ``actor=None`` is the system.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from wangge.accounts.models import Department
from wangge.accounts.scope import scope_for
from wangge.audit.actions import audit_entry, record
from wangge.audit.models import AuditEntry
from wangge.events import selectors
from wangge.events.choices import (
    ATTACHMENT_KINDS,
    FINAL_STATES,
    NEXT_LEVEL,
    TRANSITIONS,
    AttachmentKind,
    EventAction,
    EventSource,
    EventState,
    ExtensionState,
    FollowVia,
    HandlingLevel,
    PartState,
    Satisfaction,
    TimeUnit,
)
from wangge.events.models import (
    Attachment,
    Category,
    Event,
    EventFollower,
    EventNumberSequence,
    EventPart,
    EventStep,
    ExtensionRequest,
    ReturnVisit,
)
from wangge.events.notifications import notify
from wangge.events.worktime import deadline
from wangge.lib.errors import Refusal
from wangge.regions import spatial

MAX_ATTACHMENTS = 9
MAX_NOTE = 2000


class EventError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages.

    Messages are in the language active when the error is raised (the user's; Chinese under
    ``data_language()``, e.g. for Open311): lazy texts are turned into ``str`` here.
    """


class EventConflict(EventError):
    """Illegal in the event's current state, or somebody else changed it first."""

    status = 409
    code = "conflict"


class EventForbidden(EventError):
    """The user sees the event but may not take this action on it."""

    status = 403
    code = "forbidden"


INVALID = gettext_lazy("Invalid input: please check the fields.")
OUTSIDE = gettext_lazy("This place is outside the grids you may report in.")


def _listed(items: Sequence[str]) -> str:
    """``items`` joined as a list in the active language (、 in Chinese)."""
    return pgettext("list separator", ", ").join(items)


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _actor_label(actor: Any) -> str:
    if not _is_user(actor):
        return "系统"
    return str(getattr(actor, "display_name", "") or actor.get_username())[:150]


def _state_label(state: str) -> str:
    return str(EventState(state).label) if state in EventState.values else state


def _action_label(action: str) -> str:
    return str(EventAction(action).label)


def _text(value: str | None, *, limit: int = MAX_NOTE) -> str:
    return (value or "").strip()[:limit]


def _required(value: str | None, field_name: str, message: str) -> str:
    text = _text(value)
    if not text:
        raise EventError(INVALID, {field_name: message})
    return text


def _attachments(items: Sequence[int | str] | None, actor: Any, action: str) -> list[Attachment]:
    """The actor's unclaimed uploads named by ``items`` (ids), checked for ``action``."""
    ids: list[int] = []
    for item in items or []:
        try:
            value = int(item)
        except (TypeError, ValueError):
            raise EventError(INVALID, {"attachments": _("Invalid attachment id.")}) from None
        if not 0 < value < 2**63:  # beyond a database integer: no such photo, not a 500
            raise EventError(INVALID, {"attachments": _("Invalid attachment id.")})
        if value not in ids:
            ids.append(value)
    if not ids:
        return []
    if len(ids) > MAX_ATTACHMENTS:
        raise EventError(
            INVALID, {"attachments": _("At most %(count)d photos.") % {"count": MAX_ATTACHMENTS}}
        )
    pool = Attachment.objects.filter(pk__in=ids, event__isnull=True)
    if _is_user(actor):
        pool = pool.filter(uploader=actor)
    found = {a.pk: a for a in pool}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise EventError(
            INVALID,
            {
                "attachments": _(
                    "Photos not found or already used: %(ids)s. Please upload them again."
                )
                % {"ids": _listed(missing)}
            },
        )
    allowed = ATTACHMENT_KINDS.get(action, frozenset())
    for attachment in found.values():
        if attachment.kind not in allowed:
            label = AttachmentKind(attachment.kind).label
            text = _("“%(kind)s” photos cannot be used for “%(action)s”.") % {
                "kind": label,
                "action": _action_label(action),
            }
            raise EventError(INVALID, {"attachments": text})
    return [found[i] for i in ids]


def _check(event: Event, action: str, actor: Any, *, version: int | None = None) -> None:
    """The transition table, the client's version, then the actor's right to act."""
    if event.state not in TRANSITIONS[action].sources:
        raise EventConflict(
            _("The event is “%(state)s”: “%(action)s” is not possible.")
            % {"state": _state_label(event.state), "action": _action_label(action)}
        )
    if version is not None and version != event.version:
        raise EventConflict(
            _("Someone else has updated this event: please reload and try again."),
            {"version": _("Out of date.")},
        )
    if actor is not None and not selectors.may(actor, action, event):
        raise EventForbidden(_not_allowed(action))


def _not_allowed(action: str) -> str:
    return _("You may not “%(action)s” this event.") % {"action": _action_label(action)}


def _step(
    event: Event,
    action: str,
    *,
    actor: Any,
    from_state: str,
    now: datetime,
    note: str = "",
    photos: Sequence[Attachment] = (),
    data: dict[str, Any] | None = None,
) -> EventStep:
    step = EventStep.objects.create(
        event=event,
        at=now,
        actor=actor if _is_user(actor) else None,
        actor_label=_actor_label(actor),
        action=action,
        from_state=from_state,
        to_state=event.state,
        note=note,
        attachments=[a.pk for a in photos],
        data=data or {},
    )
    if photos:
        # Claimed by a compare-and-set: a photo belongs to one step of one event.
        claimed = Attachment.objects.filter(
            pk__in=[a.pk for a in photos], event__isnull=True
        ).update(event=event, step=step)
        if claimed != len(photos):
            raise EventConflict(
                _("The photos were used by another action: please upload them again."),
                {"attachments": _("Photo already used.")},
            )
        for photo in photos:
            photo.event_id, photo.step_id = event.pk, step.pk
    record(
        f"events.{action}",
        actor=actor,
        obj=event,
        before={"state": from_state} if from_state else None,
        after={"state": event.state, "version": event.version, **(data or {})},
        reason=note,
    )
    transaction.on_commit(partial(notify, event.pk, action, step.pk))
    return step


def _apply(
    event: Event,
    action: str,
    *,
    actor: Any,
    now: datetime,
    to_state: str | None = None,
    note: str = "",
    photos: Sequence[Attachment] = (),
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> EventStep:
    """Compare-and-set the event to ``to_state`` with ``changes``; write the step and audit."""
    target = to_state or event.state
    if target not in TRANSITIONS[action].targets:  # pragma: no cover - a programming error
        raise AssertionError(f"{action} cannot lead to {target}")
    old_state, old_version = event.state, event.version
    values: dict[str, Any] = {
        "state": target,
        "version": old_version + 1,
        "updated_at": now,
        **(changes or {}),
    }
    updated = Event.objects.filter(pk=event.pk, state=old_state, version=old_version).update(
        **values
    )
    if updated != 1:
        raise EventConflict(_("Someone else has acted on this event: please reload and try again."))
    for name, value in values.items():
        setattr(event, name, value)
    return _step(
        event,
        action,
        actor=actor,
        from_state=old_state,
        now=now,
        note=note,
        photos=photos,
        data=data,
    )


def _locked(event: Event) -> Event:
    """A fresh copy of the event, row-locked until the transaction ends."""
    return Event.objects.select_for_update().select_related("category").get(pk=event.pk)


def _department(
    event: Event, code: str | Department | None, field_name: str = "department"
) -> Department:
    if isinstance(code, Department):
        if code.district.code != event.district_code:
            raise EventError(
                INVALID, {field_name: _("This department is not in the event's district.")}
            )
        return code
    wanted = (code or "").strip() or event.category.default_department_code
    if not wanted:
        raise EventError(
            INVALID,
            {field_name: _("This kind of event has no default department: please choose one.")},
        )
    found = Department.objects.filter(district__code=event.district_code, code=wanted).first()
    if found is None:
        raise EventError(
            INVALID, {field_name: _("Unknown department: %(code)s") % {"code": wanted}}
        )
    return found


def _due(start: datetime, amount: int, unit: str) -> datetime:
    return deadline(start, amount, unit)


# --- intake -------------------------------------------------------------------


def _default_source(actor: Any) -> str:
    if not _is_user(actor):
        return EventSource.INSPECTION
    roles = set(scope_for(actor).roles)
    if roles & {
        "grid_worker",
        "part_time_worker",
        "community_staff",
        "dept_member",
        "liaison_leader",
    }:
        return EventSource.GRID_WORKER
    if "dept_handler" in roles:
        return EventSource.DEPARTMENT
    if roles & {"dispatcher", "leader", "admin"} or scope_for(actor).is_global:
        return EventSource.HOTLINE
    return EventSource.RESIDENT


def _increment_sequence(key: str, by: int = 1) -> int | None:
    """``last + by`` of the sequence row ``key`` (row-locked until commit), or None if absent."""
    connection = connections[EventNumberSequence.objects.db]
    if connection.vendor in ("postgresql", "sqlite"):
        # One round trip instead of an UPDATE and a SELECT: this row is every report's
        # hot spot in a district, so the less done while it is locked the better.
        qn = connection.ops.quote_name
        table = qn(EventNumberSequence._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {qn('last')} = {qn('last')} + %s "  # noqa: S608 - quoted names
                f"WHERE {qn('key')} = %s RETURNING {qn('last')}",
                [by, key],
            )
            row = cursor.fetchone()
        return int(row[0]) if row else None
    if not EventNumberSequence.objects.filter(key=key).update(last=F("last") + by):
        return None  # pragma: no cover - other backends
    return int(  # pragma: no cover - other backends
        EventNumberSequence.objects.filter(key=key).values_list("last", flat=True).get()
    )


def _next_numbers(district_code: str, now: datetime, count: int = 1) -> list[str]:
    """``count`` numbers ``<district><yyyymmdd><5-digit sequence>``, e.g. 4407042026112100001."""
    key = f"{district_code}{timezone.localtime(now):%Y%m%d}"
    for _attempt in range(5):
        last = _increment_sequence(key, count)
        if last is None:
            try:
                with transaction.atomic():
                    EventNumberSequence.objects.create(key=key, last=count)
                last = count
            except IntegrityError:
                continue  # created concurrently: take the update path
        return [f"{key}{n:05d}" for n in range(last - count + 1, last + 1)]
    raise EventConflict(_("Could not number the event: please try again."))  # pragma: no cover


def _next_number(district_code: str, now: datetime) -> str:
    return _next_numbers(district_code, now)[0]


@dataclass
class ReportResult:
    event: Event
    created: bool
    #: For a new event: its first timeline step and the photos it took (no need to reload).
    step: EventStep | None = None
    photos: list[Attachment] = field(default_factory=list)


def _reported(actor: Any, request_id: str) -> Event | None:
    """The event ``actor`` reported with ``request_id`` (unique per reporter), if any."""
    # Nearly always there is none: ask for the id alone, fetch the row only when found.
    found = list(
        Event.objects.filter(reporter=actor, client_request_id=request_id)
        .order_by()
        .values_list("pk", flat=True)[:1]
    )
    if not found:
        return None
    return Event.objects.select_related("category__parent").get(pk=found[0])


def _valid_point(lng: Any, lat: Any) -> bool:
    return (
        isinstance(lng, int | float)
        and isinstance(lat, int | float)
        and math.isfinite(lng)
        and math.isfinite(lat)
        and -180 <= lng <= 180
        and -90 <= lat <= 90
    )


@dataclass(frozen=True)
class ReportInput:
    """One report as a client sends it (the fields of ``POST /api/v1/events``)."""

    category: str
    description: str
    lng: float
    lat: float
    title: str = ""
    address: str = ""
    source: str | None = None
    reporter_contact: str = ""
    request_id: str | None = None
    attachments: Sequence[int | str] = ()
    #: Hide the reporter from public views (staff still see the contact, masked).
    anonymous: bool = False


def _check_report(
    actor: Any,
    report: ReportInput,
    *,
    found: Category | None,
    location: tuple[str | None, str | None] | None,
    now: datetime,
) -> tuple[Event | None, dict[str, str]]:
    """Validate one report; the unsaved event (without its number) or the field errors.

    ``found`` is the active sub-category for ``report.category`` (None if unknown);
    ``location`` the (grid, unit) of the point, None when the point is not valid.
    """
    errors: dict[str, str] = {}
    if found is None:
        errors["category"] = _("Unknown event category.")
    description = _text(report.description)
    if not description:
        errors["description"] = _("Please describe the problem.")
    source = report.source
    if source is None:
        source = _default_source(actor)
    elif source not in EventSource.values:
        errors["source"] = _("Unknown source.")
    elif (
        _is_user(actor)
        and set(scope_for(actor).roles) <= {"resident"}
        and not scope_for(actor).is_global
    ):
        if source != EventSource.RESIDENT:
            errors["source"] = _("Residents can only report with the source “Resident”.")
    grid_code = unit_code = None
    if location is None:
        errors["lng"] = errors["lat"] = _("Invalid coordinates.")
    else:
        grid_code, unit_code = location
        region_code = unit_code or grid_code
        if region_code is None or (
            actor is not None and not selectors.can_report_at(actor, region_code)
        ):
            # Outside every grid and outside the reporter's area answer alike.
            errors["lng"] = errors["lat"] = str(OUTSIDE)
    if errors or found is None or grid_code is None:
        return None, errors
    request_id = (report.request_id or "").strip()
    event = Event(
        title=_text(report.title, limit=100) or found.name,
        description=description,
        category=found,
        source=source,
        state=EventState.REPORTED,
        version=1,
        region_code=unit_code or grid_code,
        grid_code=grid_code,
        district_code=grid_code[:6],
        lng=float(report.lng),
        lat=float(report.lat),
        address=_text(report.address, limit=200),
        reporter=actor if _is_user(actor) else None,
        reporter_contact=_text(report.reporter_contact, limit=64),
        client_request_id=request_id if _is_user(actor) else "",
        anonymous=bool(report.anonymous),
        level=getattr(settings, "EVENTS_DEFAULT_LEVEL", HandlingLevel.STREET),
        reported_at=now,
        updated_at=now,
    )
    return event, {}


def _report_step(event: Event, actor: Any, photos: Sequence[Attachment] = ()) -> EventStep:
    """The unsaved first timeline step of a new event."""
    return EventStep(
        event=event,
        at=event.reported_at,
        actor=actor if _is_user(actor) else None,
        actor_label=_actor_label(actor),
        action=EventAction.REPORT,
        from_state="",
        to_state=event.state,
        note=event.description[:200],
        attachments=[a.pk for a in photos],
        data=_report_data(event),
    )


def _report_data(event: Event) -> dict[str, Any]:
    return {
        "category": event.category.code,
        "source": event.source,
        "region_code": event.region_code,
    }


@transaction.atomic
def do_report_event(
    *,
    actor: Any,
    category: str,
    description: str,
    lng: float,
    lat: float,
    title: str = "",
    address: str = "",
    source: str | None = None,
    reporter_contact: str = "",
    request_id: str | None = None,
    attachments: Sequence[int | str] | None = None,
    now: datetime | None = None,
    anonymous: bool = False,
) -> ReportResult:
    """Report a problem at a point.  The same ``request_id`` from the same reporter returns the
    event the first request created (``created=False``)."""
    request_id = (request_id or "").strip() or None
    if request_id and _is_user(actor):
        existing = _reported(actor, request_id)
        if existing is not None:
            return ReportResult(existing, False)
    now = now or timezone.now()
    report = ReportInput(
        category=category,
        description=description,
        lng=lng,
        lat=lat,
        title=title,
        address=address,
        source=source,
        reporter_contact=reporter_contact,
        request_id=request_id,
        attachments=attachments or (),
        anonymous=anonymous,
    )
    # Unique lookups without ORDER BY (``first()`` would sort by the model's ordering).
    found = next(iter(selectors.report_categories([category]).values()), None)
    location = None
    if _valid_point(lng, lat):
        where = spatial.locate(lng, lat)
        location = (where.grid_code, where.unit_code)
    event, errors = _check_report(actor, report, found=found, location=location, now=now)
    photos: list[Attachment] = []
    try:
        photos = _attachments(attachments, actor, EventAction.REPORT)
    except EventError as exc:
        errors.update(exc.fields)
    if errors or event is None:
        # A twin of this request (a phone trying again while its first try was still being
        # answered) may have stored the event meanwhile: its photos then read as used.
        existing = _reported(actor, request_id) if request_id and _is_user(actor) else None
        if existing is not None:
            return ReportResult(existing, False)
        raise EventError(INVALID, errors)
    event.number = _next_number(event.grid_code[:6], now)
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        # The same request id raced in from a second connection: answer with its event.
        existing = _reported(actor, request_id) if request_id else None
        if existing is None:
            raise
        return ReportResult(existing, False)
    step = _step(
        event,
        EventAction.REPORT,
        actor=actor,
        from_state="",
        now=now,
        note=event.description[:200],
        photos=photos,
        data=_report_data(event),
    )
    return ReportResult(event, True, step, photos)


# --- many reports in one request: a phone syncing its offline queue -----------------

#: The most reports one batch may carry.
MAX_BATCH = 200


@dataclass
class BatchOutcome:
    """What became of one report of a batch."""

    index: int
    request_id: str
    #: ``created``, ``existing`` (sent before: the event it created) or ``invalid``.
    status: str
    event: Event | None = None
    fields: dict[str, str] = field(default_factory=dict)
    message: str = ""


def do_report_events(
    reports: Sequence[ReportInput], *, actor: Any, now: datetime | None = None
) -> list[BatchOutcome]:
    """Report several events at once, each on its own terms.

    Every report needs its ``request_id``: a report sent before (in an earlier
    batch, alone, or twice in this one) answers with the event it created; an
    invalid report is refused with its field errors and does not hold up the
    others.  The valid new reports are written together in one transaction,
    with their numbers, timeline steps and audit rows, which is what makes a
    phone's sync of a long offline queue quick.  Reports with photos, and every
    report when two batches race with the same request ids, go one by one
    through ``do_report_event``.
    """
    if not _is_user(actor):
        raise EventForbidden(_("A batch of reports must come from a signed-in user."))
    if not reports:
        raise EventError(INVALID, {"reports": _("At least one report is needed.")})
    if len(reports) > MAX_BATCH:
        raise EventError(
            INVALID, {"reports": _("At most %(count)d reports at a time.") % {"count": MAX_BATCH}}
        )
    now = now or timezone.now()
    outcomes: list[BatchOutcome | None] = [None] * len(reports)
    ids = [(r.request_id or "").strip() for r in reports]
    known = {
        e.client_request_id: e
        for e in Event.objects.filter(
            reporter=actor, client_request_id__in=[i for i in ids if i]
        ).select_related("category__parent")
    }
    first_index: dict[str, int] = {}
    fresh: list[int] = []
    one_by_one: list[int] = []
    for index, (report, request_id) in enumerate(zip(reports, ids, strict=True)):
        if not request_id:
            outcomes[index] = BatchOutcome(
                index,
                "",
                "invalid",
                fields={"request_id": _("Each report of a batch needs its request id.")},
            )
        elif request_id in known:
            outcomes[index] = BatchOutcome(index, request_id, "existing", known[request_id])
        elif request_id in first_index:
            continue  # the same report twice in this batch: answered like its first copy below
        else:
            first_index[request_id] = index
            (one_by_one if report.attachments else fresh).append(index)

    categories = selectors.report_categories([reports[i].category for i in fresh])
    points = [i for i in fresh if _valid_point(reports[i].lng, reports[i].lat)]
    located: dict[int, tuple[str | None, str | None]] = {}
    if points:
        grids, units = spatial.get_index().locate_many(
            np.array([reports[i].lng for i in points]), np.array([reports[i].lat for i in points])
        )
        located = {i: (grids[k], units[k]) for k, i in enumerate(points)}
    valid: list[tuple[int, Event]] = []
    for index in fresh:
        report = reports[index]
        event, errors = _check_report(
            actor,
            report,
            found=categories.get(report.category.strip()),
            location=located.get(index),
            now=now,
        )
        if event is None:
            outcomes[index] = BatchOutcome(
                index, ids[index], "invalid", fields=errors, message=str(INVALID)
            )
        else:
            valid.append((index, event))
    if valid:
        try:
            with transaction.atomic():
                _write_reports([event for _, event in valid], actor, now)
        except IntegrityError:
            # A request id raced in from another connection: take the careful path.
            one_by_one.extend(index for index, _ in valid)
            valid = []
        for index, event in valid:
            outcomes[index] = BatchOutcome(index, ids[index], "created", event)
    for index in sorted(one_by_one):
        report = reports[index]
        try:
            result = do_report_event(
                actor=actor,
                category=report.category,
                description=report.description,
                lng=report.lng,
                lat=report.lat,
                title=report.title,
                address=report.address,
                source=report.source,
                reporter_contact=report.reporter_contact,
                request_id=ids[index],
                attachments=report.attachments,
                now=now,
                anonymous=report.anonymous,
            )
        except EventError as exc:
            outcomes[index] = BatchOutcome(
                index, ids[index], "invalid", fields=exc.fields, message=exc.message
            )
        else:
            status = "created" if result.created else "existing"
            outcomes[index] = BatchOutcome(index, ids[index], status, result.event)
    answered: list[BatchOutcome] = []
    for index, outcome in enumerate(outcomes):
        if outcome is None:  # a repeat within the batch
            first = outcomes[first_index[ids[index]]]
            assert first is not None  # noqa: S101 - every first copy was answered above
            status = "existing" if first.status == "created" else first.status
            outcome = BatchOutcome(
                index, ids[index], status, first.event, first.fields, first.message
            )
        answered.append(outcome)
    return answered


def _write_reports(events: list[Event], actor: Any, now: datetime) -> None:
    """Number and insert new events with their first steps and audit rows, set-wise."""
    by_district: dict[str, list[Event]] = {}
    for event in events:
        by_district.setdefault(event.district_code, []).append(event)
    for district_code, group in by_district.items():
        for event, number in zip(group, _next_numbers(district_code, now, len(group)), strict=True):
            event.number = number
    Event.objects.bulk_create(events)
    steps = EventStep.objects.bulk_create([_report_step(event, actor) for event in events])
    entries = [
        audit_entry(
            f"events.{EventAction.REPORT}",
            actor=actor,
            obj=event,
            after={"state": event.state, "version": event.version, **_report_data(event)},
            reason=event.description[:200],
        )
        for event in events
    ]
    AuditEntry.objects.bulk_create(entries)
    for event, step in zip(events, steps, strict=True):
        transaction.on_commit(partial(notify, event.pk, EventAction.REPORT, step.pk))


# --- the grid worker closes it on the spot -----------------------------------


@transaction.atomic
def do_self_handle_event(
    event: Event,
    *,
    actor: Any,
    note: str = "",
    attachments: Sequence[int | str] | None = None,
    version: int | None = None,
) -> Event:
    """网格自办: a problem the grid worker solved on the spot is closed without dispatch."""
    _check(event, EventAction.SELF_HANDLE, actor, version=version)
    photos = _attachments(attachments, actor, EventAction.SELF_HANDLE)
    now = timezone.now()
    _apply(
        event,
        EventAction.SELF_HANDLE,
        actor=actor,
        now=now,
        to_state=EventState.CLOSED,
        note=_text(note),
        photos=photos,
        changes={"self_handled": True, "registered_at": now, "handled_at": now, "closed_at": now},
    )
    return event


# --- command centre -----------------------------------------------------------


@transaction.atomic
def do_register_event(
    event: Event,
    *,
    actor: Any,
    category: str | None = None,
    note: str = "",
    version: int | None = None,
) -> Event:
    """立案, optionally correcting the category.  Only admitted types can be registered."""
    _check(event, EventAction.REGISTER, actor, version=version)
    chosen = event.category
    if category and category != chosen.code:
        found = Category.objects.filter(code=category, is_active=True, parent__isnull=False).first()
        if found is None:
            raise EventError(INVALID, {"category": _("Unknown event category.")})
        chosen = found
    if not chosen.admitted:
        raise EventError(
            INVALID,
            {
                "category": _(
                    "This category is not on the admitted list and cannot be registered: "
                    "correct the category or do not register the event."
                )
            },
        )
    now = timezone.now()
    event.category = chosen
    _apply(
        event,
        EventAction.REGISTER,
        actor=actor,
        now=now,
        to_state=EventState.REGISTERED,
        note=_text(note),
        data={"category": chosen.code},
        changes={"registered_at": now, "category": chosen},
    )
    return event


@transaction.atomic
def do_reject_event(
    event: Event,
    *,
    actor: Any,
    reason: str,
    duplicate_of: int | None = None,
    version: int | None = None,
) -> Event:
    """不予立案, with a reason; a duplicate points at the event it repeats."""
    _check(event, EventAction.REJECT, actor, version=version)
    reason = _required(reason, "reason", _("Please give the reason for not registering."))
    original = None
    if duplicate_of is not None:
        pool = selectors.events_visible_to(actor) if actor is not None else Event.objects.all()
        original = pool.filter(pk=duplicate_of).first()
        if original is None or original.pk == event.pk:
            raise EventError(INVALID, {"duplicate_of": _("The duplicated event does not exist.")})
    _apply(
        event,
        EventAction.REJECT,
        actor=actor,
        now=timezone.now(),
        to_state=EventState.REJECTED,
        note=reason,
        data={"duplicate_of": original.pk if original else None},
        changes={"duplicate_of": original},
    )
    return event


def _dispatch_changes(event: Event, department: Department, now: datetime) -> dict[str, Any]:
    c = event.category
    return {
        "current_department": department,
        "dispatched_at": now,
        "accept_due": _due(now, c.accept_limit, c.accept_unit),
        "accepted_at": None,
        "handle_due": None,
        "forced": False,
    }


@transaction.atomic
def do_dispatch_event(
    event: Event,
    *,
    actor: Any,
    department: str | Department | None = None,
    note: str = "",
    version: int | None = None,
) -> Event:
    """派遣 to the category's default department or a chosen one of the event's district."""
    _check(event, EventAction.DISPATCH, actor, version=version)
    dept = _department(event, department)
    now = timezone.now()
    _apply(
        event,
        EventAction.DISPATCH,
        actor=actor,
        now=now,
        to_state=EventState.DISPATCHED,
        note=_text(note),
        data={"department": dept.code},
        changes=_dispatch_changes(event, dept, now),
    )
    return event


@transaction.atomic
def do_redispatch_event(
    event: Event,
    *,
    actor: Any,
    department: str | Department | None = None,
    note: str = "",
    version: int | None = None,
) -> Event:
    """重新派遣 after a send-back (to another department, or the same one after clarification)."""
    _check(event, EventAction.REDISPATCH, actor, version=version)
    dept = _department(event, department)
    now = timezone.now()
    _apply(
        event,
        EventAction.REDISPATCH,
        actor=actor,
        now=now,
        to_state=EventState.DISPATCHED,
        note=_text(note),
        data={"department": dept.code},
        changes=_dispatch_changes(event, dept, now),
    )
    return event


@transaction.atomic
def do_force_event(
    event: Event,
    *,
    actor: Any,
    reason: str,
    department: str | Department | None = None,
    version: int | None = None,
) -> Event:
    """强制派遣: the command centre rules who is responsible; the department must handle it."""
    _check(event, EventAction.FORCE, actor, version=version)
    reason = _required(reason, "reason", _("Please give the reason for forcing the dispatch."))
    if department is None and event.current_department_id is not None:
        assert event.current_department is not None  # noqa: S101
        department = event.current_department
    dept = _department(event, department)
    now = timezone.now()
    c = event.category
    _apply(
        event,
        EventAction.FORCE,
        actor=actor,
        now=now,
        to_state=EventState.HANDLING,
        note=reason,
        data={"department": dept.code},
        changes={
            "current_department": dept,
            "forced": True,
            "dispatched_at": now,
            "accepted_at": now,
            "accept_due": None,
            "handle_due": _due(now, c.handle_limit, c.handle_unit),
        },
    )
    return event


@transaction.atomic
def do_decide_extension(
    event: Event,
    *,
    actor: Any,
    extension_id: int,
    approve: bool,
    note: str = "",
    version: int | None = None,
) -> Event:
    """审批延期: granting moves the handling deadline by the requested time."""
    _check(event, EventAction.DECIDE_EXTENSION, actor, version=version)
    ext = ExtensionRequest.objects.filter(pk=extension_id, event=event).first()
    if ext is None:
        raise EventError(INVALID, {"extension_id": _("The extension request does not exist.")})
    if ext.state != ExtensionState.PENDING:
        raise EventConflict(_("This extension request has already been decided."))
    now = timezone.now()
    changes: dict[str, Any] = {}
    new_due = None
    if approve:
        base = event.handle_due or now
        new_due = _due(base, ext.amount, ext.unit)
        changes["handle_due"] = new_due
    _apply(
        event,
        EventAction.DECIDE_EXTENSION,
        actor=actor,
        now=now,
        note=_text(note),
        data={
            "extension_id": ext.pk,
            "approved": approve,
            "handle_due": new_due.isoformat() if new_due else None,
        },
        changes=changes,
    )
    ExtensionRequest.objects.filter(pk=ext.pk).update(
        state=ExtensionState.GRANTED if approve else ExtensionState.DENIED,
        decided_by=actor if _is_user(actor) else None,
        decided_at=now,
        decision_note=_text(note),
        new_due=new_due,
    )
    return event


@transaction.atomic
def do_summon_event(
    event: Event,
    *,
    actor: Any,
    departments: Sequence[str],
    note: str,
    tasks: dict[str, str] | None = None,
    version: int | None = None,
) -> Event:
    """吹哨报到: several departments each take a part; the event is handled when all are done."""
    _check(event, EventAction.SUMMON, actor, version=version)
    note = _required(note, "note", _("Please say why the departments are summoned."))
    wanted = list(dict.fromkeys(code.strip() for code in departments if code.strip()))
    if len(wanted) < 2:
        raise EventError(INVALID, {"departments": _("Summoning needs at least two departments.")})
    found = {
        d.code: d
        for d in Department.objects.filter(district__code=event.district_code, code__in=wanted)
    }
    missing = [code for code in wanted if code not in found]
    if missing:
        raise EventError(
            INVALID, {"departments": _("Unknown department: %(code)s") % {"code": _listed(missing)}}
        )
    now = timezone.now()
    c = event.category
    _apply(
        event,
        EventAction.SUMMON,
        actor=actor,
        now=now,
        to_state=EventState.JOINT,
        note=note,
        data={"departments": wanted},
        changes={
            "current_department": None,
            "dispatched_at": now,
            "accept_due": None,
            "handle_due": _due(now, c.handle_limit, c.handle_unit),
        },
    )
    EventPart.objects.bulk_create(
        [
            EventPart(
                event=event,
                department=found[code],
                task=_text((tasks or {}).get(code), limit=200),
                summoned_at=now,
            )
            for code in wanted
        ]
    )
    return event


# --- departments --------------------------------------------------------------


@transaction.atomic
def do_accept_event(
    event: Event, *, actor: Any, note: str = "", version: int | None = None
) -> Event:
    """受理: the handling clock starts."""
    _check(event, EventAction.ACCEPT, actor, version=version)
    now = timezone.now()
    c = event.category
    _apply(
        event,
        EventAction.ACCEPT,
        actor=actor,
        now=now,
        to_state=EventState.HANDLING,
        note=_text(note),
        changes={"accepted_at": now, "handle_due": _due(now, c.handle_limit, c.handle_unit)},
    )
    return event


@transaction.atomic
def do_send_back_event(
    event: Event, *, actor: Any, reason: str, version: int | None = None
) -> Event:
    """退单: not ours, with a reason; the command centre re-dispatches or forces."""
    _check(event, EventAction.SEND_BACK, actor, version=version)
    reason = _required(reason, "reason", _("Please give the reason for sending it back."))
    _apply(
        event,
        EventAction.SEND_BACK,
        actor=actor,
        now=timezone.now(),
        to_state=EventState.SENT_BACK,
        note=reason,
        data={"department": event.current_department.code if event.current_department else None},
        changes={"accept_due": None},
    )
    return event


@transaction.atomic
def do_request_extension(
    event: Event,
    *,
    actor: Any,
    amount: int,
    reason: str,
    unit: str | None = None,
    version: int | None = None,
) -> ExtensionRequest:
    """申请延期, only before the handling deadline and one at a time."""
    _check(event, EventAction.REQUEST_EXTENSION, actor, version=version)
    reason = _required(reason, "reason", _("Please give the reason for the extension."))
    unit = unit or event.category.handle_unit
    if unit not in TimeUnit.values:
        raise EventError(INVALID, {"unit": _("Unknown time unit.")})
    if not isinstance(amount, int) or amount < 1 or amount > 1000:
        raise EventError(
            INVALID, {"amount": _("The extra time must be a whole number from 1 to 1000.")}
        )
    now = timezone.now()
    if event.handle_due is not None and now >= event.handle_due:
        raise EventConflict(
            _("The handling deadline has passed: no extension can be requested any more.")
        )
    if event.extensions.filter(state=ExtensionState.PENDING).exists():
        raise EventConflict(_("An extension request is already waiting for approval."))
    step = _apply(
        event,
        EventAction.REQUEST_EXTENSION,
        actor=actor,
        now=now,
        note=reason,
        data={"amount": amount, "unit": unit},
    )
    ext = ExtensionRequest.objects.create(
        event=event,
        department=event.current_department,
        requested_by=actor if _is_user(actor) else None,
        amount=amount,
        unit=unit,
        reason=reason,
        requested_at=now,
        old_due=event.handle_due,
    )
    step.data = {**step.data, "extension_id": ext.pk}
    step.save(update_fields=["data"])
    return ext


@transaction.atomic
def do_feedback_event(
    event: Event,
    *,
    actor: Any,
    note: str,
    attachments: Sequence[int | str] | None = None,
    version: int | None = None,
) -> Event:
    """办结反馈: the department reports what it did; the grid worker then verifies."""
    _check(event, EventAction.FEEDBACK, actor, version=version)
    note = _required(note, "note", _("Please describe the result."))
    photos = _attachments(attachments, actor, EventAction.FEEDBACK)
    now = timezone.now()
    _apply(
        event,
        EventAction.FEEDBACK,
        actor=actor,
        now=now,
        to_state=EventState.HANDLED,
        note=note,
        photos=photos,
        changes={"handled_at": now},
    )
    event.extensions.filter(state=ExtensionState.PENDING).update(
        state=ExtensionState.WITHDRAWN, decided_at=now, decision_note="已办结，申请自动撤销"
    )
    return event


def _own_part(event: Event, actor: Any, department: str | None) -> EventPart:
    parts = list(EventPart.objects.filter(event=event).select_related("department"))
    if actor is None:
        mine = parts
    else:
        ids = set(selectors.user_department_ids(actor))
        mine = parts if scope_for(actor).is_global else [p for p in parts if p.department_id in ids]
    if department:
        mine = [p for p in mine if p.department.code == department]
    if not mine:
        raise EventError(
            INVALID, {"department": _("Your department is not among the summoned ones.")}
        )
    if len(mine) > 1:
        raise EventError(INVALID, {"department": _("Please say for which department you act.")})
    return mine[0]


@transaction.atomic
def do_report_in_event(
    event: Event,
    *,
    actor: Any,
    department: str | None = None,
    note: str = "",
) -> EventPart:
    """报到: a summoned department says it is on the case."""
    event = _locked(event)
    _check(event, EventAction.REPORT_IN, actor)
    part = _own_part(event, actor, department)
    if part.state != PartState.SUMMONED:
        raise EventConflict(_("This department has already reported in."))
    now = timezone.now()
    _apply(
        event,
        EventAction.REPORT_IN,
        actor=actor,
        now=now,
        note=_text(note),
        data={"department": part.department.code},
    )
    EventPart.objects.filter(pk=part.pk).update(state=PartState.REPORTED_IN, reported_in_at=now)
    part.refresh_from_db()
    return part


@transaction.atomic
def do_complete_part_event(
    event: Event,
    *,
    actor: Any,
    note: str,
    department: str | None = None,
    attachments: Sequence[int | str] | None = None,
) -> Event:
    """完成分工: one department's part is done; the last one makes the event handled."""
    event = _locked(event)
    _check(event, EventAction.COMPLETE_PART, actor)
    note = _required(note, "note", _("Please describe your department's result."))
    photos = _attachments(attachments, actor, EventAction.COMPLETE_PART)
    part = _own_part(event, actor, department)
    if part.state == PartState.SUMMONED:
        raise EventConflict(_("Please report in first."))
    if part.state == PartState.DONE:
        raise EventConflict(_("Your department's part is already done."))
    others_open = (
        EventPart.objects.filter(event=event)
        .exclude(pk=part.pk)
        .exclude(state=PartState.DONE)
        .exists()
    )
    now = timezone.now()
    _apply(
        event,
        EventAction.COMPLETE_PART,
        actor=actor,
        now=now,
        to_state=EventState.JOINT if others_open else EventState.HANDLED,
        note=note,
        photos=photos,
        data={"department": part.department.code, "all_done": not others_open},
        changes={} if others_open else {"handled_at": now},
    )
    EventPart.objects.filter(pk=part.pk).update(state=PartState.DONE, done_at=now, note=note)
    return event


# --- verification and return visit -------------------------------------------


@transaction.atomic
def do_verify_event(
    event: Event,
    *,
    actor: Any,
    passed: bool,
    note: str = "",
    attachments: Sequence[int | str] | None = None,
    version: int | None = None,
) -> Event:
    """核查: passed → 结案; failed → 返工 (back to the department or the summoned ones)."""
    _check(event, EventAction.VERIFY, actor, version=version)
    photos = _attachments(attachments, actor, EventAction.VERIFY)
    now = timezone.now()
    if passed:
        _apply(
            event,
            EventAction.VERIFY,
            actor=actor,
            now=now,
            to_state=EventState.CLOSED,
            note=_text(note),
            photos=photos,
            data={"passed": True},
            changes={"closed_at": now},
        )
        return event
    note = _required(note, "note", _("Please give the reason the verification failed."))
    joint = EventPart.objects.filter(event=event).exists()
    c = event.category
    _apply(
        event,
        EventAction.VERIFY,
        actor=actor,
        now=now,
        to_state=EventState.JOINT if joint else EventState.HANDLING,
        note=note,
        photos=photos,
        data={"passed": False},
        changes={
            "rework_count": event.rework_count + 1,
            "handled_at": None,
            "handle_due": _due(now, c.handle_limit, c.handle_unit),
        },
    )
    if joint:
        EventPart.objects.filter(event=event).update(state=PartState.REPORTED_IN, done_at=None)
    return event


@transaction.atomic
def do_return_visit_event(
    event: Event,
    *,
    actor: Any,
    contacted: bool,
    solved: bool,
    satisfaction: str | None = None,
    note: str = "",
    version: int | None = None,
) -> ReturnVisit:
    """回访: once per closed event.  The reporter may rate their own event themselves
    (``contacted=True``); the step records that it was the reporter's own rating."""
    _check(event, EventAction.RETURN_VISIT, actor, version=version)
    if event.visited_at is not None:
        raise EventConflict(_("This event has already had its return visit."))
    if event.duplicate_of_id is not None:
        raise EventConflict(
            _("This event was merged as a duplicate: visit or rate the original event instead.")
        )
    by_reporter = (
        actor is not None
        and selectors.is_reporter(actor, event)
        and not scope_for(actor).can("events.visit_event", event.region_code)
    )
    if by_reporter and not contacted:
        raise EventError(
            INVALID, {"contacted": _("When rating your own event, choose “Reporter reached”.")}
        )
    satisfaction = satisfaction or ""
    if contacted and satisfaction not in Satisfaction.values:
        raise EventError(
            INVALID,
            {
                "satisfaction": _(
                    "Please choose how satisfied: satisfied, basically satisfied or dissatisfied."
                )
            },
        )
    if not contacted and satisfaction:
        raise EventError(
            INVALID,
            {"satisfaction": _("No satisfaction can be given when the reporter was not reached.")},
        )
    now = timezone.now()
    _apply(
        event,
        EventAction.RETURN_VISIT,
        actor=actor,
        now=now,
        note=_text(note),
        data={
            "contacted": contacted,
            "solved": solved,
            "satisfaction": satisfaction,
            **({"by_reporter": True} if by_reporter else {}),
        },
        changes={"visited_at": now, "satisfaction": satisfaction},
    )
    return ReturnVisit.objects.create(
        event=event,
        visited_by=actor if _is_user(actor) else None,
        contacted=contacted,
        solved=solved,
        satisfaction=satisfaction,
        note=_text(note),
        visited_at=now,
    )


# --- duplicates: joining an open event, merging a duplicate into its original ---------------


def _follow(event: Event, user: Any, via: str, now: datetime, request_id: str = "") -> bool:
    """Make ``user`` a follower of ``event`` (not its reporter); True if newly so."""
    if user is None or user.pk is None or event.reporter_id == user.pk:
        return False
    _row, created = EventFollower.objects.get_or_create(
        event=event,
        user=user,
        defaults={"via": via, "joined_at": now, "client_request_id": request_id[:64]},
    )
    return created


@transaction.atomic
def do_join_event(
    event: Event, *, actor: Any, request_id: str = "", note: str = ""
) -> EventFollower:
    """附议: instead of reporting the same problem again, the actor follows the open event.

    Idempotent: joining twice answers the same follower row and writes no second step.
    The event's state and version do not change (nobody's open form goes stale).
    """
    if not _is_user(actor):
        raise EventForbidden(_("Joining an event must come from a signed-in user."))
    event = _locked(event)
    existing = EventFollower.objects.filter(event=event, user=actor).first()
    if existing is not None:
        return existing
    if event.state not in TRANSITIONS[EventAction.JOIN].sources:
        raise EventConflict(
            _("The event is “%(state)s”: it cannot be joined.")
            % {"state": _state_label(event.state)}
        )
    if event.reporter_id == actor.pk:
        raise EventConflict(_("You reported this event yourself: no need to join it."))
    if not selectors.may(actor, EventAction.JOIN, event):
        raise EventForbidden(_not_allowed(EventAction.JOIN))
    now = timezone.now()
    request_id = _text(request_id, limit=64)
    try:
        with transaction.atomic():
            follower = EventFollower.objects.create(
                event=event,
                user=actor,
                via=FollowVia.JOIN,
                joined_at=now,
                client_request_id=request_id,
            )
    except IntegrityError:
        # The same user joined from a second connection meanwhile.
        return EventFollower.objects.get(event=event, user=actor)
    _step(
        event,
        EventAction.JOIN,
        actor=actor,
        from_state=event.state,
        now=now,
        note=_text(note),
        data={"follower_id": follower.pk, **({"request_id": request_id} if request_id else {})},
    )
    return follower


def _root_original(original: Event) -> Event:
    """The event ``original`` is itself a duplicate of, followed to the end of the chain."""
    seen = {original.pk}
    while original.duplicate_of_id is not None and original.duplicate_of_id not in seen:
        seen.add(original.duplicate_of_id)
        original = Event.objects.select_related("category").get(pk=original.duplicate_of_id)
    return original


@transaction.atomic
def do_merge_event(
    duplicate: Event,
    *,
    actor: Any,
    original: Event | int,
    note: str = "",
    version: int | None = None,
) -> Event:
    """合并: the command centre closes ``duplicate`` into ``original``.

    The duplicate is closed with ``duplicate_of`` pointing to the original (to the end of
    the chain when the original is itself a duplicate) and is never counted as handled; its
    reporter and followers follow the original.  Both events get a 合并 step; the
    original's state and version do not change.  Both must be in the actor's command scope.
    """
    if actor is not None and not selectors.may(actor, EventAction.MERGE, duplicate):
        raise EventForbidden(_not_allowed(EventAction.MERGE))
    if isinstance(original, Event):
        original_id = original.pk
    else:
        try:
            original_id = int(original)
        except (TypeError, ValueError):
            raise EventError(
                INVALID, {"original": _("The original event does not exist.")}
            ) from None
        if not 0 < original_id < 2**63:
            raise EventError(INVALID, {"original": _("The original event does not exist.")})
    if original_id == duplicate.pk:
        raise EventError(INVALID, {"original": _("An event cannot be merged into itself.")})
    found = Event.objects.filter(pk=original_id).select_related("category").first()
    if found is None or (
        actor is not None and not selectors.events_visible_to(actor).filter(pk=found.pk).exists()
    ):
        raise EventError(INVALID, {"original": _("The original event does not exist.")})
    target = _root_original(found)
    if target.pk == duplicate.pk:
        raise EventError(
            INVALID,
            {
                "original": _(
                    "The original event was merged into this one: "
                    "it cannot be merged the other way."
                )
            },
        )
    # Lock both rows, lower id first (two merges of the same pair never deadlock).
    locked = {
        e.pk: e
        for e in Event.objects.select_for_update()
        .select_related("category")
        .filter(pk__in=[duplicate.pk, target.pk])
        .order_by("pk")
    }
    duplicate, target = locked[duplicate.pk], locked[target.pk]
    _check(duplicate, EventAction.MERGE, actor, version=version)
    if target.state in FINAL_STATES:
        raise EventConflict(
            _("The event is “%(state)s”: it cannot be the original of a merge.")
            % {"state": _state_label(target.state)},
            {"original": _("The original event is closed or was not registered.")},
        )
    if actor is not None and not selectors.may(actor, EventAction.MERGE, target):
        raise EventForbidden(_("You may not merge into this original event."))
    now = timezone.now()
    note = _text(note)
    _apply(
        duplicate,
        EventAction.MERGE,
        actor=actor,
        now=now,
        to_state=EventState.CLOSED,
        note=note,
        data={"original": target.pk, "original_number": target.number},
        changes={"duplicate_of": target, "closed_at": now, "accept_due": None},
    )
    duplicate.extensions.filter(state=ExtensionState.PENDING).update(
        state=ExtensionState.WITHDRAWN, decided_at=now, decision_note="已合并，申请自动撤销"
    )
    moved = 0
    if duplicate.reporter is not None:
        moved += _follow(target, duplicate.reporter, FollowVia.MERGE, now)
    for follower in EventFollower.objects.filter(event=duplicate).select_related("user"):
        moved += _follow(target, follower.user, FollowVia.MERGE, now)
    # Earlier duplicates of the duplicate now point to the original too (no chains).
    Event.objects.filter(duplicate_of=duplicate).update(duplicate_of=target)
    _step(
        target,
        EventAction.MERGE,
        actor=actor,
        from_state=target.state,
        now=now,
        note=note,
        data={
            "duplicate": duplicate.pk,
            "duplicate_number": duplicate.number,
            "followers_added": moved,
        },
    )
    return duplicate


# --- escalation and supervision -------------------------------------------------


@transaction.atomic
def do_escalate_event(
    event: Event,
    *,
    actor: Any,
    reason: str,
    version: int | None = None,
) -> Event:
    """提级办理: the next level up becomes responsible; the lower level keeps following it."""
    _check(event, EventAction.ESCALATE, actor, version=version)
    reason = _required(reason, "reason", _("Please give the reason for escalating."))
    upper = NEXT_LEVEL.get(event.level)
    if upper is None:
        raise EventConflict(
            _("The district already handles this event: it cannot be escalated further.")
        )
    now = timezone.now()
    _apply(
        event,
        EventAction.ESCALATE,
        actor=actor,
        now=now,
        note=reason,
        data={"from_level": event.level, "to_level": upper},
        changes={"level": upper, "escalated_at": now},
    )
    return event


@transaction.atomic
def do_supervise_event(event: Event, *, actor: Any, note: str, version: int | None = None) -> Event:
    """督办: a leader or command centre presses for progress; the count is kept."""
    _check(event, EventAction.SUPERVISE, actor, version=version)
    note = _required(note, "note", _("Please write the supervision note."))
    _apply(
        event,
        EventAction.SUPERVISE,
        actor=actor,
        now=timezone.now(),
        note=note,
        changes={"supervise_count": event.supervise_count + 1},
    )
    return event


@dataclass
class OverdueResult:
    flagged: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"flagged": len(self.flagged), "escalated": len(self.escalated)}


def mark_overdue(now: datetime | None = None) -> OverdueResult:
    """Flag events past their acceptance or handling deadline, then escalate per the rule.

    Overdue is a flag, not a state: flagging neither moves the state nor bumps the
    version, so it never makes a user's concurrent action fail.  The rule
    ``EVENTS_ESCALATE_OVERDUE_HOURS`` (0 = off) escalates an event one level each
    time it has stayed overdue that long since it was flagged or last escalated.
    """
    now = now or timezone.now()
    result = OverdueResult()
    late = Event.objects.filter(
        overdue=False, state=EventState.DISPATCHED, accept_due__lt=now
    ) | Event.objects.filter(
        overdue=False, state__in=[EventState.HANDLING, EventState.JOINT], handle_due__lt=now
    )
    for event in late.order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            if not Event.objects.filter(pk=event.pk, overdue=False).update(
                overdue=True, overdue_at=now
            ):
                continue
            event.overdue, event.overdue_at = True, now
            due = event.accept_due if event.state == EventState.DISPATCHED else event.handle_due
            _step(
                event,
                EventAction.OVERDUE,
                actor=None,
                from_state=event.state,
                now=now,
                note="已超过受理时限" if event.state == EventState.DISPATCHED else "已超过办理时限",
                data={"due": due.isoformat() if due else None},
            )
        result.flagged.append(event.pk)
    hours = int(getattr(settings, "EVENTS_ESCALATE_OVERDUE_HOURS", 0))
    if hours > 0:
        threshold = now - timedelta(hours=hours)
        candidates = (
            Event.objects.filter(
                overdue=True,
                state__in=[EventState.DISPATCHED, EventState.HANDLING, EventState.JOINT],
                level__in=list(NEXT_LEVEL),
                overdue_at__lte=threshold,
            )
            .exclude(escalated_at__gt=threshold)
            .select_related("category")
        )
        for event in candidates.order_by("pk"):
            try:
                do_escalate_event(event, actor=None, reason=f"超期 {hours} 小时仍未办结，自动提级")
            except EventConflict:
                continue  # somebody acted on it meanwhile; the next run looks again
            result.escalated.append(event.pk)
    return result
