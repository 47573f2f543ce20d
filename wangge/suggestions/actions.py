"""Writes of suggestions (金点子) and of drafts and their opinions (立法联系点).

Each action runs in one transaction, validates with field-level errors (in the user's language),
checks the transition table and the actor's rights, then moves the row with a
compare-and-set on ``(state, version)``: of two conflicting requests exactly one
wins, the other gets ``SuggestionConflict`` (HTTP 409).  Every change writes an
audit row (and, for suggestions, a timeline step).  ``actor=None`` is the system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.models import Department
from wangge.accounts.scope import scope_for
from wangge.audit.actions import record
from wangge.lib import codes
from wangge.lib.errors import Refusal
from wangge.regions.models import Region
from wangge.suggestions import selectors
from wangge.suggestions.choices import (
    TRANSITIONS,
    DraftState,
    OpinionState,
    SuggestionAction,
    SuggestionState,
    Topic,
)
from wangge.suggestions.models import Draft, LiaisonPoint, Opinion, Suggestion, SuggestionStep

INVALID = gettext_lazy("Invalid input: please check the fields")
MAX_TITLE = 100
MAX_CONTENT = 2000
MAX_NOTE = 2000
MAX_CONTACT = 32


class SuggestionError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""


class SuggestionConflict(SuggestionError):
    """Illegal in the current state, or somebody else changed it first."""

    status = 409
    code = "conflict"


class SuggestionForbidden(SuggestionError):
    """The user sees the record but may not take this action on it."""

    status = 403
    code = "forbidden"


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _actor_label(actor: Any) -> str:
    if not _is_user(actor):
        return "系统"
    return str(getattr(actor, "display_name", "") or actor.get_username())[:150]


def _text(value: str | None) -> str:
    return (value or "").strip()


def _bounded(
    errors: dict[str, str], name: str, value: str | None, limit: int, missing: str | None
) -> str:
    """``value`` stripped; an error on ``name`` if required and empty or longer than ``limit``."""
    text = _text(value)
    if not text and missing:
        errors[name] = missing
    elif len(text) > limit:
        errors[name] = _("At most %(limit)s characters") % {"limit": limit}
    return text


def _phone(errors: dict[str, str], name: str, value: str | None) -> str:
    text = _text(value).replace(" ", "").replace("-", "")
    if text and (not text.isdigit() or not 7 <= len(text) <= 20):
        errors[name] = _("Please enter a valid phone number")
    return text


# --- suggestions -----------------------------------------------------------------------


@dataclass
class SubmitResult:
    suggestion: Suggestion
    created: bool


def _submitted(actor: Any, request_id: str) -> Suggestion | None:
    return Suggestion.objects.filter(submitter=actor, client_request_id=request_id).first()


def _state_label(state: str) -> str:
    return str(SuggestionState(state).label) if state in SuggestionState.values else state


def _action_label(action: str) -> str:
    return str(SuggestionAction(action).label)


def _step(
    suggestion: Suggestion,
    action: str,
    *,
    actor: Any,
    from_state: str,
    now: datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> SuggestionStep:
    step = SuggestionStep.objects.create(
        suggestion=suggestion,
        at=now,
        actor=actor if _is_user(actor) else None,
        actor_label=_actor_label(actor),
        action=action,
        from_state=from_state,
        to_state=suggestion.state,
        note=note,
    )
    record(
        f"suggestions.{action}",
        actor=actor,
        obj=suggestion,
        region_code=suggestion.node,
        before={"state": from_state} if from_state else None,
        after={"state": suggestion.state, "version": suggestion.version, **(data or {})},
        reason=note[:500],
    )
    return step


@transaction.atomic
def do_submit_suggestion(
    *,
    actor: Any,
    title: str,
    content: str,
    topic: str,
    node: str | None = None,
    contact: str = "",
    anonymous: bool = False,
    request_id: str | None = None,
    now: datetime | None = None,
) -> SubmitResult:
    """Submit a suggestion about ``node`` (staff: their own node when none is named).

    The same ``request_id`` from the same submitter answers with the suggestion the first
    request stored (``created=False``)."""
    request_id = _text(request_id)[:64]
    if request_id and _is_user(actor):
        existing = _submitted(actor, request_id)
        if existing is not None:
            return SubmitResult(existing, False)
    if _is_user(actor) and not selectors.can_submit(actor):
        raise SuggestionForbidden(_("You may not submit suggestions"))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = _bounded(errors, "title", title, MAX_TITLE, _("Please enter a title"))
    content = _bounded(errors, "content", content, MAX_CONTENT, _("Please enter your suggestion"))
    if topic not in Topic.values:
        errors["topic"] = _("Please choose a topic")
    code = _text(node) or (selectors.default_node(actor) if _is_user(actor) else None) or ""
    if not code:
        errors["node"] = _("Please choose the street or community the suggestion is about")
    elif actor is not None and not selectors.can_submit_at(actor, code):
        errors["node"] = _("Please choose a street or community of your district")
    elif actor is None and not Region.objects.filter(code=code).exists():
        errors["node"] = _("Unknown region")
    phone = _phone(errors, "contact", contact)
    if len(phone) > MAX_CONTACT:
        errors["contact"] = _("Please enter a valid phone number")
    if errors:
        raise SuggestionError(INVALID, errors)
    suggestion = Suggestion(
        title=title,
        content=content,
        node=code,
        topic=topic,
        state=SuggestionState.SUBMITTED,
        version=1,
        submitter=actor if _is_user(actor) else None,
        submitter_label=_actor_label(actor),
        contact=phone,
        anonymous=bool(anonymous),
        client_request_id=request_id if _is_user(actor) else "",
        submitted_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            suggestion.save()
    except IntegrityError:
        # The same request id raced in from a second connection: answer with its row.
        existing = _submitted(actor, request_id) if request_id else None
        if existing is None:
            raise
        return SubmitResult(existing, False)
    _step(
        suggestion,
        SuggestionAction.SUBMIT,
        actor=actor,
        from_state="",
        now=now,
        note=title,
        data={"node": code, "topic": topic},
    )
    return SubmitResult(suggestion, True)


def _check(suggestion: Suggestion, action: str, actor: Any, *, version: int | None = None) -> None:
    """The transition table, the client's version, then the actor's right to act."""
    if suggestion.state not in TRANSITIONS[action].sources:
        raise SuggestionConflict(
            _("The suggestion is “%(state)s”: “%(action)s” is not possible")
            % {"state": _state_label(suggestion.state), "action": _action_label(action)}
        )
    if version is not None and version != suggestion.version:
        raise SuggestionConflict(
            _("Somebody else has updated this suggestion: please reload and try again"),
            {"version": _("This version is out of date")},
        )
    if actor is not None and not selectors.may(actor, action, suggestion):
        raise SuggestionForbidden(
            _("You may not “%(action)s” this suggestion") % {"action": _action_label(action)}
        )


def _apply(
    suggestion: Suggestion,
    action: str,
    *,
    actor: Any,
    to_state: str,
    now: datetime,
    note: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> SuggestionStep:
    """Compare-and-set to ``to_state`` with ``changes``; write the step and the audit row."""
    if to_state not in TRANSITIONS[action].targets:  # pragma: no cover - a programming error
        raise AssertionError(f"{action} cannot lead to {to_state}")
    old_state, old_version = suggestion.state, suggestion.version
    values: dict[str, Any] = {
        "state": to_state,
        "version": old_version + 1,
        "updated_at": now,
        **(changes or {}),
    }
    updated = Suggestion.objects.filter(
        pk=suggestion.pk, state=old_state, version=old_version
    ).update(**values)
    if updated != 1:
        raise SuggestionConflict(
            _("Somebody else has acted on this suggestion: please reload and try again")
        )
    for name, value in values.items():
        setattr(suggestion, name, value)
    return _step(
        suggestion, action, actor=actor, from_state=old_state, now=now, note=note, data=data
    )


@transaction.atomic
def do_triage_suggestion(
    suggestion: Suggestion,
    *,
    actor: Any,
    department: str | None = None,
    node: str | None = None,
    note: str = "",
    version: int | None = None,
) -> Suggestion:
    """分办: send the suggestion to a department of its district or to a node's centre."""
    _check(suggestion, SuggestionAction.TRIAGE, actor, version=version)
    errors: dict[str, str] = {}
    note = _bounded(errors, "note", note, MAX_NOTE, None)
    department_code, node_code = _text(department), _text(node)
    found_department: Department | None = None
    if bool(department_code) == bool(node_code):
        errors["department"] = _(
            "Please choose either a department or a region to handle it (one of the two)"
        )
    elif department_code:
        found_department = Department.objects.filter(
            district__code=suggestion.node[:6], code=department_code
        ).first()
        if found_department is None:
            errors["department"] = _("This department is not in the suggestion's district")
    elif (
        not codes.is_valid(node_code)
        or len(node_code) > selectors.DEEPEST_NODE
        or not node_code.startswith(suggestion.node[:6])
        or not Region.objects.filter(code=node_code).exists()
        or (actor is not None and not scope_for(actor).can(selectors.HANDLE, node_code))
    ):
        errors["node"] = _("Please choose a region within your area to handle it")
    if errors:
        raise SuggestionError(INVALID, errors)
    now = timezone.now()
    _apply(
        suggestion,
        SuggestionAction.TRIAGE,
        actor=actor,
        to_state=SuggestionState.TRIAGED,
        now=now,
        note=note,
        changes={
            "assigned_department": found_department,
            "assigned_node": node_code if not found_department else "",
            "triaged_at": now,
        },
        data={
            "department": found_department.code if found_department else None,
            "node": node_code or None,
        },
    )
    return suggestion


