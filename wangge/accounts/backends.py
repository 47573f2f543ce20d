from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from wangge.accounts.scope import scope_for


class RoleBackend(ModelBackend):
    """Passwords as usual; permissions from the user's role assignments.

    ``user.has_perm(p)`` answers "somewhere"; whether the user may act at a
    given node is the scoping layer's question (``scope_for(user).can(p, code)``).
    """

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        perms = set(super().get_all_permissions(user_obj, obj))
        for grant in scope_for(user_obj).grants:
            perms |= grant.permissions
        return perms
