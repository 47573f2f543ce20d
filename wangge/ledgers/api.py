"""Excel ledgers under /api/v1/ledgers: templates, imports (jobs), exports."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.assets.api import AssetFilter
from wangge.ledgers import actions, blanks, exports, selectors, services
from wangge.ledgers.choices import ExportKind, ImportKind, JobStage, JobState
from wangge.ledgers.models import ImportJob
from wangge.ledgers.workbooks import XLSX_TYPE
from wangge.lib import codes
from wangge.organisations.api import EnterpriseFilter
from wangge.people.api import PersonFilter
from wangge.places.api import BuildingFilter

router = Router(tags=["ledgers"])
XLSX = {"responses": {200: {"content": {XLSX_TYPE: {}}, "description": "An .xlsx workbook"}}}


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    except actions.LedgerError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


def xlsx_response(path: Path, filename: str, cleanup: Callable[[], None] | None = None) -> Any:
    """The workbook as a download (the temporary file goes once it is sent)."""
    handle = path.open("rb")
    if cleanup is not None:
        original_close = handle.close

        def close() -> None:
            original_close()
            cleanup()

        handle.close = close  # type: ignore[method-assign]
    response = FileResponse(handle, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class JobOut(Schema):
    id: int
    kind: ImportKind
    kind_label: str
    filename: str
    scope_root: str = Field(..., description="Rows were accepted only under this node (or all)")
    state: JobState
    state_label: str
    stage: JobStage
    stage_label: str
    done: int = Field(..., description="Rows checked so far")
    total: int = Field(..., description="Rows in the file (0 while not known)")
    percent: int
    error_count: int = Field(..., description="Rows refused (nothing is written if any)")
    created_count: int = Field(..., description="Records written")
    error_message: str
    report_url: str | None = Field(
        ..., description="The error report (.xlsx), when rows were refused"
    )
    can_retry: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def of(job: ImportJob) -> dict[str, Any]:
        return {
            "id": job.pk,
            "kind": job.kind,
            "kind_label": job.get_kind_display(),
            "filename": job.filename,
            "scope_root": job.scope_root,
            "state": job.state,
            "state_label": job.get_state_display(),
            "stage": job.stage,
            "stage_label": job.get_stage_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "error_count": job.error_count,
            "created_count": job.created_count,
            "error_message": services.job_message(job),
            "report_url": f"/api/v1/ledgers/imports/{job.pk}/report" if job.report else None,
            "can_retry": actions.can_retry(job),
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
        }


class ExportOptions(Schema):
    unmasked: bool = Field(
        False,
        description="ID numbers and phones in clear: needs people.unmask_person over every "
        "exported record and a reason; audited",
    )
    reason: str = Field("", max_length=500, description="Why clear values are needed")


# --- templates --------------------------------------------------------------------------------


@router.get(
    "/ledgers/templates/{kind}",
    openapi_extra=XLSX,
    summary="The import template of a ledger (.xlsx: header, drop-down lists, instructions)",
)
def get_template(request: HttpRequest, kind: ImportKind) -> Any:
    from wangge.ledgers.importers import IMPORTERS

    if kind not in IMPORTERS:
        raise ApiError(422, "invalid", str(actions.INVALID), {"kind": [str(actions.UNSUPPORTED)]})
    if not selectors.may_import(request.user, kind):
        raise ApiError(403, "forbidden", str(actions.MAY_NOT_IMPORT[kind]))
    tmp = tempfile.TemporaryDirectory()
    path = Path(tmp.name) / "template.xlsx"
    filename = blanks.template_for(request.user, kind, path)
    return xlsx_response(path, filename, tmp.cleanup)


# --- imports ------------------------------------------------------------------------------------


@router.post(
    "/ledgers/imports",
    response={201: JobOut},
    summary="Upload a ledger (.xlsx or UTF-8 CSV) to import; answers the job",
    description=(
        "multipart/form-data with `kind`, `file` and optional `scope_root` (only rows under that "
        "node are accepted).  The file is checked row by row in the background: if any row is "
        "refused nothing is written and the job has an error report; otherwise every row is "
        "written in one transaction.  Poll `GET /ledgers/imports/{job_id}`."
    ),
)
def create_import(
    request: HttpRequest,
    kind: Form[ImportKind],
    file: File[UploadedFile],
    scope_root: Form[str] = "",
) -> Status[dict[str, Any]]:
    if scope_root and not codes.is_valid(scope_root):
        raise ApiError(
            422, "invalid", str(actions.INVALID), {"scope_root": [_("Not a valid area code.")]}
        )
    job = _call(
        actions.do_create_import_job,
        actor=request.user,
        kind=kind,
        upload=file,
        filename=file.name or "upload",
        size=file.size,
        scope_root=scope_root,
    )
    return Status(201, JobOut.of(job))


@router.get("/ledgers/imports", response=list[JobOut], summary="My imports, newest first")
@paginate(Paged)
def list_imports(request: HttpRequest) -> Any:
    return [JobOut.of(job) for job in selectors.recent_jobs(request.user, limit=200)]


@router.get("/ledgers/imports/{job_id}", response=JobOut, summary="An import: state and progress")
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return JobOut.of(selectors.get_job_for_user(request.user, job_id))


@router.get(
    "/ledgers/imports/{job_id}/report",
    openapi_extra=XLSX,
    summary="The error report of an import: the refused rows with 行号 and 错误原因",
)
def get_report(request: HttpRequest, job_id: int) -> Any:
    job = selectors.get_job_for_user(request.user, job_id)
    if not job.report:
        raise Http404("no report")
    try:
        handle = job.report.open("rb")
    except FileNotFoundError:
        raise Http404("no report") from None
    response = FileResponse(handle, content_type=XLSX_TYPE)
    name = f"错误报告-{Path(job.filename).stem}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@router.post(
    "/ledgers/imports/{job_id}/retry",
    response=JobOut,
    summary="Queue an import again: one that failed without refused rows, or whose worker died",
)
def retry_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    job = selectors.get_job_for_user(request.user, job_id)
    return JobOut.of(_call(actions.do_retry_import_job, job, actor=request.user))


# --- exports ------------------------------------------------------------------------------------


def _under(under: str | None) -> None:
    if under and not codes.is_valid(under):
        raise ApiError(
            422, "invalid", str(actions.INVALID), {"under": [_("Not a valid area code.")]}
        )


def _export(
    request: HttpRequest, kind: str, filters: dict[str, Any], options: ExportOptions
) -> Any:
    _under(filters.get("under"))
    done = _call(
        exports.do_export,
        actor=request.user,
        kind=kind,
        filters=filters,
        unmasked=options.unmasked,
        reason=options.reason,
    )
    return xlsx_response(done.path, done.filename, done.cleanup)


EXPORT_NOTE = (
    "The same list (and scope) as the list endpoint, as .xlsx.  ID numbers and phones are masked "
    "unless `unmasked=true` with a `reason` (people.unmask_person over every row; 403 "
    "otherwise).  Every export writes an audit row (filter, row count, masked or not)."
)


@router.get(
    "/ledgers/exports/people", openapi_extra=XLSX, summary="Export people", description=EXPORT_NOTE
)
def export_people(
    request: HttpRequest, filters: Query[PersonFilter], options: Query[ExportOptions]
) -> Any:
    return _export(request, ExportKind.PEOPLE, filters.model_dump(), options)


@router.get(
    "/ledgers/exports/buildings",
    openapi_extra=XLSX,
    summary="Export buildings",
    description=EXPORT_NOTE,
)
def export_buildings(
    request: HttpRequest, filters: Query[BuildingFilter], options: Query[ExportOptions]
) -> Any:
    return _export(request, ExportKind.BUILDINGS, filters.model_dump(), options)


@router.get(
    "/ledgers/exports/enterprises",
    openapi_extra=XLSX,
    summary="Export enterprises and shops",
    description=EXPORT_NOTE,
)
def export_enterprises(
    request: HttpRequest, filters: Query[EnterpriseFilter], options: Query[ExportOptions]
) -> Any:
    from wangge.organisations.actions import clean_phone
    from wangge.privacy.fields import blind_index

    values = filters.model_dump()
    phone, _message = clean_phone(values.pop("legal_person_phone", None))
    values["phone_hash"] = blind_index(phone) if phone else None
    return _export(request, ExportKind.ENTERPRISES, values, options)


@router.get(
    "/ledgers/exports/assets",
    openapi_extra=XLSX,
    summary="Export city parts",
    description=EXPORT_NOTE,
)
def export_assets(
    request: HttpRequest, filters: Query[AssetFilter], options: Query[ExportOptions]
) -> Any:
    return _export(request, ExportKind.ASSETS, filters.model_dump(), options)
