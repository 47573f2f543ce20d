"""Re-encrypting every encrypted field under the active data key (``wangge rotate_data_keys``).

To retire a key: put a new key first in ``WANGGE_DATA_KEYS`` (the old one
stays, after it, so existing values still decrypt), restart, run the command,
then remove the old key.  The command walks every ``EncryptedTextField`` of
every installed model in primary-key batches; each batch is one transaction
that locks its rows, so it can run while the site is up.  Values already under
the active key are left alone: an interrupted run is simply run again.
Blind indexes do not change (they use the separate search key).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from wangge.lib.crypto import PREFIX, KeyRing, keyring
from wangge.privacy.fields import EncryptedTextField

_RAW = "_wangge_raw"


@dataclass
class FieldReport:
    model: str
    field: str
    values: int = 0
    rotated: int = 0
    #: How many stored values each key id encrypts (after the run, unless a dry run).
    keys: Counter[str] = dataclass_field(default_factory=Counter)

    @property
    def label(self) -> str:
        return f"{self.model}.{self.field}"


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    """Every concrete ``EncryptedTextField`` of every installed model."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                yield model, f


def key_id_of(token: str) -> str:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else "?"


def _raw_rows(
    model: type[models.Model], f: EncryptedTextField, after: Any, limit: int
) -> list[tuple[Any, str | None]]:
    """(pk, stored ciphertext) of the next batch, locked; the cast skips decryption."""
    qs = (
        model._base_manager.filter(**{f"{f.name}__isnull": False})
        .annotate(**{_RAW: Cast(f.name, output_field=models.TextField())})
        .order_by("pk")
    )
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows: list[tuple[Any, str | None]] = list(
        qs.select_for_update().values_list("pk", _RAW)[:limit]
    )
    return rows


def rotate_field(
    model: type[models.Model],
    f: EncryptedTextField,
    *,
    ring: KeyRing,
    batch_size: int = 500,
    dry_run: bool = False,
) -> FieldReport:
    report = FieldReport(model=model._meta.label, field=f.name)
    after = None
    while True:
        with transaction.atomic():
            rows = _raw_rows(model, f, after, batch_size)
            if not rows:
                break
            after = rows[-1][0]
            changed = []
            for pk, token in rows:
                if not token:
                    continue
                report.values += 1
                if not ring.needs_rotation(token):
                    report.keys[ring.active_id] += 1
                    continue
                if dry_run:
                    report.keys[key_id_of(token)] += 1
                    continue
                obj = model(pk=pk)
                setattr(obj, f.attname, ring.encrypt(ring.decrypt(token)))
                changed.append(obj)
                report.keys[ring.active_id] += 1
            if changed:
                model._base_manager.bulk_update(changed, [f.name])
                report.rotated += len(changed)
    return report


def rotate_data_keys(
    *,
    batch_size: int = 500,
    dry_run: bool = False,
    progress: Callable[[FieldReport], None] | None = None,
) -> list[FieldReport]:
    """Re-encrypt every value that is not under the active key; a report per field."""
    from wangge.audit.actions import record

    ring = keyring()
    reports = []
    for model, f in encrypted_fields():
        report = rotate_field(model, f, ring=ring, batch_size=batch_size, dry_run=dry_run)
        reports.append(report)
        if progress is not None:
            progress(report)
    if not dry_run:
        record(
            "privacy.rotate_data_keys",
            actor=None,
            object_type="privacy.datakey",
            object_id=ring.active_id,
            object_repr=f"data key {ring.active_id}",
            after={
                "active_key": ring.active_id,
                "rotated": {r.label: r.rotated for r in reports if r.rotated},
            },
        )
    return reports


def keys_in_use(reports: list[FieldReport]) -> set[str]:
    used: set[str] = set()
    for r in reports:
        used |= {k for k, n in r.keys.items() if n}
    return used
