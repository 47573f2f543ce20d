"""Demo care visits for a district: a visit history, the visit tasks it leads to, a few visits.

``seed_demo("440704")`` (after the hierarchy, accounts, catalogue and people are seeded):

1. a past visit (见到本人) for most people in a special group with a visit rule, by a grid
   worker of their grid, some recent and some long ago, so that some are visited on time,
   some are due soon and some are overdue (bulk insert, one audit row);
2. ``generate_visit_tasks``: the open tasks those visits (and the never visited) lead to;
3. a few visits through ``do_record_visit`` by the first grid's worker: people seen, one not
   at home (a follow-up is due tomorrow) and one needing help (an event 特殊人群服务).

The same seed gives the same history.  A district that already has visits is left alone.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import Assignment
from wangge.accounts.scope import prefix_q
from wangge.audit.actions import record
from wangge.care import actions, selectors
from wangge.care.choices import TaskStatus, VisitOutcome
from wangge.care.models import VisitRecord, VisitTask
from wangge.people.choices import PersonStatus
from wangge.people.models import Person

BULK_BATCH = 2000
#: Share of the people in a group with a rule who were visited before (in the first grid,
#: the one its demo worker opens, fewer: their list has something to show).
VISITED_SHARE = 0.85
SHOWCASE_VISITED_SHARE = 0.4
#: Visits recorded through the action by the first grid's worker (seen, not home, needs
#: help, seen), leaving at least ``LEFT_OPEN`` tasks on their list.
LIVE_VISITS = 4
LEFT_OPEN = 2
HELP_NOTES = (
    "老人反映家中水管漏水，行动不便无法自行维修，需要社区协助联系维修",
    "独居老人近日身体不适，需要家庭医生上门随访",
    "低保户反映冬季取暖困难，需要帮扶物资",
)
SEEN_NOTES = ("身体状况良好，生活正常", "精神状态不错，家中整洁", "已提醒注意防火用电安全", "")


def _grid_workers(district_code: str) -> dict[str, Any]:
    """The first grid worker (by username) of each grid of the district."""
    found: dict[str, Any] = {}
    for assignment in (
        Assignment.objects.filter(
            prefix_q("region__code", [district_code]),
            role__slug="grid_worker",
            is_active=True,
            user__is_active=True,
            region__level="grid",
        )
        .select_related("user", "region")
        .order_by("region__code", "user__username")
    ):
        if assignment.region is not None:
            found.setdefault(assignment.region.code, assignment.user)
    return found


def _history(
    district_code: str, rng: random.Random, now: datetime, workers: dict[str, Any]
) -> tuple[int, int]:
    """Past visits of the district's people with a rule: (people, visits)."""
    found = selectors.rules_from(
        selectors.rule_memberships().filter(
            prefix_q("person__region_code", [district_code]), person__status=PersonStatus.ACTIVE
        )
    )
    rows: list[VisitRecord] = []
    showcase = min(workers) if workers else None
    late_shown = 0
    for person_id, (rule, place) in sorted(found.items()):
        in_showcase = bool(showcase) and place.startswith(showcase or "-")
        if rng.random() > (SHOWCASE_VISITED_SHARE if in_showcase else VISITED_SHARE):
            continue
        worker = workers.get(place[:15])
        # Mostly within the rule's period; about one in six overdue by now (and two on the
        # first grid's list, which the demo worker opens).
        days = rng.uniform(0.2, rule.frequency_days * 1.15)
        if in_showcase and late_shown < 2:
            days, late_shown = rule.frequency_days + 2 + late_shown, late_shown + 1
        when = now - timedelta(days=days, minutes=rng.randint(0, 600))
        rows.append(
            VisitRecord(
                person_id=person_id,
                region_code=place,
                outcome=VisitOutcome.SEEN,
                note=rng.choice(SEEN_NOTES),
                visited_at=when,
                on_time=rng.random() < 0.9,
                visitor=worker,
                visitor_label=(worker.display_name or worker.username) if worker else "系统",
                recorded_at=when,
            )
        )
    VisitRecord.objects.bulk_create(rows, batch_size=BULK_BATCH)
    return len(found), len(rows)


def _live_visits(
    district_code: str, rng: random.Random, now: datetime, workers: dict[str, Any]
) -> tuple[int, int]:
    """A few visits through the action by the first grid's worker: (visits, events)."""
    chosen: tuple[Any, list[VisitTask]] | None = None
    for grid_code, worker in sorted(workers.items()):
        tasks = list(
            VisitTask.objects.filter(
                prefix_q("region_code", [grid_code]), status=TaskStatus.OPEN
            ).order_by("-due_on", "id")  # the overdue ones stay on the list
        )
        if tasks:
            chosen = (worker, tasks[: max(0, min(LIVE_VISITS, len(tasks) - LEFT_OPEN))])
            break
    if chosen is None:
        return 0, 0
    worker, tasks = chosen
    has_help = actions.help_category() is not None
    visits = events = 0
    for i, task in enumerate(tasks):
        if i == 1:
            outcome = VisitOutcome.NOT_HOME
        elif i == 2 and has_help:
            outcome = VisitOutcome.NEEDS_HELP
        else:
            outcome = VisitOutcome.SEEN
        note = rng.choice(HELP_NOTES) if outcome == VisitOutcome.NEEDS_HELP else ""
        if outcome == VisitOutcome.SEEN:
            note = rng.choice(SEEN_NOTES)
        person = Person.objects.get(pk=task.person_id)
        result = actions.do_record_visit(
            person,
            actor=worker,
            outcome=outcome,
            note=note,
            visited_at=now - timedelta(minutes=20 * (len(tasks) - i)),
            request_id=f"demo-{district_code}-{task.pk}",
            now=now,
        )
        visits += 1
        events += result.visit.event_id is not None
    return visits, events


def seed_demo(district_code: str, *, seed: int = 1, now: datetime | None = None) -> str:
    """Load the demo visits of ``district_code``; a one-line summary."""
    now = now or timezone.now()
    rng = random.Random(f"wangge-care:{seed}:{district_code}")  # noqa: S311 - demo data
    with transaction.atomic():
        if VisitRecord.objects.filter(prefix_q("region_code", [district_code])).exists():
            return f"关爱走访：{district_code} 已有走访记录，跳过"
        workers = _grid_workers(district_code)
        people, history = _history(district_code, rng, now, workers)
        if history:
            record(
                "demo.seed_care",
                actor=None,
                object_type="care.visitrecord",
                object_repr=f"{history} 次历史走访",
                region_code=district_code,
                after={"seed": seed, "visits": history},
            )
        generated = actions.generate_visit_tasks(now=now, district=district_code)
        today = timezone.localdate(now)
        overdue = VisitTask.objects.filter(
            prefix_q("region_code", [district_code]), status=TaskStatus.OPEN, due_on__lt=today
        ).count()
        live, events = _live_visits(district_code, rng, now, workers)
    return (
        f"关爱走访：{people} 名特殊人群，历史走访 {history} 次，生成走访任务 {generated.created} 条"
        f"（逾期 {overdue} 条），演示走访 {live} 次（求助事件 {events} 件）"
    )
