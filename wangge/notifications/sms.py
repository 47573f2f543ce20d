"""SMS gateways: pluggable by the ``WANGGE_SMS_BACKEND`` setting (a dotted path to a class).

A gateway has ``send(phone, body) -> str`` returning the provider's message id and
raising ``SmsError`` when the text could not be handed over.  The default,
``ConsoleSmsGateway``, only writes to the ``wangge.sms`` logger (phone masked);
``MemorySmsGateway`` keeps the texts in the process (tests, trials).  The outbox row
(``SmsMessage``) records every message whatever the gateway; a one-time code in it is
blanked once the gateway has had it (``notifications.actions.send_sms``).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from wangge.lib.crypto import mask_phone

logger = logging.getLogger("wangge.sms")

DEFAULT_BACKEND = "wangge.notifications.sms.ConsoleSmsGateway"


class SmsError(Exception):
    """The gateway refused or failed to take the message."""


class SmsGateway(Protocol):
    def send(self, phone: str, body: str) -> str: ...


class ConsoleSmsGateway:
    """Writes the message to the ``wangge.sms`` log instead of sending it."""

    def send(self, phone: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        logger.info("SMS %s to %s: %s", message_id, mask_phone(phone), body)
        return message_id


class MemorySmsGateway:
    """Keeps ``(phone, body, message id)`` of every text in ``sent`` (this process only)."""

    sent: ClassVar[list[tuple[str, str, str]]] = []

    def send(self, phone: str, body: str) -> str:
        message_id = f"memory-{uuid.uuid4().hex[:12]}"
        self.sent.append((phone, body, message_id))
        return message_id


def backend_path() -> str:
    return str(getattr(settings, "WANGGE_SMS_BACKEND", "") or DEFAULT_BACKEND)


def get_gateway() -> SmsGateway:
    cls: Any = import_string(backend_path())
    gateway: SmsGateway = cls()
    return gateway


def sms_kinds() -> frozenset[str]:
    """Kinds of notification also sent by SMS (``WANGGE_SMS_KINDS``; default: closures)."""
    return frozenset(getattr(settings, "WANGGE_SMS_KINDS", ("closed",)))
