"""Forms of the people pages: they parse what a browser sends, the actions decide.

As on the event pages, text a user types is never required here: the action
checks it and answers with its own Chinese message for the field
(``RecordError.fields``).  The forms turn strings into choices and offer the
choices that make sense for the user (their grids and units, the special
groups).  ``area_choices`` and ``RegistryFilterForm`` serve the lists of the
other registries (places, assets, organisations) too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wangge.accounts.scope import prefix_q, scope_for
from wangge.lib import codes
from wangge.lib.crypto import mask_id_number, mask_phone
from wangge.people import selectors
from wangge.people.choices import PersonStatus, ResidenceType, UnmaskField
from wangge.people.models import Person

#: At most this many places in a select; beyond it, the code is typed.
AREA_CHOICES_LIMIT = 400
#: Indentation of a node under its parent in a select.
INDENT = "\u3000"

ALL_LEVELS = ("district", "street", "community", "grid", "unit")


def _levels_below(root: str, depth: int) -> list[str]:
    top = int(codes.level_of(root))
    return list(ALL_LEVELS[top : min(top + depth, int(codes.Level.UNIT)) + 1])


def area_rows(
    roots: list[str] | None,
    *,
    depth: int = 2,
    levels: tuple[str, ...] | None = None,
    limit: int = AREA_CHOICES_LIMIT,
) -> list[tuple[str, str, str]]:
    """``(code, name, level)`` of the nodes under ``roots`` (``None``: everywhere), in code order.

    Each root and ``depth`` levels below it, or only the nodes of ``levels``.
    At most ``limit + 1`` rows: one more than the limit says there are too many.
    """
    from wangge.regions.models import Region

    if roots is not None and not roots:
        return []
    if roots is None:
        wanted = Q(level__in=levels or ALL_LEVELS[: depth + 1])
    else:
        wanted = Q(pk__in=[])
        for root in roots:
            allowed = levels or tuple(_levels_below(root, depth))
            wanted |= prefix_q("code", [root]) & Q(level__in=allowed)
    rows = Region.objects.filter(wanted).order_by("code").values_list("code", "name", "level")
    return [(code, name, level) for code, name, level in rows[: limit + 1]]


def indented(rows: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Choices with each node indented under its parent."""
    top = min((len(code) for code, _name, _level in rows), default=0)
    return [(code, INDENT * ((len(code) - top) // 3) + name) for code, name, _level in rows]


def scope_roots(user: Any, perm: str) -> list[str] | None:
    """Where the user holds ``perm``; ``None`` for everywhere (global roles)."""
    scope = scope_for(user)
    return None if scope.is_global else scope.roots_with(perm)


def node_roots(user: Any) -> list[str] | None:
    """The subtrees the user works in; ``None`` for everywhere (global roles)."""
    scope = scope_for(user)
    return None if scope.is_global else scope.node_roots


class RegistryFilterForm(forms.Form):
    """Filters of a registry list (GET).  A value that does not parse is left out, not fatal.

    Subclasses declare their fields; ``under`` (the area) is filled with the
    nodes under ``roots``.
    """

    under = forms.ChoiceField(label=_("Grid"), required=False)

    def __init__(self, *args: Any, roots: list[str] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = area_rows(roots)[:AREA_CHOICES_LIMIT]
        under: list[tuple[str, str]] = [("", str(_("My whole area")))]
        under += indented(rows)
        wanted = (self.data.get("under") or "").strip() if self.is_bound else ""
        if wanted and codes.is_valid(wanted) and wanted not in {c for c, _n in under}:
            under.append((wanted, wanted))
        self.set_choices("under", under)

    def set_choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared by the form
        field.choices = choices

    def values(self) -> dict[str, Any]:
        """The values that parsed (empty ones left out)."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in ("", None)}

    def active(self) -> bool:
        """Is any filter set?"""
        return bool(self.is_bound and any(self.data.get(name) for name in self.fields))


class PersonFilterForm(RegistryFilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, initials, ID number, phone or address"),
                "autocomplete": "off",
                "enterkeyhint": "search",
            }
        ),
    )
    tag = forms.ChoiceField(label=_("Special group"), required=False)
    residence_type = forms.ChoiceField(
        label=_("Residence type"),
        required=False,
        choices=[("", _("Registered and floating")), *ResidenceType.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *PersonStatus.choices],
    )
    field_order = ["q", "tag", "residence_type", "status", "under"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices(
            "tag",
            [("", _("All people")), *((t.code, t.name) for t in selectors.active_tags())],
        )

    def selection(self) -> dict[str, Any]:
        """Keyword arguments of ``selectors.search_people``."""
        values = self.values()
        return {
            "q": values.get("q"),
            "under": values.get("under"),
            "tag": values.get("tag"),
            "status": values.get("status"),
            "residence_type": values.get("residence_type"),
        }


def residence_choices(user: Any, perm: str) -> list[tuple[str, str]] | None:
    """The grids and units where the user holds ``perm``; ``None`` when there are too many."""
    rows = area_rows(scope_roots(user, perm), levels=("grid", "unit"))
    if len(rows) > AREA_CHOICES_LIMIT:
        return None
    return indented(rows)


def _text(label: Any, max_length: int, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )


class PersonFieldsForm(forms.Form):
    """What registering and changing a person have in common."""

    name = _text(_("Name"), 50, autocomplete="off")
    id_number = _text(
        _("ID number"), 32, inputmode="text", autocomplete="off", autocapitalize="characters"
    )
    phone = _text(_("Phone"), 32, inputmode="tel", autocomplete="off")
    residence_type = forms.CharField(
        label=_("Residence type"),
        required=False,
        initial=ResidenceType.REGISTERED,
        widget=forms.RadioSelect(choices=ResidenceType.choices),
    )
    registered_address = _text(_("Household registration address"), 200)
    residence_address = _text(_("Actual residence"), 200)
    tags = forms.MultipleChoiceField(
        label=_("Special groups"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tags"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = [(t.code, t.name) for t in selectors.active_tags()]


class PersonForm(PersonFieldsForm):
    """Register a person (登记) where they live."""

    #: Any value reaches the action, which answers for places out of scope.
    region_code = forms.CharField(label=_("Grid or minimal unit"), required=False, max_length=18)
    field_order = [
        "name",
        "id_number",
        "phone",
        "region_code",
        "residence_type",
        "residence_address",
        "registered_address",
        "tags",
        "notes",
    ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = residence_choices(user, selectors.ADD)
        if choices is None:
            self.fields["region_code"] = forms.CharField(
                label=_("Grid or minimal unit"),
                required=False,
                max_length=18,
                help_text=_("The 15-digit code of the grid or the 18-digit code of the unit."),
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
        else:
            self.fields["region_code"].widget = forms.Select(
                choices=[("", _("Choose where the person lives…")), *choices]
            )
            if len(choices) == 1 and not self.is_bound:
                self.initial.setdefault("region_code", choices[0][0])


class EditPersonForm(PersonFieldsForm):
    """Change a person.  The ID number and phone are never shown in clear here: typed in,
    they replace the stored ones; left empty, they stay."""

    status = forms.CharField(
        label=_("Status"), required=False, widget=forms.RadioSelect(choices=PersonStatus.choices)
    )
    remove_phone = forms.BooleanField(label=_("Remove the phone number"), required=False)
    field_order = [
        "name",
        "id_number",
        "phone",
        "remove_phone",
        "residence_type",
        "status",
        "residence_address",
        "registered_address",
        "tags",
        "notes",
    ]

    def __init__(self, *args: Any, person: Person, tags: list[str], **kwargs: Any) -> None:
        initial = {
            "name": person.name,
            "residence_type": person.residence_type,
            "status": person.status,
            "registered_address": person.registered_address,
            "residence_address": person.residence_address,
            "notes": person.notes,
            "tags": tags,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.person = person
        self.fields["id_number"].help_text = gettext(
            "Now %(masked)s. Leave empty to keep it; type the full number to change it."
        ) % {"masked": mask_id_number(person.id_number)}
        if person.phone:
            self.fields["phone"].help_text = gettext("Now %(masked)s. Leave empty to keep it.") % {
                "masked": mask_phone(person.phone)
            }
        else:
            del self.fields["remove_phone"]

    def changes(self) -> dict[str, Any]:
        """Keyword arguments of ``actions.do_update_person``."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "name": data["name"],
            "residence_type": data["residence_type"],
            "status": data["status"],
            "registered_address": data["registered_address"],
            "residence_address": data["residence_address"],
            "notes": data["notes"],
            "tags": data["tags"],
        }
        if data["id_number"].strip():
            changes["id_number"] = data["id_number"]
        if data["phone"].strip():
            changes["phone"] = data["phone"]
        elif data.get("remove_phone"):
            changes["phone"] = ""
        return changes


class UnmaskForm(forms.Form):
    """Why the clear value is needed; the button pressed says which one."""

    field = forms.ChoiceField(choices=[("", ""), *UnmaskField.choices], required=False)
    reason = forms.CharField(
        label=_("Why do you need it?"),
        required=False,
        max_length=500,
        help_text=_("Recorded in the audit log with your name."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
