"""/api/v1/dashboards/…: the figures, scoped to the user's nodes, as /api/v1/stats/events says."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, World

from .conftest import Story, get, ok

BASE = "/api/v1/dashboards"
ENDPOINTS = ("figures", "summary", "trend", "ranking", "basedata")
STATS_KEYS = (
    "reported",
    "registered",
    "handled",
    "handled_on_time",
    "closed",
    "reworked",
    "overdue",
    "self_handled",
    "handling_rate",
    "on_time_rate",
    "closure_rate",
    "rework_rate",
    "self_handled_rate",
    "satisfaction_rate",
    "dispatched",
    "responded",
    "dept_response_rate",
    "return_visits",
    "three_rates",
    "avg_accept_hours",
    "avg_handle_hours",
    "by_state",
    "by_category",
    "by_source",
    "by_department",
)

#: Who opens which node by default; None: no dashboards at all (403).
DEFAULT_NODES: dict[str, str | None] = {
    "admin": "",
    "district": "440704",
    "street": "440704001",
    "street_b": "440704002",
    "community": "440704001001",
    "worker_a": GRID_A,
    "worker_a2": GRID_A2,
    "worker_b": GRID_B,
    "other_district": "440703",
    "part_time_a": None,
    "dept": None,
    "resident": None,
}


def days(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


@pytest.mark.parametrize("username", sorted(DEFAULT_NODES))
def test_each_role_gets_its_own_node_or_403(
    story: Story, api: Callable[[str], Client], username: str
) -> None:
    client = api(username)
    expected = DEFAULT_NODES[username]
    for endpoint in ENDPOINTS:
        response = get(client, f"{BASE}/{endpoint}")
        if expected is None:
            assert response.status_code == 403, (username, endpoint)
            assert response.json()["code"] == "forbidden"
        else:
            assert ok(response)["node"]["code"] == expected, (username, endpoint)
    nodes = get(client, f"{BASE}/nodes")
    if expected is None:
        assert nodes.status_code == 403
    else:
        assert [n["code"] for n in ok(nodes)] == [expected]


def test_anonymous_callers_get_401(story: Story) -> None:
    for endpoint in (*ENDPOINTS, "nodes"):
        assert Client().get(f"{BASE}/{endpoint}").status_code == 401


OUT_OF_SCOPE = {
    "street": ["440704002", GRID_B, "440704", "440703", GRID_OTHER],
    "street_b": ["440704001", GRID_A, "440704"],
    "community": ["440704001", GRID_B, "440704002001"],
    "worker_a": [GRID_A2, "440704001001", GRID_B],
    "other_district": ["440704", GRID_A],
    "district": ["440703", GRID_OTHER],
}


@pytest.mark.parametrize("username", sorted(OUT_OF_SCOPE))
def test_a_node_out_of_scope_answers_like_one_that_does_not_exist(
    story: Story, api: Callable[[str], Client], username: str
) -> None:
    client = api(username)
    missing = ok(get(client, f"{BASE}/summary", under="440704009009009"), 404)
    for code in OUT_OF_SCOPE[username]:
        for endpoint in ENDPOINTS:
            assert ok(get(client, f"{BASE}/{endpoint}", under=code), 404) == missing


def test_a_street_never_sees_another_streets_data(
    story: Story, api: Callable[[str], Client]
) -> None:
    client = api("street")
    answers = []
    for period in ("today", "7d", "30d", "month", "year"):
        for endpoint, extra in (
            ("figures", {}),
            ("summary", {}),
            ("trend", {"bucket": "day"}),
            ("ranking", {"of": "children"}),
            ("ranking", {"of": "departments"}),
            ("basedata", {}),
        ):
            answers.append(ok(get(client, f"{BASE}/{endpoint}", period=period, **extra)))
    text = json.dumps(answers, ensure_ascii=False)
    assert "440704002" not in text and "440703" not in text
    assert "西镇" not in text and "邻区" not in text
    summary = ok(get(client, f"{BASE}/summary", period="custom", since=days(60), until=days(0)))
    assert summary["reported"] == 3  # grid A twice, A2 once; not grid B's two
    ranking = ok(get(client, f"{BASE}/ranking", since=days(60), until=days(0)))
    assert [r["key"] for r in ranking["rows"]] == ["440704001001"]
    assert ranking["rows"][0]["reported"] == 3


@pytest.mark.parametrize(
    ("username", "node"),
    [
        ("admin", ""),
        ("admin", "440703"),
        ("district", "440704"),
        ("district", "440704002"),
        ("street", "440704001"),
        ("street", "440704001001"),
        ("community", GRID_A2),
        ("worker_a", GRID_A),
        ("worker_a", GRID_A + "001"),
    ],
)
@pytest.mark.parametrize(("since", "until"), [(60, 0), (2, 0), (3, 3), (45, 40)])
def test_the_summary_equals_the_event_figures(
    story: Story, api: Callable[[str], Client], username: str, node: str, since: int, until: int
) -> None:
    client = api(username)
    query = {"since": days(since), "until": days(until)}
    summary = ok(get(client, f"{BASE}/summary", under=node or None, **query))
    # The stats endpoint counts what the admin sees under the node: the same events.
    stats = ok(get(api("admin"), "/api/v1/stats/events", under=node or None, **query))
    assert {k: summary[k] for k in STATS_KEYS} == {k: stats[k] for k in STATS_KEYS}
    assert summary["period"] == {
        "key": "custom",
        "start": query["since"],
        "end": query["until"],
        "days": since - until + 1,
    }
    rows = summary["breakdowns"]["category"]
    assert {r["key"]: r["reported"] for r in rows} == stats["by_category"]
    # The figures alone: the summary without its breakdowns.
    figures = ok(get(client, f"{BASE}/figures", under=node or None, **query))
    assert figures == {
        k: v for k, v in summary.items() if k != "breakdowns" and not k.startswith("by_")
    }


def test_the_figures_of_the_story(story: Story, api: Callable[[str], Client]) -> None:
    street = ok(get(api("street"), f"{BASE}/summary", since=days(30), until=days(0)))
    assert (street["reported"], street["registered"], street["handled"], street["closed"]) == (
        3,
        3,
        2,
        2,
    )
    assert street["self_handled"] == 1 and street["dispatched"] == 2
    assert street["handling_rate"] == round(2 / 3, 4)
    assert street["three_rates"]["response_rate"] == 1.0
    assert street["by_source"] == {"grid_worker": 2, "resident": 1}
    sources = {r["key"]: r["label"] for r in street["breakdowns"]["source"]}
    assert sources == {"grid_worker": "网格员上报", "resident": "群众上报"}
    departments = {r["key"]: r for r in street["breakdowns"]["department"]}
    assert departments["cg"]["label"] == "城管局" and departments["cg"]["dispatched"] == 1
    everything = ok(get(api("admin"), f"{BASE}/summary", since=days(60), until=days(0)))
    assert everything["reported"] == 6
    ranking = ok(get(api("admin"), f"{BASE}/ranking", since=days(60), until=days(0)))
    assert [(r["key"], r["reported"]) for r in ranking["rows"]] == [("440704", 5), ("440703", 1)]


def test_trends_add_up_to_the_period(story: Story, api: Callable[[str], Client]) -> None:
    client = api("district")
    summary = ok(get(client, f"{BASE}/summary", since=days(59), until=days(0)))
    for bucket in ("day", "week", "month"):
        trend = ok(get(client, f"{BASE}/trend", since=days(59), until=days(0), bucket=bucket))
        assert trend["bucket"] == bucket
        assert sum(p["reported"] for p in trend["points"]) == summary["reported"] == 5
        assert sum(p["handled"] for p in trend["points"]) == summary["handled"]
        assert trend["points"][0]["start"] == days(59) and trend["points"][-1]["end"] == days(0)
    daily = ok(get(client, f"{BASE}/trend", period="7d"))
    assert daily["bucket"] == "day" and len(daily["points"]) == 7
    assert [p["reported"] for p in daily["points"]][-4:] == [1, 1, 1, 1]
    assert ok(get(client, f"{BASE}/trend", period="year"))["bucket"] in ("day", "week", "month")


def test_rankings_of_children_and_departments(story: Story, api: Callable[[str], Client]) -> None:
    client = api("district")
    streets = ok(get(client, f"{BASE}/ranking", since=days(60), until=days(0)))
    assert [(r["key"], r["label"], r["reported"]) for r in streets["rows"]] == [
        ("440704001", "东街道", 3),
        ("440704002", "西镇", 2),
    ]
    by_code = ok(get(client, f"{BASE}/ranking", since=days(60), until=days(0), order="code"))
    assert [r["key"] for r in by_code["rows"]] == ["440704001", "440704002"]
    grids = ok(get(api("community"), f"{BASE}/ranking", since=days(60), until=days(0)))
    assert [(r["key"], r["reported"]) for r in grids["rows"]] == [(GRID_A, 2), (GRID_A2, 1)]
    assert ok(get(api("worker_a"), f"{BASE}/ranking"))["rows"] == []
    departments = ok(
        get(client, f"{BASE}/ranking", of="departments", since=days(60), until=days(0))
    )
    rows = {r["key"]: r for r in departments["rows"]}
    assert set(rows) == {"cg", "sz"} or set(rows) >= {"cg"}
    assert rows["cg"]["dispatched"] == 1 and rows["cg"]["responded"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "custom"}, "since"),
        ({"period": "custom", "since": "2026-01-01"}, "until"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "until"),
        ({"period": "fortnight"}, "period"),
        ({"under": "44070"}, "under"),
        ({"since": "2026-02-30"}, "since"),
    ],
)
def test_bad_periods_are_refused_field_by_field(
    world: World, api: Callable[[str], Client], query: dict[str, Any], field: str
) -> None:
    body = ok(get(api("district"), f"{BASE}/summary", **query), 422)
    assert body["code"] == "invalid" and field in body["fields"], body
    assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages)


def test_named_periods(story: Story, api: Callable[[str], Client]) -> None:
    client = api("district")
    today = timezone.localdate()
    expected = {
        "today": (today, today),
        "7d": (today - timedelta(days=6), today),
        "30d": (today - timedelta(days=29), today),
        "month": (today.replace(day=1), today),
        "year": (today.replace(month=1, day=1), today),
    }
    for key, (start, end) in expected.items():
        period = ok(get(client, f"{BASE}/summary", period=key))["period"]
        assert (period["key"], period["start"], period["end"]) == (
            key,
            start.isoformat(),
            end.isoformat(),
        )
    assert ok(get(client, f"{BASE}/summary"))["period"]["key"] == "30d"
    assert ok(get(client, f"{BASE}/summary", period="today"))["reported"] == 1


def test_basedata_completeness_of_the_grids(
    story: Story, api: Callable[[str], Client], world: World
) -> None:
    from wangge.testing import sample_basedata

    sample_basedata(world)
    district = ok(get(api("district"), f"{BASE}/basedata"))
    assert district["grids"] == 3 and not district["too_many"]
    assert district["completeness"] is not None and 0 <= district["completeness"] <= 100
    assert [c["code"] for c in district["children"]] and {
        c["code"] for c in district["children"]
    } <= {"440704001", "440704002"}
    assert len(district["lowest"]) == 3
    assert set(district["by_category"]) <= {"person", "place", "event", "thing", "organisation"}
    grid = ok(get(api("worker_a"), f"{BASE}/basedata"))
    assert grid["grids"] == 1 and grid["children"] == [] and grid["lowest"][0]["code"] == GRID_A
