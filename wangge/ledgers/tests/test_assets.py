"""City part imports: types, numbers, places from points or codes, departments, scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from wangge.assets.actions import do_create_asset
from wangge.assets.catalogue import seed_asset_types
from wangge.assets.models import Asset
from wangge.audit.models import AuditEntry
from wangge.ledgers import services
from wangge.ledgers.choices import JobState
from wangge.ledgers.columns import ASSETS
from wangge.testing import GRID_A, GRID_B, POINT_B

from .conftest import (
    UNIT_A1,
    UNIT_A2,
    make_job,
    report_rows,
    upload,
    write_csv,
    write_xlsx,
)

HEADER = ASSETS.headers
OUTSIDE = "该位置不在您管辖的网格范围内"


@pytest.fixture(autouse=True)
def _types(db: Any) -> None:
    seed_asset_types()


def row(**values: Any) -> list[Any]:
    return [values.get(c.key, "") for c in ASSETS.columns]


def good_rows() -> list[list[Any]]:
    return [
        row(
            type="0111 消防栓",
            code="XFS-A-0001",
            name="新塘里消防栓",
            lng=113.02,
            lat="22.05",
            state="正常",
            owner_department="cg",
            installed_on="2023-05-01",
            is_new="是",
        ),
        row(type="路灯", region_code=UNIT_A2, owner_department="市政局", address="东风路"),
        row(
            type="0102", code="wsjg-7", lng="113.03", lat="22.15", region_code=GRID_A, state="损坏"
        ),
    ]


def test_it_imports_city_parts(api, world, tmp_path, django_capture_on_commit_callbacks):
    path = write_xlsx(tmp_path / "a.xlsx", HEADER, good_rows(), title=ASSETS.title)
    job = upload(api("worker_a"), "assets", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded" and job["created_count"] == 3, job
    hydrant = Asset.objects.get(code="XFS-A-0001")
    assert (hydrant.type.code, hydrant.region_code, hydrant.lng, hydrant.lat) == (
        "0111",
        UNIT_A1,
        113.02,
        22.05,
    )
    assert hydrant.owner_department == world.departments["cg"]
    assert (hydrant.installed_on, hydrant.is_new, hydrant.state) == (
        date(2023, 5, 1),
        True,
        "normal",
    )
    lamp = Asset.objects.get(type__code="0115")
    unit = world.regions[UNIT_A2]
    assert lamp.region_code == UNIT_A2 and (lamp.lng, lamp.lat) == (unit.point_lng, unit.point_lat)
    assert lamp.code == f"LD-{lamp.pk:07d}"  # numbered by the action
    assert lamp.owner_department == world.departments["sz"]
    cover = Asset.objects.get(code="WSJG-7")
    assert (cover.region_code, cover.state, cover.district_code) == (GRID_A, "damaged", "440704")
    assert AuditEntry.objects.filter(action="assets.create").count() == 3
    # Numbers are unique in the district: the same file again is refused where it gives them.
    again = services.run_import(
        make_job(
            world["worker_a"], write_xlsx(tmp_path / "b.xlsx", HEADER, good_rows()), "assets"
        ).pk
    )
    assert again is not None and again.state == JobState.FAILED
    assert {r[0]: r[-1] for r in report_rows(again)[1:]} == {
        2: "该部件编号已被本区其他部件使用",
        4: "该部件编号已被本区其他部件使用",
    }
    assert Asset.objects.count() == 3


def test_it_refuses_the_file_and_reports_exactly_the_bad_rows(world, tmp_path):
    do_create_asset(actor=None, type_code="0111", code="XFS-OLD", lng=113.07, lat=22.05)
    tomorrow = timezone.localdate() + timedelta(days=1)
    at_a = {"lng": 113.02, "lat": 22.05}
    rows = [
        *good_rows(),
        row(type="9999", **at_a),  # line 5
        row(type="0111", code="XFS 01", **at_a),  # 6
        row(type="0111", code="xfs-a-0001", **at_a),  # 7: as line 2, in capitals
        row(type="0111", code="XFS-OLD", **at_a),  # 8: registered (grid A2, same district)
        row(type="0111", lng=113.02),  # 9
        row(type="0111", lng=POINT_B[0], lat=POINT_B[1]),  # 10: grid B
        row(type="0111", lng=113.07, lat=22.05, region_code=GRID_A),  # 11: point in grid A2
        row(type="0111", state="已报废", owner_department="xf", **at_a),  # 12
        row(type="0111", installed_on=tomorrow.isoformat(), **at_a),  # 13
        row(type="0111", name="无位置"),  # 14
        row(type="0111", region_code=GRID_B),  # 15: grid B
    ]
    job = services.run_import(
        make_job(world["worker_a"], write_xlsx(tmp_path / "x.xlsx", HEADER, rows), "assets").pk
    )
    assert job is not None and job.state == JobState.FAILED and job.created_count == 0
    assert {r[0]: r[-1] for r in report_rows(job)[1:]} == {
        5: "未知的部件类型：9999（见「部件类型」表）",
        6: "部件编号只能由字母、数字和连字符组成，最长 32 位",
        7: "部件编号与第 2 行重复",
        8: "该部件编号已被本区其他部件使用",
        9: "经度、纬度需同时填写",
        10: f"经度、纬度：{OUTSIDE}",
        11: "坐标不在所填的网格或最小单元所在网格内，请核对",
        12: "状态应为以下之一：正常、损坏、缺失、维修中；"
        "权属部门编码：未知的部门，或该部门不属于部件所在的区",
        13: "安装日期不能晚于今天",
        14: "请填写经度、纬度，或网格或最小单元编码",
        15: f"网格或最小单元编码：{OUTSIDE}",
    }
    assert Asset.objects.count() == 1


def test_it_keeps_a_grid_worker_to_their_own_grid(world, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx", HEADER, [row(type="0111", lng=POINT_B[0], lat=POINT_B[1])]
    )
    job = services.run_import(make_job(world["worker_a"], path, "assets").pk)
    assert job is not None and job.state == JobState.FAILED
    assert report_rows(job)[1][-1] == f"经度、纬度：{OUTSIDE}"
    job = services.run_import(make_job(world["worker_b"], path, "assets").pk)
    assert job is not None and job.state == JobState.SUCCEEDED
    assert Asset.objects.get().region_code.startswith(GRID_B)


def test_it_reads_a_csv_file(api, world, tmp_path, django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "a.csv", HEADER, good_rows(), bom=False)
    job = upload(api("worker_a"), "assets", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded" and job["created_count"] == 3, job


def test_a_chinese_file_imports_in_an_english_context(world, tmp_path):
    from django.utils import translation

    path = write_xlsx(tmp_path / "a.xlsx", HEADER, good_rows(), title=ASSETS.title)
    with translation.override("en"):  # the worker, or an inline run, in English
        job = services.run_import(make_job(world["worker_a"], path, "assets").pk)
    assert job is not None and job.state == JobState.SUCCEEDED, job.error_message
    assert Asset.objects.get(code="WSJG-7").state == "damaged"
