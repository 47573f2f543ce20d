"""Outbound webhooks: the payload, its signature and the HTTP POST.

The body is the JSON of the delivery's payload (fixed when the delivery is
created, so that every retry sends the same bytes); the signature is
``sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>``.
See docs/notifications.md for how a receiver verifies it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from wangge.events.models import Event, EventStep

USER_AGENT = "wangge-webhooks/1"


def payload(delivery_uuid: str, event: Event, step: EventStep, action: str) -> dict[str, Any]:
    """What receivers get: the event's public facts, never personal data."""
    return {
        "id": delivery_uuid,
        "event": {
            "id": event.pk,
            "number": event.number,
            "state": event.state,
            "category": event.category.code,
            "region_code": event.region_code,
            "district_code": event.district_code,
            "level": event.level,
            "overdue": event.overdue,
            "updated_at": event.updated_at.isoformat(),
        },
        "action": action,
        "step": {
            "id": step.pk,
            "from_state": step.from_state,
            "to_state": step.to_state,
        },
        "at": step.at.isoformat(),
    }


def body_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    """What a receiver does (constant-time comparison)."""
    return hmac.compare_digest(sign(body, secret), signature)


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status: int | None
    error: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not something to follow (it would turn the POST into a GET)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def timeout() -> float:
    return float(getattr(settings, "WANGGE_WEBHOOK_TIMEOUT_SECONDS", 5))


#: What a user is told when a webhook URL names this machine or a link-local address.
LOCAL_REFUSED = gettext_lazy(
    "Notifications cannot be pushed to this machine or to link-local addresses "
    "(such as 127.0.0.1 or 169.254.169.254)."
)
#: Host names that are this machine whatever the resolver says.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def local_address(address: str) -> bool:
    """Is ``address`` (an IP literal) this machine, link-local (cloud metadata at
    169.254.169.254 among them), unspecified, multicast or reserved?  Private networks
    (10/8, 172.16/12, 192.168/16) are not: a district's own systems live there."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast or ip.is_reserved
    )


def allow_local() -> bool:
    return bool(getattr(settings, "WANGGE_WEBHOOK_ALLOW_LOCAL", False))


def local_host(url: str) -> bool:
    """Does the URL name this machine or a link-local address literally (checked on save)?"""
    host = (urllib.parse.urlsplit(url).hostname or "").lower().rstrip(".")
    return not allow_local() and (host in LOCAL_NAMES or local_address(host))


def checked_destination(url: str) -> tuple[str, list[tuple[str, int]]]:
    """``(why refused, addresses)``: checked before every POST on the addresses the host
    resolves to now, so a name that later points at this machine or at a metadata service is
    refused too (server-side request forgery).
    ``post`` connects to those very addresses (pinned), so a resolver that answers
    differently a moment later (DNS rebinding) is not asked again.  No addresses: nothing
    to pin (local receivers allowed, or the name did not resolve — the POST then fails and
    says why)."""
    if allow_local():
        return "", []
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if host in LOCAL_NAMES:
        return f"refused: {host} is this machine", []
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        return "", []  # the POST fails and says why
    addresses: list[tuple[str, int]] = []
    for *_rest, sockaddr in found:
        if local_address(str(sockaddr[0])):
            return f"refused: {host} resolves to {sockaddr[0]}", []
        address = (str(sockaddr[0]), int(sockaddr[1]))
        if address not in addresses:
            addresses.append(address)
    return "", addresses


def _pinned(
    connection_class: type[http.client.HTTPConnection], host: str, addresses: list[tuple[str, int]]
) -> Any:
    """A connection class for urllib that connects to ``addresses`` when it is asked for
    ``host`` (TLS still checks the certificate against the name); through a proxy (another
    host) it connects as usual."""

    def make(netloc: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = connection_class(netloc, **kwargs)
        if connection.host.lower().rstrip(".") == host and addresses:

            def connect(
                _address: Any, timeout: Any = None, source_address: Any = None
            ) -> socket.socket:
                error: OSError | None = None
                for address in addresses:
                    try:
                        return socket.create_connection(address, timeout, source_address)
                    except OSError as exc:
                        error = exc
                raise error or OSError("no address")

            connection._create_connection = connect  # type: ignore[attr-defined]
        return connection

    return make


def _opener_for(url: str, addresses: list[tuple[str, int]]) -> urllib.request.OpenerDirector:
    if not addresses:
        return _opener
    host = (urllib.parse.urlsplit(url).hostname or "").lower().rstrip(".")

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(_pinned(http.client.HTTPConnection, host, addresses), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            connection = _pinned(http.client.HTTPSConnection, host, addresses)
            return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]

    return urllib.request.build_opener(_NoRedirect, Http, Https)


def post(url: str, body: bytes, *, secret: str, delivery_id: str, at: datetime) -> PostResult:
    """POST the body, signed; any 2xx is success.  Never raises for network errors.
    Never posts to this machine or a link-local address (``checked_destination``)."""
    refused, addresses = checked_destination(url)
    if refused:
        return PostResult(False, None, refused)
    request = urllib.request.Request(  # noqa: S310  # the scheme is checked when the URL is saved
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Wangge-Signature": sign(body, secret),
            "X-Wangge-Delivery": delivery_id,
            "X-Wangge-Timestamp": str(int(at.timestamp())),
        },
    )
    try:
        with _opener_for(url, addresses).open(request, timeout=timeout()) as response:
            status = int(response.status)
            response.read(1024)
    except urllib.error.HTTPError as exc:
        return PostResult(False, int(exc.code), f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return PostResult(False, None, str(reason)[:500])
    if 200 <= status < 300:
        return PostResult(True, status, "")
    return PostResult(False, status, f"HTTP {status}")
