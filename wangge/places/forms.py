"""Forms of the places pages: they parse what a browser sends, the actions decide.

Text a user types is never required here: ``wangge.places.actions`` checks it
and answers with its own Chinese message per field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.people.choices import ResidenceType
from wangge.people.forms import RegistryFilterForm
from wangge.places.choices import TenantChange

RENTAL = {"1": True, "0": False}


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=_("Today when left empty."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _note(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _text(label: Any, max_length: int, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )


class BuildingFilterForm(RegistryFilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Part of the name or address"),
                "autocomplete": "off",
                "enterkeyhint": "search",
            }
        ),
    )
    rental = forms.ChoiceField(
        label=_("Rental housing"),
        required=False,
        choices=[("", _("All buildings")), ("1", _("Rental housing")), ("0", _("Not rented out"))],
    )
    field_order = ["q", "rental", "under"]

    def selection(self) -> dict[str, Any]:
        """Keyword arguments of ``selectors.buildings_filtered``."""
        values = self.values()
        return {
            "q": values.get("q"),
            "under": values.get("under"),
            "rental": RENTAL.get(values.get("rental", "")),
        }


class UnmaskForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need it?"),
        required=False,
        max_length=500,
        help_text=_("Recorded in the audit log with your name."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MoveOutForm(forms.Form):
    person_id = forms.IntegerField(widget=forms.HiddenInput)
    move_out = _date(_("Moved out on"))
    left_area = forms.BooleanField(label=_("Left the area (mark as gone)"), required=False)
    note = _note()


class PickForm(forms.Form):
    """Move a registered person in: found with the search box, picked from the results.

    The results are radio buttons of ``person_id``; whoever is picked is looked up again
    among the people the user sees.
    """

    person_id = forms.IntegerField(label=_("Person"), required=False)
    move_in = _date(_("Moved in on"))
    note = _note()


class NewTenantForm(forms.Form):
    """Register a person who is not in the registry yet and move them in."""

    name = _text(_("Name"), 50, autocomplete="off")
    id_number = _text(_("ID number"), 32, autocomplete="off", autocapitalize="characters")
    phone = _text(_("Phone"), 32, inputmode="tel", autocomplete="off")
    residence_type = forms.CharField(
        label=_("Residence type"),
        required=False,
        initial=ResidenceType.FLOATING,
        widget=forms.RadioSelect(choices=ResidenceType.choices),
    )
    registered_address = _text(_("Household registration address"), 200)
    move_in = _date(_("Moved in on"))
    note = _note()


class TenantReportForm(forms.Form):
    """A landlord's report (租户变动申报): a tenant moved in (registered on the spot if new)
    or a tenant moved out (and left the area)."""

    change = forms.ChoiceField(
        label=_("What changed"),
        choices=TenantChange.choices,
        initial=TenantChange.MOVED_IN,
        widget=forms.RadioSelect,
    )
    person_id = forms.TypedChoiceField(
        label=_("Tenant who moved out"), coerce=int, required=False, empty_value=None
    )
    name = _text(_("New tenant's name"), 50, autocomplete="off")
    id_number = _text(
        _("New tenant's ID number"), 32, autocomplete="off", autocapitalize="characters"
    )
    phone = _text(_("New tenant's phone"), 32, inputmode="tel", autocomplete="off")
    registered_address = _text(_("New tenant's household registration address"), 200)
    changed_on = _date(_("Date of the change"))
    reporter_name = _text(_("Reported by"), 50, autocomplete="off")
    note = _note()

    def __init__(self, *args: Any, occupants: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person_id"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("Choose the tenant…")), *occupants]

    #: Fields that belong to one kind of change (the template groups them).
    MOVED_IN_FIELDS = ("name", "id_number", "phone", "registered_address")
    MOVED_OUT_FIELDS = ("person_id",)
    COMMON_FIELDS = ("changed_on", "reporter_name", "note")
