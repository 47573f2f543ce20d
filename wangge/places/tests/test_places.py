"""Buildings, rooms and the occupancy ledger through the API."""

import pytest
from django.utils import timezone

from wangge.audit.models import AuditEntry
from wangge.people.actions import do_create_person
from wangge.people.models import Person
from wangge.places.models import Building, Occupancy, RentalHousing, Room, TenantReport
from wangge.testing import GRID_A, GRID_B, make_id_number

UNIT_A = GRID_A + "001"


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def building(client, **extra):
    body = {"unit_code": UNIT_A, "name": "新塘里96号", "address": "新塘里96号", "floors": 4}
    body.update(extra)
    return ok(post(client, "/api/v1/places/buildings", body), 201)


def people(n, unit=UNIT_A, first=100):
    return [
        do_create_person(
            actor=None,
            name=f"住户{i}",
            id_number=make_id_number("440704", "19900101", f"{first + i:03d}"),
            region_code=unit,
            residence_type="floating",
        ).pk
        for i in range(n)
    ]


@pytest.fixture
def no96(api, world):
    """新塘里96号: 4 floors, 2 rooms per floor, 18 people (3 in 101 and 102, 2 elsewhere)."""
    client = api("worker_a")
    b = building(client, rental={"landlord_name": "陈房东", "landlord_phone": "13600001234"})
    rooms = {}
    for floor in range(1, 5):
        for n in (1, 2):
            number = f"{floor}0{n}"
            data = ok(
                post(
                    client,
                    f"/api/v1/places/buildings/{b['id']}/rooms",
                    {"number": number, "floor": floor, "area": "25.5"},
                ),
                201,
            )
            rooms[number] = data["id"]
    ids = people(18)
    plan = {"101": 3, "102": 3, "201": 2, "202": 2, "301": 2, "302": 2, "401": 2, "402": 2}
    it = iter(ids)
    tenants = {}
    for number, count in plan.items():
        tenants[number] = []
        for _ in range(count):
            pk = next(it)
            ok(
                post(
                    client,
                    f"/api/v1/places/rooms/{rooms[number]}/occupancy/move-in",
                    {"person_id": pk},
                ),
                201,
            )
            tenants[number].append(pk)
    return b, rooms, tenants


def test_it_tells_the_story_of_no_96(api, no96, settings):
    b, rooms, tenants = no96
    client = api("worker_a")
    detail = ok(client.get(f"/api/v1/places/buildings/{b['id']}"))
    assert detail["summary"]["text"] == "新塘里96号：4层，8间，18人"
    assert (detail["floors"], detail["rooms"], detail["occupants"]) == (4, 8, 18)
    assert detail["summary"]["over_occupied"] == []
    assert detail["stale"] is True  # never verified on site
    assert detail["rental"]["landlord_phone"] == "136****1234"

    # A tenant of 101 moves out: the ledger keeps the stay, the building counts 17.
    leaving = tenants["101"][0]
    data = ok(
        post(
            client,
            f"/api/v1/places/rooms/{rooms['101']}/occupancy/move-out",
            {"person_id": leaving, "note": "合同到期"},
        )
    )
    assert data["occupancy"]["current"] is False
    assert data["occupancy"]["move_out"] == timezone.localdate().isoformat()
    assert data["room"]["occupants"] == 2
    detail = ok(client.get(f"/api/v1/places/buildings/{b['id']}"))
    assert detail["summary"]["text"] == "新塘里96号：4层，8间，17人"
    ledger = ok(client.get(f"/api/v1/places/rooms/{rooms['101']}/occupancy"))
    assert ledger["count"] == 3
    assert [o["current"] for o in ledger["items"]].count(False) == 1
    assert (
        ok(client.get(f"/api/v1/places/rooms/{rooms['101']}/occupancy?current=true"))["count"] == 2
    )
    assert Occupancy.objects.filter(person_id=leaving).count() == 1  # never deleted

    # Over-occupancy: the installation's limit, then a room's own.
    settings.MAX_OCCUPANTS_PER_ROOM = 2
    detail = ok(client.get(f"/api/v1/places/buildings/{b['id']}"))
    assert detail["summary"]["text"] == "新塘里96号：4层，8间，17人，1间超员"
    assert [
        (r["number"], r["occupants"], r["limit"]) for r in detail["summary"]["over_occupied"]
    ] == [("102", 3, 2)]
    rooms_list = ok(client.get(f"/api/v1/places/buildings/{b['id']}/rooms"))
    assert {r["number"]: r["over_occupied"] for r in rooms_list}["102"] is True
    Room.objects.filter(pk=rooms["102"]).update(max_occupants=4)
    Room.objects.filter(pk=rooms["201"]).update(max_occupants=1)
    detail = ok(client.get(f"/api/v1/places/buildings/{b['id']}"))
    assert [r["number"] for r in detail["summary"]["over_occupied"]] == ["201"]

    listed = ok(client.get("/api/v1/places/buildings"))["items"]
    assert [(x["name"], x["rooms"], x["occupants"]) for x in listed] == [("新塘里96号", 8, 17)]


