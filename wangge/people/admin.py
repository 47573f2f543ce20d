"""Only the special groups are edited here.

People, buildings and the ledger are not in the admin on purpose: the admin
would show ID numbers and phones in clear, outside the audited unmasking
action and the scoping layer.  They are kept through the API and pages.
"""

from django.contrib import admin

from wangge.people.models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ["code", "name", "visit_frequency_days", "is_active", "sort_order"]
    list_editable = ["visit_frequency_days", "is_active", "sort_order"]
    search_fields = ["code", "name"]
    ordering = ["sort_order", "code"]
