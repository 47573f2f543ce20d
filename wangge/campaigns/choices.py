"""Kinds, states and question types of canvassing campaigns (摸排、敲门行动、三询问一完善).

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from django.db import models


class TargetKind(models.TextChoices):
    """What a campaign goes through, one target per record."""

    HOUSEHOLDS = "households", "户"
    TAGGED_PEOPLE = "tagged_people", "特殊人群"
    RENTAL_BUILDINGS = "rental_buildings", "出租屋"
    ENTERPRISES = "enterprises", "企业商铺"
    IMPORTED = "imported", "导入名单"


#: Target kinds whose targets carry a person (or a row of their own) an answer may update.
PEOPLE_KINDS: frozenset[str] = frozenset(
    {TargetKind.HOUSEHOLDS, TargetKind.TAGGED_PEOPLE, TargetKind.IMPORTED}
)


class CampaignState(models.TextChoices):
    DRAFT = "draft", "草稿"
    RUNNING = "running", "进行中"
    CLOSED = "closed", "已结束"


class QuestionKind(models.TextChoices):
    CHOICE = "choice", "单选"
    TEXT = "text", "文字"
    NUMBER = "number", "数字"
    DATE = "date", "日期"
    PHOTO = "photo", "照片"


class MapsTo(models.TextChoices):
    """Base data a text answer may update (through the people action, audited)."""

    NONE = "", "不更新"
    PHONE = "person.phone", "人员电话"
    ADDRESS = "person.residence_address", "人员现住址"


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    VISIT = "visit", "上门"


class TargetStatus(models.TextChoices):
    """Where a target stands, from its latest attempt."""

    PENDING = "pending", "未联系"
    FOLLOW_UP = "follow_up", "待回访"
    OVERDUE = "overdue", "回访超期"
    CONTACTED = "contacted", "已联系"
    DONE = "done", "已完成"


class TargetFilter(models.TextChoices):
    """Which targets a list shows."""

    OPEN = "open", "未完成"
    PENDING = "pending", "未联系"
    FOLLOW_UP = "follow_up", "待回访"
    OVERDUE = "overdue", "回访超期"
    DONE = "done", "已完成"
    ALL = "all", "全部"


class ProgressBy(models.TextChoices):
    GRID = "grid", "按网格"
    UNIT = "unit", "按最小单元"
    WORKER = "worker", "按网格员"
