from datetime import timedelta

import pytest
from django.utils import timezone

from wangge.demo.content import DAYS, TITLES, seed_demo_content
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
    # Spread over the last DAYS days, in order, nothing in the future.
    now = timezone.now()
    reported = sorted(Event.objects.values_list("reported_at", flat=True))
    assert now - timedelta(days=DAYS + 1) <= reported[0] < now - timedelta(days=20)
    assert reported[-1] > now - timedelta(days=20)
    assert not EventStep.objects.filter(at__gt=now).exists()
    for event in Event.objects.all():
        times = list(
            EventStep.objects.filter(event=event).order_by("id").values_list("at", flat=True)
        )
        assert times == sorted(times) and times[0] >= event.reported_at
        if event.closed_at:
            assert event.reported_at < event.closed_at <= now
    # Each title is about the event's own sub-category.
    for event in Event.objects.select_related("category"):
        sub = event.category
        assert event.title in TITLES.get(sub.name, [sub.register_condition]), (
            sub.name,
            event.title,
        )
    # Running it again adds nothing.
    again = seed_demo_content(seed=1, events=40)
    assert again.events == 0
    assert Event.objects.count() == summary.events
