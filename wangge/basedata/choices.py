from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class ItemCategory(models.TextChoices):
    """The five kinds of base information a grid worker keeps: 人、地、事、物、组织."""

    PERSON = "person", pgettext_lazy("base information kind", "People")
    PLACE = "place", pgettext_lazy("base information kind", "Places")
    EVENT = "event", pgettext_lazy("base information kind", "Events")
    THING = "thing", pgettext_lazy("base information kind", "Things")
    ORGANISATION = "organisation", pgettext_lazy("base information kind", "Organisations")
