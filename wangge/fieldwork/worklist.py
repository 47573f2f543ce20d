"""The grid worker's to-do list ("today"), gathered from every field-work app.

Each app that gives grid workers work (campaign follow-ups, arrival follow-ups,
care visits, emergency point-to-point tasks, hazard re-inspections…) exposes a
function ``work_items(user, *, now) -> list[WorkItem]`` in its own
``worklist.py`` and lists it in ``PROVIDERS`` below.  The function returns only
what the user's scope allows (through ``wangge.accounts.scope``), open items
only, and must be cheap (one or two queries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any

#: ``module:function`` of every provider; a missing module is skipped.
PROVIDERS: tuple[str, ...] = (
    "wangge.campaigns.worklist:work_items",
    "wangge.arrivals.worklist:work_items",
    "wangge.care.worklist:work_items",
    "wangge.emergency.worklist:work_items",
    "wangge.inspections.worklist:work_items",
    "wangge.workforce.worklist:work_items",
)


@dataclass(frozen=True)
class WorkItem:
    #: Which app it comes from ("campaign", "arrival", "care", "emergency", "inspection").
    kind: str
    #: One line for the list, in the user's language (already translated).
    title: str
    #: Where the item is done (a page of the owning app).
    url: str
    #: The grid or unit code the item belongs to.
    region_code: str
    #: When it is due; ``None`` for "as soon as possible".
    due_at: datetime | None = None
    #: Past due (shown first, in red).
    overdue: bool = False
    #: A short second line (address, person, campaign name…).
    detail: str = ""


def _load(spec: str) -> Callable[..., list[WorkItem]] | None:
    module_name, _, attr = spec.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError:
        return None
    fn: Callable[..., list[WorkItem]] | None = getattr(module, attr, None)
    return fn


def work_items(user: Any, *, now: datetime) -> list[WorkItem]:
    """Everything open for ``user``: overdue first, then by due time."""
    items: list[WorkItem] = []
    for spec in PROVIDERS:
        fn = _load(spec)
        if fn is not None:
            items.extend(fn(user, now=now))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(items, key=lambda i: (not i.overdue, i.due_at or far, i.title))
