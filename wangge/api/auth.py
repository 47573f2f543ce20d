from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from wangge.accounts.tokens import user_for_token


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /api/v1/auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The logged-in browser session (CSRF-checked for unsafe methods)."""
