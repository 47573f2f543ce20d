"""POST requests: events created through do_report_event, idempotency, tokens and every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from wangge.audit.models import AuditEntry
from wangge.events.actions import do_register_event
from wangge.events.models import Event
from wangge.open311.actions import ApiKeyError, SubmitInput, do_create_api_key, do_submit_request
from wangge.open311.models import ApiKey, ServiceRequest
from wangge.testing import POINT_A, POINT_B, POINT_OTHER, POINT_OUTSIDE

from .conftest import J_OTHER, J, codes, data, errors, get, submit, xml

CONTACT = {
    "email": "chen.jing@example.cn",
    "first_name": "静",
    "last_name": "陈",
    "phone": "13812345678",
    "account_id": "acct-778899",
    "device_id": "device-abc-123",
}


def test_a_post_reports_an_event_and_answers_with_its_number_and_token(keys):
    response = submit(
        keys.raw,
        **CONTACT,
        media_url="https://img.example.cn/manhole.jpg",
        address_string="东街道人民路 12 号门口",
        **{"attribute[detail]": "靠近公交站"},
    )
    (answer,) = data(response, 201)
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    event = Event.objects.get(number=answer["service_request_id"])
    submission = ServiceRequest.objects.get(event=event)
    assert answer["token"] == submission.token and len(submission.token) == 32
    assert answer["account_id"] == "acct-778899"
    assert answer["service_notice"].startswith("2工作小时内受理，2工作日内处置")
    # The event: reported by the key's own user, as a resident report, located in grid A.
    assert event.reporter == keys.key.user
    assert event.source == "resident"
    assert event.category.code == "0601"
    assert event.state == "reported"
    assert event.grid_code == "440704001001001"
    assert (event.lng, event.lat) == POINT_A
    assert event.address == "东街道人民路 12 号门口"
    assert event.reporter_contact == "13812345678"
    assert event.description == (
        "人行道上的井盖松动，踩上去会翘起\n"
        "【补充信息】是否已造成危险：有明显危险（可能伤人、损车）；补充说明（位置标志、现场情况等）：靠近公交站\n"
        "【图片链接】https://img.example.cn/manhole.jpg"
    )
    assert submission.attributes == {"danger": "high", "detail": "靠近公交站"}
    assert submission.media_url == "https://img.example.cn/manhole.jpg"
    assert submission.email == "chen.jing@example.cn" and submission.phone == "13812345678"
    # Contact data is encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, first_name, last_name, phone, account_id, device_id "
            "FROM open311_servicerequest WHERE id = %s",
            [submission.pk],
        )
        stored = cursor.fetchone()
    assert all(value.startswith("v1:") for value in stored)
    assert not any(clear in "".join(stored) for clear in CONTACT.values())
    # Audited, without the contact.
    entry = AuditEntry.objects.get(action="open311.submit_request")
    assert entry.after["event"] == event.number and entry.after["api_key"] == keys.key.prefix
    assert "13812345678" not in str(entry.after) and "chen.jing" not in str(entry.after)
    assert AuditEntry.objects.filter(action="events.report", object_id=str(event.pk)).exists()


def test_a_post_answers_in_xml(keys):
    response = submit(keys.raw, "xml", account_id="")
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests"
    (item,) = root.findall("request")
    assert [child.tag for child in item] == [
        "service_request_id",
        "token",
        "service_notice",
        "account_id",
    ]
    number = item.findtext("service_request_id")
    assert Event.objects.filter(number=number).exists()
    assert item.find("account_id").text is None


def test_the_description_defaults_to_the_service_name(keys):
    (answer,) = data(submit(keys.raw, description=""), 201)
    event = Event.objects.get(number=answer["service_request_id"])
    assert event.description.startswith("群众通过开放接口上报：井盖破损/松动\n")


def test_parameters_may_come_in_the_query_string(keys):
    from django.test import Client

    from .conftest import BASE

    query = (
        f"api_key={keys.raw}&jurisdiction_id={J}&service_code=0602&lat={POINT_B[1]}&long={POINT_B[0]}"
        "&attribute[danger]=none&description=路灯不亮"
    )
    response = Client().post(f"{BASE}/requests.json?{query}")
    (answer,) = data(response, 201)
    assert Event.objects.get(number=answer["service_request_id"]).grid_code == "440704002001001"


def test_the_jurisdiction_defaults_to_the_keys_district(keys):
    data(submit(keys.raw, jurisdiction_id=None), 201)
    assert codes(submit(keys.raw, jurisdiction_id=J_OTHER), 403) == {"api_key_not_for_jurisdiction"}


def test_the_other_districts_key_reports_there(keys):
    response = submit(
        keys.other_raw,
        jurisdiction_id=J_OTHER,
        lat=str(POINT_OTHER[1]),
        long=str(POINT_OTHER[0]),
    )
    (answer,) = data(response, 201)
    assert Event.objects.get(number=answer["service_request_id"]).district_code == J_OTHER


def test_multivalue_and_datetime_attributes(keys):
    from wangge.open311.models import ServiceAttribute

    ServiceAttribute.objects.create(
        category_id="0301",
        code="kinds",
        datatype="multivaluelist",
        order=3,
        description="噪声来源",
        values=[{"key": "drill", "name": "电钻"}, {"key": "truck", "name": "运输车"}],
    )
    response = submit(
        keys.raw,
        service_code="0301",
        description="夜里十一点还在施工",
        **{
            "attribute[danger]": None,
            "attribute[kinds][]": ["drill", "truck"],
            "attribute[since]": "2026-07-01T20:00:00+08:00",
        },
    )
    (answer,) = data(response, 201)
    submission = ServiceRequest.objects.get(event__number=answer["service_request_id"])
    assert submission.attributes == {
        "kinds": ["drill", "truck"],
        "since": "2026-07-01T20:00:00+08:00",
    }
    assert "噪声来源：电钻、运输车" in submission.event.description


# --- idempotency ------------------------------------------------------------------------------


def test_the_same_request_id_from_the_same_device_stores_once(keys):
    first = data(submit(keys.raw, device_id="d1", request_id="r-1"), 201)
    # Even with another body (a retry that re-read the form): the first answer comes back.
    again = data(submit(keys.raw, "json", device_id="d1", request_id="r-1", description="改"), 200)
    assert again == first
    assert Event.objects.count() == 1
    # Another device, or another id, is another request.
    data(submit(keys.raw, device_id="d2", request_id="r-1"), 201)
    data(submit(keys.raw, device_id="d1", request_id="r-2"), 201)
    assert Event.objects.count() == 3
    assert ServiceRequest.objects.count() == 3


def test_the_same_body_within_ten_minutes_stores_once(keys):
    first = data(submit(keys.raw, device_id="d1"), 201)
    xml_again = submit(keys.raw, "xml", device_id="d1")
    assert xml_again.status_code == 200
    assert xml(xml_again).findtext("request/service_request_id") == first[0]["service_request_id"]
    assert Event.objects.count() == 1
    # A different body, or the same from another device, is a new request.
    data(submit(keys.raw, device_id="d1", description="另一处井盖"), 201)
    data(submit(keys.raw, device_id="d2"), 201)
    assert Event.objects.count() == 3


def test_the_same_body_after_ten_minutes_is_a_new_request(keys):
    body = SubmitInput(
        service_code="0601",
        lat=str(POINT_A[1]),
        long=str(POINT_A[0]),
        description="井盖松动",
        attributes={"danger": ["some"]},
        device_id="d1",
    )
    now = timezone.now()
    first = do_submit_request(keys.key, body, now=now)
    nine = do_submit_request(keys.key, body, now=now + timedelta(minutes=9))
    eleven = do_submit_request(keys.key, body, now=now + timedelta(minutes=11))
    assert first.created and not nine.created and eleven.created
    assert nine.request.pk == first.request.pk
    assert eleven.request.event_id != first.request.event_id
    # Another key with the same body is another client.
    second_key, _ = do_create_api_key(district=J, name="居民 App", actor=None)
    assert do_submit_request(second_key, body, now=now + timedelta(minutes=1)).created


def test_a_request_id_is_kept_with_the_event_too(keys):
    (answer,) = data(submit(keys.raw, device_id="d1", request_id="r-9"), 201)
    event = Event.objects.get(number=answer["service_request_id"])
    assert event.client_request_id.startswith("open311-")
    assert "r-9" not in event.client_request_id  # a digest of device and id


# --- tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_gives_the_service_request_id(keys, fmt):
    (answer,) = data(submit(keys.raw), 201)
    response = get(f"tokens/{answer['token']}", fmt, jurisdiction_id=J)
    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == [
            {"service_request_id": answer["service_request_id"], "token": answer["token"]}
        ]
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        assert root.findtext("request/service_request_id") == answer["service_request_id"]
        assert root.findtext("request/token") == answer["token"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_foreign_token_is_not_found(keys, fmt):
    (answer,) = data(submit(keys.raw), 201)
    assert codes(get("tokens/0123456789abcdef", fmt, jurisdiction_id=J), 404) == {"token_not_found"}
    # The token of an event of 440704 does not exist in the other jurisdiction.
    assert codes(get(f"tokens/{answer['token']}", fmt, jurisdiction_id=J_OTHER), 404) == {
        "token_not_found"
    }
    assert codes(get(f"tokens/{answer['token']}", fmt, jurisdiction_id="000000"), 404) == {
        "jurisdiction_id_not_found"
    }


# --- refusals ---------------------------------------------------------------------------------


def _nothing_stored() -> None:
    assert not Event.objects.exists()
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_or_invalid_api_key_is_a_403(keys, fmt):
    assert codes(submit("", fmt), 403) == {"api_key_missing"}
    assert codes(submit(None, fmt), 403) == {"api_key_missing"}
    assert codes(submit("o311_wrong", fmt), 403) == {"api_key_invalid"}
    ApiKey.objects.filter(pk=keys.key.pk).update(is_active=False)
    (error,) = errors(submit(keys.raw, fmt), 403)
    assert error == {"code": "api_key_invalid", "description": "接口密钥无效或已停用"}
    _nothing_stored()


def test_a_key_whose_user_was_disabled_is_refused(keys):
    keys.key.user.is_active = False
    keys.key.user.save()
    assert codes(submit(keys.raw), 403) == {"api_key_invalid"}
    _nothing_stored()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_jurisdiction_on_post_is_a_404(keys, fmt):
    assert codes(submit(keys.raw, fmt, jurisdiction_id="nowhere"), 404) == {
        "jurisdiction_id_not_found"
    }
    _nothing_stored()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_service_code_is_required_and_must_exist(keys, fmt):
    assert codes(submit(keys.raw, fmt, service_code=""), 400) == {"service_code_missing"}
    assert codes(submit(keys.raw, fmt, service_code="06"), 404) == {"service_code_not_found"}
    assert codes(submit(keys.raw, fmt, service_code="9999"), 404) == {"service_code_not_found"}
    _nothing_stored()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"lat": "", "long": ""}, {"location_missing"}),
        ({"lat": "", "long": "", "address_string": "人民路 12 号"}, {"lat_long_required"}),
        ({"lat": "", "long": "", "address_id": "A-1"}, {"lat_long_required"}),
        ({"long": ""}, {"lat_long_required"}),
        ({"lat": "north"}, {"lat_invalid"}),
        ({"lat": "91"}, {"lat_invalid"}),
        ({"long": "nan"}, {"long_invalid"}),
        ({"long": "181", "lat": "-91"}, {"long_invalid", "lat_invalid"}),
        ({"email": "not-an-address"}, {"email_invalid"}),
        ({"phone": "call me"}, {"phone_invalid"}),
        ({"media_url": "ftp://example.cn/a.jpg"}, {"media_url_invalid"}),
        ({"media_url": "javascript:alert(1)"}, {"media_url_invalid"}),
        ({"description": "长" * 2001}, {"description_too_long"}),
        ({"first_name": "名" * 51}, {"first_name_too_long"}),
        ({"address_string": "址" * 201}, {"address_string_too_long"}),
        ({"request_id": "r" * 65}, {"request_id_too_long"}),
        ({"attribute[danger]": None}, {"attribute_required"}),
        ({"attribute[danger]": ""}, {"attribute_required"}),
        ({"attribute[danger]": "huge"}, {"attribute_invalid"}),
        (
            {"attribute[danger][]": ["high", "some"], "attribute[danger]": None},
            {"attribute_invalid"},
        ),
        ({"attribute[detail]": "长" * 501}, {"attribute_invalid"}),
        ({"attribute[colour]": "red"}, {"attribute_unknown"}),
        ({"attributes": "x"}, {"attribute_invalid"}),
        (
            {"attribute[danger]": None, "lat": "x", "email": "@"},
            {"attribute_required", "lat_invalid", "email_invalid"},
        ),
    ],
)
def test_bad_parameters_are_400s_and_store_nothing(keys, params, expected):
    for fmt in ("json", "xml"):
        found = errors(submit(keys.raw, fmt, **params), 400)
        assert {e["code"] for e in found} == expected
        assert all(e["description"] for e in found)
    _nothing_stored()


def test_a_point_outside_the_keys_district_is_refused(keys):
    for lng, lat in (POINT_OTHER, POINT_OUTSIDE):
        (error,) = errors(submit(keys.raw, lat=str(lat), long=str(lng)), 400)
        assert error["code"] == "long_invalid"
        assert "网格范围" in error["description"]
    _nothing_stored()


def test_attribute_errors_name_the_attribute_in_chinese(keys):
    (error,) = errors(submit(keys.raw, **{"attribute[danger]": None}), 400)
    assert error["description"] == "缺少必填属性 attribute[danger]：是否已造成危险？"
    (error,) = errors(
        submit(
            keys.raw, service_code="0301", **{"attribute[danger]": None, "attribute[since]": "昨晚"}
        ),
        400,
    )
    assert error["code"] == "attribute_invalid" and "W3C" in error["description"]


def test_an_informational_attribute_takes_no_answer(keys):
    found = errors(submit(keys.raw, service_code="0404", **{"attribute[notice]": "ok"}), 400)
    assert {e["code"] for e in found} == {"attribute_unknown"}


def test_a_repeat_of_a_registered_event_still_answers_with_it(keys):
    (answer,) = data(submit(keys.raw, device_id="d1", request_id="r-1"), 201)
    event = Event.objects.get(number=answer["service_request_id"])
    do_register_event(event, actor=None)
    assert data(submit(keys.raw, device_id="d1", request_id="r-1"), 200) == [answer]


# --- keys ----------------------------------------------------------------------------------------


def test_only_platform_admins_create_keys(keys):
    with pytest.raises(ApiKeyError):
        do_create_api_key(district=J, name="x", actor=keys.world["district"])
    key, raw = do_create_api_key(district=J, name="x", actor=keys.world["admin"])
    assert raw.startswith("o311_") and key.key_hash != raw and raw.startswith(key.prefix)
    assert key.user.assignments.get().role.slug == "resident"
    with pytest.raises(ApiKeyError) as refused:
        do_create_api_key(district="440704001", name="", actor=None)
    assert set(refused.value.fields) == {"name", "district"}


def test_the_management_command_prints_a_working_key_once(keys):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out, err = StringIO(), StringIO()
    call_command("open311_key", district=J, name="12345 热线（二）", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("o311_") and "\n" not in raw
    key = ApiKey.objects.get(name="12345 热线（二）")
    assert raw.startswith(key.prefix) and raw not in err.getvalue()
    assert "只显示这一次" in err.getvalue()
    data(submit(raw), 201)
    with pytest.raises(CommandError, match="未找到该区"):
        call_command("open311_key", district="123456", name="x", stdout=out, stderr=err)
