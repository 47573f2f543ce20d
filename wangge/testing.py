"""A small two-district world for tests: regions, departments and one user per role.

District 440704 (测试区): streets 001 and 002; community 001001 holds grids A
(…001001001) and A2 (…001001002); community 002001 holds grid B (…002001001).
District 440703 (邻区) has one street, community and grid.  Every grid is cut
into minimal units.  Polygons are rectangles that tile their parents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wangge.accounts.actions import do_assign_role, do_create_user
from wangge.accounts.models import Department, User
from wangge.regions.actions import RegionSpec, do_create_regions
from wangge.regions.models import Region

if TYPE_CHECKING:
    from django.test import Client

PASSWORD = "test-pass-123"  # noqa: S105 - test accounts only


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def _units(grid_code: str, x0: float, y0: float, x1: float, y1: float, n: int) -> list[RegionSpec]:
    step = (y1 - y0) / n
    specs = []
    for i in range(n):
        uy0, uy1 = y0 + i * step, y0 + (i + 1) * step
        specs.append(
            RegionSpec(
                code=f"{grid_code}{i + 1:03d}",
                name=f"第{i + 1}单元",
                geometry=box(x0, uy0, x1, uy1),
                point=((x0 + x1) / 2, (uy0 + uy1) / 2),
            )
        )
    return specs


def world_specs() -> list[RegionSpec]:
    s: list[RegionSpec] = [
        RegionSpec("440704", "测试区", box(113.0, 22.0, 113.2, 22.2), kind="district"),
        RegionSpec("440704001", "东街道", box(113.0, 22.0, 113.1, 22.2), kind="street"),
        RegionSpec("440704002", "西镇", box(113.1, 22.0, 113.2, 22.2), kind="town"),
        RegionSpec("440704001001", "东社区", box(113.0, 22.0, 113.1, 22.2), kind="community"),
        RegionSpec("440704002001", "西村", box(113.1, 22.0, 113.2, 22.2), kind="village"),
        RegionSpec("440704001001001", "东一网格", box(113.0, 22.0, 113.05, 22.2)),
        RegionSpec("440704001001002", "东二网格", box(113.05, 22.0, 113.1, 22.2)),
        RegionSpec("440704002001001", "西一网格", box(113.1, 22.0, 113.2, 22.2)),
        RegionSpec("440703", "邻区", box(113.3, 22.0, 113.4, 22.1), kind="district"),
        RegionSpec("440703001", "邻街道", box(113.3, 22.0, 113.4, 22.1), kind="street"),
        RegionSpec("440703001001", "邻社区", box(113.3, 22.0, 113.4, 22.1), kind="community"),
        RegionSpec("440703001001001", "邻网格", box(113.3, 22.0, 113.4, 22.1)),
    ]
    s += _units("440704001001001", 113.0, 22.0, 113.05, 22.2, 2)
    s += _units("440704001001002", 113.05, 22.0, 113.1, 22.2, 2)
    s += _units("440704002001001", 113.1, 22.0, 113.2, 22.2, 2)
    s += _units("440703001001001", 113.3, 22.0, 113.4, 22.1, 1)
    return s


GRID_A = "440704001001001"
GRID_A2 = "440704001001002"
GRID_B = "440704002001001"
GRID_OTHER = "440703001001001"

#: username → (role, node code or department code, display name)
USERS: dict[str, tuple[str, str, str]] = {
    "admin": ("admin", "", "管理员"),
    "district": ("dispatcher", "440704", "区指挥中心"),
    "street": ("dispatcher", "440704001", "东街道指挥中心"),
    "street_b": ("dispatcher", "440704002", "西镇指挥中心"),
    "community": ("community_staff", "440704001001", "东社区工作站"),
    "worker_a": ("grid_worker", GRID_A, "张伟"),
    "worker_a2": ("grid_worker", GRID_A2, "王芳"),
    "worker_b": ("grid_worker", GRID_B, "李娜"),
    "part_time_a": ("part_time_worker", GRID_A + "001", "刘洋"),
    "dept": ("dept_handler", "cg", "城管局"),
    "resident": ("resident", "440704", "陈静"),
    "other_district": ("dispatcher", "440703", "邻区指挥中心"),
}


@dataclass
class World:
    regions: dict[str, Region]
    users: dict[str, User]
    departments: dict[str, Department]

    def __getitem__(self, username: str) -> User:
        return self.users[username]


def build_world() -> World:
    do_create_regions(world_specs(), actor=None)
    regions = {r.code: r for r in Region.objects.all()}
    departments = {
        "cg": Department.objects.create(district=regions["440704"], code="cg", name="城管局"),
        "sz": Department.objects.create(district=regions["440704"], code="sz", name="市政局"),
        "other": Department.objects.create(
            district=regions["440703"], code="cg", name="邻区城管局"
        ),
    }
    users: dict[str, User] = {}
    for username, (role, target, display) in USERS.items():
        user = do_create_user(
            username=username,
            password=PASSWORD,
            display_name=display,
            actor=None,
            is_superuser=username == "admin",
        )
        if role == "admin":
            do_assign_role(user=user, role=role, actor=None)
        elif role == "dept_handler":
            do_assign_role(user=user, role=role, department=departments[target], actor=None)
        else:
            do_assign_role(user=user, role=role, region=regions[target], actor=None)
        users[username] = user
    return World(regions=regions, users=users, departments=departments)


# --- events: the catalogue, more departments and their handlers ---------------------------

#: username → (role, node code or department code, display name), added by ``extend_world_for_events``.
EVENT_USERS: dict[str, tuple[str, str, str]] = {
    "dept_sz": ("dept_handler", "sz", "市政值班员"),
    "dept_zj": ("dept_handler", "zj", "住建值班员"),
    "dept_xf": ("dept_handler", "xf", "消防值班员"),
    "resident_b": ("resident", "440704", "赵敏"),
}

#: A point in grid A (its first unit), one in grid B, one outside every grid.
POINT_A = (113.02, 22.05)
POINT_B = (113.15, 22.05)
POINT_OUTSIDE = (113.25, 22.05)


def extend_world_for_events(world: World) -> World:
    """Seed the event catalogue and the district's departments; add their handlers."""
    from wangge.events.catalogue import seed_catalogue

    seed_catalogue(world.regions["440704"])
    for department in Department.objects.filter(district=world.regions["440704"]):
        world.departments.setdefault(department.code, department)
    for username, (role, target, display) in EVENT_USERS.items():
        user = do_create_user(
            username=username, password=PASSWORD, display_name=display, actor=None
        )
        if role == "dept_handler":
            do_assign_role(user=user, role=role, department=world.departments[target], actor=None)
        else:
            do_assign_role(user=user, role=role, region=world.regions[target], actor=None)
        world.users[username] = user
    return world


