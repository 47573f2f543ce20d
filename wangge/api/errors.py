from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered as ``{code, message, fields}``; messages are for users (Chinese)."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
