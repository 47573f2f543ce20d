"""Writes to the places registry and the occupancy ledger, each with an audit row.

Rights, at the building's minimal unit: ``places.add_building`` to register a
building, ``places.add_room`` for its rooms, ``places.change_building`` to
verify it on site, ``places.add_occupancy`` to record people moving in and
out (by a worker or from a landlord's report).  ``actor=None`` is the system.
The ledger is append-only: moving out sets ``move_out`` on the open row.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.audit.actions import record
from wangge.lib import codes
from wangge.lib.crypto import mask_phone
from wangge.lib.language import in_data_language
from wangge.people import selectors as people_selectors
from wangge.people.actions import do_create_person, relocate_person
from wangge.people.choices import PersonStatus, ResidenceType
from wangge.people.errors import INVALID, RecordConflict, RecordError, RecordForbidden
from wangge.people.models import Person
from wangge.people.validation import InvalidValue, parse_phone
from wangge.places import selectors
from wangge.places.choices import BuildingUse, OccupancySource, TenantChange
from wangge.places.models import Building, Occupancy, RentalHousing, Room, TenantReport

UNKNOWN_UNIT = gettext_lazy("Unknown minimal unit, or outside your area.")
UNKNOWN_PERSON = gettext_lazy("Unknown person, or outside your area.")
MAX_FLOORS = 200


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _text(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def _long(value: str | None, limit: int, field: str, message: str, errors: dict[str, str]) -> None:
    """``message`` (translated) says the limit as ``%(max)d``."""
    if len((value or "").strip()) > limit:
        errors[field] = message % {"max": limit}


# --- buildings ------------------------------------------------------------------------


@dataclass
class RentalInfo:
    landlord_name: str = ""
    landlord_phone: str = ""
    landlord_person_id: int | None = None
    manager_name: str = ""


def _check_rental(actor: Any, rental: RentalInfo, errors: dict[str, str]) -> tuple[str, Any]:
    phone = ""
    try:
        phone = parse_phone(rental.landlord_phone)
    except InvalidValue as exc:
        errors["rental.landlord_phone"] = str(exc)
    _long(
        rental.landlord_name,
        50,
        "rental.landlord_name",
        _("The landlord's name must be at most %(max)d characters."),
        errors,
    )
    _long(
        rental.manager_name,
        50,
        "rental.manager_name",
        _("The manager's name must be at most %(max)d characters."),
        errors,
    )
    landlord = None
    if rental.landlord_person_id is not None:
        qs = Person.objects.all() if actor is None else people_selectors.people_visible_to(actor)
        landlord = qs.filter(pk=rental.landlord_person_id).first()
        if landlord is None:
            errors["rental.landlord_person_id"] = str(UNKNOWN_PERSON)
    return phone, landlord


@transaction.atomic
def do_create_building(
    *,
    actor: Any,
    unit_code: str,
    name: str,
    address: str = "",
    floors: int = 1,
    use: str = BuildingUse.RESIDENTIAL,
    lng: float | None = None,
    lat: float | None = None,
    is_rental: bool = False,
    rental: RentalInfo | None = None,
) -> Building:
    """Register a building in a minimal unit; with ``rental``, as rental housing (出租屋)."""
    errors: dict[str, str] = {}
    unit = people_selectors.region_for_write(actor, unit_code, selectors.ADD, (codes.Level.UNIT,))
    if unit is None:
        errors["unit_code"] = str(UNKNOWN_UNIT)
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Please enter the name of the building.")
    _long(name, 100, "name", _("The building name must be at most %(max)d characters."), errors)
    _long(address, 200, "address", _("The address must be at most %(max)d characters."), errors)
    if not isinstance(floors, int) or not 1 <= floors <= MAX_FLOORS:
        errors["floors"] = _("The number of floors must be between 1 and %(max)d.") % {
            "max": MAX_FLOORS
        }
    if use not in BuildingUse.values:
        errors["use"] = _("Not one of the allowed values.")
    if (lng is None) != (lat is None):
        errors["lng" if lng is None else "lat"] = _("Give both the longitude and the latitude.")
    elif lng is not None and lat is not None:
        if not (math.isfinite(lng) and math.isfinite(lat)):
            errors["lng"] = errors["lat"] = _("Invalid coordinates.")
        elif unit is not None:
            from wangge.regions import spatial

            if spatial.locate(lng, lat).unit_code != unit.code:
                errors["lng"] = errors["lat"] = _(
                    "The coordinates are not inside this minimal unit."
                )
    phone, landlord = "", None
    if rental is not None:
        phone, landlord = _check_rental(actor, rental, errors)
    if errors:
        raise RecordError(INVALID, errors)
    assert unit is not None  # noqa: S101 - narrowed by the checks
    building = Building.objects.create(
        region=unit,
        region_code=unit.code,
        name=name,
        address=_text(address, 200),
        floors=floors,
        use=use,
        lng=lng,
        lat=lat,
        is_rental=is_rental or rental is not None,
        created_by=_user(actor),
    )
    after: dict[str, Any] = {
        "name": building.name,
        "address": building.address,
        "floors": building.floors,
        "use": building.use,
        "is_rental": building.is_rental,
    }
    if rental is not None:
        RentalHousing.objects.create(
            building=building,
            landlord_name=_text(rental.landlord_name, 50),
            landlord_phone=phone,
            landlord_person=landlord,
            manager_name=_text(rental.manager_name, 50),
        )
        after["rental"] = {
            "landlord_name": _text(rental.landlord_name, 50),
            "landlord_phone": mask_phone(phone),
            "landlord_person_id": landlord.pk if landlord else None,
        }
    record("places.create_building", actor=actor, obj=building, after=after)
    return building


@transaction.atomic
def do_verify_building(building: Building, *, actor: Any, note: str = "") -> Building:
    """Confirm on site that the building's data is right (核实): resets its staleness."""
    if not selectors.may(actor, selectors.CHANGE, building.region_code):
        raise RecordForbidden(_("You may not verify this building."))
    now = timezone.now()
    Building.objects.filter(pk=building.pk).update(
        verified_at=now, verified_by=_user(actor), updated_at=now
    )
    building.verified_at = now
    record(
        "places.verify_building",
        actor=actor,
        obj=building,
        after={"verified_at": now.isoformat()},
        reason=_text(note, 200),
    )
    return building


