from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from wangge.regions.models import Region
from wangge.regions.selectors import regions_visible_to


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ["code", "name", "level", "kind", "area_km2"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    readonly_fields = [
        "code",
        "parent",
        "level",
        "centroid_lng",
        "centroid_lat",
        "min_lng",
        "min_lat",
        "max_lng",
        "max_lat",
        "area_km2",
        "created_at",
        "updated_at",
    ]
    exclude = ["geometry"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        # The admin goes through the same scoping layer as everything else.
        return regions_visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # regions are created through imports, which validate geometry

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
