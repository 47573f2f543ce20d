"""Topics and states of suggestions (金点子) and of legislative drafts and their opinions
(立法联系点), and the table of legal transitions of a suggestion.

Labels are translated (Chinese by default: the words users see; the API returns them beside
the codes, in the request's language).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy


class Topic(models.TextChoices):
    CITY = "city", pgettext_lazy("suggestion topic", "City management")
    COMMUNITY = "community", pgettext_lazy("suggestion topic", "Community governance")
    SERVICES = "services", pgettext_lazy("suggestion topic", "Public services")
    ENVIRONMENT = "environment", pgettext_lazy("suggestion topic", "Environment")
    TRAFFIC = "traffic", pgettext_lazy("suggestion topic", "Traffic")
    OTHER = "other", pgettext_lazy("suggestion topic", "Other")


class SuggestionState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("suggestion state", "Submitted")
    TRIAGED = "triaged", pgettext_lazy("suggestion state", "Assigned")
    REJECTED = "rejected", pgettext_lazy("suggestion state", "Not accepted")
    ADOPTED = "adopted", pgettext_lazy("suggestion state", "Adopted")
    NOT_ADOPTED = "not_adopted", pgettext_lazy("suggestion state", "Not adopted")
    IN_PROGRESS = "in_progress", pgettext_lazy("suggestion state", "Being carried out")
    DONE = "done", pgettext_lazy("suggestion state", "Carried out")


#: States in which a suggestion still waits for somebody.
OPEN_STATES: frozenset[str] = frozenset(
    {
        SuggestionState.SUBMITTED,
        SuggestionState.TRIAGED,
        SuggestionState.ADOPTED,
        SuggestionState.IN_PROGRESS,
    }
)
FINAL_STATES: frozenset[str] = frozenset(
    {SuggestionState.REJECTED, SuggestionState.NOT_ADOPTED, SuggestionState.DONE}
)


class SuggestionAction(models.TextChoices):
    SUBMIT = "submit", pgettext_lazy("suggestion action", "Submit")
    TRIAGE = "triage", pgettext_lazy("suggestion action", "Assign")
    REJECT = "reject", pgettext_lazy("suggestion action", "Do not accept")
    ANSWER = "answer", pgettext_lazy("suggestion action", "Answer")
    START = "start", pgettext_lazy("suggestion action", "Start carrying out")
    COMPLETE = "complete", pgettext_lazy("suggestion action", "Carried out in full")


@dataclass(frozen=True)
class Transition:
    """From which states an action may start, and which states it may leave the suggestion in."""

    sources: frozenset[str]
    targets: frozenset[str]


def _t(sources: Iterable[str], targets: Iterable[str]) -> Transition:
    return Transition(frozenset(sources), frozenset(targets))


S = SuggestionState

#: The whole life cycle.  Every action checks this table before its compare-and-set.
TRANSITIONS: dict[str, Transition] = {
    SuggestionAction.SUBMIT: _t(set(), {S.SUBMITTED}),
    SuggestionAction.TRIAGE: _t({S.SUBMITTED}, {S.TRIAGED}),
    SuggestionAction.REJECT: _t({S.SUBMITTED, S.TRIAGED}, {S.REJECTED}),
    SuggestionAction.ANSWER: _t({S.TRIAGED}, {S.ADOPTED, S.NOT_ADOPTED}),
    SuggestionAction.START: _t({S.ADOPTED}, {S.IN_PROGRESS}),
    SuggestionAction.COMPLETE: _t({S.ADOPTED, S.IN_PROGRESS}, {S.DONE}),
}


def allowed_actions(state: str) -> list[str]:
    """Actions whose table entry allows starting from ``state`` (permissions not considered)."""
    return [action for action, t in TRANSITIONS.items() if state in t.sources]


class DraftState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("draft state", "Not published")
    PUBLISHED = "published", pgettext_lazy("draft state", "Open for opinions")
    CLOSED = "closed", pgettext_lazy("draft state", "Closed")


class OpinionState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("draft opinion state", "Awaiting an answer")
    ADOPTED = "adopted", pgettext_lazy("draft opinion state", "Adopted")
    NOT_ADOPTED = "not_adopted", pgettext_lazy("draft opinion state", "Not adopted")
