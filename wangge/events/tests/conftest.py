from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wangge.testing import POINT_A, World, extend_world_for_events


@pytest.fixture
def ew(world: World) -> World:
    """The test world plus the event catalogue, all departments and their handlers."""
    return extend_world_for_events(world)


@pytest.fixture
def client_for(ew: World, api: Callable[[str], Client]) -> Callable[[str], Client]:
    """Like ``api`` but with the events world (department handlers included)."""
    return api


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def report(
    client: Client, *, category: str = "0601", point: tuple[float, float] = POINT_A, **extra: Any
) -> Any:
    body = {
        "category": category,
        "description": "井盖松动，车辆经过时哐哐响",
        "lng": point[0],
        "lat": point[1],
    }
    body.update(extra)
    return post(client, "/api/v1/events", body)


def act(client: Client, event_id: int, action: str, body: dict[str, Any] | None = None) -> Any:
    return post(client, f"/api/v1/events/{event_id}/{action}", body)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    data: dict[str, Any] = response.json()
    return data


def photo_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (40, 20),
    *,
    gps: tuple[float, float] | None = None,
    orientation: int | None = None,
    make: str = "",
) -> bytes:
    """A small image; with ``gps`` (lng, lat) and ``orientation`` written into its EXIF."""
    import io

    from PIL import ExifTags, Image

    image = Image.new("RGB", size, (200, 40, 40))
    image.putpixel((0, 0), (0, 0, 255))  # marks the top-left corner
    exif = Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if make:
        exif[ExifTags.Base.Make] = make
    if gps:
        lng, lat = gps

        def dms(value: float) -> tuple[float, float, float]:
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            return (float(d), float(m), round((value - d - m / 60) * 3600, 4))

        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
            ExifTags.GPS.GPSLatitude: dms(lat),
            ExifTags.GPS.GPSLongitudeRef: "E" if lng >= 0 else "W",
            ExifTags.GPS.GPSLongitude: dms(lng),
        }
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:20 09:30:00"
    buffer = io.BytesIO()
    params: dict[str, Any] = {"exif": exif.tobytes()} if len(exif) else {}
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files go to a fresh directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(
    client: Client, data: bytes | None = None, *, kind: str = "report", name: str = "IMG_0001.jpg"
) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, photo_bytes() if data is None else data)
    return client.post("/api/v1/events/attachments", {"file": file, "kind": kind})


def photo_id(client: Client, kind: str = "report", data: bytes | None = None) -> int:
    response = upload(client, data, kind=kind)
    assert response.status_code == 201, response.content.decode()
    return int(response.json()["id"])
