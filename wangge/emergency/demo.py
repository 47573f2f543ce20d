"""Demo data: one past typhoon in the district's first street, switched back, with its record.

The street was switched into typhoon mode a month ago (防御台风「马鞍」); the
point-to-point list came from the ledgers (people, rental housing, enterprises
seeded before) and the grid workers tapped their outcomes over the next day and
a half: nearly everything covered, a few doors where nobody answered, a few
tasks never reached.  Then the command centre switched the street back and the
coverage became the final record.  Nothing is active, so the demo starts in
normal mode.

Outcomes are written in bulk (this is a seed, not a phone): the records, then
the tasks grouped by outcome and time.  Deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from wangge.emergency.actions import do_activate_emergency, do_deactivate_emergency
from wangge.emergency.choices import EmergencyKind, TargetKind
from wangge.emergency.models import Emergency, OutcomeOption, OutcomeRecord, Task
from wangge.emergency.selectors import region_names

TITLE = "防御台风「马鞍」"
BATCH = 2000


def _first_street(district_code: str) -> str | None:
    from wangge.regions.models import Region

    return (
        Region.objects.filter(level="street", code__startswith=district_code)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


def _grid_workers(street: str) -> dict[str, tuple[int, str]]:
    """The first grid worker of each grid of the street: grid → (user id, name)."""
    from wangge.accounts.models import Assignment

    found: dict[str, tuple[int, str]] = {}
    rows = (
        Assignment.objects.filter(
            role__slug="grid_worker", is_active=True, region__code__startswith=street
        )
        .order_by("region__code", "pk")
        .values_list("region__code", "user_id", "user__display_name", "user__username")
    )
    for grid, user_id, display, username in rows:
        found.setdefault(grid, (user_id, display or username))
    return found


def _pick(rng: random.Random, kind: str) -> str | None:
    """An outcome as a worker would tap it; ``None``: never reached."""
    roll = rng.random()
    if roll < 0.01:
        return None
    if roll < 0.04:
        return "no_one"
    if roll < 0.06:
        return "not_applicable"
    if kind == TargetKind.PERSON:
        return "transferred" if roll < 0.20 else "notified"
    if kind == TargetKind.BUILDING:
        return "measures_taken" if roll < 0.30 else "notified"
    return "measures_taken" if roll < 0.55 else "notified"


@transaction.atomic
def _record_outcomes(
    emergency: Emergency, rng: random.Random, workers: dict[str, tuple[int, str]]
) -> int:
    options = {(o.target_kind, o.code): o for o in OutcomeOption.objects.all()}
    start = emergency.started_at
    records: list[OutcomeRecord] = []
    #: (option id, final, at, by) → task ids
    latest: dict[tuple[int, bool, datetime, str], list[int]] = defaultdict(list)
    for pk, kind, grid in (
        Task.objects.filter(emergency=emergency)
        .order_by("pk")
        .values_list("pk", "target_kind", "grid_code")
        .iterator(chunk_size=BATCH)
    ):
        code = _pick(rng, kind)
        if code is None:
            continue
        user_id, name = workers.get(grid, (None, "网格员"))
        # Within a day and a half, on the quarter hour (so tasks group into few updates).
        at = start + timedelta(minutes=15 * rng.randint(1, 140))
        if code != "no_one" and rng.random() < 0.3:
            # Nobody home at first, reached later.
            first = options[(kind, "no_one")]
            records.append(
                OutcomeRecord(
                    task_id=pk,
                    outcome=first,
                    is_final=False,
                    recorded_by_id=user_id,
                    by_label=name,
                    at=at - timedelta(hours=2),
                    created_at=at - timedelta(hours=2),
                )
            )
        option = options[(kind, code)]
        records.append(
            OutcomeRecord(
                task_id=pk,
                outcome=option,
                is_final=option.is_final,
                recorded_by_id=user_id,
                by_label=name,
                at=at,
                created_at=at,
            )
        )
        latest[(option.pk, option.is_final, at, name)].append(pk)
        if len(records) >= BATCH:
            OutcomeRecord.objects.bulk_create(records)
            records = []
    if records:
        OutcomeRecord.objects.bulk_create(records)
    done = 0
    for (option_id, final, at, name), ids in latest.items():
        done += Task.objects.filter(pk__in=ids).update(
            outcome_id=option_id, covered=final, outcome_at=at, outcome_by_label=name
        )
    return done


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    """A past typhoon of the district's first street, switched back with its final record."""
    if Emergency.objects.filter(region_code__startswith=district_code, title=TITLE).exists():
        return f"应急：{district_code} 已有演示数据，跳过"
    street = _first_street(district_code)
    if street is None:
        return f"应急：{district_code} 没有街道，跳过"
    rng = random.Random(f"wangge-demo:{seed}:emergency")  # noqa: S311 - demo data
    today = timezone.localdate()
    started = timezone.make_aware(datetime.combine(today - timedelta(days=30), time(8, 0)))
    result = do_activate_emergency(
        actor=None,
        region_code=street,
        kind=EmergencyKind.TYPHOON,
        title=TITLE,
        started_at=started,
        now=started,
    )
    emergency = result.emergency
    _record_outcomes(emergency, rng, _grid_workers(street))
    ended = started + timedelta(days=1, hours=12)
    covered = Task.objects.filter(emergency=emergency, covered=True).count()
    total = emergency.task_count
    share = f"{covered * 100 / total:.1f}%" if total else "—"
    do_deactivate_emergency(
        emergency,
        actor=None,
        note=f"台风「马鞍」已过境，点对点通知落实 {covered}/{total}（{share}）。",
        now=ended,
    )
    return (
        f"应急：{region_names([street]).get(street, street)} 台风「马鞍」"
        f"（已解除），点对点任务 {total} 项，落实 {covered} 项（{share}）"
    )
