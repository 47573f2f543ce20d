import pytest

from wangge.demo.content import seed_demo_content
from wangge.demo.seed import DEMO_DISTRICT, seed_demo
from wangge.events.models import Event, EventStep


@pytest.mark.django_db
def test_it_seeds_demo_events_through_the_lifecycle():
    seed_demo(seed=1)
    summary = seed_demo_content(seed=1, events=40)
    assert summary.categories > 20
    assert summary.events == Event.objects.filter(district_code=DEMO_DISTRICT).count() > 30
    # Several stages of the lifecycle are represented, each with its timeline.
    assert {"reported", "closed"} <= set(summary.by_state)
    for event in Event.objects.all():
        assert EventStep.objects.filter(event=event).exists()
    # Running it again adds nothing.
    again = seed_demo_content(seed=1, events=40)
    assert again.events == 0
    assert Event.objects.count() == summary.events