def test_it_flags_a_move_in_beyond_the_limit_without_refusing_it(api, no96, settings):
    _b, rooms, _tenants = no96
    settings.MAX_OCCUPANTS_PER_ROOM = 3
    newcomer = people(1, first=300)[0]
    data = ok(
        post(
            api("worker_a"),
            f"/api/v1/places/rooms/{rooms['101']}/occupancy/move-in",
            {"person_id": newcomer},
        ),
        201,
    )
    assert data["room"]["occupants"] == 4
    assert data["room"]["over_occupied"] is True
    entry = AuditEntry.objects.filter(action="places.move_in").latest("id")
    assert entry.after["over_occupied"] is True


def test_it_moves_a_person_between_rooms_and_updates_where_they_live(api, no96):
    _b, rooms, tenants = no96
    client = api("worker_a")
    pk = tenants["101"][0]
    ok(
        post(client, f"/api/v1/places/rooms/{rooms['402']}/occupancy/move-in", {"person_id": pk}),
        201,
    )
    stays = list(Occupancy.objects.filter(person_id=pk).order_by("id"))
    assert [s.room_id for s in stays] == [rooms["101"], rooms["402"]]
    assert stays[0].move_out is not None and stays[1].move_out is None
    person = ok(client.get(f"/api/v1/people/{pk}"))
    assert person["current_room"]["room_number"] == "402"
    assert person["residence_address"] == "新塘里96号402室"
    again = post(
        client, f"/api/v1/places/rooms/{rooms['402']}/occupancy/move-in", {"person_id": pk}
    )
    assert again.status_code == 409
    assert again.json()["fields"] == {"person_id": ["已在此房间居住"]}
    gone = post(
        client, f"/api/v1/places/rooms/{rooms['101']}/occupancy/move-out", {"person_id": pk}
    )
    assert gone.status_code == 409
    assert gone.json()["fields"] == {"person_id": ["当前不在此房间居住"]}


