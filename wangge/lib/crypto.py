"""Field-level encryption and blind indexes for personal data (ID numbers, phones).

* Values are encrypted with AES-256-GCM under a key ring: the first key encrypts,
  every key decrypts, so keys rotate by putting a new key first and re-encrypting
  (``wangge rotate_data_keys``).  A ciphertext names its key:
  ``v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``.
* Exact-value search goes through a keyed hash (HMAC-SHA256 of the normalised
  value under a separate search key): equal values give equal hashes, nothing
  about the value can be read from it without the key.

Keys come from settings (``DATA_KEYS``, ``SEARCH_KEY``), which read them from the
environment (``WANGGE_DATA_KEYS``, ``WANGGE_SEARCH_KEY``); a single-machine
install generates them once into its var directory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class CryptoError(ValueError):
    pass


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]  # (id, 32-byte key); the first one encrypts
    search_key: bytes

    @classmethod
    def parse(cls, data_keys: str, search_key: str) -> KeyRing:
        """``data_keys``: ``id:base64key[,id:base64key…]``; ``search_key``: base64."""
        keys: list[tuple[str, bytes]] = []
        for item in [part.strip() for part in data_keys.split(",") if part.strip()]:
            key_id, _, encoded = item.partition(":")
            if not _KEY_ID.match(key_id) or not encoded:
                raise CryptoError("WANGGE_DATA_KEYS: each key must look like id:base64key")
            try:
                raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            except ValueError:
                raise CryptoError(f"WANGGE_DATA_KEYS: key {key_id!r} is not base64") from None
            if len(raw) != 32:
                raise CryptoError(f"WANGGE_DATA_KEYS: key {key_id!r} must be 32 bytes")
            keys.append((key_id, raw))
        if not keys:
            raise CryptoError("WANGGE_DATA_KEYS: at least one key is needed")
        if len({k for k, _ in keys}) != len(keys):
            raise CryptoError("WANGGE_DATA_KEYS: key ids must be unique")
        try:
            search = base64.urlsafe_b64decode(search_key + "=" * (-len(search_key) % 4))
        except ValueError:
            raise CryptoError("WANGGE_SEARCH_KEY is not base64") from None
        if len(search) < 32:
            raise CryptoError("WANGGE_SEARCH_KEY must be at least 32 bytes")
        return cls(keys=tuple(keys), search_key=search)

    @property
    def active_id(self) -> str:
        return self.keys[0][0]

    def _key(self, key_id: str) -> bytes:
        for kid, key in self.keys:
            if kid == key_id:
                return key
        raise CryptoError(
            f"unknown data key {key_id!r}: it must stay in WANGGE_DATA_KEYS until rotated out"
        )

    def encrypt(self, plaintext: str) -> str:
        key_id, key = self.keys[0]
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), key_id.encode())
        return f"{PREFIX}:{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"

    def decrypt(self, token: str) -> str:
        try:
            prefix, key_id, encoded = token.split(":", 2)
        except ValueError:
            raise CryptoError("not an encrypted value") from None
        if prefix != PREFIX:
            raise CryptoError("not an encrypted value")
        blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        nonce, sealed = blob[:12], blob[12:]
        return AESGCM(self._key(key_id)).decrypt(nonce, sealed, key_id.encode()).decode()

    def needs_rotation(self, token: str) -> bool:
        return not token.startswith(f"{PREFIX}:{self.active_id}:")

    def blind_index(self, value: str) -> str:
        """Keyed hash of the normalised value, for exact-match search."""
        normalised = normalise(value)
        return hmac.new(self.search_key, normalised.encode(), hashlib.sha256).hexdigest()[:40]


def normalise(value: str) -> str:
    """Case, spaces and dashes do not matter for ID numbers and phones."""
    return re.sub(r"[\s\-]", "", value).upper()


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


@lru_cache(maxsize=8)
def _ring(data_keys: str, search_key: str) -> KeyRing:
    return KeyRing.parse(data_keys, search_key)


def keyring() -> KeyRing:
    """The installation's key ring, from settings."""
    from django.conf import settings

    return _ring(settings.DATA_KEYS, settings.SEARCH_KEY)


def mask_id_number(value: str | None) -> str:
    """``440704199001011234`` → ``440704********1234``."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812341234`` → ``138****1234``."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
