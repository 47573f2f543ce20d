"""Starting and retrying imports.  The work itself is ``services.run_import``, run by a task.

The task is put on the queue when the transaction that created (or re-queued)
the job commits, so a worker never looks for a job that is not there yet.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.scope import scope_for
from wangge.audit.actions import record
from wangge.ledgers import reading, selectors, services
from wangge.ledgers.choices import ImportKind, JobStage, JobState
from wangge.ledgers.importers import IMPORTERS
from wangge.ledgers.models import ImportJob
from wangge.lib import codes
from wangge.lib.errors import Refusal

INVALID = gettext_lazy("The input is invalid; please check the fields.")
UNSUPPORTED = gettext_lazy("This kind of ledger cannot be imported yet.")
#: Refusing an import, by kind (each in a whole sentence, for the translators).
MAY_NOT_IMPORT = {
    ImportKind.PEOPLE: gettext_lazy("You may not import the people ledger."),
    ImportKind.BUILDINGS: gettext_lazy("You may not import the buildings and rooms ledger."),
    ImportKind.OCCUPANCY: gettext_lazy("You may not import the occupancy ledger."),
    ImportKind.ENTERPRISES: gettext_lazy("You may not import the enterprises and shops ledger."),
    ImportKind.ASSETS: gettext_lazy("You may not import the city parts ledger."),
}


class LedgerError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages in the user's language."""

    default_message = INVALID


class LedgerForbidden(LedgerError):
    status = 403
    code = "forbidden"


class LedgerConflict(LedgerError):
    status = 409
    code = "conflict"


def max_upload_bytes() -> int:
    return int(getattr(settings, "LEDGERS_MAX_UPLOAD_MB", 100)) * 1024 * 1024


def _enqueue(job: ImportJob) -> None:
    from wangge.ledgers.tasks import run_import_task

    transaction.on_commit(partial(run_import_task.enqueue, job.pk, job.attempt))


@transaction.atomic
def do_create_import_job(
    *,
    actor: Any,
    kind: str,
    upload: IO[bytes],
    filename: str,
    size: int | None = None,
    scope_root: str = "",
) -> ImportJob:
    """Store the upload as a queued job; its task starts once this transaction commits."""
    if kind not in ImportKind.values:
        raise LedgerError(INVALID, {"kind": _("Unknown kind of ledger.")})
    if ImportKind(kind) not in IMPORTERS:
        raise LedgerError(INVALID, {"kind": str(UNSUPPORTED)})
    if actor is not None and not selectors.may_import(actor, kind):
        raise LedgerForbidden(MAY_NOT_IMPORT[ImportKind(kind)])
    errors: dict[str, str] = {}
    limit = max_upload_bytes()
    if size is not None and size > limit:
        errors["file"] = _("The file may be at most %(max)d MB.") % {"max": limit // 1024 // 1024}
    head = upload.read(8)
    upload.seek(0)
    if not head:
        errors["file"] = _("The file is empty.")
    else:
        try:
            reading.file_format(filename, head)
        except reading.FileProblem as exc:
            errors["file"] = str(exc)
    root = (scope_root or "").strip()
    if root:
        perm = IMPORTERS[ImportKind(kind)].perm
        if not codes.is_valid(root) or (actor is not None and not _may_at(actor, perm, root)):
            errors["scope_root"] = _("Unknown node, or outside your area.")
    if errors:
        raise LedgerError(INVALID, errors)
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200]
    job = ImportJob(
        kind=kind,
        filename=name,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        scope_root=root,
    )
    suffix = ".csv" if reading.file_format(name, head) == "csv" else ".xlsx"
    job.file.save(f"import{suffix}", File(upload), save=False)
    job.save()
    _enqueue(job)
    return job


def _may_at(actor: Any, perm: str, code: str) -> bool:
    from wangge.regions.models import Region

    scope = scope_for(actor)
    if not scope.is_global and not any(
        code.startswith(root) or root.startswith(code) for root in scope.roots_with(perm)
    ):
        return False
    return Region.objects.filter(code=code).exists()


def can_retry(job: ImportJob, now: datetime | None = None) -> bool:
    """A job that failed without refused rows (a crash), or one whose worker has gone silent."""
    now = now or timezone.now()
    if job.state == JobState.FAILED:
        return job.error_count == 0
    if job.state in (JobState.RUNNING, JobState.QUEUED):
        seen = job.heartbeat_at or job.started_at or job.created_at
        return seen is not None and seen < now - services.stale_after()
    return False


@transaction.atomic
def do_retry_import_job(job: ImportJob, *, actor: Any, now: datetime | None = None) -> ImportJob:
    """Queue the job again under a new attempt: a run of an older attempt can no longer write."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not can_retry(job, now):
        if job.state == JobState.FAILED:
            raise LedgerConflict(
                _("The file has rows with errors: correct them and upload it again, not retry.")
            )
        raise LedgerConflict(_("This import is running or has finished: it cannot be retried."))
    before = {"state": job.state, "attempt": job.attempt}
    job.state = JobState.QUEUED
    job.stage = JobStage.NONE
    job.attempt += 1
    job.done = job.total = job.error_count = job.created_count = 0
    job.error_message = ""
    job.started_at = job.heartbeat_at = job.finished_at = None
    job.save()
    record(
        "ledgers.retry_import",
        actor=actor,
        object_type="ledgers.importjob",
        object_id=str(job.pk),
        object_repr=job.filename,
        region_code=job.scope_root,
        before=before,
        after={"state": job.state, "attempt": job.attempt},
    )
    _enqueue(job)
    return job
