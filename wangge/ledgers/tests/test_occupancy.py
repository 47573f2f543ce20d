"""Occupancy imports (入住登记): registered people into registered rooms, as the ledger actions do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from wangge.audit.models import AuditEntry
from wangge.ledgers import services
from wangge.ledgers.choices import JobState
from wangge.ledgers.columns import OCCUPANCY
from wangge.people.actions import do_create_person
from wangge.people.models import Person
from wangge.places.actions import do_create_building, do_create_room
from wangge.places.models import Occupancy, Room
from wangge.testing import GRID_B, make_id_number

from .conftest import (
    UNIT_A1,
    UNIT_A2,
    make_job,
    report_rows,
    upload,
    write_csv,
    write_xlsx,
)

HEADER = OCCUPANCY.headers
UNIT_B1 = GRID_B + "001"
#: label → (unit, ID number)
PEOPLE = {
    "zhang": (UNIT_A1, make_id_number("440704", "19800101", "011")),
    "li": (UNIT_A1, make_id_number("440704", "19850202", "022")),
    "wang": (UNIT_A2, make_id_number("440704", "19900303", "033")),
    "zhao": (UNIT_B1, make_id_number("440704", "19700404", "044")),
}


@pytest.fixture
def places(world) -> dict[str, int]:
    """The people above, 新塘里96号 (rooms 101, 102) in unit A1 and 西楼 (room 1) in grid B."""
    ids = {}
    for label, (unit, number) in PEOPLE.items():
        ids[label] = do_create_person(actor=None, name=label, id_number=number, region_code=unit).pk
    no96 = do_create_building(actor=None, unit_code=UNIT_A1, name="新塘里96号", floors=4)
    west = do_create_building(actor=None, unit_code=UNIT_B1, name="西楼", floors=2)
    for building, number in ((no96, "101"), (no96, "102"), (west, "1")):
        ids[f"{building.name}-{number}"] = do_create_room(building, actor=None, number=number).pk
    return ids


def row(label: str, room: str = "101", building: str = "新塘里96号", **values: Any) -> list[Any]:
    unit = UNIT_B1 if building == "西楼" else UNIT_A1
    values = {
        "id_number": PEOPLE[label][1],
        "unit_code": unit,
        "building": building,
        "room": room,
        **values,
    }
    return [values.get(c.key, "") for c in OCCUPANCY.columns]


def good_rows() -> list[list[Any]]:
    return [
        row("zhang", move_in="2024-05-01", note="租户"),
        row("li"),
        row("wang", room="102", move_in="2023/1/1", move_out="2024年1月1日"),
    ]


def test_it_records_who_moved_in_and_out(
    api, world, places, tmp_path, django_capture_on_commit_callbacks
):
    path = write_xlsx(tmp_path / "o.xlsx", HEADER, good_rows(), title=OCCUPANCY.title)
    job = upload(api("worker_a"), "occupancy", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded", job
    assert job["created_count"] == 3
    stays = {
        o.person_id: (o.room_id, o.move_in, o.move_out, o.source, o.out_source, o.note)
        for o in Occupancy.objects.all()
    }
    room_101, room_102 = places["新塘里96号-101"], places["新塘里96号-102"]
    today = timezone.localdate()
    assert stays == {
        places["zhang"]: (room_101, date(2024, 5, 1), None, "import", "", "租户"),
        places["li"]: (room_101, today, None, "import", "", ""),
        places["wang"]: (room_102, date(2023, 1, 1), date(2024, 1, 1), "import", "import", ""),
    }
    assert Occupancy.objects.filter(recorded_by=world["worker_a"]).count() == 3
    # Moving in makes the room the person's residence (with history), as the action does.
    wang = Person.objects.get(pk=places["wang"])
    assert wang.region_code == UNIT_A1 and wang.residence_address == "新塘里96号102室"
    assert AuditEntry.objects.filter(action="places.move_in").count() == 3
    assert AuditEntry.objects.filter(action="places.move_out").count() == 1
    assert AuditEntry.objects.get(action="ledgers.import").after["occupancies"] == 3
    # The same file again: every row is already in the ledger.
    again = services.run_import(
        make_job(
            world["worker_a"], write_xlsx(tmp_path / "again.xlsx", HEADER, good_rows()), "occupancy"
        ).pk
    )
    assert again is not None and again.state == JobState.FAILED
    assert {r[0]: r[-1] for r in report_rows(again)[1:]} == {
        2: "该入住记录已登记",
        3: "该入住记录已登记",
        4: "该入住记录已登记",
    }
    # Moving zhang to room 102 ends the stay in 101; li's move before the current stay began,
    # and into the room li lives in, are refused.
    moves = [
        row("zhang", room="102", move_in="2024-06-01"),
        row("li", room="102", move_in="2020-01-01"),
    ]
    also = [row("li", room="101", move_in="2024-02-02")]
    job = services.run_import(
        make_job(
            world["worker_a"], write_xlsx(tmp_path / "move.xlsx", HEADER, moves), "occupancy"
        ).pk
    )
    assert job is not None and job.state == JobState.FAILED
    assert {r[0]: r[-1] for r in report_rows(job)[1:]} == {
        3: f"入住日期不能早于其在上一房间的入住日期（{today:%Y-%m-%d}）"
    }
    job = services.run_import(
        make_job(world["worker_a"], write_xlsx(tmp_path / "li.xlsx", HEADER, also), "occupancy").pk
    )
    assert job is not None and report_rows(job)[1][-1] == (
        f"该人员已登记住在此房间（自 {today:%Y-%m-%d} 起）"
    )
    job = services.run_import(
        make_job(
            world["worker_a"], write_xlsx(tmp_path / "m.xlsx", HEADER, moves[:1]), "occupancy"
        ).pk
    )
    assert job is not None and job.state == JobState.SUCCEEDED
    assert Occupancy.objects.get(person_id=places["zhang"], room_id=room_101).move_out == date(
        2024, 6, 1
    )
    assert (
        Occupancy.objects.get(person_id=places["zhang"], move_out__isnull=True).room_id == room_102
    )


def test_it_refuses_the_file_and_reports_exactly_the_bad_rows(world, places, tmp_path):
    unknown = make_id_number("440704", "19660606", "066")  # valid, registered nowhere
    wrong = PEOPLE["li"][1][:-1] + ("1" if PEOPLE["li"][1][-1] != "1" else "2")
    tomorrow = timezone.localdate() + timedelta(days=1)
    rows = [
        *good_rows(),
        row("zhang", room="102"),  # line 5: zhang twice
        [unknown, UNIT_A1, "新塘里96号", "101", "", "", ""],  # 6
        [wrong, UNIT_A1, "新塘里96号", "101", "", "", ""],  # 7
        row("zhao"),  # 8: registered in grid B, which worker_a does not see
        [make_id_number("440704", "19770707", "077"), UNIT_A1, "新塘里96号", "909", "", "", ""],
        [make_id_number("440704", "19780808", "088"), UNIT_A1, "无名楼", "1", "2024-13-01", "", ""],
        [
            make_id_number("440704", "19790909", "099"),
            UNIT_A1,
            "新塘里96号",
            "101",
            "2024-05-01",
            "2024-04-01",
            "",
        ],
        [
            make_id_number("440704", "19810101", "101"),
            UNIT_A1,
            "新塘里96号",
            "101",
            tomorrow.isoformat(),
            "",
            "",
        ],
        row("zhao", building="西楼", room="1"),  # 13: a room in grid B
    ]
    job = services.run_import(
        make_job(world["worker_a"], write_xlsx(tmp_path / "bad.xlsx", HEADER, rows), "occupancy").pk
    )
    assert job is not None and job.state == JobState.FAILED and job.created_count == 0
    reasons = {r[0]: r[-1] for r in report_rows(job)[1:]}
    unknown_person = "身份证号：未知的人员，或不在您的管辖范围内（请先导入人员台账）"
    assert reasons == {
        5: "身份证号与第 2 行重复（同一人员只能出现一次）",
        6: unknown_person,
        7: "身份证号校验位不正确，请核对",
        8: unknown_person,
        9: unknown_person + "；楼栋「新塘里96号」没有房号 909（请先导入楼栋与房间）",
        10: "入住日期格式不正确，应如 2024-05-01",
        11: "搬离日期不能早于入住日期",
        12: "入住日期不能晚于今天",
        13: "身份证号与第 8 行重复（同一人员只能出现一次）；"
        "最小单元编码：未知的最小单元，或不在您的管辖范围内",
    }
    assert not Occupancy.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["places.move_in", "places.move_out"]).exists()


def test_it_keeps_a_grid_worker_to_their_own_grid(world, places, tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", HEADER, [row("zhao", building="西楼", room="1")])
    job = services.run_import(make_job(world["worker_a"], path, "occupancy").pk)
    assert job is not None and job.state == JobState.FAILED
    assert report_rows(job)[1][-1] == ("最小单元编码：未知的最小单元，或不在您的管辖范围内")
    job = services.run_import(make_job(world["worker_b"], path, "occupancy").pk)
    assert job is not None and job.state == JobState.SUCCEEDED
    assert Occupancy.objects.get().room_id == places["西楼-1"]
    # The part-time worker of unit A1 records occupancy in that unit.
    path = write_xlsx(tmp_path / "p.xlsx", HEADER, [row("zhang")])
    job = services.run_import(make_job(world["part_time_a"], path, "occupancy").pk)
    assert job is not None and job.state == JobState.SUCCEEDED, job.error_message
    assert Room.objects.get(pk=places["新塘里96号-101"]).occupancies.count() == 1


def test_it_reads_a_csv_file(api, world, places, tmp_path, django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "o.csv", HEADER, good_rows(), bom=False)
    job = upload(api("worker_a"), "occupancy", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded" and job["created_count"] == 3, job
    assert Occupancy.objects.count() == 3
