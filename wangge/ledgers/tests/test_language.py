"""Uploads and exports are refused in the user's language; what an import writes (its error
report and the job's message) stays Chinese, as the files do."""

from __future__ import annotations

from django.utils import translation
from openpyxl import load_workbook

from wangge.ledgers import services
from wangge.ledgers.models import ImportJob
from wangge.ledgers.tests.conftest import PEOPLE_HEADER, person_row, write_xlsx
from wangge.testing import GRID_B, english, no_cjk


def upload(client, path, **extra):
    with path.open("rb") as f:
        return client.post("/api/v1/ledgers/imports", {"kind": "people", "file": f, **extra})


def test_refused_uploads_answer_in_chinese_by_default(api, world, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    data = upload(api("worker_a"), empty, scope_root=GRID_B).json()
    assert data["message"] == "输入有误，请检查各字段"
    assert data["fields"] == {
        "file": ["文件是空的"],
        "scope_root": ["未知的节点，或不在您的管辖范围内"],
    }
    forbidden = upload(api("street"), empty)
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "您无权导入人员台账"


def test_refused_uploads_answer_in_english_when_chosen(api, world, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    response = upload(english(api("worker_a")), empty, scope_root=GRID_B)
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "The input is invalid; please check the fields."
    assert data["fields"] == {
        "file": ["The file is empty."],
        "scope_root": ["Unknown node, or outside your area."],
    }
    no_cjk(data)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 not a zip")
    refused = upload(english(api("worker_a")), old).json()
    assert refused["fields"]["file"] == [
        "Cannot read this Excel file: save it as .xlsx (Excel 2007 or later)."
    ]
    forbidden = upload(english(api("street")), empty)
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "You may not import the people ledger."
    template = english(api("street")).get("/api/v1/ledgers/templates/people")
    assert template.json()["message"] == "You may not import the people ledger."


def test_a_clear_export_without_a_reason_is_refused_in_english(api, world):
    response = english(api("worker_a")).get("/api/v1/ledgers/exports/people", {"unmasked": "true"})
    assert response.status_code == 422
    data = response.json()
    assert data["fields"]["reason"] == [
        "Exporting ID numbers and phones in clear needs a reason (at least 2 characters)."
    ]
    no_cjk(data)
    chinese = api("worker_a").get("/api/v1/ledgers/exports/people", {"unmasked": "true"}).json()
    assert chinese["fields"]["reason"] == ["导出明文身份证号、电话须填写原因（至少 2 个字）"]


def test_the_upload_page_flashes_the_refusal_in_english(login, world, tmp_path):
    client = login("worker_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with empty.open("rb") as f:
        response = client.post("/ledgers/", {"kind": "people", "file": f}, follow=True)
    text = response.content.decode()
    assert "The file is empty." in text
    assert "文件是空的" not in text


def test_an_english_users_import_writes_its_errors_in_chinese(api, world, tmp_path):
    client = english(api("worker_a"))
    bad = person_row(2, **{"身份证号": "12345"})
    response = upload(client, write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, [person_row(1), bad]))
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    with translation.override("en"):  # the worker, or an inline run, in English
        services.run_import(job_id)
    job = ImportJob.objects.get(pk=job_id)
    assert job.error_message.startswith("有 1 行有误")
    with job.report.open("rb") as f:
        rows = list(load_workbook(f).worksheets[0].iter_rows(values_only=True))
    assert rows[1][-1] == "身份证号应为 18 位"
    # Said again in the reader's language; the stored words do not change.
    shown = client.get(f"/api/v1/ledgers/imports/{job_id}").json()["error_message"]
    assert shown == (
        "1 row has errors; nothing was written: download the error report, correct it and "
        "upload it again."
    )
    chinese = api("worker_a").get(f"/api/v1/ledgers/imports/{job_id}").json()["error_message"]
    assert (
        chinese
        == job.error_message
        == ("有 1 行有误，未写入任何数据；请下载错误报告，修改后重新上传")
    )


def test_a_crashed_import_says_so_in_the_readers_language(api, login, world, tmp_path):
    from wangge.ledgers.tests.conftest import make_job

    path = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, [person_row(1)])
    job = make_job(world["worker_a"], path)
    crashed = "导入过程中出错，未写入任何数据；可重试"
    ImportJob.objects.filter(pk=job.pk).update(state="failed", error_message=crashed, error_count=0)
    path = f"/api/v1/ledgers/imports/{job.pk}"
    assert api("worker_a").get(path).json()["error_message"] == crashed
    english_message = english(api("worker_a")).get(path).json()["error_message"]
    assert english_message == (
        "Something went wrong during the import; nothing was written. It can be retried."
    )
    page = login("worker_a")
    page.post("/i18n/setlang/", {"language": "en", "next": "/"})
    row = page.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert "Something went wrong during the import" in row and crashed not in row


def test_a_file_problem_is_stored_in_chinese_and_said_in_the_readers_language(api, world, tmp_path):
    client = english(api("worker_a"))
    response = upload(client, write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, []))
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    with translation.override("en"):  # the worker, or an inline run, in English
        services.run_import(job_id)
    assert ImportJob.objects.get(pk=job_id).error_message == "文件中没有数据行"
    path = f"/api/v1/ledgers/imports/{job_id}"
    assert client.get(path).json()["error_message"] == "The file has no data rows."
    assert api("worker_a").get(path).json()["error_message"] == "文件中没有数据行"
