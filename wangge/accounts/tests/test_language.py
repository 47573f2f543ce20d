"""Account refusals in the user's language (Chinese by default)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation

from wangge.accounts.actions import AccountError, do_assign_role, do_create_user
from wangge.accounts.views import lockout_response
from wangge.testing import CJK


def post_token(client: Client, username: str, password: str):
    return client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )


def test_a_wrong_password_is_refused_in_english_in_english_mode(world):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_token(client, "worker_a", "wrong-password")
    assert response.status_code == 401
    body = response.json()
    assert body["message"] == "Wrong username or password."
    assert body["fields"] == {"password": "Wrong username or password."}
    chinese = post_token(Client(), "worker_a", "wrong-password").json()
    assert chinese["message"] == "用户名或密码错误"


def test_a_locked_out_api_login_is_told_in_the_users_language(world):
    request = RequestFactory().post("/api/v1/auth/token")
    with translation.override("en"):
        english = json.loads(lockout_response(request).content)
    assert english["code"] == "locked_out" and not CJK.search(english["message"])
    with translation.override("zh-hans"):
        chinese = json.loads(lockout_response(request).content)
    assert chinese["message"] == "登录失败次数过多，账号已暂时锁定，请稍后再试"


def test_account_refusals_follow_the_language(world):
    with translation.override("en"), pytest.raises(AccountError) as taken:
        do_create_user(username="worker_a", password=None, actor=world["admin"])
    assert str(taken.value) == "This username is taken."
    assert taken.value.fields == {"username": "This username is taken."}
    with translation.override("en"), pytest.raises(AccountError) as wrong_level:
        do_assign_role(
            user=world["worker_b"],
            role="grid_worker",
            region=world.regions["440704001001"],
            actor=world["admin"],
        )
    message = wrong_level.value.fields["region"]
    assert message == "Grid worker can only be assigned at these levels: grid"
    assert not CJK.search(str(wrong_level.value))
    with translation.override("zh-hans"), pytest.raises(AccountError) as chinese:
        do_assign_role(
            user=world["worker_b"],
            role="grid_worker",
            region=world.regions["440704001001"],
            actor=world["admin"],
        )
    assert str(chinese.value) == "角色分配无效"
    assert chinese.value.fields == {"region": "专职网格员只能分配到以下层级：grid"}
    with translation.override("en"), pytest.raises(AccountError) as not_admin:
        do_create_user(username="intruder", password="x-pass-123", actor=world["district"])
    assert str(not_admin.value) == "Only platform administrators may do this."
