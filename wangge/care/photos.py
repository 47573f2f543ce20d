"""Photos of visits: checked and re-encoded without metadata by the events' photo code.

``wangge.events.attachments.process_photo`` accepts only what Pillow decodes as
JPEG, PNG or WebP within the size limits and stores a copy re-encoded from the
pixels (no EXIF, no GPS).  A photo is uploaded first and claimed by the visit
that names its id; ``delete_unused_photos`` removes what no visit claimed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.audit.actions import record
from wangge.care import selectors
from wangge.care.actions import INVALID, CareError, CareForbidden
from wangge.care.models import VisitPhoto
from wangge.events.attachments import PhotoError, process_photo

logger = logging.getLogger("wangge.care")


def do_upload_visit_photo(stream: IO[bytes], *, actor: Any, size: int | None = None) -> VisitPhoto:
    """Check, strip and store a photo for a visit the actor is about to record.

    Refusals are ``CareError`` with a message under ``file``; nothing is stored then.
    """
    if actor is not None and not selectors.can_record_anywhere(actor):
        raise CareForbidden(_("You may not record care visits"))
    try:
        photo = process_photo(stream, size)
    except PhotoError as exc:
        raise CareError(INVALID, {"file": str(exc)}) from None
    row = VisitPhoto(
        content_type=photo.content_type,
        size=len(photo.data),
        width=photo.width,
        height=photo.height,
        sha256=photo.sha256,
        uploader=actor if actor is not None and actor.is_authenticated else None,
    )
    row.file.save(f"photo.{photo.extension}", ContentFile(photo.data), save=False)
    try:
        with transaction.atomic():
            row.save()
            record(
                "care.upload_photo",
                actor=actor,
                obj=row,
                after={
                    "content_type": photo.content_type,
                    "size": row.size,
                    "sha256": photo.sha256,
                },
            )
    except BaseException:
        row.file.delete(save=False)
        raise
    return row


def delete_unused_photos(
    older_than: timedelta = timedelta(days=1), now: datetime | None = None
) -> int:
    """Remove uploads no visit claimed within ``older_than``; how many."""
    cutoff = (now or timezone.now()) - older_than
    stale = list(VisitPhoto.objects.filter(visit__isnull=True, created_at__lt=cutoff))
    for photo in stale:
        photo.file.delete(save=False)
    VisitPhoto.objects.filter(pk__in=[p.pk for p in stale], visit__isnull=True).delete()
    return len(stale)


def file_response(photo: VisitPhoto) -> FileResponse:
    """The stored (stripped) file; the caller has checked that the user sees the visit."""
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("visit photo %s: file %s is missing", photo.pk, photo.file.name)
        raise Http404("no such photo") from None
    extension = (photo.file.name or "").rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=photo.content_type,
        as_attachment=False,
        filename=f"visit-{photo.visit_id}.{extension}",
    )
    response["Cache-Control"] = "private, max-age=86400"
    response["ETag"] = f'"{photo.sha256}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
