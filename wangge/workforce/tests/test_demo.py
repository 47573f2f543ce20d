from __future__ import annotations

from wangge.testing import World
from wangge.workforce.demo import SESSIONS, seed_demo
from wangge.workforce.models import Attendance, MethodTick, Scorecard, TrainingSession


def test_seed_demo_is_set_wise_and_once(world: World) -> None:
    summary = seed_demo("440704", seed=3)
    assert TrainingSession.objects.count() == SESSIONS
    attendances = Attendance.objects.count()
    assert attendances > SESSIONS
    assert f"参训 {attendances} 人次" in summary
    # Each attendee holds an assignment under the session's node.
    for a in Attendance.objects.select_related("session", "user")[:50]:
        codes = [x.region.code for x in a.user.assignments.all() if x.region]
        assert any(code.startswith(a.session.region_code) for code in codes)
    assert MethodTick.objects.exists()
    assert Scorecard.objects.count() == 3
    assert "跳过" in seed_demo("440704", seed=3)
    assert TrainingSession.objects.count() == SESSIONS
