from django.contrib import admin

from wangge.emergency.models import KindTag, OutcomeOption


@admin.register(KindTag)
class KindTagAdmin(admin.ModelAdmin[KindTag]):
    list_display = ("kind", "tag", "is_active")
    list_filter = ("kind", "is_active")
    list_editable = ("is_active",)


@admin.register(OutcomeOption)
class OutcomeOptionAdmin(admin.ModelAdmin[OutcomeOption]):
    list_display = ("target_kind", "code", "label", "is_final", "is_active", "sort_order")
    list_filter = ("target_kind", "is_final", "is_active")
    list_editable = ("label", "is_final", "is_active", "sort_order")
