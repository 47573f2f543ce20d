"""Reads of the triage app: training data, the current classifier, suggestions."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from wangge.accounts.choices import RoleScope
from wangge.accounts.models import Department
from wangge.accounts.scope import scope_for
from wangge.events.choices import EventState
from wangge.events.models import Category, Event
from wangge.triage.classifier import Classifier
from wangge.triage.examples import split
from wangge.triage.models import TriageModel

#: At most this many past events (the latest) go into a training run.
MAX_EVENTS = 50_000


def retrain_after() -> int:
    """New registered events that make ``retrain_triage_task`` train a new version."""
    return int(getattr(settings, "TRIAGE_RETRAIN_AFTER", 50))


def _events() -> Any:
    return Event.objects.filter(
        registered_at__isnull=False, category__parent__isnull=False
    ).exclude(state=EventState.REJECTED)


def event_documents(*, after_id: int = 0) -> list[tuple[str, str, int]]:
    """``(category code, description, event id)`` of registered events (the final category).

    The category is the one after correction at registration (立案 may change it);
    rejected events are left out.  Ordered by id, so training is reproducible.
    """
    rows = (
        _events()
        .filter(id__gt=after_id)
        .order_by("-id")
        .values_list("category__code", "description", "id")[:MAX_EVENTS]
    )
    return sorted((code, text, pk) for code, text, pk in rows if (text or "").strip())


def new_events_since_last_model() -> int:
    latest = TriageModel.objects.order_by("-version").values_list("last_event_id", flat=True)
    last = latest.first() or 0
    return int(_events().filter(id__gt=last).count())


def training_documents() -> tuple[list[tuple[str, str]], list[tuple[str, str]], int, int]:
    """``(training, held_out, event count, last event id)``: examples split, plus past events."""
    training, held_out = split()
    events = event_documents()
    training = training + [(code, text) for code, text, _ in events]
    return training, held_out, len(events), max((pk for *_, pk in events), default=0)


# --- the current classifier ----------------------------------------------------

_lock = threading.Lock()
#: (version, digest) → classifier; the digest guards against a database reset reusing a version.
_cache: dict[tuple[int, str], Classifier] = {}


def builtin_classifier() -> Classifier:
    """Trained on the training part of the examples only (before any model row exists)."""
    with _lock:
        if (0, "") not in _cache:
            _cache[(0, "")] = Classifier.train(split()[0])
        return _cache[(0, "")]


def current() -> tuple[int, Classifier]:
    """``(version, classifier)`` of the latest stored model; version 0 is the built-in one."""
    latest = TriageModel.objects.order_by("-version").values_list("version", "digest").first()
    if latest is None:
        return 0, builtin_classifier()
    found = _cache.get(latest)
    if found is None:
        data = TriageModel.objects.values_list("data", flat=True).get(version=latest[0])
        found = Classifier.from_bytes(bytes(data))
        with _lock:
            # Keep the built-in one and the newest only.
            for key in [k for k in _cache if k[0] != 0]:
                del _cache[key]
            _cache[latest] = found
    return latest[0], found


# --- suggestions -----------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    parent_code: str | None
    parent_name: str | None
    probability: float
    department_code: str
    department_name: str | None
    admitted: bool


def can_suggest(user: Any) -> bool:
    """Anyone who may report an event may ask for suggestions."""
    return scope_for(user).can("events.report_event")


def user_district(user: Any) -> str | None:
    """The district the user works in (their first assignment's), if any."""
    for g in scope_for(user).grants:
        if g.scope == RoleScope.NODE and g.region_code:
            return g.region_code[:6]
        if g.district_code:
            return g.district_code
        if g.region_code:
            return g.region_code[:6]
    return None


def suggest(user: Any, text: str, *, n: int = 3) -> tuple[int, list[Suggestion]]:
    """``(model version, up to n sub-categories)`` for ``text``, most likely first."""
    version, model = current()
    scored = model.scores(text.strip()[:1000])
    if not scored:
        return version, []
    wanted = [s.code for s in scored[: n * 3]]
    categories = {
        c.code: c
        for c in Category.objects.filter(
            code__in=wanted, is_active=True, parent__isnull=False
        ).select_related("parent")
    }
    picked = [s for s in scored if s.code in categories][:n]
    district = user_district(user)
    department_names: dict[str, str] = {}
    dept_codes = {categories[s.code].default_department_code for s in picked} - {""}
    if district and dept_codes:
        department_names = dict(
            Department.objects.filter(district__code=district, code__in=dept_codes).values_list(
                "code", "name"
            )
        )
    out: list[Suggestion] = []
    for s in picked:
        c = categories[s.code]
        parent = c.parent
        out.append(
            Suggestion(
                code=c.code,
                name=c.name,
                parent_code=parent.code if parent else None,
                parent_name=parent.name if parent else None,
                probability=round(s.probability, 4),
                department_code=c.default_department_code,
                department_name=department_names.get(c.default_department_code),
                admitted=c.admitted,
            )
        )
    return version, out
