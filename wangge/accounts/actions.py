"""Writes to accounts: every one atomic and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wangge.accounts.models import Assignment, Department, Role, User
from wangge.accounts.scope import forget_scope, scope_for
from wangge.audit.actions import record
from wangge.lib.language import in_data_language
from wangge.regions.models import Region


class AccountError(ValueError):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""

    def __init__(self, message: str | Promise, fields: dict[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.fields = fields or {}


def _check_admin(actor: Any, region: Region | None) -> None:
    if actor is None:  # the system (seed, migrations, CLI)
        return
    scope = scope_for(actor)
    if region is None:
        if not scope.is_global:
            raise AccountError(_("Only platform administrators may do this."))
        return
    if not scope.can("accounts.manage_users", region.code):
        raise AccountError(_("You may not manage the users of this node."))


def _role_name(role: Role) -> str:
    """The role's name in the user's language (the stored name is the installation's)."""
    from wangge.web.landing import ROLE_LABELS

    label = ROLE_LABELS.get(role.slug)
    if label is None or str(label) == in_data_language(label):
        return role.name
    return str(label)


@transaction.atomic
def do_create_user(
    *,
    username: str,
    password: str | None,
    display_name: str = "",
    actor: Any,
    is_superuser: bool = False,
    password_hash: str | None = None,
) -> User:
    """Create an account.  ``password_hash`` lets bulk seeding reuse one argon2 hash."""
    _check_admin(actor, None)
    if User.objects.filter(username=username).exists():
        taken = _("This username is taken.")
        raise AccountError(taken, {"username": taken})
    user = User(
        username=username,
        display_name=display_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        "accounts.create_user",
        actor=actor,
        obj=user,
        after={"username": username, "display_name": display_name},
    )
    return user


@transaction.atomic
def do_assign_role(
    *,
    user: User,
    role: Role | str,
    actor: Any,
    region: Region | None = None,
    department: Department | None = None,
) -> Assignment:
    """Give ``user`` a role at a node, in a department, or globally; validated against the role."""
    if isinstance(role, str):
        role = Role.objects.get(slug=role)
    _check_admin(actor, region or (department.district if department else None))
    errors: dict[str, str] = {}
    if role.scope == "node" and region is None:
        errors["region"] = _("This role needs a node.")
    if role.scope == "department" and department is None:
        errors["department"] = _("This role needs a department.")
    if role.scope == "global" and (region is not None or department is not None):
        errors["region"] = _("A global role takes no node or department.")
    if region is not None and role.levels and region.level not in role.levels:
        errors["region"] = _("%(role)s can only be assigned at these levels: %(levels)s") % {
            "role": _role_name(role),
            "levels": pgettext("list separator", ", ").join(role.levels),
        }
    if errors:
        raise AccountError(_("Invalid role assignment."), errors)
    assignment, created = Assignment.objects.get_or_create(
        user=user, role=role, region=region, department=department, defaults={"is_active": True}
    )
    if not created and not assignment.is_active:
        assignment.is_active = True
        assignment.save(update_fields=["is_active"])
    record(
        "accounts.assign_role",
        actor=actor,
        obj=assignment,
        region_code=region.code if region else "",
        after={
            "user": user.username,
            "role": role.slug,
            "region": region.code if region else None,
            "department": department.code if department else None,
        },
    )
    forget_scope(user)
    return assignment
