"""Writes of safety inspections: inspect, change a hazard, re-inspect, escalate, enforce.

Each action runs in one transaction, checks the actor's right at the target's
place, validates with field-level Chinese messages and writes an audit row.
Creations from phones are idempotent on ``request_id`` (one row per user and
id, also when two identical requests race).  A hazard moves once, by a
compare-and-set on ``(state, version)``: open → rectified (a passed
re-inspection) or escalated (a failed one, or the deadline passed without one —
``mark_overdue_hazards``), which reports an event through
``wangge.events.actions.do_report_event`` for the command centre to dispatch.
``actor=None`` is the system (tasks, seeds).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.models import Department
from wangge.audit.actions import record
from wangge.events import selectors as event_selectors
from wangge.events.actions import EventError, do_report_event
from wangge.events.choices import EventSource
from wangge.events.models import Category, Event
from wangge.inspections import selectors
from wangge.inspections.choices import (
    DEFAULT_EVENT_CATEGORY,
    HAZARD_TRANSITIONS,
    SAFETY_CATEGORY,
    AnswerType,
    EnforcementKind,
    EscalationReason,
    HazardState,
    Outcome,
    TargetKind,
)
from wangge.inspections.models import (
    Checklist,
    ChecklistItem,
    EnforcementRecord,
    Hazard,
    Inspection,
    ItemResult,
    Reinspection,
)
from wangge.lib.errors import Refusal
from wangge.lib.language import in_data_language
from wangge.organisations.models import Enterprise
from wangge.places.models import Building, RentalHousing
from wangge.regions import spatial
from wangge.regions.models import Region

INVALID = gettext_lazy("Invalid input: please check the fields")
MAX_NOTE = 2000
MAX_ITEM_NOTE = 500
#: How far in the future a recorded time may lie (phone clocks drift).
CLOCK_SKEW = timedelta(minutes=5)
#: Largest measured value accepted (the column holds 10 digits, 2 after the point).
MAX_VALUE = Decimal("99999999")


class InspectionError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""


class InspectionConflict(InspectionError):
    """Illegal in the hazard's current state, or somebody else changed it first."""

    status = 409
    code = "conflict"


class InspectionForbidden(InspectionError):
    """The user sees the record (or the form) but may not take this action."""

    status = 403
    code = "forbidden"


@dataclass
class Stored[T]:
    """What a creating action stored, or found stored under the same ``request_id``."""

    obj: T
    created: bool


@dataclass
class Answer:
    """One checklist item as the inspector answered it."""

    item: int
    outcome: str | None = None
    value: Decimal | float | int | str | None = None
    text: str = ""
    note: str = ""
    #: Overrides the item's default rectification deadline when the answer opens a hazard.
    deadline: date | None = None


# --- helpers ------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _actor_label(actor: Any) -> str:
    if not _is_user(actor):
        return "系统"
    return str(getattr(actor, "display_name", "") or actor.get_username())[:150]


def _text(value: str | None, *, limit: int = MAX_NOTE) -> str:
    return (value or "").strip()[:limit]


def _request_id(value: str | uuid.UUID | None) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise InspectionError(INVALID, {"request_id": _("The request id must be a UUID")}) from None


def _stored_once[M: models.Model](
    model: type[M], actor: Any, request_id: uuid.UUID | None, user_field: str
) -> M | None:
    """The row ``actor`` already stored with ``request_id``, if any."""
    if request_id is None or not _is_user(actor):
        return None
    return model._default_manager.filter(**{user_field: actor, "request_id": request_id}).first()


