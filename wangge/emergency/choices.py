"""Kinds of emergency, their states, the kinds of point-to-point target, and the seeded
catalogue: which special groups each kind targets and the outcomes of each target kind.

Labels are translated (Chinese by default: the words users see; the API returns them beside
the codes, in the request's language).
The catalogue is data (``KindTag``, ``OutcomeOption``), created from the tables
below after every ``migrate`` (``wangge.emergency.catalogue``) and edited in the admin.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class EmergencyKind(models.TextChoices):
    TYPHOON = "typhoon", pgettext_lazy("emergency kind", "Typhoon")
    COLD_WAVE = "cold_wave", pgettext_lazy("emergency kind", "Cold wave")
    FLOOD = "flood", pgettext_lazy("emergency kind", "Flood")
    EPIDEMIC = "epidemic", pgettext_lazy("emergency kind", "Epidemic")
    OTHER = "other", pgettext_lazy("emergency kind", "Other")


class EmergencyStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("emergency status", "Active")
    ARCHIVED = "archived", pgettext_lazy("emergency status", "Lifted")


class TargetKind(models.TextChoices):
    """What a point-to-point task is about."""

    PERSON = "person", pgettext_lazy("emergency target", "Key groups")
    BUILDING = "building", pgettext_lazy("emergency target", "Rental buildings")
    ENTERPRISE = "enterprise", pgettext_lazy("emergency target", "Enterprises with hazards")


#: The special groups (``people.Tag`` codes) each kind of emergency targets.
DEFAULT_KIND_TAGS: dict[str, tuple[str, ...]] = {
    EmergencyKind.TYPHOON: ("elderly_alone", "empty_nest", "disabled", "left_behind_child"),
    EmergencyKind.FLOOD: ("elderly_alone", "empty_nest", "disabled", "left_behind_child"),
    EmergencyKind.COLD_WAVE: ("elderly_alone", "empty_nest", "low_income", "disabled"),
    EmergencyKind.EPIDEMIC: ("elderly_alone", "empty_nest", "disabled", "mental_disorder"),
    EmergencyKind.OTHER: ("elderly_alone", "disabled"),
}

#: The outcomes a worker records for each target kind: (code, label, final).
#: A final outcome counts the task as covered; "无人" asks for another visit.
DEFAULT_OUTCOMES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    TargetKind.PERSON: (
        ("notified", "已通知", True),
        ("transferred", "已转移", True),
        ("measures_taken", "已落实措施", True),
        ("no_one", "无人", False),
        ("not_applicable", "不适用", True),
    ),
    TargetKind.BUILDING: (
        ("notified", "已通知", True),
        ("transferred", "已转移", True),
        ("measures_taken", "已落实措施", True),
        ("no_one", "无人", False),
        ("not_applicable", "不适用", True),
    ),
    TargetKind.ENTERPRISE: (
        ("notified", "已通知", True),
        ("measures_taken", "已落实措施", True),
        ("no_one", "无人", False),
        ("not_applicable", "不适用", True),
    ),
}

#: Levels at which an area can be switched into an emergency.
AREA_LEVELS: tuple[str, ...] = ("district", "street", "community", "grid")
