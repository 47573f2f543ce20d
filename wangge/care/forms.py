"""Forms of the care pages: recording a visit, the filters of the list and of the coverage."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.care.choices import VisitOutcome
from wangge.people.forms import RegistryFilterForm


class VisitForm(forms.Form):
    """A visit as the worker records it: the outcome, a note, a photo; stored once per form."""

    outcome = forms.ChoiceField(
        label=_("What did you find?"), choices=VisitOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("Required when the person needs help: say what help."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_id", uuid.uuid4().hex)


class TaskFilterForm(RegistryFilterForm):
    overdue = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[("", _("All open visits")), ("1", _("Overdue only"))],
    )
    field_order = ["under", "overdue"]

    def selection(self) -> dict[str, Any]:
        values = self.values()
        return {
            "under": values.get("under"),
            "overdue": True if values.get("overdue") == "1" else None,
        }


class CoverageForm(forms.Form):
    """The period of the coverage table (GET); a value that does not parse is left out."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    under = forms.CharField(required=False, max_length=18, widget=forms.HiddenInput)

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in ("", None)}
