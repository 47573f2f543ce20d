from django.contrib import admin

from wangge.inspections.models import Checklist, ChecklistItem


class ChecklistItemInline(admin.TabularInline[ChecklistItem, Checklist]):
    model = ChecklistItem
    extra = 0
    fields = [
        "sort_order",
        "code",
        "text",
        "answer_type",
        "limit_min",
        "limit_max",
        "unit",
        "is_hazard",
        "rectify_days",
        "event_category_code",
        "is_active",
    ]
    ordering = ["sort_order", "id"]


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin[Checklist]):
    """Checklists are data; retire an item by unticking "active" (answers keep their copy).

    Inspections, hazards and enforcement records change only through their actions.
    """

    list_display = ["code", "name", "target_kind", "event_category_code", "is_active", "sort_order"]
    list_filter = ["target_kind", "is_active"]
    search_fields = ["code", "name"]
    ordering = ["sort_order", "code"]
    inlines = [ChecklistItemInline]
