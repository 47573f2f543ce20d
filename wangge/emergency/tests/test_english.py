"""Refusals of emergency mode in the user's language: English when chosen, Chinese by default
(the same bad input answers in both); what is stored stays Chinese."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from wangge.emergency.models import Task
from wangge.emergency.testing import STREET
from wangge.testing import GRID_A, english, no_cjk

from .conftest import activate, all_tasks, ok, post, tap


def test_the_same_bad_activation_answers_in_the_users_language(api, ledgers) -> None:
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    answer = activate(english(api("street")), "440704001009", started_at=future)
    assert answer.status_code == 422
    body = answer.json()
    assert body["message"] == "Invalid input: please check the fields"
    assert body["fields"] == {
        "region_code": ["This area does not exist, or is outside where you may start an emergency"],
        "started_at": ["The start cannot be later than now"],
    }
    no_cjk(body)
    answer = activate(api("street"), "440704001009", started_at=future)
    assert answer.json() == {
        "code": "invalid",
        "message": "输入有误，请检查各字段",
        "fields": {
            "region_code": ["该区域不存在，或不在您可以启动应急状态的范围内"],
            "started_at": ["启动时间不能晚于现在"],
        },
    }


def test_an_overlap_names_the_kind_in_the_users_language(api, ledgers) -> None:
    ok(activate(english(api("district")), STREET, title=""), 201)
    answer = activate(english(api("district")), GRID_A, "cold_wave")
    assert answer.status_code == 409
    body = answer.json()
    # The area's name and the stored default title are data: Chinese.
    assert "is in a “Typhoon” emergency (台风应急响应), which overlaps this area" in body["message"]
    assert body["fields"]["region_code"] == [body["message"]]
    assert "正处于" not in body["message"] and "应急状态" not in body["message"]
    answer = activate(api("district"), GRID_A, "cold_wave")
    assert "正处于台风应急状态（台风应急响应）" in answer.json()["message"]


def test_outcomes_are_refused_in_the_users_language(api, login, ledgers) -> None:
    emergency_id = ok(activate(api("street"), STREET), 201)["id"]
    worker = api("worker_a")
    enterprise = next(
        t for t in all_tasks(worker, emergency_id) if t["target"]["kind"] == "enterprise"
    )
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    answer = tap(english(api("worker_a")), enterprise["id"], "transferred", at=future)
    assert answer.json()["fields"] == {
        "outcome": ["This task has no such outcome"],
        "at": ["The time cannot be later than now"],
    }
    no_cjk(answer.json())
    answer = tap(worker, enterprise["id"], "transferred", at=future)
    assert answer.json()["fields"] == {
        "outcome": ["该任务没有这种结果"],
        "at": ["时间不能晚于现在"],
    }
    # The page's one-tap form: the refusal in a flash message.
    task = Task.objects.get(pk=enterprise["id"])
    body = {"request_id": str(uuid.uuid4()), "task_id": task.pk, "outcome": "x", "note": ""}
    page = english(login("worker_a")).post("/emergency/outcome/", body, follow=True)
    text = page.content.decode()
    assert "This task has no such outcome" in text and "该任务没有这种结果" not in text

    ok(post(api("street"), f"/api/v1/emergency/emergencies/{emergency_id}/deactivate"))
    answer = tap(english(api("worker_a")), enterprise["id"], "notified")
    assert answer.status_code == 409
    assert answer.json()["message"] == (
        "This emergency has been lifted and its tasks archived: no more outcomes can be recorded"
    )
    again = post(english(api("street")), f"/api/v1/emergency/emergencies/{emergency_id}/deactivate")
    assert again.json()["message"] == "This emergency has already been lifted"
    again = post(api("street"), f"/api/v1/emergency/emergencies/{emergency_id}/deactivate")
    assert again.json()["message"] == "该应急状态已解除"
