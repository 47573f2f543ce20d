"""Demo: one running canvassing campaign in the demo district.

``seed_demo("440704")`` defines 出租屋敲门行动 over the first community of the
district that has rental housing (出租屋), with a short form, launches it two
days ago (one target per rental building, assigned to the grid workers of its
grid) and records about a third of the visits through the real action, by the
assigned workers: 无人 (follow-up tomorrow), 已通知, 今晚回 (follow-up at 20:00),
已登记 with the form filled in.  Deterministic for a given seed; a district
that already has the campaign is left alone.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import User
from wangge.accounts.scope import prefix_q
from wangge.campaigns import actions
from wangge.campaigns.choices import QuestionKind, TargetKind
from wangge.campaigns.models import Campaign, Target
from wangge.campaigns.outcomes import (
    BACK_TONIGHT,
    NO_ANSWER,
    NOTIFIED,
    REFUSED,
    REGISTERED,
    seed_outcomes,
)
from wangge.places.models import Building
from wangge.regions.models import Region

NAME = "出租屋敲门行动"
DESCRIPTION = (
    "逐栋敲门走访辖区出租屋：核实现住人数、租住人员是否均已登记，排查电动车楼道充电、"
    "私拉电线等消防隐患，宣传租户变动申报。"
)
QUESTIONS: tuple[actions.QuestionSpec, ...] = (
    actions.QuestionSpec("tenants", "现住人数", QuestionKind.NUMBER, required=True),
    actions.QuestionSpec(
        "all_registered", "租住人员是否均已登记", QuestionKind.CHOICE, True, ("是", "否")
    ),
    actions.QuestionSpec(
        "unregistered",
        "未登记人数",
        QuestionKind.NUMBER,
        required=True,
        show_if_key="all_registered",
        show_if_value="否",
    ),
    actions.QuestionSpec(
        "fire_risk",
        "消防隐患",
        QuestionKind.CHOICE,
        False,
        ("无", "电动车楼道充电", "私拉电线", "消防通道堵塞", "其他"),
    ),
    actions.QuestionSpec("photo", "现场照片", QuestionKind.PHOTO),
)
#: How the recorded visits turn out (weights).
OUTCOME_WEIGHTS = ((NO_ANSWER, 4), (NOTIFIED, 3), (BACK_TONIGHT, 2), (REGISTERED, 6), (REFUSED, 1))
SHARE_VISITED = 0.35
MAX_ATTEMPTS = 150


def _community(district_code: str) -> Region | None:
    """The first community of the district with rental housing."""
    for community in Region.objects.filter(
        prefix_q("code", [district_code]), level="community"
    ).order_by("code"):
        if Building.objects.filter(
            prefix_q("region_code", [community.code]), is_rental=True
        ).exists():
            return community
    return None


def seed_demo(district_code: str, *, seed: int = 1) -> str:
    """Load the demo campaign; return a one-line summary."""
    seed_outcomes()
    existing = Campaign.objects.filter(district_code=district_code, name=NAME).first()
    if existing is not None:
        return f"摸排行动：{NAME} 已存在，跳过"
    community = _community(district_code)
    if community is None:
        return "摸排行动：区内没有出租屋，跳过"
    rng = random.Random(f"wangge-demo:{seed}:campaigns")  # noqa: S311 - demo data
    now = timezone.now()
    launched = now - timedelta(days=2)
    with transaction.atomic():
        campaign = actions.do_create_campaign(
            actor=None,
            name=NAME,
            description=DESCRIPTION,
            area_code=community.code,
            target_kind=TargetKind.RENTAL_BUILDINGS,
            deadline=timezone.localdate(now) + timedelta(days=12),
            questions=QUESTIONS,
            launch=True,
            now=launched,
        )
        targets = list(Target.objects.filter(campaign=campaign).order_by("region_code", "pk"))
        visited = [t for t in targets if rng.random() < SHARE_VISITED][:MAX_ATTEMPTS]
        users = {u.pk: u for u in User.objects.filter(pk__in={t.assignee_id for t in visited})}
        codes = [code for code, _ in OUTCOME_WEIGHTS]
        weights = [w for _, w in OUTCOME_WEIGHTS]
        recorded = 0
        for target in visited:
            actor = users.get(target.assignee_id) if target.assignee_id else None
            outcome = rng.choices(codes, weights)[0]
            at = launched + timedelta(hours=rng.uniform(1, 44))
            at = min(at, now - timedelta(minutes=5))
            follow_up = None
            answers: dict[str, object] = {}
            if outcome == BACK_TONIGHT:
                evening = datetime.combine(timezone.localdate(at), time(20, 0))
                follow_up = timezone.make_aware(evening)
                if follow_up <= at:
                    follow_up = at + timedelta(hours=3)
            if outcome == REGISTERED:
                tenants = rng.randint(2, 18)
                all_registered = rng.random() < 0.8
                answers = {
                    "tenants": tenants,
                    "all_registered": "是" if all_registered else "否",
                    "fire_risk": rng.choice(["无", "无", "无", "电动车楼道充电", "私拉电线"]),
                }
                if not all_registered:
                    answers["unregistered"] = rng.randint(1, min(3, tenants))
            actions.do_record_attempt(
                actor=actor,
                request_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                target_id=target.pk,
                channel="visit" if rng.random() < 0.7 else "phone",
                outcome=outcome,
                note="",
                follow_up_at=follow_up,
                answers=answers,
                at=at,
                now=now,
            )
            recorded += 1
    return (
        f"摸排行动：{NAME}（{community.name}），{len(targets)} 栋出租屋，已记录 {recorded} 次走访"
    )
