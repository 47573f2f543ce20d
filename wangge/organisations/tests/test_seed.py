"""Demo organisations: counts, the party chain, valid codes, encrypted phones, determinism."""

from django.db import connection
from stdnum.cn import uscc

from wangge.organisations.demo import seed_demo_organisations
from wangge.organisations.models import (
    Enterprise,
    ManagedUnit,
    PartyOrganisation,
    PropertyCompany,
    SocialOrganisation,
)
from wangge.regions.models import Region


def test_it_seeds_the_demo_organisations_of_a_district(world):
    summary = seed_demo_organisations("440704", 1, enterprises=300)
    enterprises = Enterprise.objects.filter(district_code="440704")
    assert summary.enterprises == enterprises.count() == 300
    assert sum(summary.by_kind.values()) == 300 and set(summary.by_kind) == {
        "enterprise",
        "shop",
        "individual",
    }
    units = set(
        Region.objects.filter(level="unit", code__startswith="440704").values_list(
            "code", flat=True
        )
    )
    assert set(enterprises.values_list("region_code", flat=True)) == units  # every unit has some
    codes = [c for c in enterprises.values_list("uscc", flat=True) if c]
    assert codes and all(uscc.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert not enterprises.filter(kind="enterprise", uscc="").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_person_phone, legal_person_phone_hash FROM organisations_enterprise"
        )
        rows = cursor.fetchall()
    assert all(phone.startswith("v1:") and digest for phone, digest in rows)
    # One working committee per street, one organisation per community, one branch per grid.
    grids = list(
        Region.objects.filter(level="grid", code__startswith="440704").values_list(
            "code", flat=True
        )
    )
    branches = PartyOrganisation.objects.filter(kind="grid_branch")
    assert sorted(branches.values_list("region_code", flat=True)) == sorted(grids)
    assert PartyOrganisation.objects.filter(kind="street_committee").count() == 2
    assert PartyOrganisation.objects.filter(kind="community").count() == 2
    for branch in branches.select_related("parent__parent"):
        assert branch.parent.region_code == branch.region_code[:12]
        assert branch.parent.parent.region_code == branch.region_code[:9]
    households = PartyOrganisation.objects.filter(kind="member_household").select_related("parent")
    assert households.count() == 2 * len(grids)
    assert all(h.parent.region_code == h.region_code[:15] for h in households)
    assert summary.property_companies == PropertyCompany.objects.count() >= 1
    assert ManagedUnit.objects.count() == summary.managed_units
    assert SocialOrganisation.objects.count() == summary.social >= 2
    assert seed_demo_organisations("440704", 1).skipped


def test_it_seeds_the_same_organisations_for_the_same_seed(world):
    def snapshot():
        return list(
            Enterprise.objects.order_by("uscc", "name", "region_code").values_list(
                "name",
                "uscc",
                "region_code",
                "kind",
                "industry",
                "legal_person",
                "legal_person_phone_hash",
            )
        )

    seed_demo_organisations("440704", 3, enterprises=50)
    first = snapshot()
    for model in (Enterprise, ManagedUnit, PropertyCompany, SocialOrganisation):
        model.objects.all().delete()
    PartyOrganisation.objects.filter(kind="member_household").delete()
    PartyOrganisation.objects.filter(kind="grid_branch").delete()
    PartyOrganisation.objects.filter(kind="community").delete()
    PartyOrganisation.objects.all().delete()
    seed_demo_organisations("440704", 3, enterprises=50)
    assert snapshot() == first
