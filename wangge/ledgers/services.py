"""Running an import: read, check every row, then write everything or nothing.

``run_import`` is what the task runs (and ``wangge bench import`` inline):

1. claim the job (``queued`` → ``running``, compare-and-set on its attempt);
2. stream the rows, check each, look duplicates up in batches, and record
   progress every ``PROGRESS_EVERY`` rows (the heartbeat a retry looks at);
3. run the checks that need the whole file;
4. if any row was refused: an error report (the refused rows with 行号 and
   错误原因), the job ``failed``, nothing written;
5. otherwise one transaction: every record, one audit row for the batch and
   the job ``succeeded``.  An importer that registers records through the
   actions of their apps may still have rows refused there: it raises
   ``RowsRefused``, the transaction rolls back and the job fails with the
   error report as in 4.  A worker killed inside it leaves nothing behind
   (the database rolls the transaction back) and the job ``running`` with an
   old heartbeat, which ``do_retry_import_job`` puts back in the queue.
"""

from __future__ import annotations

import gc
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from wangge.audit.actions import record
from wangge.ledgers import reading, workbooks
from wangge.ledgers.choices import ImportKind, JobStage, JobState
from wangge.ledgers.importers import IMPORTERS
from wangge.ledgers.importers.base import Importer, RowsRefused
from wangge.ledgers.models import ImportJob
from wangge.lib.language import data_language, in_data_language, said_again

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000
#: Stored (in the installation's language) when an import fails for a reason of its own.
CRASHED = gettext_lazy(
    "Something went wrong during the import; nothing was written. It can be retried."
)


class Superseded(Exception):
    """The job was retried (or finished) meanwhile: this run stops and writes nothing."""


def parallel_min_bytes() -> int:
    """Workbooks this big are parsed in a child process (0, the default: never).  With
    calamine parsing a million rows takes seconds, less than handing them over costs."""
    return int(getattr(settings, "LEDGERS_PARALLEL_MIN_BYTES", 0))


def stale_after() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "LEDGERS_STALE_MINUTES", 15)))


