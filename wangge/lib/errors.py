"""The refusals the apps' actions raise: a message and per-field messages for users."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise


class Refusal(Exception):
    """A request refused; ``fields`` maps field names to messages.

    Messages are in the language active when the refusal is raised (the user's; Chinese under
    ``data_language()``, e.g. for Open311): lazy texts are turned into ``str`` here, before
    they are serialised.  ``status`` and ``code`` are what the API answers.
    """

    status = 422
    code = "invalid"
    #: The message when none is given.
    default_message: str | Promise = ""

    def __init__(
        self, message: str | Promise | None = None, fields: Mapping[str, Any] | None = None
    ) -> None:
        text = str(self.default_message if message is None else message)
        super().__init__(text)
        self.message = text
        self.fields: dict[str, Any] = {
            name: str(value) if isinstance(value, Promise) else value
            for name, value in (fields or {}).items()
        }
