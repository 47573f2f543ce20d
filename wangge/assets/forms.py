"""The filters of the city-parts list (GET): a value that does not parse is left out."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.assets import selectors
from wangge.assets.choices import CATEGORY_DIGITS, AssetCategory, AssetState
from wangge.people.forms import RegistryFilterForm


def type_choices() -> list[Any]:
    """Each class (its two digits take in all of its types), then its types."""
    types = list(selectors.active_asset_types())
    groups: list[Any] = [("", _("All types"))]
    for category in AssetCategory:
        subs = [(t.code, t.name) for t in types if t.category == category]
        if subs:
            digits, label = CATEGORY_DIGITS[category], str(category.label)
            groups.append((label, [(digits, f"{label} · {_('all')}"), *subs]))
    return groups


class AssetFilterForm(RegistryFilterForm):
    asset_type = forms.ChoiceField(label=_("Type"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *AssetState.choices]
    )
    field_order = ["asset_type", "state", "under"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("asset_type", type_choices())

    def selection(self) -> dict[str, Any]:
        """Keyword arguments of ``selectors.assets_filtered``."""
        values = self.values()
        return {
            "asset_type": values.get("asset_type"),
            "state": values.get("state"),
            "under": values.get("under"),
        }
