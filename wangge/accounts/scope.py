"""The central scoping layer: what a user may see and change.

Every selector that reads protected data filters through ``scope_for(user)``;
nothing else decides visibility.  A user's scope is the union of their active
role assignments:

* a node assignment gives the node's subtree (code prefix → index range);
* a department assignment gives what is dispatched to the department, and
  read access to the department's district map;
* a self-scoped role (resident) gives the holder's own records, and read
  access to the map of the district it is attached to;
* a global role or a superuser sees the whole installation.

Permissions are checked per assignment: holding permission P at node X means
some assignment whose role grants P has X in its subtree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from wangge.accounts.choices import RoleScope
from wangge.lib.codes import minimal_roots, prefix_upper_bound

_CACHE_ATTR = "_wangge_scope"


def prefix_q(field_name: str, roots: Iterable[str]) -> Q:
    """Rows whose ``field_name`` lies under any of ``roots`` (one index range per root)."""
    q = Q(pk__in=[])
    for root in minimal_roots(list(roots)):
        upper = prefix_upper_bound(root)
        part = Q(**{f"{field_name}__gte": root})
        if upper is not None:
            part &= Q(**{f"{field_name}__lt": upper})
        q |= part
    return q


@dataclass(frozen=True)
class Grant:
    role: str
    scope: str
    region_code: str | None
    department_id: int | None
    district_code: str | None
    permissions: frozenset[str]


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_global: bool = False
    grants: tuple[Grant, ...] = ()
    _empty: bool = field(default=False, repr=False)

    # --- what the user holds -------------------------------------------------
    @property
    def roles(self) -> list[str]:
        return sorted({g.role for g in self.grants})

    @property
    def node_roots(self) -> list[str]:
        """Subtrees the user works in (node-scoped roles)."""
        return minimal_roots(
            [g.region_code for g in self.grants if g.scope == RoleScope.NODE and g.region_code]
        )

    @property
    def department_ids(self) -> list[int]:
        return sorted({g.department_id for g in self.grants if g.department_id is not None})

    @property
    def map_roots(self) -> list[str]:
        """Subtrees whose hierarchy (names, geometry) the user may read."""
        codes: list[str] = []
        for g in self.grants:
            if g.scope == RoleScope.DEPARTMENT and g.district_code:
                codes.append(g.district_code)
            elif g.region_code:
                codes.append(g.region_code)
        return minimal_roots(codes)

    def roots_with(self, perm: str) -> list[str]:
        """Node subtrees where the user holds ``perm`` (``app_label.codename``)."""
        return minimal_roots(
            [
                g.region_code
                for g in self.grants
                if g.scope == RoleScope.NODE and g.region_code and perm in g.permissions
            ]
        )

    # --- questions -----------------------------------------------------------
    def can_see_region(self, code: str) -> bool:
        return self.is_global or any(code.startswith(root) for root in self.map_roots)

    def can(self, perm: str, code: str | None = None) -> bool:
        """Does the user hold ``perm``, at ``code`` if given?"""
        if self.is_global:
            return True
        if code is None:
            return any(perm in g.permissions for g in self.grants)
        return any(code.startswith(root) for root in self.roots_with(perm))

    # --- filters -------------------------------------------------------------
    def filter_by_code(self, qs: QuerySet[Any], field_name: str, roots: list[str]) -> QuerySet[Any]:
        if self.is_global:
            return qs
        if not roots:
            return qs.none()
        return qs.filter(prefix_q(field_name, roots))

    def regions(self, qs: QuerySet[Any], field_name: str = "code") -> QuerySet[Any]:
        """Restrict a queryset of hierarchy nodes (or rows keyed by one) to the readable map."""
        return self.filter_by_code(qs, field_name, self.map_roots)

    def nodes(self, qs: QuerySet[Any], field_name: str = "region_code") -> QuerySet[Any]:
        """Restrict rows that belong to a node (people, places, events…) to the work subtrees."""
        return self.filter_by_code(qs, field_name, self.node_roots)


ANONYMOUS = Scope(user_id=None, _empty=True)


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from wangge.accounts.models import Assignment

    # One query: a row per (assignment, permission of its role); only codes are read
    # (a district's polygon can be megabytes).
    rows = (
        Assignment.objects.filter(user_id=user.pk, is_active=True)
        .order_by("pk")
        .values_list(
            "pk",
            "role__slug",
            "role__scope",
            "region__code",
            "department_id",
            "department__district__code",
            "role__permissions__content_type__app_label",
            "role__permissions__codename",
        )
    )
    found: dict[int, tuple[dict[str, Any], set[str]]] = {}
    for pk, slug, role_scope, region_code, department_id, district_code, app, codename in rows:
        fields, perms = found.setdefault(
            pk,
            (
                {
                    "role": slug,
                    "scope": role_scope,
                    "region_code": region_code,
                    "department_id": department_id,
                    "district_code": district_code,
                },
                set(),
            ),
        )
        if app and codename:
            perms.add(f"{app}.{codename}")
    grants = [Grant(**fields, permissions=frozenset(perms)) for fields, perms in found.values()]
    is_global = bool(user.is_superuser) or any(g.scope == RoleScope.GLOBAL for g in grants)
    scope = Scope(user_id=user.pk, is_global=is_global, grants=tuple(grants))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope (after the user's assignments change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
