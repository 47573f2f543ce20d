"""Writes of suggestions (金点子) and of drafts and their opinions (立法联系点).

Each action runs in one transaction, validates with field-level Chinese errors,
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

from wangge.accounts.models import Department
from wangge.accounts.scope import scope_for
from wangge.audit.actions import record
from wangge.lib import codes
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

INVALID = "输入有误，请检查各字段"
MAX_TITLE = 100
MAX_CONTENT = 2000
MAX_NOTE = 2000
MAX_CONTACT = 32


class SuggestionError(Exception):
    """A request we refuse; ``fields`` maps field names to Chinese messages."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


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
        errors[name] = f"不能超过 {limit} 个字"
    return text


def _phone(errors: dict[str, str], name: str, value: str | None) -> str:
    text = _text(value).replace(" ", "").replace("-", "")
    if text and (not text.isdigit() or not 7 <= len(text) <= 20):
        errors[name] = "请填写有效的电话号码"
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
        raise SuggestionForbidden("您无权提交建议")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = _bounded(errors, "title", title, MAX_TITLE, "请填写标题")
    content = _bounded(errors, "content", content, MAX_CONTENT, "请填写建议内容")
    if topic not in Topic.values:
        errors["topic"] = "请选择建议类别"
    code = _text(node) or (selectors.default_node(actor) if _is_user(actor) else None) or ""
    if not code:
        errors["node"] = "请选择建议涉及的街道或社区"
    elif actor is not None and not selectors.can_submit_at(actor, code):
        errors["node"] = "请选择您所在区的街道或社区"
    elif actor is None and not Region.objects.filter(code=code).exists():
        errors["node"] = "未知的层级节点"
    phone = _phone(errors, "contact", contact)
    if len(phone) > MAX_CONTACT:
        errors["contact"] = "请填写有效的电话号码"
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
            f"该建议当前状态为「{_state_label(suggestion.state)}」，不能{_action_label(action)}"
        )
    if version is not None and version != suggestion.version:
        raise SuggestionConflict("该建议已被他人更新，请刷新后重试", {"version": "版本已过期"})
    if actor is not None and not selectors.may(actor, action, suggestion):
        raise SuggestionForbidden(f"您无权对该建议执行「{_action_label(action)}」")


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
        raise SuggestionConflict("该建议已被他人处理，请刷新后重试")
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
        errors["department"] = "请选择承办部门或承办节点（二选一）"
    elif department_code:
        found_department = Department.objects.filter(
            district__code=suggestion.node[:6], code=department_code
        ).first()
        if found_department is None:
            errors["department"] = "该部门不属于建议所在的区"
    elif (
        not codes.is_valid(node_code)
        or len(node_code) > selectors.DEEPEST_NODE
        or not node_code.startswith(suggestion.node[:6])
        or not Region.objects.filter(code=node_code).exists()
        or (actor is not None and not scope_for(actor).can(selectors.HANDLE, node_code))
    ):
        errors["node"] = "请选择您辖区内的承办节点"
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
    reason = _bounded(errors, "reason", reason, MAX_NOTE, "请填写不予受理的理由")
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
        errors["adopted"] = "请选择是否采纳"
    answer = _bounded(errors, "answer", answer, MAX_NOTE, "请填写答复意见")
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
    note = _bounded(errors, "note", note, MAX_NOTE, "请填写落实情况")
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
        errors[name] = "请选择层级节点"
    elif (
        not codes.is_valid(code)
        or len(code) > selectors.DEEPEST_NODE
        or not Region.objects.filter(code=code).exists()
        or (actor is not None and not selectors.can_manage(actor, code))
    ):
        errors[name] = "请选择您辖区内的街道或社区"
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
        raise SuggestionForbidden("您无权设立立法联系点")
    errors: dict[str, str] = {}
    name = _bounded(errors, "name", name, 100, "请填写联系点名称")
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
        errors[name] = "请填写截止时间"
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
        raise SuggestionForbidden("您无权发布法律法规草案")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = _bounded(errors, "title", title, 200, "请填写草案标题")
    body = _bounded(errors, "body", body, 100_000, "请填写草案内容或摘要")
    issuing_body = _bounded(errors, "issuing_body", issuing_body, 100, "请填写征求意见单位")
    code = _manager_node(errors, actor, node, "node")
    when = _aware(errors, "deadline", deadline)
    if when is not None and when <= now:
        errors["deadline"] = "截止时间须晚于现在"
    wanted = sorted({int(p) for p in points})
    found: list[LiaisonPoint] = []
    if not wanted:
        errors["points"] = "请至少选择一个立法联系点"
    elif "node" not in errors:
        found = list(
            LiaisonPoint.objects.filter(pk__in=wanted, is_active=True, node__startswith=code)
        )
        if len(found) != len(wanted):
            errors["points"] = "所选联系点不存在或不在草案所属辖区内"
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
    action: str,
    version: int | None,
    changes: dict[str, Any],
) -> Draft:
    if actor is not None and not selectors.can_manage(actor, draft.node):
        raise SuggestionForbidden("您无权管理该草案")
    if draft.state != source:
        label = DraftState(draft.state).label
        raise SuggestionConflict(f"草案当前状态为「{label}」，不能{action}")
    if version is not None and version != draft.version:
        raise SuggestionConflict("该草案已被他人更新，请刷新后重试", {"version": "版本已过期"})
    updated = Draft.objects.filter(pk=draft.pk, state=source, version=draft.version).update(
        state=target, version=draft.version + 1, **changes
    )
    if updated != 1:
        raise SuggestionConflict("该草案已被他人处理，请刷新后重试")
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
        raise SuggestionError(INVALID, {"deadline": "截止时间已过，请先修改截止时间"})
    if not draft.points.exists():
        raise SuggestionError(INVALID, {"points": "请至少选择一个立法联系点"})
    return _move_draft(
        draft,
        actor=actor,
        source=DraftState.DRAFT,
        target=DraftState.PUBLISHED,
        action="发布",
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
        action="截止征集",
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
        raise SuggestionError(INVALID, {"draft": f"该草案{label}，不接受意见"})
    if now >= draft.deadline:
        when = timezone.localtime(draft.deadline).strftime("%Y-%m-%d %H:%M")
        raise SuggestionError(INVALID, {"draft": f"意见征集已于 {when} 截止，不再接受意见"})
    errors: dict[str, str] = {}
    found: LiaisonPoint | None = None
    if point is None:
        errors["point"] = "请选择立法联系点"
    else:
        found = next((p for p in selectors.draft_points(actor, draft) if p.pk == point), None)
        if actor is None:
            found = draft.points.filter(pk=point).first()
        if found is None:
            errors["point"] = "该草案未发往此联系点"
    content = _bounded(errors, "content", content, MAX_CONTENT, "请填写意见内容")
    article = _bounded(errors, "article", article, 50, None)
    typed_name = _bounded(errors, "author_name", author_name, 64, None)
    on_paper = bool(typed_name)
    if found is not None and actor is not None:
        if on_paper and not selectors.can_record_at(actor, found):
            errors["author_name"] = "只有该联系点的工作人员可以代录意见"
        elif not on_paper and not selectors.can_comment(actor):
            if selectors.can_record_at(actor, found):
                errors["author_name"] = "代录纸质意见时请填写意见人姓名"
            else:
                raise SuggestionForbidden("您无权对该草案提出意见")
    if actor is None and not on_paper:
        errors["author_name"] = "请填写意见人姓名"
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
        raise SuggestionForbidden("您无权答复该意见")
    if opinion.state != OpinionState.PENDING:
        label = OpinionState(opinion.state).label
        raise SuggestionConflict(f"该意见已答复（{label}），不能再次答复")
    if version is not None and version != opinion.version:
        raise SuggestionConflict("该意见已被他人更新，请刷新后重试", {"version": "版本已过期"})
    errors: dict[str, str] = {}
    if adopted is None:
        errors["adopted"] = "请选择是否采纳"
    answer = _bounded(errors, "answer", answer, MAX_NOTE, "请填写答复意见")
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
        raise SuggestionConflict("该意见已被他人答复，请刷新后重试")
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
