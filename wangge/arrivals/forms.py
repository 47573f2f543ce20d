"""Forms of the arrival pages: they parse what a browser sends, the actions decide.

As on the other pages, text a user types is never required here: the action
checks it and answers with its own Chinese message for the field.  The
destination is picked street → community → unit from the hierarchy's names
(each select filled from the one above it; htmx refreshes the next one, and
without JavaScript a button does), or located from a point on the map.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.arrivals import actions, conf, guard, selectors
from wangge.arrivals.choices import FollowUpOutcome, FollowUpStatus, TravelMode, UnmaskField
from wangge.people.forms import RegistryFilterForm


def _text(label: Any, max_length: int, **attrs: Any) -> forms.CharField:
    """Free text; the length is checked by the action (the browser is told too)."""
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": max_length, **attrs}),
    )


def _select(label: Any, **attrs: Any) -> forms.CharField:
    """A select whose options depend on other values; any value reaches the action."""
    return forms.CharField(label=label, required=False, widget=forms.Select(attrs=attrs))


class PublicForm(forms.Form):
    """What every public form carries: the request id, the form token and the honeypot."""

    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    form_token = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    #: The honeypot: hidden from people (and from screen readers), filled in by bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_id", uuid.uuid4().hex)
            self.initial.setdefault("form_token", guard.issue_form_token())

    def value(self, name: str) -> str:
        """The submitted (or initial) value of a field, as text."""
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name)) or "").strip()
        return str(self.initial.get(name) or "").strip()


class DestinationForm(PublicForm):
    """A public form with a destination: street → community → unit, each filled from the
    value above it."""

    district = _select(_("District"))
    street = _select(_("Street or town"))
    community = _select(_("Community or village"))
    unit_code = _select(_("Building or unit"))

    def set_destination_choices(self, *, fixed_district: str = "") -> None:
        district = fixed_district or self.value("district")
        all_districts = selectors.districts()
        if not district and len(all_districts) == 1:
            district = all_districts[0][0]
            self.initial["district"] = district
        street = self.value("street")
        community = self.value("community")
        if street and not street.startswith(district):
            street = ""
        if community and not community.startswith(street or "-"):
            community = ""
        self._choices(
            "district",
            [("", _("Choose the district…")), *all_districts],
        )
        if fixed_district:
            self.fields["district"].widget = forms.HiddenInput()
            self.initial["district"] = fixed_district
        self._choices(
            "street", [("", _("Choose the street or town…")), *selectors.children(district)]
        )
        self._choices(
            "community",
            [("", _("Choose the community or village…")), *selectors.children(street)],
        )
        self._choices(
            "unit_code", [("", _("Choose the building or unit…")), *selectors.children(community)]
        )

        # htmx: a change refills the select below (and empties those further down).
        url = reverse("arrivals:places")
        below = {"district": "street", "street": "community", "community": "unit_code"}
        for name, target in below.items():
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": f"{url}?of={name}",
                    "hx-trigger": "change",
                    "hx-target": f"#id_{target}",
                    "hx-swap": "innerHTML",
                }
            )

    def _choices(self, name: str, choices: list[Any]) -> None:
        widget = self.fields[name].widget
        if isinstance(widget, forms.Select):
            widget.choices = choices


class ReportForm(DestinationForm):
    """离返报备: one person."""

    name = _text(_("Name"), actions.MAX_NAME, autocomplete="name")
    id_number = _text(
        _("ID number"),
        actions.MAX_RAW_IDENTIFIER,
        autocomplete="off",
        autocapitalize="characters",
    )
    phone = _text(
        _("Mobile phone"), actions.MAX_RAW_IDENTIFIER, inputmode="tel", autocomplete="tel"
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    address = _text(_("Address (street, number, room)"), actions.MAX_ADDRESS)
    arrival_at = forms.CharField(
        label=_("Arrival time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    origin = _text(_("Coming from"), actions.MAX_ORIGIN)
    origin_code = _text(
        _("Division code of the place of origin (optional)"), 6, inputmode="numeric"
    )
    travel_mode = forms.CharField(
        label=_("Travel mode"),
        required=False,
        widget=forms.Select(choices=[("", _("Choose…")), *TravelMode.choices]),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": actions.MAX_NOTE}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].help_text = _(
            "Optional; it lets the grid worker find you in the register."
        )
        self.fields["phone"].help_text = _("The grid worker calls this number.")
        self.set_destination_choices()


class GroupForm(DestinationForm):
    """团体码: a group of people arriving together."""

    name = _text(_("Group name (company, school, tour…)"), actions.MAX_GROUP_NAME)
    organiser_name = _text(_("Organiser"), actions.MAX_NAME, autocomplete="name")
    organiser_phone = _text(
        _("Organiser's mobile phone"), actions.MAX_RAW_IDENTIFIER, inputmode="tel"
    )
    address = _text(_("Address (street, number), if all go to one place"), actions.MAX_ADDRESS)

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_code"].label = _("Building or unit, if all go to one place (optional)")
        if staff:
            self.fields["organiser_name"].help_text = _("Your name if left empty.")
            self.fields["organiser_phone"].help_text = _("Optional for staff.")
        self.set_destination_choices()


class GroupReportForm(DestinationForm):
    """The shared part of a group submission: where to, when, from where."""

    lng = ReportForm.base_fields["lng"]
    lat = ReportForm.base_fields["lat"]
    address = _text(_("Address for everybody (or give it per person)"), actions.MAX_ADDRESS)
    arrival_at = ReportForm.base_fields["arrival_at"]
    origin = ReportForm.base_fields["origin"]
    origin_code = ReportForm.base_fields["origin_code"]
    travel_mode = ReportForm.base_fields["travel_mode"]
    note = ReportForm.base_fields["note"]

    def __init__(self, *args: Any, group: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self.set_destination_choices(fixed_district=group.district_code)


ROW_FIELDS = ("name", "id_number", "phone", "address")


def row_count(data: Any, wanted: Any = None) -> int:
    """How many person rows the group page shows: those sent (and more on request)."""
    limit = conf.number("ARRIVALS_GROUP_MAX_ROWS")
    sent = 0
    if data is not None:
        for key in data:
            parts = str(key).split("-")
            if len(parts) == 3 and parts[0] == "row" and parts[1].isdigit():
                sent = max(sent, int(parts[1]) + 1)
    try:
        asked = int(wanted) if wanted not in (None, "") else 0
    except (TypeError, ValueError):
        asked = 0
    return max(1, min(limit, max(sent, asked, 5 if sent == 0 else 0)))


def rows_from(data: Any, count: int) -> list[actions.RowIn]:
    return [
        actions.RowIn(
            **{
                f: str(data.get(f"row-{i}-{f}") or "")[: actions.MAX_ADDRESS + 50]
                for f in ROW_FIELDS
            }
        )
        for i in range(count)
    ]


# --- staff ---------------------------------------------------------------------------------------


class ReportFilterForm(RegistryFilterForm):
    late = forms.ChoiceField(
        label=_("Late"),
        required=False,
        choices=[("", _("Late or not")), ("1", _("Reported late")), ("0", _("On time"))],
    )
    unlinked = forms.ChoiceField(
        label=_("Registered"),
        required=False,
        choices=[
            ("", _("Linked or not")),
            ("1", _("Not linked to a registered person")),
            ("0", _("Linked")),
        ],
    )
    follow_up = forms.ChoiceField(
        label=_("Follow-up"),
        required=False,
        choices=[("", _("Any follow-up state")), *FollowUpStatus.choices],
    )
    date_from = forms.DateField(
        label=_("Arrived from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Arrived until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    field_order = ["late", "unlinked", "follow_up", "date_from", "date_to", "under"]

    def selection(self) -> dict[str, Any]:
        """Keyword arguments of ``selectors.reports_filtered``."""
        values = self.values()
        flag = {"1": True, "0": False}
        return {
            "late": flag.get(values.get("late", "")),
            "unlinked": flag.get(values.get("unlinked", "")),
            "follow_up": values.get("follow_up"),
            "date_from": values.get("date_from"),
            "date_to": values.get("date_to"),
            "under": values.get("under"),
        }


class TaskFilterForm(RegistryFilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("To do")), ("done", _("Done")), ("all", _("All"))],
    )
    field_order = ["status", "under"]

    def selection(self) -> dict[str, Any]:
        values = self.values()
        status = values.get("status", "")
        return {
            "status": {"": FollowUpStatus.OPEN, "done": FollowUpStatus.DONE}.get(status),
            "under": values.get("under"),
        }


class DoneForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        widget=forms.RadioSelect(choices=FollowUpOutcome.choices),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": actions.MAX_NOTE}),
    )


class UnmaskForm(forms.Form):
    field = forms.ChoiceField(choices=UnmaskField.choices, required=False)
    reason = forms.CharField(
        label=_("Why do you need the full number?"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": actions.MAX_REASON}),
    )
