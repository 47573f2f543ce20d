"""The resident portal answers in the resident's language; texts and accounts stay Chinese."""

from __future__ import annotations

from django.test import Client
from django.utils import translation

from wangge.events import actions as event_actions
from wangge.events.models import Event
from wangge.notifications.models import SmsMessage
from wangge.portal import actions, selectors
from wangge.portal.models import ResidentAccount
from wangge.testing import CJK, english

from .conftest import PHONE_A, last_code, photo, report_data, send, verify


def test_sign_in_refusals_are_in_english_and_the_text_stays_chinese(pw):
    client = english(Client())
    response = send(client, "12345")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Please enter a valid 11-digit mobile number." in html
    assert "请输入正确的11位手机号码" not in html
    assert send(client, PHONE_A).status_code == 200
    sms = SmsMessage.objects.get(kind="login_code")
    assert sms.body.startswith(
        "【网格化服务管理】您的登录验证码为"
    )  # texts to residents stay Chinese
    code = last_code(PHONE_A)
    wrong = "000000" if code != "000000" else "111111"
    response = verify(client, PHONE_A, wrong)
    assert response.status_code == 422
    assert "Wrong code: 4 more tries." in response.content.decode()
    assert "验证码错误" not in response.content.decode()
    assert verify(client, PHONE_A, code).status_code == 302
    account = ResidentAccount.objects.get()
    assert account.user.display_name == f"居民{PHONE_A[-4:]}"  # stored: the installation's


def test_a_refused_report_is_explained_in_english(pw, media):
    client = english(Client())
    send(client, PHONE_A)
    assert verify(client, PHONE_A, last_code(PHONE_A)).status_code == 302
    response = client.post(
        "/portal/report/",
        {"choice": "", "description": " ", "lng": "", "lat": "", "photos": [photo()]},
    )
    assert response.status_code == 422
    html = response.content.decode()
    for text in (
        "Please choose the kind of problem.",
        "Please describe the problem.",
        "Please pick the place on the map, or use my location.",
    ):
        assert text in html, text
    for text in ("请选择问题类型", "请描述问题", "请在地图上点选问题位置"):
        assert text not in html, text
    bad = photo("evil.jpg", data=b"<?php echo 1; ?>")
    response = client.post("/portal/report/", {**report_data(), "photos": [photo(), bad]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Photo 2 (evil.jpg): The file is not a recognisable image." in html
    response = client.post("/portal/report/", report_data(title="x" * 101, contact="123"))
    html = response.content.decode()
    assert "The title may have at most 100 characters." in html
    assert "标题不能超过" not in html and "请输入正确的11位手机号码" not in html
    assert not Event.objects.exists()


def test_action_messages_follow_the_language(pw):
    with translation.override("en"):
        try:
            actions.do_verify_login_code(PHONE_A, "12ab")
        except actions.PortalError as exc:
            assert exc.fields == {"code": "Please enter the 6-digit code."}
            assert not CJK.search(exc.message)
        else:  # pragma: no cover
            raise AssertionError("a malformed code was accepted")
    try:
        with translation.override("zh-hans"):
            actions.do_verify_login_code(PHONE_A, "123456")
    except actions.PortalError as exc:
        assert exc.fields == {"code": "验证码已失效，请重新获取"}
    else:  # pragma: no cover
        raise AssertionError("a code nobody asked for was accepted")


def test_the_public_timeline_reads_in_the_residents_language(pw, sms_login):
    resident = sms_login(PHONE_A)
    response = resident.post("/portal/report/", report_data())
    event = Event.objects.get()
    street, sz, worker = pw["street"], pw["dept_sz"], pw["worker_a"]
    event_actions.do_register_event(event, actor=street)
    event_actions.do_dispatch_event(event, actor=street)
    event_actions.do_accept_event(event, actor=sz)
    event_actions.do_feedback_event(event, actor=sz, note="已紧固")
    event_actions.do_verify_event(event, actor=worker, passed=True)
    assert response.status_code == 302
    with translation.override("en"):
        english_rows = selectors.public_timeline(event, own=True)
        details = [row.detail for row in english_rows if row.action == "verify"]
    assert details == ["Verification passed"]
    with translation.override("zh-hans"):
        rows = selectors.public_timeline(event, own=True)
        chinese = [row.detail for row in rows if row.action == "verify"]
    assert chinese == ["核查通过"]
