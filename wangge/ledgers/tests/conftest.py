from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from openpyxl import Workbook, load_workbook
from stdnum.cn import ric

from wangge.ledgers import actions
from wangge.ledgers.columns import SHEETS
from wangge.ledgers.models import ImportJob
from wangge.testing import GRID_A

UNIT_A1 = GRID_A + "001"
UNIT_A2 = GRID_A + "002"
PEOPLE_HEADER = SHEETS["people"].headers


def id_number(i: int, place: str = "440704") -> str:
    """The i-th of many distinct valid ID numbers."""
    born = date(1950, 1, 1) + timedelta(days=i // 500)
    body = f"{place}{born:%Y%m%d}{i % 500:03d}"
    return body + ric.calc_check_digit(body + "0")


def person_row(i: int, unit: str = UNIT_A1, **changes: Any) -> list[Any]:
    values = {
        "姓名": ("张伟", "李娜", "王芳", "单雄信")[i % 4],
        "身份证号": id_number(i),
        "手机号": f"139{i:08d}",
        "最小单元编码": unit,
        "户籍地址": "江门市江海区新塘里96号",
        "实际居住地址": f"新塘里{i % 90 + 1}号",
        "人员类型": "户籍人口" if i % 3 else "流动人口",
        "特殊人群": "",
        "备注": "",
    }
    values.update(changes)
    return [values[h] for h in PEOPLE_HEADER]


def people_rows(
    n: int, units: Sequence[str] = (UNIT_A1, UNIT_A2), start: int = 0
) -> list[list[Any]]:
    return [person_row(i, units[i % len(units)]) for i in range(start, start + n)]


def write_xlsx(
    path: Path, header: Sequence[Any], rows: Iterable[Sequence[Any]], title: str = "人员"
) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_csv(
    path: Path, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))
    return path


def make_job(user: Any, path: Path, kind: str = "people", scope_root: str = "") -> ImportJob:
    with path.open("rb") as f:
        return actions.do_create_import_job(
            actor=user, kind=kind, upload=f, filename=path.name, scope_root=scope_root
        )


def report_rows(job: ImportJob) -> list[tuple[Any, ...]]:
    with job.report.open("rb") as f:
        wb = load_workbook(io.BytesIO(f.read()), read_only=True)
        return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def run_worker() -> None:
    """Run the queued tasks the way ``wangge db_worker`` does, then stop.

    Between tasks the worker drops connections that look broken or stale
    (``close_old_connections``), like Django does around a request.  Inside the
    transaction of a ``db`` test that check finds autocommit off and closes the
    connection: Django then keeps the closed connection until the test's
    transaction ends, so on PostgreSQL every later query fails with "the
    connection is closed" (an in-memory SQLite database is never really
    closed).  As Django's test client does around requests, the check is left
    out while the test's transaction is open; tests using ``transactional_db``
    run the worker unchanged.
    """
    from django.core.management import call_command
    from django.db import connection

    with contextlib.ExitStack() as stack:
        if connection.in_atomic_block:
            stack.enter_context(
                mock.patch(
                    "django_tasks_db.management.commands.db_worker.close_old_connections",
                    lambda: None,
                )
            )
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def upload(
    client: Any, kind: str, path: Path, capture: Any, scope_root: str = ""
) -> dict[str, Any]:
    """Upload ``path`` through the API, run the task it queued on the worker; the job as the
    API answers it afterwards.  ``capture``: pytest-django's
    ``django_capture_on_commit_callbacks`` (the task is queued when the upload commits)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    data: dict[str, Any] = {"kind": kind}
    if scope_root:
        data["scope_root"] = scope_root
    with capture(execute=True), path.open("rb") as f:
        response = client.post("/api/v1/ledgers/imports", {**data, "file": f})
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["state"] == "queued" and job["kind"] == kind
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert [r.args_kwargs["args"][0] for r in queued] == [job["id"]]
    run_worker()
    result = DBTaskResult.objects.filter(args_kwargs__args__0=job["id"]).get()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    answer: dict[str, Any] = client.get(f"/api/v1/ledgers/imports/{job['id']}").json()
    return answer
