"""Reads of suggestions, drafts, liaison points and opinions, always through the user's scope.

* Suggestions: the submitter sees their own; a node role holding
  ``suggestions.handle_suggestion`` (or ``view_suggestion``) sees those whose ``node`` or
  ``assigned_node`` lies in its subtree; a department holding ``handle_suggestion`` sees
  those assigned to it.
* Drafts: a node role holding ``suggestions.manage_draft`` sees the drafts of its
  subtree in every state; anybody else sees published (and closed) drafts sent to a
  liaison point on the part of the map they may read, and only those points.
* Opinions: their author (and whoever typed them in), the staff of their point
  (``record_opinion`` at the point's node) and the draft's managers.

Out of scope is answered exactly like a missing record (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from wangge.accounts.choices import RoleScope
from wangge.accounts.models import Department
from wangge.accounts.scope import Scope, prefix_q, scope_for
from wangge.lib import codes
from wangge.regions.models import Region
from wangge.suggestions.choices import (
    TRANSITIONS,
    DraftState,
    OpinionState,
    SuggestionAction,
    SuggestionState,
)
from wangge.suggestions.models import Draft, LiaisonPoint, Opinion, Suggestion

SUBMIT = "suggestions.submit_suggestion"
HANDLE = "suggestions.handle_suggestion"
VIEW = "suggestions.view_suggestion"
MANAGE = "suggestions.manage_draft"
RECORD = "suggestions.record_opinion"
COMMENT = "suggestions.submit_opinion"

#: The deepest level a suggestion may be about (a community: 12 digits).
DEEPEST_NODE = 12


# --- suggestions ---------------------------------------------------------------------------


def _department_ids_with(scope: Scope, perm: str) -> list[int]:
    return sorted(
        {
            g.department_id
            for g in scope.grants
            if g.scope == RoleScope.DEPARTMENT and g.department_id and perm in g.permissions
        }
    )


def view_roots(user: Any) -> list[str]:
    """Node subtrees whose suggestions the user sees as staff."""
    scope = scope_for(user)
    return codes.minimal_roots(scope.roots_with(HANDLE) + scope.roots_with(VIEW))


def is_staff(user: Any) -> bool:
    """Does the user see suggestions beyond their own (anywhere)?"""
    scope = scope_for(user)
    return scope.is_global or bool(view_roots(user)) or bool(_department_ids_with(scope, HANDLE))


def suggestions_visible_to(user: Any) -> QuerySet[Suggestion]:
    scope = scope_for(user)
    qs = Suggestion.objects.all()
    if scope.is_global:
        return qs
    if scope.user_id is None:
        return qs.none()
    q = Q(submitter_id=scope.user_id)
    roots = view_roots(user)
    if roots:
        q |= prefix_q("node", roots) | prefix_q("assigned_node", roots)
    departments = _department_ids_with(scope, HANDLE)
    if departments:
        q |= Q(assigned_department_id__in=departments)
    return qs.filter(q)


def suggestion_list(
    user: Any,
    *,
    state: str | None = None,
    topic: str | None = None,
    under: str | None = None,
    mine: bool = False,
) -> QuerySet[Suggestion]:
    qs = suggestions_visible_to(user)
    if mine:
        qs = qs.filter(submitter_id=getattr(user, "pk", None))
    if state == "open":
        qs = qs.exclude(
            state__in=[SuggestionState.REJECTED, SuggestionState.NOT_ADOPTED, SuggestionState.DONE]
        )
    elif state:
        qs = qs.filter(state=state)
    if topic:
        qs = qs.filter(topic=topic)
    if under:
        qs = qs.filter(prefix_q("node", [under]))
    return qs.select_related("assigned_department")


def get_suggestion_for_user(user: Any, pk: int) -> Suggestion:
    try:
        return (
            suggestions_visible_to(user)
            .select_related("assigned_department", "submitter")
            .get(pk=pk)
        )
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise Http404("no such suggestion") from None


def _node_handler(scope: Scope, suggestion: Suggestion) -> bool:
    if scope.can(HANDLE, suggestion.node):
        return True
    return bool(suggestion.assigned_node) and scope.can(HANDLE, suggestion.assigned_node)


def may(user: Any, action: str, suggestion: Suggestion) -> bool:
    """May ``user`` take ``action`` on ``suggestion`` (the state is not considered)?"""
    scope = scope_for(user)
    if scope.is_global:
        return True
    if action in (SuggestionAction.TRIAGE, SuggestionAction.REJECT):
        return _node_handler(scope, suggestion)
    if action in (SuggestionAction.ANSWER, SuggestionAction.START, SuggestionAction.COMPLETE):
        if _node_handler(scope, suggestion):
            return True
        return suggestion.assigned_department_id in _department_ids_with(scope, HANDLE)
    return False


def available_actions(user: Any, suggestion: Suggestion) -> list[str]:
    """What the user may do to the suggestion now (state and rights)."""
    return [
        action
        for action, t in TRANSITIONS.items()
        if suggestion.state in t.sources and may(user, action, suggestion)
    ]


def submit_roots(user: Any) -> list[tuple[str, bool]]:
    """Where the user may submit suggestions: (root, whole subtree allowed) pairs.

    Node roles holding ``submit_suggestion`` submit anywhere under their node; residents
    (self-scoped) in the streets and communities of the district their role is attached to.
    """
    scope = scope_for(user)
    found: list[tuple[str, bool]] = []
    for g in scope.grants:
        if SUBMIT not in g.permissions or not g.region_code:
            continue
        found.append((g.region_code, g.scope == RoleScope.NODE))
    return found


def can_submit(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_global or bool(submit_roots(user))


def can_submit_at(user: Any, code: str) -> bool:
    if not codes.is_valid(code) or len(code) > DEEPEST_NODE:
        return False
    scope = scope_for(user)
    if not scope.is_global and not any(
        code.startswith(root) or code == root[:DEEPEST_NODE] for root, _ in submit_roots(user)
    ):
        return False
    return Region.objects.filter(code=code).exists()


def default_node(user: Any) -> str | None:
    """The node a staff member's suggestion is about when they name none: their own."""
    for root, whole in submit_roots(user):
        if whole:
            return root[:DEEPEST_NODE]
    return None


