"""Writes of the resident portal: SMS sign-in, reporting, joining, rating.

* **Sign-in codes**: six digits from ``secrets``, stored as a keyed hash, valid
  ``PORTAL_CODE_TTL_SECONDS`` (5 minutes) for ``PORTAL_CODE_MAX_TRIES`` (5) tries;
  only the newest code of a phone counts.  Sends are limited per phone (1 a
  minute, 5 an hour) and per client address (20 an hour), counted from the
  ``LoginCode`` rows, so the limits hold across processes.  The text goes
  through the notifications outbox (``SmsMessage``) and its gateway.
* **Reports** go through ``events.actions.do_report_event`` with the photos
  checked by ``events.attachments``; a resident may report
  ``PORTAL_REPORTS_PER_HOUR`` / ``PORTAL_REPORTS_PER_DAY`` times.  A refused
  report stores nothing, not even its photos.
* **Joining** and **rating** are the events actions (``do_join_event``,
  ``do_return_visit_event``) with the resident as the actor.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.actions import do_assign_role, do_create_user
from wangge.accounts.models import Assignment, User
from wangge.accounts.scope import forget_scope
from wangge.audit.actions import record
from wangge.events import actions as event_actions
from wangge.events import attachments
from wangge.events.choices import EventSource
from wangge.events.models import Attachment, Event, EventFollower
from wangge.lib.crypto import mask_phone
from wangge.lib.errors import Refusal
from wangge.notifications.choices import NotificationKind
from wangge.notifications.models import SmsMessage
from wangge.portal import conf
from wangge.portal.models import LoginCode, PlainChoice, ResidentAccount
from wangge.privacy.fields import blind_index
from wangge.regions.models import Region

PHONE = re.compile(r"^1[3-9][0-9]{9}$")
CODE = re.compile(r"^[0-9]{6}$")
INVALID = gettext_lazy("Invalid input: please check the fields.")
BAD_PHONE = gettext_lazy("Please enter a valid 11-digit mobile number.")
#: The outbox ``kind`` and recipient ``key`` of sign-in codes.
SMS_KIND = NotificationKind.LOGIN_CODE
SMS_KEY = "login"
TITLE_MAX = 100
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 200
CONTACT_MAX = 64
NOTE_MAX = 500


class PortalError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""


class PortalThrottled(PortalError):
    """Too many sends or reports: try again in ``retry_after`` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(
        self, message: str | Promise, retry_after: int, fields: dict[str, str] | None = None
    ):
        super().__init__(message, fields)
        self.retry_after = max(1, int(retry_after))


