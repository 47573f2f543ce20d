"""Buildings and rooms imports: one row per room, building data merged, rental landlords."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection

from wangge.audit.models import AuditEntry
from wangge.ledgers import services
from wangge.ledgers.choices import JobState
from wangge.ledgers.columns import BUILDINGS
from wangge.places.models import Building, RentalHousing, Room
from wangge.testing import GRID_B

from .conftest import (
    UNIT_A1,
    UNIT_A2,
    make_job,
    report_rows,
    upload,
    write_csv,
    write_xlsx,
)

HEADER = BUILDINGS.headers


def row(**values: Any) -> list[Any]:
    """A row by column key; building columns left empty unless given."""
    return [values.get(c.key, "") for c in BUILDINGS.columns]


def good_rows() -> list[list[Any]]:
    return [
        row(
            unit_code=UNIT_A1,
            building="新塘里96号",
            address="江海区新塘里96号",
            floors=4,
            use="住宅",
            is_rental="是",
            landlord_name="陈国强",
            landlord_phone="139 1234 5678",
            manager_name="陈小明",
            room="101",
            floor=1,
            area="30.5",
            max_occupants=4,
        ),
        row(unit_code=UNIT_A1, building="新塘里96号", room="102", floor=1, area=28),
        row(unit_code=UNIT_A1, building="新塘里96号", floors="4", room="401", floor="4"),
        row(
            unit_code=UNIT_A2,
            building="东风楼",
            address="东风路1号",
            floors=6,
            use="商住混合",
            is_rental="否",
        ),
        row(unit_code=UNIT_A2, building="东风楼", room="B101", floor=-1),
    ]


def test_it_imports_buildings_with_their_rooms_and_landlords(
    api, world, tmp_path, django_capture_on_commit_callbacks
):
    path = write_xlsx(tmp_path / "b.xlsx", HEADER, good_rows(), title=BUILDINGS.title)
    job = upload(api("worker_a"), "buildings", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded", job
    assert job["created_count"] == 2 + 4 and job["error_count"] == 0 and job["percent"] == 100
    no96 = Building.objects.get(name="新塘里96号")
    assert (no96.region_code, no96.address, no96.floors, no96.use, no96.is_rental) == (
        UNIT_A1,
        "江海区新塘里96号",
        4,
        "residential",
        True,
    )
    assert no96.created_by == world["worker_a"]
    rental = RentalHousing.objects.get(building=no96)
    assert (rental.landlord_name, rental.landlord_phone, rental.manager_name) == (
        "陈国强",
        "13912345678",
        "陈小明",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT landlord_phone FROM places_rentalhousing")
        assert "13912345678" not in str(cursor.fetchall())
    rooms = {
        r.number: (r.floor, r.area, r.max_occupants) for r in Room.objects.filter(building=no96)
    }
    assert rooms == {
        "101": (1, Decimal("30.50"), 4),
        "102": (1, Decimal("28.00"), None),
        "401": (4, None, None),
    }
    dongfeng = Building.objects.get(name="东风楼")
    assert (dongfeng.floors, dongfeng.use, dongfeng.is_rental) == (6, "mixed", False)
    assert not RentalHousing.objects.filter(building=dongfeng).exists()
    assert list(Room.objects.filter(building=dongfeng).values_list("number", "floor")) == [
        ("B101", -1)
    ]
    audit = AuditEntry.objects.get(action="ledgers.import")
    assert audit.after["created"] == 6 and audit.after["buildings"] == 2
    assert audit.after["rooms"] == 4
    # Each record is registered by the places actions, with their own audit rows.
    assert AuditEntry.objects.filter(action="places.create_building").count() == 2
    assert AuditEntry.objects.filter(action="places.create_room").count() == 4

    # The same buildings again: new rooms only; a room or a building-only row already there
    # is a duplicate.
    again = [
        row(unit_code=UNIT_A1, building="新塘里96号", floors=9, room="402", floor=4),
        row(unit_code=UNIT_A1, building="新塘里96号", room="101"),
        row(unit_code=UNIT_A2, building="东风楼"),
    ]
    job = services.run_import(
        make_job(
            world["worker_a"], write_xlsx(tmp_path / "again.xlsx", HEADER, again), "buildings"
        ).pk
    )
    assert job is not None and job.state == JobState.FAILED
    assert {r[0]: r[-1] for r in report_rows(job)[1:]} == {
        3: "该楼栋已有此房号",
        4: "该楼栋已登记；只新增房间时请填写房号",
    }
    job = services.run_import(
        make_job(
            world["worker_a"], write_xlsx(tmp_path / "new.xlsx", HEADER, again[:1]), "buildings"
        ).pk
    )
    assert job is not None and job.state == JobState.SUCCEEDED and job.created_count == 1
    assert Building.objects.count() == 2 and Building.objects.get(pk=no96.pk).floors == 4
    assert Room.objects.filter(building=no96).count() == 4


def test_it_refuses_the_file_and_reports_exactly_the_bad_rows(world, tmp_path):
    rows = good_rows()
    rows += [
        row(unit_code=UNIT_A1, building="新塘里96号", floors="四", room="201"),  # line 7
        row(unit_code=UNIT_A1, building="新塘里96号", room="501", floor=5),  # 8: above 4 floors
        row(unit_code=UNIT_A1, building="新塘里96号", room="102"),  # 9: room twice
        row(unit_code=UNIT_A2, building="东风楼", floors=7, room="301"),  # 10: 6 floors before
        row(unit_code=UNIT_A1, building="旧楼", landlord_phone="12345"),  # 11: phone
        row(unit_code=GRID_B + "001", building="西楼", room="1"),  # 12: grid B
        row(unit_code=UNIT_A1, building="", room="1", area="-3"),  # 13: two problems
        row(unit_code=UNIT_A1, building="新楼", is_rental="否", landlord_name="王五"),  # 14
    ]
    job = services.run_import(
        make_job(world["worker_a"], write_xlsx(tmp_path / "bad.xlsx", HEADER, rows), "buildings").pk
    )
    assert job is not None and job.state == JobState.FAILED and job.created_count == 0
    report = report_rows(job)
    assert report[0] == ("行号", *HEADER, "错误原因")
    reasons = {r[0]: r[-1] for r in report[1:]}
    assert reasons == {
        7: "层数应为整数",
        8: "所在楼层应在 -5 到 4 之间（不含 0），楼栋共 4 层",
        9: "房号与第 3 行重复（同一楼栋）",
        10: "楼栋信息与第 5 行不一致：层数",
        11: "房东电话：电话号码格式不正确：手机号为 11 位（1 开头），固话需带区号（如 0750-1234567）",
        12: "最小单元编码：未知的最小单元，或不在您的管辖范围内",
        13: "请填写楼栋名称；面积（㎡）应大于 0 且小于 100000 平方米",
        14: "填写了房东或管理人的楼栋应为出租屋",
    }
    assert report[1][HEADER.index("层数") + 1] == "四"  # the row as it was
    assert job.error_count == 8
    assert Building.objects.count() == Room.objects.count() == RentalHousing.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="places.").exists()


def test_it_keeps_a_grid_worker_to_their_own_grid(world, tmp_path):
    rows = [row(unit_code=GRID_B + "001", building="西楼", floors=3, room="301", floor=3)]
    path = write_xlsx(tmp_path / "b.xlsx", HEADER, rows)
    job = services.run_import(make_job(world["worker_a"], path, "buildings").pk)
    assert job is not None and job.state == JobState.FAILED
    assert report_rows(job)[1][-1] == "最小单元编码：未知的最小单元，或不在您的管辖范围内"
    assert not Building.objects.exists()
    job = services.run_import(make_job(world["worker_b"], path, "buildings").pk)
    assert job is not None and job.state == JobState.SUCCEEDED and job.created_count == 2
    # The community works over grids A and A2.
    job = services.run_import(
        make_job(
            world["community"],
            write_xlsx(tmp_path / "c.xlsx", HEADER, [row(unit_code=UNIT_A1, building="甲楼")]),
            "buildings",
        ).pk
    )
    assert job is not None and job.state == JobState.SUCCEEDED


def test_it_reads_a_csv_file(api, world, tmp_path, django_capture_on_commit_callbacks):
    header = list(reversed(HEADER))
    rows = [list(reversed(r)) for r in good_rows()]
    path = write_csv(tmp_path / "b.csv", header, rows, bom=True)
    job = upload(api("worker_a"), "buildings", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded" and job["created_count"] == 6, job
    assert Room.objects.count() == 4