def _save_once[M: models.Model](
    row: M, actor: Any, request_id: uuid.UUID | None, user_field: str
) -> M | None:
    """Insert ``row``; if the same request raced in first, return that row instead (else None)."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        existing = _stored_once(type(row), actor, request_id, user_field)
        if existing is None:
            raise
        return existing
    return None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) > MAX_VALUE:
        return None
    return number.quantize(Decimal("0.01"))


def format_number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def within(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def limit_label(low: Decimal | None, high: Decimal | None, unit: str) -> str:
    """``≤2 m``, ``≥1``, ``1–3 m`` or ``""``."""
    u = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f"{format_number(low)}–{format_number(high)}{u}"
    if high is not None:
        return f"≤{format_number(high)}{u}"
    if low is not None:
        return f"≥{format_number(low)}{u}"
    return ""


def _when(at: datetime | None, now: datetime, field_name: str, errors: dict[str, str]) -> datetime:
    when = at or now
    if when > now + CLOCK_SKEW:
        errors[field_name] = _("The time cannot be later than now")
    return when


# --- the target ---------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    name: str
    person: str


def owner_of(target: Enterprise | Building) -> Owner:
    """Who must rectify: the enterprise and its legal person, or the landlord and manager."""
    if isinstance(target, Enterprise):
        return Owner(target.name, target.legal_person)
    rental: RentalHousing | None = getattr(target, "rental", None)
    if rental is not None and rental.landlord_name:
        return Owner(rental.landlord_name, rental.manager_name or rental.landlord_name)
    return Owner(target.name, rental.manager_name if rental is not None else "")


# --- an inspection ------------------------------------------------------------------


@dataclass
class _Evaluated:
    item: ChecklistItem
    outcome: str
    number: Decimal | None
    text: str
    note: str
    deadline: date | None


def _evaluate(item: ChecklistItem, answer: Answer, errors: dict[str, str]) -> _Evaluated | None:
    key = f"answers.{item.pk}"
    outcome = (answer.outcome or "").strip() or None
    if outcome is not None and outcome not in Outcome.values:
        errors[key] = _("The result must be pass, fail or not applicable")
        return None
    number: Decimal | None = None
    text = _text(answer.text, limit=500)
    if item.answer_type == AnswerType.NUMBER:
        if outcome != Outcome.NOT_APPLICABLE:
            number = _decimal(answer.value)
            if number is None:
                errors[key] = (
                    _("Please enter the measured value")
                    if answer.value in (None, "")
                    else _("The measured value must be a number")
                )
                return None
            # The measurement decides, whatever the client ticked.
            outcome = (
                Outcome.PASS if within(number, item.limit_min, item.limit_max) else Outcome.FAIL
            )
    elif item.answer_type == AnswerType.TEXT:
        outcome = outcome or Outcome.PASS
        if outcome == Outcome.FAIL and not text and not _text(answer.note):
            errors[key] = _("Please describe the problem found")
            return None
    elif outcome is None:
        errors[key] = _("Please choose pass, fail or not applicable")
        return None
    assert outcome is not None  # noqa: S101 - every branch above sets it or returns
    return _Evaluated(
        item=item,
        outcome=outcome,
        number=number,
        text=text,
        note=_text(answer.note, limit=MAX_ITEM_NOTE),
        deadline=answer.deadline,
    )


def describe(result: ItemResult) -> str:
    """The hazard in words: the item, what was found and the inspector's note."""
    parts = [f"{result.text}：不合格"]
    if result.value_number is not None:
        limit = limit_label(result.limit_min, result.limit_max, result.unit)
        unit = f" {result.unit}" if result.unit else ""
        found = f"实测 {format_number(result.value_number)}{unit}"
        parts.append(f"{found}（限值 {limit}）" if limit else found)
    if result.value_text:
        parts.append(result.value_text)
    if result.note:
        parts.append(result.note)
    return "，".join(parts)[:500]


def _check_answers(
    checklist: Checklist, answers: Sequence[Answer], errors: dict[str, str]
) -> list[_Evaluated]:
    items: list[ChecklistItem] = list(
        ChecklistItem.objects.filter(checklist=checklist, is_active=True).order_by(
            "sort_order", "id"
        )
    )
    by_item: dict[int, Answer] = {}
    unknown: list[str] = []
    known = {item.pk for item in items}
    for answer in answers:
        try:
            item_id = int(answer.item)
        except (TypeError, ValueError):
            unknown.append(str(answer.item))
            continue
        if item_id not in known:
            unknown.append(str(item_id))
        elif item_id in by_item:
            errors[f"answers.{item_id}"] = _("This item was answered more than once")
        else:
            by_item[item_id] = answer
    if unknown:
        errors["answers"] = _("The checklist has no such items: %(items)s") % {
            "items": _(", ").join(unknown)
        }
    evaluated: list[_Evaluated] = []
    for item in items:
        given = by_item.get(item.pk)
        if given is None:
            errors[f"answers.{item.pk}"] = _("Please enter the result")
            continue
        found = _evaluate(item, given, errors)
        if found is not None:
            evaluated.append(found)
    return evaluated