@transaction.atomic
def do_reject_suggestion(
    suggestion: Suggestion, *, actor: Any, reason: str, version: int | None = None
) -> Suggestion:
    """不予受理, with a reason the submitter sees."""
    _check(suggestion, SuggestionAction.REJECT, actor, version=version)
    errors: dict[str, str] = {}
    reason = _bounded(
        errors, "reason", reason, MAX_NOTE, _("Please give the reason for not accepting it")
    )
    if errors:
        raise SuggestionError(INVALID, errors)
    now = timezone.now()
    _apply(
        suggestion,
        SuggestionAction.REJECT,
        actor=actor,
        to_state=SuggestionState.REJECTED,
        now=now,
        note=reason,
        changes={"answer": reason, "answered_at": now},
    )
    return suggestion


@transaction.atomic
def do_answer_suggestion(
    suggestion: Suggestion,
    *,
    actor: Any,
    adopted: bool | None,
    answer: str,
    version: int | None = None,
) -> Suggestion:
    """答复: adopted or not, with the answer the submitter sees."""
    _check(suggestion, SuggestionAction.ANSWER, actor, version=version)
    errors: dict[str, str] = {}
    if adopted is None:
        errors["adopted"] = _("Please choose whether it is adopted")
    answer = _bounded(errors, "answer", answer, MAX_NOTE, _("Please enter the answer"))
    if errors:
        raise SuggestionError(INVALID, errors)
    now = timezone.now()
    _apply(
        suggestion,
        SuggestionAction.ANSWER,
        actor=actor,
        to_state=SuggestionState.ADOPTED if adopted else SuggestionState.NOT_ADOPTED,
        now=now,
        note=answer,
        changes={"answer": answer, "answered_at": now},
        data={"adopted": bool(adopted)},
    )
    return suggestion


