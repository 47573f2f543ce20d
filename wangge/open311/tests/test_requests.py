"""GET requests and GET requests/{id}: filters, statuses, privacy and jurisdiction scoping."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from wangge.events import actions as ev
from wangge.events.models import Event
from wangge.open311 import params
from wangge.testing import POINT_A, POINT_B, POINT_OTHER

from .conftest import J_OTHER, J, codes, data, get, submit, xml

CONTACT = {
    "email": "chen.jing@example.cn",
    "first_name": "静",
    "last_name": "陈",
    "phone": "13812345678",
    "account_id": "acct-778899",
    "device_id": "device-abc-123",
}
PRIVATE_BITS = (
    "13812345678",
    "1381234",
    "5678",
    "chen.jing",
    "example.cn",
    "acct-778899",
    "device-abc-123",
    "13900001111",
    "worker_a",
    "张伟",
    "open311-",
    "reporter",
    "contact",
    "email",
    "phone",
)


def report(keys, category="0101", point=POINT_A, *, actor="worker_a", **extra):
    user = keys.world[actor] if actor else None
    return ev.do_report_event(
        actor=user,
        category=category,
        description=extra.pop("description", "路口有几袋垃圾"),
        lng=point[0],
        lat=point[1],
        reporter_contact=extra.pop("reporter_contact", "13900001111"),
        **extra,
    ).event


def numbers(response) -> list[str]:
    return [r["service_request_id"] for r in data(response)]


def test_requests_list_the_districts_events_newest_first(keys):
    first = report(keys, address="人民路 12 号")
    second = report(keys, "0601", POINT_B, actor="worker_b")
    other = report(keys, "0101", POINT_OTHER, actor=None)
    assert numbers(get("requests", jurisdiction_id=J)) == [second.number, first.number]
    assert numbers(get("requests", jurisdiction_id=J_OTHER)) == [other.number]
    item = data(get("requests", jurisdiction_id=J))[1]
    assert item == {
        "service_request_id": first.number,
        "status": "open",
        "status_notes": "已上报",
        "service_name": "暴露垃圾",
        "service_code": "0101",
        "description": "路口有几袋垃圾",
        "agency_responsible": None,
        "service_notice": "1工作小时内受理，4工作小时内处置；办结标准：垃圾清运干净，现场整洁",
        "requested_datetime": timezone.localtime(first.reported_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(first.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": None,
        "address": "人民路 12 号, 东一网格, 东社区, 东街道, 测试区",
        "address_id": None,
        "zipcode": None,
        "lat": 22.05,
        "long": 113.02,
        "media_url": None,
    }
    assert item["requested_datetime"].endswith("+08:00")


def test_answers_stay_chinese_for_a_caller_with_the_english_cookie(keys):
    """Open311 callers are other systems: the answers are in the installation's language."""
    from django.test import Client

    from .conftest import BASE

    event = report(keys)
    client = Client()
    client.cookies["django_language"] = "en"
    answer = client.get(f"{BASE}/requests/{event.number}.json", {"jurisdiction_id": J}).json()
    assert answer[0]["status_notes"] == "已上报"


def test_requests_in_xml(keys):
    event = report(keys)
    (answer,) = data(submit(keys.raw, media_url="https://img.example.cn/1.jpg"), 201)
    root = xml(get("requests", "xml", jurisdiction_id=J))
    assert root.tag == "service_requests"
    items = root.findall("request")
    assert [r.findtext("service_request_id") for r in items] == [
        answer["service_request_id"],
        event.number,
    ]
    assert [c.tag for c in items[0]] == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]
    assert items[0].findtext("media_url") == "https://img.example.cn/1.jpg"
    assert items[1].find("media_url").text is None
    assert items[1].findtext("status") == "open"
    assert float(items[1].findtext("lat")) == 22.05


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_by_its_number(keys, fmt):
    event = report(keys)
    response = get(f"requests/{event.number}", fmt, jurisdiction_id=J)
    if fmt == "json":
        (item,) = data(response)
        assert item["service_request_id"] == event.number
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        assert [r.findtext("service_request_id") for r in root.findall("request")] == [event.number]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_foreign_request_is_not_found(keys, fmt):
    other = report(keys, "0101", POINT_OTHER, actor=None)
    assert codes(get("requests/4407040000000000000", fmt, jurisdiction_id=J), 404) == {
        "service_request_id_not_found"
    }
    assert codes(get(f"requests/{other.number}", fmt, jurisdiction_id=J), 404) == {
        "service_request_id_not_found"
    }
    assert data(get(f"requests/{other.number}", jurisdiction_id=J_OTHER))


# --- status mapping --------------------------------------------------------------------------


