"""Classes, states and log kinds of city parts (城市部件).

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from django.db import models


class AssetCategory(models.TextChoices):
    """The major classes of GB/T 30428.2 (管理部件大类); the class digits lead the type code."""

    PUBLIC_UTILITY = "public_utility", "公用设施类"
    ROAD_TRAFFIC = "road_traffic", "道路交通类"
    ENVIRONMENT = "environment", "市容环境类"
    GREENING = "greening", "园林绿化类"
    HOUSING_LAND = "housing_land", "房屋土地类"
    OTHER = "other", "其他设施类"


#: The two leading digits of a type code for each class.
CATEGORY_DIGITS: dict[str, str] = {
    AssetCategory.PUBLIC_UTILITY: "01",
    AssetCategory.ROAD_TRAFFIC: "02",
    AssetCategory.ENVIRONMENT: "03",
    AssetCategory.GREENING: "04",
    AssetCategory.HOUSING_LAND: "05",
    AssetCategory.OTHER: "06",
}


class AssetState(models.TextChoices):
    NORMAL = "normal", "正常"
    DAMAGED = "damaged", "损坏"
    MISSING = "missing", "缺失"
    UNDER_REPAIR = "under_repair", "维修中"
    RETIRED = "retired", "已报废"


class LogKind(models.TextChoices):
    INSPECTION = "inspection", "巡检"
    MAINTENANCE = "maintenance", "养护"
    REPAIR = "repair", "维修"
    STATE_CHANGE = "state_change", "状态变更"


#: Kinds a user records through ``do_record_inspection`` (state changes have their own action).
RECORDED_KINDS: tuple[str, ...] = (LogKind.INSPECTION, LogKind.MAINTENANCE, LogKind.REPAIR)


class InspectionResult(models.TextChoices):
    """What was found on site."""

    NORMAL = "normal", "完好"
    DAMAGED = "damaged", "损坏"
    MISSING = "missing", "缺失"
    FIXED = "fixed", "已修复"
