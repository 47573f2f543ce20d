"""SMS: stored in the outbox (phone encrypted), sent by the configured gateway in a task."""

from __future__ import annotations

import logging

from django.db import connection

from wangge.events import actions as ev
from wangge.notifications.models import SmsMessage
from wangge.notifications.tasks import send_sms_task

PHONE = "13812345678"


def close(ew, run, event):
    run(ev.do_accept_event, event, actor=ew["dept"])
    run(ev.do_feedback_event, event, actor=ew["dept"], note="已更换井盖")
    run(ev.do_verify_event, event, actor=ew["worker_a"], passed=True)


def test_closing_a_resident_report_texts_the_reporter_through_the_console_gateway(
    ew, run, dispatched, settings, caplog
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    event = dispatched("cg", reporter="resident", reporter_contact=PHONE)
    assert SmsMessage.objects.count() == 0  # dispatch: department handlers have no phone
    with caplog.at_level(logging.INFO, logger="wangge.sms"):
        close(ew, run, event)
    message = SmsMessage.objects.get()
    assert message.state == "sent" and message.kind == "closed" and message.key == "reporter"
    assert message.gateway == "wangge.notifications.sms.ConsoleSmsGateway"
    assert message.provider_id.startswith("console-") and message.sent_at is not None
    assert message.phone == PHONE and event.number in message.body
    logged = [r.getMessage() for r in caplog.records if r.name == "wangge.sms"]
    assert len(logged) == 1 and "138****5678" in logged[0] and PHONE not in logged[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM notifications_smsmessage")
        (raw,) = cursor.fetchone()
    assert PHONE not in raw and raw.startswith("v1:")


def test_the_task_sends_once(ew, run, dispatched):
    event = dispatched("cg", reporter="resident", reporter_contact=PHONE)
    close(ew, run, event)
    message = SmsMessage.objects.get()
    assert message.state == "pending"  # the database backend: queued, not yet run
    assert send_sms_task.call(message.pk) == {"message_id": message.pk, "state": "sent"}
    assert send_sms_task.call(message.pk) == {"message_id": message.pk, "state": "skipped"}


class BrokenGateway:
    def send(self, phone: str, body: str) -> str:
        raise RuntimeError("gateway down")


def test_a_failing_gateway_is_recorded(ew, run, dispatched, settings):
    settings.WANGGE_SMS_BACKEND = f"{__name__}.BrokenGateway"
    event = dispatched("cg", reporter="resident", reporter_contact=PHONE)
    close(ew, run, event)
    message = SmsMessage.objects.get()
    send_sms_task.call(message.pk)
    message.refresh_from_db()
    assert message.state == "failed" and "gateway down" in message.error


def test_no_sms_without_a_phone_or_for_a_worker_report(ew, run, dispatched):
    close(ew, run, dispatched("cg", reporter="resident", reporter_contact="微信 abc"))
    close(ew, run, dispatched("cg", reporter="worker_a", reporter_contact=PHONE))
    assert SmsMessage.objects.count() == 0


def test_sms_kinds_setting(ew, run, dispatched, settings):
    settings.WANGGE_SMS_KINDS = ()
    close(ew, run, dispatched("cg", reporter="resident", reporter_contact=PHONE))
    assert SmsMessage.objects.count() == 0


def test_a_one_time_code_is_blanked_in_the_outbox_once_the_gateway_had_it(ew, settings):
    from wangge.notifications.actions import blank_codes, send_sms
    from wangge.notifications.sms import MemorySmsGateway

    assert blank_codes("验证码 123456，5 分钟内有效") == "验证码 ******，5 分钟内有效"
    body = "【网格化服务管理】您的登录验证码为 654321，5 分钟内有效。"
    settings.WANGGE_SMS_BACKEND = "wangge.notifications.sms.MemorySmsGateway"
    MemorySmsGateway.sent.clear()
    sent = SmsMessage.objects.create(phone=PHONE, body=body, kind="login_code", key="login")
    assert send_sms(sent.pk).body == body.replace("654321", "******")
    assert MemorySmsGateway.sent[0][:2] == (PHONE, body)  # the phone got the code
    settings.WANGGE_SMS_BACKEND = f"{__name__}.BrokenGateway"
    failed = SmsMessage.objects.create(phone=PHONE, body=body, kind="login_code", key="login")
    assert send_sms(failed.pk).body == body.replace("654321", "******")
    # Other texts are kept as sent (an event number is not a secret).
    other = SmsMessage.objects.create(phone=PHONE, body="事件 20261122001 已办结", kind="closed")
    assert send_sms(other.pk).body == "事件 20261122001 已办结"
