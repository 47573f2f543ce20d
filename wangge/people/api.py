"""The population registry under /api/v1/people and /api/v1/households.

ID numbers and phones are always answered masked; the clear value comes only
from ``POST /people/{id}/unmask`` (permission ``people.unmask_person``, a
reason, an audit row).
"""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.accounts.scope import scope_for
from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.lib import codes
from wangge.lib.crypto import mask_id_number, mask_phone
from wangge.people import actions, selectors
from wangge.people.choices import Gender, PersonStatus, Relation, ResidenceType, UnmaskField
from wangge.people.errors import INVALID, api_call
from wangge.people.models import Household, Person
from wangge.privacy.actions import do_unmask_person

router = Router(tags=["people"])

ID_MASKED = "Masked, e.g. 440704********123X; see POST /people/{person_id}/unmask"
PHONE_MASKED = "Masked, e.g. 138****1234; see POST /people/{person_id}/unmask"
REGION_CODE = r"^[0-9]{15}([0-9]{3})?$"


# --- schemas ---------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    gender: Gender
    gender_label: str
    birth_date: date
    id_number: str = Field(..., description=ID_MASKED)
    phone: str = Field(..., description=PHONE_MASKED)
    residence_type: ResidenceType
    residence_type_label: str
    status: PersonStatus
    status_label: str
    region_code: str = Field(..., description="Minimal unit (or grid) where the person lives")
    region_name: str
    residence_address: str

    @staticmethod
    def from_person(p: Person, names: dict[str, str]) -> dict[str, Any]:
        return {
            "id": p.pk,
            "name": p.name,
            "gender": p.gender,
            "gender_label": p.get_gender_display(),
            "birth_date": p.birth_date,
            "id_number": mask_id_number(p.id_number),
            "phone": mask_phone(p.phone),
            "residence_type": p.residence_type,
            "residence_type_label": p.get_residence_type_display(),
            "status": p.status,
            "status_label": p.get_status_display(),
            "region_code": p.region_code,
            "region_name": names.get(p.region_code, ""),
            "residence_address": p.residence_address,
        }


class TagOut(Schema):
    code: str
    name: str
    visit_frequency_days: int | None
    description: str


class PersonTagOut(TagOut):
    since: date


class HouseholdRef(Schema):
    id: int
    number: str
    relation: str
    relation_label: str
    head_id: int | None


class RoomRef(Schema):
    occupancy_id: int
    room_id: int
    room_number: str
    building_id: int
    building_name: str
    move_in: date


class ResidenceOut(Schema):
    region_code: str | None = Field(..., description="Empty for places outside the user's scope")
    address: str
    started_on: date
    ended_on: date | None
    note: str


class PersonDetailOut(PersonOut):
    registered_address: str
    notes: str
    household: HouseholdRef | None
    tags: list[PersonTagOut]
    current_room: RoomRef | None
    residences: list[ResidenceOut]
    can_change: bool
    can_unmask: bool
    created_at: datetime
    updated_at: datetime