@transaction.atomic
def do_create_room(
    building: Building,
    *,
    actor: Any,
    number: str,
    floor: int | None = None,
    area: Decimal | float | str | None = None,
    max_occupants: int | None = None,
) -> Room:
    if not selectors.may(actor, selectors.ADD_ROOM, building.region_code):
        raise RecordForbidden(_("You may not register rooms in this building."))
    errors: dict[str, str] = {}
    number = (number or "").strip()
    if not number:
        errors["number"] = _("Please enter the room number.")
    elif len(number) > 16:
        errors["number"] = _("The room number must be at most %(max)d characters.") % {"max": 16}
    elif Room.objects.filter(building=building, number=number).exists():
        errors["number"] = _("This building already has a room with this number.")
    if floor is not None and not (-5 <= floor <= building.floors and floor != 0):
        errors["floor"] = _("The floor must be between -5 and %(top)d (not 0).") % {
            "top": building.floors
        }
    area_value = None
    if area is not None:
        try:
            area_value = Decimal(str(area)).quantize(Decimal("0.01"))
        except InvalidOperation:
            errors["area"] = _("The area must be a number.")
        else:
            if not Decimal("0") < area_value < Decimal("100000"):
                errors["area"] = _(
                    "The area must be more than 0 and less than 100000 square metres."
                )
    if max_occupants is not None and not 1 <= max_occupants <= 500:
        errors["max_occupants"] = _("The allowed number of occupants must be between 1 and 500.")
    if errors:
        raise RecordError(INVALID, errors)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                building=building,
                number=number,
                floor=floor,
                area=area_value,
                max_occupants=max_occupants,
            )
    except IntegrityError:
        raise RecordConflict(
            INVALID, {"number": _("This building already has a room with this number.")}
        ) from None
    record(
        "places.create_room",
        actor=actor,
        obj=room,
        region_code=building.region_code,
        object_repr=f"{building.name} {room.number}",
        after={
            "building_id": building.pk,
            "number": number,
            "floor": floor,
            "area": str(area_value) if area_value is not None else None,
            "max_occupants": max_occupants,
        },
    )
    return room


# --- the ledger -----------------------------------------------------------------------


def _day(value: date | None, field: str, message: str, errors: dict[str, str]) -> date:
    """``message`` (translated): the day is later than today."""
    today = timezone.localdate()
    day = value or today
    if day > today:
        errors[field] = message
    return day


def _check_recorder(actor: Any, room: Room) -> None:
    if not selectors.may(actor, selectors.RECORD, room.building.region_code):
        raise RecordForbidden(_("You may not record who lives in this room."))


def _visible_person(actor: Any, person: Person | int) -> Person | None:
    pk = person.pk if isinstance(person, Person) else person
    qs = Person.objects.all() if actor is None else people_selectors.people_visible_to(actor)
    return qs.select_for_update().filter(pk=pk).first()


def _address_of(room: Room) -> str:
    building = room.building
    base = building.address or building.name
    return f"{base}{room.number}" if room.number.endswith("室") else f"{base}{room.number}室"


