"""Reads of assets, always through the user's scope.

A user sees the assets in the subtrees they work in, and a department user
the assets their department owns (消防 its hydrants, 市政 its covers and lamps).
Out of scope is answered exactly like "does not exist".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from wangge.accounts.choices import RoleScope
from wangge.accounts.scope import prefix_q, scope_for
from wangge.assets.models import Asset, AssetType, InspectionLog


def assets_visible_to(user: Any) -> QuerySet[Asset]:
    scope = scope_for(user)
    qs = Asset.objects.all()
    if scope.is_global:
        return qs
    if scope.user_id is None:
        return qs.none()
    q = Q(pk__in=[])
    if scope.node_roots:
        q |= prefix_q("region_code", scope.node_roots)
    if scope.department_ids:
        q |= Q(owner_department_id__in=scope.department_ids)
    return qs.filter(q)


def get_asset_for_user(user: Any, pk: int) -> Asset:
    """The asset if the user may see it; 404 otherwise."""
    try:
        return assets_visible_to(user).select_related("type", "owner_department").get(pk=pk)
    except (Asset.DoesNotExist, ValueError, TypeError):
        raise Http404("no such asset") from None


def assets_filtered(
    user: Any,
    *,
    asset_type: str | None = None,
    state: str | None = None,
    under: str | None = None,
    is_new: bool | None = None,
    department: int | None = None,
) -> QuerySet[Asset]:
    qs = assets_visible_to(user)
    if asset_type:
        # A two-digit class code takes in all of its types.
        if len(asset_type) == 2:
            qs = qs.filter(type__code__startswith=asset_type)
        else:
            qs = qs.filter(type__code=asset_type)
    if state:
        qs = qs.filter(state=state)
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    if is_new is not None:
        qs = qs.filter(is_new=is_new)
    if department is not None:
        qs = qs.filter(owner_department_id=department)
    return qs


def active_asset_types() -> QuerySet[AssetType]:
    return AssetType.objects.filter(is_active=True).order_by("sort_order", "code")


def logs_of(asset: Asset, limit: int = 100) -> list[InspectionLog]:
    return list(InspectionLog.objects.filter(asset=asset).order_by("-at", "-id")[:limit])


# --- who may do what ----------------------------------------------------------


def may(user: Any, perm: str, asset: Asset) -> bool:
    """Does the user hold ``perm`` over ``asset``: at its place, or for its owner department?"""
    scope = scope_for(user)
    if scope.can(perm, asset.region_code):
        return True
    return asset.owner_department_id is not None and any(
        g.scope == RoleScope.DEPARTMENT
        and g.department_id == asset.owner_department_id
        and perm in g.permissions
        for g in scope.grants
    )


def can_add_at(user: Any, code: str) -> bool:
    return scope_for(user).can("assets.add_asset", code)


def can_add_anywhere(user: Any) -> bool:
    return scope_for(user).can("assets.add_asset")


def available_actions(user: Any, asset: Asset) -> list[str]:
    """What the user may do with the asset (for buttons; actions check again)."""
    result = []
    if may(user, "assets.inspect_asset", asset):
        result.append("inspect")
    if may(user, "assets.change_asset", asset):
        result.append("change_state")
    return result
