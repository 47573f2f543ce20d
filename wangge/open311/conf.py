"""The Open311 app's settings, read when used (tests change them with ``settings``).

Each setting may be given in the Django settings or, failing that, in the environment:

``OPEN311_JURISDICTIONS`` / ``WANGGE_OPEN311_JURISDICTIONS``
    Domain-like aliases of districts for ``jurisdiction_id``, besides the 6-digit district
    code: ``jianghai.gov.cn=440704,other.gov.cn=440703`` (a dict in the Django settings).
``OPEN311_CONTACT`` / ``WANGGE_OPEN311_CONTACT``
    The ``contact`` line of the discovery document.
``OPEN311_KEY_SERVICE`` / ``WANGGE_OPEN311_KEY_SERVICE``
    The ``key_service`` line of the discovery document (how to ask for an API key).
``OPEN311_COORDINATE_DECIMALS`` / ``WANGGE_OPEN311_COORDINATE_DECIMALS`` (default 3, ~100 m)
    Decimals of ``lat``/``long`` in public answers: the exact point is not published.
``OPEN311_PRIVATE_GROUPS`` / ``WANGGE_OPEN311_PRIVATE_GROUPS`` (default ``07,08,10,15``)
    Top-level categories whose events are never listed publicly (disputes, public-security
    leads, special groups, base-data changes): they concern particular people.
``OPEN311_KEY_RATE`` / ``WANGGE_OPEN311_KEY_RATE`` (default ``600/h``)
    POST requests per API key (a token bucket, like the arrival forms' limits).
``OPEN311_IP_RATE`` / ``WANGGE_OPEN311_IP_RATE`` (default ``1200/h``)
    POST requests per client address, with or without a valid key.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

from wangge.arrivals.conf import Rate, parse_rate

DEFAULT_CONTACT = "网格化服务管理中心（工作日 08:30–17:30）"
DEFAULT_KEY_SERVICE = "接口密钥由区网格化服务管理中心发放（wangge open311_key）"
DEFAULT_PRIVATE_GROUPS = ("07", "08", "10", "15")
DEFAULT_KEY_RATE = "600/h"
DEFAULT_IP_RATE = "1200/h"
DEFAULT_READ_RATE = "3600/h"
#: When this installation's Open311 interface last changed (the discovery ``changeset``).
CHANGESET = "2026-07-01T00:00:00+08:00"


def _raw(name: str) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"WANGGE_{name}")
    return value


def _pairs(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k).strip().lower(): str(v).strip() for k, v in value.items()}
    pairs: dict[str, str] = {}
    for item in str(value or "").split(","):
        alias, sep, code = item.partition("=")
        if sep and alias.strip() and code.strip():
            pairs[alias.strip().lower()] = code.strip()
    return pairs


def jurisdiction_aliases() -> dict[str, str]:
    """Lower-case alias → district code."""
    return _pairs(_raw("OPEN311_JURISDICTIONS"))


def contact() -> str:
    return str(_raw("OPEN311_CONTACT") or DEFAULT_CONTACT)


def key_service() -> str:
    return str(_raw("OPEN311_KEY_SERVICE") or DEFAULT_KEY_SERVICE)


def coordinate_decimals() -> int:
    value = _raw("OPEN311_COORDINATE_DECIMALS")
    if value is None or value == "":
        return 3
    try:
        return max(0, min(6, int(value)))
    except (TypeError, ValueError):
        return 3


def private_groups() -> tuple[str, ...]:
    value = _raw("OPEN311_PRIVATE_GROUPS")
    if value is None:
        return DEFAULT_PRIVATE_GROUPS
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(v.strip() for v in str(value).split(",") if v.strip())


def _rate(name: str, default: str) -> Rate:
    value = _raw(name)
    try:
        return parse_rate(str(value)) if value else parse_rate(default)
    except ValueError:
        return parse_rate(default)


def key_rate() -> Rate:
    """POST requests per API key."""
    return _rate("OPEN311_KEY_RATE", DEFAULT_KEY_RATE)


def read_rate() -> Rate:
    """GET requests (discovery, services, requests, tokens) per client address."""
    return _rate("OPEN311_READ_RATE", DEFAULT_READ_RATE)


def ip_rate() -> Rate:
    """POST requests per client address."""
    return _rate("OPEN311_IP_RATE", DEFAULT_IP_RATE)
