"""Arrival reports answer in the reporter's or the user's language: English when chosen, Chinese
by default (the same bad input answers in both)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from wangge.arrivals.models import ArrivalReport
from wangge.testing import english, make_id_number, no_cjk

from .conftest import UNIT_A, body, iso, ok, post, token

URL = "/api/v1/arrivals"


def test_the_same_bad_report_answers_in_the_reporters_language(world) -> None:
    bad = body(
        name="",
        arrival_at=iso(timezone.now() - timedelta(days=60)),
        origin="",
        origin_code="12345",
    )
    data = ok(post(english(), URL, bad), 422)
    assert data["message"] == "Invalid input: please check the fields"
    assert data["fields"] == {
        "name": ["Please enter the name"],
        "arrival_at": ["The arrival cannot be more than 30 days ago"],
        "origin": ["Please say where you come from"],
        "origin_code": ["The origin's administrative code has 6 digits (e.g. 440100)"],
    }
    no_cjk(data)
    data = ok(post(Client(), URL, {**bad, "request_id": str(uuid.uuid4())}), 422)
    assert data == {
        "code": "invalid",
        "message": "输入有误，请检查各字段",
        "fields": {
            "name": ["请填写姓名"],
            "arrival_at": ["到达时间不能早于 30 天前"],
            "origin": ["请填写从哪里来"],
            "origin_code": ["来源地行政区划代码应为 6 位数字（如 440100）"],
        },
    }
    assert not ArrivalReport.objects.exists()


def test_the_form_guard_and_the_receipt_speak_english(world) -> None:
    data = ok(post(english(), URL, body(form_token=token(seconds_ago=1))), 422)
    assert data["fields"] == {
        "form_token": ["Sent too fast: please check what you entered, then send it"]
    }
    no_cjk(data)
    data = ok(post(Client(), URL, body(form_token=token(seconds_ago=1))), 422)
    assert data["fields"] == {"form_token": ["提交过快，请确认填写的内容后再提交"]}

    late = iso(timezone.now() - timedelta(hours=13))
    receipt = ok(post(english(), URL, body(arrival_at=late)), 201)
    assert receipt["message"] == (
        "Reported. You reported more than 12 hours after arriving, so it counts as a late "
        "report; a grid worker will contact you soon."
    )
    receipt = ok(post(Client(), URL, body(arrival_at=late, phone="13912345670")), 201)
    assert receipt["message"].startswith("报备成功。您在到达 12 小时后才报备")


def test_group_rows_are_named_in_the_users_language(world) -> None:
    group_body = {
        "request_id": str(uuid.uuid4()),
        "form_token": token(),
        "name": "某电子厂返岗员工",
        "organiser_name": "赵经理",
        "organiser_phone": "13631880012",
        "district_code": "440704",
    }
    group = ok(post(Client(), f"{URL}/groups", group_body), 201)
    number = make_id_number("110101", "19900101", "001")
    people = [
        {"name": "员工1", "id_number": number, "phone": ""},
        {"name": "员工2", "id_number": number, "phone": ""},
        {"name": "", "id_number": "", "phone": ""},
        {"name": "无证件", "id_number": "", "phone": ""},
    ]

    def report() -> dict[str, Any]:
        return {
            "request_id": str(uuid.uuid4()),
            "form_token": token(),
            "unit_code": UNIT_A,
            "address": "工业园宿舍3栋",
            "arrival_at": iso(timezone.now() - timedelta(hours=1)),
            "origin": "江西省赣州市",
            "travel_mode": "coach",
            "rows": people,
        }

    url = f"{URL}/groups/{group['code']}/reports"
    data = ok(post(english(), url, report()), 422)
    assert data["fields"] == {
        "rows.1.id_number": ["The same ID number as on row 1"],
        "rows.3.id_number": ["Please enter an ID number or a mobile number (at least one)"],
    }
    no_cjk(data)
    data = ok(post(Client(), url, report()), 422)
    assert data["fields"] == {
        "rows.1.id_number": ["与第 1 行的身份证号重复"],
        "rows.3.id_number": ["请填写身份证号或手机号码（至少一项）"],
    }


def test_staff_refusals_in_english(api, world) -> None:
    receipt = ok(post(Client(), URL, body()), 201)
    report = ArrivalReport.objects.get(number=receipt["number"])
    path = f"{URL}/{report.pk}/unmask"
    data = ok(post(english(api("community")), path, {"field": "phone", "reason": "x"}), 422)
    assert data["fields"] == {
        "reason": ["Please give the reason for looking (at least 2 characters)"]
    }
    no_cjk(data)
    data = ok(post(api("community"), path, {"field": "phone", "reason": "x"}), 422)
    assert data["fields"] == {"reason": ["请填写查看原因（至少 2 个字）"]}
    data = ok(english(api("district")).get(f"{URL}?under=4407040011"), 422)
    assert data["fields"] == {"under": ["Not a valid region code"]}
