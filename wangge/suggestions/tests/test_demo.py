"""The demo data: every state, a published draft with opinions; deterministic and once."""

from __future__ import annotations

from wangge.suggestions.demo import seed_demo
from wangge.suggestions.models import Draft, LiaisonPoint, Opinion, Suggestion


def test_seed_demo(world) -> None:
    line = seed_demo("440704", seed=7)
    assert "12 条建议" in line
    states = set(Suggestion.objects.values_list("state", flat=True))
    assert states == {
        "submitted",
        "triaged",
        "rejected",
        "adopted",
        "not_adopted",
        "in_progress",
        "done",
    }
    assert Suggestion.objects.filter(submitter=world["resident"]).exists()
    draft = Draft.objects.get()
    assert draft.state == "published" and draft.is_open()
    assert LiaisonPoint.objects.count() == 2
    assert Opinion.objects.filter(draft=draft).count() == 6
    assert Opinion.objects.exclude(state="pending").count() == 3
    assert Opinion.objects.filter(author__isnull=True).exists()
    first = list(Suggestion.objects.order_by("pk").values_list("title", "node", "state"))
    assert seed_demo("440704", seed=7).endswith("跳过")
    assert Suggestion.objects.count() == 12
    Suggestion.objects.all().delete()
    Opinion.objects.all().delete()
    Draft.objects.all().delete()
    LiaisonPoint.objects.all().delete()
    seed_demo("440704", seed=7)
    assert list(Suggestion.objects.order_by("pk").values_list("title", "node", "state")) == first
