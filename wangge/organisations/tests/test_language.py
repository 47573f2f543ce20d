"""The organisation registries' refusals in the user's language (Chinese by default)."""

from wangge.organisations.models import Enterprise
from wangge.testing import CJK, GRID_A, GRID_B, english, no_cjk

from .conftest import post

ENTERPRISES = "/api/v1/organisations/enterprises"
PARTY = "/api/v1/organisations/party"
COMPANIES = "/api/v1/organisations/property-companies"


BAD_ENTERPRISE = {
    "name": " ",
    "kind": "enterprise",
    "uscc": "12345",
    "legal_person_phone": "999",
}


def test_a_refused_enterprise_answers_in_chinese_by_default(api, world):
    response = post(api("worker_a"), ENTERPRISES, BAD_ENTERPRISE)
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["message"] == "输入有误，请检查各字段"
    assert data["fields"]["name"] == ["请填写名称"]
    assert data["fields"]["uscc"] == ["统一社会信用代码应为 18 位"]
    assert data["fields"]["region_code"] == ["请填写所在网格或最小单元，或给出坐标"]


def test_a_refused_enterprise_answers_in_english_when_chosen(api, world):
    response = post(english(api("worker_a")), ENTERPRISES, BAD_ENTERPRISE)
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["message"] == "The input is invalid; please check the fields."
    assert data["fields"]["name"] == ["Please enter its name."]
    assert data["fields"]["uscc"] == ["A unified social credit code has 18 characters."]
    assert data["fields"]["legal_person_phone"][0].startswith("Invalid phone number")
    assert data["fields"]["region_code"] == [
        "Please give the grid or minimal unit, or the coordinates."
    ]
    no_cjk(data)
    assert not Enterprise.objects.exists()


def test_party_organisations_are_refused_with_english_kinds_and_levels(api, world, samples):
    admin = english(api("admin"))
    wrong = post(admin, PARTY, {"kind": "grid_branch", "name": "x", "region_code": "440704001001"})
    assert wrong.json()["fields"]["region_code"] == [
        "A Grid Party organisation is set up at a grid."
    ]
    twice = post(admin, PARTY, {"kind": "grid_branch", "name": "x", "region_code": GRID_A})
    assert twice.json()["fields"]["region_code"] == [
        "This node already has its Grid Party organisation."
    ]
    no_cjk(wrong.json())
    no_cjk(twice.json())
    forbidden = post(
        english(api("district")),
        PARTY,
        {"kind": "member_household", "name": "x", "region_code": GRID_A},
    )
    assert forbidden.status_code == 403
    assert not CJK.search(forbidden.json()["message"])


def test_a_company_outside_the_area_is_refused_in_english(api, world):
    refused = post(
        english(api("worker_a")),
        COMPANIES,
        {"name": "江门市华盛物业服务有限公司", "managed_units": [GRID_A + "001", GRID_B + "001"]},
    )
    assert refused.status_code == 422
    assert refused.json()["fields"]["managed_units"] == [
        f"No such grid or minimal unit, or it is outside your area: {GRID_B}001"
    ]
    no_cjk(refused.json())
