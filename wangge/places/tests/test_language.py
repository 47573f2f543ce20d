"""The places registry's refusals in the user's language; what it stores stays Chinese."""

from wangge.people.models import ResidenceHistory
from wangge.places.models import Building
from wangge.testing import GRID_A, english, no_cjk

from .test_places import UNIT_A, building, ok, people, post

BAD_BUILDING = {
    "unit_code": GRID_A + "009",
    "name": " ",
    "floors": 4,
    "lng": 113.02,
    "rental": {"landlord_phone": "12345", "landlord_person_id": 999999},
}


def test_a_refused_building_answers_in_chinese_by_default(api, world):
    response = post(api("worker_a"), "/api/v1/places/buildings", BAD_BUILDING)
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "输入有误，请检查各字段"
    assert data["fields"]["unit_code"] == ["未知的最小单元，或不在您的管辖范围内"]
    assert data["fields"]["name"] == ["请填写楼栋名称"]
    assert data["fields"]["lat"] == ["经纬度需同时填写"]
    assert data["fields"]["rental.landlord_person_id"] == ["未知的人员，或不在您的管辖范围内"]


def test_a_refused_building_answers_in_english_when_chosen(api, world):
    response = post(english(api("worker_a")), "/api/v1/places/buildings", BAD_BUILDING)
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "The input is invalid; please check the fields."
    assert data["fields"]["unit_code"] == ["Unknown minimal unit, or outside your area."]
    assert data["fields"]["name"] == ["Please enter the name of the building."]
    assert data["fields"]["lat"] == ["Give both the longitude and the latitude."]
    assert data["fields"]["rental.landlord_phone"][0].startswith("Invalid phone number")
    assert data["fields"]["rental.landlord_person_id"] == ["Unknown person, or outside your area."]
    no_cjk(data)
    assert not Building.objects.exists()


def test_rooms_and_the_ledger_refuse_in_english(api, world):
    client = api("worker_a")
    b = building(client)
    path = f"/api/v1/places/buildings/{b['id']}/rooms"
    room = ok(post(client, path, {"number": "101", "floor": 1}), 201)
    english(client)
    response = post(client, path, {"number": "101", "floor": 9})
    assert response.json()["fields"] == {
        "number": ["This building already has a room with this number."],
        "floor": ["The floor must be between -5 and 4 (not 0)."],
    }
    [pk] = people(1)
    gone = post(client, f"/api/v1/places/rooms/{room['id']}/occupancy/move-out", {"person_id": pk})
    assert gone.status_code == 409
    data = gone.json()
    assert data["message"] == "This person is not registered as living in this room now."
    assert data["fields"] == {"person_id": ["Does not live in this room now."]}
    no_cjk(data)


def test_an_english_mode_move_in_writes_the_history_in_chinese(api, world):
    client = api("worker_a")
    b = building(client)
    room = ok(post(client, f"/api/v1/places/buildings/{b['id']}/rooms", {"number": "101"}), 201)
    [pk] = people(1)
    english(client)
    ok(post(client, f"/api/v1/places/rooms/{room['id']}/occupancy/move-in", {"person_id": pk}), 201)
    current = ResidenceHistory.objects.get(person_id=pk, ended_on__isnull=True)
    assert current.note == "网格员登记"


def test_the_ledger_names_the_system_in_the_users_language(api, world):
    from wangge.places.actions import do_move_in
    from wangge.places.models import Room

    client = api("worker_a")
    b = building(client)
    room = ok(post(client, f"/api/v1/places/buildings/{b['id']}/rooms", {"number": "101"}), 201)
    [pk] = people(1)
    do_move_in(Room.objects.get(pk=room["id"]), pk, actor=None)
    path = f"/api/v1/places/rooms/{room['id']}/occupancy"
    assert ok(client.get(path))["items"][0]["recorded_by"] == "系统"
    assert ok(english(client).get(path))["items"][0]["recorded_by"] == "System"


def test_the_move_out_page_shows_the_refusal_in_english(login, world):
    from wangge.places.actions import do_create_building, do_create_room

    b = do_create_building(actor=None, unit_code=UNIT_A, name="新楼", floors=2)
    room = do_create_room(b, actor=None, number="101")
    [pk] = people(1)
    client = login("worker_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(f"/places/rooms/{room.pk}/move-out/", {"person_id": pk})
    text = response.content.decode()
    assert response.status_code == 409, text[:500]
    assert "Does not live in this room now." in text
    assert "当前不在此房间居住" not in text


def test_the_building_summary_follows_the_users_language(api, world):
    client = api("worker_a")
    b = building(client)
    path = f"/api/v1/places/buildings/{b['id']}"
    assert ok(client.get(path))["summary"]["text"] == "新塘里96号：4层，0间，0人"
    english_text = ok(english(client).get(path))["summary"]["text"]
    assert english_text == "新塘里96号 — floors: 4, rooms: 0, residents: 0"
