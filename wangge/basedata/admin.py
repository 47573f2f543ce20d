from django.contrib import admin

from wangge.basedata.models import ChecklistItem


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin[ChecklistItem]):
    list_display = ["number", "category", "name", "measure", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "measure"]
    ordering = ["number"]
