import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from wangge.accounts.models import ApiToken
from wangge.accounts.tokens import issue_token, user_for_token
from wangge.testing import GRID_A, PASSWORD, USERS

TOKEN_URL = "/api/v1/auth/token"


def post_token(client: Client, username: str, password: str):
    return client.post(
        TOKEN_URL,
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )


def test_it_exchanges_credentials_for_a_usable_bearer_token(world):
    response = post_token(Client(), "worker_a", PASSWORD)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["token"]
    assert body["expires_at"]
    me = Client(headers={"Authorization": f"Bearer {body['token']}"}).get("/api/v1/me")
    assert me.status_code == 200, me.content
    assert me.json()["username"] == "worker_a"


def test_it_stores_only_a_hash_of_the_token(world):
    key = post_token(Client(), "street", PASSWORD).json()["token"]
    token = ApiToken.objects.get(user=world["street"])
    assert token.key_hash != key
    assert key not in token.key_hash
    assert len(token.key_hash) == 64
    assert token.prefix == key[:8]
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_it_refuses_a_wrong_password_in_chinese(world):
    response = post_token(Client(), "worker_a", "wrong-password")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "bad_credentials"
    assert body["message"] == "用户名或密码错误"
    assert body["fields"] == {"password": "用户名或密码错误"}
    assert "用户名或密码错误" in response.content.decode()  # not \\u-escaped
    assert not ApiToken.objects.exists()


def test_it_answers_an_unknown_user_like_a_wrong_password(world):
    unknown = post_token(Client(), "nobody", PASSWORD)
    wrong = post_token(Client(), "worker_b", "wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_it_refuses_an_inactive_user(world):
    user = world["worker_a"]
    user.is_active = False
    user.save()
    assert post_token(Client(), "worker_a", PASSWORD).status_code == 401


def test_it_validates_the_token_request(world):
    response = Client().post(
        TOKEN_URL, data=json.dumps({"username": ""}), content_type="application/json"
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["username"] == ["太短"]
    assert fields["password"] == ["必填"]


def test_it_locks_out_after_too_many_failures(world):
    limit = settings.LOGIN_FAILURE_LIMIT
    client = Client()
    for attempt in range(1, limit):
        response = post_token(client, "worker_a", f"wrong-{attempt}")
        assert response.status_code == 401, (attempt, response.content)
    response = post_token(client, "worker_a", "wrong-last")
    assert response.status_code in (401, 429)
    locked = post_token(Client(), "worker_a", PASSWORD)
    assert locked.status_code == 429, locked.content
    assert locked["Content-Type"].startswith("application/json")
    body = locked.json()
    assert body["code"] == "locked_out"
    assert "锁定" in body["message"]
    assert not ApiToken.objects.exists()
    # Lockout is per username: others log in as usual.
    assert post_token(Client(), "worker_b", PASSWORD).status_code == 200


def test_it_resets_the_failure_count_on_success(world):
    limit = settings.LOGIN_FAILURE_LIMIT
    for attempt in range(limit - 1):
        assert post_token(Client(), "street", f"wrong-{attempt}").status_code == 401
    assert post_token(Client(), "street", PASSWORD).status_code == 200
    for attempt in range(limit - 1):
        assert post_token(Client(), "street", f"wrong-{attempt}").status_code == 401
    assert post_token(Client(), "street", PASSWORD).status_code == 200


def test_it_refuses_an_expired_token(world):
    key, token = issue_token(world["worker_a"])
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert user_for_token(key) is None


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Bearer nonsense", "Token abc", "Bearer " + "x" * 500]
)
def test_it_refuses_missing_or_bad_tokens(world, header):
    headers = {"Authorization": header} if header else {}
    response = Client(headers=headers).get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert body["message"] == "请先登录（提供有效的令牌）"


def test_it_refuses_the_token_of_a_deactivated_user(world):
    key, _ = issue_token(world["worker_a"])
    world["worker_a"].is_active = False
    world["worker_a"].save()
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/me").status_code == 401


def test_it_records_when_a_token_was_last_used(api, world):
    key, token = issue_token(world["worker_a"])
    assert token.last_used_at is None
    Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("username", sorted(USERS))
def test_it_describes_the_current_user(api, world, username):
    response = api(username).get("/api/v1/me")
    assert response.status_code == 200, response.content
    body = response.json()
    role, target, display = USERS[username]
    assert body["username"] == username
    assert body["display_name"] == display
    assert body["is_global"] == (username == "admin")
    assert [r["role"] for r in body["roles"]] == [role]
    if role in ("admin",):
        assert body["node_codes"] == []
        assert body["map_codes"] == []
    elif role == "dept_handler":
        assert body["node_codes"] == []
        assert body["map_codes"] == ["440704"]
        assert body["department_ids"] == [world.departments[target].pk]
        assert body["roles"][0]["department"] == world.departments[target].pk
    elif role == "resident":
        assert body["node_codes"] == []
        assert body["map_codes"] == [target]
    else:
        assert body["node_codes"] == [target]
        assert body["map_codes"] == [target]
        assert body["roles"][0]["region"] == target


def test_it_lists_the_permissions_of_the_current_user(api, world):
    body = api("community").get("/api/v1/me").json()
    assert "regions.change_region" in body["permissions"]
    assert "accounts.manage_users" not in body["permissions"]
    worker = api("worker_a").get("/api/v1/me").json()["permissions"]
    assert "regions.view_region" in worker
    assert "regions.change_region" not in worker
    assert worker == sorted(worker)


def test_it_also_accepts_the_browser_session(login, world):
    response = login("worker_a").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["node_codes"] == [GRID_A]