def _ledger_audit(action: str, occupancy: Occupancy, room: Room, actor: Any, **after: Any) -> None:
    record(
        action,
        actor=actor,
        obj=occupancy,
        region_code=room.building.region_code,
        object_repr=f"{room.building.name} {room.number}",
        after={
            "room_id": room.pk,
            "person_id": occupancy.person_id,
            "move_in": occupancy.move_in.isoformat(),
            "move_out": occupancy.move_out.isoformat() if occupancy.move_out else None,
            **after,
        },
        reason=occupancy.note,
    )


@transaction.atomic
def do_move_in(
    room: Room,
    person: Person | int,
    *,
    actor: Any,
    move_in: date | None = None,
    source: str = OccupancySource.WORKER,
    note: str = "",
) -> Occupancy:
    """``person`` lives in ``room`` from ``move_in`` (today by default).

    A stay in another room ends that day; the person's residence becomes the
    building's unit and the room's address (with history).  Over-occupancy
    does not refuse the move (people do live there): the room's load tells.
    """
    _check_recorder(actor, room)
    room = Room.objects.select_for_update(of=("self",)).select_related("building").get(pk=room.pk)
    errors: dict[str, str] = {}
    found = _visible_person(actor, person)
    if found is None:
        errors["person_id"] = str(UNKNOWN_PERSON)
    day = _day(move_in, "move_in", _("The moving-in date cannot be later than today."), errors)
    if source not in OccupancySource.values:
        errors["source"] = _("Not one of the allowed values.")
    _long(note, 200, "note", _("The note must be at most %(max)d characters."), errors)
    previous = None
    if found is not None:
        previous = (
            Occupancy.objects.select_for_update(of=("self",))
            .filter(person=found, move_out__isnull=True)
            .select_related("room__building")
            .first()
        )
        if previous is not None and previous.room_id == room.pk:
            raise RecordConflict(
                _("This person is already registered as living in this room."),
                {"person_id": _("Already lives in this room.")},
            )
        if previous is not None and day < previous.move_in:
            errors["move_in"] = _(
                "The moving-in date cannot be earlier than the day the person moved into the "
                "previous room (%(date)s)."
            ) % {"date": f"{previous.move_in:%Y-%m-%d}"}
    if errors:
        raise RecordError(INVALID, errors)
    assert found is not None  # noqa: S101 - narrowed by the checks
    if previous is not None:
        Occupancy.objects.filter(pk=previous.pk, move_out__isnull=True).update(
            move_out=day, out_source=source, updated_at=timezone.now()
        )
    occupancy = Occupancy.objects.create(
        room=room,
        person=found,
        move_in=day,
        source=source,
        note=_text(note, 200),
        recorded_by=_user(actor),
    )
    relocate_person(
        found,
        region_code=room.building.region_code,
        address=_address_of(room),
        on=day,
        actor=actor,
        # Stored in the residence history: in the installation's language.
        note=in_data_language(OccupancySource(source).label),
    )
    load = selectors.room_load(room)
    _ledger_audit(
        "places.move_in",
        occupancy,
        room,
        actor,
        source=source,
        previous_room_id=previous.room_id if previous else None,
        occupants=load.occupants,
        over_occupied=load.over,
    )
    return occupancy


@transaction.atomic
def do_move_out(
    room: Room,
    person: Person | int,
    *,
    actor: Any,
    move_out: date | None = None,
    source: str = OccupancySource.WORKER,
    note: str = "",
    left_area: bool = False,
) -> Occupancy:
    """``person`` no longer lives in ``room`` from ``move_out``; with ``left_area`` the person
    is marked as gone (已离开) from the place they were registered at."""
    _check_recorder(actor, room)
    room = Room.objects.select_related("building").get(pk=room.pk)
    pk = person.pk if isinstance(person, Person) else person
    open_stay = (
        Occupancy.objects.select_for_update()
        .filter(room=room, person_id=pk, move_out__isnull=True)
        .first()
    )
    if open_stay is None:
        raise RecordConflict(
            _("This person is not registered as living in this room now."),
            {"person_id": _("Does not live in this room now.")},
        )
    errors: dict[str, str] = {}
    day = _day(move_out, "move_out", _("The moving-out date cannot be later than today."), errors)
    if day < open_stay.move_in:
        errors["move_out"] = _(
            "The moving-out date cannot be earlier than the moving-in date (%(date)s)."
        ) % {"date": f"{open_stay.move_in:%Y-%m-%d}"}
    if source not in OccupancySource.values:
        errors["source"] = _("Not one of the allowed values.")
    _long(note, 200, "note", _("The note must be at most %(max)d characters."), errors)
    if errors:
        raise RecordError(INVALID, errors)
    updated = Occupancy.objects.filter(pk=open_stay.pk, move_out__isnull=True).update(
        move_out=day,
        out_source=source,
        note=_text(note, 200) or open_stay.note,
        updated_at=timezone.now(),
    )
    if updated != 1:  # pragma: no cover - the row is locked above
        raise RecordConflict(
            _("Someone else has changed this record; please reload and try again.")
        )
    open_stay.refresh_from_db()
    if left_area:
        Person.objects.filter(pk=pk).update(status=PersonStatus.LEFT, updated_at=timezone.now())
    load = selectors.room_load(room)
    _ledger_audit(
        "places.move_out",
        open_stay,
        room,
        actor,
        source=source,
        left_area=left_area,
        occupants=load.occupants,
        over_occupied=load.over,
    )
    return open_stay


