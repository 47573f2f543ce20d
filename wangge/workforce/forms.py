"""The training form: record a session held by a node.

Its fields take what is typed: ``do_create_training_session`` checks every value and its
messages come back field by field (the same ones the API answers with).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.workforce import selectors


class DateInput(forms.DateInput):
    input_type = "date"


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Subject"), required=False, strip=True)
    held_on = forms.DateField(label=_("Date held"), required=False, widget=DateInput)
    node = forms.ChoiceField(label=_("Held by"))
    trainer = forms.CharField(label=_("Trainer"), required=False, strip=True)
    request_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        node = self.fields["node"]
        assert isinstance(node, forms.ChoiceField)  # noqa: S101 - declared above
        node.choices = selectors.node_choices(user, selectors.ADD_TRAINING)
