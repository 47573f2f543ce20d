"""The portal's limits, from settings (each has a default; override in settings or tests)."""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, int] = {
    #: How long an SMS code is valid, and how many wrong tries it takes.
    "PORTAL_CODE_TTL_SECONDS": 300,
    "PORTAL_CODE_MAX_TRIES": 5,
    #: Codes sent to one phone: at most one a minute and five an hour.
    "PORTAL_SENDS_PER_PHONE_MINUTE": 1,
    "PORTAL_SENDS_PER_PHONE_HOUR": 5,
    #: Codes asked for from one client address in an hour.
    "PORTAL_SENDS_PER_IP_HOUR": 20,
    #: Reports one resident may make in an hour and in a day.
    "PORTAL_REPORTS_PER_HOUR": 10,
    "PORTAL_REPORTS_PER_DAY": 30,
}


def number(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def districts() -> list[str] | None:
    """District codes a new resident may report in (``PORTAL_DISTRICTS``); None: all of them."""
    value = getattr(settings, "PORTAL_DISTRICTS", None)
    if not value:
        return None
    return [str(code) for code in value]
