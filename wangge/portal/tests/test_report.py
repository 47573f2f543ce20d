"""Reporting from the portal: the form, photos, idempotency, errors, limits, escaping."""

import pytest
from django.test import Client

from wangge.events.choices import EventSource
from wangge.events.models import Attachment, Event, EventStep
from wangge.portal.models import PlainChoice
from wangge.testing import GRID_A, POINT_OUTSIDE

from .conftest import PHONE_A, photo, plain_choice, report_data


def test_the_report_page_offers_plain_choices_and_the_verified_phone(sms_login):
    client = sms_login(PHONE_A)
    html = client.get("/portal/report/").content.decode()
    assert "井盖松动、破损或丢失" in html and "车一过就哐哐响" in html
    assert f'value="{PHONE_A}"' in html  # contact defaults to the verified phone
    assert 'capture="environment"' in html and 'accept="image/*"' in html and "multiple" in html
    assert 'name="request_id"' in html and "data-picker" in html and "data-locate-for" in html


def test_without_plain_choices_the_sub_categories_are_offered(sms_login):
    PlainChoice.objects.all().delete()
    html = sms_login(PHONE_A).get("/portal/report/").content.decode()
    assert 'value="0601"' in html and "井盖破损/松动" in html


def test_a_resident_reports_with_photos_and_gets_a_tracking_number(sms_login, media):
    client = sms_login(PHONE_A)
    data = report_data(anonymous="on")
    data["photos"] = [photo("a.jpg"), photo("b.jpg", data=None)]
    response = client.post("/portal/report/", data)
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get()
    assert response.url == f"/portal/track/{event.number}/"
    assert event.category.code == "0601"
    assert event.source == EventSource.RESIDENT
    assert event.grid_code == GRID_A
    assert event.reporter_contact == PHONE_A
    assert event.anonymous is True
    assert event.title == "礼华街三个井盖夜间松动异响"
    assert Attachment.objects.filter(event=event).count() == 2
    page = client.get(response.url)
    html = page.content.decode()
    assert event.number in html and "已上报" in html
    assert "139****5678" in html
    photo_url = f"/api/v1/events/{event.pk}/attachments/"
    assert photo_url in html


def test_sending_the_same_form_twice_stores_one_event(sms_login, media):
    client = sms_login(PHONE_A)
    first = client.post("/portal/report/", {**report_data(), "photos": [photo()]})
    second = client.post("/portal/report/", {**report_data(), "photos": [photo()]})
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Event.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert EventStep.objects.filter(action="report").count() == 1


def test_a_refused_report_stores_nothing(sms_login, media):
    client = sms_login(PHONE_A)
    response = client.post(
        "/portal/report/",
        {"choice": "", "description": " ", "lng": "", "lat": "", "photos": [photo()]},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请选择问题类型" in html
    assert "请描述问题" in html
    assert "请在地图上点选问题位置" in html
    assert not Event.objects.exists() and not Attachment.objects.exists()


def test_a_place_outside_the_grids_stores_nothing_not_even_the_photo(sms_login, media):
    client = sms_login(PHONE_A)
    data = report_data(lng=str(POINT_OUTSIDE[0]), lat=str(POINT_OUTSIDE[1]))
    response = client.post("/portal/report/", {**data, "photos": [photo()]})
    assert response.status_code == 422
    assert "该位置不在您可上报的网格范围内" in response.content.decode()
    assert not Event.objects.exists() and not Attachment.objects.exists()
    assert not any(media.rglob("*.jpg")) if media.exists() else True


def test_uploads_are_checked(sms_login, media):
    client = sms_login(PHONE_A)
    bad = photo("evil.jpg", data=b"<?php echo 1; ?>")
    response = client.post("/portal/report/", {**report_data(), "photos": [photo(), bad]})
    assert response.status_code == 422
    assert "第 2 张照片（evil.jpg）：文件不是可识别的图片" in response.content.decode()
    assert not Event.objects.exists() and not Attachment.objects.exists()
    ten = [photo(f"{i}.jpg") for i in range(10)]
    response = client.post("/portal/report/", {**report_data(), "photos": ten})
    assert response.status_code == 422 and "最多 9 张照片" in response.content.decode()


def test_text_lengths_are_bounded(sms_login):
    client = sms_login(PHONE_A)
    response = client.post(
        "/portal/report/",
        report_data(title="长" * 101, description="字" * 2001, address="址" * 201, contact="123"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "标题不能超过 100 个字" in html
    assert "问题描述不能超过 2000 个字" in html
    assert "地址不能超过 200 个字" in html
    assert "请输入正确的11位手机号码" in html
    assert not Event.objects.exists()
    ok = client.post("/portal/report/", report_data(title="长" * 100, description="字" * 2000))
    assert ok.status_code == 302


def test_html_is_escaped(sms_login):
    client = sms_login(PHONE_A)
    script = "<script>alert('x')</script>"
    response = client.post(
        "/portal/report/", report_data(title=script, description=f"井盖{script}", address=script)
    )
    assert response.status_code == 302
    for page in (client.get(response.url), client.get("/portal/")):
        html = page.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    refused = client.post("/portal/report/", report_data(title=script * 20, request_id="x2"))
    assert refused.status_code == 422 and "<script>alert" not in refused.content.decode()


def test_reports_are_limited_per_resident(sms_login, settings):
    settings.PORTAL_REPORTS_PER_HOUR = 2
    client = sms_login(PHONE_A)
    for i in range(2):
        assert client.post("/portal/report/", report_data(request_id=f"r{i}")).status_code == 302
    response = client.post("/portal/report/", report_data(request_id="r3"))
    assert response.status_code == 429
    assert "上报过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    # A resend of a stored form is not a new report: it still answers its event.
    again = client.post("/portal/report/", report_data(request_id="r1"))
    assert again.status_code == 302
    assert Event.objects.count() == 2


def test_reports_per_day_are_limited_too(sms_login, settings):
    settings.PORTAL_REPORTS_PER_HOUR = 50
    settings.PORTAL_REPORTS_PER_DAY = 1
    client = sms_login(PHONE_A)
    assert client.post("/portal/report/", report_data(request_id="d1")).status_code == 302
    response = client.post("/portal/report/", report_data(request_id="d2"))
    assert response.status_code == 429 and "今天的上报次数已达上限" in response.content.decode()


def test_a_category_code_works_as_a_choice_too(sms_login):
    client = sms_login(PHONE_A)
    response = client.post("/portal/report/", report_data(choice="0602"))
    assert response.status_code == 302
    assert Event.objects.get().category.code == "0602"
    assert plain_choice("0602").startswith("p")


@pytest.mark.parametrize("path", ["/portal/", "/portal/report/", "/portal/report/nearby/"])
def test_the_pages_need_a_signed_in_resident(pw, login, path):
    response = Client().get(path)
    assert response.status_code == 302 and response.url.startswith("/portal/login/")
    for staff in ("worker_a", "street", "dept", "admin"):
        assert login(staff).get(path).status_code == 403
    assert login("resident").get(path).status_code == 200


def test_residents_may_not_open_staff_pages(sms_login):
    client = sms_login(PHONE_A)
    assert client.get("/events/queue/").status_code == 403
    assert client.get("/events/inbox/").status_code == 403
