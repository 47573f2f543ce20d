"""Topics and states of suggestions (金点子) and of legislative drafts and their opinions
(立法联系点), and the table of legal transitions of a suggestion.

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


class Topic(models.TextChoices):
    CITY = "city", "城市管理"
    COMMUNITY = "community", "社区治理"
    SERVICES = "services", "公共服务"
    ENVIRONMENT = "environment", "环境"
    TRAFFIC = "traffic", "交通"
    OTHER = "other", "其他"


class SuggestionState(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    TRIAGED = "triaged", "已分办"
    REJECTED = "rejected", "不予受理"
    ADOPTED = "adopted", "已采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"
    IN_PROGRESS = "in_progress", "落实中"
    DONE = "done", "已落实"


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
    SUBMIT = "submit", "提交"
    TRIAGE = "triage", "分办"
    REJECT = "reject", "不予受理"
    ANSWER = "answer", "答复"
    START = "start", "开始落实"
    COMPLETE = "complete", "落实完成"


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
    DRAFT = "draft", "未发布"
    PUBLISHED = "published", "征集中"
    CLOSED = "closed", "已截止"


class OpinionState(models.TextChoices):
    PENDING = "pending", "待答复"
    ADOPTED = "adopted", "已采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"
