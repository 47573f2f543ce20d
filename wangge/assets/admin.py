from django.contrib import admin

from wangge.assets.models import AssetType


@admin.register(AssetType)
class AssetTypeAdmin(admin.ModelAdmin[AssetType]):
    """Asset types are data; assets themselves change only through their actions."""

    list_display = ["code", "name", "category", "prefix", "is_active", "sort_order"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name"]
    ordering = ["sort_order", "code"]
