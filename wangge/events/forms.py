"""Forms of the event pages: they parse what a browser sends, the actions decide.

Text a user types is never required here: the action checks it and answers
with its own message for the field (``EventError.fields``), so a
rule lives in one place whether it comes through a page or the API.  The
forms only turn strings into numbers, choices and booleans, and offer the
choices (departments, categories) that make sense for the event.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.scope import scope_for
from wangge.events import selectors
from wangge.events.choices import (
    EventSource,
    EventState,
    ExtensionState,
    PartState,
    Satisfaction,
    TimeUnit,
)
from wangge.events.models import Category, Event
from wangge.lib import codes

NOTE_ROWS = 2
YES_NO = [("1", _("Yes")), ("0", _("No"))]


def _yes(value: str) -> bool:
    return value == "1"


def category_choices(categories: list[Category]) -> list[Any]:
    """Sub-categories grouped under their top-level type (``<optgroup>``)."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for c in categories:
        if c.parent is None:
            groups.setdefault(c.code, (c.name, []))
    for c in categories:
        if c.parent is not None:
            name = c.name if c.admitted else f"{c.name}（{_('not admitted')}）"
            groups.setdefault(c.parent.code, (c.parent.name, []))[1].append((c.code, name))
    return [(name, subs) for name, subs in groups.values() if subs]


def _note(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": NOTE_ROWS}),
    )


class EventActionForm(forms.Form):
    """Base of the action forms: the version the user saw (409 if it moved on)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, event: Event, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("version", event.version)

    def relevant(self) -> bool:
        """Worth offering now (e.g. "decide" only with a request pending)?  Actions check again."""
        return True

    def seen_version(self) -> int | None:
        value = self.cleaned_data.get("version")
        return int(value) if value is not None else None


class NoteForm(EventActionForm):
    note = _note()


class ReasonForm(EventActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": NOTE_ROWS}),
    )


class RequiredNoteForm(EventActionForm):
    note = _note(_("Result"))


class SuperviseForm(EventActionForm):
    note = _note(_("Supervision note"))


class RegisterForm(EventActionForm):
    category = forms.ChoiceField(label=_("Category"), required=False)
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = category_choices(list(selectors.active_categories()))
        if not self.is_bound:
            self.initial.setdefault("category", self.event.category.code)


class RejectForm(ReasonForm):
    duplicate_of = forms.CharField(
        label=_("Duplicate of (tracking number)"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def duplicate_id(self) -> int | None:
        """The id of the event named as the original; 0 (never an id) when none matches."""
        text = (self.cleaned_data.get("duplicate_of") or "").strip()
        if not text:
            return None
        return selectors.find_event_id(self.user, text) or 0


def set_departments(form: EventActionForm) -> None:
    """A select of the departments of the event's district, the category's default first."""
    event = form.event
    default = event.category.default_department_code
    choices = [(d.code, d.name) for d in selectors.departments_for_event(event)]
    choices.sort(key=lambda item: item[0] != default)
    field = form.fields["department"]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared by the form
    field.choices = choices
    if not form.is_bound:
        current = event.current_department
        form.initial.setdefault("department", current.code if current else default)


class DispatchForm(EventActionForm):
    department = forms.ChoiceField(label=_("Department"), required=False)
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_departments(self)


class ForceForm(EventActionForm):
    department = forms.ChoiceField(label=_("Department"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": NOTE_ROWS}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_departments(self)


class ExtensionForm(EventActionForm):
    amount = forms.IntegerField(
        label=_("Extra time"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 1000}),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=TimeUnit.choices, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": NOTE_ROWS}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("unit", self.event.category.handle_unit)

    def relevant(self) -> bool:
        """One request at a time, and only before the deadline."""
        due = self.event.handle_due
        pending = any(x.state == ExtensionState.PENDING for x in self.event.extensions.all())
        return not pending and (due is None or timezone.now() < due)


class DecideExtensionForm(EventActionForm):
    extension_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        choices=YES_NO, coerce=_yes, required=True, widget=forms.HiddenInput
    )
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = [x for x in self.event.extensions.all() if x.state == ExtensionState.PENDING]
        self.pending = pending[0] if pending else None
        if not self.is_bound and self.pending is not None:
            self.initial.setdefault("extension_id", self.pending.pk)

    def relevant(self) -> bool:
        return self.pending is not None


class VerifyForm(EventActionForm):
    passed = forms.TypedChoiceField(
        choices=YES_NO, coerce=_yes, required=True, widget=forms.HiddenInput
    )
    note = _note(_("Verification note"))


class ReturnVisitForm(EventActionForm):
    contacted = forms.TypedChoiceField(
        label=_("Reporter reached"),
        choices=YES_NO,
        coerce=_yes,
        initial="1",
        widget=forms.RadioSelect,
    )
    solved = forms.TypedChoiceField(
        label=_("Problem solved"),
        choices=YES_NO,
        coerce=_yes,
        initial="1",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"),
        choices=[("", "—"), *Satisfaction.choices],
        required=False,
    )
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.own_rating():
            # The reporter rates their own event: they are, of course, reached.
            self.fields["contacted"].widget = forms.HiddenInput()
            self.fields["contacted"].initial = "1"
            self.fields["satisfaction"].label = _("How satisfied are you?")
            self.fields["solved"].label = _("Is the problem solved?")

    def own_rating(self) -> bool:
        return selectors.is_reporter(self.user, self.event) and not scope_for(self.user).can(
            "events.visit_event", self.event.region_code
        )


class SummonForm(EventActionForm):
    departments = forms.MultipleChoiceField(
        label=_("Departments to summon"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _note(_("Why the departments are summoned"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["departments"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = [(d.code, d.name) for d in selectors.departments_for_event(self.event)]


class PartForm(EventActionForm):
    """Report in (报到) as one of the user's summoned departments."""

    #: The states of the user's parts this form acts on.
    part_states: tuple[str, ...] = (PartState.SUMMONED,)

    department = forms.ChoiceField(label=_("As department"), required=False)
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = scope_for(self.user).is_global
        mine = set(selectors.user_department_ids(self.user))
        parts = [
            p
            for p in self.event.parts.all()
            if (everyone or p.department_id in mine) and p.state in self.part_states
        ]
        self.parts = parts
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(p.department.code, p.department.name) for p in parts]
        if len(parts) <= 1:
            field.widget = forms.HiddenInput()
            if parts and not self.is_bound:
                self.initial.setdefault("department", parts[0].department.code)

    def relevant(self) -> bool:
        return bool(self.parts)


