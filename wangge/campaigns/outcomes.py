"""The default contact outcomes, as the users write them on their call sheets.

A worker phoning residents notes "无人", "已通知", "今晚回"… beside each name
(seed 002: 甘化社区).  ``seed_outcomes`` creates the missing ones after
``migrate``; an administrator's edits stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutcomeSpec:
    code: str
    label: str
    is_final: bool
    needs_follow_up: bool = False
    requires_follow_up_time: bool = False
    follow_up_delay_minutes: int | None = None
    collects_answers: bool = False


NO_ANSWER = "no_answer"
NOTIFIED = "notified"
BACK_TONIGHT = "back_tonight"
REGISTERED = "registered"
REFUSED = "refused"
NOT_HERE = "not_here"

OUTCOMES: tuple[OutcomeSpec, ...] = (
    # Nobody answered or opened: try again tomorrow.
    OutcomeSpec(NO_ANSWER, "无人", False, needs_follow_up=True, follow_up_delay_minutes=24 * 60),
    # Told what to do (report in, install the app…): the campaign's message is delivered.
    OutcomeSpec(NOTIFIED, "已通知", True),
    # Someone said they will be back tonight: the worker says when to come back.
    OutcomeSpec(
        BACK_TONIGHT,
        "今晚回",
        False,
        needs_follow_up=True,
        requires_follow_up_time=True,
        follow_up_delay_minutes=4 * 60,
    ),
    # Reached and registered: the form is filled in.
    OutcomeSpec(REGISTERED, "已登记", True, collects_answers=True),
    OutcomeSpec(REFUSED, "拒绝", True),
    # Does not live here (any more): the base data needs a look.
    OutcomeSpec(NOT_HERE, "不在此处", True),
)


def seed_outcomes(using: str = "default") -> int:
    """Create the missing default outcomes; return how many were created."""
    from wangge.campaigns.models import Outcome

    have = set(Outcome.objects.using(using).values_list("code", flat=True))
    rows = [
        Outcome(
            code=spec.code,
            label=spec.label,
            is_final=spec.is_final,
            needs_follow_up=spec.needs_follow_up,
            requires_follow_up_time=spec.requires_follow_up_time,
            follow_up_delay_minutes=spec.follow_up_delay_minutes,
            collects_answers=spec.collects_answers,
            sort_order=i,
        )
        for i, spec in enumerate(OUTCOMES, start=1)
        if spec.code not in have
    ]
    Outcome.objects.using(using).bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def seed_outcomes_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "campaigns":
        return
    seed_outcomes(using=using)