@transaction.atomic
def do_record_inspection(
    *,
    actor: Any,
    checklist: str,
    answers: Sequence[Answer],
    enterprise: int | None = None,
    building: int | None = None,
    note: str = "",
    inspected_at: datetime | None = None,
    owner_name: str = "",
    responsible_person: str = "",
    request_id: str | uuid.UUID | None = None,
    now: datetime | None = None,
) -> Stored[Inspection]:
    """Record an inspection of an enterprise or a building: every active item answered.

    Each failed item whose failure is a hazard opens a hazard with a deadline
    (the item's default days after the inspection, or the one given with the
    answer) and an owner (the enterprise and its legal person, the landlord and
    the manager, or those given).  The same ``request_id`` from the same
    inspector returns the inspection the first request stored.
    """
    rid = _request_id(request_id)
    existing = _stored_once(Inspection, actor, rid, "inspector")
    if existing is not None:
        return Stored(existing, False)
    if actor is not None and not selectors.may(actor, selectors.INSPECT):
        raise InspectionForbidden(_("You may not carry out safety inspections"))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    found = Checklist.objects.filter(code=(checklist or "").strip(), is_active=True).first()
    if found is None:
        errors["checklist"] = _("Unknown checklist")
    target: Enterprise | Building | None = None
    if (enterprise is None) == (building is None):
        errors["enterprise"] = _("Please choose one target: an enterprise (shop) or a building")
    else:
        kind = TargetKind.ENTERPRISE if enterprise is not None else TargetKind.BUILDING
        field_name = "enterprise" if enterprise is not None else "building"
        target = selectors.get_target(
            actor, kind, enterprise if enterprise is not None else building
        )
        if target is None:
            errors[field_name] = _("The target does not exist, or is outside what you may inspect")
        elif found is not None and found.target_kind != kind:
            errors["checklist"] = _("This checklist is for: %(kind)s") % {
                "kind": TargetKind(found.target_kind).label
            }
    when = _when(inspected_at, now, "inspected_at", errors)
    evaluated = _check_answers(found, answers, errors) if found is not None else []
    day = timezone.localdate(when)
    for e in evaluated:
        if e.deadline is not None and e.outcome == Outcome.FAIL and e.deadline < day:
            errors[f"answers.{e.item.pk}"] = _(
                "The rectification deadline cannot be earlier than the inspection date"
            )
    if errors:
        raise InspectionError(INVALID, errors)
    assert found is not None and target is not None  # noqa: S101 - narrowed by the checks above
    owner = owner_of(target)
    inspection = Inspection(
        checklist=found,
        enterprise=target if isinstance(target, Enterprise) else None,
        building=target if isinstance(target, Building) else None,
        target_name=target.name[:200],
        address=(target.address or "")[:200],
        district_code=target.region_code[:6],
        region_code=target.region_code,
        inspector=actor if _is_user(actor) else None,
        inspector_label=_actor_label(actor),
        inspected_at=when,
        note=_text(note),
        request_id=rid if _is_user(actor) else None,
        created_at=now,
    )
    raced = _save_once(inspection, actor, rid, "inspector")
    if raced is not None:
        return Stored(raced, False)
    results = ItemResult.objects.bulk_create(
        [
            ItemResult(
                inspection=inspection,
                item=e.item,
                position=i,
                text=e.item.text,
                answer_type=e.item.answer_type,
                limit_min=e.item.limit_min,
                limit_max=e.item.limit_max,
                unit=e.item.unit,
                outcome=e.outcome,
                value_number=e.number,
                value_text=e.text,
                note=e.note,
            )
            for i, e in enumerate(evaluated, start=1)
        ]
    )
    hazards = [
        Hazard(
            inspection=inspection,
            result=result,
            enterprise=inspection.enterprise,
            building=inspection.building,
            target_name=inspection.target_name,
            address=inspection.address,
            district_code=inspection.district_code,
            region_code=inspection.region_code,
            description=describe(result),
            owner_name=_text(owner_name, limit=200) or owner.name[:200],
            responsible_person=_text(responsible_person, limit=64) or owner.person[:64],
            deadline=e.deadline or day + timedelta(days=e.item.rectify_days),
            found_at=when,
            updated_at=now,
        )
        for e, result in zip(evaluated, results, strict=True)
        if e.outcome == Outcome.FAIL and e.item.is_hazard
    ]
    Hazard.objects.bulk_create(hazards)
    record(
        "inspections.inspect",
        actor=actor,
        obj=inspection,
        after={
            "checklist": found.code,
            "target": inspection.target_kind,
            "target_id": target.pk,
            "failed": sum(1 for e in evaluated if e.outcome == Outcome.FAIL),
            "hazards": [h.pk for h in hazards],
        },
    )
    return Stored(inspection, True)