def _detail(request: HttpRequest, person: Person) -> dict[str, Any]:
    from wangge.places.selectors import current_occupancy

    person = Person.objects.select_related("household").get(pk=person.pk)
    names = selectors.region_names([person.region_code])
    household = person.household
    stay = current_occupancy(person.pk)
    scope = scope_for(request.user)
    return {
        **PersonOut.from_person(person, names),
        "registered_address": person.registered_address,
        "notes": person.notes,
        "household": (
            {
                "id": household.pk,
                "number": household.number,
                "relation": person.household_relation,
                "relation_label": person.get_household_relation_display(),
                "head_id": household.head_id,
            }
            if household
            else None
        ),
        "tags": [
            {
                "code": pt.tag.code,
                "name": pt.tag.name,
                "visit_frequency_days": pt.tag.visit_frequency_days,
                "description": pt.tag.description,
                "since": pt.since,
            }
            for pt in selectors.tags_of(person)
        ],
        "current_room": (
            {
                "occupancy_id": stay.pk,
                "room_id": stay.room_id,
                "room_number": stay.room.number,
                "building_id": stay.room.building_id,
                "building_name": stay.room.building.name,
                "move_in": stay.move_in,
            }
            if stay
            else None
        ),
        "residences": selectors.residence_history(request.user, person),
        "can_change": scope.can(selectors.CHANGE, person.region_code),
        "can_unmask": scope.can(selectors.UNMASK, person.region_code),
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


class _Page:
    """A queryset the paginator slices in the database; region names in one query per page."""

    def __init__(self, qs: QuerySet[Person]) -> None:
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        rows: list[Person] = list(self.qs[window])
        names = selectors.region_names(p.region_code for p in rows)
        return [PersonOut.from_person(p, names) for p in rows]


class PersonFilter(Schema):
    q: str | None = Field(
        None,
        max_length=100,
        description=(
            "Name (prefix), pinyin or initials (zw for 张伟), exact ID number, exact phone, "
            "or part of the address"
        ),
    )
    under: str | None = Field(
        None, pattern=r"^[0-9]{6,18}$", description="Only people living under this node"
    )
    tag: str | None = Field(None, max_length=32, description="Special-group code, e.g. disabled")
    status: PersonStatus | None = None
    residence_type: ResidenceType | None = None


class PersonIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=32, description="18-digit resident ID number")
    phone: str = Field("", max_length=32, description="Mobile (13812341234) or landline")
    region_code: str = Field(
        ..., pattern=REGION_CODE, description="Minimal unit (18 digits) or grid (15) lived in"
    )
    residence_type: ResidenceType = ResidenceType.REGISTERED
    registered_address: str = Field("", max_length=200, description="户籍地址")
    residence_address: str = Field("", max_length=200, description="现住址")
    household_id: int | None = None
    household_relation: Relation | None = None
    tags: list[str] = Field(default_factory=list, max_length=20, description="Tag codes")
    notes: str = Field("", max_length=2000)


class PersonPatch(Schema):
    name: str | None = Field(None, max_length=50)
    id_number: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=32, description="Empty string removes it")
    residence_type: ResidenceType | None = None
    status: PersonStatus | None = None
    registered_address: str | None = Field(None, max_length=200)
    residence_address: str | None = Field(None, max_length=200)
    household_id: int | None = Field(None, description="null takes the person out of it")
    household_relation: Relation | None = None
    tags: list[str] | None = Field(None, max_length=20, description="Replaces the tags")
    notes: str | None = Field(None, max_length=2000)


class MoveIn(Schema):
    region_code: str | None = Field(
        None, pattern=REGION_CODE, description="New grid or unit (without a registered room)"
    )
    room_id: int | None = Field(None, description="A registered room: the occupancy ledger")
    address: str = Field("", max_length=200, description="New address (with region_code)")
    on: date | None = Field(None, description="Day of the move (today)")
    note: str = Field("", max_length=200)


class UnmaskIn(Schema):
    field: UnmaskField
    reason: str = Field("", max_length=500, description="Why the clear value is needed")


class UnmaskOut(Schema):
    person_id: int
    field: UnmaskField
    value: str


class HouseholdIn(Schema):
    head_id: int
    number: str = Field("", max_length=32, description="户号")
    address: str = Field("", max_length=200)


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    region_code: str
    head_id: int | None
    members: list[PersonOut]


def _household(request: HttpRequest, household: Household) -> dict[str, Any]:
    members: list[Person] = list(selectors.household_members(request.user, household))
    names = selectors.region_names([household.region_code, *(p.region_code for p in members)])
    return {
        "id": household.pk,
        "number": household.number,
        "address": household.address,
        "region_code": household.region_code,
        "head_id": household.head_id,
        "members": [PersonOut.from_person(p, names) for p in members],
    }


def _check_under(under: str | None) -> None:
    if under and not codes.is_valid(under):
        raise ApiError(422, "invalid", str(INVALID), {"under": [_("Not a valid area code.")]})


# --- endpoints (literal paths before /people/{person_id}) ---------------------------------


@router.get("/people/tags", response=list[TagOut], summary="Special groups (特殊人群标签)")
def list_tags(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": t.code,
            "name": t.name,
            "visit_frequency_days": t.visit_frequency_days,
            "description": t.description,
        }
        for t in selectors.active_tags()
    ]


@router.get(
    "/people",
    response=list[PersonOut],
    summary="People in the user's scope; search by name, pinyin, ID number, phone, address",
)
@paginate(Paged)
def list_people(request: HttpRequest, filters: Query[PersonFilter]) -> Any:
    _check_under(filters.under)
    qs = selectors.search_people(
        request.user,
        q=filters.q,
        under=filters.under,
        tag=filters.tag,
        status=filters.status,
        residence_type=filters.residence_type,
    )
    return _Page(qs)


