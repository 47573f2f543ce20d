"""Asset types and the demo parts are seeded deterministically and only once."""

from wangge.assets.catalogue import TYPES, seed_asset_types
from wangge.assets.demo import HYDRANTS, NEW_HYDRANTS, seed_demo_assets
from wangge.assets.models import Asset, AssetType
from wangge.regions.models import Region


def test_it_seeds_the_asset_types_once(db):
    # The types arrive after migrate; seeding again adds nothing and keeps edits.
    assert AssetType.objects.count() == len(TYPES)
    AssetType.objects.filter(code="0111").update(name="市政消火栓")
    assert seed_asset_types() == 0
    assert AssetType.objects.get(code="0111").name == "市政消火栓"
    AssetType.objects.filter(code="0604").delete()
    assert seed_asset_types() == 1


def snapshot(district):
    return list(
        Asset.objects.filter(district_code=district)
        .order_by("code")
        .values_list("code", "region_code", "lng", "lat", "state", "is_new", "type__code")
    )


def test_it_seeds_the_demo_hydrants_of_a_district(world):
    summary = seed_demo_assets("440704", 1)
    hydrants = Asset.objects.filter(type__code="0111", district_code="440704")
    assert summary.by_type["0111"] == hydrants.count() == HYDRANTS == 783
    assert summary.new_hydrants == hydrants.filter(is_new=True).count() == NEW_HYDRANTS == 419
    assert hydrants.filter(owner_department__code="xf").count() in (
        0,
        783,
    )  # no 消防 in the test world
    # Every part lies in a grid or unit of the district, spread over all its grids.
    grids = set(
        Region.objects.filter(level="grid", code__startswith="440704").values_list(
            "code", flat=True
        )
    )
    places = set(Asset.objects.values_list("region_code", flat=True))
    assert {p[:15] for p in places} == grids
    assert all(p[:6] == "440704" for p in places)
    assert Asset.objects.filter(type__code="0112").count() == 2  # one per community
    assert Asset.objects.filter(district_code="440703").count() == 0
    assert summary.total == Asset.objects.count()
    assert Asset.objects.values("code").distinct().count() == Asset.objects.count()
    assert hydrants.order_by("code").values_list("code", flat=True).first() == "XFS-001-0001"


def test_it_seeds_the_same_parts_for_the_same_seed_and_only_once(world):
    seed_demo_assets("440704", 7)
    first = snapshot("440704")
    assert seed_demo_assets("440704", 7).skipped
    assert snapshot("440704") == first
    Asset.objects.all().delete()
    seed_demo_assets("440704", 7)
    assert snapshot("440704") == first
    Asset.objects.all().delete()
    seed_demo_assets("440704", 8)
    assert snapshot("440704") != first
