"""Choices of the places registry; labels are translated (Chinese by default: the words users
see)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", pgettext_lazy("building use", "Residential")
    COMMERCIAL = "commercial", pgettext_lazy("building use", "Commercial")
    MIXED = "mixed", pgettext_lazy("building use", "Residential and commercial")
    INDUSTRIAL = "industrial", pgettext_lazy("building use", "Industrial")
    OTHER = "other", pgettext_lazy("building use", "Other")


class OccupancySource(models.TextChoices):
    """Who told us somebody lives in a room (or left it)."""

    LANDLORD_REPORT = (
        "landlord_report",
        pgettext_lazy("occupancy source", "Reported by the landlord"),
    )
    WORKER = "worker", pgettext_lazy("occupancy source", "Registered by a grid worker")
    IMPORT = "import", pgettext_lazy("occupancy source", "Bulk import")


class TenantChange(models.TextChoices):
    MOVED_IN = "moved_in", pgettext_lazy("tenant change", "Moved in")
    MOVED_OUT = "moved_out", pgettext_lazy("tenant change", "Moved out")
