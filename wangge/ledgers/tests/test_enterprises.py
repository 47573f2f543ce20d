"""Enterprise and shop imports: credit codes through stdnum, safety data, duplicates, scope."""

from __future__ import annotations

from typing import Any

from django.db import connection
from stdnum.cn import uscc

from wangge.audit.models import AuditEntry
from wangge.ledgers import services
from wangge.ledgers.choices import JobState
from wangge.ledgers.columns import ENTERPRISES
from wangge.organisations.actions import do_create_enterprise
from wangge.organisations.models import Enterprise
from wangge.testing import GRID_A, GRID_B

from .conftest import UNIT_A1, make_job, report_rows, upload, write_csv, write_xlsx

HEADER = ENTERPRISES.headers


def credit_code(i: int) -> str:
    body = f"91440704MA{i:07d}"
    return body + uscc.calc_check_digit(body)


def row(**values: Any) -> list[Any]:
    return [values.get(c.key, "") for c in ENTERPRISES.columns]


def good_rows() -> list[list[Any]]:
    return [
        row(
            name="江海五金制品有限公司",
            kind="企业",
            uscc=credit_code(1),
            industry="制造业",
            legal_person="黄志明",
            legal_person_phone="0750-3812345",
            address="江海区金瓯路8号",
            region_code=UNIT_A1,
            employee_count=120,
            uses_gas="管道燃气",
            has_gas_alarm="是",
            hazardous_chemicals="否",
        ),
        row(
            name="阿明大排档",
            kind="商铺",
            industry="H",
            legal_person_phone="13812341234",
            region_code=GRID_A,
            employee_count="6",
            uses_gas="瓶装液化石油气",
            has_gas_alarm="否",
            is_operating="是",
            notes="厨房使用液化气",
        ),
        row(
            name="新塘里便利店",
            kind="个体工商户",
            uscc=credit_code(2).lower(),
            region_code=UNIT_A1,
            fire_risk_level="低风险",
            is_operating="否",
        ),
    ]


