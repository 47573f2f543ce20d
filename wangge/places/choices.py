"""Choices of the places registry; labels are the Chinese words users see."""

from __future__ import annotations

from django.db import models


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", "住宅"
    COMMERCIAL = "commercial", "商业"
    MIXED = "mixed", "商住混合"
    INDUSTRIAL = "industrial", "工业"
    OTHER = "other", "其他"


class OccupancySource(models.TextChoices):
    """Who told us somebody lives in a room (or left it)."""

    LANDLORD_REPORT = "landlord_report", "房东申报"
    WORKER = "worker", "网格员登记"
    IMPORT = "import", "批量导入"


class TenantChange(models.TextChoices):
    MOVED_IN = "moved_in", "入住"
    MOVED_OUT = "moved_out", "搬离"
