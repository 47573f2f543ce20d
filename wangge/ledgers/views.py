"""The ledger page: download a template, upload a file, follow its progress, get the report.

Works without JavaScript (the page reloads); with htmx, a running import's row
polls its own state every two seconds.  Exports link to the API (session auth).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.ledgers import actions, selectors, services
from wangge.ledgers.choices import ExportKind, ImportKind, JobState
from wangge.ledgers.models import ImportJob


def _row_context(job: ImportJob) -> dict[str, object]:
    return {
        "job": job,
        "active": job.state in (JobState.QUEUED, JobState.RUNNING),
        "can_retry": actions.can_retry(job),
        "message": services.job_message(job),
    }


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    kinds = selectors.importable_kinds(request.user)
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        if upload is None:
            messages.error(request, _("Choose the file to upload."))
        else:
            try:
                job = actions.do_create_import_job(
                    actor=request.user,
                    kind=kind,
                    upload=upload,
                    filename=upload.name or "upload",
                    size=upload.size,
                    scope_root=request.POST.get("scope_root", ""),
                )
            except actions.LedgerError as exc:
                detail = pgettext("between messages", "; ").join(exc.fields.values())
                messages.error(
                    request,
                    _("%(message)s: %(detail)s") % {"message": exc.message, "detail": detail}
                    if detail
                    else exc.message,
                )
            else:
                messages.success(
                    request,
                    _("Uploaded “%(file)s”; its rows are being checked in the background.")
                    % {"file": job.filename},
                )
        return redirect("ledgers:index")
    jobs = selectors.recent_jobs(request.user)
    return render(
        request,
        "ledgers/index.html",
        {
            "kinds": [(k.value, str(k.label)) for k in kinds],
            "export_kinds": [(k.value, str(k.label)) for k in ExportKind],
            "rows": [_row_context(job) for job in jobs],
            "all_kinds": [(k.value, str(k.label)) for k in ImportKind],
        },
    )


@login_required
@require_GET
def job_row(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.get_job_for_user(request.user, pk)
    return render(request, "ledgers/_job.html", _row_context(job))


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.get_job_for_user(request.user, pk)
    try:
        actions.do_retry_import_job(job, actor=request.user)
    except actions.LedgerError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(file)s” is queued again.") % {"file": job.filename})
    return redirect("ledgers:index")
