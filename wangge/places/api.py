"""Buildings, rooms and the occupancy ledger under /api/v1/places."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.accounts.scope import scope_for
from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.lib import codes
from wangge.lib.crypto import mask_phone
from wangge.people.choices import ResidenceType
from wangge.people.errors import INVALID, api_call
from wangge.people.models import Person
from wangge.people.selectors import people_visible_to
from wangge.places import actions, selectors
from wangge.places.choices import BuildingUse, OccupancySource, TenantChange
from wangge.places.models import Building, Occupancy, Room, TenantReport
from wangge.privacy.actions import do_unmask_landlord_phone

router = Router(tags=["places"])


# --- schemas ---------------------------------------------------------------------------


class BuildingOut(Schema):
    id: int
    name: str
    address: str
    region_code: str = Field(..., description="The minimal unit the building stands in")
    floors: int
    use: BuildingUse
    use_label: str
    is_rental: bool
    lng: float | None
    lat: float | None
    rooms: int
    occupants: int = Field(..., description="People living there now (occupancy ledger)")
    verified_at: datetime | None
    stale: bool = Field(..., description="Not verified on site recently")

    @staticmethod
    def from_building(b: Building, rooms: int, occupants: int) -> dict[str, Any]:
        return {
            "id": b.pk,
            "name": b.name,
            "address": b.address,
            "region_code": b.region_code,
            "floors": b.floors,
            "use": b.use,
            "use_label": b.get_use_display(),
            "is_rental": b.is_rental,
            "lng": b.lng,
            "lat": b.lat,
            "rooms": rooms,
            "occupants": occupants,
            "verified_at": b.verified_at,
            "stale": selectors.is_stale(b),
        }


class RentalOut(Schema):
    landlord_name: str
    landlord_phone: str = Field(..., description="Masked; see POST …/unmask")
    landlord_person_id: int | None
    manager_name: str


class RoomLoadOut(Schema):
    room_id: int
    number: str
    floor: int | None
    occupants: int
    limit: int
    over_occupied: bool


class SummaryOut(Schema):
    text: str = Field(..., description="e.g. 新塘里96号：4层，8间，18人")
    floors: int
    rooms: int
    occupants: int
    over_occupied: list[RoomLoadOut]


class BuildingDetailOut(BuildingOut):
    rental: RentalOut | None
    summary: SummaryOut
    can_unmask: bool


def _load(load: selectors.RoomLoad) -> dict[str, Any]:
    return {
        "room_id": load.room_id,
        "number": load.number,
        "floor": load.floor,
        "occupants": load.occupants,
        "limit": load.limit,
        "over_occupied": load.over,
    }


def _detail(request: HttpRequest, building: Building) -> dict[str, Any]:
    building = Building.objects.select_related("rental").get(pk=building.pk)
    summary = selectors.building_summary(building)
    rental = getattr(building, "rental", None)
    return {
        **BuildingOut.from_building(building, summary.rooms, summary.occupants),
        "rental": (
            {
                "landlord_name": rental.landlord_name,
                "landlord_phone": mask_phone(rental.landlord_phone),
                "landlord_person_id": rental.landlord_person_id,
                "manager_name": rental.manager_name,
            }
            if rental
            else None
        ),
        "summary": {
            "text": summary.text,
            "floors": summary.floors,
            "rooms": summary.rooms,
            "occupants": summary.occupants,
            "over_occupied": [_load(x) for x in summary.over_occupied],
        },
        "can_unmask": scope_for(request.user).can("people.unmask_person", building.region_code),
    }


class _Buildings:
    def __init__(self, qs: QuerySet[Building]) -> None:
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [
            BuildingOut.from_building(b, b.room_count, b.occupant_count)  # type: ignore[attr-defined]
            for b in self.qs[window]
        ]


class BuildingFilter(Schema):
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="Only buildings under this node"
    )
    q: str | None = Field(None, max_length=100, description="Part of the name or address")
    rental: bool | None = Field(None, description="Only rental housing (or only not)")


class RentalIn(Schema):
    landlord_name: str = Field("", max_length=50)
    landlord_phone: str = Field("", max_length=32, description="Stored encrypted, shown masked")
    landlord_person_id: int | None = Field(None, description="The landlord, if registered")
    manager_name: str = Field("", max_length=50)


class BuildingIn(Schema):
    unit_code: str = Field(..., pattern=r"^[0-9]{18}$", description="Minimal unit (18 digits)")
    name: str = Field(..., max_length=100, description="e.g. 新塘里96号")
    address: str = Field("", max_length=200)
    floors: int = Field(1, ge=1, le=200)
    use: BuildingUse = BuildingUse.RESIDENTIAL
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    is_rental: bool = False
    rental: RentalIn | None = Field(None, description="Landlord and manager of rental housing")


class VerifyIn(Schema):
    note: str = Field("", max_length=200)


class RoomOut(Schema):
    id: int
    building_id: int
    number: str
    floor: int | None
    area: Decimal | None
    max_occupants: int | None
    limit: int = Field(..., description="max_occupants, or WANGGE_MAX_OCCUPANTS_PER_ROOM")
    occupants: int
    over_occupied: bool

    @staticmethod
    def from_room(r: Room, occupants: int) -> dict[str, Any]:
        limit = selectors.room_limit(r)
        return {
            "id": r.pk,
            "building_id": r.building_id,
            "number": r.number,
            "floor": r.floor,
            "area": r.area,
            "max_occupants": r.max_occupants,
            "limit": limit,
            "occupants": occupants,
            "over_occupied": occupants > limit,
        }


class RoomIn(Schema):
    number: str = Field(..., max_length=16, description="e.g. 301")
    floor: int | None = Field(None, ge=-5, le=200)
    area: Decimal | None = Field(None, gt=0, lt=100000, decimal_places=2, description="m²")
    max_occupants: int | None = Field(None, ge=1, le=500)


class PersonRef(Schema):
    id: int
    name: str


class OccupancyOut(Schema):
    id: int
    room_id: int
    person: PersonRef
    move_in: date
    move_out: date | None
    current: bool
    source: OccupancySource
    source_label: str
    out_source: str
    recorded_by: str
    note: str

    @staticmethod
    def from_occupancy(o: Occupancy) -> dict[str, Any]:
        user = o.recorded_by
        return {
            "id": o.pk,
            "room_id": o.room_id,
            "person": {"id": o.person_id, "name": o.person.name},
            "move_in": o.move_in,
            "move_out": o.move_out,
            "current": o.move_out is None,
            "source": o.source,
            "source_label": o.get_source_display(),
            "out_source": o.out_source,
            "recorded_by": (getattr(user, "display_name", "") or user.get_username())
            if user
            else pgettext("recorded by", "System"),
            "note": o.note,
        }


class LedgerFilter(Schema):
    current: bool | None = Field(None, description="Only people living there now (or only past)")


class NewTenantIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=32)
    phone: str = Field("", max_length=32)
    residence_type: ResidenceType = ResidenceType.FLOATING
    registered_address: str = Field("", max_length=200)


class MoveInIn(Schema):
    person_id: int
    move_in: date | None = Field(None, description="Today when empty")
    note: str = Field("", max_length=200)


class MoveOutIn(Schema):
    person_id: int
    move_out: date | None = Field(None, description="Today when empty")
    note: str = Field("", max_length=200)
    left_area: bool = Field(False, description="The person left the area (已离开)")


class TenantReportIn(Schema):
    change: TenantChange
    person_id: int | None = Field(None, description="A registered person")
    person: NewTenantIn | None = Field(None, description="A new tenant (moved_in only)")
    changed_on: date | None = Field(None, description="Day of the change (today)")
    reporter_name: str = Field("", max_length=50, description="Landlord or manager")
    note: str = Field("", max_length=200)


class LedgerChangeOut(Schema):
    occupancy: OccupancyOut
    room: RoomOut


class TenantReportOut(LedgerChangeOut):
    id: int
    change: TenantChange
    change_label: str
    reporter_name: str
    changed_on: date


class UnmaskIn(Schema):
    reason: str = Field("", max_length=500)


class UnmaskOut(Schema):
    building_id: int
    field: str
    value: str


def _change(occupancy: Occupancy) -> dict[str, Any]:
    occupancy = Occupancy.objects.select_related("person", "recorded_by", "room").get(
        pk=occupancy.pk
    )
    room = occupancy.room
    return {
        "occupancy": OccupancyOut.from_occupancy(occupancy),
        "room": RoomOut.from_room(room, selectors.current_occupants(room)),
    }


def _person_id(request: HttpRequest, pk: int | None) -> Person | None:
    if pk is None:
        return None
    person = people_visible_to(request.user).filter(pk=pk).first()
    if person is None:
        raise ApiError(422, "invalid", str(INVALID), {"person_id": [str(actions.UNKNOWN_PERSON)]})
    return person


# --- endpoints ----------------------------------------------------------------------------


@router.get("/places/buildings", response=list[BuildingOut], summary="Buildings in the scope")
@paginate(Paged)
def list_buildings(request: HttpRequest, filters: Query[BuildingFilter]) -> Any:
    if filters.under and not codes.is_valid(filters.under):
        raise ApiError(422, "invalid", str(INVALID), {"under": [_("Not a valid area code.")]})
    return _Buildings(
        selectors.buildings_filtered(
            request.user, under=filters.under, q=filters.q, rental=filters.rental
        )
    )


@router.post("/places/buildings", response={201: BuildingDetailOut}, summary="Register a building")
def create_building(request: HttpRequest, payload: BuildingIn) -> Status[dict[str, Any]]:
    rental = None
    if payload.rental is not None:
        rental = actions.RentalInfo(
            landlord_name=payload.rental.landlord_name,
            landlord_phone=payload.rental.landlord_phone,
            landlord_person_id=payload.rental.landlord_person_id,
            manager_name=payload.rental.manager_name,
        )
    building = api_call(
        actions.do_create_building,
        actor=request.user,
        unit_code=payload.unit_code,
        name=payload.name,
        address=payload.address,
        floors=payload.floors,
        use=payload.use,
        lng=payload.lng,
        lat=payload.lat,
        is_rental=payload.is_rental,
        rental=rental,
    )
    return Status(201, _detail(request, building))


@router.get(
    "/places/buildings/{building_id}",
    response=BuildingDetailOut,
    summary="A building with its summary (floors, rooms, people, over-occupied rooms)",
)
def get_building(request: HttpRequest, building_id: int) -> dict[str, Any]:
    return _detail(request, selectors.get_building_for_user(request.user, building_id))


@router.post(
    "/places/buildings/{building_id}/verify",
    response=BuildingDetailOut,
    summary="Confirm the building's data on site (核实)",
)
def verify_building(request: HttpRequest, building_id: int, payload: VerifyIn) -> dict[str, Any]:
    building = selectors.get_building_for_user(request.user, building_id)
    api_call(actions.do_verify_building, building, actor=request.user, note=payload.note)
    return _detail(request, building)


@router.post(
    "/places/buildings/{building_id}/unmask",
    response=UnmaskOut,
    summary="See the landlord's phone in clear (permission, reason, audited)",
)
def unmask_landlord(request: HttpRequest, building_id: int, payload: UnmaskIn) -> dict[str, Any]:
    building = selectors.get_building_for_user(request.user, building_id)
    rental = getattr(building, "rental", None)
    if rental is None:
        raise ApiError(
            422,
            "invalid",
            str(INVALID),
            {"field": [_("This building is not registered as rental housing.")]},
        )
    value = api_call(do_unmask_landlord_phone, rental, reason=payload.reason, actor=request.user)
    return {"building_id": building.pk, "field": "landlord_phone", "value": value}


@router.get(
    "/places/buildings/{building_id}/rooms",
    response=list[RoomOut],
    summary="Rooms of a building with the people living in each now",
)
def list_rooms(request: HttpRequest, building_id: int) -> list[dict[str, Any]]:
    building = selectors.get_building_for_user(request.user, building_id)
    return [RoomOut.from_room(r, r.occupants) for r in selectors.rooms_with_load(building)]  # type: ignore[attr-defined]


@router.post(
    "/places/buildings/{building_id}/rooms", response={201: RoomOut}, summary="Register a room"
)
def create_room(request: HttpRequest, building_id: int, payload: RoomIn) -> Status[dict[str, Any]]:
    building = selectors.get_building_for_user(request.user, building_id)
    room = api_call(
        actions.do_create_room,
        building,
        actor=request.user,
        number=payload.number,
        floor=payload.floor,
        area=payload.area,
        max_occupants=payload.max_occupants,
    )
    return Status(201, RoomOut.from_room(room, 0))


@router.get(
    "/places/rooms/{room_id}/occupancy",
    response=list[OccupancyOut],
    summary="The room's occupancy ledger, newest first",
)
@paginate(Paged)
def room_ledger(request: HttpRequest, room_id: int, filters: Query[LedgerFilter]) -> Any:
    room = selectors.get_room_for_user(request.user, room_id)
    return _Ledger(selectors.ledger(room, current=filters.current))


class _Ledger:
    def __init__(self, qs: QuerySet[Occupancy]) -> None:
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [OccupancyOut.from_occupancy(o) for o in self.qs[window]]


@router.post(
    "/places/rooms/{room_id}/occupancy/move-in",
    response={201: LedgerChangeOut},
    summary="A registered person moves into the room",
)
def move_in(request: HttpRequest, room_id: int, payload: MoveInIn) -> Status[dict[str, Any]]:
    room = selectors.get_room_for_user(request.user, room_id)
    person = _person_id(request, payload.person_id)
    occupancy = api_call(
        actions.do_move_in,
        room,
        person,
        actor=request.user,
        move_in=payload.move_in,
        note=payload.note,
    )
    return Status(201, _change(occupancy))


@router.post(
    "/places/rooms/{room_id}/occupancy/move-out",
    response=LedgerChangeOut,
    summary="A person moves out of the room (the ledger keeps the stay)",
)
def move_out(request: HttpRequest, room_id: int, payload: MoveOutIn) -> dict[str, Any]:
    room = selectors.get_room_for_user(request.user, room_id)
    occupancy = api_call(
        actions.do_move_out,
        room,
        payload.person_id,
        actor=request.user,
        move_out=payload.move_out,
        note=payload.note,
        left_area=payload.left_area,
    )
    return _change(occupancy)


@router.post(
    "/places/rooms/{room_id}/occupancy/reports",
    response={201: TenantReportOut},
    summary="A landlord's report of a tenant moving in or out (applied to the ledger)",
)
def report_tenant_change(
    request: HttpRequest, room_id: int, payload: TenantReportIn
) -> Status[dict[str, Any]]:
    room = selectors.get_room_for_user(request.user, room_id)
    person = _person_id(request, payload.person_id)
    new_tenant = None
    if payload.person is not None:
        new_tenant = actions.NewTenant(
            name=payload.person.name,
            id_number=payload.person.id_number,
            phone=payload.person.phone,
            residence_type=payload.person.residence_type,
            registered_address=payload.person.registered_address,
        )
    report: TenantReport = api_call(
        actions.do_report_tenant_change,
        room,
        actor=request.user,
        change=payload.change,
        person=person,
        new_tenant=new_tenant,
        on=payload.changed_on,
        reporter_name=payload.reporter_name,
        note=payload.note,
    )
    assert report.occupancy is not None  # noqa: S101 - every report names its stay
    return Status(
        201,
        {
            **_change(report.occupancy),
            "id": report.pk,
            "change": report.change,
            "change_label": report.get_change_display(),
            "reporter_name": report.reporter_name,
            "changed_on": report.changed_on,
        },
    )
