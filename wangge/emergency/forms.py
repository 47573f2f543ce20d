"""Forms of the emergency pages: they parse what a browser sends, the actions decide.

Text a user types is not required here: the action checks it and answers with
its own Chinese message for the field.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.emergency.choices import EmergencyKind, TargetKind
from wangge.people.forms import indented


def new_request_id() -> str:
    return str(uuid.uuid4())


class ActivateForm(forms.Form):
    region_code = forms.ChoiceField(label=_("Emergency area"))
    kind = forms.ChoiceField(label=_("Kind of emergency"), choices=EmergencyKind.choices)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("For example 防御台风「马鞍」; empty: the kind's name."),
    )
    started_at = forms.DateTimeField(
        label=_("Started at"),
        required=False,
        help_text=_("Empty: now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, areas: list[tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region_code"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        choices: list[tuple[str, Any]] = [("", _("Choose an area…")), *indented(areas)]
        # The list is a convenience: the action decides (an area outside answers like one
        # that does not exist), so a code it does not list is passed on, not refused here.
        wanted = str(self.data.get("region_code") or "").strip() if self.is_bound else ""
        if wanted and wanted not in {code for code, _label in choices}:
            choices.append((wanted, wanted))
        field.choices = choices
        if not self.is_bound:
            self.initial.setdefault("request_id", new_request_id())


class DeactivateForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OutcomeForm(forms.Form):
    """One tap: the task, the outcome, an optional note and the client's request id."""

    request_id = forms.CharField(max_length=64)
    task_id = forms.IntegerField(min_value=1)
    outcome = forms.CharField(max_length=32)
    note = forms.CharField(required=False, max_length=1000)


class TaskFilterForm(forms.Form):
    """Filters of a task list (GET).  A value that does not parse is left out."""

    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", _("Not covered yet")), ("all", _("All tasks"))],
    )
    target_kind = forms.ChoiceField(
        label=_("Target"),
        required=False,
        choices=[("", _("All targets")), *TargetKind.choices],
    )

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {
            "open_only": data.get("show", "open") != "all",
            "target_kind": data.get("target_kind") or None,
        }
