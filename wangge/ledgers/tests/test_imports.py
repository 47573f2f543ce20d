"""People imports: every row checked, all or nothing, error reports, scope, duplicates, crashes."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from wangge.audit.models import AuditEntry
from wangge.ledgers import actions, reading, services
from wangge.ledgers.choices import JobState
from wangge.ledgers.models import ImportJob
from wangge.people.models import Person, PersonTag, ResidenceHistory
from wangge.testing import GRID_A, GRID_B, GRID_OTHER

from .conftest import (
    PEOPLE_HEADER,
    UNIT_A1,
    UNIT_A2,
    id_number,
    make_job,
    people_rows,
    person_row,
    report_rows,
    write_csv,
    write_xlsx,
)

REASON = PEOPLE_HEADER.index("身份证号")


@pytest.fixture(scope="module")
def ten_thousand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """10,000 good rows with three bad ones among them, and the same file fixed."""
    folder = tmp_path_factory.mktemp("ledgers")
    rows = people_rows(10_000)
    good = [list(r) for r in rows]
    bad_id = id_number(2_000)
    rows[1_999][REASON] = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")  # check digit
    rows[4_999][PEOPLE_HEADER.index("手机号")] = "2381234"  # not a phone
    rows[8_999][PEOPLE_HEADER.index("最小单元编码")] = GRID_A + "099"  # no such unit
    return (
        write_xlsx(folder / "bad.xlsx", PEOPLE_HEADER, rows),
        write_xlsx(folder / "fixed.xlsx", PEOPLE_HEADER, good),
    )


def test_it_refuses_the_whole_file_for_three_bad_rows_and_imports_it_fixed(world, ten_thousand):
    bad, fixed = ten_thousand
    started = time.perf_counter()
    job = services.run_import(make_job(world["worker_a"], bad).pk)
    assert job is not None and job.state == JobState.FAILED
    assert job.error_count == 3 and job.done == 10_000 and job.created_count == 0
    assert Person.objects.count() == 0 and ResidenceHistory.objects.count() == 0
    assert not AuditEntry.objects.filter(action="ledgers.import").exists()
    report = report_rows(job)
    assert report[0] == ("行号", *PEOPLE_HEADER, "错误原因")
    assert [r[0] for r in report[1:]] == [2_001, 5_001, 9_001]  # the header is line 1
    reasons = [r[-1] for r in report[1:]]
    assert reasons[0] == "身份证号校验位不正确，请核对"
    assert reasons[1].startswith("电话号码格式不正确")
    assert reasons[2] == "最小单元编码：未知的网格或最小单元，或不在您的管辖范围内"
    assert report[2][PEOPLE_HEADER.index("手机号") + 1] == "2381234"  # the row as it was

    job = services.run_import(make_job(world["worker_a"], fixed).pk)
    assert job is not None and job.state == JobState.SUCCEEDED, job.error_message
    assert job.created_count == Person.objects.count() == ResidenceHistory.objects.count() == 10_000
    assert time.perf_counter() - started < 30
    first = Person.objects.get(
        id_number_hash=Person._meta.get_field("id_number_hash").pre_save(
            Person(id_number=id_number(1)), True
        )
    )
    assert (first.name, first.name_pinyin, first.name_initials) == ("李娜", "lina", "ln")
    assert first.phone == "13900000001" and first.region_code == UNIT_A2
    assert first.gender == "male" and first.birth_date.isoformat() == "1950-01-01"
    assert first.created_by == world["worker_a"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [first.pk])
        raw = cursor.fetchone()
    assert id_number(1) not in str(raw) and "13900000001" not in str(raw)
    audit = AuditEntry.objects.get(action="ledgers.import")
    assert audit.actor == world["worker_a"] and audit.after["created"] == 10_000
    assert id_number(1) not in str(audit.after)
    assert ResidenceHistory.objects.filter(person=first, ended_on__isnull=True).count() == 1
    # The same people again: every row is now a duplicate of a registered person.
    again = services.run_import(make_job(world["worker_a"], fixed).pk)
    assert again is not None and again.error_count == 10_000
    assert Person.objects.count() == 10_000


def test_it_refuses_rows_outside_the_uploaders_scope_like_unknown_units(world, tmp_path):
    rows = [
        person_row(1, UNIT_A1),
        person_row(2, GRID_B + "001"),  # grid B: worker_b's
        person_row(3, GRID_OTHER + "001"),  # another district
        person_row(4, GRID_A + "077"),  # no such unit
        person_row(5, GRID_A2 := "440704001001002001"),
    ]
    job = services.run_import(
        make_job(world["worker_a"], write_xlsx(tmp_path / "s.xlsx", PEOPLE_HEADER, rows)).pk
    )
    assert job is not None and job.state == JobState.FAILED
    report = report_rows(job)
    assert [r[0] for r in report[1:]] == [3, 4, 5, 6]
    assert len({r[-1] for r in report[1:]}) == 1  # out of scope reads like unknown
    assert Person.objects.count() == 0
    # The community sees grids A and A2, not B.
    job = services.run_import(
        make_job(
            world["community"], write_xlsx(tmp_path / "c.xlsx", PEOPLE_HEADER, [rows[0], rows[4]])
        ).pk
    )
    assert job is not None and job.state == JobState.SUCCEEDED
    assert set(Person.objects.values_list("region_code", flat=True)) == {UNIT_A1, GRID_A2}
    # A scope root narrows further: only rows under it.
    narrowed = make_job(
        world["community"],
        write_xlsx(tmp_path / "n.xlsx", PEOPLE_HEADER, [person_row(9, GRID_A2)]),
        scope_root=GRID_A,
    )
    job = services.run_import(narrowed.pk)
    assert job is not None and job.error_count == 1


def test_it_refuses_duplicates_within_the_file_and_against_the_database(world, tmp_path):
    services.run_import(
        make_job(
            world["worker_a"], write_xlsx(tmp_path / "1.xlsx", PEOPLE_HEADER, [person_row(1)])
        ).pk
    )
    rows = [person_row(1), person_row(2), person_row(3), person_row(2, UNIT_A2)]
    job = services.run_import(
        make_job(world["worker_a"], write_xlsx(tmp_path / "2.xlsx", PEOPLE_HEADER, rows)).pk
    )
    assert job is not None and job.state == JobState.FAILED
    report = {r[0]: r[-1] for r in report_rows(job)[1:]}
    assert report == {2: "该身份证号已登记（在您辖区内的人员中）", 5: "身份证号与第 3 行重复"}
    assert Person.objects.count() == 1
    # Registered in grid A is no duplicate for the worker of grid B, who does not see it.
    job = services.run_import(
        make_job(
            world["worker_b"],
            write_xlsx(tmp_path / "3.xlsx", PEOPLE_HEADER, [person_row(1, GRID_B + "001")]),
        ).pk
    )
    assert job is not None and job.state == JobState.SUCCEEDED


def test_it_reads_csv_with_or_without_bom_and_columns_in_any_order(world, tmp_path):
    header = list(reversed(PEOPLE_HEADER))
    for i, bom in enumerate((True, False)):
        rows = [
            list(reversed(person_row(10 + i * 2, 特殊人群="独居老人、残疾人"))),
            list(reversed(person_row(11 + i * 2))),
        ]
        path = write_csv(tmp_path / f"p{i}.csv", header, rows, bom=bom)
        job = services.run_import(make_job(world["worker_a"], path).pk)
        assert job is not None and job.state == JobState.SUCCEEDED, job.error_message
    assert Person.objects.count() == 4
    assert PersonTag.objects.count() == 4
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(
        ("\n".join([",".join(PEOPLE_HEADER), ",".join(person_row(20))])).encode("gb18030")
    )
    job = services.run_import(make_job(world["worker_a"], gbk).pk)
    assert job is not None and job.state == JobState.SUCCEEDED


def test_it_fails_a_file_without_the_required_columns(world, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", ["名字", "号码"], [["张伟", "1"]])
    job = services.run_import(make_job(world["worker_a"], path).pk)
    assert job is not None and job.state == JobState.FAILED and not job.report
    assert job.error_message.startswith("缺少必填列：姓名、身份证号、最小单元编码")


def test_it_reads_workbooks_exactly_like_openpyxl(tmp_path):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "数字", "日期", None, "富文本"])
    ws.append(
        [
            "张伟",
            12,
            timezone.datetime(2024, 5, 1),
            None,
            CellRichText(["红", TextBlock(InlineFont(b=True), "字")]),
        ]
    )
    ws.append([])
    ws.append(["x005F_x", 1.5, "", True, "=1+1"])
    ws["A7"] = "后面"
    path = tmp_path / "shared.xlsx"
    wb.save(path)  # shared strings and a <dimension>
    expected = list(
        load_workbook(path, read_only=True, data_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert list(reading.open_workbook(path).worksheets[0].iter_rows(values_only=True)) == expected
    inline = write_xlsx(tmp_path / "inline.xlsx", ["a", "b"], [["甲", 1], [None, "乙"]])
    expected = list(
        load_workbook(inline, read_only=True, data_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert list(reading.open_workbook(inline).worksheets[0].iter_rows(values_only=True)) == expected
    assert reading.count_rows(inline, "xlsx", "人员") == 3


def test_it_parses_in_a_child_process_with_the_same_result(world, tmp_path):
    rows = people_rows(4_500)
    rows[4_400][REASON] = "123"
    path = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, rows)
    table = reading.open_table(path, "xlsx", "人员", parallel=True)
    try:
        parallel = list(table.rows)
    finally:
        table.close()
    sequential = list(reading.open_table(path, "xlsx", "人员").rows)
    assert parallel == sequential and len(parallel) == 4_500
    job = services.run_import(make_job(world["worker_a"], path).pk, parallel=True)
    assert job is not None and job.error_count == 1 and report_rows(job)[1][0] == 4_402


def test_it_lets_a_job_whose_worker_went_silent_be_retried(world, tmp_path):
    job = make_job(
        world["worker_a"], write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, [person_row(1)])
    )
    claimed = services.claim(job.pk, job.attempt)
    assert claimed is not None and claimed.state == JobState.RUNNING
    assert not actions.can_retry(claimed)
    with pytest.raises(actions.LedgerConflict):
        actions.do_retry_import_job(claimed, actor=world["worker_a"])
    later = timezone.now() + services.stale_after() + timedelta(minutes=1)
    retried = actions.do_retry_import_job(claimed, actor=world["worker_a"], now=later)
    assert retried.state == JobState.QUEUED and retried.attempt == 2
    assert services.run_import(job.pk, 1) is None  # the old attempt's task does nothing
    done = services.run_import(job.pk, 2)
    assert done is not None and done.state == JobState.SUCCEEDED and Person.objects.count() == 1


def test_it_runs_as_a_task_on_the_database_worker(transactional_db, world, api, tmp_path):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    path = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, people_rows(50))
    with path.open("rb") as f:
        response = api("worker_a").post("/api/v1/ledgers/imports", {"kind": "people", "file": f})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert response.json()["state"] == "queued"
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    data = api("worker_a").get(f"/api/v1/ledgers/imports/{job_id}").json()
    assert data["state"] == "succeeded" and data["created_count"] == 50 and data["percent"] == 100
    assert Person.objects.count() == 50


# --- a worker killed in the middle of the write -------------------------------------------

CHILD = """
import os, sys, time
from datetime import timedelta
import django
django.setup()
from django.conf import settings
settings.MEDIA_ROOT = os.environ["LEDGERS_TEST_MEDIA"]
from pathlib import Path
from django.utils import timezone
from wangge.ledgers import actions, bulk, services
from wangge.ledgers.models import ImportJob
mode, job_id = sys.argv[1], int(sys.argv[2])
if mode == "hang":
    insert_rows = bulk.insert_rows
    def insert_then_hang(*args, **kwargs):
        insert_rows(*args, **kwargs)
        Path(os.environ["LEDGERS_TEST_MARKER"]).write_text("writing")
        time.sleep(600)
    bulk.insert_rows = insert_then_hang
    services.run_import(job_id)
