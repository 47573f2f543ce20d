"""Key rotation: encrypt under k1, put k2 first, run the command, drop k1."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from wangge.audit.models import AuditEntry
from wangge.lib.crypto import generate_key
from wangge.people.models import Person
from wangge.people.selectors import search_people
from wangge.places.actions import RentalInfo, do_create_building
from wangge.places.models import RentalHousing
from wangge.privacy.rotation import encrypted_fields
from wangge.testing import GRID_A, GRID_B, make_id_number

K1 = f"k1:{generate_key()}"
K2 = f"k2:{generate_key()}"


def raw(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [value for row in cursor.fetchall() for value in row if value]


def stored_tokens():
    return raw("SELECT id_number, phone FROM people_person") + raw(
        "SELECT landlord_phone FROM places_rentalhousing"
    )


@pytest.fixture
def under_k1(settings, world):
    settings.DATA_KEYS = K1
    from wangge.people.actions import do_create_person

    people = {}
    for i, unit in enumerate([GRID_A + "001", GRID_A + "002", GRID_B + "001"] * 3):
        number = make_id_number("440704", "19800101", f"{i + 10:03d}")
        phone = f"1380000{i:04d}" if i % 3 else ""
        person = do_create_person(
            actor=None, name=f"居民{i}", id_number=number, phone=phone, region_code=unit
        )
        people[person.pk] = (number, phone)
    do_create_building(
        actor=None,
        unit_code=GRID_A + "001",
        name="新塘里96号",
        rental=RentalInfo(landlord_name="陈房东", landlord_phone="13600001111"),
    )
    return people


def test_it_finds_every_encrypted_field():
    found = {f"{m._meta.label}.{f.name}" for m, f in encrypted_fields()}
    assert {
        "people.Person.id_number",
        "people.Person.phone",
        "places.RentalHousing.landlord_phone",
    } <= found


def test_it_reencrypts_everything_under_the_new_key(settings, world, under_k1):
    tokens = stored_tokens()
    assert tokens and all(t.startswith("v1:k1:") for t in tokens)

    settings.DATA_KEYS = f"{K2},{K1}"
    # New writes already use k2; old values still read under k1.
    assert {p.pk: (p.id_number, p.phone) for p in Person.objects.all()} == under_k1

    dry = io.StringIO()
    call_command("rotate_data_keys", "--dry-run", stdout=dry)
    assert "keys in use: k1" in dry.getvalue()
    assert all(t.startswith("v1:k1:") for t in stored_tokens())

    out = io.StringIO()
    call_command("rotate_data_keys", "--batch-size", "4", stdout=out)
    after = stored_tokens()
    assert len(after) == len(tokens)
    assert all(t.startswith("v1:k2:") for t in after), after
    assert set(after).isdisjoint(tokens)
    assert f"{len(tokens)} values re-encrypted under k2" in out.getvalue()
    assert "keys no longer used: k1" in out.getvalue()
    entry = AuditEntry.objects.get(action="privacy.rotate_data_keys")
    assert entry.after["active_key"] == "k2"
    assert sum(entry.after["rotated"].values()) == len(tokens)

    # k1 can go: everything reads under k2 alone, and the blind indexes still find people.
    settings.DATA_KEYS = K2
    assert {p.pk: (p.id_number, p.phone) for p in Person.objects.all()} == under_k1
    assert RentalHousing.objects.get().landlord_phone == "13600001111"
    pk, (number, _phone) = next(iter(under_k1.items()))
    assert list(search_people(world["admin"], q=number).values_list("pk", flat=True)) == [pk]

    # A second run has nothing left to do.
    again = io.StringIO()
    call_command("rotate_data_keys", stdout=again)
    assert "0 values re-encrypted under k2" in again.getvalue()
    assert stored_tokens() == after


def test_it_cannot_read_values_whose_key_was_dropped_too_early(settings, under_k1):
    from wangge.lib.crypto import CryptoError

    settings.DATA_KEYS = K2
    with pytest.raises(CryptoError, match="unknown data key 'k1'"):
        list(Person.objects.all())
