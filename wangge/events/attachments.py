"""Event photos: checked by decoding, served re-encoded without metadata.

An upload is accepted only if Pillow decodes it as JPEG, PNG or WebP (whatever
its name or declared type), within ``WANGGE_MAX_PHOTO_MB`` and
``WANGGE_MAX_PHOTO_PIXELS``.  The stored copy is re-encoded from the pixels with
the camera's orientation applied and every metadata block (EXIF, XMP,
comments, text chunks) left out; the original bytes are not kept.  Where the
camera recorded it, the place (EXIF GPS) and time of the shot are kept in the
database only, for the command centre to compare with the reported point.

Uploads start unattached; the report or transition that names their ids claims
them (see ``actions._attachments``).  ``delete_unused_attachments`` removes
what was never claimed.  A phone names each upload with a request id, so that
sending it again (a retry from its offline outbox) stores the photo once.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from wangge.accounts.scope import scope_for
from wangge.audit.actions import record
from wangge.events.actions import INVALID, EventError, EventForbidden
from wangge.events.choices import AttachmentKind
from wangge.events.models import Attachment

logger = logging.getLogger("wangge.events")

#: Pillow format → (content type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
JPEG_QUALITY = 88
WEBP_QUALITY = 85
#: Permissions that involve taking photos; holding one anywhere allows uploading.
UPLOAD_PERMISSIONS = (
    "events.report_event",
    "events.self_handle_event",
    "events.handle_event",
    "events.verify_event",
)

NOT_AN_IMAGE = gettext_lazy("The file is not a recognisable image.")
BROKEN = gettext_lazy("The image is damaged or incomplete and cannot be read.")
EMPTY = gettext_lazy("The photo file is empty.")
#: The longest request id a phone may send (the column's width).
REQUEST_ID_MAX = 64


def max_bytes() -> int:
    return int(getattr(settings, "MAX_PHOTO_MB", 10)) * 1024 * 1024


def max_pixels() -> int:
    return int(getattr(settings, "MAX_PHOTO_PIXELS", 50_000_000))


class PhotoError(ValueError):
    """The upload is not a photo we accept; the message is for users (in their language)."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))


@dataclass(frozen=True)
class Photo:
    """A checked, re-encoded photo and what its metadata said."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str
    gps_lng: float | None = None
    gps_lat: float | None = None
    taken_at: datetime | None = None


# --- reading -----------------------------------------------------------------------


def _ratio(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:  # (numerator, denominator)
        return float(value[0]) / float(value[1])
    return float(value)


def _degrees(dms: Any, ref: Any) -> float | None:
    try:
        parts = [_ratio(v) for v in dms]
        if len(parts) != 3:
            return None
        value = parts[0] + parts[1] / 60 + parts[2] / 3600
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip().upper() in ("S", "W"):
        value = -value
    return value if math.isfinite(value) else None


def exif_location(exif: Image.Exif) -> tuple[float | None, float | None]:
    """(longitude, latitude) from the GPS block, or ``(None, None)``."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (KeyError, TypeError, ValueError, OSError):
        return None, None
    if not gps:
        return None, None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
    lng = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None, None
    return lng, lat