@contextmanager
def _local_copy(job: ImportJob) -> Iterator[Path]:
    """The uploaded file as a local path (a copy when the storage is not a local disk)."""
    try:
        yield Path(job.file.path)
        return
    except NotImplementedError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "upload"
        with job.file.open("rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        yield target


def _update(job: ImportJob, **fields: Any) -> None:
    """Change the job, as long as this run still owns it."""
    updated = ImportJob.objects.filter(
        pk=job.pk, attempt=job.attempt, state=JobState.RUNNING
    ).update(**fields)
    if updated != 1:
        raise Superseded
    for name, value in fields.items():
        setattr(job, name, value)


def claim(job_id: int, attempt: int | None = None) -> ImportJob | None:
    """Mark the queued job running for this run; None if it is not queued (or not this attempt)."""
    now = timezone.now()
    qs = ImportJob.objects.filter(pk=job_id, state=JobState.QUEUED)
    if attempt is not None:
        qs = qs.filter(attempt=attempt)
    updated = qs.update(
        state=JobState.RUNNING,
        stage=JobStage.VALIDATING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        done=0,
        total=0,
        error_count=0,
        created_count=0,
        error_message="",
    )
    if updated != 1:
        return None
    return ImportJob.objects.select_related("uploaded_by").get(pk=job_id)


def run_import(
    job_id: int,
    attempt: int | None = None,
    *,
    parallel: bool | None = None,
    on_progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob | None:
    """Run the job (see the module's docstring); the finished job, or None if not ours to run."""
    job = claim(job_id, attempt)
    if job is None:
        logger.info("import job %s: not queued for attempt %s, skipped", job_id, attempt)
        return None
    collecting = gc.isenabled()
    # Millions of prepared rows are long-lived: the cyclic collector would only walk them again
    # and again (they hold no cycles).
    gc.disable()
    try:
        # Files hold the Chinese labels (the template's lists), and so do the error reports,
        # whoever runs the import: the task worker or, inline, a request in English.
        with data_language():
            _run(job, parallel=parallel, on_progress=on_progress)
    except Superseded:
        logger.info("import job %s: superseded by a retry", job.pk)
        return None
    except reading.FileProblem as exc:
        _fail(job, str(exc))
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _fail(job, in_data_language(CRASHED))
        raise
    finally:
        if collecting:
            gc.enable()
    job.refresh_from_db()
    return job


def rows_refused_message(count: int) -> str:
    """What a job whose rows were refused says, in the active language."""
    return ngettext(
        "%(count)s row has errors; nothing was written: download the error report, correct "
        "it and upload it again.",
        "%(count)s rows have errors; nothing was written: download the error report, correct "
        "it and upload it again.",
        count,
    ) % {"count": f"{count:,}"}


def job_message(job: ImportJob) -> str:
    """The job's message for its reader.  The stored one is in the installation's language;
    those the import writes itself are said again in the reader's."""
    if job.error_message and job.error_count and job.report:
        return rows_refused_message(job.error_count)
    return said_again(job.error_message, (CRASHED, *reading.PROBLEMS))


def _fail(job: ImportJob, message: str, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, state=JobState.RUNNING).update(
        state=JobState.FAILED,
        stage=JobStage.NONE,
        error_message=message[:500],
        finished_at=timezone.now(),
        **fields,
    )


def _run(
    job: ImportJob, *, parallel: bool | None, on_progress: Callable[[ImportJob], None] | None
) -> None:
    importer_class = IMPORTERS[ImportKind(job.kind)]
    sheet = importer_class.sheet
    with _local_copy(job) as path:
        with path.open("rb") as f:
            head = f.read(8)
        fmt = reading.file_format(job.filename, head)
        if parallel is None:
            threshold = parallel_min_bytes()
            parallel = fmt == "xlsx" and 0 < threshold <= path.stat().st_size
        table = reading.open_table(path, fmt, sheet.title, parallel=parallel)
        try:
            importer = importer_class(
                actor=job.uploaded_by, header=table.header, scope_root=job.scope_root
            )
            counted = reading.count_rows(path, fmt, sheet.title)
            _update(job, total=max((counted or 1) - 1, 0), heartbeat_at=timezone.now())
            importer.setup()
            done = 0
            for line, row in table.rows:
                importer.check(line, row)
                done += 1
                if done % PROGRESS_EVERY == 0:
                    importer.flush()
                    _update(
                        job,
                        done=done,
                        total=max(job.total, done),
                        error_count=len(importer.failures),
                        heartbeat_at=timezone.now(),
                    )
                    if on_progress is not None:
                        on_progress(job)
            importer.flush()
            importer.finish()
        finally:
            table.close()
    if done == 0:
        raise reading.FileProblem(str(reading.NO_DATA_ROWS))
    failures = importer.failures
    if failures:
        _report(job, table.header, importer)
        return
    _update(
        job,
        done=done,
        total=done,
        error_count=0,
        stage=JobStage.WRITING,
        heartbeat_at=timezone.now(),
    )
    try:
        _write(job, importer, rows=done)
    except RowsRefused:
        _report(job, table.header, importer)


def _report(job: ImportJob, header: list[Any], importer: Importer) -> None:
    failures = importer.failures
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.xlsx"
        workbooks.error_report(header, failures.sorted(), path)
        with path.open("rb") as f:
            job.report.save(f"import-{job.pk}-errors.xlsx", File(f), save=False)
    _fail(
        job,
        # Stored: in the installation's language (``run_import`` runs in it).
        rows_refused_message(len(failures)),
        error_count=len(failures),
        report=job.report.name,
    )


@contextmanager
def _big_cache() -> Iterator[None]:
    """SQLite: a page cache big enough for the indexes of a large write (256 MB, then back)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before:d}")


def _write(job: ImportJob, importer: Importer, *, rows: int) -> None:
    with _big_cache(), transaction.atomic():
        # The job row is ours until the commit: a retry started meanwhile makes this fail.
        owned = (
            ImportJob.objects.select_for_update()
            .filter(pk=job.pk, attempt=job.attempt, state=JobState.RUNNING)
            .exists()
        )
        if not owned:
            raise Superseded
        created = importer.write()
        record(
            "ledgers.import",
            actor=job.uploaded_by,
            object_type="ledgers.importjob",
            object_id=str(job.pk),
            object_repr=job.filename[:200],
            region_code=job.scope_root,
            after={
                "kind": job.kind,
                "file": job.filename,
                "rows": rows,
                "created": created,
                "attempt": job.attempt,
                **importer.summary(),
            },
        )
        _update(
            job,
            state=JobState.SUCCEEDED,
            stage=JobStage.NONE,
            created_count=created,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
