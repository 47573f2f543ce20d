"""Masking by default, unmasking with a right, a reason and an audit row; nothing clear at rest."""

import pytest
from django.db import connection

from wangge.audit.models import AuditEntry
from wangge.people.actions import do_create_person
from wangge.places.actions import RentalInfo, do_create_building
from wangge.testing import GRID_A, make_id_number

ID_NUMBER = make_id_number("440704", "19561224", "013")
PHONE = "13912345678"
LANDLORD_PHONE = "13698765432"


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def resident(world):
    return do_create_person(
        actor=None,
        name="黄婆婆",
        id_number=ID_NUMBER,
        phone=PHONE,
        region_code=GRID_A + "001",
        tags=["elderly_alone"],
        residence_address="新塘里96号101室",
    )


@pytest.fixture
def rental(world, resident):
    return do_create_building(
        actor=None,
        unit_code=GRID_A + "001",
        name="新塘里96号",
        floors=4,
        rental=RentalInfo(
            landlord_name="陈房东", landlord_phone=LANDLORD_PHONE, landlord_person_id=resident.pk
        ),
    )


def test_it_masks_identifiers_everywhere_by_default(api, resident):
    client = api("worker_a")
    for path in (f"/api/v1/people/{resident.pk}", "/api/v1/people", f"/api/v1/people?q={PHONE}"):
        text = client.get(path).content.decode()
        assert ID_NUMBER not in text and PHONE not in text, path
        assert f"440704********{ID_NUMBER[-4:]}" in text
        assert "139****5678" in text


def test_it_unmasks_with_a_reason_and_writes_an_audit_row(api, resident):
    client = api("worker_a")
    response = post(
        client,
        f"/api/v1/people/{resident.pk}/unmask",
        {"field": "phone", "reason": "电话回访独居老人"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"person_id": resident.pk, "field": "phone", "value": PHONE}
    entry = AuditEntry.objects.get(action="people.unmask")
    assert entry.actor.username == "worker_a"
    assert entry.reason == "电话回访独居老人"
    assert entry.after == {"field": "phone", "empty": False}
    assert (entry.object_type, entry.object_id) == ("people.person", str(resident.pk))
    assert entry.region_code == GRID_A + "001"
    assert PHONE not in str(entry.after) + entry.object_repr
    response = post(
        client,
        f"/api/v1/people/{resident.pk}/unmask",
        {"field": "id_number", "reason": "办理高龄津贴"},
    )
    assert response.json()["value"] == ID_NUMBER
    assert AuditEntry.objects.filter(action="people.unmask").count() == 2


@pytest.mark.parametrize("reason", [None, "", "  ", "看"])
def test_it_refuses_to_unmask_without_a_reason(api, resident, reason):
    body = {"field": "id_number"}
    if reason is not None:
        body["reason"] = reason
    response = post(api("worker_a"), f"/api/v1/people/{resident.pk}/unmask", body)
    assert response.status_code == 422
    assert response.json()["fields"] == {"reason": ["请填写查看原因（至少 2 个字）"]}
    assert ID_NUMBER not in response.content.decode()
    assert not AuditEntry.objects.filter(action="people.unmask").exists()


def test_it_refuses_unknown_fields(api, resident):
    response = post(
        api("worker_a"), f"/api/v1/people/{resident.pk}/unmask", {"field": "name", "reason": "看看"}
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["field"]


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("district", 403),  # sees the person (masked) but may not unmask
        ("street", 403),
        ("part_time_a", 403),
        ("worker_b", 404),  # does not see the person at all
        ("worker_a2", 404),
        ("dept", 404),
        ("resident", 404),
        ("other_district", 404),
        ("community", 200),
        ("worker_a", 200),
        ("admin", 200),
    ],
)
def test_it_unmasks_only_for_holders_of_the_right(api, resident, username, status):
    response = post(
        api(username),
        f"/api/v1/people/{resident.pk}/unmask",
        {"field": "id_number", "reason": "核对身份"},
    )
    assert response.status_code == status, response.content
    assert (ID_NUMBER in response.content.decode()) == (status == 200)
    assert AuditEntry.objects.filter(action="people.unmask").count() == (status == 200)


def test_it_unmasks_a_landlords_phone_the_same_way(api, rental):
    client = api("worker_a")
    detail = client.get(f"/api/v1/places/buildings/{rental.pk}").json()
    assert detail["rental"]["landlord_phone"] == "136****5432"
    assert LANDLORD_PHONE not in str(detail)
    path = f"/api/v1/places/buildings/{rental.pk}/unmask"
    assert post(client, path, {}).status_code == 422
    assert post(api("district"), path, {"reason": "联系房东"}).status_code == 403
    assert post(api("worker_b"), path, {"reason": "联系房东"}).status_code == 404
    response = post(client, path, {"reason": "联系房东核实租户"})
    assert response.json()["value"] == LANDLORD_PHONE
    entry = AuditEntry.objects.get(action="places.unmask")
    assert entry.after == {"field": "landlord_phone", "empty": False}
    assert entry.reason == "联系房东核实租户"


def test_it_stores_no_identifier_in_clear(api, resident, rental):
    """Read the raw rows: no ID number, no phone, in any table, audit log included."""
    client = api("worker_a")
    post(client, f"/api/v1/people/{resident.pk}/unmask", {"field": "id_number", "reason": "核对"})
    client.patch(
        f"/api/v1/people/{resident.pk}",
        {"phone": "13511112222"},
        content_type="application/json",
    )
    secrets = [ID_NUMBER, PHONE, LANDLORD_PHONE, "13511112222", ID_NUMBER[6:14] + ID_NUMBER[14:]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, id_number_hash, phone, phone_hash FROM people_person WHERE id = %s",
            [resident.pk],
        )
        id_number, id_hash, phone, phone_hash = cursor.fetchone()
        assert id_number.startswith("v1:") and phone.startswith("v1:")
        assert len(id_hash) == 40 and len(phone_hash) == 40
        tables = [
            "people_person",
            "people_residencehistory",
            "places_rentalhousing",
            "places_building",
            "audit_auditentry",
        ]
        dump = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump.extend(str(value) for row in cursor.fetchall() for value in row)
    text = "\n".join(dump)
    for secret in secrets:
        assert secret not in text, secret
