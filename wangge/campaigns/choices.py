"""Kinds, states and question types of canvassing campaigns (摸排、敲门行动、三询问一完善).

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class TargetKind(models.TextChoices):
    """What a campaign goes through, one target per record."""

    HOUSEHOLDS = "households", pgettext_lazy("campaign target", "Households")
    TAGGED_PEOPLE = "tagged_people", pgettext_lazy("campaign target", "Special groups")
    RENTAL_BUILDINGS = "rental_buildings", pgettext_lazy("campaign target", "Rental buildings")
    ENTERPRISES = "enterprises", pgettext_lazy("campaign target", "Enterprises and shops")
    IMPORTED = "imported", pgettext_lazy("campaign target", "Imported list")


#: Target kinds whose targets carry a person (or a row of their own) an answer may update.
PEOPLE_KINDS: frozenset[str] = frozenset(
    {TargetKind.HOUSEHOLDS, TargetKind.TAGGED_PEOPLE, TargetKind.IMPORTED}
)


class CampaignState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign state", "Draft")
    RUNNING = "running", pgettext_lazy("campaign state", "Running")
    CLOSED = "closed", pgettext_lazy("campaign state", "Closed")


class QuestionKind(models.TextChoices):
    CHOICE = "choice", pgettext_lazy("question kind", "Single choice")
    TEXT = "text", pgettext_lazy("question kind", "Text")
    NUMBER = "number", pgettext_lazy("question kind", "Number")
    DATE = "date", pgettext_lazy("question kind", "Date")
    PHOTO = "photo", pgettext_lazy("question kind", "Photo")


class MapsTo(models.TextChoices):
    """Base data a text answer may update (through the people action, audited)."""

    NONE = "", pgettext_lazy("question maps to", "Updates nothing")
    PHONE = "person.phone", pgettext_lazy("question maps to", "Person's phone")
    ADDRESS = (
        "person.residence_address",
        pgettext_lazy("question maps to", "Person's current address"),
    )


class Channel(models.TextChoices):
    PHONE = "phone", pgettext_lazy("contact channel", "Phone")
    VISIT = "visit", pgettext_lazy("contact channel", "Visit")


class TargetStatus(models.TextChoices):
    """Where a target stands, from its latest attempt."""

    PENDING = "pending", pgettext_lazy("campaign target status", "Not contacted")
    FOLLOW_UP = "follow_up", pgettext_lazy("campaign target status", "Follow-up due")
    OVERDUE = "overdue", pgettext_lazy("campaign target status", "Follow-up overdue")
    CONTACTED = "contacted", pgettext_lazy("campaign target status", "Contacted")
    DONE = "done", pgettext_lazy("campaign target status", "Done")


class TargetFilter(models.TextChoices):
    """Which targets a list shows."""

    OPEN = "open", pgettext_lazy("campaign target status", "Not done")
    PENDING = "pending", pgettext_lazy("campaign target status", "Not contacted")
    FOLLOW_UP = "follow_up", pgettext_lazy("campaign target status", "Follow-up due")
    OVERDUE = "overdue", pgettext_lazy("campaign target status", "Follow-up overdue")
    DONE = "done", pgettext_lazy("campaign target status", "Done")
    ALL = "all", pgettext_lazy("campaign target status", "All")


class ProgressBy(models.TextChoices):
    GRID = "grid", pgettext_lazy("campaign progress by", "By grid")
    UNIT = "unit", pgettext_lazy("campaign progress by", "By unit")
    WORKER = "worker", pgettext_lazy("campaign progress by", "By grid worker")
