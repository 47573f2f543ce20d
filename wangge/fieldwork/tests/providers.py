"""A work-item provider for the tests: what ``ITEMS`` holds, for the users in ``FOR``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wangge.accounts.scope import scope_for
from wangge.fieldwork.worklist import WorkItem

ITEMS: list[WorkItem] = []


def work_items(user: Any, *, now: datetime) -> list[WorkItem]:
    scope = scope_for(user)
    return [
        item
        for item in ITEMS
        if scope.is_global or any(item.region_code.startswith(root) for root in scope.node_roots)
    ]