def test_it_applies_a_landlords_report_to_the_ledger_in_one_go(api, no96):
    b, rooms, tenants = no96
    client = api("part_time_a")  # 楼栋长 of the unit: records reports, registers tenants
    new_id = make_id_number("430102", "19990909", "777")
    data = ok(
        post(
            client,
            f"/api/v1/places/rooms/{rooms['302']}/occupancy/reports",
            {
                "change": "moved_in",
                "person": {"name": "欧阳娜娜", "id_number": new_id, "phone": "13512345678"},
            },
        ),
        201,
    )
    assert data["change_label"] == "入住"
    assert data["reporter_name"] == "陈房东"  # the building's landlord by default
    assert data["room"]["occupants"] == 3
    newcomer = Person.objects.get(pk=data["occupancy"]["person"]["id"])
    assert (newcomer.name_initials, newcomer.residence_type) == ("oynn", "floating")
    assert newcomer.region_code == UNIT_A
    assert Occupancy.objects.get(pk=data["occupancy"]["id"]).source == "landlord_report"

    leaving = tenants["302"][0]
    data = ok(
        post(
            client,
            f"/api/v1/places/rooms/{rooms['302']}/occupancy/reports",
            {"change": "moved_out", "person_id": leaving, "reporter_name": "陈先生"},
        ),
        201,
    )
    assert data["occupancy"]["current"] is False
    assert data["room"]["occupants"] == 2
    assert Person.objects.get(pk=leaving).status == "left"
    assert TenantReport.objects.count() == 2
    detail = ok(api("worker_a").get(f"/api/v1/places/buildings/{b['id']}"))
    assert detail["summary"]["text"] == "新塘里96号：4层，8间，18人"
    assert AuditEntry.objects.filter(action="places.tenant_report").count() == 2

    # A report that cannot be applied leaves nothing behind.
    before = (Occupancy.objects.count(), TenantReport.objects.count(), Person.objects.count())
    bad = post(
        client,
        f"/api/v1/places/rooms/{rooms['302']}/occupancy/reports",
        {"change": "moved_in", "person": {"name": "错号", "id_number": new_id[:-1] + "0"}},
    )
    assert bad.status_code == 422
    assert bad.json()["fields"] == {"person.id_number": ["身份证号校验位不正确，请核对"]}
    future = post(
        client,
        f"/api/v1/places/rooms/{rooms['302']}/occupancy/reports",
        {"change": "moved_out", "person_id": tenants["302"][1], "changed_on": "2999-01-01"},
    )
    assert future.status_code == 422
    assert future.json()["fields"] == {"changed_on": ["搬离日期不能晚于今天"]}
    assert (
        Occupancy.objects.count(),
        TenantReport.objects.count(),
        Person.objects.count(),
    ) == before
    # Nor may a part-time worker register buildings or rooms.
    response = post(client, "/api/v1/places/buildings", {"unit_code": UNIT_A, "name": "新楼"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"unit_code": ["未知的最小单元，或不在您的管辖范围内"]}
    response = post(client, f"/api/v1/places/buildings/{b['id']}/rooms", {"number": "501"})
    assert response.status_code == 403


def test_it_keeps_buildings_rooms_and_ledgers_in_scope(api, no96):
    b, rooms, tenants = no96
    worker_b = api("worker_b")
    assert worker_b.get(f"/api/v1/places/buildings/{b['id']}").status_code == 404
    assert worker_b.get(f"/api/v1/places/buildings/{b['id']}/rooms").status_code == 404
    assert worker_b.get(f"/api/v1/places/rooms/{rooms['101']}/occupancy").status_code == 404
    assert ok(worker_b.get("/api/v1/places/buildings"))["count"] == 0
    for path, body in [
        (
            f"/api/v1/places/rooms/{rooms['101']}/occupancy/move-out",
            {"person_id": tenants["101"][0]},
        ),
        (
            f"/api/v1/places/rooms/{rooms['101']}/occupancy/move-in",
            {"person_id": tenants["101"][0]},
        ),
        (f"/api/v1/places/buildings/{b['id']}/rooms", {"number": "999"}),
        (f"/api/v1/places/buildings/{b['id']}/verify", {}),
    ]:
        response = post(worker_b, path, body)
        assert response.status_code == 404, path
    # A worker of grid B cannot move B's resident into A's room, nor A's resident into B's room.
    b_person = people(1, unit=GRID_B + "001", first=400)[0]
    response = post(
        api("worker_a"),
        f"/api/v1/places/rooms/{rooms['101']}/occupancy/move-in",
        {"person_id": b_person},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"person_id": ["未知的人员，或不在您的管辖范围内"]}
    assert Occupancy.objects.filter(person_id=b_person).count() == 0
    # The district dispatcher reads (masked) but does not record.
    dispatcher = api("district")
    assert ok(dispatcher.get(f"/api/v1/places/buildings/{b['id']}"))["occupants"] == 18
    response = post(
        dispatcher,
        f"/api/v1/places/rooms/{rooms['101']}/occupancy/move-out",
        {"person_id": tenants["101"][0]},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"unit_code": GRID_B + "001"}, {"unit_code": ["未知的最小单元，或不在您的管辖范围内"]}),
        ({"unit_code": GRID_A + "009"}, {"unit_code": ["未知的最小单元，或不在您的管辖范围内"]}),
        ({"unit_code": GRID_A}, {"unit_code": ["格式不正确"]}),
        ({"name": " "}, {"name": ["请填写楼栋名称"]}),
        ({"floors": 0}, {"floors": ["不能小于 1"]}),
        (
            {"lng": 113.15, "lat": 22.05},
            {"lng": ["坐标不在该最小单元内"], "lat": ["坐标不在该最小单元内"]},
        ),
        ({"lng": 113.02}, {"lat": ["经纬度需同时填写"]}),
        (
            {"rental": {"landlord_phone": "12345"}},
            {
                "rental.landlord_phone": [
                    "电话号码格式不正确：手机号为 11 位（1 开头），固话需带区号（如 0750-1234567）"
                ]
            },
        ),
        (
            {"rental": {"landlord_person_id": 999999}},
            {"rental.landlord_person_id": ["未知的人员，或不在您的管辖范围内"]},
        ),
    ],
)
def test_it_refuses_bad_buildings_field_by_field(api, world, body, fields):
    full = {"unit_code": UNIT_A, "name": "新塘里96号", "floors": 4, **body}
    response = post(api("worker_a"), "/api/v1/places/buildings", full)
    assert response.status_code == 422, response.content
    assert response.json()["fields"] == fields
    assert not Building.objects.exists()
    assert not RentalHousing.objects.exists()


