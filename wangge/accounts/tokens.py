"""API bearer tokens: random keys, stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from wangge.accounts.models import ApiToken, User

TOKEN_BYTES = 32


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new token for ``user``; the clear key is returned once and never stored."""
    key = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        prefix=key[:8],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
    )
    return key, token


def user_for_token(key: str) -> Any:
    if not key or len(key) > 200:
        return None
    # key_hash is unique: no ORDER BY needed (this runs on every API request).
    token = next(
        iter(
            ApiToken.objects.select_related("user").filter(
                key_hash=_hash(key), expires_at__gt=timezone.now(), user__is_active=True
            )[:1]
        ),
        None,
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