def normalise_phone(value: str | None) -> str:
    """``+86 138-1234-1234`` → ``13812341234``."""
    text = re.sub(r"[\s\-()]", "", value or "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text[:20]


def _phone(value: str | None) -> str:
    phone = normalise_phone(value)
    if not PHONE.match(phone):
        raise PortalError(INVALID, {"phone": str(BAD_PHONE)})
    return phone


def _code_hash(phone_hash: str, code: str) -> str:
    return salted_hmac(
        "wangge.portal.login-code", f"{phone_hash}:{code}", algorithm="sha256"
    ).hexdigest()


def ip_hash(ip: str) -> str:
    """A keyed hash of the client address: counted, never stored in clear."""
    return blind_index(f"ip:{ip or 'unknown'}")


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


# --- sign-in codes ---------------------------------------------------------------------------


def _serialise(*keys: str) -> None:
    """Hold transaction-level locks on ``keys`` (PostgreSQL advisory locks), so that two sends
    for the same phone or address count each other.  SQLite already serialises writers."""
    connection = connections[LoginCode.objects.db]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _check_send_limits(phone_hash: str, address_hash: str, now: datetime) -> None:
    minute, hour = now - timedelta(seconds=60), now - timedelta(hours=1)
    recent = list(
        LoginCode.objects.filter(phone_hash=phone_hash, created_at__gt=hour)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    in_minute = [t for t in recent if t > minute]
    if len(in_minute) >= conf.number("PORTAL_SENDS_PER_PHONE_MINUTE"):
        wait = (in_minute[0] + timedelta(seconds=60) - now).total_seconds()
        raise PortalThrottled(
            _("A code was sent: please wait %(seconds)d seconds before asking for another.")
            % {"seconds": max(1, math.ceil(wait))},
            math.ceil(wait),
            {"phone": _("Codes asked for too often.")},
        )
    if len(recent) >= conf.number("PORTAL_SENDS_PER_PHONE_HOUR"):
        wait = (recent[0] + timedelta(hours=1) - now).total_seconds()
        raise PortalThrottled(
            _("Too many codes for this number: please try again in %(minutes)d minutes.")
            % {"minutes": _minutes(wait)},
            math.ceil(wait),
            {"phone": _("Too many codes asked for.")},
        )
    from_address = list(
        LoginCode.objects.filter(ip_hash=address_hash, created_at__gt=hour)
        .order_by("created_at")
        .values_list("created_at", flat=True)[: conf.number("PORTAL_SENDS_PER_IP_HOUR")]
    )
    if len(from_address) >= conf.number("PORTAL_SENDS_PER_IP_HOUR"):
        wait = (from_address[0] + timedelta(hours=1) - now).total_seconds()
        raise PortalThrottled(
            _("Too many requests: please try again in %(minutes)d minutes.")
            % {"minutes": _minutes(wait)},
            math.ceil(wait),
        )


def sms_text(code: str) -> str:
    minutes = _minutes(conf.number("PORTAL_CODE_TTL_SECONDS"))
    return (
        f"【网格化服务管理】您的登录验证码为 {code}，{minutes} 分钟内有效。请勿将验证码告诉他人。"
    )


def _send_now(message_id: int) -> None:
    """Hand the code to the gateway at once: a sign-in code cannot wait for a worker."""
    from wangge.notifications.actions import send_sms

    send_sms(message_id)


@transaction.atomic
def do_send_login_code(phone: str, *, ip: str, now: datetime | None = None) -> LoginCode:
    """Text a new code to ``phone`` (through the outbox); ``PortalThrottled`` over the limits."""
    phone = _phone(phone)
    now = now or timezone.now()
    phone_hash, address_hash = blind_index(phone), ip_hash(ip)
    _serialise(f"portal:phone:{phone_hash}", f"portal:ip:{address_hash}")
    _check_send_limits(phone_hash, address_hash, now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    message = SmsMessage.objects.create(
        phone=phone, body=sms_text(code), kind=SMS_KIND, key=SMS_KEY, created_at=now
    )
    row = LoginCode.objects.create(
        phone_hash=phone_hash,
        ip_hash=address_hash,
        code_hash=_code_hash(phone_hash, code),
        created_at=now,
        expires_at=now + timedelta(seconds=conf.number("PORTAL_CODE_TTL_SECONDS")),
        sms=message,
    )
    record(
        "portal.send_login_code",
        actor=None,
        obj=row,
        after={"phone": mask_phone(phone), "sms": message.pk},
    )
    transaction.on_commit(partial(_send_now, message.pk))
    return row


EXPIRED = gettext_lazy("The code has expired: please ask for a new one.")
TOO_MANY = gettext_lazy("Too many wrong codes: please ask for a new one.")


def do_verify_login_code(phone: str, code: str, *, now: datetime | None = None) -> User:
    """The resident's account (created on first sign-in) if ``code`` is the phone's newest code.

    A try is counted before the code is compared (a compare-and-set on
    ``attempts``), so parallel guesses cannot exceed the limit; the count is
    kept whatever the outcome.
    """
    phone = _phone(phone)
    code = re.sub(r"\s", "", code or "")
    if not CODE.match(code):
        raise PortalError(INVALID, {"code": _("Please enter the 6-digit code.")})
    now = now or timezone.now()
    phone_hash = blind_index(phone)
    row = (
        LoginCode.objects.filter(phone_hash=phone_hash, used_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    newest = (
        LoginCode.objects.filter(phone_hash=phone_hash)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if row is None or row.pk != newest or row.expires_at <= now:
        raise PortalError(EXPIRED, {"code": str(EXPIRED)})
    limit = conf.number("PORTAL_CODE_MAX_TRIES")
    taken = LoginCode.objects.filter(pk=row.pk, used_at__isnull=True, attempts__lt=limit).update(
        attempts=F("attempts") + 1
    )
    if not taken:
        raise PortalError(TOO_MANY, {"code": str(TOO_MANY)})
    if not constant_time_compare(row.code_hash, _code_hash(phone_hash, code)):
        left = limit - row.attempts - 1
        message = (
            _("Wrong code: %(left)d more tries.") % {"left": left} if left > 0 else str(TOO_MANY)
        )
        raise PortalError(message, {"code": message})
    with transaction.atomic():
        if not LoginCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
            raise PortalError(EXPIRED, {"code": str(EXPIRED)})
        user = _resident_for(phone, now)
        record(
            "portal.sign_in",
            actor=user,
            obj=user,
            after={"phone": mask_phone(phone), "code": row.pk},
        )
    return user


def resident_districts() -> list[Region]:
    wanted = conf.districts()
    qs = Region.objects.filter(level="district").only("id", "code", "name", "level")
    if wanted is not None:
        qs = qs.filter(code__in=wanted)
    return list(qs.order_by("code"))


def _ensure_resident_role(user: User) -> None:
    held = set(
        Assignment.objects.filter(user=user, role__slug="resident", is_active=True).values_list(
            "region_id", flat=True
        )
    )
    for district in resident_districts():
        if district.pk not in held:
            do_assign_role(user=user, role="resident", region=district, actor=None)
    forget_scope(user)


def _resident_for(phone: str, now: datetime) -> User:
    phone_hash = blind_index(phone)
    account = ResidentAccount.objects.select_related("user").filter(phone_hash=phone_hash).first()
    if account is None:
        user = do_create_user(
            username=f"resident-{secrets.token_hex(6)}",
            password=None,
            display_name=f"居民{phone[-4:]}",
            actor=None,
        )
        try:
            with transaction.atomic():
                account = ResidentAccount.objects.create(user=user, phone=phone, created_at=now)
        except IntegrityError:
            # The same phone signed in on two connections at once: keep the first account.
            user.delete()
            account = ResidentAccount.objects.select_related("user").get(phone_hash=phone_hash)
    user = account.user
    if not user.is_active:
        raise PortalError(
            _("This account is disabled: please contact the community staff."),
            {"phone": _("This account is disabled.")},
        )
    _ensure_resident_role(user)
    ResidentAccount.objects.filter(pk=account.pk).update(last_login_at=now)
    return user


def phone_of(user: Any) -> str:
    """The verified phone of a resident who signed in by SMS ("" otherwise)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    account = ResidentAccount.objects.filter(user_id=user.pk).only("phone").first()
    return account.phone if account is not None else ""


# --- reporting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalReport:
    """One report as the portal's form sends it."""

    choice: str
    description: str
    lng: float | None
    lat: float | None
    title: str = ""
    address: str = ""
    contact: str = ""
    anonymous: bool = False
    request_id: str = ""


def _check_report_limits(user: Any, now: datetime) -> None:
    hour, day = now - timedelta(hours=1), now - timedelta(days=1)
    times = list(
        Event.objects.filter(reporter=user, reported_at__gt=day)
        .order_by("reported_at")
        .values_list("reported_at", flat=True)
    )
    in_hour = [t for t in times if t > hour]
    if len(in_hour) >= conf.number("PORTAL_REPORTS_PER_HOUR"):
        wait = (in_hour[0] + timedelta(hours=1) - now).total_seconds()
        raise PortalThrottled(
            _("Too many reports: please try again in %(minutes)d minutes.")
            % {"minutes": _minutes(wait)},
            math.ceil(wait),
        )
    if len(times) >= conf.number("PORTAL_REPORTS_PER_DAY"):
        wait = (times[0] + timedelta(days=1) - now).total_seconds()
        raise PortalThrottled(
            _("Today's report limit is reached: please try again in %(hours)d hours.")
            % {"hours": _minutes(wait) // 60 + 1},
            math.ceil(wait),
        )


def choice_category(choice: str) -> str:
    """The sub-category code behind a plain choice (``p<id>``) or a category code."""
    value = (choice or "").strip()
    if value.startswith("p") and value[1:].isdigit():
        found = (
            PlainChoice.objects.filter(pk=int(value[1:]), is_active=True)
            .values_list("category__code", flat=True)
            .first()
        )
        return found or ""
    return value[:8]


def _length_errors(report: PortalReport) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(report.title.strip()) > TITLE_MAX:
        errors["title"] = _("The title may have at most %(count)d characters.") % {
            "count": TITLE_MAX
        }
    if len(report.description.strip()) > DESCRIPTION_MAX:
        errors["description"] = _("The description may have at most %(count)d characters.") % {
            "count": DESCRIPTION_MAX
        }
    if len(report.address.strip()) > ADDRESS_MAX:
        errors["address"] = _("The address may have at most %(count)d characters.") % {
            "count": ADDRESS_MAX
        }
    contact = normalise_phone(report.contact)
    if report.contact.strip() and not PHONE.match(contact):
        errors["contact"] = str(BAD_PHONE)
    if len(report.request_id) > attachments.REQUEST_ID_MAX:
        errors["request_id"] = _(
            "Invalid request id: please reload the page and fill in the form again."
        )
    return errors


def _store_photos(
    photos: Sequence[Any], user: Any, request_id: str
) -> list[tuple[Attachment, bool]]:
    """Check and store each photo: (photo, stored now); its request id is the form's and the
    photo's digest, so the same form sent twice stores each photo once."""
    stored: list[tuple[Attachment, bool]] = []
    for index, photo in enumerate(photos):
        digest = hashlib.sha256()
        for chunk in photo.chunks():
            digest.update(chunk)
        photo.seek(0)
        photo_request_id = (
            f"{request_id[:40]}-p{index}-{digest.hexdigest()[:16]}" if request_id else None
        )
        try:
            result = attachments.store_attachment(
                photo, actor=user, size=photo.size, request_id=photo_request_id
            )
        except event_actions.EventError as exc:
            text = exc.fields.get("file") or exc.message
            name = str(getattr(photo, "name", "") or "")[:60]
            if name:
                said = _("Photo %(number)d (%(name)s): %(error)s") % {
                    "number": index + 1,
                    "name": name,
                    "error": text,
                }
            else:
                said = _("Photo %(number)d: %(error)s") % {"number": index + 1, "error": text}
            raise event_actions.EventError(INVALID, {"photos": said}) from None
        stored.append((result.attachment, result.created))
    return stored


def do_report(
    report: PortalReport,
    *,
    actor: Any,
    photos: Sequence[Any] = (),
    now: datetime | None = None,
) -> event_actions.ReportResult:
    """Report a problem from the portal; the same ``request_id`` again answers its event."""
    now = now or timezone.now()
    request_id = (report.request_id or "").strip()
    if request_id:
        existing = (
            Event.objects.filter(reporter=actor, client_request_id=request_id[:64])
            .select_related("category")
            .first()
        )
        if existing is not None:
            return event_actions.ReportResult(existing, False)
    _check_report_limits(actor, now)
    errors = _length_errors(report)
    if len(photos) > event_actions.MAX_ATTACHMENTS:
        errors["photos"] = _("At most %(count)d photos.") % {"count": event_actions.MAX_ATTACHMENTS}
    category = choice_category(report.choice)
    if not category:
        errors["choice"] = _("Please choose the kind of problem.")
    if not report.description.strip():
        errors["description"] = _("Please describe the problem.")
    if report.lng is None or report.lat is None:
        errors["location"] = _("Please pick the place on the map, or use my location.")
    if errors:
        raise event_actions.EventError(INVALID, errors)
    stored: list[tuple[Attachment, bool]] = []
    try:
        with transaction.atomic():
            stored = _store_photos(photos, actor, request_id)
            result = event_actions.do_report_event(
                actor=actor,
                category=category,
                description=report.description,
                lng=report.lng if report.lng is not None else math.nan,
                lat=report.lat if report.lat is not None else math.nan,
                title=report.title,
                address=report.address,
                source=EventSource.RESIDENT,
                reporter_contact=normalise_phone(report.contact),
                request_id=request_id or None,
                attachments=[a.pk for a, _created in stored],
                anonymous=report.anonymous,
                now=now,
            )
    except BaseException:
        # The rows went with the transaction; their files must go too.
        for attachment, created in stored:
            if created:
                attachment.file.delete(save=False)
        raise
    return result


# --- following and rating ----------------------------------------------------------------------


def do_join(event: Event, *, actor: Any, request_id: str = "", note: str = "") -> EventFollower:
    """Follow an open event instead of reporting it again (``events.actions.do_join_event``)."""
    return event_actions.do_join_event(
        event, actor=actor, request_id=request_id[:64], note=note[:NOTE_MAX]
    )


def do_rate(
    event: Event,
    *,
    actor: Any,
    satisfaction: str,
    solved: bool | None,
    note: str = "",
    version: int | None = None,
) -> Any:
    """The reporter's own return visit: how satisfied, whether it is solved."""
    errors: dict[str, str] = {}
    if solved is None:
        errors["solved"] = _("Please say whether the problem is solved.")
    if not satisfaction:
        errors["satisfaction"] = _(
            "Please choose how satisfied: satisfied, basically satisfied or dissatisfied."
        )
    if len(note or "") > NOTE_MAX:
        errors["note"] = _("The comment may have at most %(count)d characters.") % {
            "count": NOTE_MAX
        }
    if errors:
        raise event_actions.EventError(INVALID, errors)
    return event_actions.do_return_visit_event(
        event,
        actor=actor,
        contacted=True,
        solved=bool(solved),
        satisfaction=satisfaction,
        note=note,
        version=version,
    )
