"""Enterprises and shops: USCC validation, encrypted and masked phones, scope."""

import pytest
from django.db import connection

from wangge.audit.models import AuditEntry
from wangge.lib.crypto import keyring
from wangge.organisations.models import Enterprise
from wangge.privacy.fields import blind_index
from wangge.testing import GRID_A, GRID_B, SAMPLE_PHONE, SAMPLE_USCC

from .conftest import ok, post

URL = "/api/v1/organisations/enterprises"
NOT_FOUND = {"code": "not_found", "message": "未找到该对象，或您无权访问", "fields": {}}
#: A valid code nobody registered yet (check digit by stdnum).
FREE_USCC = "91440704MA4W1U8Y5P"


def body(**extra):
    return {
        "name": "江门市华盛五金制品有限公司",
        "kind": "enterprise",
        "region_code": GRID_A + "001",
        "uscc": FREE_USCC,
        "industry": "C",
        "legal_person": "陈伟",
        "legal_person_phone": "138 1234 5678",
        "employee_count": 12,
        **extra,
    }


def test_the_free_code_is_valid():
    from stdnum.cn import uscc

    assert uscc.is_valid(FREE_USCC)


def test_it_registers_an_enterprise_with_its_phone_encrypted_and_masked(api, world):
    created = ok(post(api("worker_a"), URL, body()), 201)
    assert created["legal_person_phone"] == "138****5678"
    assert created["uscc"] == FREE_USCC
    assert created["kind_label"] == "企业"
    assert created["industry_label"] == "制造业"
    assert created["fire_risk_level"] == "low"
    assert created["stale"] is False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_person_phone, legal_person_phone_hash FROM organisations_enterprise"
            " WHERE id = %s",
            [created["id"]],
        )
        stored, digest = cursor.fetchone()
    assert "13812345678" not in stored and "5678" not in stored
    assert stored.startswith("v1:")
    assert keyring().decrypt(stored) == "13812345678"
    assert digest == blind_index("13812345678")
    detail = ok(api("worker_a").get(f"{URL}/{created['id']}"))
    assert detail["legal_person_phone"] == "138****5678"
    assert "13812345678" not in str(detail)
    audit = AuditEntry.objects.get(action="organisations.create_enterprise")
    assert audit.actor == world["worker_a"]
    assert audit.after["legal_person_phone"] == "138****5678"


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        ("91440704MA4W1U8Y5G", "统一社会信用代码校验位不正确，请核对"),
        ("9144070", "统一社会信用代码应为 18 位"),
        (
            "91440704MA4W1U8YIP",
            "统一社会信用代码格式不正确：前 8 位为数字，其余为数字或大写字母（不含 I、O、Z、S、V）",
        ),
        ("", "请填写统一社会信用代码"),
    ],
)
def test_it_validates_the_unified_social_credit_code(api, world, uscc, message):
    response = post(api("worker_a"), URL, body(uscc=uscc))
    assert response.status_code == 422
    assert response.json()["message"] == "输入有误，请检查各字段"
    assert response.json()["fields"]["uscc"] == [message]
    assert not Enterprise.objects.exists()


def test_it_accepts_a_shop_without_a_code_and_normalises_codes(api, world):
    shop = ok(post(api("worker_a"), URL, body(kind="shop", uscc="", name="华盛便利店")), 201)
    assert shop["uscc"] == ""
    spaced = ok(post(api("worker_a"), URL, body(uscc="9144 0704 ma4w 1u8y 5p")), 201)
    assert spaced["uscc"] == FREE_USCC


def test_it_refuses_a_code_registered_twice_and_bad_phones(api, world, samples):
    response = post(api("worker_a"), URL, body(uscc=SAMPLE_USCC[0], legal_person_phone="12345"))
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["legal_person_phone"] == ["电话号码格式不正确（手机号 11 位，或区号-号码）"]
    ok_phone = post(api("worker_a"), URL, body(uscc=SAMPLE_USCC[0]))
    assert ok_phone.json()["fields"] == {"uscc": ["该统一社会信用代码已登记"]}