class CompletePartForm(PartForm):
    """完成分工 of a part the department reported in for."""

    part_states = (PartState.REPORTED_IN,)
    note = _note(_("Result"))


# --- reporting ------------------------------------------------------------------------


class ReportForm(forms.Form):
    """A new event: where (a map pin or the phone's location), what, and a request id.

    The request id is chosen when the form is shown; sending the same form twice
    (a double tap, a retry on a bad network) stores the event once.
    """

    category = forms.ChoiceField(label=_("Category"), required=False)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=100,
        help_text=_("Optional: the category name is used when left empty."),
    )
    description = forms.CharField(
        label=_("What is the problem?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
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
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    reporter_contact = forms.CharField(
        label=_("Contact phone"),
        required=False,
        max_length=64,
        help_text=_("Optional; shown to handlers only masked."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("Optional: a photo of the problem."),
        widget=forms.FileInput(
            attrs={
                "accept": "image/jpeg,image/png,image/webp",
                # The phone's outbox uploads it first, then names it in the report.
                "data-outbox-upload": "/api/v1/events/attachments",
                "data-outbox-field": "attachments[]",
                "data-outbox-upload-data": '{"kind": "report"}',
            }
        ),
    )
    anonymous = forms.BooleanField(
        label=_("Stay anonymous to the public"),
        required=False,
        help_text=_("Your name is not shown to other residents; the centre still sees it."),
    )
    request_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("Choose a category…")), *category_choices(self.categories())]
        if not self.is_bound:
            self.initial.setdefault("request_id", uuid.uuid4().hex)

    @staticmethod
    def categories() -> list[Category]:
        return [c for c in selectors.active_categories() if c.parent is None or c.admitted]


# --- lists --------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's filters (GET).  A value that does not parse is left out, not fatal."""

    state = forms.ChoiceField(label=_("State"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    under = forms.ChoiceField(label=_("Region"), required=False)
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", _("Overdue or not")), ("1", _("Overdue")), ("0", _("Not overdue"))],
    )
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(
            "state", [("", _("To do (open)")), ("all", _("All states")), *EventState.choices]
        )
        self._choices("source", [("", _("All sources")), *EventSource.choices])
        groups: list[Any] = [("", _("All categories"))]
        categories = list(selectors.active_categories())
        for top in (c for c in categories if c.parent is None):
            subs = [(c.code, c.name) for c in categories if c.parent_id == top.pk]
            groups.append((top.name, [(top.code, f"{top.name} · {_('all')}"), *subs]))
        self._choices("category", groups)
        depth0 = min((len(code) for code, _n, _l in areas), default=0)
        indent = {depth0 + 3 * i: "\u3000" * i for i in range(5)}
        under: list[tuple[str, Any]] = [("", _("My whole area"))]
        under += [(code, f"{indent.get(len(code), '')}{name}") for code, name, _l in areas]
        wanted = (self.data.get("under") or "").strip() if self.is_bound else ""
        if wanted and codes.is_valid(wanted) and wanted not in {c for c, _n in under}:
            under.append((wanted, wanted))
        self._choices("under", under)

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices

    def selection(self) -> dict[str, Any]:
        """Keyword arguments of ``selectors.event_queue`` from the values that parsed."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        state = data.get("state") or ""
        overdue = data.get("overdue") or ""
        return {
            "state": state if state in EventState.values else None,
            "open_only": state == "",
            "category": data.get("category") or None,
            "source": data.get("source") or None,
            "under": data.get("under") or None,
            "overdue": {"1": True, "0": False}.get(overdue),
        }

    def active(self) -> bool:
        """Is any filter but the default one set?"""
        return bool(self.is_bound and any(self.data.get(name) for name in self.fields))


class BulkDispatchForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    department = forms.ChoiceField(label=_("Dispatch to"), required=False)

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("The default department of each category")), *departments]
        ids = self.fields["ids"]
        assert isinstance(ids, forms.TypedMultipleChoiceField)  # noqa: S101 - declared above
        posted = self.data.getlist("ids") if self.is_bound and hasattr(self.data, "getlist") else []
        ids.choices = [(v, v) for v in posted if str(v).isdigit()]


class MergeForm(forms.Form):
    """合并 from the "possible duplicates" list: the duplicate is the page's or the other one."""

    original = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