else:
    job = ImportJob.objects.get(pk=job_id)
    job = actions.do_retry_import_job(job, actor=None, now=timezone.now() + timedelta(hours=1))
    done = services.run_import(job.pk, job.attempt)
    print(done.state if done else "skipped")
"""


def _child_database(tmp_path: Path) -> tuple[str, object]:
    """A URL the child process reaches the test data by, and a counter of rows there."""
    if connection.vendor == "sqlite":
        target = tmp_path / "child.sqlite3"
        copy = sqlite3.connect(target)
        connection.ensure_connection()
        connection.connection.backup(copy)
        copy.close()

        def count(table: str) -> int:
            with sqlite3.connect(target) as db:
                return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608

        return f"sqlite:///{target}", count
    cfg = connection.settings_dict
    url = f"postgresql://{cfg['USER']}:{cfg['PASSWORD']}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}"

    def count(table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            return int(cursor.fetchone()[0])

    return url, count


def test_it_leaves_the_database_unchanged_when_the_worker_is_killed_mid_write(
    transactional_db, world, tmp_path
):
    job = make_job(
        world["worker_a"], write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, people_rows(12_000))
    )
    url, count = _child_database(tmp_path)
    marker = tmp_path / "writing"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "wangge.config.settings",
        "WANGGE_DATABASE_URL": url,
        "WANGGE_DATA_KEYS": settings.DATA_KEYS,
        "WANGGE_SEARCH_KEY": settings.SEARCH_KEY,
        "LEDGERS_TEST_MEDIA": str(settings.MEDIA_ROOT),
        "LEDGERS_TEST_MARKER": str(marker),
    }
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, "hang", str(job.pk)], env=env, cwd=settings.BASE_DIR
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the import ended before writing"
            assert time.monotonic() < deadline, "the import never reached the write"
            time.sleep(0.05)
        # Some people are inserted (not committed) when the worker dies.
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert count("people_person") == 0
    assert count("people_residencehistory") == 0
    assert count("audit_auditentry WHERE action = 'ledgers.import'") == 0
    assert count(f"ledgers_importjob WHERE id = {job.pk} AND state = 'running'") == 1
    # Retried (the worker is long silent), the job imports everything once.
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, "retry", str(job.pk)],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("succeeded")
    assert count("people_person") == count("people_residencehistory") == 12_000
    assert count("audit_auditentry WHERE action = 'ledgers.import'") == 1
    assert io is not None and ImportJob is not None
