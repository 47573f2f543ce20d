"""Forms of the inspection pages: they parse what a browser sends, the actions decide.

As on the other pages, text a user types is never required here: the action
checks it and answers with its own Chinese message for the field.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import Department
from wangge.inspections.actions import Answer, limit_label
from wangge.inspections.choices import AnswerType, EnforcementKind, HazardState, Outcome
from wangge.inspections.models import ChecklistItem
from wangge.people.forms import RegistryFilterForm

OUTCOMES = [
    (Outcome.PASS, _("Pass")),
    (Outcome.FAIL, _("Fail")),
    (Outcome.NOT_APPLICABLE, _("N/A")),
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _request_id_initial(form: forms.Form) -> None:
    if not form.is_bound:
        form.initial.setdefault("request_id", uuid.uuid4().hex)


# --- lists ----------------------------------------------------------------------------


class HazardFilterForm(RegistryFilterForm):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Open hazards")),
            ("overdue", _("Overdue")),
            *[(s, s.label) for s in HazardState if s != "open"],
            ("all", _("All")),
        ],
    )
    field_order = ["under", "state"]

    def selection(self) -> dict[str, Any]:
        """Keyword arguments of ``selectors.hazards_filtered``."""
        values = self.values()
        state = values.get("state") or HazardState.OPEN
        if state == "overdue":
            return {"under": values.get("under"), "state": HazardState.OPEN, "overdue": True}
        return {"under": values.get("under"), "state": None if state == "all" else state}


class InspectionFilterForm(RegistryFilterForm):
    def selection(self) -> dict[str, Any]:
        return {"under": self.values().get("under")}


class TargetSearchForm(RegistryFilterForm):
    kind = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("enterprise", _("Enterprises and shops")), ("building", _("Buildings"))],
    )
    q = forms.CharField(label=_("Name or address"), required=False, max_length=50)
    field_order = ["kind", "q", "under"]


# --- the inspection -------------------------------------------------------------------


@dataclass
class ItemRow:
    """One checklist item and its fields, for the template."""

    item: ChecklistItem
    limit: str
    outcome: BoundField | None
    value: BoundField | None
    text: BoundField | None
    note: BoundField
    errors: list[str]


class InspectionForm(forms.Form):
    """Every item of one checklist: pass / fail / n.a., a measured value or a text."""

    checklist = forms.CharField(widget=forms.HiddenInput)
    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    owner_name = forms.CharField(
        label=_("Responsible unit / landlord"), required=False, max_length=200
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=64
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, items: list[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.item_errors: dict[int, list[str]] = {}
        for item in items:
            pk = item.pk
            if item.answer_type == AnswerType.NUMBER:
                self.fields[f"value_{pk}"] = forms.DecimalField(
                    label=_("Measured"),
                    required=False,
                    max_digits=10,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                )
                self.fields[f"outcome_{pk}"] = forms.ChoiceField(
                    label=_("Not applicable"),
                    required=False,
                    choices=[(Outcome.NOT_APPLICABLE, _("N/A"))],
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[f"outcome_{pk}"] = forms.ChoiceField(
                    label=item.text, required=False, choices=OUTCOMES, widget=forms.RadioSelect
                )
            if item.answer_type == AnswerType.TEXT:
                self.fields[f"text_{pk}"] = forms.CharField(
                    label=_("Answer"), required=False, max_length=500
                )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=500
            )
        _request_id_initial(self)

    def rows(self) -> list[ItemRow]:
        result = []
        for item in self.items:
            pk = item.pk
            result.append(
                ItemRow(
                    item=item,
                    limit=limit_label(item.limit_min, item.limit_max, item.unit),
                    outcome=self[f"outcome_{pk}"] if f"outcome_{pk}" in self.fields else None,
                    value=self[f"value_{pk}"] if f"value_{pk}" in self.fields else None,
                    text=self[f"text_{pk}"] if f"text_{pk}" in self.fields else None,
                    note=self[f"note_{pk}"],
                    errors=self.item_errors.get(pk, []),
                )
            )
        return result

    def answers(self) -> list[Answer]:
        data = self.cleaned_data
        answers = []
        for item in self.items:
            pk = item.pk
            answers.append(
                Answer(
                    item=pk,
                    outcome=data.get(f"outcome_{pk}") or None,
                    value=data.get(f"value_{pk}"),
                    text=data.get(f"text_{pk}") or "",
                    note=data.get(f"note_{pk}") or "",
                )
            )
        return answers

    def add_action_errors(self, fields: dict[str, str], message: str) -> None:
        """An action's refusal: per item where it names one, else on top."""
        for name, text in fields.items():
            prefix, _sep, rest = name.partition(".")
            if prefix == "answers" and rest.isdigit():
                self.item_errors.setdefault(int(rest), []).append(text)
            elif name in self.fields and not self.fields[name].widget.is_hidden:
                self.add_error(name, text)
            else:
                self.add_error(None, text)
        if not fields:
            self.add_error(None, message)


# --- a hazard ---------------------------------------------------------------------------


class ReinspectForm(forms.Form):
    passed = forms.ChoiceField(
        label=_("Rectified?"),
        required=False,
        choices=[("yes", _("Rectified")), ("no", _("Not rectified"))],
        widget=forms.RadioSelect,
    )
    value = forms.DecimalField(
        label=_("Measured now"),
        required=False,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, measured: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not measured:
            del self.fields["value"]
        _request_id_initial(self)

    def passed_value(self) -> bool | None:
        value = self.cleaned_data.get("passed")
        return True if value == "yes" else False if value == "no" else None


class HazardChangeForm(forms.Form):
    deadline = forms.DateField(label=_("Rectification deadline"), required=False, widget=DATE_INPUT)
    owner_name = forms.CharField(
        label=_("Responsible unit / landlord"), required=False, max_length=200
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=64
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EnforcementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=EnforcementKind.choices, required=False)
    item = forms.CharField(label=_("Item"), required=False, max_length=100)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=16)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    department = forms.ChoiceField(label=_("Enforcing department"), required=False)
    enforced_on = forms.DateField(label=_("Date"), required=False, widget=DATE_INPUT)
    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, district_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [
            ("", _("Choose a department…")),
            *Department.objects.filter(district__code=district_code)
            .order_by("code")
            .values_list("code", "name"),
        ]
        _request_id_initial(self)
