"""Kinds, answers and states of safety inspections (安全检查).

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from django.db import models


class TargetKind(models.TextChoices):
    """What a checklist is used on."""

    ENTERPRISE = "enterprise", "企业、商铺"
    BUILDING = "building", "房屋（出租屋）"


class AnswerType(models.TextChoices):
    PASS_FAIL = "pass_fail", "合格／不合格"
    NUMBER = "number", "数值（有限值）"
    TEXT = "text", "文字"


class Outcome(models.TextChoices):
    """The result of one checklist item."""

    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    NOT_APPLICABLE = "na", "不适用"


class HazardState(models.TextChoices):
    OPEN = "open", "整改中"
    RECTIFIED = "rectified", "已整改销号"
    ESCALATED = "escalated", "已转事件"


#: The legal moves of a hazard: open → rectified (a passed re-inspection) | escalated
#: (a failed re-inspection, or the deadline passed without one).  Both ends are final.
HAZARD_TRANSITIONS: dict[str, frozenset[str]] = {
    HazardState.OPEN: frozenset({HazardState.RECTIFIED, HazardState.ESCALATED}),
    HazardState.RECTIFIED: frozenset(),
    HazardState.ESCALATED: frozenset(),
}


class EscalationReason(models.TextChoices):
    REINSPECTION_FAILED = "reinspection_failed", "复查不合格"
    OVERDUE = "overdue", "超过整改期限未复查"


class EnforcementKind(models.TextChoices):
    """What the law-enforcement side did (执法措施)."""

    SEIZURE = "seizure", "暂扣"
    ORDER = "order", "责令整改"
    FINE = "fine", "罚款"
    SEAL = "seal", "查封"
    SUSPEND = "suspend", "责令停业"
    WARNING = "warning", "警告"
    OTHER = "other", "其他"


#: The top-level event category hazards are escalated into (安全生产/消防隐患).
SAFETY_CATEGORY = "09"
#: Its sub-category used when a checklist names none (燃气使用隐患).
DEFAULT_EVENT_CATEGORY = "0904"
