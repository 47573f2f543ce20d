"""Refusals of the registry actions (people, places, unmasking), in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy

from wangge.lib.errors import Refusal

INVALID = gettext_lazy("The input is invalid; please check the fields.")


class RecordError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages for the user.

    The message is made a ``str`` at once: in the language of the request that is refused.
    """

    default_message = INVALID

    def prefixed(self, prefix: str) -> RecordError:
        """The same refusal with field names under ``prefix`` (``person.id_number``)."""
        copy = type(self)(self.message, {f"{prefix}.{k}": v for k, v in self.fields.items()})
        return copy


class RecordForbidden(RecordError):
    """The user sees the record but may not do this to it."""

    status = 403
    code = "forbidden"


class RecordConflict(RecordError):
    """Not possible in the record's current state."""

    status = 409
    code = "conflict"


def api_call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    from wangge.api.errors import ApiError

    try:
        return fn(*args, **kwargs)
    except RecordError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None
