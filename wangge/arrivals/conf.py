"""Settings of arrival reports, each with a default.

An installation sets them in ``wangge/config/settings.py`` (from environment
variables, like the others); until it does, the defaults below apply.

| setting | default | meaning |
|---|---|---|
| ``ARRIVALS_LATE_HOURS`` | 12 | a report later than this after the arrival is flagged late |
| ``ARRIVALS_FOLLOW_UP_HOURS`` | 24 | the follow-up is due this long after arrival (or the report, if later) |
| ``ARRIVALS_MAX_ADVANCE_HOURS`` | 168 | how far ahead of the arrival one may report (报备 in advance) |
| ``ARRIVALS_MAX_PAST_DAYS`` | 30 | arrivals longer ago than this are refused |
| ``ARRIVALS_MIN_FILL_SECONDS`` | 3 | a form sent sooner after it was served is refused (bots) |
| ``ARRIVALS_FORM_MAX_AGE_SECONDS`` | 86400 | a served form is good for this long |
| ``ARRIVALS_IP_RATE`` | ``30/h`` | public submissions per client address (token bucket) |
| ``ARRIVALS_PHONE_RATE`` | ``5/h`` | public reports per phone number (token bucket) |
| ``ARRIVALS_PROXY_COUNT`` | 0 | reverse proxies in front of the site (X-Forwarded-For entries to skip) |
| ``ARRIVALS_GROUP_DAYS`` | 7 | a group code accepts reports for this many days |
| ``ARRIVALS_GROUP_MAX_ROWS`` | 50 | people in one group submission |
| ``ARRIVALS_GROUP_MAX_MEMBERS`` | 500 | people reported through one group code in all |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "ARRIVALS_LATE_HOURS": 12,
    "ARRIVALS_FOLLOW_UP_HOURS": 24,
    "ARRIVALS_MAX_ADVANCE_HOURS": 7 * 24,
    "ARRIVALS_MAX_PAST_DAYS": 30,
    "ARRIVALS_MIN_FILL_SECONDS": 3,
    "ARRIVALS_FORM_MAX_AGE_SECONDS": 24 * 3600,
    "ARRIVALS_IP_RATE": "30/h",
    "ARRIVALS_PHONE_RATE": "5/h",
    "ARRIVALS_PROXY_COUNT": 0,
    "ARRIVALS_GROUP_DAYS": 7,
    "ARRIVALS_GROUP_MAX_ROWS": 50,
    "ARRIVALS_GROUP_MAX_MEMBERS": 500,
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def number(name: str) -> int:
    value = int(get(name))
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


@dataclass(frozen=True)
class Rate:
    """A token bucket: ``capacity`` requests at once, refilled over ``seconds``."""

    capacity: int
    seconds: int

    @property
    def per_second(self) -> float:
        return self.capacity / self.seconds


_RATE = re.compile(r"^\s*([0-9]+)\s*/\s*([0-9]*)\s*([smhd])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text: str) -> Rate:
    """``30/h``, ``5/10m``, ``100/d`` → a rate; a capacity of 0 refuses everything."""
    found = _RATE.match(str(text))
    if not found:
        raise ValueError(f"not a rate: {text!r} (e.g. 30/h, 5/10m)")
    count, multiple, unit = found.groups()
    seconds = int(multiple or 1) * _UNIT[unit]
    if seconds <= 0:
        raise ValueError(f"not a rate: {text!r}")
    return Rate(capacity=int(count), seconds=seconds)


def rate(name: str) -> Rate:
    return parse_rate(str(get(name)))
