from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wangge.open311.actions import do_deactivate_api_key
from wangge.open311.models import ApiKey, ServiceAttribute


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Keys are created with ``wangge open311_key`` (the clear key is shown once)."""

    list_display = ["name", "district", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    fields = ("name", "district", "user", "prefix", "is_active", "created_at", "last_used_at")
    readonly_fields = fields
    actions = ["deactivate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    @admin.action(description=_("Deactivate the selected keys"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset.select_related("district"):
            do_deactivate_api_key(key, actor=request.user)


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin[ServiceAttribute]):
    list_display = ["category", "code", "datatype", "required", "order", "is_active"]
    list_filter = ["datatype", "required", "is_active"]
    search_fields = ["category__code", "category__name", "code", "description"]