# --- a hazard -----------------------------------------------------------------------


def _locked(hazard: Hazard) -> Hazard:
    """A fresh copy of the hazard, row-locked until the transaction ends."""
    return (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("inspection__checklist", "result__item")
        .get(pk=hazard.pk)
    )


def _require_open(hazard: Hazard, doing: str) -> None:
    """``doing``: "handle", "change" or "reinspect"."""
    if hazard.state != HazardState.OPEN:
        refusals = {
            "handle": _("The hazard is “%(state)s”: it cannot be handled"),
            "change": _("The hazard is “%(state)s”: it cannot be changed"),
            "reinspect": _("The hazard is “%(state)s”: it cannot be re-inspected"),
        }
        raise InspectionConflict(refusals[doing] % {"state": HazardState(hazard.state).label})


def _move(hazard: Hazard, to_state: str, changes: dict[str, Any], now: datetime) -> None:
    """Compare-and-set the hazard from open to ``to_state`` (see ``HAZARD_TRANSITIONS``)."""
    if to_state not in HAZARD_TRANSITIONS[hazard.state]:
        _require_open(hazard, "handle")
        raise AssertionError(f"{hazard.state} cannot lead to {to_state}")  # pragma: no cover
    values = {"state": to_state, "version": hazard.version + 1, "updated_at": now, **changes}
    updated = Hazard.objects.filter(
        pk=hazard.pk, state=HazardState.OPEN, version=hazard.version
    ).update(**values)
    if updated != 1:
        raise InspectionConflict(
            _("Somebody else has acted on this hazard: please reload and try again")
        )
    for name, value in values.items():
        setattr(hazard, name, value)


