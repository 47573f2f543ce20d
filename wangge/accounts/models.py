from __future__ import annotations

from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.accounts.choices import RoleScope
from wangge.regions.models import Region


class User(AbstractUser):
    """An account.  What it may see and do comes from its role assignments."""

    display_name = models.CharField(_("full name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_users", "Can manage users and their roles")]

    def __str__(self) -> str:
        return self.display_name or self.username


class Department(models.Model):
    """A functional department (城管, 住建, 市政, 消防, 公安…) of one district."""

    district = models.ForeignKey(
        Region,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="departments",
        limit_choices_to={"level": "district"},
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["district__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "code"], name="department_code_per_district"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A role from the role table (grid worker, dispatcher, …).  Roles are data."""

    slug = models.SlugField(_("key"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    scope = models.CharField(_("scope"), max_length=16, choices=RoleScope.choices)
    levels = models.JSONField(
        _("levels it attaches to"),
        default=list,
        blank=True,
        help_text=_("Hierarchy levels a node assignment of this role may point at; empty for any."),
    )
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A user holds a role at a node of the hierarchy, in a department, or globally."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    region = models.ForeignKey(
        Region,
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "department"], name="assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        target = self.region or self.department or "*"
        return f"{self.user} · {self.role} · {target}"


class ApiToken(models.Model):
    """A bearer token for the API.  Only a hash of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"
