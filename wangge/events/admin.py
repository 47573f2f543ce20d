from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from wangge.events.models import (
    Attachment,
    Category,
    Event,
    EventFollower,
    EventPart,
    EventStep,
    WorkCalendarDay,
)
from wangge.events.selectors import events_visible_to


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = [
        "code",
        "name",
        "parent",
        "default_department_code",
        "accept_limit",
        "accept_unit",
        "handle_limit",
        "handle_unit",
        "priority",
        "admitted",
        "is_active",
        "duplicate_radius_m",
    ]
    list_editable = ["duplicate_radius_m"]
    list_filter = ["parent", "admitted", "is_active", "priority"]
    search_fields = ["code", "name"]
    ordering = ["sort_order", "code"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin[WorkCalendarDay]):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


class EventStepInline(admin.TabularInline[EventStep, Event]):
    model = EventStep
    extra = 0
    can_delete = False
    fields = ("at", "actor_label", "action", "from_state", "to_state", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventPartInline(admin.TabularInline[EventPart, Event]):
    model = EventPart
    extra = 0
    can_delete = False
    fields = ("department", "state", "task", "note", "reported_in_at", "done_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventFollowerInline(admin.TabularInline[EventFollower, Event]):
    """Who follows the event besides its reporter (joined it or were merged in)."""

    model = EventFollower
    extra = 0
    can_delete = False
    fields = ("user", "via", "joined_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(admin.TabularInline[Attachment, Event]):
    """Photos with what their EXIF said; the files are served only through the API."""

    model = Attachment
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "step",
        "content_type",
        "width",
        "height",
        "size",
        "gps_lng",
        "gps_lat",
        "taken_at",
        "uploader",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """Read-only: events change only through their actions (timeline, audit, compare-and-set)."""

    list_display = [
        "number",
        "title",
        "category",
        "state",
        "level",
        "current_department",
        "overdue",
        "reported_at",
    ]
    list_filter = ["state", "source", "level", "overdue", "self_handled"]
    search_fields = ["number", "title", "address"]
    inlines = [EventPartInline, EventFollowerInline, EventStepInline, AttachmentInline]
    exclude = ["reporter_contact"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return events_visible_to(request.user).select_related("category", "current_department")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Event._meta.fields if f.name != "reporter_contact"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
