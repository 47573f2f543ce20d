from django.contrib import admin

from wangge.care.models import VisitRecord, VisitTask


@admin.register(VisitTask)
class VisitTaskAdmin(admin.ModelAdmin[VisitTask]):
    """Read-only: tasks come from the visit plan (the special groups' frequencies, edited on
    the groups) and are closed by visits."""

    list_display = ["id", "person", "region_code", "tag", "kind", "status", "due_on", "closed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["region_code"]
    raw_id_fields = ["person", "follows"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(VisitRecord)
class VisitRecordAdmin(admin.ModelAdmin[VisitRecord]):
    """Read-only: visits are recorded through ``do_record_visit`` (pages, API)."""

    list_display = [
        "id",
        "person",
        "region_code",
        "outcome",
        "visited_at",
        "on_time",
        "visitor_label",
    ]
    list_filter = ["outcome", "on_time"]
    search_fields = ["region_code", "visitor_label"]
    raw_id_fields = ["person", "task", "event", "visitor"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
