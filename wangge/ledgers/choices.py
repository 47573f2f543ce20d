"""Kinds of ledgers and states of an import; labels are the Chinese words users see."""

from __future__ import annotations

from django.db import models


class ImportKind(models.TextChoices):
    PEOPLE = "people", "人员"
    BUILDINGS = "buildings", "楼栋与房间"
    OCCUPANCY = "occupancy", "入住登记"
    ENTERPRISES = "enterprises", "企业与商铺"
    ASSETS = "assets", "城市部件"


class ExportKind(models.TextChoices):
    PEOPLE = "people", "人员"
    BUILDINGS = "buildings", "楼栋"
    ENTERPRISES = "enterprises", "企业与商铺"
    ASSETS = "assets", "城市部件"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class JobStage(models.TextChoices):
    """What a running import is doing (for the progress bar)."""

    NONE = "", ""
    VALIDATING = "validating", "正在校验"
    WRITING = "writing", "正在写入"
