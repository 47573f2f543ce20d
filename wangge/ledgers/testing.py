"""Sample import jobs for tests that walk every endpoint (``/ledgers/imports/{job_id}``)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from wangge.ledgers.columns import PEOPLE
from wangge.ledgers.models import ImportJob
from wangge.testing import GRID_A, GRID_B, World, make_id_number

SAMPLE_PREFIX = "样例导入"


def _workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(PEOPLE.title)
    ws.append(PEOPLE.headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sample_import_jobs(world: World) -> list[int]:
    """A finished import of worker_a (grid A) and a refused one of worker_b (grid B); made once."""
    from wangge.ledgers import actions, services

    existing = list(
        ImportJob.objects.filter(filename__startswith=SAMPLE_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if existing:
        return existing
    # ID numbers issued elsewhere (110101): the walker reads every digit run starting 4407 as
    # a hierarchy code.  worker_b's row has a wrong phone.
    ids = []
    for username, unit, number, phone in (
        ("worker_a", GRID_A + "001", make_id_number("110101", "19770707", "601"), "13700000001"),
        ("worker_b", GRID_B + "001", make_id_number("110101", "19780808", "602"), "12345"),
    ):
        data = _workbook([["导入样例", number, phone, unit, "", "", "户籍人口", "", ""]])
        job = actions.do_create_import_job(
            actor=world[username],
            kind="people",
            upload=io.BytesIO(data),
            filename=f"{SAMPLE_PREFIX}-{username}.xlsx",
        )
        services.run_import(job.pk, job.attempt)
        ids.append(job.pk)
    return ids
