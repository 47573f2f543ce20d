from django.contrib import admin
from django.http import HttpRequest

from wangge.triage.models import TriageModel


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin[TriageModel]):
    """Read-only: versions are made by ``wangge train_triage`` or the retraining task."""

    list_display = (
        "version",
        "created_at",
        "examples",
        "events",
        "top1_accuracy",
        "top3_accuracy",
        "baseline_top1_accuracy",
    )
    exclude = ("data",)
    readonly_fields = tuple(
        f.name for f in TriageModel._meta.get_fields() if f.concrete and f.name != "data"
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TriageModel | None = None) -> bool:
        return False