def test_it_imports_enterprises_and_shops(api, world, tmp_path, django_capture_on_commit_callbacks):
    path = write_xlsx(tmp_path / "e.xlsx", HEADER, good_rows(), title=ENTERPRISES.title)
    job = upload(api("worker_a"), "enterprises", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded" and job["created_count"] == 3, job
    factory = Enterprise.objects.get(uscc=credit_code(1))
    assert (factory.kind, factory.industry, factory.region_code, factory.district_code) == (
        "enterprise",
        "C",
        UNIT_A1,
        "440704",
    )
    assert (factory.employee_count, factory.uses_gas, factory.has_gas_alarm) == (
        120,
        "pipeline",
        True,
    )
    assert factory.fire_risk_level == "medium"  # derived: gas in use
    assert factory.legal_person_phone == "0750-3812345"
    stall = Enterprise.objects.get(name="阿明大排档")
    assert (stall.uscc, stall.industry, stall.region_code) == ("", "H", GRID_A)
    assert stall.fire_risk_level == "high"  # bottled gas without an alarm
    shop = Enterprise.objects.get(name="新塘里便利店")
    assert shop.uscc == credit_code(2) and not shop.is_operating
    with connection.cursor() as cursor:
        cursor.execute("SELECT legal_person_phone FROM organisations_enterprise")
        assert "13812341234" not in str(cursor.fetchall())
    assert AuditEntry.objects.filter(action="organisations.create_enterprise").count() == 3
    assert AuditEntry.objects.get(action="ledgers.import").after["enterprises"] == 3
    # Again: each is already registered (by credit code, or by name at the place).
    again = services.run_import(
        make_job(
            world["worker_a"], write_xlsx(tmp_path / "a.xlsx", HEADER, good_rows()), "enterprises"
        ).pk
    )
    assert again is not None and again.state == JobState.FAILED
    assert {r[0]: r[-1] for r in report_rows(again)[1:]} == {
        2: "该统一社会信用代码已登记",
        3: "该网格或最小单元已登记同名的企业或商铺（无统一社会信用代码时按名称识别）",
        4: "该统一社会信用代码已登记",
    }
    assert Enterprise.objects.count() == 3


def test_it_refuses_the_file_and_reports_exactly_the_bad_rows(world, tmp_path):
    do_create_enterprise(
        actor=None, name="邻区公司", kind="enterprise", uscc=credit_code(9), region_code=GRID_B
    )
    bad_check = credit_code(3)[:-1] + ("0" if credit_code(3)[-1] != "0" else "1")
    rows = [
        *good_rows(),
        row(name="无代码公司", kind="企业", region_code=UNIT_A1),  # line 5
        row(name="校验位错", kind="企业", uscc=bad_check, region_code=UNIT_A1),  # 6
        row(name="重复公司", kind="企业", uscc=credit_code(1), region_code=UNIT_A1),  # 7
        row(name="已登记公司", kind="企业", uscc=credit_code(9), region_code=UNIT_A1),  # 8
        row(name="电话错", kind="商铺", legal_person_phone="12345", region_code=UNIT_A1),  # 9
        row(name="类型错", kind="工厂", region_code=UNIT_A1, employee_count=-1),  # 10
        row(name="西边店", kind="商铺", region_code=GRID_B),  # 11: grid B
        row(name="阿明大排档", kind="商铺", region_code=GRID_A),  # 12: same shop twice
        row(name="燃气错", kind="商铺", region_code=GRID_A, uses_gas="煤气", has_gas_alarm="有时"),
    ]
    job = services.run_import(
        make_job(world["worker_a"], write_xlsx(tmp_path / "b.xlsx", HEADER, rows), "enterprises").pk
    )
    assert job is not None and job.state == JobState.FAILED and job.created_count == 0
    reasons = {r[0]: r[-1] for r in report_rows(job)[1:]}
    assert reasons == {
        5: "请填写统一社会信用代码",
        6: "统一社会信用代码校验位不正确，请核对",
        7: "统一社会信用代码与第 2 行重复",
        8: "该统一社会信用代码已登记",
        9: "联系电话：电话号码格式不正确（手机号 11 位，或区号-号码）",
        10: "类型应为以下之一：企业、商铺、个体工商户；从业人数应在 0 到 1000000 之间",
        11: "网格或最小单元编码：该网格或最小单元不存在，或不在您的管辖范围内",
        12: "与第 3 行重复（同一网格或最小单元内的同名商铺）",
        13: "燃气使用应为以下之一：不使用燃气、瓶装液化石油气、管道燃气；燃气报警器应为 是 或 否",
    }
    assert Enterprise.objects.count() == 1


def test_it_keeps_a_grid_worker_to_their_own_grid(world, tmp_path):
    path = write_xlsx(
        tmp_path / "e.xlsx", HEADER, [row(name="西边店", kind="商铺", region_code=GRID_B + "001")]
    )
    job = services.run_import(make_job(world["worker_a"], path, "enterprises").pk)
    assert job is not None and job.state == JobState.FAILED
    assert report_rows(job)[1][-1] == (
        "网格或最小单元编码：该网格或最小单元不存在，或不在您的管辖范围内"
    )
    assert not Enterprise.objects.exists()
    job = services.run_import(make_job(world["worker_b"], path, "enterprises").pk)
    assert job is not None and job.state == JobState.SUCCEEDED
    assert Enterprise.objects.get().region_code == GRID_B + "001"
    # A scope root narrows an upload further: here to the other unit of grid B.
    other = write_xlsx(
        tmp_path / "o.xlsx", HEADER, [row(name="西边二店", kind="商铺", region_code=GRID_B + "001")]
    )
    job = services.run_import(
        make_job(world["worker_b"], other, "enterprises", scope_root=GRID_B + "002").pk
    )
    assert job is not None and job.state == JobState.FAILED and job.error_count == 1


def test_it_reads_a_csv_file(api, world, tmp_path, django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "e.csv", HEADER, good_rows(), bom=True)
    job = upload(api("worker_a"), "enterprises", path, django_capture_on_commit_callbacks)
    assert job["state"] == "succeeded" and job["created_count"] == 3, job


def test_it_reports_rows_the_action_refuses_at_the_write_and_keeps_nothing(
    world, tmp_path, monkeypatch
):
    """A credit code registered by somebody else between the checks and the write: the action
    refuses that row, the rows written before it are rolled back, the report names it."""
    from wangge.ledgers.importers.enterprises import EnterpriseImporter

    checked = EnterpriseImporter.finish

    def meanwhile(self: EnterpriseImporter) -> None:
        checked(self)
        do_create_enterprise(
            actor=None, name="抢先登记", kind="enterprise", uscc=credit_code(2), region_code=GRID_B
        )

    monkeypatch.setattr(EnterpriseImporter, "finish", meanwhile)
    path = write_xlsx(tmp_path / "e.xlsx", HEADER, good_rows())
    job = services.run_import(make_job(world["worker_a"], path, "enterprises").pk)
    assert job is not None and job.state == JobState.FAILED and job.error_count == 1
    assert [(r[0], r[-1]) for r in report_rows(job)[1:]] == [(4, "该统一社会信用代码已登记")]
    assert list(Enterprise.objects.values_list("name", flat=True)) == ["抢先登记"]
    assert AuditEntry.objects.filter(action="organisations.create_enterprise").count() == 1
    assert not AuditEntry.objects.filter(action="ledgers.import").exists()


def test_a_chinese_file_imports_in_an_english_context(world, tmp_path):
    from django.utils import translation

    rows = [
        *good_rows()[:2],
        row(name="新塘里便利店", kind="个体工商户", industry="F 批发和零售业", region_code=UNIT_A1),
    ]
    path = write_xlsx(tmp_path / "e.xlsx", HEADER, rows, title=ENTERPRISES.title)
    with translation.override("en"):  # the worker, or an inline run, in English
        job = services.run_import(make_job(world["worker_a"], path, "enterprises").pk)
    assert job is not None and job.state == JobState.SUCCEEDED, job.error_message
    shop = Enterprise.objects.get(name="新塘里便利店")
    assert (shop.kind, shop.industry) == ("individual", "F")
    factory = Enterprise.objects.get(uscc=credit_code(1))
    assert (factory.industry, factory.uses_gas) == ("C", "pipeline")
