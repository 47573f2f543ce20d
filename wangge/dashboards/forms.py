"""The dashboards' query strings: node, period, trend bucket, order, and what a list shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.dashboards.figures import DIMENSIONS, FIGURE_FILTERS
from wangge.dashboards.periods import BUCKETS, PERIODS, Period, PeriodError, resolve_period
from wangge.dashboards.selectors import ORDERS

CODE = r"^[0-9]{6,18}$"


@dataclass
class Selection:
    under: str | None
    period: Period
    bucket: str | None
    order: str
    errors: dict[str, str] = field(default_factory=dict)


class DashboardForm(forms.Form):
    """``?under=&period=&since=&until=&bucket=&order=`` (GET).  What does not parse is left
    out; a custom period that does not hold falls back to the default and says why."""

    under = forms.RegexField(regex=CODE, required=False)
    period = forms.ChoiceField(
        label=_("Period"), required=False, choices=[("", "")] + list(PERIODS.items())
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    bucket = forms.ChoiceField(required=False, choices=[("", "")] + list(BUCKETS.items()))
    order = forms.ChoiceField(required=False, choices=[("", "")] + [(k, k) for k in ORDERS])

    def selection(self, *, today: date) -> Selection:
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        errors: dict[str, str] = {}
        try:
            period = resolve_period(
                data.get("period") or None, data.get("since"), data.get("until"), today=today
            )
        except PeriodError as exc:
            errors = exc.fields
            period = resolve_period(None, None, None, today=today)
        for name in ("since", "until"):
            # A date that does not parse says so (not "enter the date").
            if name in self.errors and self.data.get(name):
                errors[name] = str(self.errors[name][0])
        return Selection(
            under=data.get("under") or None,
            period=period,
            bucket=data.get("bucket") or None,
            order=data.get("order") or "reported",
            errors=errors,
        )


class EventsForm(DashboardForm):
    """The list of events behind a number: the dashboard's node and period, the figure and
    breakdown values (``?figure=handled&category=06``)."""

    figure = forms.ChoiceField(required=False, choices=[(k, k) for k in FIGURE_FILTERS])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dim in DIMENSIONS:
            self.fields[dim] = forms.CharField(required=False, max_length=32)

    def figure_and_filters(self) -> tuple[str, dict[str, str]]:
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        figure = data.get("figure") or "reported"
        filters = {dim: data[dim] for dim in DIMENSIONS if dim in self.data and dim in data}
        return figure, {k: (v or "").strip() for k, v in filters.items()}