#: A point in the other district's grid.
POINT_OTHER = (113.35, 22.05)
SAMPLE_EVENT_DESCRIPTION = "样例事件：井盖松动"


def sample_events(world: World) -> list[int]:
    """Ids of three events (grid A, dispatched to cg; grid B; the other district), made once.

    For tests that walk every endpoint: ``/events/{event_id}`` needs events to exist.
    """
    from wangge.events.actions import do_dispatch_event, do_register_event, do_report_event
    from wangge.events.catalogue import seed_catalogue
    from wangge.events.models import Event

    existing = list(
        Event.objects.filter(description=SAMPLE_EVENT_DESCRIPTION)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if existing:
        return existing
    seed_catalogue()
    ids = []
    for lng, lat in (POINT_A, POINT_B, POINT_OTHER):
        result = do_report_event(
            actor=None, category="0601", description=SAMPLE_EVENT_DESCRIPTION, lng=lng, lat=lat
        )
        ids.append(result.event.pk)
    first = Event.objects.select_related("category").get(pk=ids[0])
    do_register_event(first, actor=None)
    do_dispatch_event(first, actor=None, department=world.departments["cg"])
    return ids


def sample_attachments(world: World) -> list[tuple[int, int]]:
    """(event id, attachment id): one photo on each of the sample events, made once."""
    import io

    from PIL import Image

    from wangge.events.attachments import do_upload_attachment
    from wangge.events.models import Attachment, EventStep

    event_ids = sample_events(world)
    existing = list(
        Attachment.objects.filter(event_id__in=event_ids)
        .order_by("pk")
        .values_list("event_id", "pk")
    )
    if existing:
        return [(int(e), pk) for e, pk in existing]
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 60)).save(buffer, "PNG")
    pairs = []
    for event_id in event_ids:
        buffer.seek(0)
        attachment = do_upload_attachment(buffer, actor=None)
        step = EventStep.objects.filter(event_id=event_id, action="report").first()
        Attachment.objects.filter(pk=attachment.pk).update(event_id=event_id, step=step)
        pairs.append((event_id, attachment.pk))
    return pairs


# --- people and places: a few residents, buildings and rooms in grids A, A2, B and the other
# district ----------------------------------------------------------------------------------


def make_id_number(place: str = "440704", born: str = "19900101", serial: str = "123") -> str:
    """A valid 18-digit resident ID number (check digit computed)."""
    from stdnum.cn import ric

    body = f"{place}{born}{serial}"
    return body + ric.calc_check_digit(body + "0")


