"""Signed webhooks: delivered to a real local HTTP server, retried with backoff, given up."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wangge.events.models import EventStep
from wangge.notifications import actions, webhooks
from wangge.notifications.models import Webhook, WebhookDelivery
from wangge.notifications.tasks import deliver_webhook_task, retry_webhooks_task


def hook(ew, url, **extra):
    made, created = actions.do_create_webhook(actor=ew["admin"], name="市平台", url=url, **extra)
    assert created
    return made


def test_delivery_is_signed_and_carries_no_personal_data(ew, dispatched, receiver, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    server = receiver([200, 200, 200])
    h = hook(ew, server.url, district_code="440704", actions=["dispatch"])
    event = dispatched("cg", reporter="resident", reporter_contact="13812345678")
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered" and delivery.attempts == 1 and delivery.last_status == 200
    assert len(server.requests) == 1
    headers, body = server.requests[0]
    expected = hmac.new(h.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-wangge-signature"] == f"sha256={expected}"
    assert headers["x-wangge-delivery"] == str(delivery.uuid)
    assert headers["x-wangge-timestamp"].isdigit()
    assert headers["content-type"].startswith("application/json")
    data = json.loads(body)
    step = EventStep.objects.get(event=event, action="dispatch")
    assert data["id"] == str(delivery.uuid) and data["action"] == "dispatch"
    assert data["step"]["id"] == step.pk and data["at"] == step.at.isoformat()
    assert data["event"]["number"] == event.number and data["event"]["state"] == "dispatched"
    assert data["event"]["region_code"] == event.region_code
    assert data["event"]["category"] == "0601"
    assert "13812345678" not in body.decode() and "reporter" not in body.decode()
    assert actions.webhooks.verify(body, h.secret, headers["x-wangge-signature"])
    assert not actions.webhooks.verify(body + b" ", h.secret, headers["x-wangge-signature"])


def test_filters_by_district_and_action(ew, dispatched, receiver, run):
    server = receiver([])
    hook(ew, server.url, actions=["send_back"])
    hook(ew, server.url, district_code="440703")
    all_of_them = hook(ew, server.url)
    dispatched("cg")
    # report, register, dispatch: only the subscription to every action of every district
    assert set(WebhookDelivery.objects.values_list("webhook_id", flat=True)) == {all_of_them.pk}
    assert sorted(WebhookDelivery.objects.values_list("action", flat=True)) == [
        "dispatch",
        "register",
        "report",
    ]
    Webhook.objects.filter(pk=all_of_them.pk).update(is_active=False)
    dispatched("cg")
    assert WebhookDelivery.objects.count() == 3


def test_retried_with_backoff_until_delivered(ew, dispatched, receiver, run, settings):
    settings.WANGGE_WEBHOOK_RETRY_BASE_SECONDS = 10
    server = receiver([500, 503, 200])
    hook(ew, server.url, actions=["dispatch"])
    event = dispatched("cg")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_id == event.pk and delivery.state == "pending" and delivery.attempts == 0
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_webhook_task")
    assert queued.count() == 1 and queued.get().args_kwargs["args"] == [delivery.pk, 0]

    result = deliver_webhook_task.call(delivery.pk, 0)
    delivery.refresh_from_db()
    assert result["state"] == "pending" and result["retry_scheduled"] is True
    assert delivery.attempts == 1 and delivery.last_status == 500
    first_wait = delivery.next_attempt_at
    retry = queued.order_by("-enqueued_at").first()
    assert retry.args_kwargs["args"] == [delivery.pk, 1] and retry.run_after == first_wait

    # The same attempt again (a duplicate task) does nothing.
    assert deliver_webhook_task.call(delivery.pk, 0)["state"] == "skipped"

    deliver_webhook_task.call(delivery.pk, 1)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_status == 503 and delivery.state == "pending"
    # Waits double: 10 s after the first failure, 20 s after the second.
    assert delivery.next_attempt_at - first_wait >= timedelta(seconds=10)
    assert actions.backoff(1).total_seconds() == 10 and actions.backoff(2).total_seconds() == 20

    deliver_webhook_task.call(delivery.pk, 2)
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 3
    assert delivery.last_status == 200 and delivery.delivered_at is not None
    assert delivery.next_attempt_at is None
    bodies = {body for _, body in server.requests}
    assert len(server.requests) == 3 and len(bodies) == 1  # the same bytes every time
    uuids = {headers["x-wangge-delivery"] for headers, _ in server.requests}
    assert uuids == {str(delivery.uuid)}


def test_gives_up_after_max_attempts(ew, dispatched, receiver, settings):
    settings.WANGGE_WEBHOOK_MAX_ATTEMPTS = 3
    settings.WANGGE_WEBHOOK_RETRY_BASE_SECONDS = 0
    server = receiver([500] * 10)
    hook(ew, server.url, actions=["dispatch"])
    dispatched("cg")
    delivery = WebhookDelivery.objects.get()
    for attempt in range(3):
        deliver_webhook_task.call(delivery.pk, attempt)
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == 3
    assert delivery.next_attempt_at is None and delivery.last_error == "HTTP 500"
    assert deliver_webhook_task.call(delivery.pk, 3)["state"] == "skipped"
    assert len(server.requests) == 3


def test_unreachable_receiver_and_the_sweep(ew, dispatched, receiver, settings):
    settings.WANGGE_WEBHOOK_RETRY_BASE_SECONDS = 0
    server = receiver([])
    url = server.url
    server.close()  # nobody listens there any more
    hook(ew, url, actions=["dispatch"])
    dispatched("cg")
    delivery = WebhookDelivery.objects.get()
    assert retry_webhooks_task.call() == {"tried": 1, "delivered": 0}
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.last_status is None and delivery.last_error
    live = receiver([])
    Webhook.objects.update(url=live.url)
    assert retry_webhooks_task.call() == {"tried": 1, "delivered": 1}
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 2


def test_the_same_signal_twice_delivers_once(ew, dispatched, receiver, run):
    from wangge.events.notifications import notify

    server = receiver([])
    hook(ew, server.url, actions=["dispatch"])
    event = dispatched("cg")
    step = EventStep.objects.get(event=event, action="dispatch")
    run(notify, event.pk, "dispatch", step.pk)
    assert WebhookDelivery.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_webhook_task").count() == 1


# --- the API (administrators only) ----------------------------------------------------------


def test_webhook_api_is_for_administrators(ew, api, receiver):
    server = receiver([])
    admin = api("admin")
    response = admin.post(
        "/api/v1/webhooks",
        {"name": "市平台", "url": server.url, "actions": ["dispatch"], "request_id": "a1"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert len(created["secret"]) == 64
    again = admin.post(
        "/api/v1/webhooks",
        {"name": "市平台", "url": server.url, "request_id": "a1"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == created["id"]
    assert Webhook.objects.count() == 1
    listed = admin.get("/api/v1/webhooks").json()
    assert [h["id"] for h in listed] == [created["id"]] and "secret" not in listed[0]
    hid = created["id"]
    patched = admin.patch(
        f"/api/v1/webhooks/{hid}",
        {"is_active": False, "rotate_secret": True},
        content_type="application/json",
    ).json()
    assert patched["is_active"] is False and patched["secret"] not in ("", created["secret"])
    assert admin.get(f"/api/v1/webhooks/{hid}/deliveries").json()["count"] == 0
    for user in ("district", "street", "dept", "worker_a", "resident"):
        client = api(user)
        assert client.get("/api/v1/webhooks").status_code == 403, user
        assert (
            client.post(
                "/api/v1/webhooks",
                {"name": "x", "url": server.url},
                content_type="application/json",
            ).status_code
            == 403
        )
        for path in (f"/api/v1/webhooks/{hid}", f"/api/v1/webhooks/{hid}/deliveries"):
            assert client.get(path).status_code == 404, (user, path)
        assert (
            client.patch(
                f"/api/v1/webhooks/{hid}", {"is_active": True}, content_type="application/json"
            ).status_code
            == 404
        )
    assert admin.get("/api/v1/webhooks/999999").status_code == 404


def test_webhook_api_validation(ew, api):
    response = api("admin").post(
        "/api/v1/webhooks",
        {"name": "x", "url": "ftp://example.org/", "district_code": "999999"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == {"url", "district_code"}
    bad_action = api("admin").post(
        "/api/v1/webhooks",
        {"name": "x", "url": "https://example.org/", "actions": ["explode"]},
        content_type="application/json",
    )
    assert bad_action.status_code == 422
    assert Webhook.objects.count() == 0


def test_the_worker_command_retries_due_deliveries(ew, dispatched, receiver, settings):
    from io import StringIO

    from django.core.management import call_command

    server = receiver([200])
    hook(ew, server.url, actions=["dispatch"])
    dispatched("cg")
    out = StringIO()
    call_command("webhooks_worker", "--once", stdout=out)
    assert out.getvalue().strip() == "tried 1, delivered 1"
    assert WebhookDelivery.objects.get().state == "delivered" and len(server.requests) == 1


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("169.254.169.254", True),
        ("fe80::1%eth0", True),
        ("0.0.0.0", True),  # noqa: S104 - the address under test
        ("224.0.0.1", True),
        ("10.20.30.40", False),
        ("192.168.1.10", False),
        ("172.16.0.5", False),
        ("203.0.113.7", False),
        ("hotline.example.org", False),
    ],
)
def test_local_addresses(address, local):
    assert webhooks.local_address(address) is local


def test_no_post_reaches_this_machine_or_a_metadata_service(ew, receiver, settings):
    hook = receiver([200])
    settings.WANGGE_WEBHOOK_ALLOW_LOCAL = False
    at = timezone.now()
    for url in (hook.url, hook.url.replace("127.0.0.1", "localhost")):
        result = webhooks.post(url, b"{}", secret="s", delivery_id="d", at=at)
        assert not result.ok and result.status is None and "refused" in result.error
    assert hook.requests == []  # nothing was sent
    settings.WANGGE_WEBHOOK_ALLOW_LOCAL = True
    assert webhooks.post(hook.url, b"{}", secret="s", delivery_id="d", at=at).ok
    assert len(hook.requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
    ],
)
def test_a_webhook_to_this_machine_is_refused_on_save(ew, api, url):
    response = api("admin").post(
        "/api/v1/webhooks",
        {"name": "内网", "url": url},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "本机" in response.json()["fields"]["url"][0]


def test_the_admin_form_refuses_this_machine_too(ew):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        Webhook(name="本机", url="http://localhost:8000/", secret="s").full_clean()
    assert "url" in refused.value.message_dict
    Webhook(name="区平台", url="http://10.1.2.3/hook", secret="s").full_clean()


@pytest.mark.django_db
def test_the_active_webhook_check_is_asked_again_after_a_clock_that_went_back():
    """``any_active_webhook`` is cached a few seconds; an answer cached on a simulated clock
    (the demo seeder's) must not outlive it."""
    from freezegun import freeze_time

    actions.forget_webhook_check()
    with freeze_time(timezone.now() - timedelta(days=90)):
        assert actions.any_active_webhook() is False
    # Created by another process (no signal here): seen once the cache is not trusted.
    Webhook.objects.bulk_create(
        [Webhook(name="x", url="https://hooks.example.org/in", secret="s" * 32)]
    )
    assert actions.any_active_webhook() is True
    actions.forget_webhook_check()


def test_the_post_goes_to_the_address_that_was_checked(ew, receiver, settings, monkeypatch):
    """DNS rebinding: a name that resolves to a public address when checked and to this
    machine a moment later.  The name is resolved once; the POST connects to what was
    checked, with the name in the Host header."""
    import socket

    hook = receiver([200])
    settings.WANGGE_WEBHOOK_ALLOW_LOCAL = False
    port = int(hook.url.rsplit(":", 1)[1].split("/", 1)[0])
    # The fake receiver stands in for a public address: the check lets it through once.
    answers = [[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]]
    calls: list[str] = []

    real_resolve = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.example.org":
            return real_resolve(host, *args, **kwargs)
        calls.append(host)
        if len(calls) > 1:  # a second lookup would be the rebinding
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]
        return answers[0]

    checked = iter([False])
    real_local = webhooks.local_address
    monkeypatch.setattr(webhooks.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(
        webhooks, "local_address", lambda a: next(checked, None) is None and real_local(a)
    )
    url = f"http://hooks.example.org:{port}/hook"
    result = webhooks.post(url, b"{}", secret="s", delivery_id="d", at=timezone.now())
    assert result.ok, result.error
    assert calls == ["hooks.example.org"]
    ((headers, _body),) = hook.requests
    assert headers["host"] == f"hooks.example.org:{port}"