@transaction.atomic
def do_change_hazard(
    hazard: Hazard,
    *,
    actor: Any,
    reason: str,
    deadline: date | None = None,
    owner_name: str | None = None,
    responsible_person: str | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Hazard:
    """Change an open hazard's deadline or owner, with a reason."""
    if actor is not None and not selectors.may(actor, selectors.CHANGE_HAZARD, hazard.region_code):
        raise InspectionForbidden(_("You may not change this hazard"))
    now = now or timezone.now()
    hazard = _locked(hazard)
    _require_open(hazard, "change")
    if version is not None and version != hazard.version:
        raise InspectionConflict(
            _("Somebody else has updated this hazard: please reload and try again"),
            {"version": _("This version is out of date")},
        )
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if deadline is not None and deadline != hazard.deadline:
        if deadline < timezone.localdate(now):
            errors["deadline"] = _("The rectification deadline cannot be earlier than today")
        changes["deadline"] = deadline
    if owner_name is not None:
        name = _text(owner_name, limit=200)
        if not name:
            errors["owner_name"] = _(
                "Please enter who must rectify it (the business or the landlord)"
            )
        elif name != hazard.owner_name:
            changes["owner_name"] = name
    if responsible_person is not None:
        person = _text(responsible_person, limit=64)
        if person != hazard.responsible_person:
            changes["responsible_person"] = person
    text = _text(reason)
    if not text:
        errors["reason"] = _("Please give the reason for the change")
    if not changes and not errors:
        errors["deadline"] = _("Nothing to change")
    if errors:
        raise InspectionError(INVALID, errors)
    before = {name: getattr(hazard, name) for name in changes}
    values = {"version": hazard.version + 1, "updated_at": now, **changes}
    if (
        Hazard.objects.filter(pk=hazard.pk, state=HazardState.OPEN, version=hazard.version).update(
            **values
        )
        != 1
    ):  # pragma: no cover - the row lock makes this unreachable
        raise InspectionConflict(
            _("Somebody else has updated this hazard: please reload and try again")
        )
    for name, value in values.items():
        setattr(hazard, name, value)
    record(
        "inspections.change_hazard",
        actor=actor,
        obj=hazard,
        before={k: str(v) for k, v in before.items()},
        after={k: str(v) for k, v in changes.items()},
        reason=text,
    )
    return hazard


@transaction.atomic
def do_reinspect_hazard(
    hazard: Hazard,
    *,
    actor: Any,
    passed: bool | None = None,
    value: Decimal | float | int | str | None = None,
    note: str = "",
    inspected_at: datetime | None = None,
    request_id: str | uuid.UUID | None = None,
    now: datetime | None = None,
) -> Stored[Reinspection]:
    """复查: rectified closes the hazard; not rectified escalates it to an event.

    For a measured item the new measurement decides when given.  The same
    ``request_id`` from the same inspector returns the first re-inspection.
    """
    rid = _request_id(request_id)
    existing = _stored_once(Reinspection, actor, rid, "inspector")
    if existing is not None:
        return Stored(existing, False)
    if actor is not None and not selectors.may(actor, selectors.REINSPECT, hazard.region_code):
        raise InspectionForbidden(_("You may not re-inspect this hazard"))
    now = now or timezone.now()
    hazard = _locked(hazard)
    # A twin request may have committed while this one waited for the lock.
    existing = _stored_once(Reinspection, actor, rid, "inspector")
    if existing is not None:
        return Stored(existing, False)
    _require_open(hazard, "reinspect")
    errors: dict[str, str] = {}
    result = hazard.result
    number: Decimal | None = None
    if value is not None and value != "":
        if result.answer_type != AnswerType.NUMBER:
            errors["value"] = _("This item takes no measured value")
        else:
            number = _decimal(value)
            if number is None:
                errors["value"] = _("The measured value must be a number")
            else:
                passed = within(number, result.limit_min, result.limit_max)
    if passed is None and "value" not in errors:
        if result.answer_type == AnswerType.NUMBER:
            errors["value"] = _(
                "Please enter the value measured at the re-inspection, or choose whether it was rectified"
            )
        else:
            errors["passed"] = _("Please choose whether it was rectified")
    when = _when(inspected_at, now, "inspected_at", errors)
    if when < hazard.found_at:
        errors["inspected_at"] = _(
            "The re-inspection cannot be earlier than when the hazard was found"
        )
    if errors:
        raise InspectionError(INVALID, errors)
    assert passed is not None  # noqa: S101 - narrowed above
    text = _text(note)
    row = Reinspection(
        hazard=hazard,
        passed=passed,
        value_number=number,
        note=text,
        inspector=actor if _is_user(actor) else None,
        inspector_label=_actor_label(actor),
        inspected_at=when,
        request_id=rid if _is_user(actor) else None,
        created_at=now,
    )
    raced = _save_once(row, actor, rid, "inspector")
    if raced is not None:  # pragma: no cover - the hazard's row lock serialises twins
        return Stored(raced, False)
    if passed:
        _move(hazard, HazardState.RECTIFIED, {"rectified_at": when}, now)
        record(
            "inspections.rectify_hazard",
            actor=actor,
            obj=hazard,
            before={"state": HazardState.OPEN},
            after={"state": hazard.state, "reinspection": row.pk},
            reason=text,
        )
    else:
        detail = text
        if number is not None:
            unit = f" {result.unit}" if result.unit else ""
            detail = "，".join(filter(None, [f"复查实测 {format_number(number)}{unit}", text]))
        _escalate(
            hazard,
            actor=actor,
            reason=EscalationReason.REINSPECTION_FAILED,
            detail=detail,
            now=now,
        )
    return Stored(row, True)


# --- escalation ---------------------------------------------------------------------


def _event_category(hazard: Hazard) -> Category:
    """The sub-category under 09 安全生产/消防隐患: the item's, the checklist's, the default."""
    wanted = [
        hazard.result.item.event_category_code,
        hazard.inspection.checklist.event_category_code,
        DEFAULT_EVENT_CATEGORY,
    ]
    subs = {
        c.code: c
        for c in Category.objects.filter(parent__code=SAFETY_CATEGORY, is_active=True).order_by(
            "sort_order", "code"
        )
    }
    for code in wanted:
        if code and code in subs:
            return subs[code]
    if subs:
        return next(iter(subs.values()))
    raise InspectionError(
        _(
            "The event catalogue has no “work safety / fire hazard” category: the hazard cannot become an event"
        ),
        {
            "event_category": _(
                "Please first enable a sub-category of work safety / fire hazards in the event catalogue"
            )
        },
    )


def _geometry_point(geometry: Any) -> tuple[float, float] | None:
    from shapely.geometry import shape

    try:
        point = shape(geometry).representative_point()
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    return (float(point.x), float(point.y))


def event_point(hazard: Hazard) -> tuple[float, float]:
    """A point the spatial index places in the hazard's own unit (or at least its grid).

    Tried in order: the target's recorded position, the unit's point, then a point
    inside the unit's and the grid's polygons.
    """
    candidates: list[tuple[float, float]] = []
    target: Enterprise | Building | None = hazard.enterprise or hazard.building
    if target is not None and target.lng is not None and target.lat is not None:
        candidates.append((target.lng, target.lat))
    regions = {
        r.code: r for r in Region.objects.filter(code__in={hazard.region_code, hazard.grid_code})
    }
    for code in (hazard.region_code, hazard.grid_code):
        region = regions.get(code)
        if region is None:
            continue
        if region.point_lng is not None and region.point_lat is not None:
            candidates.append((region.point_lng, region.point_lat))
        inside = _geometry_point(region.geometry)
        if inside is not None:
            candidates.append(inside)
    fallback: tuple[float, float] | None = None
    for lng, lat in candidates:
        location = spatial.locate(lng, lat)
        if location.grid_code != hazard.grid_code:
            continue
        if len(hazard.region_code) == 15 or location.unit_code == hazard.region_code:
            return (lng, lat)
        fallback = fallback or (lng, lat)
    if fallback is not None:
        return fallback
    raise InspectionError(
        _("The hazard's place in a grid cannot be found: it cannot become an event"),
        {"region_code": _("The grid's boundary is missing or has changed")},
    )


def _escalate(hazard: Hazard, *, actor: Any, reason: str, detail: str, now: datetime) -> Event:
    """Report the hazard as an event (source: inspection) and mark it escalated."""
    category = _event_category(hazard)
    lng, lat = event_point(hazard)
    # The inspector reports it when they may report there; otherwise the system does.
    reporter = (
        actor
        if _is_user(actor) and event_selectors.can_report_at(actor, hazard.region_code)
        else None
    )
    person = f"（{hazard.responsible_person}）" if hazard.responsible_person else ""
    # The event's description is stored: in the installation's language.
    why = in_data_language(EscalationReason(reason).label)
    description = (
        f"安全检查（{hazard.inspection.checklist.name}）发现隐患：{hazard.description}。"
        f"整改责任：{hazard.owner_name}{person}；整改期限：{hazard.deadline:%Y-%m-%d}。"
        f"{why}{'：' + detail if detail else ''}。"
    )
    try:
        report = do_report_event(
            actor=reporter,
            category=category.code,
            description=description,
            lng=lng,
            lat=lat,
            title=f"{hazard.target_name}：{hazard.result.text}"[:100],
            address=hazard.address,
            source=EventSource.INSPECTION,
            request_id=f"inspections.hazard:{hazard.pk}" if reporter is not None else None,
            now=now,
        )
    except EventError as exc:
        raise InspectionError(
            exc.message, {f"event_{name}": text for name, text in exc.fields.items()}
        ) from None
    event = report.event
    _move(
        hazard,
        HazardState.ESCALATED,
        {"escalated_at": now, "escalation_reason": reason, "event": event},
        now,
    )
    record(
        "inspections.escalate_hazard",
        actor=actor,
        obj=hazard,
        before={"state": HazardState.OPEN},
        after={
            "state": hazard.state,
            "reason": reason,
            "event": event.pk,
            "event_number": event.number,
            "category": category.code,
        },
        reason=detail,
    )
    return event


@dataclass
class OverdueHazards:
    escalated: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"escalated": len(self.escalated), "failed": len(self.failed)}


