"""Signing in by SMS code: codes, tries, expiry, send limits, the resident's account."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from wangge.accounts.models import Assignment, User
from wangge.accounts.scope import scope_for
from wangge.audit.models import AuditEntry
from wangge.notifications.models import SmsMessage
from wangge.portal import actions
from wangge.portal.models import LoginCode, ResidentAccount
from wangge.testing import PASSWORD

from .conftest import PHONE_A, PHONE_B, last_code, send, verify


def test_it_texts_a_code_and_signs_a_new_resident_in(pw, django_capture_on_commit_callbacks):
    client = Client()
    assert client.get("/portal/login/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "+86 139-1234-5678")
    assert response.status_code == 200
    html = response.content.decode()
    assert "139****5678" in html and 'data-testid="code-form"' in html
    message = SmsMessage.objects.get(kind="login_code")
    assert message.state == "sent"  # through the gateway at once
    assert message.gateway.endswith("MemorySmsGateway")
    code = last_code(PHONE_A)
    # The outbox does not keep the code once the gateway has had it.
    assert code not in message.body and "******" in message.body and "登录验证码" in message.body
    row = LoginCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=5)

    response = verify(client, PHONE_A, code)
    assert response.status_code == 302 and response.url == "/portal/"
    account = ResidentAccount.objects.select_related("user").get()
    user = account.user
    assert PHONE_A not in user.username and user.display_name == "居民5678"
    assert not user.has_usable_password()
    assert scope_for(user).roles == ["resident"]
    assert set(Assignment.objects.filter(user=user).values_list("region__code", flat=True)) == {
        "440704",
        "440703",
    }
    # The phone is encrypted at rest, found by its blind index.
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash FROM portal_residentaccount")
        raw_phone, raw_hash = cursor.fetchone()
    assert PHONE_A not in raw_phone and PHONE_A not in raw_hash
    assert account.phone == PHONE_A
    assert client.get("/portal/").status_code == 200
    assert AuditEntry.objects.filter(action="portal.sign_in").count() == 1
    # Used: the same code does not work twice.
    again = Client()
    assert verify(again, PHONE_A, code).status_code == 422


def test_the_same_phone_finds_the_same_account(pw):
    for _ in range(2):
        client = Client()
        send(client, PHONE_A)
        assert verify(client, PHONE_A, last_code()).status_code == 302
        LoginCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert ResidentAccount.objects.count() == 1
    assert User.objects.filter(resident_account__isnull=False).count() == 1


def test_a_wrong_code_is_refused_and_counted(pw):
    client = Client()
    send(client, PHONE_A)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = verify(client, PHONE_A, wrong)
    assert response.status_code == 422
    assert "验证码错误，还可尝试 4 次" in response.content.decode()
    assert LoginCode.objects.get().attempts == 1
    assert "_auth_user_id" not in client.session
    response = verify(client, PHONE_A, "12ab")
    assert response.status_code == 422 and "请输入6位数字验证码" in response.content.decode()


def test_too_many_tries_burn_the_code(pw):
    client = Client()
    send(client, PHONE_A)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert verify(client, PHONE_A, wrong).status_code == 422
    response = verify(client, PHONE_A, code)
    assert response.status_code == 422
    assert "验证码错误次数过多，请重新获取" in response.content.decode()
    assert not ResidentAccount.objects.exists()


def test_an_expired_code_is_refused(pw):
    client = Client()
    send(client, PHONE_A)
    code = last_code()
    later = timezone.now() + timedelta(minutes=5, seconds=1)
    with pytest.raises(actions.PortalError) as refused:
        actions.do_verify_login_code(PHONE_A, code, now=later)
    assert refused.value.fields == {"code": "验证码已失效，请重新获取"}
    assert verify(client, PHONE_A, code).status_code == 302  # still within five minutes


def test_only_the_newest_code_counts(pw):
    now = timezone.now()
    actions.do_send_login_code(PHONE_A, ip="10.0.0.1", now=now - timedelta(minutes=2))
    first = last_code()
    actions.do_send_login_code(PHONE_A, ip="10.0.0.1", now=now)
    second = last_code()
    if first != second:
        with pytest.raises(actions.PortalError):
            actions.do_verify_login_code(PHONE_A, first)
    assert actions.do_verify_login_code(PHONE_A, second).pk


def test_a_bad_phone_is_refused_field_by_field(pw):
    response = send(Client(), "12345")
    assert response.status_code == 422
    assert "请输入正确的11位手机号码" in response.content.decode()
    assert not LoginCode.objects.exists() and not SmsMessage.objects.exists()


def test_sends_are_limited_per_phone(pw):
    client = Client()
    assert send(client, PHONE_A).status_code == 200
    response = send(client, PHONE_A)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "秒后再获取" in response.content.decode()
    assert LoginCode.objects.count() == 1
    # Five an hour: the sixth is refused even minutes apart.
    now = timezone.now()
    for minutes in (50, 40, 30, 20, 10):
        actions.do_send_login_code(PHONE_B, ip="10.0.0.2", now=now - timedelta(minutes=minutes))
    with pytest.raises(actions.PortalThrottled) as refused:
        actions.do_send_login_code(PHONE_B, ip="10.0.0.3", now=now)
    assert "次数过多" in refused.value.message
    assert refused.value.retry_after == 10 * 60
    # Another phone is not held up.
    assert send(Client(), "13655556666").status_code == 200


def test_sends_are_limited_per_client_address(pw):
    now = timezone.now()
    for i in range(20):
        actions.do_send_login_code(f"137000000{i:02d}", ip="10.9.9.9", now=now)
    with pytest.raises(actions.PortalThrottled):
        actions.do_send_login_code("13600000000", ip="10.9.9.9", now=now)
    response = send(Client(REMOTE_ADDR="10.9.9.9"), "13600000000")
    assert response.status_code == 429 and "Retry-After" in response
    assert actions.do_send_login_code("13600000000", ip="10.9.9.8", now=now).pk
    # The counters are rows, not a per-process cache; the address is kept only hashed.
    assert not LoginCode.objects.filter(ip_hash__contains="10.9").exists()


def test_the_demo_resident_still_signs_in_with_a_password_and_lands_on_the_portal(pw):
    client = Client()
    response = client.post("/login/", {"username": "resident", "password": PASSWORD})
    assert response.status_code == 302
    landing = client.get("/")
    assert landing.status_code == 302 and landing.url == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_the_login_page_links_the_portal(pw):
    html = Client().get("/login/").content.decode()
    assert 'href="/portal/login/"' in html


def test_signing_out(sms_login):
    client = sms_login(PHONE_A)
    response = client.post("/portal/logout/")
    assert response.status_code == 302 and response.url == "/portal/login/"
    assert client.get("/portal/").status_code == 302


def test_the_demo_seed_adds_choices_and_the_demo_residents_phone(pw):
    from wangge.portal.demo import DEMO_PHONE, seed_demo
    from wangge.portal.models import PlainChoice

    line = seed_demo("440704", seed=1)
    assert DEMO_PHONE in line
    assert seed_demo("440704", seed=1) == "居民端：0 个问题类型"
    assert PlainChoice.objects.count() == 14
    client = Client()
    send(client, DEMO_PHONE)
    assert verify(client, DEMO_PHONE, last_code(DEMO_PHONE)).status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(username="resident").pk
