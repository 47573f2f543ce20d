"""The public arrival report through the API: lateness, follow-ups, idempotency, abuse checks."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from wangge.arrivals.models import ArrivalReport, FollowUp
from wangge.arrivals.worklist import work_items
from wangge.audit.models import AuditEntry
from wangge.testing import GRID_A, GRID_B, POINT_A, POINT_OUTSIDE, SAMPLE_PEOPLE, sample_people

from .conftest import UNIT_A, body, iso, ok, post, token

URL = "/api/v1/arrivals"


def stored() -> tuple[int, int, int]:
    return (
        ArrivalReport.objects.count(),
        FollowUp.objects.count(),
        AuditEntry.objects.filter(action__startswith="arrivals.").count(),
    )


def test_it_flags_a_report_13_hours_late_and_gives_the_destination_worker_a_task(api, world):
    arrived = timezone.now() - timedelta(hours=13)
    receipt = ok(post(Client(), URL, body(arrival_at=iso(arrived))), 201)
    assert receipt["created"] is True
    assert receipt["late"] is True
    assert receipt["destination"] == "东街道 东社区 东一网格 第1单元"
    assert "逾期报备" in receipt["message"]
    assert re.fullmatch(r"LF\d{6}[0-9A-Z]{5}", receipt["number"])

    report = ArrivalReport.objects.get(number=receipt["number"])
    assert report.is_late
    assert report.region_code == UNIT_A
    assert report.district_code == "440704"
    follow_up = FollowUp.objects.get(report=report)
    assert follow_up.status == "open"
    assert follow_up.region_code == UNIT_A
    # Reported after arriving: due a day after the report.
    assert follow_up.due_at == report.reported_at + timedelta(hours=24)

    tasks = ok(api("worker_a").get(f"{URL}/tasks"))["items"]
    assert [t["report"]["number"] for t in tasks] == [receipt["number"]]
    assert tasks[0]["can_complete"] is True
    assert tasks[0]["report"]["late"] is True
    assert ok(api("worker_b").get(f"{URL}/tasks"))["items"] == []
    assert ok(api("worker_a2").get(f"{URL}/tasks"))["items"] == []

    items = work_items(world["worker_a"], now=timezone.now())
    assert [i.kind for i in items] == ["arrival"]
    assert "林小雨" in items[0].title
    assert items[0].url == f"/arrivals/reports/{report.pk}/"
    assert work_items(world["worker_b"], now=timezone.now()) == []

    entry = AuditEntry.objects.get(action="arrivals.report")
    assert entry.region_code == UNIT_A
    assert entry.after["late"] is True


@pytest.mark.parametrize(
    ("hours_ago", "late"),
    [(11, False), (11.9, False), (12.1, True), (-30, False)],
)
def test_it_flags_late_only_after_12_hours(world, hours_ago, late):
    arrived = timezone.now() - timedelta(hours=hours_ago)
    receipt = ok(post(Client(), URL, body(arrival_at=iso(arrived))), 201)
    assert receipt["late"] is late
    report = ArrivalReport.objects.get(number=receipt["number"])
    if hours_ago < 0:  # reported in advance: due a day after arriving
        assert report.follow_up.due_at == report.arrival_at + timedelta(hours=24)


def test_it_takes_the_late_threshold_from_the_settings(world, settings):
    settings.ARRIVALS_LATE_HOURS = 2
    arrived = timezone.now() - timedelta(hours=3)
    assert ok(post(Client(), URL, body(arrival_at=iso(arrived))), 201)["late"] is True


def test_it_reads_a_time_without_offset_as_local_time(world):
    local = timezone.localtime(timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    receipt = ok(post(Client(), URL, body(arrival_at=local.strftime("%Y-%m-%d %H:%M"))), 201)
    assert ArrivalReport.objects.get(number=receipt["number"]).arrival_at == local


def test_it_stores_a_resend_once(world):
    client = Client()
    data = body()
    first = ok(post(client, URL, data), 201)
    again = ok(post(client, URL, data), 200)
    assert again["created"] is False
    assert again["number"] == first["number"]
    assert stored() == (1, 1, 1)
    # A resend after the form token went stale (a phone offline for a day) is still fine.
    again = ok(post(client, URL, {**data, "form_token": "stale"}), 200)
    assert again["number"] == first["number"]


def test_it_refuses_the_same_request_id_for_other_content(world):
    data = body()
    ok(post(Client(), URL, data), 201)
    response = post(Client(), URL, {**data, "name": "别人"})
    assert response.status_code == 409
    assert response.json()["fields"] == {"request_id": ["请求编号已被使用"]}
    assert stored() == (1, 1, 1)


def test_it_answers_429_after_the_limit_per_address(world, settings):
    settings.ARRIVALS_IP_RATE = "3/h"
    client = Client()
    for i in range(3):
        ok(post(client, URL, body(phone=f"1391234567{i}")), 201)
    response = post(client, URL, body(phone="13912345679"))
    assert response.status_code == 429
    assert response.json() == {
        "code": "rate_limited",
        "message": "提交过于频繁，请 20 分钟后再试",
        "fields": {},
    }
    assert 1150 <= int(response["Retry-After"]) <= 1200
    assert ArrivalReport.objects.count() == 3
    # Another address is not affected.
    ok(post(client, URL, body(phone="13912345679"), REMOTE_ADDR="10.1.2.3"), 201)


def test_it_limits_reports_per_phone(world, settings):
    settings.ARRIVALS_PHONE_RATE = "2/h"
    for _ in range(2):
        ok(post(Client(), URL, body(phone="13900001111")), 201)
    response = post(Client(), URL, body(phone="139-0000-1111"), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert response["Retry-After"]
    assert ArrivalReport.objects.count() == 2
    ok(post(Client(), URL, body(phone="13900002222")), 201)


def test_it_explains_bad_input_field_by_field_and_stores_nothing(world):
    response = post(
        Client(),
        URL,
        body(
            name="  ",
            id_number="440704199001011231",
            phone="12345",
            unit_code="440704009009009009",
            address="",
            arrival_at=iso(timezone.now() + timedelta(days=9)),
            origin="",
            origin_code="4401",
        ),
    )
    assert response.status_code == 422, response.content
    fields = response.json()["fields"]
    assert fields == {
        "name": ["请填写姓名"],
        "id_number": ["身份证号校验位不正确，请核对"],
        "phone": ["电话号码格式不正确：手机号为 11 位（1 开头），固话需带区号（如 0750-1234567）"],
        "unit_code": ["请选择有效的目的地（最小单元）"],
        "address": ["请填写详细地址（如 某路 8 号 302 房）"],
        "arrival_at": ["到达时间太远：最多可提前 7 天报备"],
        "origin": ["请填写从哪里来"],
        "origin_code": ["来源地行政区划代码应为 6 位数字（如 440100）"],
    }
    assert stored() == (0, 0, 0)


def test_it_refuses_arrivals_long_past_and_unreadable_times(world):
    long_ago = post(Client(), URL, body(arrival_at=iso(timezone.now() - timedelta(days=31))))
    assert long_ago.json()["fields"] == {"arrival_at": ["到达时间不能早于 30 天前"]}
    garbage = post(Client(), URL, body(arrival_at="明天下午"))
    assert garbage.json()["fields"] == {"arrival_at": ["到达时间格式不正确（如 2026-01-31 14:30）"]}
    assert stored() == (0, 0, 0)


def test_it_limits_the_size_of_every_field(world):
    too_long = {
        "name": "名" * 51,
        "phone": "1" * 33,
        "id_number": "1" * 33,
        "address": "址" * 201,
        "origin": "源" * 101,
        "origin_code": "4401000",
        "note": "注" * 501,
        "unit_code": "4" * 19,
        "website": "x" * 201,
        "form_token": "t" * 301,
        "request_id": "r" * 65,
        "arrival_at": "2" * 41,
    }
    response = post(Client(), URL, body(**too_long))
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == set(too_long)
    assert fields["name"] == ["太长"]
    assert stored() == (0, 0, 0)


def test_it_refuses_a_filled_honeypot(world):
    response = post(Client(), URL, body(website="http://spam.example"))
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "提交未被接受，请刷新页面后重试",
        "fields": {},
    }
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize(
    ("form_token", "message"),
    [
        ("", "页面已过期，请刷新页面后重新填写"),
        ("forged:token:value", "页面已过期，请刷新页面后重新填写"),
        (None, "提交过快，请确认填写的内容后再提交"),
    ],
)
def test_it_refuses_forms_without_a_valid_token_or_sent_too_fast(world, form_token, message):
    value = token(seconds_ago=1) if form_token is None else form_token
    response = post(Client(), URL, body(form_token=value))
    assert response.status_code == 422
    assert response.json()["fields"] == {"form_token": [message]}
    assert stored() == (0, 0, 0)


def test_it_refuses_a_form_served_too_long_ago(world):
    response = post(Client(), URL, body(form_token=token(seconds_ago=2 * 86400)))
    assert response.json()["fields"] == {"form_token": ["页面已过期，请刷新页面后重新填写"]}


def test_it_serves_form_tokens_to_anybody(world):
    data = ok(Client().get(f"{URL}/form-token"))
    assert data["min_seconds"] == 3
    response = post(Client(), URL, body(form_token=data["token"]))  # sent back at once
    assert response.json()["fields"] == {"form_token": ["提交过快，请确认填写的内容后再提交"]}


def test_it_locates_the_destination_from_a_map_point(world):
    receipt = ok(post(Client(), URL, body(unit_code="", lng=POINT_A[0], lat=POINT_A[1])), 201)
    report = ArrivalReport.objects.get(number=receipt["number"])
    assert report.region_code == UNIT_A
    assert (report.lng, report.lat) == POINT_A
    outside = post(Client(), URL, body(unit_code="", lng=POINT_OUTSIDE[0], lat=POINT_OUTSIDE[1]))
    assert outside.json()["fields"] == {
        "lng": ["该位置不在本平台的网格范围内，请在列表中选择目的地"]
    }
    nowhere = post(Client(), URL, body(unit_code=""))
    assert nowhere.json()["fields"] == {
        "unit_code": ["请选择目的地（街道、社区、最小单元），或在地图上选点"]
    }


def test_it_accepts_a_report_without_id_number(world):
    receipt = ok(post(Client(), URL, body(id_number="")), 201)
    report = ArrivalReport.objects.get(number=receipt["number"])
    assert report.id_number == "" and report.person is None


def test_it_links_a_report_to_the_registered_person_of_the_district(api, world):
    people = sample_people(world)
    resident_a = SAMPLE_PEOPLE["a"][2]
    resident_b = SAMPLE_PEOPLE["b"][2]  # lives in grid B, same district
    resident_other = SAMPLE_PEOPLE["other"][2]  # lives in the other district
    numbers = {}
    for key, id_number in (("a", resident_a), ("b", resident_b), ("other", resident_other)):
        receipt = ok(
            post(Client(), URL, body(id_number=id_number, phone=f"1380000100{len(numbers)}")), 201
        )
        numbers[key] = receipt["number"]
    linked = {r.number: r.person_id for r in ArrivalReport.objects.all()}
    assert linked[numbers["a"]] == people.people["a"]
    assert linked[numbers["b"]] == people.people["b"]  # matched within the district
    assert linked[numbers["other"]] is None  # not outside it

    # The worker of grid A sees the link to their own resident only: a link to somebody of
    # grid B would tell that the number is registered there.
    rows = {r["number"]: r for r in ok(api("worker_a").get(URL))["items"]}
    assert rows[numbers["a"]]["person"] == {"id": people.people["a"], "name": "样例甲"}
    assert rows[numbers["b"]]["person"] is None
    unlinked = {r["number"] for r in ok(api("worker_a").get(f"{URL}?unlinked=true"))["items"]}
    assert unlinked == {numbers["b"], numbers["other"]}
    # The district's command centre sees the people of the whole district.
    rows = {r["number"]: r for r in ok(api("district").get(URL))["items"]}
    assert rows[numbers["b"]]["person"] == {"id": people.people["b"], "name": "样例丁"}


def test_it_stores_identifiers_encrypted(world):
    ok(post(Client(), URL, body(id_number=SAMPLE_PEOPLE["a"][2], phone="13911112222")), 201)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM arrivals_arrivalreport")
        raw = repr(cursor.fetchall())
    assert SAMPLE_PEOPLE["a"][2] not in raw
    assert "13911112222" not in raw
    assert "林小雨" in raw


def test_it_shows_nothing_stored_without_login(world):
    receipt = ok(post(Client(), URL, body()), 201)
    report = ArrivalReport.objects.get(number=receipt["number"])
    assert set(receipt) == {
        "number",
        "created",
        "destination",
        "arrival_at",
        "reported_at",
        "late",
        "message",
    }
    assert GRID_A not in str(receipt)
    anonymous = Client()
    for path in (URL, f"{URL}/{report.pk}", f"{URL}/tasks"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert "林小雨" not in response.content.decode()
    for path in (f"{URL}/{report.pk}/unmask", f"{URL}/tasks/{report.follow_up.pk}/done"):
        assert post(anonymous, path, {"field": "phone", "reason": "看看"}).status_code == 401


def test_it_reports_to_any_district_of_the_installation(world):
    receipt = ok(post(Client(), URL, body(unit_code=GRID_B + "002")), 201)
    assert receipt["destination"] == "西镇 西村 西一网格 第2单元"
