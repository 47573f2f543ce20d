"""Suggestions, drafts, points and opinions as the API answers them (and the pages show them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext

from wangge.accounts.scope import scope_for
from wangge.lib.crypto import mask_phone
from wangge.people.views import place_names
from wangge.suggestions import selectors
from wangge.suggestions.choices import DraftState
from wangge.suggestions.models import Draft, LiaisonPoint, Opinion, Suggestion


def submitter_shown(user: Any, s: Suggestion) -> str:
    """The submitter's name; "匿名" to all but the submitter and handlers if asked for."""
    if not s.anonymous or s.submitter_id == getattr(user, "pk", None):
        return s.submitter_label
    if selectors.available_actions(user, s) or selectors.may(user, "answer", s):
        return s.submitter_label
    return pgettext("submitter", "Anonymous")


def suggestion_dicts(user: Any, items: list[Suggestion]) -> list[dict[str, Any]]:
    names = place_names(
        {s.node for s in items} | {s.assigned_node for s in items if s.assigned_node}
    )
    return [
        {
            "id": s.pk,
            "title": s.title,
            "content": s.content,
            "node": s.node,
            "node_name": names.get(s.node, s.node),
            "topic": s.topic,
            "topic_label": s.get_topic_display(),
            "state": s.state,
            "state_label": s.get_state_display(),
            "version": s.version,
            "submitter": submitter_shown(user, s),
            "mine": s.submitter_id == getattr(user, "pk", None),
            "contact": mask_phone(s.contact),
            "anonymous": s.anonymous,
            "assigned_department": s.assigned_department.name if s.assigned_department else None,
            "assigned_node": s.assigned_node or None,
            "assigned_node_name": names.get(s.assigned_node) if s.assigned_node else None,
            "answer": s.answer,
            "completion_note": s.completion_note,
            "submitted_at": s.submitted_at,
            "triaged_at": s.triaged_at,
            "answered_at": s.answered_at,
            "done_at": s.done_at,
        }
        for s in items
    ]


def suggestion_detail(user: Any, s: Suggestion) -> dict[str, Any]:
    return {
        **suggestion_dicts(user, [s])[0],
        "actions": selectors.available_actions(user, s),
        "steps": [
            {
                "at": step.at,
                "actor": step.actor_label,
                "action": step.action,
                "action_label": step.get_action_display(),
                "from_state": step.from_state,
                "to_state": step.to_state,
                "note": step.note,
            }
            for step in s.steps.all()
        ],
    }


def point_dict(p: LiaisonPoint) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "node": p.node,
        "address": p.address,
        "contact_name": p.contact_name,
        "contact_phone": mask_phone(p.contact_phone),
        "is_active": p.is_active,
    }


def draft_dict(user: Any, d: Draft) -> dict[str, Any]:
    return {
        "id": d.pk,
        "title": d.title,
        "issuing_body": d.issuing_body,
        "node": d.node,
        "state": d.state,
        "state_label": d.get_state_display(),
        "version": d.version,
        "accepting": d.is_open(),
        "published_at": d.published_at,
        "deadline": d.deadline,
        "closed_at": d.closed_at,
        "created_at": d.created_at,
    }


def draft_detail(user: Any, d: Draft) -> dict[str, Any]:
    figures = selectors.point_figures(user, d)
    manager = selectors.can_manage(user, d.node)
    return {
        **draft_dict(user, d),
        "body": d.body,
        "can_manage": manager,
        "can_comment": d.state == DraftState.PUBLISHED and bool(selectors.opinion_points(user, d)),
        "points": [
            {
                **point_dict(f.point),
                "opinions": f.opinions,
                "adopted": f.adopted,
                "not_adopted": f.not_adopted,
                "pending": f.pending,
            }
            for f in figures
        ],
        "total_opinions": sum(f.opinions for f in figures),
        "total_adopted": sum(f.adopted for f in figures),
    }


def opinion_dict(user: Any, o: Opinion) -> dict[str, Any]:
    return {
        "id": o.pk,
        "draft_id": o.draft_id,
        "point_id": o.point_id,
        "point": o.point.name,
        "author_name": o.author_name,
        "on_paper": o.author_id is None,
        "mine": o.author_id is not None and o.author_id == getattr(user, "pk", None),
        "article": o.article,
        "content": o.content,
        "state": o.state,
        "state_label": o.get_state_display(),
        "version": o.version,
        "answer": o.answer,
        "answered_at": o.answered_at,
        "submitted_at": o.submitted_at,
    }


def can_handle_any(user: Any) -> bool:
    return scope_for(user).can(selectors.HANDLE)
