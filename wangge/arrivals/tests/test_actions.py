"""The actions and helpers beneath the pages: races, token buckets, the worklist, the demo."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import RequestFactory
from django.utils import timezone

from wangge.arrivals import actions, conf, guard
from wangge.arrivals.demo import seed_demo
from wangge.arrivals.models import ArrivalGroup, ArrivalReport, FollowUp
from wangge.arrivals.worklist import work_items
from wangge.testing import GRID_A, sample_people

from .conftest import UNIT_A


def report(**overrides):
    fields = {
        "actor": None,
        "name": "林小雨",
        "phone": "13912345678",
        "unit_code": UNIT_A,
        "address": "礼华街8号",
        "arrival_at": timezone.now() - timedelta(hours=2),
        "origin": "广州市",
        "travel_mode": "train",
    }
    fields.update(overrides)
    return actions.do_report_arrival(**fields)


def test_it_answers_a_racing_duplicate_with_the_stored_report(world):
    arrived = timezone.now() - timedelta(hours=2)
    first = report(request_id="race-0000-1111", arrival_at=arrived)
    real = actions._replayed
    calls = []

    def missed_once(request_id, fingerprint):
        calls.append(request_id)
        # The first look finds nothing: the other request had not committed yet.
        return None if len(calls) == 1 else real(request_id, fingerprint)

    with mock.patch.object(actions, "_replayed", side_effect=missed_once):
        second = report(request_id="race-0000-1111", arrival_at=arrived)
    assert len(calls) == 2
    assert second.created is False
    assert second.report.pk == first.report.pk
    assert ArrivalReport.objects.count() == 1 and FollowUp.objects.count() == 1


def test_it_refuses_a_bad_request_id(world):
    with pytest.raises(actions.ArrivalError) as refused:
        report(request_id="a b")
    assert refused.value.fields == {"request_id": "请求编号格式不正确"}


def test_it_parses_rates():
    assert conf.parse_rate("30/h") == conf.Rate(30, 3600)
    assert conf.parse_rate("5/10m") == conf.Rate(5, 600)
    assert conf.parse_rate(" 100 / d ") == conf.Rate(100, 86400)
    with pytest.raises(ValueError, match="not a rate"):
        conf.parse_rate("lots")


def test_it_refills_a_bucket_over_time(db):
    rate = conf.Rate(capacity=2, seconds=60)  # one token every 30 seconds
    start = 1_000_000.0
    guard.take("test", "k", rate, now=start)
    guard.take("test", "k", rate, now=start)
    with pytest.raises(guard.Throttled) as throttled:
        guard.take("test", "k", rate, now=start + 10)
    assert throttled.value.retry_after == 20
    guard.take("test", "k", rate, now=start + 31)  # refilled one
    with pytest.raises(guard.Throttled):
        guard.take("test", "k", rate, now=start + 32)
    guard.take("test", "other", rate, now=start + 32)  # another key has its own bucket


def test_it_refuses_everything_with_a_zero_rate(db):
    with pytest.raises(guard.Throttled) as throttled:
        guard.take("test", "z", conf.Rate(capacity=0, seconds=60), now=1.0)
    assert throttled.value.retry_after == 60


def test_it_keeps_no_clear_value_in_cache_keys():
    assert "13912345678" not in guard._key("phone", "13912345678")


def test_it_finds_the_client_address_behind_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    assert guard.client_ip(request) == "10.0.0.1"  # no proxy trusted: the header may be forged
    settings.ARRIVALS_PROXY_COUNT = 1
    assert guard.client_ip(request) == "203.0.113.9"
    settings.ARRIVALS_PROXY_COUNT = 2
    assert guard.client_ip(request) == "1.2.3.4"
    settings.ARRIVALS_PROXY_COUNT = 3
    assert guard.client_ip(request) == "10.0.0.1"


def test_it_lists_open_follow_ups_on_the_workers_list(world):
    now = timezone.now()
    due_soon = report(name="刚到", arrival_at=now - timedelta(hours=1)).report
    overdue = report(name="早到", phone="13900000000", arrival_at=now - timedelta(hours=30)).report
    FollowUp.objects.filter(report=overdue).update(due_at=now - timedelta(hours=2))
    items = work_items(world["worker_a"], now=now)
    assert {i.title.split("：")[-1].split(": ")[-1] for i in items} == {"刚到", "早到"}
    by_url = {i.url: i for i in items}
    late = by_url[f"/arrivals/reports/{overdue.pk}/"]
    assert late.overdue is True and late.region_code == UNIT_A
    assert by_url[f"/arrivals/reports/{due_soon.pk}/"].overdue is False
    assert work_items(world["worker_b"], now=now) == []
    assert work_items(world["admin"], now=now) == []  # global roles get no to-do list
    assert work_items(world["street"], now=now) == []  # command centres do not follow up
    assert len(work_items(world["community"], now=now)) == 2
    actions.do_complete_follow_up(due_soon.follow_up, actor=world["worker_a"], outcome="contacted")
    assert [i.url for i in work_items(world["worker_a"], now=now)] == [
        f"/arrivals/reports/{overdue.pk}/"
    ]


def test_it_seeds_demo_reports_once(world):
    sample_people(world)
    summary = seed_demo("440704")
    reports = ArrivalReport.objects.filter(district_code="440704")
    assert reports.count() == 7
    assert reports.filter(is_late=True).count() == 1
    assert reports.filter(person__isnull=False).count() == 1
    assert ArrivalGroup.objects.filter(district_code="440704").count() == 1
    assert FollowUp.objects.filter(status="open").count() == 7
    assert "7 份" in summary and "逾期 1 份" in summary
    assert seed_demo("440704") == "离返报备：440704 已有演示数据"
    assert ArrivalReport.objects.count() == 7
    assert all(r.region_code.startswith(GRID_A[:6]) for r in reports)
