from django.contrib import admin

from wangge.suggestions.models import Draft, LiaisonPoint, Opinion, Suggestion


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin[Suggestion]):
    """Read-only: suggestions move through their actions (pages, API)."""

    list_display = ["id", "title", "node", "topic", "state", "submitter_label", "submitted_at"]
    list_filter = ["state", "topic"]
    search_fields = ["title", "node"]
    exclude = ["contact"]
    raw_id_fields = ["submitter", "assigned_department"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(LiaisonPoint)
class LiaisonPointAdmin(admin.ModelAdmin[LiaisonPoint]):
    """Points are set up through ``do_create_liaison_point`` (pages, API); here they are only
    deactivated."""

    list_display = ["id", "name", "node", "contact_name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "node"]
    exclude = ["contact_phone"]
    readonly_fields = ["name", "node", "address", "contact_name", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin[Draft]):
    """Read-only: drafts are created, published and closed through their actions."""

    list_display = ["id", "title", "issuing_body", "node", "state", "deadline"]
    list_filter = ["state"]
    search_fields = ["title"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin[Opinion]):
    """Read-only: opinions are submitted and answered through their actions."""

    list_display = ["id", "draft", "point", "author_name", "state", "submitted_at"]
    list_filter = ["state"]
    raw_id_fields = ["draft", "point", "author", "recorded_by", "answered_by"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