def submit_choices(user: Any) -> list[tuple[str, str]]:
    """(code, name) of the nodes the user may pick, districts to communities."""
    scope = scope_for(user)
    qs = Region.objects.filter(level__in=["district", "street", "community"])
    if not scope.is_global:
        roots = [root[:DEEPEST_NODE] for root, _ in submit_roots(user)]
        if not roots:
            return []
        qs = qs.filter(prefix_q("code", roots))
    return list(qs.order_by("code").values_list("code", "name")[:500])


def assign_choices(user: Any, suggestion: Suggestion) -> dict[str, list[tuple[str, str]]]:
    """Where a handler may send the suggestion: departments of its district, nodes of theirs."""
    scope = scope_for(user)
    departments = list(
        Department.objects.filter(district__code=suggestion.node[:6])
        .order_by("code")
        .values_list("code", "name")
    )
    nodes = Region.objects.filter(
        level__in=["district", "street", "community"], code__startswith=suggestion.node[:6]
    )
    if not scope.is_global:
        nodes = nodes.filter(prefix_q("code", scope.roots_with(HANDLE)))
    return {
        "departments": departments,
        "nodes": list(nodes.order_by("code").values_list("code", "name")[:500]),
    }


# --- drafts and liaison points -------------------------------------------------------------


def manage_roots(user: Any) -> list[str]:
    return scope_for(user).roots_with(MANAGE)


def can_manage(user: Any, node: str | None = None) -> bool:
    return scope_for(user).can(MANAGE, node)


def points_visible_to(user: Any) -> QuerySet[LiaisonPoint]:
    """Liaison points on the part of the map the user may read."""
    return scope_for(user).regions(LiaisonPoint.objects.all(), "node")


def managed_points(user: Any) -> QuerySet[LiaisonPoint]:
    """Liaison points under the nodes where the user manages drafts."""
    scope = scope_for(user)
    return scope.filter_by_code(LiaisonPoint.objects.all(), "node", manage_roots(user))


def manageable_nodes(user: Any) -> list[tuple[str, str]]:
    """(code, name) of the districts, streets and communities where the user manages drafts."""
    scope = scope_for(user)
    qs = scope.filter_by_code(
        Region.objects.filter(level__in=["district", "street", "community"]),
        "code",
        manage_roots(user),
    )
    return list(qs.order_by("code").values_list("code", "name")[:500])


