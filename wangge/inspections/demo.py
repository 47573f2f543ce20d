"""Demo safety inspections: the city-management bureau's restaurant gas checks.

``seed_demo(district)`` inspects three restaurants that use bottled gas in the
first grid that has enough of them (each restaurant's grid worker inspects): one passes, one
has a hose longer than 2 m (an open hazard with its deadline), and one uses
cylinders of unknown origin — the case where 45 LPG cylinders were seized (5
full, 40 empty), kept as an enforcement record, after which the re-inspection
closed the hazard.  Everything goes through the real actions.  Run after the
hierarchy, accounts, event catalogue and base data; districts that already have
inspections are skipped.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import Assignment, Department
from wangge.inspections import actions
from wangge.inspections.catalogue import RESTAURANT_GAS, seed_checklists
from wangge.inspections.choices import AnswerType, EnforcementKind, Outcome
from wangge.inspections.models import ChecklistItem, Inspection
from wangge.organisations.choices import GasUse
from wangge.organisations.models import Enterprise

RESTAURANTS = 3


def _answers(fail: dict[str, tuple[str | Decimal, str]] | None = None) -> list[actions.Answer]:
    """Every active item of the gas checklist: passed, except ``fail`` (code → value, note)."""
    fail = fail or {}
    answers = []
    for item in ChecklistItem.objects.filter(
        checklist__code=RESTAURANT_GAS, is_active=True
    ).order_by("sort_order", "id"):
        given = fail.get(item.code)
        if item.answer_type == AnswerType.NUMBER:
            value, note = given if given else (Decimal("1.20"), "")
            answers.append(actions.Answer(item=item.pk, value=value, note=note))
        elif given:
            answers.append(actions.Answer(item=item.pk, outcome=Outcome.FAIL, note=given[1]))
        else:
            answers.append(actions.Answer(item=item.pk, outcome=Outcome.PASS))
    return answers


def _user_at(role: str, codes: list[str]) -> Any:
    """The first user holding ``role`` at one of ``codes`` (most precise first)."""
    for code in codes:
        found = (
            Assignment.objects.filter(is_active=True, role__slug=role, region__code=code)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        if found is not None:
            return found.user
    return None


def _restaurants(district_code: str, rng: random.Random) -> list[Enterprise]:
    """Three bottled-gas restaurants of one grid: the first grid (by code) that has enough."""
    qs = Enterprise.objects.filter(
        district_code=district_code, industry="H", uses_gas=GasUse.LPG, is_operating=True
    ).order_by("region_code", "id")
    by_grid: dict[str, list[Enterprise]] = {}
    for enterprise in qs[:5000]:
        by_grid.setdefault(enterprise.region_code[:15], []).append(enterprise)
    for grid in sorted(by_grid):
        if len(by_grid[grid]) >= RESTAURANTS:
            return rng.sample(by_grid[grid], RESTAURANTS)
    return list(qs[:RESTAURANTS])


@transaction.atomic
def seed_demo(district_code: str, *, seed: int = 1) -> str:
    """Load the demo inspections of ``district_code``; a one-line summary."""
    seed_checklists()
    if Inspection.objects.filter(district_code=district_code).exists():
        return "安全检查：本区已有检查记录，跳过"
    rng = random.Random(f"wangge-demo:{seed}:inspections")  # noqa: S311 - demo data
    restaurants = _restaurants(district_code, rng)
    if len(restaurants) < RESTAURANTS:
        return "安全检查：本区没有足够的使用瓶装液化气的餐饮单位，跳过（请先载入基础数据）"
    now = timezone.now()
    passed, hose, seized = restaurants

    def inspector(e: Enterprise) -> Any:
        return _user_at("grid_worker", [e.region_code[:15]])

    grid = seized.region_code[:15]
    recorder = _user_at("community_staff", [grid[:12]]) or _user_at(
        "dispatcher", [grid[:9], grid[:6]]
    )
    actions.do_record_inspection(
        actor=inspector(passed),
        checklist=RESTAURANT_GAS,
        enterprise=passed.pk,
        answers=_answers(),
        inspected_at=now - timedelta(days=6, hours=2),
        note="报警器、软管、气瓶均符合要求，已宣传燃气安全常识",
        now=now,
    )
    actions.do_record_inspection(
        actor=inspector(hose),
        checklist=RESTAURANT_GAS,
        enterprise=hose.pk,
        answers=_answers({"hose-length": (Decimal("2.50"), "软管约 2.5 米，经过灶台后方墙边")}),
        inspected_at=now - timedelta(days=1, hours=3),
        note="已要求立即更换符合长度要求的软管",
        now=now,
    )
    found = actions.do_record_inspection(
        actor=inspector(seized),
        checklist=RESTAURANT_GAS,
        enterprise=seized.pk,
        answers=_answers(
            {"cylinder-source": ("", "后巷小货车内存放大量无充装标签的液化石油气钢瓶，来源不明")}
        ),
        inspected_at=now - timedelta(days=5, hours=4),
        note="联系区城管局、派出所、市燃气协会联合执法",
        now=now,
    ).obj
    hazard = found.hazards.get()
    records = 0
    department = Department.objects.filter(district__code=district_code, code="cg").first()
    if department is not None:
        actions.do_record_enforcement(
            hazard,
            actor=recorder,
            kind=EnforcementKind.SEIZURE,
            item="液化石油气钢瓶",
            quantity=45,
            unit="个",
            details=(
                "实瓶5个，空瓶40个；另暂扣作案工具一批。配送车辆未办理《危险品道路运输许可证》，"
                "不具备配送条件。案件正在进一步办理中。"
            ),
            department=department,
            enforced_on=timezone.localdate(now - timedelta(days=5)),
            now=now,
        )
        records = 1
    actions.do_reinspect_hazard(
        hazard,
        actor=inspector(seized),
        passed=True,
        note="已改用合法供气企业的气瓶，备用瓶 1 个，存放符合要求",
        inspected_at=now - timedelta(days=3, hours=1),
        now=now,
    )
    seizure = "，暂扣液化石油气钢瓶 45 个（实瓶5个、空瓶40个）" if records else ""
    return (
        f"安全检查：{RESTAURANTS} 家餐饮单位（{'、'.join(r.name for r in restaurants)}），"
        f"1 项隐患整改中，{records} 条执法记录{seizure}"
    )
