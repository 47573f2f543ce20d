"""Writes to accounts: every one atomic and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from wangge.accounts.models import Assignment, Department, Role, User
from wangge.accounts.scope import forget_scope, scope_for
from wangge.audit.actions import record
from wangge.regions.models import Region


class AccountError(ValueError):
    """A request we refuse; ``fields`` maps field names to Chinese messages."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


def _check_admin(actor: Any, region: Region | None) -> None:
    if actor is None:  # the system (seed, migrations, CLI)
        return
    scope = scope_for(actor)
    if region is None:
        if not scope.is_global:
            raise AccountError("只有平台管理员可以进行该操作")
        return
    if not scope.can("accounts.manage_users", region.code):
        raise AccountError("您无权管理该节点的用户")


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
        raise AccountError("用户名已存在", {"username": "用户名已存在"})
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
        errors["region"] = "该角色必须指定所属节点"
    if role.scope == "department" and department is None:
        errors["department"] = "该角色必须指定所属部门"
    if role.scope == "global" and (region is not None or department is not None):
        errors["region"] = "全局角色不指定节点或部门"
    if region is not None and role.levels and region.level not in role.levels:
        errors["region"] = f"{role.name}只能分配到以下层级：{'、'.join(role.levels)}"
    if errors:
        raise AccountError("角色分配无效", errors)
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
