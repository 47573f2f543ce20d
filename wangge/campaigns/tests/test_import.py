"""Campaigns over a list imported from Excel or CSV (name, address, phone, unit code)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from wangge.audit.models import AuditEntry
from wangge.campaigns.importing import FileProblem, read_list
from wangge.campaigns.models import Target
from wangge.testing import GRID_A, GRID_A2, GRID_B

from .conftest import COMMUNITY_A, attempt, create_campaign, ok, post, targets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["姓名", "地址", "电话", "最小单元编码"],
    ["陈返乡", "东社区1栋101", "13600000001", GRID_A + "001"],
    ["林返乡", "东社区2栋202", "", GRID_A2 + "001"],
    [None, None, None, None],
    ["周返乡", "东社区3栋", "0750-1234567", int(GRID_A)],  # 15 digits survive as a number
]


def upload(client, campaign_id, data, name="名单.xlsx", content_type=XLSX):
    return client.post(
        f"/api/v1/campaigns/{campaign_id}/import",
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_it_reads_xlsx_and_csv_lists():
    rows = read_list(io.BytesIO(workbook(GOOD)), "名单.xlsx")
    assert [(r.line, r.name, r.unit_code) for r in rows] == [
        (2, "陈返乡", GRID_A + "001"),
        (3, "林返乡", GRID_A2 + "001"),
        (5, "周返乡", GRID_A),
    ]
    text = f"名称,最小单元编码,联系电话\n小店,{GRID_A}001,13600000009\n"
    for encoding in ("utf-8-sig", "gb18030"):
        [row] = read_list(io.BytesIO(text.encode(encoding)), "list.csv")
        assert (row.name, row.phone) == ("小店", "13600000009")
    for data, message in (
        (b"", "文件是空的"),
        ("地址,电话\n甲,1\n".encode(), "第一行应为表头"),
        (workbook([["姓名", "单元编码"]]), "文件中没有数据行"),
    ):
        try:
            read_list(io.BytesIO(data), "x.csv")
        except FileProblem as exc:
            assert str(exc).startswith(message)
        else:
            raise AssertionError(message)


def test_an_imported_list_becomes_the_targets_assigned_at_launch(api, world, outcomes):
    street = api("street")
    draft = create_campaign(
        street, target_kind="imported", tag=None, launch=False, area_code=COMMUNITY_A
    )
    assert draft["actions"] == ["import", "launch"]
    early = post(street, f"/api/v1/campaigns/{draft['id']}/launch")
    assert early.status_code == 422 and early.json()["fields"] == {"file": ["请先导入名单"]}
    imported = ok(upload(street, draft["id"], workbook(GOOD)))
    assert imported["progress"]["total"] == 3 and imported["state"] == "draft"
    assert Target.objects.filter(campaign_id=draft["id"]).count() == 3
    assert AuditEntry.objects.get(action="campaigns.import").after["rows"] == 3
    # A second upload replaces the first.
    ok(upload(street, draft["id"], workbook(GOOD[:2])))
    assert Target.objects.filter(campaign_id=draft["id"]).count() == 1
    ok(upload(street, draft["id"], workbook(GOOD)))
    launched = ok(post(street, f"/api/v1/campaigns/{draft['id']}/launch"))
    assert launched["progress"]["total"] == 3
    mine = {t["name"]: t for t in targets(api("worker_a"), draft["id"], "&mine=true")}
    assert set(mine) == {"陈返乡", "周返乡"}
    assert mine["陈返乡"]["phone"] == "136****0001"
    assert mine["周返乡"]["region_code"] == GRID_A
    assert [t["name"] for t in targets(api("worker_a2"), draft["id"], "&mine=true")] == ["林返乡"]
    # Phones are encrypted at rest.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM campaigns_target")
        assert all("13600000001" not in (row[0] or "") for row in cursor.fetchall())
    # Once launched, the list stays.
    late = upload(street, draft["id"], workbook(GOOD))
    assert late.status_code == 409


def test_a_list_with_bad_rows_is_refused_whole(api, world, outcomes):
    street = api("street")
    draft = create_campaign(
        street, target_kind="imported", tag=None, launch=False, area_code=COMMUNITY_A
    )
    rows = [
        ["姓名", "电话", "最小单元编码"],
        ["好人", "13600000001", GRID_A + "001"],
        ["", "13600000002", GRID_A + "001"],
        ["外区", "", GRID_B + "001"],
        ["坏号", "123", GRID_A + "002"],
        ["无码", "", ""],
    ]
    response = upload(street, draft["id"], workbook(rows))
    assert response.status_code == 422
    assert response.json()["message"] == "名单有误，未导入任何一行"
    [message] = response.json()["fields"]["file"]
    assert message.startswith("第 3 行：缺少姓名（名称）；第 4 行：最小单元编码 440704002001001")
    assert "第 5 行：电话号码格式不正确" in message and "第 6 行：缺少最小单元编码" in message
    assert not Target.objects.exists()
    # Excel keeps numbers as doubles: an 18-digit code typed as a number comes back altered.
    numeric = upload(
        street, draft["id"], workbook([["姓名", "单元编码"], ["甲", int(GRID_A + "001")]])
    )
    assert numeric.json()["fields"]["file"][0].startswith(
        "第 2 行：最小单元编码被 Excel 存成了数字"
    )
    broken = upload(street, draft["id"], b"PK\x03\x04 not really", name="x.xlsx")
    assert broken.json()["fields"] == {"file": ["无法读取该 Excel 文件，请确认是 .xlsx 格式"]}
    # Only imported campaigns take a list; only drafts; only managers.
    other = create_campaign(street, launch=False, area_code=COMMUNITY_A)
    assert upload(street, other["id"], workbook(GOOD)).status_code == 409
    assert upload(api("worker_a"), draft["id"], workbook(GOOD)).status_code == 404


def test_an_answer_can_correct_the_phone_of_a_list_row(api, world, outcomes):
    street = api("street")
    draft = create_campaign(
        street,
        target_kind="imported",
        tag=None,
        launch=False,
        area_code=COMMUNITY_A,
        questions=[{"key": "phone", "label": "新电话", "kind": "text", "maps_to": "person.phone"}],
    )
    ok(upload(street, draft["id"], workbook(GOOD)))
    ok(post(street, f"/api/v1/campaigns/{draft['id']}/launch"))
    target = {t["name"]: t for t in targets(api("worker_a"), draft["id"])}["陈返乡"]
    ok(attempt(api("worker_a"), target["id"], "registered", answers={"phone": "13500000000"}), 201)
    row = Target.objects.get(pk=target["id"])
    assert row.phone == "13500000000"
    entry = AuditEntry.objects.get(action="campaigns.target_update")
    assert entry.before == {"phone": "136****0001"} and entry.after == {"phone": "135****0000"}
