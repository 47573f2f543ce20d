"""Datatypes of service attributes and the statuses of GeoReport v2."""

from __future__ import annotations

from django.db import models

from wangge.events.choices import EventState


class Datatype(models.TextChoices):
    """GeoReport v2 attribute datatypes (the spec's strict values)."""

    STRING = "string", "单行文字"
    NUMBER = "number", "数字"
    DATETIME = "datetime", "日期时间"
    TEXT = "text", "多行文字"
    SINGLEVALUELIST = "singlevaluelist", "单选"
    MULTIVALUELIST = "multivaluelist", "多选"


LIST_TYPES = frozenset({Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST})

OPEN = "open"
CLOSED = "closed"
#: Our life cycle → GeoReport status: rejected (also merged as a duplicate) and closed
#: (also self-handled by the grid worker) are ``closed``, every other state ``open``.
CLOSED_STATES: frozenset[str] = frozenset({EventState.REJECTED, EventState.CLOSED})


def status_of(state: str) -> str:
    return CLOSED if state in CLOSED_STATES else OPEN
