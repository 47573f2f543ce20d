"""Choices of arrival reports (离返报备); labels are the Chinese words users see."""

from __future__ import annotations

from django.db import models


class TravelMode(models.TextChoices):
    SELF_DRIVE = "self_drive", "自驾"
    TRAIN = "train", "火车/高铁"
    PLANE = "plane", "飞机"
    COACH = "coach", "长途客车"
    SHIP = "ship", "轮船"
    OTHER = "other", "其他"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "待回访"
    DONE = "done", "已回访"


class FollowUpOutcome(models.TextChoices):
    """What the grid worker found when following the report up."""

    CONTACTED = "contacted", "已联系"
    UNREACHABLE = "unreachable", "联系不上"
    VERIFIED_HOME = "verified_home", "已上门核实在家"


class UnmaskField(models.TextChoices):
    """Fields of a report that are shown masked and can be unmasked (audited)."""

    ID_NUMBER = "id_number", "身份证号"
    PHONE = "phone", "联系电话"