def test_statuses_map_from_the_life_cycle(keys):
    w = keys.world
    reported = report(keys)
    rejected = report(keys)
    ev.do_reject_event(rejected, actor=w["street"], reason="重复上报，已有同一位置的工单")
    self_handled = report(keys)
    ev.do_self_handle_event(self_handled, actor=w["worker_a"], note="已清理干净")
    dispatched = report(keys, "0601")
    ev.do_register_event(dispatched, actor=w["street"])
    ev.do_dispatch_event(dispatched, actor=w["street"], department=w.departments["sz"])
    ev.do_accept_event(dispatched, actor=w["dept_sz"])
    dispatched.refresh_from_db()
    by_number = {r["service_request_id"]: r for r in data(get("requests", jurisdiction_id=J))}

    assert by_number[reported.number]["status"] == "open"
    rej = by_number[rejected.number]
    assert rej["status"] == "closed"
    assert rej["status_notes"] == "不予立案：重复上报，已有同一位置的工单"
    done = by_number[self_handled.number]
    assert done["status"] == "closed" and done["status_notes"] == "已结案：已清理干净"
    self_handled.refresh_from_db()
    assert done["updated_datetime"] == params.format_datetime(self_handled.closed_at)
    handling = by_number[dispatched.number]
    assert handling["status"] == "open"
    assert handling["status_notes"] == "处置中"
    assert handling["agency_responsible"] == w.departments["sz"].name == "市政局"
    assert handling["expected_datetime"] == params.format_datetime(dispatched.handle_due)
    assert handling["expected_datetime"] is not None


def test_internal_notes_stay_internal(keys):
    w = keys.world
    event = report(keys, "0601")
    ev.do_register_event(event, actor=w["street"])
    ev.do_dispatch_event(event, actor=w["street"], department=w.departments["sz"])
    ev.do_send_back_event(event, actor=w["dept_sz"], reason="不归我们管，联系人王五 13700000000")
    (item,) = data(get(f"requests/{event.number}", jurisdiction_id=J))
    assert item["status_notes"] == "已退单"
    assert "王五" not in str(item) and "13700000000" not in str(item)


# --- filters -------------------------------------------------------------------------------------


def test_service_request_ids_override_the_other_filters(keys):
    a, b, c = report(keys), report(keys, "0601"), report(keys)
    Event.objects.filter(pk=a.pk).update(reported_at=timezone.now() - timedelta(days=200))
    found = numbers(
        get(
            "requests",
            jurisdiction_id=J,
            service_request_id=f"{a.number}, {b.number},nonsense",
            service_code="0999",
            status="closed",
        )
    )
    assert sorted(found) == sorted([a.number, b.number])
    assert c.number not in found
    # Declared several times works too.
    response = get("requests", jurisdiction_id=J, service_request_id=[a.number, c.number])
    assert sorted(numbers(response)) == sorted([a.number, c.number])


def test_filter_by_service_codes(keys):
    trash, manhole, lamp = report(keys, "0101"), report(keys, "0601"), report(keys, "0602")
    assert numbers(get("requests", jurisdiction_id=J, service_code="0601")) == [manhole.number]
    assert numbers(get("requests", jurisdiction_id=J, service_code="0601,0602")) == [
        lamp.number,
        manhole.number,
    ]
    assert trash.number in numbers(get("requests", jurisdiction_id=J))
    assert numbers(get("requests", jurisdiction_id=J, service_code="9999")) == []


def _at(event: Event, when: datetime) -> None:
    Event.objects.filter(pk=event.pk).update(reported_at=when)


def test_filter_by_dates_and_the_default_window_of_90_days(keys):
    now = timezone.now()
    recent, older, oldest = report(keys), report(keys), report(keys)
    _at(recent, now - timedelta(days=1))
    _at(older, now - timedelta(days=60))
    _at(oldest, now - timedelta(days=120))
    assert numbers(get("requests", jurisdiction_id=J)) == [recent.number, older.number]

    def between(**window: str) -> list[str]:
        return numbers(get("requests", jurisdiction_id=J, **window))

    iso = params.format_datetime
    assert between(
        start_date=iso(now - timedelta(days=130)), end_date=iso(now - timedelta(days=50))
    ) == [
        older.number,
        oldest.number,
    ]
    # Only a start: the 90 days after it; only an end: the 90 days before it.
    assert between(start_date=iso(now - timedelta(days=125))) == [older.number, oldest.number]
    assert between(end_date=iso(now - timedelta(days=100))) == [oldest.number]
    # UTC with Z, and a date alone (midnight in the server's time zone; an end date is inclusive).
    start_utc = (now - timedelta(days=2)).astimezone(timezone.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert between(start_date=start_utc) == [recent.number]
    day = timezone.localtime(now - timedelta(days=1)).date().isoformat()
    assert between(start_date=day, end_date=day) == [recent.number]


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ({"start_date": "yesterday"}, {"start_date_invalid"}),
        ({"start_date": "2026-07-01T00:00:00"}, {"start_date_invalid"}),  # no time zone
        ({"end_date": "2026-13-01T00:00:00Z"}, {"end_date_invalid"}),
        (
            {"start_date": "2026-07-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            {"date_range_invalid"},
        ),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            {"date_range_too_long"},
        ),
        ({"status": "pending"}, {"status_invalid"}),
        (
            {"status": "open,closed,done", "start_date": "x"},
            {"status_invalid", "start_date_invalid"},
        ),
    ],
)
def test_bad_filters_are_400s_in_json_and_xml(keys, window, expected):
    assert codes(get("requests", jurisdiction_id=J, **window), 400) == expected
    assert codes(get("requests", "xml", jurisdiction_id=J, **window), 400) == expected


