"""Forms of the portal: they parse what the phone sends; the actions decide (in Chinese)."""

from __future__ import annotations

import math
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.events.choices import Satisfaction
from wangge.portal import actions
from wangge.portal.selectors import Choice


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "tel",
                "autocomplete": "tel",
                "maxlength": 20,
                "placeholder": "13800000000",
            }
        ),
    )


class CodeForm(PhoneForm):
    code = forms.CharField(
        label=_("Verification code"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": 6,
                "pattern": "[0-9]*",
            }
        ),
    )


def _float(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


class ReportForm(forms.Form):
    """What the resident says (a plain choice, words, photos) and where (pin or location)."""

    #: Unknown values are the action's to refuse (in Chinese, on this field).
    choice = forms.ChoiceField(label=_("What kind of problem?"), required=False)
    description = forms.CharField(
        label=_("Describe the problem"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": actions.DESCRIPTION_MAX}),
    )
    title = forms.CharField(
        label=_("Short title (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": actions.TITLE_MAX}),
    )
    lng = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": actions.ADDRESS_MAX}),
    )
    contact = forms.CharField(
        label=_("Contact phone"),
        required=False,
        help_text=_("Only the service centre sees it, masked."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20}),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous to the public"),
        required=False,
        help_text=_("Your name and phone are never public; the service centre still sees them."),
    )
    request_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: list[Choice], phone: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["choice"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(c.value, c.label) for c in choices]
        field.widget = forms.RadioSelect(choices=field.choices)
        self.choice_rows = choices
        if not self.is_bound:
            self.initial.setdefault("request_id", uuid.uuid4().hex)
            self.initial.setdefault("contact", phone)

    def report(self) -> actions.PortalReport:
        data = self.cleaned_data
        return actions.PortalReport(
            choice=str(self.data.get("choice") or "")[:20],
            description=data["description"] or "",
            lng=_float(data.get("lng")),
            lat=_float(data.get("lat")),
            title=data["title"] or "",
            address=data["address"] or "",
            contact=data["contact"] or "",
            anonymous=bool(data.get("anonymous")),
            request_id=(data.get("request_id") or "").strip(),
        )


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the result?"),
        required=False,
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    solved = forms.ChoiceField(
        label=_("Is the problem solved?"),
        required=False,
        choices=[("1", _("Solved")), ("0", _("Not solved"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": actions.NOTE_MAX}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_satisfaction(self) -> str:
        return str(self.data.get("satisfaction") or "")

    def clean_solved(self) -> str:
        return str(self.data.get("solved") or "")

    def solved_value(self) -> bool | None:
        value = self.cleaned_data.get("solved")
        return {"1": True, "0": False}.get(value or "")
