"""Checking a campaign form's answers against its questions.

Every answer is checked against its question's type (choice, text, number,
date, photo) with a Chinese message under ``answers.<key>``.  A question shown
only if another answer equals a value is ignored (and not required) when that
is not so.  Required questions are required only when the outcome collects the
answers (已登记): nobody answers a form behind a closed door.

A text answer that maps to a person's phone is checked as a phone number; the
clear value goes to the people action, the stored answer keeps it masked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.campaigns.choices import MapsTo, QuestionKind
from wangge.campaigns.models import Photo, Question
from wangge.lib.crypto import mask_phone
from wangge.people.validation import InvalidValue, parse_phone

MAX_TEXT = 500
REQUIRED = gettext_lazy("This answer is required.")
UNKNOWN = gettext_lazy("There is no such question.")


@dataclass
class Cleaned:
    """Answers as stored (phones masked), base-data updates to make, photos to claim."""

    stored: dict[str, Any] = field(default_factory=dict)
    updates: list[tuple[Question, str]] = field(default_factory=list)
    photo_ids: list[int] = field(default_factory=list)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple):
        return not value
    return False


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool) or isinstance(value, list | dict | tuple):
        return None
    return str(value).strip()


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    text = _as_text(value)
    if text is None:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _comparable(value: Any) -> str:
    """How an answer compares with a question's ``show_if_value``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _photo(value: Any, actor: Any, taken: set[int]) -> int | None:
    text = _as_text(value)
    if text is None or not text.isdigit():
        return None
    pk = int(text)
    if pk in taken:
        return None
    uploader = getattr(actor, "pk", None) if actor is not None else None
    if not Photo.objects.filter(pk=pk, uploader_id=uploader, attempt__isnull=True).exists():
        return None
    return pk


def clean_answers(
    questions: list[Question], raw: dict[str, Any] | None, *, actor: Any, enforce_required: bool
) -> tuple[Cleaned, dict[str, str]]:
    """The answers checked against ``questions``; errors keyed ``answers.<key>``."""
    raw = dict(raw or {})
    errors: dict[str, str] = {}
    known = {q.key for q in questions}
    for key in raw:
        if key not in known:
            errors[f"answers.{key}"] = str(UNKNOWN)
    cleaned = Cleaned()
    shown: dict[str, bool] = {}
    compare: dict[str, str] = {}
    for q in questions:
        name = f"answers.{q.key}"
        visible = True
        if q.show_if_key:
            visible = shown.get(q.show_if_key, False) and (
                compare.get(q.show_if_key) == q.show_if_value
            )
        shown[q.key] = visible
        if not visible:
            continue
        value = raw.get(q.key)
        if _empty(value):
            if q.required and enforce_required:
                errors[name] = str(REQUIRED)
            continue
        if q.kind == QuestionKind.CHOICE:
            text = _as_text(value)
            if text is None or text not in q.choices:
                errors[name] = _("Choose one of: %(choices)s") % {
                    "choices": _(", ").join(str(c) for c in q.choices)
                }
                continue
            cleaned.stored[q.key] = text
        elif q.kind == QuestionKind.TEXT:
            text = _as_text(value)
            if text is None:
                errors[name] = _("Please enter text.")
                continue
            if len(text) > MAX_TEXT:
                errors[name] = _("At most %(max)d characters.") % {"max": MAX_TEXT}
                continue
            if q.maps_to == MapsTo.PHONE:
                try:
                    text = parse_phone(text)
                except InvalidValue as exc:
                    errors[name] = str(exc)
                    continue
                cleaned.updates.append((q, text))
                cleaned.stored[q.key] = mask_phone(text)
                compare[q.key] = cleaned.stored[q.key]
                continue
            if q.maps_to == MapsTo.ADDRESS:
                if len(text) > 200:
                    errors[name] = _("The address must be at most %(max)d characters.") % {
                        "max": 200
                    }
                    continue
                cleaned.updates.append((q, text))
            cleaned.stored[q.key] = text
        elif q.kind == QuestionKind.NUMBER:
            number = _number(value)
            if number is None:
                errors[name] = _("Please enter a number.")
                continue
            cleaned.stored[q.key] = number
        elif q.kind == QuestionKind.DATE:
            text = _as_text(value) or ""
            try:
                day = date.fromisoformat(text)
            except ValueError:
                errors[name] = _("The date must be written YYYY-MM-DD.")
                continue
            cleaned.stored[q.key] = day.isoformat()
        elif q.kind == QuestionKind.PHOTO:
            pk = _photo(value, actor, set(cleaned.photo_ids))
            if pk is None:
                errors[name] = _("The photo is invalid or already used; please upload it again.")
                continue
            cleaned.photo_ids.append(pk)
            cleaned.stored[q.key] = pk
        compare[q.key] = _comparable(cleaned.stored[q.key])
    return cleaned, errors