@transaction.atomic
def do_start_suggestion(
    suggestion: Suggestion, *, actor: Any, note: str = "", version: int | None = None
) -> Suggestion:
    """开始落实 an adopted suggestion."""
    _check(suggestion, SuggestionAction.START, actor, version=version)
    errors: dict[str, str] = {}
    note = _bounded(errors, "note", note, MAX_NOTE, None)
    if errors:
        raise SuggestionError(INVALID, errors)
    _apply(
        suggestion,
        SuggestionAction.START,
        actor=actor,
        to_state=SuggestionState.IN_PROGRESS,
        now=timezone.now(),
        note=note,
    )
    return suggestion


@transaction.atomic
def do_complete_suggestion(
    suggestion: Suggestion, *, actor: Any, note: str, version: int | None = None
) -> Suggestion:
    """落实完成, with a note on what was done."""
    _check(suggestion, SuggestionAction.COMPLETE, actor, version=version)
    errors: dict[str, str] = {}
    note = _bounded(errors, "note", note, MAX_NOTE, _("Please describe what was done"))
    if errors:
        raise SuggestionError(INVALID, errors)
    now = timezone.now()
    _apply(
        suggestion,
        SuggestionAction.COMPLETE,
        actor=actor,
        to_state=SuggestionState.DONE,
        now=now,
        note=note,
        changes={"completion_note": note, "done_at": now},
    )
    return suggestion


