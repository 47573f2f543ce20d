"""Kinds, answers and states of safety inspections (安全检查).

Labels are translated (Chinese by default: the words users see; the API returns them beside
the codes, in the request's language).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class TargetKind(models.TextChoices):
    """What a checklist is used on."""

    ENTERPRISE = "enterprise", pgettext_lazy("inspected target", "Enterprises and shops")
    BUILDING = "building", pgettext_lazy("inspected target", "Buildings (rentals)")


class AnswerType(models.TextChoices):
    PASS_FAIL = "pass_fail", pgettext_lazy("inspection answer type", "Pass / fail")
    NUMBER = "number", pgettext_lazy("inspection answer type", "Number (with a limit)")
    TEXT = "text", pgettext_lazy("inspection answer type", "Text")


class Outcome(models.TextChoices):
    """The result of one checklist item."""

    PASS = "pass", pgettext_lazy("inspection outcome", "Pass")
    FAIL = "fail", pgettext_lazy("inspection outcome", "Fail")
    NOT_APPLICABLE = "na", pgettext_lazy("inspection outcome", "Not applicable")


class HazardState(models.TextChoices):
    OPEN = "open", pgettext_lazy("hazard state", "Being rectified")
    RECTIFIED = "rectified", pgettext_lazy("hazard state", "Rectified and closed")
    ESCALATED = "escalated", pgettext_lazy("hazard state", "Turned into an event")


#: The legal moves of a hazard: open → rectified (a passed re-inspection) | escalated
#: (a failed re-inspection, or the deadline passed without one).  Both ends are final.
HAZARD_TRANSITIONS: dict[str, frozenset[str]] = {
    HazardState.OPEN: frozenset({HazardState.RECTIFIED, HazardState.ESCALATED}),
    HazardState.RECTIFIED: frozenset(),
    HazardState.ESCALATED: frozenset(),
}


class EscalationReason(models.TextChoices):
    REINSPECTION_FAILED = (
        "reinspection_failed",
        pgettext_lazy("hazard escalation reason", "Failed the re-inspection"),
    )
    OVERDUE = (
        "overdue",
        pgettext_lazy("hazard escalation reason", "Not re-inspected by the rectification deadline"),
    )


class EnforcementKind(models.TextChoices):
    """What the law-enforcement side did (执法措施)."""

    SEIZURE = "seizure", pgettext_lazy("enforcement measure", "Temporary seizure")
    ORDER = "order", pgettext_lazy("enforcement measure", "Order to rectify")
    FINE = "fine", pgettext_lazy("enforcement measure", "Fine")
    SEAL = "seal", pgettext_lazy("enforcement measure", "Sealing up")
    SUSPEND = "suspend", pgettext_lazy("enforcement measure", "Order to suspend business")
    WARNING = "warning", pgettext_lazy("enforcement measure", "Warning")
    OTHER = "other", pgettext_lazy("enforcement measure", "Other")


#: The top-level event category hazards are escalated into (安全生产/消防隐患).
SAFETY_CATEGORY = "09"
#: Its sub-category used when a checklist names none (燃气使用隐患).
DEFAULT_EVENT_CATEGORY = "0904"
