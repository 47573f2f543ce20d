"""Forms of the campaign pages: defining a campaign (with its questions) and the outcome form.

The outcome form is posted two ways with the same field names: by the phone's
offline outbox as JSON to ``POST /api/v1/campaigns/attempts`` (``answers.<key>``
inputs become ``answers: {key: value}``), and, without JavaScript, as a plain
form to the page's own view.  Its fields take any text: the action checks every
value and its messages come back field by field.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.campaigns import selectors
from wangge.campaigns.actions import QuestionSpec
from wangge.campaigns.choices import Channel, MapsTo, QuestionKind, TargetKind
from wangge.campaigns.models import Outcome, Question, Target

SPLIT_CHOICES = re.compile(r"[、,，;；\n]+")
PHOTO_UPLOAD_URL = "/api/v1/campaigns/photos"


# --- defining a campaign -----------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Campaign name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    area_code = forms.ChoiceField(label=_("Campaign area"))
    target_kind = forms.ChoiceField(label=_("Targets"), choices=TargetKind.choices)
    tag = forms.ChoiceField(
        label=_("Special group"),
        required=False,
        help_text=_("For campaigns over the people of a special group."),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    assign_part_time = forms.BooleanField(
        label=_("Also assign part-time workers of the minimal units"), required=False
    )
    file = forms.FileField(
        label=_("List (.xlsx or .csv)"),
        required=False,
        help_text=_("For imported lists: columns 姓名, 地址, 电话, 最小单元编码."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area_code"]
        assert isinstance(area, forms.ChoiceField)  # noqa: S101 - declared above
        area.choices = selectors.area_choices(user)
        tag = self.fields["tag"]
        assert isinstance(tag, forms.ChoiceField)  # noqa: S101 - declared above
        from wangge.people.selectors import active_tags

        tag.choices = [("", "—"), *((t.code, t.name) for t in active_tags())]


class QuestionForm(forms.Form):
    """One row of the question table; a row without a question is left out."""

    label = forms.CharField(label=_("Question"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Type"), choices=QuestionKind.choices, initial=QuestionKind.TEXT
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=1000,
        help_text=_("For choice questions, separated by 、 or commas."),
    )
    show_if = forms.IntegerField(
        label=_("Shown only if question no."), required=False, min_value=1, max_value=30
    )
    show_if_value = forms.CharField(label=_("…is answered"), required=False, max_length=50)
    maps_to = forms.ChoiceField(label=_("Updates"), required=False, choices=MapsTo.choices)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=5, max_num=30, validate_max=True)


def question_specs(formset: Any) -> tuple[list[QuestionSpec], list[Any]]:
    """The questions of the filled rows (key ``q<row>``) and the row form of each."""
    specs: list[QuestionSpec] = []
    rows: list[Any] = []
    for number, form in enumerate(formset.forms, start=1):
        data = form.cleaned_data if form.is_valid() else {}
        if not (data.get("label") or "").strip():
            continue
        show_if = data.get("show_if")
        specs.append(
            QuestionSpec(
                key=f"q{number}",
                label=data["label"],
                kind=data.get("kind") or QuestionKind.TEXT,
                required=bool(data.get("required")),
                choices=[c for c in SPLIT_CHOICES.split(data.get("choices") or "") if c.strip()],
                show_if_key=f"q{show_if}" if show_if else "",
                show_if_value=data.get("show_if_value") or "",
                maps_to=data.get("maps_to") or "",
            )
        )
        rows.append(form)
    return specs, rows


# --- the outcome form -------------------------------------------------------------------------


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def answer_name(key: str) -> str:
    return f"answers.{key}"


class AttemptForm(forms.Form):
    """The outcome of a call or visit.  Field names are those of the API's JSON body."""

    request_id = forms.CharField(widget=forms.HiddenInput, required=False)
    target_id = forms.CharField(widget=forms.HiddenInput, required=False)
    channel = forms.CharField(
        label=_("By"),
        required=False,
        widget=forms.RadioSelect(choices=Channel.choices),
        initial=Channel.VISIT,
    )
    outcome = forms.CharField(label=_("Outcome"), required=False)
    follow_up_at = forms.CharField(
        label=_("Follow up at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Required for 今晚回; otherwise the outcome's default time."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        target: Target,
        questions: Sequence[Question],
        outcomes: Sequence[Outcome],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", f"t{target.pk}-%s")
        super().__init__(*args, **kwargs)
        self.target = target
        self.questions = list(questions)
        if not self.is_bound:
            self.initial.setdefault("request_id", str(uuid.uuid4()))
        self.initial.setdefault("target_id", str(target.pk))
        outcome = self.fields["outcome"]
        outcome.widget = forms.Select(
            choices=[("", _("Choose…")), *((o.code, o.label) for o in outcomes)]
        )
        labels = {q.key: q.label for q in self.questions}
        for q in self.questions:
            self.fields[answer_name(q.key)] = self._answer_field(q, labels)

    @staticmethod
    def _answer_field(q: Question, labels: dict[str, str]) -> forms.Field:
        help_text = ""
        if q.show_if_key:
            help_text = str(
                _("Only if “%(question)s” is “%(value)s”.")
                % {"question": labels.get(q.show_if_key, q.show_if_key), "value": q.show_if_value}
            )
        attrs: dict[str, str] = {}
        if q.show_if_key:
            attrs = {
                "data-show-if": answer_name(q.show_if_key),
                "data-show-if-value": q.show_if_value,
            }
        label = f"{q.label}{' *' if q.required else ''}"
        common: dict[str, Any] = {"label": label, "required": False, "help_text": help_text}
        if q.kind == QuestionKind.CHOICE:
            choices = [("", "—"), *((c, c) for c in q.choices)]
            return forms.CharField(widget=forms.Select(choices=choices, attrs=attrs), **common)
        if q.kind == QuestionKind.NUMBER:
            attrs["inputmode"] = "decimal"
            return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
        if q.kind == QuestionKind.DATE:
            return forms.CharField(widget=DateInput(attrs=attrs), **common)
        if q.kind == QuestionKind.PHOTO:
            attrs.update(
                {
                    "accept": "image/jpeg,image/png,image/webp",
                    "capture": "environment",
                    # The outbox uploads it first; the photo's id becomes the answer.
                    "data-outbox-upload": PHOTO_UPLOAD_URL,
                }
            )
            return forms.FileField(widget=forms.FileInput(attrs=attrs), **common)
        if q.maps_to == MapsTo.PHONE:
            attrs.update(inputmode="tel", autocomplete="off")
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)

    @property
    def has_photo(self) -> bool:
        return any(q.kind == QuestionKind.PHOTO for q in self.questions)

    def answer_fields(self) -> list[Any]:
        return [self[answer_name(q.key)] for q in self.questions]