def test_too_many_ids_is_a_400(keys):
    ids = ",".join(str(n) for n in range(params.MAX_IDS + 1))
    assert codes(get("requests", jurisdiction_id=J, service_request_id=ids), 400) == {
        "service_request_id_invalid"
    }


def test_filter_by_status(keys):
    w = keys.world
    open_one = report(keys)
    closed_one = report(keys)
    ev.do_self_handle_event(closed_one, actor=w["worker_a"], note="已清理")
    rejected = report(keys)
    ev.do_reject_event(rejected, actor=w["street"], reason="无效")
    assert numbers(get("requests", jurisdiction_id=J, status="open")) == [open_one.number]
    assert numbers(get("requests", jurisdiction_id=J, status="closed")) == [
        rejected.number,
        closed_one.number,
    ]
    assert len(numbers(get("requests", jurisdiction_id=J, status="open,closed"))) == 3
    assert len(numbers(get("requests", jurisdiction_id=J, status=["OPEN", "closed"]))) == 3


def test_at_most_the_limit_of_results_newest_first(keys, monkeypatch):
    monkeypatch.setattr(params, "MAX_RESULTS", 2)
    made = [report(keys) for _ in range(3)]
    assert numbers(get("requests", jurisdiction_id=J)) == [made[2].number, made[1].number]


# --- privacy and scoping ----------------------------------------------------------------------


def test_no_personal_data_in_any_public_answer(keys):
    report(keys, reporter_contact="13900001111")
    (answer,) = data(submit(keys.raw, **CONTACT), 201)
    token = answer["token"]
    number = answer["service_request_id"]
    bodies = []
    for fmt in ("json", "xml"):
        for path in ("requests", f"requests/{number}", f"tokens/{token}", "services"):
            response = get(path, fmt, jurisdiction_id=J)
            assert response.status_code == 200, path
            bodies.append(response.content.decode())
    for body in bodies:
        for bit in PRIVATE_BITS:
            assert bit not in body, (bit, body[:200])
    # The exact point is not published: coordinates are rounded (3 decimals by default).
    (item,) = data(get(f"requests/{number}", jurisdiction_id=J))
    assert (item["lat"], item["long"]) == (22.05, 113.02)


def test_coordinates_are_rounded(keys, settings):
    event = report(keys, point=(113.021789, 22.051234))
    (item,) = data(get(f"requests/{event.number}", jurisdiction_id=J))
    assert (item["lat"], item["long"]) == (22.051, 113.022)
    settings.OPEN311_COORDINATE_DECIMALS = 2
    (item,) = data(get(f"requests/{event.number}", jurisdiction_id=J))
    assert (item["lat"], item["long"]) == (22.05, 113.02)


def test_private_groups_are_never_listed(keys, settings):
    dispute = report(keys, "0701", description="楼上漏水，邻居不肯维修")
    suspect = report(keys, "0801", description="可疑人员")
    public = report(keys, "0101")
    assert numbers(get("requests", jurisdiction_id=J)) == [public.number]
    for event in (dispute, suspect):
        assert codes(get(f"requests/{event.number}", jurisdiction_id=J), 404) == {
            "service_request_id_not_found"
        }
        found = numbers(get("requests", jurisdiction_id=J, service_request_id=event.number))
        assert found == []
    settings.OPEN311_PRIVATE_GROUPS = "08"
    assert dispute.number in numbers(get("requests", jurisdiction_id=J))
    assert suspect.number not in numbers(get("requests", jurisdiction_id=J))


def test_another_districts_events_never_appear(keys):
    mine = report(keys)
    theirs = report(keys, "0101", POINT_OTHER, actor=None)
    (answer,) = data(
        submit(
            keys.other_raw,
            jurisdiction_id=J_OTHER,
            lat=str(POINT_OTHER[1]),
            long=str(POINT_OTHER[0]),
        ),
        201,
    )
    for fmt in ("json", "xml"):
        body = get("requests", fmt, jurisdiction_id=J).content.decode()
        assert mine.number in body
        assert theirs.number not in body and answer["service_request_id"] not in body
        body = get(
            "requests",
            fmt,
            jurisdiction_id=J,
            service_request_id=f"{theirs.number},{answer['service_request_id']}",
        ).content.decode()
        assert theirs.number not in body
    assert set(numbers(get("requests", jurisdiction_id=J_OTHER))) == {
        theirs.number,
        answer["service_request_id"],
    }


def test_characters_xml_cannot_carry_are_dropped_from_xml(keys):
    event = report(keys, description="垃圾\x0b堆放\x01在路口\n第二行")
    root = xml(get(f"requests/{event.number}", "xml", jurisdiction_id=J))
    assert root.findtext("request/description") == "垃圾堆放在路口\n第二行"
    (item,) = data(get(f"requests/{event.number}", jurisdiction_id=J))
    assert item["description"] == "垃圾\x0b堆放\x01在路口\n第二行"
