"""Datatypes of service attributes and the statuses of GeoReport v2."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from wangge.events.choices import EventState


class Datatype(models.TextChoices):
    """GeoReport v2 attribute datatypes (the spec's strict values)."""

    STRING = "string", pgettext_lazy("service attribute type", "Single line of text")
    NUMBER = "number", pgettext_lazy("service attribute type", "Number")
    DATETIME = "datetime", pgettext_lazy("service attribute type", "Date and time")
    TEXT = "text", pgettext_lazy("service attribute type", "Several lines of text")
    SINGLEVALUELIST = "singlevaluelist", pgettext_lazy("service attribute type", "Single choice")
    MULTIVALUELIST = "multivaluelist", pgettext_lazy("service attribute type", "Multiple choice")


LIST_TYPES = frozenset({Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST})

OPEN = "open"
CLOSED = "closed"
#: Our life cycle → GeoReport status: rejected (also merged as a duplicate) and closed
#: (also self-handled by the grid worker) are ``closed``, every other state ``open``.
CLOSED_STATES: frozenset[str] = frozenset({EventState.REJECTED, EventState.CLOSED})


def status_of(state: str) -> str:
    return CLOSED if state in CLOSED_STATES else OPEN
