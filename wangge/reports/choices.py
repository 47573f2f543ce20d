"""Report periods, file formats and the states of a report."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    DAY = "day", _("Daily")
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    PDF = "pdf", "PDF"


class ReportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


#: Chinese names of the period kinds, for the files themselves.
KIND_ZH = {PeriodKind.DAY: "日报", PeriodKind.WEEK: "周报", PeriodKind.MONTH: "月报"}
