"""Templates, jobs and exports through the API and the page."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from wangge.audit.models import AuditEntry
from wangge.ledgers import services
from wangge.ledgers.columns import PEOPLE, SHEETS
from wangge.ledgers.tests.conftest import (
    PEOPLE_HEADER,
    make_job,
    people_rows,
    person_row,
    write_xlsx,
)
from wangge.testing import GRID_A, GRID_B

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def test_it_serves_a_template_with_lists_instructions_and_the_users_units(api):
    wb = workbook(api("worker_a").get("/api/v1/ledgers/templates/people"))
    data = wb.worksheets[0]
    assert data.title == "人员"
    assert [c.value for c in data[1]] == PEOPLE.headers
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in data.data_validations.dataValidation}
    assert lists["G"] == '"户籍人口,流动人口"'
    assert "最小单元" in lists["D"]
    assert "说明" in wb.sheetnames
    units = [r[0] for r in wb["网格与最小单元"].iter_rows(min_row=2, values_only=True)]
    assert units and all(code.startswith(GRID_A) for code in units)
    assert api("street").get("/api/v1/ledgers/templates/people").status_code == 403


def test_it_serves_the_templates_of_the_other_ledgers(api, world):
    from wangge.assets.catalogue import seed_asset_types

    seed_asset_types()
    for kind, references in (
        ("buildings", ["最小单元"]),
        ("occupancy", ["最小单元"]),
        ("enterprises", ["网格与最小单元"]),
        ("assets", ["网格与最小单元", "部件类型", "部门"]),
    ):
        wb = workbook(api("worker_a").get(f"/api/v1/ledgers/templates/{kind}"))
        sheet = SHEETS[kind]
        assert wb.worksheets[0].title == sheet.title
        assert [c.value for c in wb.worksheets[0][1]] == sheet.headers, kind
        assert [n for n in wb.sheetnames if not n.endswith("列表")] == [
            sheet.title,
            "说明",
            *references,
        ]
        places = [r[0] for r in wb[references[0]].iter_rows(min_row=2, values_only=True)]
        assert places and all(code.startswith(GRID_A) for code in places), kind
        for street in ("street", "dept", "resident"):
            assert api(street).get(f"/api/v1/ledgers/templates/{kind}").status_code == 403
    wb = workbook(api("worker_a").get("/api/v1/ledgers/templates/assets"))
    types = [r[0] for r in wb["部件类型"].iter_rows(min_row=2, values_only=True)]
    assert "0111" in types
    departments = list(wb["部门"].iter_rows(min_row=2, values_only=True))
    assert departments == [("cg", "城管局"), ("sz", "市政局")]  # not the other district's
    # The part-time worker of a unit may record occupancy there, nothing else.
    assert api("part_time_a").get("/api/v1/ledgers/templates/occupancy").status_code == 200
    assert api("part_time_a").get("/api/v1/ledgers/templates/buildings").status_code == 403


def test_a_filled_in_template_imports(api, world, tmp_path, django_capture_on_commit_callbacks):
    """The template's own sheet, filled in as a user would, is what the importer reads."""
    from wangge.places.models import Building, Room

    from .conftest import UNIT_A1, upload

    response = api("worker_a").get("/api/v1/ledgers/templates/buildings")
    wb = workbook(response)
    ws = wb[SHEETS["buildings"].title]
    values = {
        "最小单元编码": UNIT_A1,
        "楼栋名称": "新塘里96号",
        "层数": "4",
        "出租屋": "是",
        "房东姓名": "陈国强",
        "房东电话": "13912345678",
    }
    for number in ("101", "201"):
        ws.append(
            [
                {**values, "房号": number, "所在楼层": number[0]}.get(h, None)
                for h in SHEETS["buildings"].headers
            ]
        )
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    job = upload(api("worker_a"), "buildings", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded" and job["created_count"] == 3, job
    assert Building.objects.get().is_rental and Room.objects.count() == 2


def test_files_stay_chinese_for_a_user_reading_english(api, world, tmp_path):
    """Templates, the values an import accepts and exports are exchanged: Chinese whatever the
    language of the user's pages, even when the import runs in an English context."""
    from django.utils import translation

    from wangge.people.models import Person

    client = api("worker_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    wb = workbook(client.get("/api/v1/ledgers/templates/people"))
    lists = {
        str(dv.sqref)[0]: dv.formula1 for dv in wb.worksheets[0].data_validations.dataValidation
    }
    assert lists["G"] == '"户籍人口,流动人口"'
    rows = [person_row(1, **{"人员类型": "流动人口"}), person_row(2, **{"人员类型": "户籍人口"})]
    path = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, rows)
    with path.open("rb") as f:
        response = client.post("/api/v1/ledgers/imports", {"kind": "people", "file": f})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    with translation.override("en"):  # the worker, or an inline run, in English
        services.run_import(job_id)
    job = client.get(f"/api/v1/ledgers/imports/{job_id}").json()
    assert job["state"] == "succeeded" and job["created_count"] == 2, job
    assert job["state_label"] == "Succeeded"  # the API itself answers in English
    assert sorted(Person.objects.values_list("residence_type", flat=True)) == [
        "floating",
        "registered",
    ]
    exported = workbook(client.get("/api/v1/ledgers/exports/people")).worksheets[0]
    cells = {c for r in exported.iter_rows(min_row=2, values_only=True) for c in r}
    assert {"流动人口", "户籍人口", "在住"} <= cells
    assert not cells & {"Floating resident", "Registered resident", "Lives here"}


def test_it_shows_a_job_to_its_uploader_and_administrators_only(api, world, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, [person_row(1), person_row(2, "123")])
    with path.open("rb") as f:
        response = api("worker_a").post("/api/v1/ledgers/imports", {"kind": "people", "file": f})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    services.run_import(job_id)
    mine = api("worker_a").get(f"/api/v1/ledgers/imports/{job_id}").json()
    assert mine["state"] == "failed" and mine["error_count"] == 1
    assert mine["report_url"] == f"/api/v1/ledgers/imports/{job_id}/report"
    assert workbook(api("worker_a").get(mine["report_url"])).worksheets[0].max_row == 2
    assert api("admin").get(f"/api/v1/ledgers/imports/{job_id}").status_code == 200
    for other in ("worker_a2", "community", "street"):
        assert api(other).get(f"/api/v1/ledgers/imports/{job_id}").status_code == 404
        assert api(other).get(f"/api/v1/ledgers/imports/{job_id}/report").status_code == 404
    assert [j["id"] for j in api("worker_a").get("/api/v1/ledgers/imports").json()["items"]] == [
        job_id
    ]
    assert api("worker_a2").get("/api/v1/ledgers/imports").json()["count"] == 0
    refused = api("worker_a").post(f"/api/v1/ledgers/imports/{job_id}/retry")
    assert refused.status_code == 409


def test_it_refuses_uploads_without_the_permission_or_of_other_files(api, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, [person_row(1)])
    with path.open("rb") as f:
        response = api("street").post("/api/v1/ledgers/imports", {"kind": "people", "file": f})
    assert response.status_code == 403
    bad = tmp_path / "old.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 not a zip")
    with bad.open("rb") as f:
        response = api("worker_a").post("/api/v1/ledgers/imports", {"kind": "people", "file": f})
    assert response.status_code == 422 and "xlsx" in response.json()["fields"]["file"][0]
    with path.open("rb") as f:
        response = api("worker_a").post(
            "/api/v1/ledgers/imports", {"kind": "people", "file": f, "scope_root": GRID_B}
        )
    assert response.status_code == 422 and "scope_root" in response.json()["fields"]


