"""Outcomes, kinds and states of care visits (关爱走访).

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class VisitOutcome(models.TextChoices):
    SEEN = "seen", pgettext_lazy("care visit outcome", "Seen in person")
    NOT_HOME = "not_home", pgettext_lazy("care visit outcome", "Not at home")
    NEEDS_HELP = "needs_help", pgettext_lazy("care visit outcome", "Needs help")


#: Outcomes in which the person was actually met: they count as a visit for the schedule
#: (the next visit is due ``frequency`` days later) and for the coverage figures.
VISITED_OUTCOMES: tuple[str, ...] = (VisitOutcome.SEEN, VisitOutcome.NEEDS_HELP)


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("care task status", "To visit")
    DONE = "done", pgettext_lazy("care task status", "Visited")
    CANCELLED = "cancelled", pgettext_lazy("care task status", "Cancelled")


class TaskKind(models.TextChoices):
    #: Due from the visit plan: last visit + the person's most frequent special-group rule.
    REGULAR = "regular", pgettext_lazy("care task kind", "Regular visit")
    #: A new attempt after nobody was home.
    FOLLOW_UP = "follow_up", pgettext_lazy("care task kind", "Visit again")
