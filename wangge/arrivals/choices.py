"""Choices of arrival reports (离返报备); labels are translated (Chinese by default: the words
users see)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class TravelMode(models.TextChoices):
    SELF_DRIVE = "self_drive", pgettext_lazy("travel mode", "By own car")
    TRAIN = "train", pgettext_lazy("travel mode", "Train / high-speed rail")
    PLANE = "plane", pgettext_lazy("travel mode", "Plane")
    COACH = "coach", pgettext_lazy("travel mode", "Long-distance coach")
    SHIP = "ship", pgettext_lazy("travel mode", "Ship")
    OTHER = "other", pgettext_lazy("travel mode", "Other")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("arrival follow-up status", "To follow up")
    DONE = "done", pgettext_lazy("arrival follow-up status", "Followed up")


class FollowUpOutcome(models.TextChoices):
    """What the grid worker found when following the report up."""

    CONTACTED = "contacted", pgettext_lazy("arrival follow-up outcome", "Contacted")
    UNREACHABLE = "unreachable", pgettext_lazy("arrival follow-up outcome", "Could not be reached")
    VERIFIED_HOME = "verified_home", pgettext_lazy("arrival follow-up outcome", "Visited: at home")


class UnmaskField(models.TextChoices):
    """Fields of a report that are shown masked and can be unmasked (audited)."""

    ID_NUMBER = "id_number", pgettext_lazy("unmasked field", "ID number")
    PHONE = "phone", pgettext_lazy("unmasked field", "Phone")
