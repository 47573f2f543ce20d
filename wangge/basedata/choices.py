from __future__ import annotations

from django.db import models


class ItemCategory(models.TextChoices):
    """The five kinds of base information a grid worker keeps: 人、地、事、物、组织."""

    PERSON = "person", "人"
    PLACE = "place", "地"
    EVENT = "event", "事"
    THING = "thing", "物"
    ORGANISATION = "organisation", "组织"
