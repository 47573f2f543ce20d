"""Demo data for the grid-worker workforce of a district (after hierarchy and accounts).

``seed_demo("440704")``:

1. 300 training sessions (the seeds: "三级共举办网格员培训班300多期，参训逾7000人次") held by
   the district, its streets and communities over the past two years, and 7,000 attendances
   drawn from the people assigned under each session's node (bulk insert, one audit row);
2. "553" ticks of the current month for the district's grid workers (most items ticked);
3. last month's scorecards, computed by the assessment like the monthly task does.

The same seed gives the same set.  A district that already has sessions is left alone.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import Assignment
from wangge.accounts.scope import prefix_q
from wangge.audit.actions import record
from wangge.regions.models import Region
from wangge.workforce import months
from wangge.workforce.actions import do_compute_scorecards
from wangge.workforce.choices import FULL_TIME
from wangge.workforce.models import Attendance, MethodItem, MethodTick, TrainingSession

SESSIONS = 300
ATTENDANCES = 7000
BULK_BATCH = 2000
TOPICS = (
    "网格化管理专题",
    "禁毒知识专题",
    "基层矛盾纠纷调解技巧",
    "消防安全实训",
    "急救救护基本知识",
    "入户访谈技巧",
    "无人机操作培训",
    "“粤平安”消防网格员业务培训",
    "重点工业园区专题培训",
    "防台风应急处置演练",
    "基础数据采集规范",
    "智慧网格平台操作",
)
TRAINERS = ("区委政法委", "区消防救援大队", "区司法局", "区卫健局", "街道综治中心", "专业导师")


def _pools(district_code: str) -> tuple[list[str], dict[str, list[int]]]:
    """Nodes that hold training (district, streets, communities) and who may attend each."""
    nodes = list(
        Region.objects.filter(prefix_q("code", [district_code]))
        .filter(level__in=["district", "street", "community"])
        .order_by("code")
        .values_list("code", flat=True)
    )
    by_grid: dict[str, set[int]] = defaultdict(set)
    for user_id, code in (
        Assignment.objects.filter(prefix_q("region__code", [district_code]), is_active=True)
        .values_list("user_id", "region__code")
        .order_by("user_id")
    ):
        by_grid[code].add(user_id)
    pools = {
        node: sorted({u for code, users in by_grid.items() if code.startswith(node) for u in users})
        for node in nodes
    }
    return [n for n in nodes if pools[n]], pools


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    if TrainingSession.objects.filter(prefix_q("region_code", [district_code])).exists():
        return "网格员队伍：已有培训数据，跳过"
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible
    nodes, pools = _pools(district_code)
    if not nodes:
        return "网格员队伍：没有人员，跳过"
    today = timezone.localdate()
    sessions = [
        TrainingSession(
            title=f"{rng.choice(TOPICS)}（第{i + 1}期）",
            held_on=today - timedelta(days=rng.randint(1, 730)),
            region_code=rng.choice(nodes),
            trainer=rng.choice(TRAINERS),
        )
        for i in range(SESSIONS)
    ]
    with transaction.atomic():
        TrainingSession.objects.bulk_create(sessions, batch_size=BULK_BATCH)
        saved = list(
            TrainingSession.objects.filter(prefix_q("region_code", [district_code])).order_by("pk")
        )
        # Spread the attendances over the sessions, each within its node's pool.
        pairs: set[tuple[int, int]] = set()
        capacity = sum(len(pools[s.region_code]) for s in saved)
        target = min(ATTENDANCES, capacity * 4 // 5)
        while len(pairs) < target:
            session = rng.choice(saved)
            pairs.add((session.pk, rng.choice(pools[session.region_code])))
        Attendance.objects.bulk_create(
            [Attendance(session_id=s, user_id=u) for s, u in sorted(pairs)],
            batch_size=BULK_BATCH,
        )
        # This month's "553" ticks.
        month = months.this_month()
        items = list(MethodItem.objects.filter(is_active=True))
        ticks = [
            MethodTick(worker_id=user_id, item=item, month=month, region_code=grid)
            for user_id, grid in Assignment.objects.filter(
                prefix_q("region__code", [district_code]),
                role__slug=FULL_TIME,
                is_active=True,
                region__level="grid",
            ).values_list("user_id", "region__code")
            for item in items
            if rng.random() < 0.7
        ]
        MethodTick.objects.bulk_create(ticks, batch_size=BULK_BATCH, ignore_conflicts=True)
        record(
            "workforce.seed_demo",
            actor=None,
            object_type="workforce.trainingsession",
            object_repr=district_code,
            region_code=district_code,
            after={"sessions": len(saved), "attendances": len(pairs), "ticks": len(ticks)},
        )
    cards = do_compute_scorecards(
        month=months.previous_month(months.this_month()), actor=None, district_code=district_code
    )
    return (
        f"网格员队伍：培训 {len(saved)} 期、参训 {len(pairs)} 人次，"
        f"“553”勾选 {len(ticks)} 项，上月考核 {cards.computed} 人"
    )
