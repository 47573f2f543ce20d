"""Discovery, the service list, service definitions and jurisdictions, in JSON and XML."""

from __future__ import annotations

import pytest
from django.test import Client

from wangge.events.catalogue import seed_catalogue
from wangge.events.models import Category
from wangge.open311.catalogue import seed_service_attributes
from wangge.open311.models import ServiceAttribute
from wangge.regions.actions import do_create_regions
from wangge.testing import world_specs

from .conftest import BASE, J_OTHER, J, codes, data, errors, get, xml


def test_discovery_names_this_endpoint_in_json_and_xml(db):
    found = data(get("discovery", "json"))
    assert set(found) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = found["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]

    root = xml(get("discovery", "xml"))
    assert root.tag == "discovery"
    assert root.findtext("key_service") == found["key_service"]
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_discovery_takes_contact_and_key_service_from_settings(db, settings):
    settings.OPEN311_CONTACT = "江海区网格中心 0750-1234567"
    settings.OPEN311_KEY_SERVICE = "发邮件至 open311@example.cn 申请"
    found = data(get("discovery"))
    assert found["contact"] == "江海区网格中心 0750-1234567"
    assert found["key_service"] == "发邮件至 open311@example.cn 申请"


def test_services_lists_the_active_sub_categories(keys):
    Category.objects.filter(code="0602").update(is_active=False)
    services = data(get("services", jurisdiction_id=J))
    by_code = {s["service_code"]: s for s in services}
    subs = Category.objects.filter(is_active=True, parent__isnull=False)
    assert set(by_code) == set(subs.values_list("code", flat=True))
    assert "0602" not in by_code and "06" not in by_code
    manhole = by_code["0601"]
    assert manhole == {
        "service_code": "0601",
        "service_name": "井盖破损/松动",
        "description": "井盖破损、缺失、松动、移位或异响",
        "metadata": True,
        "type": "realtime",
        "keywords": "井盖破损, 松动, 部件问题",
        "group": "部件问题",
    }
    assert by_code["0102"]["metadata"] is False
    assert all(s["type"] == "realtime" for s in services)


def test_services_in_xml(keys):
    root = xml(get("services", "xml", jurisdiction_id=J))
    assert root.tag == "services"
    items = root.findall("service")
    assert len(items) == Category.objects.filter(parent__isnull=False).count()
    first = {child.tag: child.text for child in items[0]}
    assert list(first) == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first["service_code"] == "0101"
    assert first["metadata"] == "true"
    assert first["group"] == "市容环境"


def test_a_service_without_active_attributes_has_no_metadata(keys):
    ServiceAttribute.objects.filter(category_id="0101").update(is_active=False)
    by_code = {s["service_code"]: s for s in data(get("services", jurisdiction_id=J))}
    assert by_code["0101"]["metadata"] is False
    assert data(get("services/0101", jurisdiction_id=J))["attributes"] == []


def test_service_definition_in_json(keys):
    found = data(get("services/0601", jurisdiction_id=J))
    assert found["service_code"] == "0601"
    danger, detail = found["attributes"]
    assert danger == {
        "variable": True,
        "code": "danger",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": "选择一项",
        "order": 1,
        "description": "是否已造成危险？",
        "values": [
            {"key": "high", "name": "有明显危险（可能伤人、损车）"},
            {"key": "some", "name": "存在隐患"},
            {"key": "none", "name": "暂无危险"},
        ],
    }
    assert detail["code"] == "detail" and detail["datatype"] == "text"
    assert detail["required"] is False and detail["order"] == 2
    assert "values" not in detail
    gas = data(get("services/0404", jurisdiction_id=J))["attributes"]
    assert gas[0]["variable"] is False and gas[0]["code"] == "notice"


def test_service_definition_in_xml(keys):
    root = xml(get("services/0601", "xml", jurisdiction_id=J))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "0601"
    attrs = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attrs] == ["danger", "detail"]
    assert attrs[0].findtext("required") == "true"
    assert attrs[0].findtext("variable") == "true"
    assert [v.findtext("key") for v in attrs[0].findall("values/value")] == [
        "high",
        "some",
        "none",
    ]
    assert attrs[1].find("datatype_description").text == "不超过 500 字"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["9999", "06", "0602"])
