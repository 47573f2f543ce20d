"""Classes, states and log kinds of city parts (城市部件).

Labels are translated (Chinese by default: the words users see; the API returns them beside
the codes, in the request's language).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class AssetCategory(models.TextChoices):
    """The major classes of GB/T 30428.2 (管理部件大类); the class digits lead the type code."""

    PUBLIC_UTILITY = "public_utility", pgettext_lazy("city part class", "Public utilities")
    ROAD_TRAFFIC = "road_traffic", pgettext_lazy("city part class", "Roads and traffic")
    ENVIRONMENT = "environment", pgettext_lazy("city part class", "City appearance and environment")
    GREENING = "greening", pgettext_lazy("city part class", "Parks and greenery")
    HOUSING_LAND = "housing_land", pgettext_lazy("city part class", "Housing and land")
    OTHER = "other", pgettext_lazy("city part class", "Other facilities")


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
    NORMAL = "normal", pgettext_lazy("city part state", "Normal")
    DAMAGED = "damaged", pgettext_lazy("city part state", "Damaged")
    MISSING = "missing", pgettext_lazy("city part state", "Missing")
    UNDER_REPAIR = "under_repair", pgettext_lazy("city part state", "Under repair")
    RETIRED = "retired", pgettext_lazy("city part state", "Retired")


class LogKind(models.TextChoices):
    INSPECTION = "inspection", pgettext_lazy("city part log kind", "Inspection")
    MAINTENANCE = "maintenance", pgettext_lazy("city part log kind", "Maintenance")
    REPAIR = "repair", pgettext_lazy("city part log kind", "Repair")
    STATE_CHANGE = "state_change", pgettext_lazy("city part log kind", "State change")


#: Kinds a user records through ``do_record_inspection`` (state changes have their own action).
RECORDED_KINDS: tuple[str, ...] = (LogKind.INSPECTION, LogKind.MAINTENANCE, LogKind.REPAIR)


class InspectionResult(models.TextChoices):
    """What was found on site."""

    NORMAL = "normal", pgettext_lazy("city part inspection result", "Intact")
    DAMAGED = "damaged", pgettext_lazy("city part inspection result", "Damaged")
    MISSING = "missing", pgettext_lazy("city part inspection result", "Missing")
    FIXED = "fixed", pgettext_lazy("city part inspection result", "Fixed")
