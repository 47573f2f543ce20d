"""The demo campaign: one running 出租屋敲门行动 with a few recorded visits."""

from wangge.campaigns.demo import NAME, seed_demo
from wangge.campaigns.models import Attempt, Campaign, Target
from wangge.places.actions import do_create_building
from wangge.testing import GRID_A, GRID_A2, sample_people


def test_it_seeds_one_running_campaign_with_attempts(world):
    sample_people(world)
    for i in range(40):
        unit = (GRID_A, GRID_A2)[i % 2] + f"{1 + i % 2:03d}"
        do_create_building(actor=None, unit_code=unit, name=f"新塘里{i + 1}号", is_rental=True)
    summary = seed_demo("440704", seed=1)
    campaign = Campaign.objects.get(name=NAME)
    assert campaign.state == "running" and campaign.area_code == "440704001001"
    assert campaign.target_kind == "rental_buildings"
    assert Target.objects.filter(campaign=campaign).count() == 41  # and 样例楼A
    attempts = Attempt.objects.filter(campaign=campaign)
    assert 5 <= attempts.count() <= 30
    assert set(attempts.values_list("outcome__code", flat=True)) <= {
        "no_answer",
        "notified",
        "back_tonight",
        "registered",
        "refused",
    }
    assert set(attempts.values_list("recorded_by__username", flat=True)) <= {
        "worker_a",
        "worker_a2",
    }
    assert NAME in summary and "41" in summary
    registered = attempts.filter(outcome__code="registered").first()
    if registered is not None:
        assert "tenants" in registered.answers
    # Deterministic and loaded once.
    assert "跳过" in seed_demo("440704", seed=1)
    assert Campaign.objects.filter(name=NAME).count() == 1


def test_without_rental_housing_it_skips(world):
    assert "跳过" in seed_demo("440704", seed=1)
    assert not Campaign.objects.exists()