@dataclass
class NewTenant:
    """A tenant not yet in the registry, registered by the landlord's report."""

    name: str
    id_number: str
    phone: str = ""
    residence_type: str = ResidenceType.FLOATING
    registered_address: str = ""


@contextmanager
def _report_fields() -> Iterator[None]:
    """Refusals of the ledger actions, named as the fields of a report (``changed_on``)."""
    try:
        yield
    except RecordError as exc:
        renamed = {
            ("changed_on" if k in ("move_in", "move_out") else k): v for k, v in exc.fields.items()
        }
        raise type(exc)(exc.message, renamed) from None


@transaction.atomic
def do_report_tenant_change(
    room: Room,
    *,
    actor: Any,
    change: str,
    person: Person | int | None = None,
    new_tenant: NewTenant | None = None,
    on: date | None = None,
    reporter_name: str = "",
    note: str = "",
) -> TenantReport:
    """A landlord's report (租户变动申报), applied to the ledger in the same transaction.

    ``moved_in``: ``person`` (a registered person) or ``new_tenant`` (registered
    now, as floating population unless said otherwise; a tenant whose ID number
    the actor already sees is that person).  ``moved_out``: ``person``, who is
    then marked as gone (已离开).
    """
    _check_recorder(actor, room)
    room = Room.objects.select_related("building__rental").get(pk=room.pk)
    errors: dict[str, str] = {}
    if change not in TenantChange.values:
        errors["change"] = _("Not one of the allowed values.")
    if change == TenantChange.MOVED_OUT and person is None:
        errors["person_id"] = _("Choose the person who moves out.")
    if change == TenantChange.MOVED_IN and (person is None) == (new_tenant is None):
        errors["person_id"] = _(
            "Choose a registered person, or give the new tenant's details (one of the two)."
        )
    _long(
        reporter_name,
        50,
        "reporter_name",
        _("The reporter's name must be at most %(max)d characters."),
        errors,
    )
    _long(note, 200, "note", _("The note must be at most %(max)d characters."), errors)
    if errors:
        raise RecordError(INVALID, errors)
    rental = getattr(room.building, "rental", None)
    reporter = _text(reporter_name, 50) or (rental.landlord_name if rental else "")
    target: Person | int
    if change == TenantChange.MOVED_IN:
        if new_tenant is not None:
            existing = (
                people_selectors.find_visible_by_id_number(actor, new_tenant.id_number)
                if new_tenant.id_number
                else None
            )
            if existing is not None:
                target = existing
            else:
                try:
                    target = do_create_person(
                        actor=actor,
                        name=new_tenant.name,
                        id_number=new_tenant.id_number,
                        phone=new_tenant.phone,
                        region_code=room.building.region_code,
                        residence_type=new_tenant.residence_type,
                        registered_address=new_tenant.registered_address,
                        residence_address=_address_of(room),
                        since=on,
                    )
                except RecordError as exc:
                    raise exc.prefixed("person") from None
        else:
            assert person is not None  # noqa: S101 - checked above
            target = person
        with _report_fields():
            occupancy = do_move_in(
                room,
                target,
                actor=actor,
                move_in=on,
                source=OccupancySource.LANDLORD_REPORT,
                note=note,
            )
    else:
        assert person is not None  # noqa: S101 - checked above
        with _report_fields():
            occupancy = do_move_out(
                room,
                person,
                actor=actor,
                move_out=on,
                source=OccupancySource.LANDLORD_REPORT,
                note=note,
                left_area=True,
            )
    report = TenantReport.objects.create(
        room=room,
        change=change,
        person_id=occupancy.person_id,
        occupancy=occupancy,
        reporter_name=reporter,
        changed_on=occupancy.move_out or occupancy.move_in,
        note=_text(note, 200),
        recorded_by=_user(actor),
    )
    record(
        "places.tenant_report",
        actor=actor,
        obj=report,
        region_code=room.building.region_code,
        object_repr=f"{room.building.name} {room.number}",
        after={
            "room_id": room.pk,
            "change": change,
            "person_id": occupancy.person_id,
            "occupancy_id": occupancy.pk,
            "reporter_name": reporter,
        },
    )
    return report