#: label → (unit code, name, ID number, phone); the ID numbers of district 440704 start with
#: 440704 and those of the other district with 440703, so a masked number names no place a
#: user may not see.
SAMPLE_PEOPLE: dict[str, tuple[str, str, str, str]] = {
    "a": (GRID_A + "001", "样例甲", make_id_number("440704", "19800101", "011"), "13800000001"),
    "a_tenant": (GRID_A + "001", "样例乙", make_id_number("440704", "19950505", "022"), ""),
    "a2": (GRID_A2 + "001", "样例丙", make_id_number("440704", "19700303", "033"), "13800000003"),
    "b": (GRID_B + "001", "样例丁", make_id_number("440704", "19880808", "044"), "13800000004"),
    "other": (
        GRID_OTHER + "001",
        "样例戊",
        make_id_number("440703", "19600606", "055"),
        "13800000005",
    ),
}


@dataclass
class SamplePlaces:
    people: dict[str, int]
    buildings: dict[str, int]
    rooms: dict[str, int]
    households: list[int]


def sample_people(world: World) -> SamplePlaces:
    """Residents, buildings (one rental) and rooms in grids A, A2, B and the other district,
    a household in grid A and tenants in rooms; made once.

    For tests that walk every endpoint: ``/people/{person_id}`` and the places need rows.
    """
    from wangge.people.actions import do_create_household, do_create_person
    from wangge.people.models import Person
    from wangge.places.actions import RentalInfo, do_create_building, do_create_room, do_move_in
    from wangge.places.models import Building, Room

    names = {label: spec[1] for label, spec in SAMPLE_PEOPLE.items()}
    found = dict(Person.objects.filter(name__in=names.values()).values_list("name", "pk"))
    if len(found) == len(names):
        by_name = dict(Building.objects.filter(name__startswith="样例楼").values_list("name", "pk"))
        return SamplePlaces(
            people={label: found[name] for label, name in names.items()},
            buildings={name.removeprefix("样例楼"): pk for name, pk in by_name.items()},
            rooms={
                f"{r.building.name.removeprefix('样例楼')}-{r.number}": r.pk
                for r in Room.objects.filter(building_id__in=by_name.values()).select_related(
                    "building"
                )
            },
            households=list(
                Person.objects.filter(pk__in=found.values(), household__isnull=False)
                .values_list("household_id", flat=True)
                .distinct()
            ),
        )
    people = {}
    for label, (unit, name, id_number, phone) in SAMPLE_PEOPLE.items():
        person = do_create_person(
            actor=None,
            name=name,
            id_number=id_number,
            phone=phone,
            region_code=unit,
            residence_type="floating" if label == "a_tenant" else "registered",
        )
        people[label] = person.pk
    household = do_create_household(
        actor=None, head=Person.objects.get(pk=people["a"]), number="样例户"
    )
    buildings: dict[str, int] = {}
    rooms: dict[str, int] = {}
    for key, unit in (
        ("A", GRID_A + "001"),
        ("A2", GRID_A2 + "001"),
        ("B", GRID_B + "001"),
        ("邻", GRID_OTHER + "001"),
    ):
        building = do_create_building(
            actor=None,
            unit_code=unit,
            name=f"样例楼{key}",
            address=f"样例路{len(buildings) + 1}号",
            floors=3,
            rental=RentalInfo(landlord_name="样例房东", landlord_phone="13900000009")
            if key == "A"
            else None,
        )
        buildings[key] = building.pk
        for number in ("101", "201"):
            room = do_create_room(building, actor=None, number=number, floor=int(number[0]))
            rooms[f"{key}-{number}"] = room.pk
    do_move_in(Room.objects.get(pk=rooms["A-101"]), people["a_tenant"], actor=None)
    do_move_in(Room.objects.get(pk=rooms["B-101"]), people["b"], actor=None)
    do_move_in(Room.objects.get(pk=rooms["邻-101"]), people["other"], actor=None)
    return SamplePlaces(people=people, buildings=buildings, rooms=rooms, households=[household.pk])


# --- things and organisations (物、组织): a few entries in grids A, A2, B and the other district


@dataclass
class SampleBasedata:
    """Ids of sample entries by kind, for tests that walk every endpoint."""

    assets: list[int]
    enterprises: list[int]
    party: list[int]
    companies: list[int]
    social: list[int]


#: A valid 统一社会信用代码 per sample enterprise.
SAMPLE_USCC = (
    "91440704MA4UH5XQ1N",
    "91440704MA53A0QK26",
    "92440704MA4X7P9C85",
    "91440703MA52L0RB33",
)
SAMPLE_PHONE = "13800138000"