def test_it_derives_the_fire_risk_from_the_safety_attributes(api, world):
    client = api("worker_a")
    bottled = ok(post(client, URL, body(kind="shop", uscc="", uses_gas="lpg")), 201)
    assert bottled["fire_risk_level"] == "high" and bottled["fire_risk_label"] == "高风险"
    alarmed = ok(
        post(client, URL, body(kind="shop", uscc="", uses_gas="lpg", has_gas_alarm=True)), 201
    )
    assert alarmed["fire_risk_level"] == "medium"
    given = ok(post(client, URL, body(kind="shop", uscc="", fire_risk_level="high")), 201)
    assert given["fire_risk_level"] == "high"


def test_it_locates_an_enterprise_by_its_point(api, world):
    located = ok(post(api("worker_a"), URL, body(region_code=None, lng=113.02, lat=22.15)), 201)
    assert located["region_code"] == GRID_A + "002"


def test_it_refuses_places_outside_the_workers_area(api, world):
    elsewhere = post(api("worker_a"), URL, body(region_code=GRID_B + "001"))
    missing = post(api("worker_a"), URL, body(region_code=GRID_A + "009"))
    assert elsewhere.status_code == missing.status_code == 422
    assert elsewhere.json() == missing.json()
    assert elsewhere.json()["fields"]["region_code"] == [
        "该网格或最小单元不存在，或不在您的管辖范围内"
    ]
    forbidden = post(api("resident"), URL, body())
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "您无权登记企业、商铺"


@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("admin", {0, 1, 2, 3}),
        ("district", {0, 1, 2}),
        ("street", {0, 1}),
        ("community", {0, 1}),
        ("worker_a", {0}),
        ("worker_a2", {1}),
        ("worker_b", {2}),
        ("part_time_a", {0}),
        ("dept", set()),
        ("resident", set()),
        ("other_district", {3}),
    ],
)
def test_it_shows_each_role_its_enterprises(api, samples, username, seen):
    client = api(username)
    listed = {e["id"] for e in ok(client.get(URL))["items"]}
    assert listed == {samples.enterprises[i] for i in seen}
    missing = client.get(f"{URL}/999999")
    for i, pk in enumerate(samples.enterprises):
        response = client.get(f"{URL}/{pk}")
        assert response.status_code == (200 if i in seen else 404)
        if i not in seen:
            assert response.json() == NOT_FOUND and response.content == missing.content


def test_it_finds_enterprises_by_phone_and_filters(api, samples):
    client = api("district")
    found = ok(client.get(URL, {"legal_person_phone": SAMPLE_PHONE}))["items"]
    assert {e["id"] for e in found} == set(samples.enterprises[:3])
    assert all(e["legal_person_phone"] == "138****8000" for e in found)
    assert ok(client.get(URL, {"legal_person_phone": "13900000000"}))["count"] == 0
    assert ok(client.get(URL, {"kind": "individual"}))["count"] == 1
    assert ok(client.get(URL, {"uses_gas": "lpg", "fire_risk_level": "high"}))["count"] == 3
    assert ok(client.get(URL, {"under": GRID_A}))["count"] == 1
    assert ok(client.get(URL, {"hazardous_chemicals": "true"}))["count"] == 0


def test_it_verifies_an_entry_and_clears_its_staleness(api, samples, settings):
    from datetime import timedelta

    from django.utils import timezone

    pk = samples.enterprises[0]
    Enterprise.objects.filter(pk=pk).update(verified_at=timezone.now() - timedelta(days=181))
    assert ok(api("worker_a").get(f"{URL}/{pk}"))["stale"] is True
    settings.BASEDATA_STALE_DAYS = 365
    assert ok(api("worker_a").get(f"{URL}/{pk}"))["stale"] is False
    settings.BASEDATA_STALE_DAYS = 180
    refused = post(api("district"), f"{URL}/{pk}/verify", {})
    assert refused.status_code == 403
    assert post(api("worker_b"), f"{URL}/{pk}/verify", {}).status_code == 404
    verified = ok(post(api("worker_a"), f"{URL}/{pk}/verify", {"note": "上门核实"}))
    assert verified["stale"] is False


def test_key_rotation_covers_the_organisation_phones():
    from wangge.privacy.rotation import encrypted_fields

    found = {(model._meta.label, f.name) for model, f in encrypted_fields()}
    assert {
        ("organisations.Enterprise", "legal_person_phone"),
        ("organisations.PropertyCompany", "contact_phone"),
        ("organisations.SocialOrganisation", "contact_phone"),
    } <= found
