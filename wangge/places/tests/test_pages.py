"""The places pages through the Django test client: scope, the building summary, moving
people in and out, the landlord's report, unmasking the landlord's phone, queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.audit.models import AuditEntry
from wangge.people.actions import do_create_person
from wangge.people.models import Person
from wangge.places.actions import do_create_building, do_create_room, do_move_in
from wangge.places.models import Building, Occupancy, Room, TenantReport
from wangge.testing import GRID_A, SAMPLE_PEOPLE, make_id_number, sample_people

UNIT_A = GRID_A + "001"
LANDLORD_PHONE = "13900000009"

#: Who sees which sample buildings; ``None``: no places pages at all.
SEES = {
    "admin": {"A", "A2", "B", "邻"},
    "district": {"A", "A2", "B"},
    "street": {"A", "A2"},
    "street_b": {"B"},
    "community": {"A", "A2"},
    "worker_a": {"A"},
    "worker_a2": {"A2"},
    "worker_b": {"B"},
    "part_time_a": {"A"},
    "other_district": {"邻"},
    "dept": None,
    "resident": None,
}
#: Who records moves in building A.
RECORDS_A = {"admin", "community", "worker_a", "part_time_a"}


@pytest.fixture
def sp(world):
    return sample_people(world)


def html(response):
    return response.content.decode()


def listed(sp, response):
    by_pk = {pk: key for key, pk in sp.buildings.items()}
    pks = re.findall(r'<li class="ev-item" data-building="(\d+)"', html(response))
    return {by_pk[int(pk)] for pk in pks}


def summary(response):
    found = re.search(r'data-testid="summary">([^<]+)<', html(response))
    assert found, "no summary on the page"
    return found.group(1)


def building_a(client, sp):
    return client.get(f"/places/{sp.buildings['A']}/")


def open_stay(person_pk):
    return Occupancy.objects.filter(person_id=person_pk, move_out__isnull=True).first()


# --- who opens which page ------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_lists_and_opens_only_the_buildings_in_scope(sp, login, username):
    client = login(username)
    sees = SEES[username]
    response = client.get("/places/")
    if sees is None:
        assert response.status_code == 403
        for pk in sp.buildings.values():
            assert client.get(f"/places/{pk}/").status_code == 403
        return
    assert response.status_code == 200
    assert listed(sp, response) == sees
    for key, pk in sp.buildings.items():
        assert client.get(f"/places/{pk}/").status_code == (200 if key in sees else 404), key


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_opens_the_ledger_forms_to_those_who_record_moves(sp, login, username):
    client = login(username)
    room = sp.rooms["A-101"]
    if username in RECORDS_A:
        expected = 200
    elif SEES[username] is None or "A" in SEES[username]:
        expected = 403
    else:
        expected = 404
    assert client.get(f"/places/rooms/{room}/move-in/").status_code == expected
    assert client.get(f"/places/rooms/{room}/report/").status_code == expected
    response = client.post(f"/places/rooms/{room}/move-out/", {"person_id": sp.people["a_tenant"]})
    assert response.status_code in ((302,) if username in RECORDS_A else (expected,))
    assert (open_stay(sp.people["a_tenant"]) is None) == (username in RECORDS_A)


def test_it_filters_buildings_by_rental_and_grid(sp, login):
    client = login("community")
    assert listed(sp, client.get("/places/", {"rental": "1"})) == {"A"}
    assert listed(sp, client.get("/places/", {"rental": "0"})) == {"A2"}
    assert listed(sp, client.get("/places/", {"under": GRID_A})) == {"A"}
    assert listed(sp, client.get("/places/", {"q": "样例路2号"})) == {"A2"}
    assert listed(sp, client.get("/places/", {"under": "440704002001001"})) == set()


def test_it_reads_the_building_list_in_a_bounded_number_of_queries(sp, login, world):
    client = login("community")

    def count():
        client.get("/places/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/places/").status_code == 200
        return len(queries)

    few = count()
    for i in range(12):
        building = do_create_building(actor=None, unit_code=UNIT_A, name=f"新楼{i}", floors=2)
        do_create_room(building, actor=None, number="101")
    assert count() == few
    assert few <= 10


# --- the building page ---------------------------------------------------------------------------


def test_it_shows_the_summary_rooms_and_masked_occupants(sp, login):
    response = building_a(login("worker_a"), sp)
    text = html(response)
    assert summary(response) == "样例楼A：3层，2间，1人"
    tenant_id = SAMPLE_PEOPLE["a_tenant"][2]
    assert tenant_id not in text and f"{tenant_id[:6]}********{tenant_id[-4:]}" in text
    assert LANDLORD_PHONE not in text and "139****0009" in text
    assert "样例房东" in text
    assert f'data-person="{sp.people["a_tenant"]}"' in text
    assert "入住记录" in text and "网格员登记" in text


def test_it_shows_the_building_in_english_when_chosen(sp, login):
    client = login("worker_a")
    assert "网格员登记" in html(building_a(client, sp))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = html(building_a(client, sp))
    assert "Residential" in text and "Registered by a grid worker" in text
    assert "住宅" not in text and "网格员登记" not in text


def test_it_flags_over_occupied_rooms(sp, login):
    room = Room.objects.get(pk=sp.rooms["A-201"])
    for i in range(7):
        person = do_create_person(
            actor=None,
            name=f"租客{i}",
            id_number=make_id_number("440704", "19990101", f"{600 + i:03d}"),
            region_code=UNIT_A,
            residence_type="floating",
        )
        do_move_in(room, person, actor=None)
    response = building_a(login("worker_a"), sp)
    assert summary(response) == "样例楼A：3层，2间，8人，1间超员"
    assert 'class="room is-over"' in html(response)
    assert "7/6" in html(response)


def test_it_page_reads_the_building_in_a_bounded_number_of_queries(sp, login):
    client = login("worker_a")

    def count():
        building_a(client, sp)
        with CaptureQueriesContext(connection) as queries:
            assert building_a(client, sp).status_code == 200
        return len(queries)

    few = count()
    room = Room.objects.get(pk=sp.rooms["A-201"])
    for i in range(6):
        person = do_create_person(
            actor=None,
            name=f"租客{i}",
            id_number=make_id_number("440704", "19990101", f"{700 + i:03d}"),
            phone=f"1380000070{i}",
            region_code=UNIT_A,
        )
        do_move_in(room, person, actor=None)
    assert count() == few


# --- moving out -----------------------------------------------------------------------------------


def test_it_moves_a_tenant_out_and_the_summary_follows(sp, login, world):
    client = login("worker_a")
    assert summary(building_a(client, sp)) == "样例楼A：3层，2间，1人"
    response = client.post(
        f"/places/rooms/{sp.rooms['A-101']}/move-out/",
        {"person_id": sp.people["a_tenant"], "note": "合同到期"},
    )
    assert response.status_code == 302
    assert response.url == f"/places/{sp.buildings['A']}/#room-{sp.rooms['A-101']}"
    page = client.get(response.url)
    assert summary(page) == "样例楼A：3层，2间，0人"
    assert "样例乙 已从101室搬离" in html(page)
    stay = Occupancy.objects.get(person_id=sp.people["a_tenant"])
    assert stay.move_out == timezone.localdate() and stay.out_source == "worker"
    assert Person.objects.get(pk=sp.people["a_tenant"]).status == "active"
    assert AuditEntry.objects.filter(action="places.move_out", actor=world["worker_a"]).count() == 1


def test_it_moves_out_through_htmx_and_answers_the_page_body(sp, login):
    response = login("worker_a").post(
        f"/places/rooms/{sp.rooms['A-101']}/move-out/",
        {"person_id": sp.people["a_tenant"], "left_area": "on"},
        headers={"HX-Request": "true"},
    )
    text = html(response)
    assert response.status_code == 200
    assert text.lstrip().startswith('<div class="reg-body" id="building-body">')
    assert "样例楼A：3层，2间，0人" in text
    assert "已从101室搬离" in text
    assert Person.objects.get(pk=sp.people["a_tenant"]).status == "left"


def test_it_refuses_a_move_out_dated_tomorrow_in_the_form(sp, login):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = login("worker_a").post(
        f"/places/rooms/{sp.rooms['A-101']}/move-out/",
        {"person_id": sp.people["a_tenant"], "move_out": tomorrow.isoformat()},
    )
    assert response.status_code == 422
    text = html(response)
    assert "搬离日期不能晚于今天" in text
    assert '<details class="inline-form occupant-out" data-action="move-out" open>' in text
    assert open_stay(sp.people["a_tenant"]) is not None


def test_it_says_when_the_person_does_not_live_in_the_room(sp, login):
    response = login("worker_a").post(
        f"/places/rooms/{sp.rooms['A-201']}/move-out/", {"person_id": sp.people["a_tenant"]}
    )
    assert response.status_code == 409
    assert "当前不在此房间居住" in html(response)
    assert open_stay(sp.people["a_tenant"]) is not None


# --- moving in ------------------------------------------------------------------------------------


def test_it_finds_only_people_in_scope_to_move_in(sp, login):
    response = login("worker_a").get(f"/places/rooms/{sp.rooms['A-201']}/move-in/", {"q": "样例"})
    found = {int(pk) for pk in re.findall(r'name="pick-person_id" value="(\d+)"', html(response))}
    assert found == {sp.people["a"], sp.people["a_tenant"]}
    assert SAMPLE_PEOPLE["a"][2] not in html(response)


def test_it_moves_a_registered_person_in(sp, login):
    client = login("worker_a")
    path = f"/places/rooms/{sp.rooms['A-201']}/move-in/"
    response = client.post(path, {"mode": "existing", "q": "样例甲"})
    assert response.status_code == 422
    assert "请选择入住的人员" in html(response)

    response = client.post(
        path, {"mode": "existing", "q": "样例甲", "pick-person_id": sp.people["a"]}
    )
    assert response.status_code == 302
    assert open_stay(sp.people["a"]).room_id == sp.rooms["A-201"]
    page = client.get(response.url)
    assert summary(page) == "样例楼A：3层，2间，2人"
    assert "样例甲 已入住201室" in html(page)


def test_it_notes_a_move_in_in_chinese_in_the_history_whatever_the_language(sp, login):
    from wangge.people.models import ResidenceHistory

    client = login("worker_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    path = f"/places/rooms/{sp.rooms['A-201']}/move-in/"
    response = client.post(
        path, {"mode": "existing", "q": "样例甲", "pick-person_id": sp.people["a"]}
    )
    assert response.status_code == 302
    latest = ResidenceHistory.objects.filter(person_id=sp.people["a"]).latest("pk")
    assert latest.note == "网格员登记"


def test_it_does_not_move_in_a_person_out_of_scope(sp, login):
    response = login("worker_a").post(
        f"/places/rooms/{sp.rooms['A-201']}/move-in/",
        {"mode": "existing", "pick-person_id": sp.people["b"]},
    )
    assert response.status_code == 422
    assert "未知的人员，或不在您的管辖范围内" in html(response)
    assert open_stay(sp.people["b"]).room_id == sp.rooms["B-101"]


def test_it_registers_a_new_person_and_moves_them_in(sp, login):
    client = login("part_time_a")
    path = f"/places/rooms/{sp.rooms['A-201']}/move-in/"
    response = client.post(path, {"mode": "new", "new-name": "新租客", "new-id_number": "4407"})
    assert response.status_code == 422
    assert "身份证号" in html(response) and 'class="field has-error"' in html(response)
    assert not Person.objects.filter(name="新租客").exists()

    id_number = make_id_number("440704", "20000202", "888")
    response = client.post(
        path,
        {
            "mode": "new",
            "new-name": "新租客",
            "new-id_number": id_number,
            "new-phone": "13700001111",
            "new-residence_type": "floating",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="新租客")
    assert person.residence_type == "floating" and person.region_code == UNIT_A
    assert person.residence_address == "样例路1号201室"
    assert open_stay(person.pk).room_id == sp.rooms["A-201"]
    assert person.residences.count() == 1  # registered at the room's address, not moved twice


# --- the landlord's report ---------------------------------------------------------------------------


def test_it_records_a_landlords_report_of_a_new_tenant_and_a_tenant_leaving(sp, login):
    client = login("worker_a")
    path = f"/places/rooms/{sp.rooms['A-101']}/report/"
    form = html(client.get(path))
    assert 'value="样例房东"' in form  # the landlord reports by default

    response = client.post(path, {"change": "moved_in", "name": "新来的", "id_number": "123"})
    assert response.status_code == 422
    assert not TenantReport.objects.exists()

    response = client.post(
        path,
        {
            "change": "moved_in",
            "name": "新来的",
            "id_number": make_id_number("440704", "19920303", "919"),
            "reporter_name": "样例房东",
        },
    )
    assert response.status_code == 302
    newcomer = Person.objects.get(name="新来的")
    assert open_stay(newcomer.pk).source == "landlord_report"

    response = client.post(path, {"change": "moved_out", "person_id": sp.people["a_tenant"]})
    assert response.status_code == 302
    assert open_stay(sp.people["a_tenant"]) is None
    assert Person.objects.get(pk=sp.people["a_tenant"]).status == "left"
    assert TenantReport.objects.count() == 2
    assert summary(building_a(client, sp)) == "样例楼A：3层，2间，1人"


# --- the landlord's phone ----------------------------------------------------------------------------


def test_it_unmasks_the_landlords_phone_only_with_a_reason(sp, login, world):
    client = login("worker_a")
    path = f"/places/{sp.buildings['A']}/unmask/"
    response = client.post(path, {"reason": ""})
    assert response.status_code == 422
    assert "请填写查看原因" in html(response) and LANDLORD_PHONE not in html(response)
    assert not AuditEntry.objects.filter(action="places.unmask").exists()

    response = client.post(path, {"reason": "联系房东核实租户"})
    assert response.status_code == 200
    assert LANDLORD_PHONE in html(response)
    rows = list(AuditEntry.objects.filter(action="places.unmask"))
    assert len(rows) == 1 and rows[0].reason == "联系房东核实租户"
    assert rows[0].actor == world["worker_a"]
    assert LANDLORD_PHONE not in html(building_a(client, sp))


def test_it_unmasks_the_landlords_phone_as_an_htmx_fragment(sp, login):
    response = login("community").post(
        f"/places/{sp.buildings['A']}/unmask/",
        {"reason": "联系房东"},
        headers={"HX-Request": "true"},
    )
    text = html(response)
    assert response.status_code == 200
    assert text.lstrip().startswith('<section class="card" id="landlord"')
    assert LANDLORD_PHONE in text
    assert AuditEntry.objects.filter(action="places.unmask").count() == 1


def test_it_keeps_the_landlords_phone_from_readers_without_the_right(sp, login):
    client = login("street")
    assert 'data-action="unmask"' not in html(building_a(client, sp))
    response = client.post(f"/places/{sp.buildings['A']}/unmask/", {"reason": "想看看"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="places.unmask").exists()
    assert (
        login("worker_b")
        .post(f"/places/{sp.buildings['A']}/unmask/", {"reason": "想看看"})
        .status_code
        == 404
    )


def test_it_answers_404_for_the_landlord_of_a_building_not_let(sp, login):
    response = login("worker_a2").post(f"/places/{sp.buildings['A2']}/unmask/", {"reason": "核实"})
    assert response.status_code == 404
    assert Building.objects.get(pk=sp.buildings["A2"]).is_rental is False
