"""Writes of arrival reports: report (alone or as a group), group codes, follow-ups, unmasking.

Each action runs in one transaction, validates with field-level Chinese
messages and writes an audit row.  ``actor=None`` is the public (somebody
without an account, through the public form) or the system (seed).

The public actions take a ``PublicClient`` (address, form token, honeypot):
they refuse bots and floods (``wangge.arrivals.guard``) before looking at the
content.  A request id (client-generated UUID) makes a resend harmless: the
same id with the same content answers with what the first request stored; the
same id with other content is refused (409).
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.scope import scope_for
from wangge.arrivals import conf, guard, selectors
from wangge.arrivals.choices import FollowUpOutcome, FollowUpStatus, TravelMode, UnmaskField
from wangge.arrivals.models import ArrivalGroup, ArrivalReport, FollowUp, GroupSubmission
from wangge.audit.actions import record
from wangge.lib import codes
from wangge.lib.errors import Refusal
from wangge.people.validation import PROVINCES, InvalidValue, parse_id_number, parse_phone
from wangge.privacy.fields import blind_index
from wangge.regions import spatial
from wangge.regions.choices import RegionLevel

INVALID = gettext_lazy("Invalid input: please check the fields")
MAX_NAME = 50
MAX_ADDRESS = 200
MAX_ORIGIN = 100
MAX_NOTE = 500
MAX_GROUP_NAME = 100
MAX_REASON = 500
MAX_RAW_IDENTIFIER = 32
#: Letters and digits nobody confuses when reading a code aloud or off a poster.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUP_CODE_LENGTH = 6
REQUEST_ID = re.compile(r"^[0-9A-Za-z\-]{8,64}$")
DESTINATION_LEVELS = (RegionLevel.GRID, RegionLevel.UNIT)


class ArrivalError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""

    default_message = INVALID


class ArrivalForbidden(ArrivalError):
    """The user sees the report but may not do this to it."""

    status = 403
    code = "forbidden"


class ArrivalConflict(ArrivalError):
    """Not possible in the current state, or a request id used for something else."""

    status = 409
    code = "conflict"


class GroupExpired(ArrivalError):
    status = 410
    code = "expired"


@dataclass(frozen=True)
class ReportResult:
    report: ArrivalReport
    created: bool


@dataclass(frozen=True)
class GroupResult:
    group: ArrivalGroup
    created: bool


@dataclass(frozen=True)
class GroupReportResult:
    submission: GroupSubmission
    reports: list[ArrivalReport]
    created: bool


@dataclass(frozen=True)
class RowIn:
    """One person of a group submission."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


# --- small helpers ------------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _actor_label(actor: Any) -> str:
    if not _is_user(actor):
        return "系统"
    return str(getattr(actor, "display_name", "") or actor.get_username())[:150]


def _text(value: Any, name: str, errors: dict[str, str], *, limit: int, required: str = "") -> str:
    """The text stripped; an error when missing (if required) or longer than ``limit``."""
    text = str(value or "").strip()
    if not text and required:
        errors[name] = required
    elif len(text) > limit:
        errors[name] = _("At most %(limit)s characters") % {"limit": limit}
    elif any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        errors[name] = _("Contains characters that are not allowed")
    return text


