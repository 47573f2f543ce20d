"""States, sources and units of events, and the table of legal transitions.

Labels are the Chinese words users see (the API returns them beside the codes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


class EventState(models.TextChoices):
    REPORTED = "reported", "已上报"
    REGISTERED = "registered", "已立案"
    REJECTED = "rejected", "不予立案"
    DISPATCHED = "dispatched", "已派遣"
    SENT_BACK = "sent_back", "已退单"
    HANDLING = "handling", "处置中"
    JOINT = "joint", "联合处置中"
    HANDLED = "handled", "已办结待核查"
    CLOSED = "closed", "已结案"


#: States in which an event is still being worked on.
OPEN_STATES: frozenset[str] = frozenset(
    {
        EventState.REPORTED,
        EventState.REGISTERED,
        EventState.DISPATCHED,
        EventState.SENT_BACK,
        EventState.HANDLING,
        EventState.JOINT,
        EventState.HANDLED,
    }
)
FINAL_STATES: frozenset[str] = frozenset({EventState.REJECTED, EventState.CLOSED})


class EventSource(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员上报"
    RESIDENT = "resident", "群众上报"
    HOTLINE = "hotline", "热线转办"
    DEPARTMENT = "department", "部门上报"
    INSPECTION = "inspection", "巡查发现"


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", "工作小时"
    WORKING_DAYS = "working_days", "工作日"
    NATURAL_HOURS = "natural_hours", "自然小时"


class Priority(models.IntegerChoices):
    NORMAL = 1, "一般"
    URGENT = 2, "紧急"
    CRITICAL = 3, "特急"


class HandlingLevel(models.TextChoices):
    """Which command level is responsible; 提级 moves it one step up."""

    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DISTRICT = "district", "区"


#: Length of the code of the node responsible at each level.
LEVEL_CODE_LENGTH: dict[str, int] = {
    HandlingLevel.COMMUNITY: 12,
    HandlingLevel.STREET: 9,
    HandlingLevel.DISTRICT: 6,
}
NEXT_LEVEL: dict[str, str] = {
    HandlingLevel.COMMUNITY: HandlingLevel.STREET,
    HandlingLevel.STREET: HandlingLevel.DISTRICT,
}


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class PartState(models.TextChoices):
    """A department's share of a summoned (吹哨) event."""

    SUMMONED = "summoned", "已吹哨"
    REPORTED_IN = "reported_in", "已报到"
    DONE = "done", "已完成"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待审批"
    GRANTED = "granted", "已同意"
    DENIED = "denied", "未同意"
    WITHDRAWN = "withdrawn", "已撤销"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class AttachmentKind(models.TextChoices):
    """What a photo shows: the reported problem, the scene before or after handling, …"""

    REPORT = "report", "上报照片"
    BEFORE = "before", "处置前"
    AFTER = "after", "处置后"
    FEEDBACK = "feedback", "办结反馈"
    VERIFY = "verify", "核查照片"


class EventAction(models.TextChoices):
    REPORT = "report", "上报"
    SELF_HANDLE = "self_handle", "自行处置"
    REGISTER = "register", "立案"
    REJECT = "reject", "不予立案"
    DISPATCH = "dispatch", "派遣"
    ACCEPT = "accept", "受理"
    SEND_BACK = "send_back", "退单"
    REDISPATCH = "redispatch", "重新派遣"
    FORCE = "force", "强制派遣"
    REQUEST_EXTENSION = "request_extension", "申请延期"
    DECIDE_EXTENSION = "decide_extension", "审批延期"
    FEEDBACK = "feedback", "办结反馈"
    VERIFY = "verify", "核查"
    RETURN_VISIT = "return_visit", "回访"
    SUMMON = "summon", "吹哨"
    REPORT_IN = "report_in", "报到"
    COMPLETE_PART = "complete_part", "完成分工"
    ESCALATE = "escalate", "提级"
    SUPERVISE = "supervise", "督办"
    OVERDUE = "overdue", "超期"
    JOIN = "join", "附议"
    MERGE = "merge", "合并"


