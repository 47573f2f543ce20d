"""The filters of the organisation lists (GET): a value that does not parse is left out."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.organisations.choices import EnterpriseKind, FireRisk, PartyOrgKind, SocialOrgKind
from wangge.people.forms import RegistryFilterForm


def _kinds(choices: list[tuple[str, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *choices]
    )


class EnterpriseFilterForm(RegistryFilterForm):
    kind = _kinds(EnterpriseKind.choices)
    fire_risk_level = forms.ChoiceField(
        label=_("Fire risk"), required=False, choices=[("", _("Any risk")), *FireRisk.choices]
    )
    field_order = ["kind", "fire_risk_level", "under"]


class PartyFilterForm(RegistryFilterForm):
    kind = _kinds(PartyOrgKind.choices)
    field_order = ["kind", "under"]


class CompanyFilterForm(RegistryFilterForm):
    pass


class SocialFilterForm(RegistryFilterForm):
    kind = _kinds(SocialOrgKind.choices)
    field_order = ["kind", "under"]


def selection(form: RegistryFilterForm) -> dict[str, Any]:
    """Keyword arguments of the ``*_filtered`` selector: the form's fields, ``None`` if unset."""
    values = form.values()
    return {name: values.get(name) for name in form.fields}
