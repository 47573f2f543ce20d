"""Model fields for personal data: encrypted at rest, searchable by a keyed hash.

Usage::

    class Person(models.Model):
        id_number = EncryptedTextField(_("ID number"), blank=True)
        id_number_hash = BlindIndexField(source="id_number")

``BlindIndexField`` fills itself from its source on save (``pre_save``), so a
lookup by exact value is ``Person.objects.filter(id_number_hash=blind_index(v))``.
Bulk writes (``bulk_create``) call ``pre_save`` too; ``QuerySet.update`` does
not — set both fields there (see ``wangge.privacy.blind_index``).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from wangge.lib.crypto import CryptoError, keyring


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Stores ``v1:<key>:<AES-GCM ciphertext>``; Python sees the clear text."""

    description = "Text encrypted at rest (AES-256-GCM)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return keyring().decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        text = str(value)
        if text.startswith("v1:"):
            try:  # already a ciphertext (e.g. copied between rows): keep it
                keyring().decrypt(text)
                return text
            except (CryptoError, ValueError):
                pass
        return keyring().encrypt(text)

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertexts are randomised: only null checks make sense in SQL.
        if lookup_name not in ("isnull",):
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: search through its blind index"
            )
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """The keyed hash of another field's value, for exact-match search."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        # Always explicit: the default here (True) is not Field's (False), so an omitted
        # db_index=False would come back as True from a migration.
        kwargs["db_index"] = self.db_index  # type: ignore[attr-defined]  # set by Field
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.source) if self.source else None
        digest = blind_index(value) if value else ""
        setattr(model_instance, self.attname, digest)
        return digest


def blind_index(value: str) -> str:
    return keyring().blind_index(value)
