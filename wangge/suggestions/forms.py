"""Forms of the suggestion and draft pages.  Validation that needs the database (scope,
states, deadlines) is the actions'; their refusals are put back on these forms."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.suggestions.choices import SuggestionState, Topic

STATE_FILTERS = [
    ("", _("All")),
    ("open", _("Not finished yet")),
    *(
        (state.value, state.label)
        for state in (
            SuggestionState.SUBMITTED,
            SuggestionState.TRIAGED,
            SuggestionState.ADOPTED,
            SuggestionState.IN_PROGRESS,
            SuggestionState.DONE,
            SuggestionState.NOT_ADOPTED,
            SuggestionState.REJECTED,
        )
    ),
]
ADOPTED_CHOICES = [("yes", _("Adopted")), ("no", _("Not adopted"))]


class _WithRequestId(forms.Form):
    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_id", uuid.uuid4().hex)


class SuggestionForm(_WithRequestId):
    title = forms.CharField(label=_("Title"), max_length=100)
    content = forms.CharField(
        label=_("Your suggestion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    node = forms.ChoiceField(label=_("Where it applies"), required=False)
    contact = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=32,
        help_text=_("Only the staff handling it see it, masked."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    anonymous = forms.BooleanField(label=_("Do not show my name to others"), required=False)

    def __init__(
        self, *args: Any, nodes: list[tuple[str, str]], default: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["node"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [("", _("Choose…")), *nodes]
        if default and not self.is_bound:
            self.initial.setdefault("node", default)


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=STATE_FILTERS, required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def selection(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {"state": self.cleaned_data["state"] or None, "mine": self.cleaned_data["mine"]}


class _Versioned(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TriageForm(_Versioned):
    department = forms.ChoiceField(label=_("Department"), required=False)
    node = forms.ChoiceField(label=_("Or the centre of"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[str, str]] = (),  # type: ignore[assignment]
        nodes: list[tuple[str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("department", departments), ("node", nodes)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101
            field.choices = [("", "—"), *choices]


class RejectForm(_Versioned):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(_Versioned):
    adopted = forms.ChoiceField(
        label=_("Decision"), choices=ADOPTED_CHOICES, widget=forms.RadioSelect, required=False
    )
    answer = forms.CharField(
        label=_("The answer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def adopted_value(self) -> bool | None:
        value = self.cleaned_data.get("adopted")
        return None if not value else value == "yes"


class NoteForm(_Versioned):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DraftForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    issuing_body = forms.CharField(label=_("Asked by"), max_length=100)
    body = forms.CharField(
        label=_("Text or summary"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    node = forms.ChoiceField(label=_("Managed by"), required=False)
    deadline = forms.DateTimeField(
        label=_("Deadline"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    points = forms.MultipleChoiceField(
        label=_("Liaison points"), widget=forms.CheckboxSelectMultiple, required=False
    )
    publish = forms.BooleanField(label=_("Publish now"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        nodes: list[tuple[str, str]],
        points: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        node_field = self.fields["node"]
        point_field = self.fields["points"]
        assert isinstance(node_field, forms.ChoiceField)  # noqa: S101
        assert isinstance(point_field, forms.MultipleChoiceField)  # noqa: S101
        node_field.choices = nodes
        point_field.choices = points


class OpinionForm(_WithRequestId):
    point = forms.ChoiceField(label=_("Liaison point"))
    article = forms.CharField(label=_("Article (optional)"), required=False, max_length=50)
    content = forms.CharField(
        label=_("Your opinion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )
    author_name = forms.CharField(
        label=_("Name on the paper opinion"),
        required=False,
        max_length=64,
        help_text=_("Point staff: the name of the person whose opinion you type in."),
    )

    def __init__(
        self, *args: Any, points: list[tuple[str, str]], staff: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["point"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = points
        if not staff:
            del self.fields["author_name"]


class PointForm(forms.Form):
    name = forms.CharField(label=_("Name of the point"), max_length=100)
    node = forms.ChoiceField(label=_("Where the point is"))
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=64)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, *args: Any, nodes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["node"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = nodes