def test_it_refuses_bad_rooms_field_by_field(api, world):
    client = api("worker_a")
    b = building(client)
    path = f"/api/v1/places/buildings/{b['id']}/rooms"
    ok(post(client, path, {"number": "101", "floor": 1}), 201)
    response = post(client, path, {"number": "101", "floor": 9, "max_occupants": 0})
    assert response.status_code == 422
    assert response.json()["fields"] == {"max_occupants": ["不能小于 1"]}
    response = post(client, path, {"number": "101", "floor": 9})
    assert response.json()["fields"] == {
        "number": ["该楼栋已有此房号"],
        "floor": ["楼层应在 -5 到 4 之间（不含 0）"],
    }
    assert Room.objects.count() == 1


def test_it_verifies_a_building_on_site(api, world):
    client = api("worker_a")
    b = building(client, lng=113.02, lat=22.05)
    data = ok(post(client, f"/api/v1/places/buildings/{b['id']}/verify", {"note": "上门核实"}))
    assert data["stale"] is False
    assert data["verified_at"] is not None
    entry = AuditEntry.objects.get(action="places.verify_building")
    assert entry.reason == "上门核实"
    assert post(api("district"), f"/api/v1/places/buildings/{b['id']}/verify").status_code == 403


def test_it_takes_a_back_dated_move_in_as_a_correction_of_the_residence(api, world):
    from datetime import timedelta

    from wangge.people.models import ResidenceHistory

    client = api("worker_a")
    b = building(client)
    room = ok(post(client, f"/api/v1/places/buildings/{b['id']}/rooms", {"number": "201"}), 201)
    pk = people(1, unit=GRID_A + "002")[0]  # registered today in the other unit
    month_ago = timezone.localdate() - timedelta(days=30)
    ok(
        post(
            client,
            f"/api/v1/places/rooms/{room['id']}/occupancy/move-in",
            {"person_id": pk, "move_in": month_ago.isoformat()},
        ),
        201,
    )
    rows = list(
        ResidenceHistory.objects.filter(person_id=pk).values_list(
            "region_code", "started_on", "ended_on"
        )
    )
    assert rows == [(UNIT_A, month_ago, None)]
    # Moving out before moving in is refused, field by field.
    response = post(
        client,
        f"/api/v1/places/rooms/{room['id']}/occupancy/move-out",
        {"person_id": pk, "move_out": (month_ago - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "move_out": [f"搬离日期不能早于入住日期（{month_ago:%Y-%m-%d}）"]
    }
