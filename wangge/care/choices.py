"""Outcomes, kinds and states of care visits (关爱走访).

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from django.db import models


class VisitOutcome(models.TextChoices):
    SEEN = "seen", "见到本人"
    NOT_HOME = "not_home", "不在家"
    NEEDS_HELP = "needs_help", "需要帮助"


#: Outcomes in which the person was actually met: they count as a visit for the schedule
#: (the next visit is due ``frequency`` days later) and for the coverage figures.
VISITED_OUTCOMES: tuple[str, ...] = (VisitOutcome.SEEN, VisitOutcome.NEEDS_HELP)


class TaskStatus(models.TextChoices):
    OPEN = "open", "待走访"
    DONE = "done", "已走访"
    CANCELLED = "cancelled", "已取消"


class TaskKind(models.TextChoices):
    #: Due from the visit plan: last visit + the person's most frequent special-group rule.
    REGULAR = "regular", "定期走访"
    #: A new attempt after nobody was home.
    FOLLOW_UP = "follow_up", "再次走访"
