from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


def _plain(value: Any) -> Any:
    """``value`` with lazy translations turned into ``str`` (in the active language)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class ApiError(Exception):
    """An error answered as ``{code, message, fields}``; messages are for users, in the
    language active when it is raised (lazy texts are turned into ``str`` here)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str | Promise,
        fields: dict[str, Any] | None = None,
    ) -> None:
        text = str(message)
        super().__init__(text)
        self.status = status
        self.code = code
        self.message = text
        self.fields = _plain(fields or {})