def mark_overdue_hazards(now: datetime | None = None) -> OverdueHazards:
    """Escalate every open hazard whose deadline has passed without a re-inspection.

    The deadline day itself still counts: a hazard due today is escalated from
    tomorrow.  Each hazard in its own transaction; one that cannot be escalated
    (no category, no place) is counted and retried on the next run.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = OverdueHazards()
    late = Hazard.objects.filter(state=HazardState.OPEN, deadline__lt=today).order_by("pk")
    for pk in list(late.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                hazard = _locked(Hazard(pk=pk))
                if hazard.state != HazardState.OPEN or hazard.deadline >= today:
                    continue  # re-inspected or extended meanwhile
                _escalate(
                    hazard,
                    actor=None,
                    reason=EscalationReason.OVERDUE,
                    detail=f"整改期限 {hazard.deadline:%Y-%m-%d} 已过",
                    now=now,
                )
        except InspectionError:
            result.failed.append(pk)
            continue
        result.escalated.append(pk)
    return result


# --- enforcement --------------------------------------------------------------------


def _department(value: str | int | Department | None, district_code: str) -> Department | None:
    if value is None or value == "":
        return None
    qs = Department.objects.filter(district__code=district_code)
    if isinstance(value, Department):
        return qs.filter(pk=value.pk).first()
    if isinstance(value, int) or str(value).strip().isdigit():
        return qs.filter(pk=int(value)).first()
    return qs.filter(code=str(value).strip()).first()


@transaction.atomic
def do_record_enforcement(
    hazard: Hazard,
    *,
    actor: Any,
    kind: str,
    item: str,
    department: str | int | Department | None,
    quantity: int | None = None,
    unit: str = "",
    details: str = "",
    enforced_on: date | None = None,
    request_id: str | uuid.UUID | None = None,
    now: datetime | None = None,
) -> Stored[EnforcementRecord]:
    """Keep an enforcement record with the hazard's case (e.g. 45 LPG cylinders seized)."""
    rid = _request_id(request_id)
    existing = _stored_once(EnforcementRecord, actor, rid, "recorded_by")
    if existing is not None:
        return Stored(existing, False)
    if actor is not None and not selectors.may(actor, selectors.ENFORCE, hazard.region_code):
        raise InspectionForbidden(_("You may not keep enforcement records for this hazard"))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if kind not in EnforcementKind.values:
        errors["kind"] = _("Unknown enforcement measure")
    what = _text(item, limit=100)
    if not what:
        errors["item"] = _("Please enter the item or matter")
    if quantity is not None and (isinstance(quantity, bool) or quantity < 0):
        errors["quantity"] = _("The quantity cannot be negative")
    found = _department(department, hazard.district_code)
    if found is None:
        errors["department"] = (
            _("Please choose the enforcing department")
            if department in (None, "")
            else _("Unknown department, or the department is not in the hazard's district")
        )
    day = enforced_on or timezone.localdate(now)
    if day > timezone.localdate(now):
        errors["enforced_on"] = _("The enforcement date cannot be later than today")
    elif day < timezone.localdate(hazard.found_at):
        errors["enforced_on"] = _(
            "The enforcement date cannot be earlier than the day the hazard was found"
        )
    if errors:
        raise InspectionError(INVALID, errors)
    assert found is not None  # noqa: S101 - narrowed above
    row = EnforcementRecord(
        hazard=hazard,
        region_code=hazard.region_code,
        kind=kind,
        item=what,
        quantity=quantity,
        unit=_text(unit, limit=16),
        details=_text(details),
        department=found,
        enforced_on=day,
        recorded_by=actor if _is_user(actor) else None,
        recorded_by_label=_actor_label(actor),
        request_id=rid if _is_user(actor) else None,
        created_at=now,
    )
    raced = _save_once(row, actor, rid, "recorded_by")
    if raced is not None:
        return Stored(raced, False)
    record(
        "inspections.enforce",
        actor=actor,
        obj=row,
        after={
            "hazard": hazard.pk,
            "kind": kind,
            "item": what,
            "quantity": quantity,
            "unit": row.unit,
            "department": found.code,
            "date": day.isoformat(),
        },
        reason=row.details,
    )
    return Stored(row, True)
