"""Kinds of ledgers and states of an import.

Labels are translated (English source, zh-Hans in the catalogue).  Chinese messages that name a
kind use the sheet's Chinese title (``columns.SHEETS[kind].title``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("People")
    BUILDINGS = "buildings", _("Buildings and rooms")
    OCCUPANCY = "occupancy", _("Occupancy")
    ENTERPRISES = "enterprises", _("Enterprises and shops")
    ASSETS = "assets", _("City parts")


class ExportKind(models.TextChoices):
    PEOPLE = "people", _("People")
    BUILDINGS = "buildings", _("Buildings")
    ENTERPRISES = "enterprises", _("Enterprises and shops")
    ASSETS = "assets", _("City parts")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobStage(models.TextChoices):
    """What a running import is doing (for the progress bar)."""

    NONE = "", ""
    VALIDATING = "validating", _("Checking rows")
    WRITING = "writing", _("Writing records")