@router.post("/people", response={201: PersonDetailOut}, summary="Register a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[dict[str, Any]]:
    person = api_call(
        actions.do_create_person,
        actor=request.user,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        region_code=payload.region_code,
        residence_type=payload.residence_type,
        registered_address=payload.registered_address,
        residence_address=payload.residence_address,
        household_id=payload.household_id,
        household_relation=payload.household_relation or "",
        tags=payload.tags,
        notes=payload.notes,
    )
    return Status(201, _detail(request, person))


@router.get("/people/{person_id}", response=PersonDetailOut, summary="One person (masked)")
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    return _detail(request, selectors.get_person_for_user(request.user, person_id))


@router.patch("/people/{person_id}", response=PersonDetailOut, summary="Change a person")
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> dict[str, Any]:
    person = selectors.get_person_for_user(request.user, person_id)
    changes = payload.model_dump(exclude_unset=True)
    for key in ("name", "id_number", "residence_type", "status"):
        if key in changes and changes[key] is None:
            raise ApiError(422, "invalid", str(INVALID), {key: [_("Must not be empty.")]})
    if changes.get("household_relation") is None:
        changes.pop("household_relation", None)
    person = api_call(actions.do_update_person, person, actor=request.user, **changes)
    return _detail(request, person)


@router.post(
    "/people/{person_id}/move",
    response=PersonDetailOut,
    summary="Move a person: into a registered room, or to another grid or unit",
)
def move_person(request: HttpRequest, person_id: int, payload: MoveIn) -> dict[str, Any]:
    from wangge.places import actions as place_actions
    from wangge.places.selectors import get_room_for_user

    person = selectors.get_person_for_user(request.user, person_id)
    if (payload.room_id is None) == (payload.region_code is None):
        raise ApiError(
            422,
            "invalid",
            str(INVALID),
            {
                "room_id": [
                    _("Choose a room, or give the new grid or minimal unit (one of the two).")
                ]
            },
        )
    if payload.room_id is not None:
        try:
            room = get_room_for_user(request.user, payload.room_id)
        except Http404:  # a room out of scope is an unknown room
            raise ApiError(
                422,
                "invalid",
                str(INVALID),
                {"room_id": [_("Unknown room, or outside your area.")]},
            ) from None
        if not selectors.may(request.user, selectors.CHANGE, person.region_code):
            raise ApiError(403, "forbidden", _("You may not move this person."))
        api_call(
            place_actions.do_move_in,
            room,
            person,
            actor=request.user,
            move_in=payload.on,
            note=payload.note,
        )
    else:
        api_call(
            actions.do_move_person,
            person,
            actor=request.user,
            region_code=payload.region_code or "",
            address=payload.address,
            on=payload.on,
            note=payload.note,
        )
    return _detail(request, person)


@router.post(
    "/people/{person_id}/unmask",
    response=UnmaskOut,
    summary="See an ID number or phone in clear (permission, reason, audited)",
    description=(
        "Needs `people.unmask_person` where the person lives (403 otherwise) and a reason "
        "(422 without). Every answer writes an audit row `people.unmask` with the field and "
        "the reason, never the value."
    ),
)
def unmask_person(request: HttpRequest, person_id: int, payload: UnmaskIn) -> dict[str, Any]:
    person = selectors.get_person_for_user(request.user, person_id)
    value = api_call(
        do_unmask_person, person, field=payload.field, reason=payload.reason, actor=request.user
    )
    return {"person_id": person.pk, "field": payload.field, "value": value}


@router.post("/households", response={201: HouseholdOut}, summary="Open a household (立户)")
def create_household(request: HttpRequest, payload: HouseholdIn) -> Status[dict[str, Any]]:
    head = selectors.people_visible_to(request.user).filter(pk=payload.head_id).first()
    if head is None:
        raise ApiError(
            422, "invalid", str(INVALID), {"head_id": [_("Unknown person, or outside your area.")]}
        )
    household = api_call(
        actions.do_create_household,
        actor=request.user,
        head=head,
        number=payload.number,
        address=payload.address,
    )
    return Status(201, _household(request, household))


@router.get("/households/{household_id}", response=HouseholdOut, summary="A household")
def get_household(request: HttpRequest, household_id: int) -> dict[str, Any]:
    return _household(request, selectors.get_household_for_user(request.user, household_id))
