"""Sample workforce rows for tests that walk every endpoint (the leak test's fillers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wangge.testing import GRID_A, GRID_B, World
from wangge.workforce import months
from wangge.workforce.actions import do_compute_scorecards
from wangge.workforce.models import Attendance, Scorecard, TrainingSession

SAMPLE_TITLE = "样例培训：网格化管理专题"


@dataclass
class SampleWorkforce:
    sessions: list[int]
    scorecards: list[int]


def sample_workforce(world: World) -> SampleWorkforce:
    """A training session in each of street 001 and 002 and last month's scorecards; made once."""
    sessions = list(
        TrainingSession.objects.filter(title=SAMPLE_TITLE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not sessions:
        for code, worker in ((GRID_A[:9], "worker_a"), (GRID_B[:9], "worker_b")):
            session = TrainingSession.objects.create(
                title=SAMPLE_TITLE, held_on=date(2026, 8, 18), region_code=code, trainer="专业导师"
            )
            Attendance.objects.create(session=session, user=world[worker])
            sessions.append(session.pk)
    month = months.previous_month(months.this_month())
    if not Scorecard.objects.filter(month=month).exists():
        do_compute_scorecards(month=month, actor=None)
    cards = list(Scorecard.objects.filter(month=month).order_by("pk").values_list("pk", flat=True))
    return SampleWorkforce(sessions=sessions, scorecards=cards)
