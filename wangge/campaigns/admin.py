from django.contrib import admin

from wangge.campaigns.models import Outcome


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin[Outcome]):
    """The outcome list is data; campaigns and attempts change only through their actions."""

    list_display = [
        "code",
        "label",
        "is_final",
        "needs_follow_up",
        "requires_follow_up_time",
        "follow_up_delay_minutes",
        "collects_answers",
        "is_active",
        "sort_order",
    ]
    list_filter = ["is_final", "needs_follow_up", "is_active"]
    search_fields = ["code", "label"]
    ordering = ["sort_order", "code"]