class FollowVia(models.TextChoices):
    """How a user came to follow an event they did not report."""

    JOIN = "join", "附议"
    MERGE = "merge", "合并"


#: Detection radius (metres) of possible duplicates for categories that do not set their own.
DEFAULT_DUPLICATE_RADIUS_M = 250


@dataclass(frozen=True)
class Transition:
    """From which states an action may start, and which states it may leave the event in."""

    sources: frozenset[str]
    targets: frozenset[str]


def _t(sources: Iterable[str], targets: Iterable[str] | None = None) -> Transition:
    # ``targets=None``: the action leaves the state as it was.
    source_set = frozenset(sources)
    return Transition(source_set, frozenset(targets) if targets is not None else source_set)


S = EventState
_SUPERVISABLE = {S.REPORTED, S.REGISTERED, S.DISPATCHED, S.SENT_BACK, S.HANDLING, S.JOINT}

#: The whole life cycle.  Every action checks this table before its compare-and-set.
TRANSITIONS: dict[str, Transition] = {
    EventAction.REPORT: _t(set(), {S.REPORTED}),
    EventAction.SELF_HANDLE: _t({S.REPORTED}, {S.CLOSED}),
    EventAction.REGISTER: _t({S.REPORTED}, {S.REGISTERED}),
    EventAction.REJECT: _t({S.REPORTED}, {S.REJECTED}),
    EventAction.DISPATCH: _t({S.REGISTERED}, {S.DISPATCHED}),
    EventAction.ACCEPT: _t({S.DISPATCHED}, {S.HANDLING}),
    EventAction.SEND_BACK: _t({S.DISPATCHED}, {S.SENT_BACK}),
    EventAction.REDISPATCH: _t({S.SENT_BACK}, {S.DISPATCHED}),
    EventAction.FORCE: _t({S.SENT_BACK}, {S.HANDLING}),
    EventAction.REQUEST_EXTENSION: _t({S.HANDLING}),
    EventAction.DECIDE_EXTENSION: _t({S.HANDLING}),
    EventAction.FEEDBACK: _t({S.HANDLING}, {S.HANDLED}),
    # Pass → closed; fail → back to the handlers (rework).
    EventAction.VERIFY: _t({S.HANDLED}, {S.CLOSED, S.HANDLING, S.JOINT}),
    EventAction.RETURN_VISIT: _t({S.CLOSED}),
    EventAction.SUMMON: _t({S.REGISTERED, S.SENT_BACK}, {S.JOINT}),
    EventAction.REPORT_IN: _t({S.JOINT}),
    # The last part done makes the whole event handled.
    EventAction.COMPLETE_PART: _t({S.JOINT}, {S.JOINT, S.HANDLED}),
    EventAction.ESCALATE: _t(OPEN_STATES),
    EventAction.SUPERVISE: _t(_SUPERVISABLE),
    EventAction.OVERDUE: _t({S.DISPATCHED, S.HANDLING, S.JOINT}),
    # Somebody with the same problem follows the open event instead of reporting it again.
    EventAction.JOIN: _t(OPEN_STATES),
    # A duplicate is closed into its original (the original only gets a timeline note).
    EventAction.MERGE: _t(OPEN_STATES, {S.CLOSED}),
}


def allowed_actions(state: str) -> list[str]:
    """Actions whose table entry allows starting from ``state`` (permissions not considered)."""
    return [action for action, t in TRANSITIONS.items() if state in t.sources]


K = AttachmentKind
#: Which kinds of photo each action that takes photos accepts.
ATTACHMENT_KINDS: dict[str, frozenset[str]] = {
    EventAction.REPORT: frozenset({K.REPORT, K.BEFORE}),
    EventAction.SELF_HANDLE: frozenset({K.REPORT, K.BEFORE, K.AFTER}),
    EventAction.FEEDBACK: frozenset({K.FEEDBACK, K.BEFORE, K.AFTER}),
    EventAction.COMPLETE_PART: frozenset({K.FEEDBACK, K.BEFORE, K.AFTER}),
    EventAction.VERIFY: frozenset({K.VERIFY, K.AFTER}),
}