# --- liaison points and drafts ---------------------------------------------------------


def _manager_node(errors: dict[str, str], actor: Any, node: str | None, name: str) -> str:
    code = _text(node)
    if not code and _is_user(actor):
        roots = selectors.manage_roots(actor)
        code = roots[0] if len(roots) == 1 else ""
    if not code:
        errors[name] = _("Please choose a node of the hierarchy")
    elif (
        not codes.is_valid(code)
        or len(code) > selectors.DEEPEST_NODE
        or not Region.objects.filter(code=code).exists()
        or (actor is not None and not selectors.can_manage(actor, code))
    ):
        errors[name] = _("Please choose a street or community within your area")
    return code


@transaction.atomic
def do_create_liaison_point(
    *,
    actor: Any,
    name: str,
    node: str | None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> LiaisonPoint:
    """A new liaison point under a node the actor manages drafts for."""
    if actor is not None and not selectors.can_manage(actor):
        raise SuggestionForbidden(_("You may not set up liaison points"))
    errors: dict[str, str] = {}
    name = _bounded(errors, "name", name, 100, _("Please enter the liaison point's name"))
    code = _manager_node(errors, actor, node, "node")
    address = _bounded(errors, "address", address, 200, None)
    contact_name = _bounded(errors, "contact_name", contact_name, 64, None)
    phone = _phone(errors, "contact_phone", contact_phone)
    if errors:
        raise SuggestionError(INVALID, errors)
    point = LiaisonPoint.objects.create(
        name=name,
        node=code,
        address=address,
        contact_name=contact_name,
        contact_phone=phone,
    )
    record(
        "suggestions.create_point",
        actor=actor,
        obj=point,
        region_code=code,
        after={"name": name, "node": code},
    )
    return point


def _aware(errors: dict[str, str], name: str, value: datetime | None) -> datetime | None:
    if value is None:
        errors[name] = _("Please enter the deadline")
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@transaction.atomic
def do_create_draft(
    *,
    actor: Any,
    title: str,
    body: str,
    issuing_body: str,
    deadline: datetime | None,
    points: Sequence[int],
    node: str | None = None,
    now: datetime | None = None,
) -> Draft:
    """A draft to collect opinions on, sent to liaison points under ``node`` (not yet public)."""
    if actor is not None and not selectors.can_manage(actor):
        raise SuggestionForbidden(_("You may not publish drafts of laws and regulations"))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = _bounded(errors, "title", title, 200, _("Please enter the draft's title"))
    body = _bounded(errors, "body", body, 100_000, _("Please enter the draft's text or a summary"))
    issuing_body = _bounded(
        errors, "issuing_body", issuing_body, 100, _("Please enter the body asking for opinions")
    )
    code = _manager_node(errors, actor, node, "node")
    when = _aware(errors, "deadline", deadline)
    if when is not None and when <= now:
        errors["deadline"] = _("The deadline must be later than now")
    wanted = sorted({int(p) for p in points})
    found: list[LiaisonPoint] = []
    if not wanted:
        errors["points"] = _("Please choose at least one liaison point")
    elif "node" not in errors:
        found = list(
            LiaisonPoint.objects.filter(pk__in=wanted, is_active=True, node__startswith=code)
        )
        if len(found) != len(wanted):
            errors["points"] = _(
                "A chosen liaison point does not exist or is outside the draft's area"
            )
    if errors or when is None:
        raise SuggestionError(INVALID, errors)
    draft = Draft.objects.create(
        title=title,
        body=body,
        issuing_body=issuing_body,
        node=code,
        state=DraftState.DRAFT,
        deadline=when,
        created_by=actor if _is_user(actor) else None,
        created_at=now,
    )
    draft.points.set(found)
    record(
        "suggestions.create_draft",
        actor=actor,
        obj=draft,
        region_code=code,
        after={"title": title, "deadline": when.isoformat(), "points": [p.pk for p in found]},
    )
    return draft


def _move_draft(
    draft: Draft,
    *,
    actor: Any,
    source: str,
    target: str,
    version: int | None,
    changes: dict[str, Any],
) -> Draft:
    if actor is not None and not selectors.can_manage(actor, draft.node):
        raise SuggestionForbidden(_("You may not manage this draft"))
    if draft.state != source:
        label = DraftState(draft.state).label
        if target == DraftState.PUBLISHED:
            refusal = _("The draft is “%(state)s”: it cannot be published")
        else:
            refusal = _("The draft is “%(state)s”: its collection of opinions cannot be closed")
        raise SuggestionConflict(refusal % {"state": label})
    if version is not None and version != draft.version:
        raise SuggestionConflict(
            _("Somebody else has updated this draft: please reload and try again"),
            {"version": _("This version is out of date")},
        )
    updated = Draft.objects.filter(pk=draft.pk, state=source, version=draft.version).update(
        state=target, version=draft.version + 1, **changes
    )
    if updated != 1:
        raise SuggestionConflict(
            _("Somebody else has acted on this draft: please reload and try again")
        )
    before = draft.state
    draft.state, draft.version = target, draft.version + 1
    for name, value in changes.items():
        setattr(draft, name, value)
    record(
        f"suggestions.{'publish' if target == DraftState.PUBLISHED else 'close'}_draft",
        actor=actor,
        obj=draft,
        region_code=draft.node,
        before={"state": before},
        after={"state": target, "version": draft.version},
    )
    return draft


@transaction.atomic
def do_publish_draft(
    draft: Draft, *, actor: Any, version: int | None = None, now: datetime | None = None
) -> Draft:
    """发布: opinions are accepted from now until the deadline."""
    now = now or timezone.now()
    if draft.deadline <= now:
        raise SuggestionError(
            INVALID, {"deadline": _("The deadline has passed: please change the deadline first")}
        )
    if not draft.points.exists():
        raise SuggestionError(INVALID, {"points": _("Please choose at least one liaison point")})
    return _move_draft(
        draft,
        actor=actor,
        source=DraftState.DRAFT,
        target=DraftState.PUBLISHED,
        version=version,
        changes={"published_at": now},
    )


@transaction.atomic
def do_close_draft(
    draft: Draft, *, actor: Any, version: int | None = None, now: datetime | None = None
) -> Draft:
    """截止: no more opinions, even before the deadline."""
    return _move_draft(
        draft,
        actor=actor,
        source=DraftState.PUBLISHED,
        target=DraftState.CLOSED,
        version=version,
        changes={"closed_at": now or timezone.now()},
    )


# --- opinions --------------------------------------------------------------------------


@dataclass
class OpinionResult:
    opinion: Opinion
    created: bool


def _opinion_for(draft: Draft, actor: Any, request_id: str) -> Opinion | None:
    return Opinion.objects.filter(
        draft=draft, recorded_by=actor, client_request_id=request_id
    ).first()


@transaction.atomic
def do_submit_opinion(
    draft: Draft,
    *,
    actor: Any,
    point: int | None,
    content: str,
    article: str = "",
    author_name: str = "",
    request_id: str | None = None,
    now: datetime | None = None,
) -> OpinionResult:
    """An opinion on ``draft`` at one of its liaison points.

    A resident comments as themselves; the point's staff (``record_opinion`` at the
    point) type in an opinion collected on paper under the name given in ``author_name``.
    Accepted only while the draft is published and before its deadline.  The same
    ``request_id`` from the same user answers with the first opinion (``created=False``).
    """
    request_id = _text(request_id)[:64]
    if request_id and _is_user(actor):
        existing = _opinion_for(draft, actor, request_id)
        if existing is not None:
            return OpinionResult(existing, False)
    now = now or timezone.now()
    # The draft's row lock orders opinions against closing it.
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    if draft.state != DraftState.PUBLISHED:
        label = DraftState(draft.state).label
        raise SuggestionError(
            INVALID,
            {"draft": _("The draft is “%(state)s”: no opinions are accepted") % {"state": label}},
        )
    if now >= draft.deadline:
        when = timezone.localtime(draft.deadline).strftime("%Y-%m-%d %H:%M")
        raise SuggestionError(
            INVALID,
            {
                "draft": _("Opinions were collected until %(when)s: no more are accepted")
                % {"when": when}
            },
        )
    errors: dict[str, str] = {}
    found: LiaisonPoint | None = None
    if point is None:
        errors["point"] = _("Please choose a liaison point")
    else:
        found = next((p for p in selectors.draft_points(actor, draft) if p.pk == point), None)
        if actor is None:
            found = draft.points.filter(pk=point).first()
        if found is None:
            errors["point"] = _("The draft was not sent to this liaison point")
    content = _bounded(errors, "content", content, MAX_CONTENT, _("Please enter your opinion"))
    article = _bounded(errors, "article", article, 50, None)
    typed_name = _bounded(errors, "author_name", author_name, 64, None)
    on_paper = bool(typed_name)
    if found is not None and actor is not None:
        if on_paper and not selectors.can_record_at(actor, found):
            errors["author_name"] = _(
                "Only the staff of this liaison point may type in opinions for others"
            )
        elif not on_paper and not selectors.can_comment(actor):
            if selectors.can_record_at(actor, found):
                errors["author_name"] = _(
                    "When typing in an opinion given on paper, please enter its author's name"
                )
            else:
                raise SuggestionForbidden(_("You may not give opinions on this draft"))
    if actor is None and not on_paper:
        errors["author_name"] = _("Please enter the name of the opinion's author")
    if errors or found is None:
        raise SuggestionError(INVALID, errors)
    opinion = Opinion(
        draft=draft,
        point=found,
        author=None if on_paper or not _is_user(actor) else actor,
        author_name=typed_name or _actor_label(actor),
        recorded_by=actor if _is_user(actor) else None,
        article=article,
        content=content,
        state=OpinionState.PENDING,
        client_request_id=request_id if _is_user(actor) else "",
        submitted_at=now,
    )
    try:
        with transaction.atomic():
            opinion.save()
    except IntegrityError:
        existing = _opinion_for(draft, actor, request_id) if request_id else None
        if existing is None:
            raise
        return OpinionResult(existing, False)
    record(
        "suggestions.submit_opinion",
        actor=actor,
        obj=opinion,
        region_code=found.node,
        object_repr=f"{draft.title} · {found.name}",
        after={"draft": draft.pk, "point": found.pk, "on_paper": on_paper, "article": article},
    )
    return OpinionResult(opinion, True)


@transaction.atomic
def do_answer_opinion(
    opinion: Opinion,
    *,
    actor: Any,
    adopted: bool | None,
    answer: str,
    version: int | None = None,
) -> Opinion:
    """Adopted or not, with an answer; once (compare-and-set on state and version)."""
    if actor is not None and not selectors.can_manage(actor, opinion.draft.node):
        raise SuggestionForbidden(_("You may not answer this opinion"))
    if opinion.state != OpinionState.PENDING:
        label = OpinionState(opinion.state).label
        raise SuggestionConflict(
            _("This opinion was already answered (%(state)s): it cannot be answered again")
            % {"state": label}
        )
    if version is not None and version != opinion.version:
        raise SuggestionConflict(
            _("Somebody else has updated this opinion: please reload and try again"),
            {"version": _("This version is out of date")},
        )
    errors: dict[str, str] = {}
    if adopted is None:
        errors["adopted"] = _("Please choose whether it is adopted")
    answer = _bounded(errors, "answer", answer, MAX_NOTE, _("Please enter the answer"))
    if errors:
        raise SuggestionError(INVALID, errors)
    now = timezone.now()
    target = OpinionState.ADOPTED if adopted else OpinionState.NOT_ADOPTED
    updated = Opinion.objects.filter(
        pk=opinion.pk, state=OpinionState.PENDING, version=opinion.version
    ).update(
        state=target,
        version=opinion.version + 1,
        answer=answer,
        answered_by=actor if _is_user(actor) else None,
        answered_at=now,
    )
    if updated != 1:
        raise SuggestionConflict(
            _("Somebody else has answered this opinion: please reload and try again")
        )
    opinion.state, opinion.version = target, opinion.version + 1
    opinion.answer, opinion.answered_at = answer, now
    opinion.answered_by = actor if _is_user(actor) else None
    record(
        "suggestions.answer_opinion",
        actor=actor,
        obj=opinion,
        region_code=opinion.point.node,
        object_repr=f"{opinion.draft.title} · {opinion.point.name}",
        before={"state": OpinionState.PENDING},
        after={"state": target, "version": opinion.version},
        reason=answer[:500],
    )
    return opinion
