"""What keeps the public arrival forms usable for people and costly for bots, without a captcha.

* a **form token**: a signed timestamp served with the form; a form sent back
  sooner than ``ARRIVALS_MIN_FILL_SECONDS`` (no person types that fast) or
  later than ``ARRIVALS_FORM_MAX_AGE_SECONDS``, or without a valid token, is
  refused;
* a **honeypot**: a field people never see (``website``); a bot filling it is refused;
* **rate limits**: token buckets kept in the database, per client address
  (``ARRIVALS_IP_RATE``) and per phone number (``ARRIVALS_PHONE_RATE``); a
  refusal says when to try again (429 with ``Retry-After``).

The buckets are rows of ``RateBucket`` in the database, shared by every process
and kept across restarts.  Keys hold a keyed hash of the address or phone, never
the value itself.  Open311 POSTs use the same buckets (kinds ``open311-ip`` and
``open311-key``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.arrivals import conf
from wangge.lib.errors import Refusal
from wangge.privacy.fields import blind_index

SALT = "wangge.arrivals.form"
HONEYPOT = "website"

TOKEN_EXPIRED = gettext_lazy("The page has expired: please reload it and fill it in again")
TOO_FAST = gettext_lazy("Sent too fast: please check what you entered, then send it")
REJECTED = gettext_lazy("Not accepted: please reload the page and try again")


class Refused(Refusal):
    """A public submission refused before its content is looked at."""

    status = 422
    code = "rejected"


class Throttled(Refused):
    """Too many submissions: try again in ``retry_after`` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            _("Too many submissions: please try again in %(minutes)s minutes")
            % {"minutes": minutes}
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class PublicClient:
    """What a public form tells about its sender: the address, the form token, the honeypot."""

    ip: str
    form_token: str = ""
    honeypot: str = ""


# --- the form token -------------------------------------------------------------------------


def issue_form_token(*, now: float | None = None) -> str:
    """A signed timestamp for a form served at ``now`` (seconds since the epoch)."""
    issued = time.time() if now is None else now
    return signing.dumps({"t": round(issued, 3)}, salt=SALT, compress=False)


def check_form_token(token: str, *, now: float | None = None) -> None:
    """Refuse a missing, forged or stale token, and a form sent back too fast."""
    now = time.time() if now is None else now
    try:
        data = signing.loads(
            (token or "").strip(), salt=SALT, max_age=conf.number("ARRIVALS_FORM_MAX_AGE_SECONDS")
        )
        issued = float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Refused(TOKEN_EXPIRED, {"form_token": TOKEN_EXPIRED}) from None
    if now - issued < conf.number("ARRIVALS_MIN_FILL_SECONDS"):
        raise Refused(TOO_FAST, {"form_token": TOO_FAST})
    if now - issued > conf.number("ARRIVALS_FORM_MAX_AGE_SECONDS"):
        raise Refused(TOKEN_EXPIRED, {"form_token": TOKEN_EXPIRED})


def check_honeypot(value: str) -> None:
    if (value or "").strip():
        raise Refused(REJECTED)


def check_client(client: PublicClient, *, now: float | None = None) -> None:
    """The checks that need no database: honeypot, form token, the address's bucket."""
    check_honeypot(client.honeypot)
    check_form_token(client.form_token, now=now)
    take("ip", client.ip, conf.rate("ARRIVALS_IP_RATE"), now=now)


# --- token buckets ----------------------------------------------------------------------------


def _key(kind: str, value: str) -> str:
    return f"{kind}:{blind_index(value)}"


def take(kind: str, value: str, rate: conf.Rate, *, now: float | None = None) -> None:
    """Take one token from the bucket of ``value``; ``Throttled`` when it is empty.

    The bucket is a database row, locked while it is read and written (``SELECT …
    FOR UPDATE`` on PostgreSQL; SQLite serialises writers), so concurrent requests in
    any process count against it once each.  Called inside a transaction that later
    rolls back, the token is given back: only what the enclosing transaction keeps
    counts, so call it outside one (as the views do) to count every attempt.
    """
    if not value:
        return
    now = time.time() if now is None else now
    wait = _take(_key(kind, value), kind, rate, now)
    if wait:
        raise Throttled(wait)


def _take(key: str, kind: str, rate: conf.Rate, now: float) -> int:
    """Take a token; the seconds to wait when there is none (0 when one was taken)."""
    from wangge.arrivals.models import RateBucket

    with transaction.atomic():
        bucket = RateBucket.objects.select_for_update().filter(key=key).first()
        if bucket is None:
            # A bucket untouched for a whole period is full again: as good as absent.
            RateBucket.objects.filter(
                key__startswith=f"{kind}:", updated__lt=now - rate.seconds
            ).delete()
            try:
                with transaction.atomic():
                    bucket = RateBucket.objects.create(
                        key=key, tokens=float(rate.capacity), updated=now
                    )
            except IntegrityError:  # created meanwhile by another request
                bucket = RateBucket.objects.select_for_update().get(key=key)
        tokens = min(
            float(rate.capacity),
            bucket.tokens + max(0.0, now - bucket.updated) * rate.per_second,
        )
        wait = 0
        if tokens < 1.0:
            wait = max(
                1,
                math.ceil((1.0 - tokens) / rate.per_second - 1e-6)
                if rate.capacity
                else rate.seconds,
            )
        else:
            tokens -= 1.0
        RateBucket.objects.filter(pk=bucket.pk).update(tokens=tokens, updated=now)
    return wait


def take_phone(phone: str, *, now: float | None = None) -> None:
    take("phone", phone, conf.rate("ARRIVALS_PHONE_RATE"), now=now)


# --- the client's address ----------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The sender's address: ``REMOTE_ADDR``, or behind ``ARRIVALS_PROXY_COUNT`` reverse
    proxies the entry of ``X-Forwarded-For`` the outermost trusted proxy added."""
    proxies = conf.number("ARRIVALS_PROXY_COUNT")
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if proxies <= 0:
        return remote or "unknown"
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if part.strip()
    ]
    if len(forwarded) >= proxies:
        return forwarded[-proxies][:64]
    return remote or "unknown"


def public_client(request: HttpRequest, *, form_token: str, honeypot: str) -> PublicClient:
    return PublicClient(ip=client_ip(request), form_token=form_token, honeypot=honeypot)
