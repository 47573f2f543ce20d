from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wangge.portal.models import LoginCode, PlainChoice, ResidentAccount


@admin.register(PlainChoice)
class PlainChoiceAdmin(admin.ModelAdmin[PlainChoice]):
    list_display = ["label", "hint", "category", "sort", "is_active"]
    list_editable = ["sort", "is_active"]
    list_select_related = ["category__parent"]


@admin.register(ResidentAccount)
class ResidentAccountAdmin(admin.ModelAdmin[ResidentAccount]):
    """Who signed in by SMS; the phone itself is not shown (masked on the user's pages)."""

    list_display = ["user", "created_at", "last_login_at"]
    fields = ["user", "created_at", "last_login_at"]
    readonly_fields = ["user", "created_at", "last_login_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin[LoginCode]):
    """Sent codes (hashed): for checking the send limits, never for reading a code."""

    list_display = ["created_at", "expires_at", "attempts", "used_at"]
    fields = ["created_at", "expires_at", "attempts", "used_at"]
    readonly_fields = ["created_at", "expires_at", "attempts", "used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