def exif_taken_at(exif: Image.Exif) -> datetime | None:
    """When the shot was taken (``DateTimeOriginal``, else ``DateTime``), as an aware datetime.

    Cameras write local time; without an ``OffsetTimeOriginal`` the installation's
    time zone is assumed.
    """
    try:
        detail = exif.get_ifd(ExifTags.IFD.Exif)
    except (KeyError, TypeError, ValueError, OSError):
        detail = {}
    text = detail.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.strptime(text.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 - made aware below
    except ValueError:
        return None
    offset = detail.get(ExifTags.Base.OffsetTimeOriginal)
    if isinstance(offset, str):
        try:
            return datetime.fromisoformat(f"{moment.isoformat()}{offset.strip()}")
        except ValueError:
            pass
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _for_saving(image: Image.Image, fmt: str) -> Image.Image:
    """The image in a mode ``fmt`` can store."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if fmt == "JPEG" and image.mode not in ("L", "RGB", "CMYK"):
        return image.convert("RGB")
    if fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if has_alpha else "RGB")
    if fmt == "PNG" and image.mode == "P" and has_alpha:
        return image.convert("RGBA")
    if fmt == "PNG" and image.mode not in ("1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"):
        return image.convert("RGBA" if has_alpha else "RGB")
    return image


def _too_many_pixels(size: tuple[int, int] | None, limit: int) -> str:
    megapixels = f"{limit / 1_000_000:g}"
    if size is None:
        return _("The image is too large: at most %(limit)s megapixels.") % {"limit": megapixels}
    return _("The image is too large (%(width)d×%(height)d): at most %(limit)s megapixels.") % {
        "width": size[0],
        "height": size[1],
        "limit": megapixels,
    }


def _too_big(limit: int) -> str:
    return _("The photo is too big: at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)}


def _unsupported(fmt: str) -> str:
    if not fmt:
        return _("Unsupported image format: only JPEG, PNG and WebP are accepted.")
    return _("Unsupported image format (%(format)s): only JPEG, PNG and WebP are accepted.") % {
        "format": fmt
    }


def process_photo(stream: IO[bytes], size: int | None = None) -> Photo:
    """Check an uploaded file and re-encode it without metadata; ``PhotoError`` if refused."""
    limit = max_bytes()
    if size is not None and size > limit:
        raise PhotoError(_too_big(limit))
    raw = stream.read(limit + 1)
    if not raw:
        raise PhotoError(EMPTY)
    if len(raw) > limit:
        raise PhotoError(_too_big(limit))
    pixels = max_pixels()
    try:
        image = Image.open(io.BytesIO(raw))
    except Image.DecompressionBombError:
        raise PhotoError(_too_many_pixels(None, pixels)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError(NOT_AN_IMAGE) from None
    with image:
        fmt = image.format or ""
        if fmt not in FORMATS:
            raise PhotoError(_unsupported(fmt))
        width, height = image.size
        if width < 1 or height < 1:
            raise PhotoError(BROKEN)
        if width * height > pixels:
            raise PhotoError(_too_many_pixels((width, height), pixels))
        try:
            image.load()
            exif = image.getexif()
            lng, lat = exif_location(exif)
            taken_at = exif_taken_at(exif)
            upright = ImageOps.exif_transpose(image)
            icc = image.info.get("icc_profile")
            clean = _for_saving(upright, fmt)
            # Nothing of the original's metadata may ride along into the served file.
            clean.info = {}
            out = io.BytesIO()
            params: dict[str, Any] = {}
            if isinstance(icc, bytes) and icc:
                params["icc_profile"] = icc
            if fmt == "JPEG":
                params.update(quality=JPEG_QUALITY, optimize=True)
            elif fmt == "WEBP":
                params.update(quality=WEBP_QUALITY)
            clean.save(out, fmt, **params)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise PhotoError(BROKEN) from None
    data = out.getvalue()
    content_type, extension = FORMATS[fmt]
    return Photo(
        data=data,
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(data).hexdigest(),
        gps_lng=lng,
        gps_lat=lat,
        taken_at=taken_at,
    )


# --- writing -----------------------------------------------------------------------


def can_upload(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_global or any(scope.can(perm) for perm in UPLOAD_PERMISSIONS)


@dataclass(frozen=True)
class UploadResult:
    attachment: Attachment
    #: False when the same request id from the same uploader had already stored it.
    created: bool


def _uploaded(actor: Any, request_id: str) -> Attachment | None:
    """The photo ``actor`` uploaded with ``request_id`` (unique per uploader), if any."""
    return next(
        iter(Attachment.objects.filter(uploader=actor, client_request_id=request_id).order_by()),
        None,
    )


def do_upload_attachment(
    stream: IO[bytes],
    *,
    actor: Any,
    kind: str = AttachmentKind.REPORT,
    size: int | None = None,
    request_id: str | None = None,
) -> Attachment:
    """Check, strip and store a photo; it waits unattached until a report or transition claims it.

    Refusals are ``EventError`` with a field-level message under ``file`` or
    ``kind``; nothing is stored then.  See ``store_attachment`` for ``request_id``.
    """
    return store_attachment(
        stream, actor=actor, kind=kind, size=size, request_id=request_id
    ).attachment


def store_attachment(
    stream: IO[bytes],
    *,
    actor: Any,
    kind: str = AttachmentKind.REPORT,
    size: int | None = None,
    request_id: str | None = None,
) -> UploadResult:
    """``do_upload_attachment``, idempotent on the phone's ``request_id``.

    The same request id from the same uploader answers with the photo the first
    request stored (``created=False``), whether or not a report has claimed it
    since — also when the two requests race in on two connections.
    """
    if actor is not None and not can_upload(actor):
        raise EventForbidden(_("You may not upload event photos."))
    request_id = (request_id or "").strip()
    owned = actor is not None and actor.is_authenticated
    if request_id and not owned:
        request_id = ""
    if len(request_id) > REQUEST_ID_MAX:
        raise EventError(
            INVALID,
            {
                "request_id": _("The request id may have at most %(count)d characters.")
                % {"count": REQUEST_ID_MAX}
            },
        )
    if request_id:
        existing = _uploaded(actor, request_id)
        if existing is not None:
            return UploadResult(existing, False)
    if kind not in AttachmentKind.values:
        raise EventError(INVALID, {"kind": _("Unknown photo kind.")})
    try:
        photo = process_photo(stream, size)
    except PhotoError as exc:
        raise EventError(INVALID, {"file": str(exc)}) from None
    attachment = Attachment(
        kind=kind,
        content_type=photo.content_type,
        size=len(photo.data),
        width=photo.width,
        height=photo.height,
        sha256=photo.sha256,
        uploader=actor if owned else None,
        gps_lng=photo.gps_lng,
        gps_lat=photo.gps_lat,
        taken_at=photo.taken_at,
        client_request_id=request_id,
    )
    # Saving the field writes the file under a fresh random name.
    attachment.file.save(f"photo.{photo.extension}", ContentFile(photo.data), save=False)
    try:
        with transaction.atomic():
            attachment.save()
            record(
                "events.upload_attachment",
                actor=actor,
                obj=attachment,
                after={
                    "kind": kind,
                    "content_type": photo.content_type,
                    "size": attachment.size,
                    "sha256": photo.sha256,
                },
            )
    except IntegrityError:
        attachment.file.delete(save=False)
        # The same request id raced in from a second connection: answer with its photo.
        existing = _uploaded(actor, request_id) if request_id else None
        if existing is None:
            raise
        return UploadResult(existing, False)
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return UploadResult(attachment, True)


def delete_unused_attachments(
    older_than: timedelta = timedelta(days=1), now: datetime | None = None
) -> int:
    """Remove uploads no report or transition claimed within ``older_than``; how many."""
    cutoff = (now or timezone.now()) - older_than
    stale = list(Attachment.objects.filter(event__isnull=True, created_at__lt=cutoff))
    for attachment in stale:
        attachment.file.delete(save=False)
    Attachment.objects.filter(pk__in=[a.pk for a in stale], event__isnull=True).delete()
    return len(stale)


# --- serving -------------------------------------------------------------------------


def file_response(attachment: Attachment) -> FileResponse:
    """The stored (stripped) file; the caller has checked that the user sees the event."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("attachment %s: file %s is missing", attachment.pk, attachment.file.name)
        raise Http404("no such attachment") from None
    extension = (attachment.file.name or "").rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=False,
        filename=f"event-{attachment.event_id}-{attachment.pk}.{extension}",
    )
    response["Cache-Control"] = "private, max-age=86400"
    response["ETag"] = f'"{attachment.sha256}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
