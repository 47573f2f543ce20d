"""Refusals of safety inspections in the user's language: English when chosen, Chinese by
default; what is stored (hazards, the events they become) stays Chinese."""

from __future__ import annotations

from typing import Any

from django.test import Client

from wangge.events.models import Event
from wangge.inspections.models import Hazard
from wangge.testing import english, no_cjk

from .conftest import ENTERPRISE_A, gas_answers, ok, post, rid


def bad_inspection(client: Client, enterprise: int) -> Any:
    answers = gas_answers(client, hose=2.0)
    hose_id = next(a["item"] for a in answers if "value" in a)
    other_id = answers[0]["item"]
    answers = [a for a in answers if a["item"] != hose_id]
    answers[0] = {"item": other_id, "outcome": "fail", "deadline": "2000-01-01"}
    answers += [{"item": 999998, "outcome": "pass"}, {"item": 999999, "outcome": "pass"}]
    body = {"checklist": "rental-fire", "enterprise_id": enterprise, "answers": answers}
    return post(client, "/api/v1/inspections", body), hose_id, other_id


def test_the_same_bad_inspection_answers_in_the_users_language(api, samples) -> None:
    enterprise = samples.enterprises[ENTERPRISE_A]
    r, _hose, _other = bad_inspection(english(api("worker_a")), enterprise)
    assert r.status_code == 422
    body = r.json()
    assert body["message"] == "Invalid input: please check the fields"
    assert body["fields"]["checklist"] == ["This checklist is for: Buildings (rentals)"]
    [unknown] = body["fields"]["answers"]
    assert unknown.startswith("The checklist has no such items: ")
    assert unknown.endswith(", 999998, 999999")
    no_cjk(body)

    r, _hose, _other = bad_inspection(api("worker_a"), enterprise)
    body = r.json()
    assert body["message"] == "输入有误，请检查各字段"
    assert body["fields"]["checklist"] == ["该检查表用于房屋（出租屋）"]
    [unknown] = body["fields"]["answers"]
    assert unknown.startswith("检查表中没有这些检查项：") and unknown.endswith("、999998、999999")

    # Item by item, on the right checklist.
    answers = gas_answers(api("worker_a"), hose=2.0)
    hose_id = next(a["item"] for a in answers if "value" in a)
    body = {
        "checklist": "restaurant-gas",
        "enterprise_id": enterprise,
        "answers": [a for a in answers if a["item"] != hose_id],
    }
    r = post(english(api("worker_a")), "/api/v1/inspections", body)
    assert r.json()["fields"] == {f"answers.{hose_id}": ["Please enter the result"]}
    r = post(api("worker_a"), "/api/v1/inspections", body)
    assert r.json()["fields"] == {f"answers.{hose_id}": ["请填写检查结果"]}


def test_a_closed_hazard_refuses_in_english_and_the_event_stays_chinese(
    api, hazard_in_a, login
) -> None:
    url = f"/api/v1/inspections/hazards/{hazard_in_a['id']}/reinspections"
    worker = english(api("worker_a"))
    done = ok(post(worker, url, {"value": 2.5, "note": "仍未更换软管", "request_id": rid()}), 201)
    assert done["hazard"]["state"] == "escalated"
    # What the English-mode worker's re-inspection stored is Chinese for everybody.
    event = Event.objects.get(pk=done["hazard"]["event"]["id"])
    assert "复查不合格：复查实测 2.5 m，仍未更换软管" in event.description
    assert "实测 2.5 m" in Hazard.objects.get().description

    late = post(worker, url, {"passed": True, "request_id": rid()})
    assert late.status_code == 409
    assert (
        late.json()["message"] == "The hazard is “Turned into an event”: it cannot be re-inspected"
    )
    no_cjk(late.json())
    late = post(api("worker_a"), url, {"passed": True, "request_id": rid()})
    assert late.json()["message"] == "该隐患当前状态为「已转事件」，不能复查"

    # The page's form says the same in English.
    client = english(login("community"))
    page = client.post(f"/inspections/hazards/{hazard_in_a['id']}/change/", {"reason": "x"})
    assert page.status_code == 409
    text = page.content.decode()
    assert "The hazard is “Turned into an event”: it cannot be changed" in text
    assert "不能修改" not in text


def test_the_change_form_names_the_missing_reason_in_english(login, hazard_in_a) -> None:
    url = f"/inspections/hazards/{hazard_in_a['id']}/change/"
    refused = login("worker_a").post(url, {})
    assert refused.status_code == 422 and "请说明修改原因" in refused.content.decode()
    refused = english(login("worker_a")).post(url, {})
    text = refused.content.decode()
    assert refused.status_code == 422 and "Please give the reason for the change" in text
    assert "请说明修改原因" not in text
