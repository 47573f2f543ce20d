"""The one way to write to the audit log; actions call it inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from wangge.audit.context import current_request_id
from wangge.audit.models import AuditEntry
from wangge.lib.language import data_language, in_data_language


def audit_entry(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    region_code: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    request_id: str | None = None,
) -> AuditEntry:
    """One unsaved audit row (for ``bulk_create`` by actions that write many at once)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        # In the installation's language, whoever acted: the log reads the same for everyone.
        object_repr = object_repr or in_data_language(obj)[:200]
        region_code = region_code or str(
            getattr(obj, "region_code", "") or getattr(obj, "code", "") or ""
        )
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else "system")[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        region_code=region_code[:18],
        before=before,
        after=after,
        reason=reason,
        request_id=request_id or current_request_id() or "",
    )


def record(
    action: str, *, actor: Any, obj: models.Model | None = None, **fields: Any
) -> AuditEntry:
    """Write one audit row.  ``actor`` is a user or ``None`` for the system.

    Takes the keyword arguments of ``audit_entry``.
    """
    entry = audit_entry(action, actor=actor, obj=obj, **fields)
    with data_language():  # labels in ``before``/``after`` too
        entry.save(force_insert=True)
    return entry
