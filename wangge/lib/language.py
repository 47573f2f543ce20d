"""The language of what wangge exchanges with the world outside its pages.

The pages speak the user's language; what goes elsewhere stays in the installation's
(``settings.LANGUAGE_CODE``, Chinese): import templates and the values an import accepts,
exports and documents, texts sent to residents (SMS), the Open311 API, and labels written into
stored records.  Code that reads translated labels for those evaluates them here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import override


def data_language() -> override:
    """A context in which translated labels come out in the installation's language."""
    return override(settings.LANGUAGE_CODE)


def in_data_language(text: object) -> str:
    """``text`` (a translated label) in the installation's language."""
    with data_language():
        return str(text)


def said_again(stored: str, messages: Iterable[object]) -> str:
    """A text stored in the installation's language, said again in the active language when
    it is one of ``messages`` (lazy translations); any other text as it was stored."""
    for message in messages:
        if stored == in_data_language(message):
            return str(message)
    return stored