def test_an_unknown_top_level_or_inactive_service_is_not_found(keys, fmt, code):
    Category.objects.filter(code="0602").update(is_active=False)
    response = get(f"services/{code}", fmt, jurisdiction_id=J)
    assert codes(response, 404) == {"service_code_not_found"}


def test_seeding_attributes_is_idempotent_and_keeps_edits(keys):
    ServiceAttribute.objects.filter(category_id="0601", code="danger").update(
        description="改过的问题"
    )
    assert seed_service_attributes().attributes == 0
    assert ServiceAttribute.objects.get(category_id="0601", code="danger").description == (
        "改过的问题"
    )
    ServiceAttribute.objects.filter(category_id="0602").delete()
    assert seed_service_attributes().attributes == 2


# --- jurisdictions ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["services", "services/0601", "requests"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_jurisdiction_is_a_404(keys, path, fmt):
    for value in ("999999", "nowhere.gov.cn", "4407041"):
        response = get(path, fmt, jurisdiction_id=value)
        (error,) = errors(response, 404)
        assert error["code"] == "jurisdiction_id_not_found"
        assert "未找到管辖区" in error["description"]


@pytest.mark.parametrize("path", ["services", "services/0601", "requests"])
def test_a_missing_jurisdiction_is_a_400_with_several_districts(keys, path):
    assert codes(get(path), 400) == {"jurisdiction_id_missing"}
    assert codes(get(path, "xml", jurisdiction_id=""), 400) == {"jurisdiction_id_missing"}


def test_both_districts_are_jurisdictions(keys):
    assert data(get("services", jurisdiction_id=J_OTHER))


def test_a_configured_alias_names_a_district(keys, settings):
    settings.OPEN311_JURISDICTIONS = {"jianghai.gov.cn": J}
    assert data(get("services", jurisdiction_id="Jianghai.gov.cn"))
    settings.OPEN311_JURISDICTIONS = "a.gov.cn=440703, jianghai.gov.cn=440704"
    assert data(get("services", jurisdiction_id="a.gov.cn"))
    # An alias of a district that does not exist names nothing.
    settings.OPEN311_JURISDICTIONS = {"gone.gov.cn": "440799"}
    assert codes(get("services", jurisdiction_id="gone.gov.cn"), 404) == {
        "jurisdiction_id_not_found"
    }


def test_the_jurisdiction_may_be_left_out_with_a_single_district(db):
    do_create_regions([s for s in world_specs() if s.code.startswith(J)], actor=None)
    seed_catalogue(J)
    assert data(get("services"))
    assert data(get("services", jurisdiction_id=J))
    assert data(get("requests")) == []
    assert codes(get("services", jurisdiction_id="440703"), 404) == {"jurisdiction_id_not_found"}


# --- formats and unknown resources --------------------------------------------------------------


def test_an_unknown_format_or_resource_is_a_404_in_xml(keys):
    for path in (
        f"{BASE}/services.csv",
        f"{BASE}/services",
        f"{BASE}/nothing.json",
        f"{BASE}/requests/1/2.json",
    ):
        response = Client().get(path)
        assert response.status_code == 404, path
        root = xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") in {"format_not_supported", "resource_not_found"}
        assert root.findtext("error/description")


def test_a_wrong_method_is_refused_in_the_format_asked_for(keys):
    response = Client().post(f"{BASE}/services.json", {})
    assert codes(response, 405) == {"method_not_allowed"}
    assert response["Allow"] == "GET"
    response = Client().delete(f"{BASE}/requests.xml")
    assert codes(response, 405) == {"method_not_allowed"}
    assert response["Allow"] == "GET, POST"


def test_the_admin_names_the_datatypes_in_the_users_language(keys, login):
    client = login("admin")
    chinese = client.get("/admin/open311/serviceattribute/").content.decode()
    assert "单选" in chinese and "Single choice" not in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/admin/open311/serviceattribute/").content.decode()
    assert "Single choice" in english and "Several lines of text" in english
    assert "单选" not in english and "多行文字" not in english