def _imported(world, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, people_rows(30))
    job = services.run_import(make_job(world["worker_a"], path).pk)
    assert job is not None and job.created_count == 30


def test_it_exports_people_masked_by_default_and_audits_every_export(api, world, tmp_path):
    _imported(world, tmp_path)
    rows = list(
        workbook(api("worker_a").get("/api/v1/ledgers/exports/people", {"q": "zw"}))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("姓名", "身份证号", "手机号")
    assert len(rows) == 1 + 8 and all(r[0] == "张伟" for r in rows[1:])
    assert all("*" in r[1] and "*" in r[2] for r in rows[1:])
    entry = AuditEntry.objects.get(action="ledgers.export")
    assert entry.actor == world["worker_a"]
    assert entry.after == {"kind": "people", "filters": {"q": "zw"}, "rows": 8, "masked": True}
    # Clear values: a reason and the permission over every row.
    assert (
        api("worker_a").get("/api/v1/ledgers/exports/people", {"unmasked": "true"}).status_code
        == 422
    )
    clear = workbook(
        api("worker_a").get(
            "/api/v1/ledgers/exports/people", {"unmasked": "true", "reason": "入户走访核对"}
        )
    )
    values = list(clear.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(values) == 30 and not any("*" in r[1] for r in values)
    entry = AuditEntry.objects.filter(action="ledgers.export").latest("pk")
    assert entry.after["masked"] is False and entry.reason == "入户走访核对"
    street = api("street")  # reads people masked, may not unmask
    assert workbook(street.get("/api/v1/ledgers/exports/people")).worksheets[0].max_row == 31
    assert (
        street.get(
            "/api/v1/ledgers/exports/people", {"unmasked": "true", "reason": "核对"}
        ).status_code
        == 403
    )
    assert (
        workbook(api("worker_b").get("/api/v1/ledgers/exports/people")).worksheets[0].max_row == 1
    )
    # An exact ID number in the filter is kept masked in the audit log.
    number = PEOPLE_HEADER and people_rows(1)[0][1]
    api("worker_a").get("/api/v1/ledgers/exports/people", {"q": number})
    entry = AuditEntry.objects.filter(action="ledgers.export").latest("pk")
    assert number not in str(entry.after) and entry.after["rows"] == 1


def test_it_exports_the_other_lists_through_their_selectors(api, world):
    from wangge.testing import sample_basedata, sample_people

    sample_people(world)
    sample_basedata(world)
    for kind, header in (
        ("buildings", "楼栋名称"),
        ("enterprises", "名称"),
        ("assets", "部件类型"),
    ):
        wb = workbook(api("worker_a").get(f"/api/v1/ledgers/exports/{kind}"))
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        assert rows[0][0] == header and len(rows) > 1, kind
        assert not any(c and str(c).startswith(GRID_B) for r in rows for c in r)
    wb = workbook(api("worker_a").get("/api/v1/ledgers/exports/buildings"))
    assert "139****0009" in [c for r in wb.worksheets[0].iter_rows(values_only=True) for c in r]
    assert AuditEntry.objects.filter(action="ledgers.export").count() == 4


def test_it_serves_the_page_uploads_and_polls_a_job(login, tmp_path):
    from django.utils.translation import gettext, ngettext

    client = login("worker_a")
    page = client.get("/ledgers/")
    assert page.status_code == 200 and gettext("Upload and check") in page.content.decode()
    for kind in ("people", "buildings", "occupancy", "enterprises", "assets"):
        assert f'data-testid="template-{kind}"' in page.content.decode()
    assert (
        'data-testid="template-buildings"'
        not in login("part_time_a").get("/ledgers/").content.decode()
    )
    path = write_xlsx(tmp_path / "p.xlsx", PEOPLE_HEADER, [person_row(1)])
    with path.open("rb") as f:
        response = client.post("/ledgers/", {"kind": "people", "file": f})
    assert response.status_code == 302
    page = client.get("/ledgers/").content.decode()
    assert "p.xlsx" in page and 'hx-trigger="every 2s"' in page
    from wangge.ledgers.models import ImportJob

    job = ImportJob.objects.get()
    services.run_import(job.pk)
    row = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    written = ngettext("%(counter)s record written", "%(counter)s records written", 1)
    assert written % {"counter": 1} in row and "hx-trigger" not in row
    assert login("worker_a2").get(f"/ledgers/jobs/{job.pk}/").status_code == 404
