from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wangge.notifications.actions import send_sms
from wangge.notifications.models import SmsMessage
from wangge.notifications.sms import MemorySmsGateway
from wangge.portal.plain import seed_plain_choices
from wangge.testing import POINT_A, World, extend_world_for_events

PHONE_A = "13912345678"
PHONE_B = "13787654321"


@pytest.fixture(autouse=True)
def gateway(settings: Any) -> list[tuple[str, str, str]]:
    """Texts go to the in-memory gateway; its list of what was sent, emptied first."""
    settings.WANGGE_SMS_BACKEND = "wangge.notifications.sms.MemorySmsGateway"
    MemorySmsGateway.sent.clear()
    return MemorySmsGateway.sent


@pytest.fixture
def pw(world: World) -> World:
    """The events world (catalogue, departments, handlers) plus the plain-language choices."""
    extend_world_for_events(world)
    seed_plain_choices()
    return world


def last_code(phone: str | None = None) -> str:
    """The code of the newest sign-in text, as the phone got it (from the gateway: the
    outbox keeps it starred out)."""
    message = SmsMessage.objects.filter(kind="login_code").order_by("-id").first()
    assert message is not None, "no code was sent"
    if message.state == "pending":  # a test's transaction never commits: send it as on commit
        message = send_sms(message.pk)
        assert message is not None
    assert MemorySmsGateway.sent, "the gateway got no text"
    to, body, provider_id = MemorySmsGateway.sent[-1]
    assert provider_id == message.provider_id
    if phone is not None:
        assert message.phone == phone == to
    found = re.search(r"([0-9]{6})", body)
    assert found is not None
    return found.group(1)


def send(client: Client, phone: str, **extra: Any) -> Any:
    return client.post("/portal/login/", {"step": "phone", "phone": phone}, **extra)


def verify(client: Client, phone: str, code: str) -> Any:
    return client.post("/portal/login/", {"step": "code", "phone": phone, "code": code})


@pytest.fixture
def sms_login(pw: World) -> Callable[[str], Client]:
    """``sms_login(phone)`` → a client signed in by SMS code as the resident with that phone."""

    def make(phone: str) -> Client:
        client = Client(REMOTE_ADDR=f"10.0.{len(phone)}.{int(phone[-2:])}")
        assert send(client, phone).status_code == 200
        response = verify(client, phone, last_code(phone))
        assert response.status_code == 302, response.content.decode()
        return client

    return make


def jpeg(color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(name: str = "IMG_0001.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg() if data is None else data, content_type="image/jpeg")


def plain_choice(code: str = "0601") -> str:
    from wangge.portal.models import PlainChoice

    found = PlainChoice.objects.filter(category__code=code).order_by("sort").first()
    assert found is not None
    return f"p{found.pk}"


def report_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "choice": plain_choice(),
        "description": "礼华街有三个井盖松动，夜里车一过就哐哐响，吵得睡不着",
        "title": "礼华街三个井盖夜间松动异响",
        "lng": str(POINT_A[0]),
        "lat": str(POINT_A[1]),
        "address": "礼华街 12 号对面",
        "request_id": "form-1",
    }
    data.update(extra)
    return data


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files go to a fresh directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
