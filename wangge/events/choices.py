"""States, sources and units of events, and the table of legal transitions.

Labels are translated (Chinese by default: the words users see; the API returns them beside
the codes, in the request's language).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy


class EventState(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("event state", "Reported")
    REGISTERED = "registered", pgettext_lazy("event state", "Registered")
    REJECTED = "rejected", pgettext_lazy("event state", "Not registered")
    DISPATCHED = "dispatched", pgettext_lazy("event state", "Dispatched")
    SENT_BACK = "sent_back", pgettext_lazy("event state", "Sent back")
    HANDLING = "handling", pgettext_lazy("event state", "Being handled")
    JOINT = "joint", pgettext_lazy("event state", "Handled jointly")
    HANDLED = "handled", pgettext_lazy("event state", "Handled, to verify")
    CLOSED = "closed", pgettext_lazy("event state", "Closed")


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
    GRID_WORKER = "grid_worker", pgettext_lazy("event source", "Grid worker")
    RESIDENT = "resident", pgettext_lazy("event source", "Resident")
    HOTLINE = "hotline", pgettext_lazy("event source", "Hotline")
    DEPARTMENT = "department", pgettext_lazy("event source", "Department")
    INSPECTION = "inspection", pgettext_lazy("event source", "Patrol")


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", pgettext_lazy("time unit", "working hours")
    WORKING_DAYS = "working_days", pgettext_lazy("time unit", "working days")
    NATURAL_HOURS = "natural_hours", pgettext_lazy("time unit", "hours")


class Priority(models.IntegerChoices):
    NORMAL = 1, pgettext_lazy("priority", "Normal")
    URGENT = 2, pgettext_lazy("priority", "Urgent")
    CRITICAL = 3, pgettext_lazy("priority", "Critical")


class HandlingLevel(models.TextChoices):
    """Which command level is responsible; 提级 moves it one step up."""

    COMMUNITY = "community", pgettext_lazy("handling level", "Community")
    STREET = "street", pgettext_lazy("handling level", "Street")
    DISTRICT = "district", pgettext_lazy("handling level", "District")


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
    HOLIDAY = "holiday", pgettext_lazy("calendar day", "Holiday")
    WORKDAY = "workday", pgettext_lazy("calendar day", "Make-up working day")


class PartState(models.TextChoices):
    """A department's share of a summoned (吹哨) event."""

    SUMMONED = "summoned", pgettext_lazy("part state", "Summoned")
    REPORTED_IN = "reported_in", pgettext_lazy("part state", "Reported in")
    DONE = "done", pgettext_lazy("part state", "Done")


class ExtensionState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("extension", "Pending approval")
    GRANTED = "granted", pgettext_lazy("extension", "Granted")
    DENIED = "denied", pgettext_lazy("extension", "Denied")
    WITHDRAWN = "withdrawn", pgettext_lazy("extension", "Withdrawn")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", pgettext_lazy("satisfaction", "Satisfied")
    BASICALLY = "basically", pgettext_lazy("satisfaction", "Basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("satisfaction", "Dissatisfied")


class AttachmentKind(models.TextChoices):
    """What a photo shows: the reported problem, the scene before or after handling, …"""

    REPORT = "report", pgettext_lazy("photo", "Report photo")
    BEFORE = "before", pgettext_lazy("photo", "Before handling")
    AFTER = "after", pgettext_lazy("photo", "After handling")
    FEEDBACK = "feedback", pgettext_lazy("photo", "Handling feedback")
    VERIFY = "verify", pgettext_lazy("photo", "Verification photo")


class EventAction(models.TextChoices):
    REPORT = "report", pgettext_lazy("event action", "Report")
    SELF_HANDLE = "self_handle", pgettext_lazy("event action", "Handle on the spot")
    REGISTER = "register", pgettext_lazy("event action", "Register")
    REJECT = "reject", pgettext_lazy("event action", "Not registered")
    DISPATCH = "dispatch", pgettext_lazy("event action", "Dispatch")
    ACCEPT = "accept", pgettext_lazy("event action", "Accept")
    SEND_BACK = "send_back", pgettext_lazy("event action", "Send back")
    REDISPATCH = "redispatch", pgettext_lazy("event action", "Redispatch")
    FORCE = "force", pgettext_lazy("event action", "Force dispatch")
    REQUEST_EXTENSION = "request_extension", pgettext_lazy("event action", "Request extension")
    DECIDE_EXTENSION = "decide_extension", pgettext_lazy("event action", "Decide extension")
    FEEDBACK = "feedback", pgettext_lazy("event action", "Handling feedback")
    VERIFY = "verify", pgettext_lazy("event action", "Verify")
    RETURN_VISIT = "return_visit", pgettext_lazy("event action", "Return visit")
    SUMMON = "summon", pgettext_lazy("event action", "Summon")
    REPORT_IN = "report_in", pgettext_lazy("event action", "Report in")
    COMPLETE_PART = "complete_part", pgettext_lazy("event action", "Complete part")
    ESCALATE = "escalate", pgettext_lazy("event action", "Escalate")
    SUPERVISE = "supervise", pgettext_lazy("event action", "Supervise")
    OVERDUE = "overdue", pgettext_lazy("event action", "Overdue")
    JOIN = "join", pgettext_lazy("event action", "Join")
    MERGE = "merge", pgettext_lazy("event action", "Merge")


class FollowVia(models.TextChoices):
    """How a user came to follow an event they did not report."""

    JOIN = "join", pgettext_lazy("event action", "Join")
    MERGE = "merge", pgettext_lazy("event action", "Merge")


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
