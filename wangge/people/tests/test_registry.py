"""The population registry through the API: register, mask, search, change, move, households."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wangge.audit.models import AuditEntry
from wangge.people.models import Household, Person, ResidenceHistory
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, make_id_number

from .conftest import UNIT_A, ok, patch, person_body, post, register

GOOD = make_id_number()
BAD_CHECKSUM = GOOD[:-1] + ("1" if GOOD[-1] == "0" else "0")
PHONE_MESSAGE = "电话号码格式不正确：手机号为 11 位（1 开头），固话需带区号（如 0750-1234567）"


def test_it_registers_a_person_with_identifiers_masked(api):
    client = api("worker_a")
    body = person_body(tags=["elderly_alone", "disabled"])
    data = register(client, tags=["elderly_alone", "disabled"])
    number = body["id_number"]
    assert data["name"] == "张伟"
    assert data["id_number"] == f"440704********{number[-4:]}"
    assert data["phone"] == "138****1234"
    assert data["gender"] == "male" and data["gender_label"] == "男"
    assert data["birth_date"] == "1990-03-07"
    assert data["region_code"] == UNIT_A
    assert data["region_name"] == "第1单元"
    assert data["residence_type"] == "registered"
    assert [t["code"] for t in data["tags"]] == ["elderly_alone", "disabled"]
    assert data["tags"][0]["visit_frequency_days"] == 7
    assert data["can_unmask"] is True
    assert data["residences"][0]["region_code"] == UNIT_A
    person = Person.objects.get(pk=data["id"])
    assert (person.name_pinyin, person.name_initials) == ("zhangwei", "zw")
    assert person.id_number == number  # readable in Python, encrypted in the table
    listed = ok(client.get("/api/v1/people"))
    assert listed["count"] == 1
    assert listed["items"][0]["id_number"] == data["id_number"]
    assert number not in str(listed) and "13812341234" not in str(listed)
    entry = AuditEntry.objects.get(action="people.create")
    assert entry.after["id_number"] == data["id_number"]
    assert number not in str(entry.after)


def test_it_derives_a_female_from_an_even_serial_and_accepts_landlines(api):
    data = register(
        api("worker_a"),
        name="李娜",
        id_number=make_id_number("430102", "20010911", "042").lower(),
        phone="0750-3456789",
    )
    assert data["gender"] == "female"
    assert data["birth_date"] == "2001-09-11"
    assert data["phone"] == "075****6789"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", BAD_CHECKSUM, "身份证号校验位不正确，请核对"),
        ("id_number", "44070419900101123", "身份证号应为 18 位"),
        (
            "id_number",
            "4407041990010112AB",
            "身份证号格式不正确：前 17 位应为数字，最后一位为数字或 X",
        ),
        ("id_number", make_id_number("440704", "19901301", "123"), "身份证号中的出生日期无效"),
        ("id_number", make_id_number("000000", "19900101", "123"), "身份证号的地区码不正确"),
        ("phone", "1381234123", PHONE_MESSAGE),
        ("phone", "23812341234", PHONE_MESSAGE),
        ("region_code", "440704001001001009", "未知的网格或最小单元，或不在您的管辖范围内"),
        ("region_code", GRID_B + "001", "未知的网格或最小单元，或不在您的管辖范围内"),
        ("region_code", "440704001001", "格式不正确"),
        ("tags", ["no_such_group"], "未知的人群标签：no_such_group"),
        ("name", "  ", "请填写姓名"),
    ],
)
def test_it_refuses_bad_input_field_by_field_and_stores_nothing(api, world, field, value, message):
    response = post(api("worker_a"), "/api/v1/people", person_body(**{field: value}))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "输入有误，请检查各字段"
    assert body["fields"][field] == [message]
    assert not Person.objects.exists()
    assert not ResidenceHistory.objects.exists()
    assert not AuditEntry.objects.filter(action="people.create").exists()


def test_it_answers_an_unknown_and_an_out_of_scope_unit_alike(api, world):
    client = api("worker_a")
    missing = post(client, "/api/v1/people", person_body(region_code=GRID_A + "009"))
    foreign = post(client, "/api/v1/people", person_body(region_code=GRID_OTHER))
    assert missing.status_code == foreign.status_code == 422
    assert missing.json() == foreign.json()


def test_it_refuses_an_id_number_already_registered_in_scope(api):
    client = api("worker_a")
    first = register(client)
    response = post(client, "/api/v1/people", person_body(name="张伟伟"))
    assert response.status_code == 422
    assert response.json()["fields"]["id_number"] == [
        f"该身份证号已登记（张伟，编号 {first['id']}）"
    ]


@pytest.fixture
def residents(api):
    """张伟 in grid A (unit 1), 王芳 in grid A2, 李强 in grid B."""
    a = register(api("worker_a"), tags=["disabled"])
    a2 = register(
        api("worker_a2"),
        name="王芳",
        id_number=make_id_number("440704", "19850612", "246"),
        phone="13900001111",
        region_code=GRID_A2,
        residence_address="东二路8号",
    )
    b = register(
        api("worker_b"),
        name="李强",
        id_number=make_id_number("440704", "19781120", "357"),
        phone="13700002222",
        region_code=GRID_B + "002",
        residence_address="西村新塘里12号",
        residence_type="floating",
    )
    return a, a2, b


def search(client, q, **extra):
    return [p["name"] for p in ok(client.get("/api/v1/people", {"q": q, **extra}))["items"]]


def test_it_searches_by_name_pinyin_id_number_phone_and_address(api, residents):
    a, _a2, b = residents
    district = api("district")
    assert search(district, "张") == ["张伟"]
    assert search(district, "zw") == ["张伟"]
    assert search(district, "ZhangW") == ["张伟"]
    assert search(district, "wf") == ["王芳"]
    assert search(district, person_body()["id_number"]) == ["张伟"]
    assert search(district, make_id_number("440704", "19781120", "357").lower()) == ["李强"]
    assert search(district, "138 1234 1234") == ["张伟"]
    assert search(district, "13700002222") == ["李强"]
    assert search(district, "新塘里") == ["张伟", "李强"]
    assert search(district, "东二路") == ["王芳"]
    assert search(district, "赵") == []
    assert search(district, "", tag="disabled") == ["张伟"]
    assert search(district, "", residence_type="floating") == ["李强"]
    assert search(district, "", under=GRID_A2) == ["王芳"]


def test_it_keeps_grid_b_out_of_grid_a_search_even_by_exact_id_number(api, residents):
    _a, _a2, b = residents
    worker_a = api("worker_a")
    b_id = make_id_number("440704", "19781120", "357")
    assert search(worker_a, b_id) == []
    assert search(worker_a, "13700002222") == []
    assert search(worker_a, "李") == []
    assert search(worker_a, "新塘里") == ["张伟"]
    assert search(worker_a, "") == ["张伟"]
    assert search(api("worker_b"), b_id) == ["李强"]
    assert worker_a.get(f"/api/v1/people/{b['id']}").status_code == 404
    # Registering B's number again in grid A is not refused as a duplicate: that would say
    # the number exists somewhere.
    response = post(worker_a, "/api/v1/people", person_body(id_number=b_id, name="李强"))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("admin", {"张伟", "王芳", "李强"}),
        ("district", {"张伟", "王芳", "李强"}),
        ("street", {"张伟", "王芳"}),
        ("street_b", {"李强"}),
        ("community", {"张伟", "王芳"}),
        ("worker_a", {"张伟"}),
        ("worker_a2", {"王芳"}),
        ("worker_b", {"李强"}),
        ("part_time_a", {"张伟"}),
        ("dept", set()),
        ("resident", set()),
        ("other_district", set()),
    ],
)
def test_it_shows_each_role_the_people_of_its_area(api, residents, username, sees):
    client = api(username)
    assert {p["name"] for p in ok(client.get("/api/v1/people"))["items"]} == sees
    for person in residents:
        expected = 200 if person["name"] in sees else 404
        assert client.get(f"/api/v1/people/{person['id']}").status_code == expected


def test_it_updates_a_person_and_audits_the_change_masked(api, residents):
    a, _a2, _b = residents
    client = api("worker_a")
    new_id = make_id_number("440704", "19900307", "144")
    data = ok(
        patch(
            client,
            f"/api/v1/people/{a['id']}",
            {
                "phone": "13912345678",
                "id_number": new_id,
                "tags": ["elderly_alone"],
                "name": "张 伟",
            },
        )
    )
    assert data["phone"] == "139****5678"
    assert data["gender"] == "female"
    assert [t["code"] for t in data["tags"]] == ["elderly_alone"]
    assert data["name"] == "张 伟"
    entry = AuditEntry.objects.get(action="people.update")
    assert entry.before["phone"] == "138****1234"
    assert entry.after["phone"] == "139****5678"
    assert entry.after["tags_added"] == ["elderly_alone"]
    assert entry.after["tags_removed"] == ["disabled"]
    assert new_id not in str(entry.after) and "13912345678" not in str(entry.after)
    assert search(client, "zw") == ["张 伟"]


def test_it_refuses_changes_field_by_field(api, residents):
    a, _a2, _b = residents
    client = api("worker_a")
    response = patch(
        client, f"/api/v1/people/{a['id']}", {"phone": "12345", "id_number": "123", "name": ""}
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields == {
        "phone": [PHONE_MESSAGE],
        "id_number": ["身份证号应为 18 位"],
        "name": ["请填写姓名"],
    }
    assert Person.objects.get(pk=a["id"]).phone == "13812341234"


def test_it_lets_viewers_without_the_right_read_but_not_change(api, residents):
    a, _a2, _b = residents
    response = patch(api("district"), f"/api/v1/people/{a['id']}", {"name": "改名"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert patch(api("worker_b"), f"/api/v1/people/{a['id']}", {"name": "改名"}).status_code == 404
    assert Person.objects.get(pk=a["id"]).name == "张伟"


def test_it_moves_a_person_and_keeps_the_history(api, residents):
    a, _a2, _b = residents
    community = api("community")
    today = timezone.localdate().isoformat()
    data = ok(
        post(
            community,
            f"/api/v1/people/{a['id']}/move",
            {"region_code": GRID_A2 + "002", "address": "东二路10号", "note": "投靠子女"},
        )
    )
    assert data["region_code"] == GRID_A2 + "002"
    assert data["residence_address"] == "东二路10号"
    assert [r["region_code"] for r in data["residences"]] == [GRID_A2 + "002", UNIT_A]
    assert data["residences"][1]["ended_on"] == today
    assert data["residences"][0]["ended_on"] is None
    # Grid A no longer sees the person; grid A2 does, and sees the old place only as dates.
    assert api("worker_a").get(f"/api/v1/people/{a['id']}").status_code == 404
    seen = ok(api("worker_a2").get(f"/api/v1/people/{a['id']}"))
    assert seen["residences"][1] == {
        "region_code": None,
        "address": "辖区外",
        "started_on": today,
        "ended_on": today,
        "note": "",
    }
    entry = AuditEntry.objects.get(action="people.move")
    assert entry.before["region_code"] == UNIT_A
    assert entry.after["region_code"] == GRID_A2 + "002"
    assert entry.reason == "投靠子女"
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = post(
        community, f"/api/v1/people/{a['id']}/move", {"region_code": GRID_A, "on": future}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"on": ["迁移日期不能晚于今天"]}


def test_it_refuses_a_move_out_of_the_workers_grid(api, residents):
    a, _a2, _b = residents
    response = post(api("worker_a"), f"/api/v1/people/{a['id']}/move", {"region_code": GRID_B})
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "region_code": ["未知的网格或最小单元，或不在您的管辖范围内"]
    }
    assert Person.objects.get(pk=a["id"]).region_code == UNIT_A
    response = post(api("worker_a"), f"/api/v1/people/{a['id']}/move", {})
    assert response.status_code == 422
    assert "room_id" in response.json()["fields"]


def test_it_keeps_households_with_one_head(api, residents):
    a, _a2, _b = residents
    client = api("worker_a")
    household = ok(post(client, "/api/v1/households", {"head_id": a["id"], "number": "A-001"}), 201)
    assert household["head_id"] == a["id"]
    assert [m["name"] for m in household["members"]] == ["张伟"]
    spouse = register(
        client,
        name="刘敏",
        id_number=make_id_number("440704", "19920202", "468"),
        phone="",
        household_id=household["id"],
        household_relation="spouse",
    )
    assert spouse["household"]["relation_label"] == "配偶"
    assert spouse["household"]["head_id"] == a["id"]
    response = patch(client, f"/api/v1/people/{spouse['id']}", {"household_relation": "head"})
    assert response.status_code == 409
    assert response.json()["fields"] == {"household_relation": ["该户已有户主"]}
    members = ok(client.get(f"/api/v1/households/{household['id']}"))["members"]
    assert {m["name"] for m in members} == {"张伟", "刘敏"}
    # The head leaves: the household has no head until another member becomes one.
    ok(patch(client, f"/api/v1/people/{a['id']}", {"household_id": None}))
    assert Household.objects.get(pk=household["id"]).head_id is None
    data = ok(patch(client, f"/api/v1/people/{spouse['id']}", {"household_relation": "head"}))
    assert data["household"]["head_id"] == spouse["id"]
    assert api("worker_b").get(f"/api/v1/households/{household['id']}").status_code == 404
    response = post(api("worker_b"), "/api/v1/households", {"head_id": a["id"]})
    assert response.status_code == 422


def test_it_lists_the_special_groups(api, world):
    tags = ok(api("worker_a").get("/api/v1/people/tags"))
    by_code = {t["code"]: t for t in tags}
    assert by_code["elderly_alone"]["name"] == "独居老人"
    assert by_code["elderly_alone"]["visit_frequency_days"] == 7
    assert by_code["disabled"]["visit_frequency_days"] == 30
    assert {"low_income", "left_behind_child", "community_correction", "key_person"} <= set(by_code)


def test_it_lists_people_in_constant_queries(api, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wangge.people.actions import do_create_person

    client = api("street")
    client.get("/api/v1/me")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            ok(client.get("/api/v1/people?limit=500"))
        return len(ctx.captured_queries)

    do_create_person(
        actor=None, name="甲", id_number=make_id_number(serial="001"), region_code=GRID_A
    )
    small = count()
    for i in range(2, 30):
        do_create_person(
            actor=None,
            name=f"乙{i}",
            id_number=make_id_number(serial=f"{i:03d}"),
            region_code=GRID_A2 + "001" if i % 2 else GRID_A,
        )
    assert count() == small