def drafts_visible_to(user: Any) -> QuerySet[Draft]:
    scope = scope_for(user)
    qs = Draft.objects.all()
    if scope.is_global:
        return qs
    if scope.user_id is None:
        return qs.none()
    q = Q(pk__in=[])
    roots = manage_roots(user)
    if roots:
        q |= prefix_q("node", roots)
    if scope.map_roots:
        sent_here = Draft.points.through.objects.filter(draft_id=OuterRef("pk")).filter(
            prefix_q("liaisonpoint__node", scope.map_roots)
        )
        q |= Q(Exists(sent_here), state__in=[DraftState.PUBLISHED, DraftState.CLOSED])
    return qs.filter(q)


def get_draft_for_user(user: Any, pk: int) -> Draft:
    try:
        return drafts_visible_to(user).get(pk=pk)
    except (Draft.DoesNotExist, ValueError, TypeError):
        raise Http404("no such draft") from None


def draft_points(user: Any, draft: Draft) -> list[LiaisonPoint]:
    """The points of ``draft`` the user may see: all of them for its managers."""
    qs = draft.points.all()
    if not can_manage(user, draft.node):
        qs = scope_for(user).regions(qs, "node")
    return list(qs.order_by("node", "name", "id"))


@dataclass
class PointFigures:
    point: LiaisonPoint
    opinions: int
    adopted: int
    not_adopted: int
    pending: int


def point_figures(user: Any, draft: Draft) -> list[PointFigures]:
    """Per liaison point: opinions collected, adopted, not adopted, pending (one query)."""
    points = draft_points(user, draft)
    counts: dict[int, dict[str, Any]] = {
        row["point_id"]: dict(row)
        for row in Opinion.objects.filter(draft=draft, point__in=points)
        .order_by()
        .values("point_id")
        .annotate(
            total=Count("id"),
            adopted=Count("id", filter=Q(state=OpinionState.ADOPTED)),
            not_adopted=Count("id", filter=Q(state=OpinionState.NOT_ADOPTED)),
            pending=Count("id", filter=Q(state=OpinionState.PENDING)),
        )
    }
    result = []
    for p in points:
        row = counts.get(p.pk, {})
        result.append(
            PointFigures(
                p,
                int(row.get("total", 0)),
                int(row.get("adopted", 0)),
                int(row.get("not_adopted", 0)),
                int(row.get("pending", 0)),
            )
        )
    return result


def opinions_visible_to(user: Any) -> QuerySet[Opinion]:
    scope = scope_for(user)
    qs = Opinion.objects.all()
    if scope.is_global:
        return qs
    if scope.user_id is None:
        return qs.none()
    q = Q(author_id=scope.user_id) | Q(recorded_by_id=scope.user_id)
    managing = manage_roots(user)
    if managing:
        q |= prefix_q("draft__node", managing)
    recording = scope.roots_with(RECORD)
    if recording:
        q |= prefix_q("point__node", recording)
    return qs.filter(q)


def draft_opinions(user: Any, draft: Draft) -> QuerySet[Opinion]:
    return (
        opinions_visible_to(user)
        .filter(draft=draft)
        .select_related("point", "answered_by")
        .order_by("submitted_at", "id")
    )


def get_opinion_for_user(user: Any, draft: Draft, pk: int) -> Opinion:
    try:
        return draft_opinions(user, draft).get(pk=pk)
    except (Opinion.DoesNotExist, ValueError, TypeError):
        raise Http404("no such opinion") from None


def can_record_at(user: Any, point: LiaisonPoint) -> bool:
    """May the user type in opinions collected on paper at ``point``?"""
    return scope_for(user).can(RECORD, point.node)


def can_comment(user: Any) -> bool:
    return scope_for(user).can(COMMENT)


def opinion_points(user: Any, draft: Draft) -> list[LiaisonPoint]:
    """The points of the draft the user may file an opinion at (as author or as staff)."""
    points = draft_points(user, draft)
    if can_comment(user):
        return points
    return [p for p in points if can_record_at(user, p)]
