"""Refused webhook and notification requests answer in the user's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from wangge.notifications import actions
from wangge.notifications.models import Webhook
from wangge.testing import CJK

BAD = {"name": "  ", "url": "ftp://example.org/hook", "district_code": "999999"}


def create(client, body):
    return client.post("/api/v1/webhooks", body, content_type="application/json")


def test_a_refused_webhook_is_explained_in_english_in_english_mode(ew, api):
    admin = api("admin")
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = create(admin, BAD)
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "Invalid input: please check the fields."
    assert body["fields"]["name"] == ["Please give a name."]
    assert set(body["fields"]) == {"name", "url", "district_code"}
    for text in [body["message"], *sum(body["fields"].values(), [])]:
        assert not CJK.search(text), text
    local = create(admin, {"name": "hook", "url": "http://127.0.0.1:8000/in"}).json()
    assert not CJK.search(local["fields"]["url"][0])
    assert not Webhook.objects.exists()

    chinese = create(api("admin"), BAD).json()
    assert chinese["message"] == "输入有误，请检查各字段"
    assert chinese["fields"]["name"] == ["请填写名称"]
    local = create(api("admin"), {"name": "hook", "url": "http://127.0.0.1:8000/in"}).json()
    assert local["fields"]["url"] == [
        "不能推送到本机或链路本地地址（如 127.0.0.1、169.254.169.254）"
    ]


def test_unknown_event_actions_are_named_in_the_users_language(ew):
    with translation.override("en"), pytest.raises(actions.NotificationError) as refused:
        actions.do_create_webhook(
            actor=ew["admin"], name="hook", url="https://example.org/in", actions=["teleport"]
        )
    assert refused.value.fields == {"actions": "Unknown event actions: teleport"}
    with translation.override("zh-hans"), pytest.raises(actions.NotificationError) as chinese:
        actions.do_create_webhook(
            actor=ew["admin"], name="hook", url="https://example.org/in", actions=["a", "b"]
        )
    assert chinese.value.fields == {"actions": "未知的事件操作：a、b"}


def test_only_administrators_are_told_so_in_their_language(ew, api):
    street = api("street")
    street.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = street.get("/api/v1/webhooks")
    assert response.status_code == 403
    assert response.json()["message"] == "Only administrators may manage webhooks."
    assert api("street").get("/api/v1/webhooks").json()["message"] == ("只有管理员可以管理 Webhook")


def test_the_admin_form_refuses_a_local_address_in_the_users_language(ew):
    from django.core.exceptions import ValidationError

    hook = Webhook(name="hook", url="http://localhost/in")
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            hook.clean()
        english = str(refused.value.message_dict["url"][0])
    assert english.startswith("Notifications cannot be pushed") and not CJK.search(english)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as chinese:
            hook.clean()
        assert str(chinese.value.message_dict["url"][0]).startswith("不能推送到本机")


def test_marking_somebody_elses_notification_is_refused_in_english(ew):
    from wangge.notifications.models import Notification

    note = Notification.objects.create(
        recipient=ew["street"], kind="dispatched", title="样例通知", body="样例"
    )
    with translation.override("en"), pytest.raises(actions.NotificationError) as refused:
        actions.do_mark_read(note, actor=ew["dept"])
    assert refused.value.message == "Notification not found."
    note.refresh_from_db()
    assert note.title == "样例通知"