def sample_basedata(world: World) -> SampleBasedata:
    """Assets, enterprises, party organisations, property companies and social organisations.

    One asset and one enterprise in each of grids A, A2, B and the other district;
    the party chain of both streets and the other district; a property company
    managing places in A and B (a grid worker of either sees only their own place)
    and one in the other district; social organisations at community and grid
    level.  Made once per database.
    """
    from wangge.assets.actions import do_create_asset
    from wangge.assets.catalogue import seed_asset_types
    from wangge.assets.models import Asset
    from wangge.organisations import actions as org
    from wangge.organisations.models import (
        Enterprise,
        PartyOrganisation,
        PropertyCompany,
        SocialOrganisation,
    )

    def ids(model: Any) -> list[int]:
        return list(
            model.objects.filter(name__startswith="样例")
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    if Asset.objects.filter(code__startswith="SAMPLE-").exists():
        return SampleBasedata(
            assets=list(
                Asset.objects.filter(code__startswith="SAMPLE-")
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
            enterprises=ids(Enterprise),
            party=ids(PartyOrganisation),
            companies=ids(PropertyCompany),
            social=ids(SocialOrganisation),
        )
    seed_asset_types()
    places = {
        "A": (POINT_A, "cg"),
        "A2": ((113.07, 22.05), None),
        "B": (POINT_B, "sz"),
        "邻": (POINT_OTHER, "cg"),
    }
    assets = []
    for i, (key, ((lng, lat), dept)) in enumerate(places.items()):
        asset = do_create_asset(
            actor=None,
            type_code=("0111", "0101", "0115", "0111")[i],
            lng=lng,
            lat=lat,
            code=f"SAMPLE-{i + 1}",
            name=f"样例部件{key}",
            owner_department=dept,
        )
        assets.append(asset.pk)
    enterprises = []
    for i, unit in enumerate((GRID_A + "001", GRID_A2 + "001", GRID_B + "002", GRID_OTHER + "001")):
        e = org.do_create_enterprise(
            actor=None,
            name=f"样例企业{i + 1}",
            kind="enterprise" if i != 2 else "individual",
            region_code=unit,
            uscc=SAMPLE_USCC[i],
            industry="H",
            legal_person="样例法人",
            legal_person_phone=SAMPLE_PHONE,
            uses_gas="lpg",
        )
        enterprises.append(e.pk)
    party = []
    for kind, code in (
        ("street_committee", "440704001"),
        ("community", "440704001001"),
        ("grid_branch", GRID_A),
        ("grid_branch", GRID_A2),
        ("member_household", GRID_A + "002"),
        ("street_committee", "440704002"),
        ("community", "440704002001"),
        ("grid_branch", GRID_B),
        ("street_committee", "440703001"),
        ("community", "440703001001"),
        ("grid_branch", GRID_OTHER),
    ):
        o = org.do_create_party_organisation(
            actor=None, kind=kind, name=f"样例党组织{code}", region_code=code, member_count=5
        )
        party.append(o.pk)
    companies = [
        org.do_create_property_company(
            actor=None,
            name="样例物业一",
            managed_units=[GRID_A + "001", GRID_B + "001"],
            contact_name="样例联系人",
            contact_phone=SAMPLE_PHONE,
        ).pk,
        org.do_create_property_company(
            actor=None, name="样例物业二", managed_units=[GRID_OTHER + "001"]
        ).pk,
    ]
    social = [
        org.do_create_social_organisation(
            actor=None, name=f"样例社会组织{i + 1}", kind="volunteer", region_code=code
        ).pk
        for i, code in enumerate(("440704001001", GRID_B, GRID_OTHER))
    ]
    return SampleBasedata(
        assets=assets, enterprises=enterprises, party=party, companies=companies, social=social
    )


# --- the user's language ---------------------------------------------------------------------

#: A Chinese character: what an English answer must not hold.
CJK = re.compile(r"[\u4e00-\u9fff]")


def english(client: Client | None = None) -> Client:
    """``client`` (a new one by default) as a user who chose English with the language switch."""
    from django.conf import settings
    from django.test import Client

    client = client or Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def no_cjk(body: dict[str, Any]) -> None:
    """An error answer (``{message, fields}``) says something, and nothing in Chinese, in its
    message or any field's."""
    texts = [body["message"]]
    for field in body["fields"].values():
        texts.extend([field] if isinstance(field, str) else field)
    chinese = [text for text in texts if not text or CJK.search(text)]
    if chinese:
        raise AssertionError(f"Chinese in an English answer: {chinese} in {body}")
