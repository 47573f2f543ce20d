from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from wangge.workforce.actions import validate_scheme
from wangge.workforce.models import (
    AssessmentScheme,
    Duty,
    DutyCategory,
    MethodItem,
    Scorecard,
    TrainingSession,
)


class SchemeForm(forms.ModelForm[AssessmentScheme]):
    class Meta:
        model = AssessmentScheme
        fields = [
            "name",
            "district_code",
            "is_active",
            "weight_reported",
            "weight_self_handled",
            "weight_verification",
            "weight_visits",
            "weight_campaigns",
            "weight_freshness",
            "weight_satisfaction",
            "target_reported",
            "target_self_handled",
            "verify_full_hours",
            "verify_zero_hours",
            "star2",
            "star3",
            "star4",
            "star5",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        candidate = AssessmentScheme(**{k: v for k, v in data.items() if v is not None})
        for message in validate_scheme(candidate).values():
            self.add_error(None, message)
        return data


@admin.register(AssessmentScheme)
class SchemeAdmin(admin.ModelAdmin[AssessmentScheme]):
    form = SchemeForm
    list_display = ["name", "district_code", "is_active"]


@admin.register(DutyCategory)
class DutyCategoryAdmin(admin.ModelAdmin[DutyCategory]):
    list_display = ["code", "name", "sort_order"]


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin[Duty]):
    list_display = ["code", "name", "category", "is_active"]
    list_filter = ["category"]


@admin.register(MethodItem)
class MethodItemAdmin(admin.ModelAdmin[MethodItem]):
    list_display = ["code", "kind", "label", "is_active"]
    list_filter = ["kind"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin[TrainingSession]):
    list_display = ["held_on", "title", "region_code", "trainer"]
    search_fields = ["title", "region_code"]


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin[Scorecard]):
    list_display = ["month", "worker", "region_code", "score", "stars"]
    readonly_fields = ["figures", "components", "score", "stars", "computed_at"]
