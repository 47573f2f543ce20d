"""Demo residents: places, people, households and the ledger of the demo district, consistent."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.db import connection

from wangge.demo import residents
from wangge.demo.residents import Sealer, classify, district_units, seed_residents, unit_people
from wangge.demo.seed import DEMO_DISTRICT, FIRST_GRID, seed_demo
from wangge.lib.crypto import keyring
from wangge.people.choices import Gender, PersonStatus, Relation, ResidenceType
from wangge.people.models import Household, Person, PersonTag, ResidenceHistory
from wangge.people.pinyin import name_pinyin
from wangge.people.validation import parse_id_number, parse_phone
from wangge.places.models import Building, Occupancy, RentalHousing, Room
from wangge.places.selectors import building_summary
from wangge.privacy.fields import blind_index
from wangge.regions.models import Region

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
PEOPLE = 2000


@pytest.fixture
def district() -> list[str]:
    seed_demo(seed=1, workers=False)
    return list(
        Region.objects.filter(level="unit", code__startswith=DEMO_DISTRICT).values_list(
            "code", flat=True
        )
    )


def load(people: int = PEOPLE, seed: int = 1) -> residents.ResidentsSummary:
    return seed_residents(
        [DEMO_DISTRICT], people=people, seed=seed, showcase_grid=FIRST_GRID, today=TODAY
    )


def fingerprint() -> dict[str, Any]:
    """What the load wrote, in clear and without database ids."""
    people = sorted(
        (
            p.name,
            p.id_number,
            p.phone,
            p.gender,
            p.birth_date,
            p.residence_type,
            p.status,
            p.region_code,
            p.residence_address,
            p.registered_address,
            p.household_relation,
        )
        for p in Person.objects.all()
    )
    buildings = sorted(
        Building.objects.values_list("region_code", "name", "address", "floors", "use", "is_rental")
    )
    rooms = sorted(Room.objects.values_list("building__address", "number", "area"))
    stays = sorted(
        Occupancy.objects.values_list("room__building__address", "room__number", "person__name")
    )
    return {"people": people, "buildings": buildings, "rooms": rooms, "stays": stays}


def wipe() -> None:
    PersonTag.objects.all().delete()
    Occupancy.objects.all().delete()
    ResidenceHistory.objects.all().delete()
    RentalHousing.objects.all().delete()
    Room.objects.all().delete()
    Building.objects.all().delete()
    Household.objects.update(head=None)
    Person.objects.all().delete()
    Household.objects.all().delete()


def test_it_fills_every_unit_of_the_district_consistently(district: list[str]) -> None:
    summary = load()
    units = set(district)
    assert summary.districts == [DEMO_DISTRICT]
    assert summary.people == PEOPLE == Person.objects.count()
    assert summary.buildings == Building.objects.count()
    assert summary.rooms == Room.objects.count()
    assert summary.households == Household.objects.count()

    # Every minimal unit has at least one building; everybody lives in a unit of the district.
    assert set(Building.objects.values_list("region_code", flat=True)) == units
    assert (
        Building.objects.exclude(region_id__in=Region.objects.filter(code__in=units)).count() == 0
    )
    people = list(Person.objects.all())
    assert {p.region_code for p in people} <= units

    # ID numbers: valid, unique, and the person's birth date and sex; registered people
    # were issued theirs in Jiangmen, the floating population elsewhere.
    numbers = [p.id_number for p in people]
    assert len(set(numbers)) == len(numbers)
    for p in people:
        ident = parse_id_number(p.id_number, today=TODAY)
        assert (ident.birth_date, ident.gender) == (p.birth_date, p.gender)
        assert p.gender in (Gender.MALE, Gender.FEMALE)
        assert p.id_number.startswith("4407") == (p.residence_type == ResidenceType.REGISTERED)
        if p.phone:
            assert parse_phone(p.phone) == p.phone
        assert (p.name_pinyin, p.name_initials) == name_pinyin(p.name)
    sample = people[:50]
    assert all(p.id_number_hash == blind_index(p.id_number) for p in sample)
    assert all(p.phone_hash == (blind_index(p.phone) if p.phone else "") for p in sample)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person")
        raw = cursor.fetchall()
    assert all(i.startswith("v1:") and (not ph or ph.startswith("v1:")) for i, ph in raw)

    # About a third floating population; a few who have left, with their closed stays.
    floating = sum(p.residence_type == ResidenceType.FLOATING for p in people)
    assert 0.25 < floating / PEOPLE < 0.45
    assert summary.floating == floating
    left = [p for p in people if p.status == PersonStatus.LEFT]
    assert len(left) == summary.left
    assert all(
        Occupancy.objects.filter(person=p, move_out__isnull=False).exists()
        and not Occupancy.objects.filter(person=p, move_out__isnull=True).exists()
        for p in left
    )

    # The ledger: current stays in rooms of the person's own unit, at the room's address.
    current = Occupancy.objects.filter(move_out__isnull=True).select_related(
        "person", "room__building"
    )
    assert current.count() == summary.occupancies
    for stay in current:
        assert stay.room.building.region_code == stay.person.region_code
        assert stay.person.residence_address.startswith(stay.room.building.address)
        assert stay.person.residence_address.endswith(f"{stay.room.number}室")
        assert stay.move_in <= TODAY
    assert all(
        row.move_in <= row.move_out for row in Occupancy.objects.filter(move_out__isnull=False)
    )
    assert summary.occupancies > 0.9 * (PEOPLE - len(left))
    # One open residence each.
    opened = Counter(
        ResidenceHistory.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True)
    )
    assert len(opened) == PEOPLE and set(opened.values()) == {1}

    # Households: the head is a member, members live in the household's unit.
    for household in Household.objects.prefetch_related("members"):
        members = list(household.members.all())
        assert household.head in members
        assert household.head.household_relation == Relation.HEAD
        assert {m.region_code for m in members} == {household.region_code}
        assert sum(m.household_relation == Relation.HEAD for m in members) == 1

    # Rental housing: flagged, with a landlord living in the same unit when registered.
    rentals = list(RentalHousing.objects.select_related("building", "landlord_person"))
    assert rentals and summary.rental_buildings == len(rentals)
    for rental in rentals:
        assert rental.building.is_rental
        assert parse_phone(rental.landlord_phone) == rental.landlord_phone
        assert rental.landlord_phone_hash == blind_index(rental.landlord_phone)
        if rental.landlord_person is not None:
            assert rental.landlord_person.region_code == rental.building.region_code
            assert rental.landlord_name == rental.landlord_person.name

    # Special groups on some people; elderly living alone are old and alone.
    tags = Counter(PersonTag.objects.values_list("tag__code", flat=True))
    assert tags == Counter(summary.tags)
    assert tags["disabled"] > 0 and tags["elderly_alone"] > 0
    for tagged in PersonTag.objects.filter(tag__code="elderly_alone").select_related("person"):
        person = tagged.person
        assert (TODAY - person.birth_date).days >= 70 * 365
        assert Person.objects.filter(household_id=person.household_id).count() == 1


def test_it_gives_worker1s_grid_a_rental_building_with_tenants(district: list[str]) -> None:
    load()
    rentals = Building.objects.filter(region_code__startswith=FIRST_GRID, is_rental=True)
    best = max(rentals, key=lambda b: building_summary(b).occupants)
    summary = building_summary(best)
    assert summary.rooms >= 4 and summary.occupants >= 6
    tenants = Occupancy.objects.filter(room__building=best, move_out__isnull=True)
    assert tenants.filter(person__residence_type=ResidenceType.FLOATING).count() >= 4
    assert tenants.values("room").distinct().count() >= 2
    crowded = [
        b
        for b in Building.objects.filter(region_code__startswith=FIRST_GRID)
        if building_summary(b).over_occupied
    ]
    assert crowded
    assert "间超员" in building_summary(crowded[0]).text


def test_it_is_deterministic_for_a_seed(district: list[str]) -> None:
    load(1500, seed=7)
    first = fingerprint()
    wipe()
    load(1500, seed=7)
    assert fingerprint() == first
    wipe()
    load(1500, seed=8)
    assert fingerprint()["people"] != first["people"]


def test_it_skips_a_district_that_has_people(district: list[str]) -> None:
    load(300)
    again = load(300)
    assert again.skipped == [DEMO_DISTRICT] and again.people == 0
    assert Person.objects.count() == 300
    assert residents.summary_lines(again) == [f"{DEMO_DISTRICT}：已有居民，跳过。"]


def test_it_splits_people_over_units_by_their_kind(district: list[str]) -> None:
    units = district_units(DEMO_DISTRICT)
    assert len(units) == 2590
    kinds = Counter(classify(u)[0] for u in units)
    assert kinds[residents.ESTATE] and kinds[residents.BLOCK] and kinds[residents.WORKSHOP]
    counts = unit_people(units, 300_000, seed=1)
    assert sum(counts) == 300_000 and min(counts) > 0
    assert unit_people(units, 300_000, seed=1) == counts


def test_it_seals_like_the_key_ring() -> None:
    ring = keyring()
    sealer = Sealer(ring)
    token = sealer.seal("44070419900101123X")
    assert token.startswith(f"v1:{ring.active_id}:")
    assert ring.decrypt(token) == "44070419900101123X"
    assert sealer.index("44070419900101123X") == ring.blind_index("44070419900101123X")
    assert sealer.seal("") == sealer.index("") == ""