def _request_id(value: str | None, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if text and not REQUEST_ID.match(text):
        errors["request_id"] = _("The request id is not in a valid format")
    return text


def _fingerprint(*parts: Any) -> str:
    return blind_index("|".join(str(p) for p in parts))


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _new_number(now: datetime) -> str:
    day = timezone.localtime(now).strftime("%y%m%d")
    while True:
        number = f"LF{day}{_random_code(5)}"
        if not ArrivalReport.objects.filter(number=number).exists():
            return number


def _new_group_code() -> str:
    while True:
        code = _random_code(GROUP_CODE_LENGTH)
        if not ArrivalGroup.objects.filter(code=code).exists():
            return code


# --- what every report says: who, where to, when, from where -------------------------------------


def _id_number(value: str, name: str, errors: dict[str, str], now: datetime) -> str:
    raw = str(value or "").strip()
    if not raw:
        return ""
    if len(raw) > MAX_RAW_IDENTIFIER:
        errors[name] = _("An ID number has 18 characters")
        return ""
    try:
        return parse_id_number(raw, today=timezone.localdate(now)).number
    except InvalidValue as exc:
        errors[name] = str(exc)
        return ""


def _phone(value: str, name: str, errors: dict[str, str], *, required: str = "") -> str:
    raw = str(value or "").strip()
    if not raw:
        if required:
            errors[name] = required
        return ""
    if len(raw) > MAX_RAW_IDENTIFIER:
        errors[name] = _("The phone number is not in a valid format")
        return ""
    try:
        return parse_phone(raw)
    except InvalidValue as exc:
        errors[name] = str(exc)
        return ""


def _arrival_time(value: datetime | str | None, errors: dict[str, str], now: datetime) -> datetime:
    when: datetime | None
    if isinstance(value, datetime):
        when = value
    else:
        text = str(value or "").strip()
        if not text:
            errors["arrival_at"] = _("Please enter the arrival time")
            return now
        try:
            when = parse_datetime(text.replace(" ", "T", 1)) if len(text) <= 40 else None
        except ValueError:
            when = None
        if when is None:
            errors["arrival_at"] = _(
                "The arrival time is not in a valid format (e.g. 2026-01-31 14:30)"
            )
            return now
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    ahead = timedelta(hours=conf.number("ARRIVALS_MAX_ADVANCE_HOURS"))
    past = timedelta(days=conf.number("ARRIVALS_MAX_PAST_DAYS"))
    if when > now + ahead:
        hours = conf.number("ARRIVALS_MAX_ADVANCE_HOURS")
        if hours % 24 == 0 and hours >= 24:
            errors["arrival_at"] = _(
                "The arrival is too far ahead: you may report at most %(days)s days in advance"
            ) % {"days": hours // 24}
        else:
            errors["arrival_at"] = _(
                "The arrival is too far ahead: you may report at most %(hours)s hours in advance"
            ) % {"hours": hours}
    elif when < now - past:
        errors["arrival_at"] = _("The arrival cannot be more than %(days)s days ago") % {
            "days": past.days
        }
    return when


def _origin_code(value: str, errors: dict[str, str]) -> str:
    text = str(value or "").strip()
    if text and (len(text) != 6 or not text.isdigit() or text[:2] not in PROVINCES):
        errors["origin_code"] = _("The origin's administrative code has 6 digits (e.g. 440100)")
    return text


def _travel_mode(value: str, errors: dict[str, str]) -> str:
    text = str(value or "").strip()
    if not text:
        errors["travel_mode"] = _("Please choose how you travel")
    elif text not in TravelMode.values:
        errors["travel_mode"] = _("Unknown way of travelling")
    return text


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
class Destination:
    region_code: str
    lng: float | None = None
    lat: float | None = None


def _destination(
    unit_code: str | None,
    lng: float | None,
    lat: float | None,
    errors: dict[str, str],
    *,
    district: str = "",
) -> Destination | None:
    """The grid or unit people arrive at: the one picked, or the one holding the map point."""
    code = (unit_code or "").strip()
    if code:
        if (
            not codes.is_valid(code)
            or codes.level_of(code) not in (codes.Level.GRID, codes.Level.UNIT)
            or not selectors.region_exists(code, DESTINATION_LEVELS)
        ):
            errors["unit_code"] = _("Please choose a valid destination (a unit)")
            return None
        if district and not code.startswith(district):
            errors["unit_code"] = _(
                "The destination is not in the district the group code was created for"
            )
            return None
        return Destination(code)
    if lng is None and lat is None:
        errors["unit_code"] = _(
            "Please choose the destination (street, community, unit), or pick a point on the map"
        )
        return None
    if not _valid_point(lng, lat):
        errors["lng"] = _("Invalid coordinates")
        return None
    assert lng is not None and lat is not None  # noqa: S101 - checked by _valid_point
    location = spatial.locate(float(lng), float(lat))
    found = location.unit_code or location.grid_code
    if found is None or (district and not found.startswith(district)):
        errors["lng"] = _(
            "This place is outside the grids of this platform: please choose the destination from the list"
        )
        return None
    return Destination(found, float(lng), float(lat))


@dataclass
class Journey:
    """Where to, when and from where: shared by everybody of a group submission."""

    destination: Destination | None
    address: str
    arrival_at: datetime
    origin: str
    origin_code: str
    travel_mode: str
    note: str
    errors: dict[str, str] = field(default_factory=dict)


def _journey(
    *,
    unit_code: str | None,
    lng: float | None,
    lat: float | None,
    address: str,
    arrival_at: datetime | str | None,
    origin: str,
    origin_code: str,
    travel_mode: str,
    note: str,
    now: datetime,
    district: str = "",
    address_required: bool = True,
) -> Journey:
    errors: dict[str, str] = {}
    destination = _destination(unit_code, lng, lat, errors, district=district)
    return Journey(
        destination=destination,
        address=_text(
            address,
            "address",
            errors,
            limit=MAX_ADDRESS,
            required=_("Please enter the full address (e.g. room 302, 8 Some Road)")
            if address_required
            else "",
        ),
        arrival_at=_arrival_time(arrival_at, errors, now),
        origin=_text(
            origin, "origin", errors, limit=MAX_ORIGIN, required=_("Please say where you come from")
        ),
        origin_code=_origin_code(origin_code, errors),
        travel_mode=_travel_mode(travel_mode, errors),
        note=_text(note, "note", errors, limit=MAX_NOTE),
        errors=errors,
    )


def _is_late(arrival_at: datetime, reported_at: datetime) -> bool:
    return reported_at - arrival_at > timedelta(hours=conf.number("ARRIVALS_LATE_HOURS"))


def _due(arrival_at: datetime, reported_at: datetime) -> datetime:
    return max(arrival_at, reported_at) + timedelta(hours=conf.number("ARRIVALS_FOLLOW_UP_HOURS"))


def _store(
    *,
    name: str,
    id_number: str,
    phone: str,
    address: str,
    journey: Journey,
    now: datetime,
    actor: Any,
    request_id: str = "",
    fingerprint: str = "",
    group: ArrivalGroup | None = None,
    submission: GroupSubmission | None = None,
) -> ArrivalReport:
    """Save a report (validated) with its follow-up and audit row."""
    destination = journey.destination
    assert destination is not None  # noqa: S101 - validated by the caller
    district = destination.region_code[:6]
    report = ArrivalReport(
        number=_new_number(now),
        name=name,
        id_number=id_number,
        phone=phone,
        district_code=district,
        region_code=destination.region_code,
        address=address,
        lng=destination.lng,
        lat=destination.lat,
        arrival_at=journey.arrival_at,
        reported_at=now,
        is_late=_is_late(journey.arrival_at, now),
        origin=journey.origin,
        origin_code=journey.origin_code,
        travel_mode=journey.travel_mode,
        note=journey.note,
        person=selectors.find_person(id_number, district),
        group=group,
        submission=submission,
        client_request_id=request_id,
        fingerprint=fingerprint,
    )
    with transaction.atomic():
        report.save()
    FollowUp.objects.create(
        report=report,
        region_code=report.region_code,
        due_at=_due(report.arrival_at, now),
        created_at=now,
    )
    record(
        "arrivals.report",
        actor=actor,
        obj=report,
        after={
            "number": report.number,
            "late": report.is_late,
            "linked": report.person_id is not None,
            "group": group.code if group else None,
        },
    )
    return report


def receipt_message(report: ArrivalReport) -> str:
    """What a reporter reads after sending (in their language; nothing of it is stored)."""
    if report.is_late:
        hours = conf.number("ARRIVALS_LATE_HOURS")
        return _(
            "Reported. You reported more than %(hours)s hours after arriving, so it counts as a "
            "late report; a grid worker will contact you soon."
        ) % {"hours": hours}
    return _("Reported. A grid worker will contact you.")


# --- one person reports ---------------------------------------------------------------------------


def _replayed(request_id: str, fingerprint: str) -> ArrivalReport | None:
    found = ArrivalReport.objects.filter(client_request_id=request_id).first()
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        raise ArrivalConflict(
            _(
                "This request id was used for another report: please reload the page and fill it in again"
            ),
            {"request_id": _("The request id is already used")},
        )
    return found


@transaction.atomic
def do_report_arrival(
    *,
    actor: Any,
    name: str,
    phone: str,
    address: str,
    arrival_at: datetime | str | None,
    origin: str,
    travel_mode: str,
    id_number: str = "",
    unit_code: str | None = None,
    lng: float | None = None,
    lat: float | None = None,
    origin_code: str = "",
    note: str = "",
    request_id: str | None = None,
    client: guard.PublicClient | None = None,
    now: datetime | None = None,
) -> ReportResult:
    """离返报备: somebody arriving at a place of the district says who, where to, when, whence.

    Stores the report, flags it late when it comes more than ``ARRIVALS_LATE_HOURS``
    after the arrival, links it to the registered person with the same ID number in
    the destination district, and opens the follow-up for the destination's grid.
    """
    now = now or timezone.now()
    errors: dict[str, str] = {}
    rid = _request_id(request_id, errors)
    clean_name = _text(name, "name", errors, limit=MAX_NAME, required=_("Please enter the name"))
    number = _id_number(id_number, "id_number", errors, now)
    clean_phone = _phone(
        phone,
        "phone",
        errors,
        required=_("Please enter a mobile number so that the grid worker can contact you"),
    )
    journey = _journey(
        unit_code=unit_code,
        lng=lng,
        lat=lat,
        address=address,
        arrival_at=arrival_at,
        origin=origin,
        origin_code=origin_code,
        travel_mode=travel_mode,
        note=note,
        now=now,
    )
    errors.update(journey.errors)
    fingerprint = ""
    if not errors:
        assert journey.destination is not None  # noqa: S101 - no errors
        fingerprint = _fingerprint(
            clean_name,
            number,
            clean_phone,
            journey.destination.region_code,
            journey.address,
            journey.arrival_at.isoformat(),
            journey.origin,
            journey.travel_mode,
        )
        if rid:
            existing = _replayed(rid, fingerprint)
            if existing is not None:
                return ReportResult(existing, False)
    if client is not None:
        try:
            guard.check_client(client)
        except guard.Throttled:
            raise
        except guard.Refused as exc:
            raise ArrivalError(exc.message, exc.fields) from None
    if errors:
        raise ArrivalError(INVALID, errors)
    if client is not None:
        guard.take_phone(clean_phone)
    try:
        report = _store(
            name=clean_name,
            id_number=number,
            phone=clean_phone,
            address=journey.address,
            journey=journey,
            now=now,
            actor=actor,
            request_id=rid,
            fingerprint=fingerprint,
        )
    except IntegrityError:
        # The same request id raced in from a second connection: answer with its report.
        existing = _replayed(rid, fingerprint) if rid else None
        if existing is None:
            raise
        return ReportResult(existing, False)
    return ReportResult(report, True)


# --- group codes ------------------------------------------------------------------------------------


def _staff_may_create_at(actor: Any, *, district: str, region_code: str) -> bool:
    scope = scope_for(actor)
    if scope.is_global:
        return True
    roots = scope.roots_with(selectors.ADD_GROUP)
    if region_code:
        return any(region_code.startswith(root) for root in roots)
    return any(root.startswith(district) for root in roots)


@transaction.atomic
def do_create_group(
    *,
    actor: Any,
    name: str,
    organiser_name: str,
    organiser_phone: str = "",
    district_code: str = "",
    unit_code: str = "",
    address: str = "",
    request_id: str | None = None,
    client: guard.PublicClient | None = None,
    now: datetime | None = None,
) -> GroupResult:
    """团体码: a short code (and its QR code) under which many people are reported at once.

    Staff (``arrivals.add_arrivalgroup``) create groups for places they work in; anybody
    else is a public organiser and leaves a phone number.
    """
    now = now or timezone.now()
    staff = _is_user(actor) and selectors.can_create_group(actor)
    errors: dict[str, str] = {}
    rid = _request_id(request_id, errors)
    clean_name = _text(
        name, "name", errors, limit=MAX_GROUP_NAME, required=_("Please enter the group's name")
    )
    organiser = _text(
        organiser_name or (_actor_label(actor) if staff else ""),
        "organiser_name",
        errors,
        limit=MAX_NAME,
        required=_("Please enter the organiser's name"),
    )
    phone = _phone(
        organiser_phone,
        "organiser_phone",
        errors,
        required="" if staff else _("Please enter the organiser's mobile number"),
    )
    clean_address = _text(address, "address", errors, limit=MAX_ADDRESS)
    region_code = ""
    district = (district_code or "").strip()
    if unit_code:
        destination = _destination(unit_code, None, None, errors)
        if destination is not None:
            region_code = destination.region_code
            district = region_code[:6]
    if not district:
        errors.setdefault("district_code", _("Please choose the district you arrive in"))
    elif not (
        len(district) == 6
        and district.isdigit()
        and selectors.region_exists(district, [RegionLevel.DISTRICT])
    ):
        errors.setdefault("district_code", _("Unknown district"))
    elif staff and not _staff_may_create_at(actor, district=district, region_code=region_code):
        key = "unit_code" if region_code else "district_code"
        errors[key] = _("This destination is outside your area")
    fingerprint = ""
    if not errors:
        fingerprint = _fingerprint(clean_name, organiser, phone, district, region_code)
        if rid:
            existing = ArrivalGroup.objects.filter(client_request_id=rid).first()
            if existing is not None:
                if existing.fingerprint != fingerprint:
                    raise ArrivalConflict(
                        _(
                            "This request id was used for another group code: please reload the page and fill it in again"
                        ),
                        {"request_id": _("The request id is already used")},
                    )
                return GroupResult(existing, False)
    if client is not None and not staff:
        try:
            guard.check_client(client)
        except guard.Throttled:
            raise
        except guard.Refused as exc:
            raise ArrivalError(exc.message, exc.fields) from None
    if errors:
        raise ArrivalError(INVALID, errors)
    if client is not None and not staff:
        guard.take_phone(phone)
    group = ArrivalGroup(
        code=_new_group_code(),
        name=clean_name,
        district_code=district,
        region_code=region_code,
        address=clean_address,
        organiser_name=organiser,
        organiser_phone=phone,
        created_by=actor if staff else None,
        client_request_id=rid,
        fingerprint=fingerprint,
        expires_at=now + timedelta(days=conf.number("ARRIVALS_GROUP_DAYS")),
        created_at=now,
    )
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        existing = ArrivalGroup.objects.filter(client_request_id=rid).first() if rid else None
        if existing is None or existing.fingerprint != fingerprint:
            raise
        return GroupResult(existing, False)
    record(
        "arrivals.create_group",
        actor=actor if staff else None,
        obj=group,
        region_code=region_code or district,
        after={"code": group.code, "staff": staff, "expires_at": group.expires_at.isoformat()},
    )
    return GroupResult(group, True)


def _rows(
    rows: Sequence[RowIn | dict[str, Any]], errors: dict[str, str], now: datetime
) -> list[tuple[int, RowIn]]:
    """The people of a group submission with their positions, checked row by row.

    Errors are named ``rows.<position>.<field>`` (from 0).  Rows left entirely empty
    (blank lines of the page's table) are skipped but keep the positions of the others.
    """
    limit = conf.number("ARRIVALS_GROUP_MAX_ROWS")
    given = [
        (i, r if isinstance(r, RowIn) else RowIn(**{k: str(r.get(k) or "") for k in _ROW_KEYS}))
        for i, r in enumerate(rows)
    ]
    given = [(i, r) for i, r in given if any(str(v or "").strip() for v in vars(r).values())]
    if not given:
        errors["rows"] = _("Please enter at least one person")
        return []
    if len(given) > limit:
        errors["rows"] = _(
            "At most %(limit)s people can be reported at once: please send them in batches"
        ) % {"limit": limit}
        return []
    clean: list[tuple[int, RowIn]] = []
    seen_ids: dict[str, int] = {}
    for i, row in given:
        here: dict[str, str] = {}
        name = _text(row.name, "name", here, limit=MAX_NAME, required=_("Please enter the name"))
        number = _id_number(row.id_number, "id_number", here, now)
        phone = _phone(row.phone, "phone", here)
        address = _text(row.address, "address", here, limit=MAX_ADDRESS)
        if not here and not number and not phone:
            here["id_number"] = _("Please enter an ID number or a mobile number (at least one)")
        if number and number in seen_ids:
            here["id_number"] = _("The same ID number as on row %(row)s") % {
                "row": seen_ids[number] + 1
            }
        elif number:
            seen_ids[number] = i
        for key, message in here.items():
            errors[f"rows.{i}.{key}"] = message
        clean.append((i, RowIn(name=name, id_number=number, phone=phone, address=address)))
    return clean


_ROW_KEYS = ("name", "id_number", "phone", "address")


@transaction.atomic
def do_report_group(
    group: ArrivalGroup,
    *,
    actor: Any,
    rows: Sequence[RowIn | dict[str, Any]],
    arrival_at: datetime | str | None,
    origin: str,
    travel_mode: str,
    unit_code: str | None = None,
    lng: float | None = None,
    lat: float | None = None,
    address: str = "",
    origin_code: str = "",
    note: str = "",
    request_id: str | None = None,
    client: guard.PublicClient | None = None,
    now: datetime | None = None,
) -> GroupReportResult:
    """Several people reported at once under a group code: all of them, or none.

    The destination is the group's, if it has one; otherwise the one picked (in the
    group's district).  Each person may give their own address (room), else the
    submission's (or the group's) address applies.
    """
    now = now or timezone.now()
    if group.expires_at <= now:
        raise GroupExpired(_("This group code has expired: please contact the organiser"))
    errors: dict[str, str] = {}
    rid = _request_id(request_id, errors)
    people = _rows(rows, errors, now)
    journey = _journey(
        unit_code=group.region_code or unit_code,
        lng=None if group.region_code else lng,
        lat=None if group.region_code else lat,
        address=address or group.address,
        arrival_at=arrival_at,
        origin=origin,
        origin_code=origin_code,
        travel_mode=travel_mode,
        note=note,
        now=now,
        district=group.district_code,
        address_required=False,
    )
    errors.update(journey.errors)
    if any(not person.address for _i, person in people) and not journey.address:
        errors["address"] = _("Please enter the full address (it may be given on each row)")
    taken = ArrivalReport.objects.filter(group=group).count()
    cap = conf.number("ARRIVALS_GROUP_MAX_MEMBERS")
    if people and taken + len(people) > cap:
        errors["rows"] = _(
            "This group code takes at most %(cap)s people: %(left)s more can be reported"
        ) % {"cap": cap, "left": max(0, cap - taken)}
    fingerprint = ""
    if not errors:
        assert journey.destination is not None  # noqa: S101 - no errors
        fingerprint = _fingerprint(
            group.pk,
            journey.destination.region_code,
            journey.address,
            journey.arrival_at.isoformat(),
            journey.origin,
            journey.travel_mode,
            *(f"{p.name}/{p.id_number}/{p.phone}/{p.address}" for _i, p in people),
        )
        if rid:
            existing = GroupSubmission.objects.filter(client_request_id=rid).first()
            if existing is not None:
                if existing.fingerprint != fingerprint or existing.group_id != group.pk:
                    raise ArrivalConflict(
                        _(
                            "This request id was used for another report: please reload the page and fill it in again"
                        ),
                        {"request_id": _("The request id is already used")},
                    )
                return GroupReportResult(
                    existing, list(existing.reports.order_by("pk")), created=False
                )
    if client is not None:
        try:
            guard.check_client(client)
        except guard.Throttled:
            raise
        except guard.Refused as exc:
            raise ArrivalError(exc.message, exc.fields) from None
    if errors:
        raise ArrivalError(INVALID, errors)
    submission = GroupSubmission(
        group=group, client_request_id=rid, fingerprint=fingerprint, created_at=now
    )
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        existing = GroupSubmission.objects.filter(client_request_id=rid).first() if rid else None
        if existing is None or existing.fingerprint != fingerprint:
            raise
        return GroupReportResult(existing, list(existing.reports.order_by("pk")), created=False)
    reports = [
        _store(
            name=person.name,
            id_number=person.id_number,
            phone=person.phone,
            address=person.address or journey.address,
            journey=journey,
            now=now,
            actor=actor if _is_user(actor) else None,
            group=group,
            submission=submission,
        )
        for _i, person in people
    ]
    return GroupReportResult(submission, reports, created=True)


# --- the grid worker's side --------------------------------------------------------------------------


@transaction.atomic
def do_complete_follow_up(
    follow_up: FollowUp,
    *,
    actor: Any,
    outcome: str,
    note: str = "",
    now: datetime | None = None,
) -> FollowUp:
    """回访: the worker records what came of following the report up; the task is done."""
    if actor is not None and not selectors.may(actor, selectors.FOLLOW_UP, follow_up.region_code):
        raise ArrivalForbidden(_("You may not record the follow-up of this report"))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if not outcome:
        errors["outcome"] = _("Please choose the outcome of the follow-up")
    elif outcome not in FollowUpOutcome.values:
        errors["outcome"] = _("Unknown follow-up outcome")
    text = _text(note, "note", errors, limit=MAX_NOTE)
    if outcome == FollowUpOutcome.UNREACHABLE and not text and "outcome" not in errors:
        errors["note"] = _(
            "Please say how and how often you tried to contact them (e.g. called twice, no answer)"
        )
    if errors:
        raise ArrivalError(INVALID, errors)
    updated = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.OPEN).update(
        status=FollowUpStatus.DONE,
        outcome=outcome,
        outcome_note=text,
        done_at=now,
        done_by=actor if _is_user(actor) else None,
        done_by_label=_actor_label(actor),
    )
    if updated != 1:
        raise ArrivalConflict(
            _("The follow-up of this report was already recorded"),
            {"outcome": _("Already followed up")},
        )
    follow_up.refresh_from_db()
    record(
        "arrivals.follow_up",
        actor=actor,
        obj=follow_up,
        object_repr=f"{follow_up.report}",
        after={"outcome": outcome},
        reason=text,
    )
    return follow_up


@transaction.atomic
def do_match_arrival_person(report: ArrivalReport, *, actor: Any) -> ArrivalReport:
    """Look for the registered person again (after the worker registered them)."""
    if actor is not None and not selectors.may(actor, selectors.FOLLOW_UP, report.region_code):
        raise ArrivalForbidden(_("You may not link a person to this report"))
    report = ArrivalReport.objects.select_for_update().get(pk=report.pk)
    before = report.person_id
    person = selectors.find_person(report.id_number, report.district_code)
    if person is not None and person.pk != before:
        ArrivalReport.objects.filter(pk=report.pk).update(person=person)
        report.person = person
    record(
        "arrivals.match",
        actor=actor,
        obj=report,
        before={"linked": before is not None},
        after={"linked": report.person_id is not None},
    )
    return report


@transaction.atomic
def do_unmask_arrival(report: ArrivalReport, *, field: str, reason: str, actor: Any) -> str:
    """The clear ID number or phone of a report; audited as ``arrivals.unmask``.

    The same rule as for people (``wangge.privacy.actions``): ``people.unmask_person``
    at the report's place and a reason; the audit row names the field, never the value.
    """
    if actor is not None and not selectors.may(actor, selectors.UNMASK, report.region_code):
        raise ArrivalForbidden(_("You may not see the full personal details"))
    text = (reason or "").strip()
    if len(text) < 2:
        raise ArrivalError(
            INVALID, {"reason": _("Please give the reason for looking (at least 2 characters)")}
        )
    if len(text) > MAX_REASON:
        raise ArrivalError(
            INVALID,
            {"reason": _("The reason can be at most %(limit)s characters") % {"limit": MAX_REASON}},
        )
    if field not in UnmaskField.values:
        raise ArrivalError(
            INVALID, {"field": _("Only the ID number or the phone number can be shown")}
        )
    value = str(getattr(report, field) or "")
    record(
        "arrivals.unmask",
        actor=actor,
        obj=report,
        reason=text,
        after={"field": field, "empty": not value},
    )
    return value
