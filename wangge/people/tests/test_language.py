"""The registry's refusals in the user's language; what it stores stays Chinese."""

from datetime import timedelta

from django.utils import timezone

from wangge.people.models import Person, ResidenceHistory
from wangge.testing import GRID_A, english, make_id_number, no_cjk

from .conftest import UNIT_A, ok, person_body, post, register

GOOD = make_id_number()
BAD_CHECKSUM = GOOD[:-1] + ("1" if GOOD[-1] == "0" else "0")


def bad_registration():
    return person_body(name="", id_number=BAD_CHECKSUM, phone="12345", region_code="1" * 18)


def test_a_refused_registration_answers_in_chinese_by_default(api):
    response = post(api("worker_a"), "/api/v1/people", bad_registration())
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "输入有误，请检查各字段"
    assert data["fields"]["name"] == ["请填写姓名"]
    assert data["fields"]["id_number"] == ["身份证号校验位不正确，请核对"]
    assert data["fields"]["phone"][0].startswith("电话号码格式不正确")
    assert data["fields"]["region_code"] == ["未知的网格或最小单元，或不在您的管辖范围内"]


def test_a_refused_registration_answers_in_english_when_chosen(api):
    response = post(english(api("worker_a")), "/api/v1/people", bad_registration())
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "The input is invalid; please check the fields."
    assert data["fields"]["name"] == ["Please enter the name."]
    assert data["fields"]["id_number"] == [
        "The check digit of the ID number is wrong; please check it."
    ]
    assert data["fields"]["phone"][0].startswith("Invalid phone number")
    assert data["fields"]["region_code"] == ["Unknown grid or minimal unit, or outside your area."]
    no_cjk(data)


def test_a_second_registration_and_a_late_move_answer_in_english(api):
    client = api("worker_a")
    first = register(client)
    english(client)
    again = post(client, "/api/v1/people", person_body(name="王五"))
    data = again.json()
    assert again.status_code == 422
    assert data["fields"]["id_number"] == [
        f"This ID number is already registered (张伟, no. {first['id']})."
    ]
    tomorrow = timezone.localdate() + timedelta(days=1)
    moved = post(
        client,
        f"/api/v1/people/{first['id']}/move",
        {"region_code": UNIT_A, "on": tomorrow.isoformat()},
    )
    assert moved.status_code == 422
    assert moved.json()["fields"]["on"] == ["The moving date cannot be later than today."]
    both = post(client, f"/api/v1/people/{first['id']}/move", {})
    assert both.json()["fields"]["room_id"][0].startswith("Choose a room")
    no_cjk(both.json())


def test_the_same_refusals_stay_chinese_by_default(api):
    client = api("worker_a")
    first = register(client)
    again = post(client, "/api/v1/people", person_body(name="王五")).json()
    assert again["fields"]["id_number"] == [f"该身份证号已登记（张伟，编号 {first['id']}）"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    moved = post(
        client, f"/api/v1/people/{first['id']}/move", {"region_code": UNIT_A, "on": str(tomorrow)}
    ).json()
    assert moved["fields"]["on"] == ["迁移日期不能晚于今天"]


def test_an_english_mode_move_still_writes_the_chinese_history_note(api):
    client = api("worker_a")
    person = register(client)
    english(client)
    ok(
        post(
            client,
            f"/api/v1/people/{person['id']}/move",
            {"region_code": GRID_A, "address": "新塘里1号"},
        )
    )
    notes = set(
        ResidenceHistory.objects.filter(person_id=person["id"]).values_list("note", flat=True)
    )
    assert notes == {"登记", "迁移"}


def test_the_register_page_shows_the_refusal_in_english(login, world):
    client = login("worker_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(
        "/people/new/",
        {
            "name": "外人",
            "id_number": make_id_number("440704", "19800101", "555"),
            "phone": "999",
            "region_code": "440704002001001001",
            "residence_type": "registered",
        },
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Unknown grid or minimal unit, or outside your area." in text
    assert "Invalid phone number" in text
    assert "不在您的管辖范围内" not in text and "电话号码格式不正确" not in text
    assert not Person.objects.filter(name="外人").exists()
