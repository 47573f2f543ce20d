"""Roster and 一格两员, 553 ticks, training totals, the assessment and who sees which scorecard."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from wangge.accounts.actions import do_assign_role, do_create_user
from wangge.audit.models import AuditEntry
from wangge.events.actions import do_report_event, do_return_visit_event, do_self_handle_event
from wangge.events.choices import EventAction, EventState
from wangge.events.models import Event, EventStep
from wangge.testing import GRID_A, GRID_A2, GRID_B, POINT_A, World, extend_world_for_events
from wangge.workforce import assessment, months, views
from wangge.workforce.actions import do_compute_scorecards
from wangge.workforce.choices import Component
from wangge.workforce.models import AssessmentScheme, MethodTick, Scorecard

ApiFactory = Callable[[str], Client]
COMMUNITY_A = GRID_A[:12]


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


# --- roster and 一格两员 ---------------------------------------------------------------------


def test_coverage_finds_the_grid_without_its_second_member(world: World, api: ApiFactory) -> None:
    body = api("community").get("/api/v1/workforce/coverage").json()
    assert body["node"]["code"] == COMMUNITY_A
    assert body["grids"] == 2
    # Grid A: worker_a + part_time_a (a unit of grid A); grid A2: worker_a2 alone.
    assert [g["code"] for g in body["failing"]] == [GRID_A2]
    assert body["failing"][0]["problems"] == ["缺少第二名网格员"]
    # A part-time worker in one of A2's units completes it.
    helper = do_create_user(
        username="pt_a2", password="x-pass-123", display_name="赵六", actor=None
    )
    do_assign_role(
        user=helper, role="part_time_worker", region=world.regions[GRID_A2 + "001"], actor=None
    )
    body = api("community").get("/api/v1/workforce/coverage").json()
    assert body["failing"] == []


def test_coverage_flags_a_grid_without_full_time_worker(world: World, api: ApiFactory) -> None:
    world["worker_b"].assignments.update(is_active=False)
    body = api("street_b").get("/api/v1/workforce/coverage").json()
    assert [g["code"] for g in body["failing"]] == [GRID_B]
    assert body["failing"][0]["problems"] == ["无专职网格员", "缺少第二名网格员"]


def test_roster_lists_the_people_of_each_grid_in_scope(world: World, api: ApiFactory) -> None:
    body = api("street").get("/api/v1/workforce/roster").json()
    grids = {g["code"]: g for g in body["grids"]}
    assert set(grids) == {GRID_A, GRID_A2}
    assert [m["name"] for m in grids[GRID_A]["full_time"]] == ["张伟"]
    assert [m["name"] for m in grids[GRID_A]["part_time"]] == ["刘洋"]
    assert grids[GRID_A]["ok"] and not grids[GRID_A2]["ok"]


@pytest.mark.parametrize(
    ("username", "node", "status"),
    [
        ("street_b", COMMUNITY_A, 404),
        ("other_district", COMMUNITY_A, 404),
        ("community", GRID_B, 404),
        ("worker_a", None, 404),
        ("resident", None, 404),
        ("dept", None, 404),
        ("district", COMMUNITY_A, 200),
    ],
)
def test_roster_out_of_scope_is_not_found(
    world: World, api: ApiFactory, username: str, node: str | None, status: int
) -> None:
    url = "/api/v1/workforce/coverage" + (f"?node={node}" if node else "")
    response = api(username).get(url)
    assert response.status_code == status
    if status == 200:
        assert [g["code"] for g in response.json()["failing"]] == [GRID_A2]


def test_duties_and_553_items_are_seeded(world: World, api: ApiFactory) -> None:
    duties = api("worker_a").get("/api/v1/workforce/duties").json()
    assert len(duties) == 7
    assert sum(len(c["duties"]) for c in duties) == 19
    items = api("worker_a").get("/api/v1/workforce/method/items").json()
    kinds = [i["kind"] for i in items]
    assert (kinds.count("know"), kinds.count("visit"), kinds.count("attend")) == (5, 5, 3)


# --- 553 ticks -------------------------------------------------------------------------------


def test_553_tick_is_idempotent(world: World, api: ApiFactory) -> None:
    client = api("worker_a")
    request_id = str(uuid.uuid4())
    first = _post(
        client, "/api/v1/workforce/method/ticks", {"item": "V1", "request_id": request_id}
    )
    again = _post(
        client, "/api/v1/workforce/method/ticks", {"item": "V1", "request_id": request_id}
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["grid"] == GRID_A
    # The same item this month under another request id: still the one tick.
    other = _post(
        client, "/api/v1/workforce/method/ticks", {"item": "V1", "request_id": str(uuid.uuid4())}
    )
    assert other.status_code == 200 and other.json()["id"] == first.json()["id"]
    assert MethodTick.objects.count() == 1
    _post(client, "/api/v1/workforce/method/ticks", {"item": "K1", "request_id": str(uuid.uuid4())})
    progress = client.get("/api/v1/workforce/method/progress").json()
    assert progress["workers"] == [
        {
            "code": f"{world['worker_a'].pk}@{GRID_A}",
            "name": "张伟",
            "total": 13,
            "ticked": 2,
            "rate": round(2 / 13, 4),
        }
    ]
    community = api("community").get("/api/v1/workforce/method/progress").json()
    assert {g["code"]: g["ticked"] for g in community["grids"]} == {GRID_A: 2, GRID_A2: 0}
    assert api("street_b").get("/api/v1/workforce/method/progress").json()["grids"] == [
        {"code": GRID_B, "name": "西一网格", "total": 13, "ticked": 0, "rate": 0.0}
    ]


def test_553_tick_refusals(world: World, api: ApiFactory) -> None:
    bad = _post(api("worker_a"), "/api/v1/workforce/method/ticks", {"item": "X9"})
    assert bad.status_code == 422 and "item" in bad.json()["fields"]
    old = _post(
        api("worker_a"), "/api/v1/workforce/method/ticks", {"item": "K1", "month": "2001-01"}
    )
    assert old.status_code == 422 and "month" in old.json()["fields"]
    other = _post(api("worker_a"), "/api/v1/workforce/method/ticks", {"item": "K1", "grid": GRID_B})
    assert other.status_code == 404
    assert (
        _post(api("community"), "/api/v1/workforce/method/ticks", {"item": "K1"}).status_code == 403
    )
    assert MethodTick.objects.count() == 0


# --- training --------------------------------------------------------------------------------


def test_training_totals(world: World, api: ApiFactory) -> None:
    a, a2, b = (world[u].pk for u in ("worker_a", "worker_a2", "worker_b"))
    payload = {
        "title": "入户访谈技巧",
        "held_on": "2026-08-18",
        "node": COMMUNITY_A,
        "trainer": "专业导师",
        "attendee_ids": [a, a2],
        "request_id": "s-1",
    }
    first = _post(api("community"), "/api/v1/workforce/training/sessions", payload)
    again = _post(api("community"), "/api/v1/workforce/training/sessions", payload)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["attendances"] == 2
    stranger = _post(
        api("community"),
        "/api/v1/workforce/training/sessions",
        {**payload, "attendee_ids": [b], "request_id": "s-2"},
    )
    assert stranger.status_code == 422 and "attendees" in stranger.json()["fields"]
    district = _post(
        api("district"),
        "/api/v1/workforce/training/sessions",
        {**payload, "node": "440704", "attendee_ids": [b], "request_id": "d-1"},
    ).json()
    added = _post(
        api("district"),
        f"/api/v1/workforce/training/sessions/{district['id']}/attendances",
        {"user_ids": [a, b]},
    ).json()
    assert added == {"added": 1, "attendances": 2}

    totals = api("district").get("/api/v1/workforce/training/totals").json()
    assert totals["total"] == {"code": "440704", "name": "测试区", "sessions": 2, "attendances": 4}
    assert {c["code"]: (c["sessions"], c["attendances"]) for c in totals["children"]} == {
        "440704001": (1, 2),
        "440704002": (0, 0),
    }
    street = api("street").get("/api/v1/workforce/training/totals").json()["total"]
    assert (street["sessions"], street["attendances"]) == (1, 2)
    # No session is held for a minimal unit: a grid's totals have no children.
    grid = api("district").get(f"/api/v1/workforce/training/totals?node={GRID_A}").json()
    assert grid["total"]["code"] == GRID_A and grid["children"] == []
    street_b = api("street_b").get("/api/v1/workforce/training/totals").json()["total"]
    assert (street_b["sessions"], street_b["attendances"]) == (0, 0)
    assert (
        api("street_b").get(f"/api/v1/workforce/training/totals?node={COMMUNITY_A}").status_code
        == 404
    )
    assert (
        _post(
            api("street_b"),
            f"/api/v1/workforce/training/sessions/{first.json()['id']}/attendances",
            {"user_ids": [b]},
        ).status_code
        == 404
    )
    mine = api("worker_a").get("/api/v1/workforce/training/mine").json()
    assert len(mine) == 2


# --- the assessment ---------------------------------------------------------------------------


def _fixture_month(world: World) -> Any:
    """Worker A this month: 3 events reported, 1 self-handled, 1 verification 48 h after
    "handled", 1 satisfied return visit; nothing else applies."""
    extend_world_for_events(world)
    worker = world["worker_a"]
    events = [
        do_report_event(
            actor=worker,
            category="0601",
            description=f"井盖松动{i}",
            lng=POINT_A[0],
            lat=POINT_A[1],
        ).event
        for i in range(3)
    ]
    handled = do_self_handle_event(events[0], actor=worker, note="已处理")
    do_return_visit_event(
        handled, actor=world["community"], contacted=True, solved=True, satisfaction="satisfied"
    )
    now = timezone.now()
    target = events[1]
    EventStep.objects.create(
        event=target,
        action=EventAction.FEEDBACK,
        from_state=EventState.HANDLING,
        to_state=EventState.HANDLED,
        at=now - timedelta(hours=48),
    )
    EventStep.objects.create(
        event=target,
        action=EventAction.VERIFY,
        from_state=EventState.HANDLED,
        to_state=EventState.CLOSED,
        actor=worker,
        at=now,
    )
    assert Event.objects.filter(grid_code=GRID_A).count() == 3
    return months.this_month(now)


def _card(world: World, username: str, month: Any) -> Scorecard:
    return Scorecard.objects.get(worker=world[username], month=month)


def test_scores_follow_the_configured_weights(world: World) -> None:
    month = _fixture_month(world)
    do_compute_scorecards(month=month, actor=None)
    card = _card(world, "worker_a", month)
    assert card.figures["reported"] == 3 and card.figures["self_handled"] == 1
    assert card.figures["verified"] == 1 and card.figures["verify_hours_avg"] == 48.0
    assert card.figures["return_visits"] == 1 and card.figures["satisfied"] == 1
    assert card.components["visits"]["ratio"] is None  # no visits recorded
    # Default weights 20/10/15/15/10/15/15; applicable: reported 3/10, self-handled 1/5,
    # verification (72-48)/(72-24) = 1/2, satisfaction 1 → (6 + 2 + 7.5 + 15) / 60 × 100.
    assert card.score == Decimal("50.83")
    assert card.stars == 1

    scheme = AssessmentScheme.objects.get(district_code="")
    scheme.weight_reported, scheme.weight_self_handled = 40, 10
    scheme.weight_verification = scheme.weight_visits = scheme.weight_campaigns = 10
    scheme.weight_freshness = scheme.weight_satisfaction = 10
    scheme.save()
    # The stored scorecard does not move until the month is computed again.
    assert _card(world, "worker_a", month).score == Decimal("50.83")
    do_compute_scorecards(month=month, actor=None)
    # (40×0.3 + 10×0.2 + 10×0.5 + 10×1) / 70 × 100 = 29/70 × 100 = 41.428…
    assert _card(world, "worker_a", month).score == Decimal("41.43")

    scheme.star2 = 40
    scheme.save()
    do_compute_scorecards(month=month, actor=None)
    assert _card(world, "worker_a", month).stars == 2


def test_score_with_every_component_is_the_weighted_sum() -> None:
    scheme = AssessmentScheme(name="t")
    ratios = {
        "reported": Fraction(1, 2),
        "self_handled": Fraction(1),
        "verification": Fraction(0),
        "visits": Fraction(3, 4),
        "campaigns": Fraction(1),
        "freshness": Fraction(1, 3),
        "satisfaction": Fraction(1),
    }
    score, components = assessment.score(ratios, scheme.weights())
    # 20×½ + 10×1 + 15×0 + 15×¾ + 10×1 + 15×⅓ + 15×1 = 61.25
    assert score == Decimal("61.25")
    assert assessment.stars(score, scheme) == 2
    assert components["visits"]["points"] == 11.25


def test_an_absent_app_weighs_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    month = _fixture_month(world)
    monkeypatch.setattr(assessment, "app_available", lambda label: label != "care")
    result = assessment.measure(world["worker_a"].pk, GRID_A, month, AssessmentScheme(name="t"))
    assert result.figures["visits"] is None and result.ratios["visits"] is None
    score, components = assessment.score(result.ratios, AssessmentScheme(name="t").weights())
    assert components["visits"]["effective_weight"] == 0
    assert score == Decimal("50.83")


def test_a_scheme_whose_weights_do_not_sum_to_100_is_not_used(world: World) -> None:
    AssessmentScheme.objects.filter(district_code="").update(weight_reported=50)
    result = do_compute_scorecards(month=months.this_month(), actor=None)
    assert result.computed == 0 and len(result.skipped) == 3
    assert Scorecard.objects.count() == 0


# --- who sees which scorecard -----------------------------------------------------------------


def test_it_pages_the_ranking_in_the_api(world: World, api: ApiFactory) -> None:
    month = months.this_month()
    do_compute_scorecards(month=month, actor=None)
    url = f"/api/v1/workforce/scorecards?month={month:%Y-%m}"
    whole = api("district").get(url).json()
    assert whole["count"] == 3
    assert [c["rank"] for c in whole["scorecards"]] == [1, 2, 3]
    order = [c["id"] for c in whole["scorecards"]]
    scores = [c["score"] for c in whole["scorecards"]]
    assert scores == sorted(scores, reverse=True)

    first = api("district").get(f"{url}&limit=2").json()
    rest = api("district").get(f"{url}&limit=2&offset=2").json()
    assert first["count"] == rest["count"] == 3
    assert [c["id"] for c in first["scorecards"] + rest["scorecards"]] == order
    assert [c["rank"] for c in rest["scorecards"]] == [3]
    beyond = api("district").get(f"{url}&offset=3").json()
    assert beyond["count"] == 3 and beyond["scorecards"] == []
    # The paging is inside the user's scope: a street counts its own workers only.
    assert api("street_b").get(f"{url}&limit=1").json()["count"] == 1
    for bad in ("limit=0", "limit=501", "offset=-1", "limit=x", "offset=24669326854910951424"):
        assert api("district").get(f"{url}&{bad}").status_code == 422, bad


def test_scorecard_visibility(
    world: World, api: ApiFactory, login: Callable[[str], Client]
) -> None:
    month = months.this_month()
    do_compute_scorecards(month=month, actor=None)
    cards = {c.worker.username: c.pk for c in Scorecard.objects.select_related("worker")}
    assert set(cards) == {"worker_a", "worker_a2", "worker_b"}
    m = f"{month:%Y-%m}"

    mine = api("worker_a").get(f"/api/v1/workforce/scorecards/me?month={m}").json()
    assert [c["worker_id"] for c in mine] == [world["worker_a"].pk]
    assert (
        api("worker_a").get(f"/api/v1/workforce/scorecards/{cards['worker_a']}").status_code == 200
    )
    assert (
        api("worker_a").get(f"/api/v1/workforce/scorecards/{cards['worker_a2']}").status_code == 404
    )
    assert api("worker_a").get(f"/api/v1/workforce/scorecards?month={m}").status_code == 404

    def ranked(username: str, node: str = "") -> list[int]:
        url = f"/api/v1/workforce/scorecards?month={m}" + (f"&node={node}" if node else "")
        return sorted(c["worker_id"] for c in api(username).get(url).json()["scorecards"])

    a, a2, b = (world[u].pk for u in ("worker_a", "worker_a2", "worker_b"))
    assert ranked("community") == sorted([a, a2])
    assert ranked("street") == sorted([a, a2])
    assert ranked("street_b") == [b]
    assert ranked("district") == sorted([a, a2, b])
    assert (
        api("street_b")
        .get(f"/api/v1/workforce/scorecards?month={m}&node={COMMUNITY_A}")
        .status_code
        == 404
    )
    assert (
        api("street_b").get(f"/api/v1/workforce/scorecards/{cards['worker_a']}").status_code == 404
    )
    assert ranked("other_district") == []
    assert (
        api("other_district").get(f"/api/v1/workforce/scorecards?month={m}&node=440704").status_code
        == 404
    )
    assert (
        api("other_district").get(f"/api/v1/workforce/scorecards/{cards['worker_a']}").status_code
        == 404
    )
    assert (
        api("community").get(f"/api/v1/workforce/scorecards/{cards['worker_b']}").status_code == 404
    )
    assert (
        api("community").get(f"/api/v1/workforce/scorecards/{cards['worker_a2']}").status_code
        == 200
    )

    # Pages: the worker's own page (mobile), the ranking for the community, none for a worker.
    page = login("worker_a").get("/workforce/")
    assert page.status_code == 200 and "553" in page.content.decode()
    assert login("worker_a").get("/workforce/ranking/").status_code == 403
    ranking = login("community").get(f"/workforce/ranking/?month={m}").content.decode()
    assert 'data-worker="worker_a"' in ranking and 'data-worker="worker_b"' not in ranking
    assert login("street_b").get(f"/workforce/ranking/?node={COMMUNITY_A}").status_code == 404
    roster = login("community").get("/workforce/roster/").content.decode()
    assert f'data-grid="{GRID_A2}"' in roster


def test_scorecard_pages_label_each_component_and_stay_in_scope(
    world: World, login: Callable[[str], Client]
) -> None:
    month = months.this_month()
    do_compute_scorecards(month=month, actor=None)
    cards = {c.worker.username: c for c in Scorecard.objects.select_related("worker")}
    labels = {k: str(v) for k, v in Component.choices}

    mine = login("worker_a").get("/workforce/").content.decode()
    for key in cards["worker_a"].components:
        assert f'data-component="{key}"><td>{labels[key]}</td>' in mine
    assert f'data-stars="{cards["worker_a"].stars}"' in mine

    url = f"/workforce/scorecards/{cards['worker_a'].pk}/"
    assert login("worker_a").get(url).status_code == 200
    page = login("community").get(url).content.decode()
    assert str(cards["worker_a"].score) in page and labels["reported"] in page
    for username in ("worker_a2", "street_b", "other_district"):
        assert login(username).get(url).status_code == 404, username

    # The ranking links each worker to their scorecard and drills down one level.
    m = f"{month:%Y-%m}"
    ranking = login("district").get(f"/workforce/ranking/?month={m}").content.decode()
    assert f'href="/workforce/scorecards/{cards["worker_b"].pk}/"' in ranking
    assert f'data-node="{GRID_A[:9]}"' in ranking and f'data-node="{GRID_B[:9]}"' in ranking
    assert f"?node={GRID_A[:9]}&amp;month={m}" in ranking
    street = login("street").get(f"/workforce/ranking/?month={m}").content.decode()
    assert f'data-node="{COMMUNITY_A}"' in street and f'data-node="{GRID_B[:9]}"' not in street
    assert f"?node={GRID_A[:6]}&amp;" not in street  # no way up beyond the street's own scope
    roster = login("district").get(f"/workforce/roster/?node={GRID_A[:9]}").content.decode()
    assert f'data-node="{COMMUNITY_A}"' in roster and f'?node={GRID_A[:6]}"' in roster


def test_the_scorecard_speaks_english_when_chosen(
    world: World, login: Callable[[str], Client]
) -> None:
    do_compute_scorecards(month=months.this_month(), actor=None)
    client = login("worker_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/workforce/").content.decode()
    assert "Events reported" in page and "Five to know" in page
    assert "上报事件" not in page and "五必知" not in page


def test_the_ranking_page_is_paged_and_ranks_run_on(
    world: World, login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    month = months.this_month()
    do_compute_scorecards(month=month, actor=None)
    monkeypatch.setattr(views, "RANKING_PAGE_SIZE", 2)
    order = [
        c.worker.username
        for c in Scorecard.objects.filter(month=month)
        .select_related("worker")
        .order_by("-score", "region_code", "worker_id")
    ]
    assert len(order) == 3
    client = login("district")
    url = f"/workforce/ranking/?month={month:%Y-%m}"

    def shown(html: str) -> list[tuple[str, str]]:
        return re.findall(r'data-worker="([^"]+)"><td class="num">(\d+)</td>', html)

    first = client.get(url).content.decode()
    assert shown(first) == [(order[0], "1"), (order[1], "2")]
    assert 'rel="next"' in first and "page=2" in first
    second = client.get(f"{url}&page=2").content.decode()
    assert shown(second) == [(order[2], "3")]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert shown(client.get(f"{url}&page=99").content.decode()) == [(order[2], "3")]


def test_tick_page(world: World, login: Callable[[str], Client]) -> None:
    client = login("worker_a")
    rid = str(uuid.uuid4())
    for _ in range(2):
        response = client.post("/workforce/tick/", {"item": "A1", "request_id": rid})
        assert response.status_code == 302
    assert MethodTick.objects.filter(worker=world["worker_a"]).count() == 1
    assert "✓" in client.get("/workforce/").content.decode()
    # A tick by mistake is taken back (twice: the second finds nothing, harmlessly).
    tick = MethodTick.objects.get(worker=world["worker_a"])
    for _ in range(2):
        assert client.post(f"/workforce/ticks/{tick.pk}/untick/").status_code == 302
    assert not MethodTick.objects.filter(worker=world["worker_a"]).exists()
    assert AuditEntry.objects.filter(action="workforce.untick_method").count() == 1
    assert 'data-testid="untick"' not in client.get("/workforce/").content.decode()


def test_553_untick_in_the_api(world: World, api: ApiFactory) -> None:
    mine = _post(api("worker_a"), "/api/v1/workforce/method/ticks", {"item": "V1"}).json()
    other = _post(api("worker_b"), "/api/v1/workforce/method/ticks", {"item": "V1"}).json()
    url = "/api/v1/workforce/method/ticks/{}"
    # Someone else's tick is not touched (and not told apart from a missing one).
    assert api("worker_a").delete(url.format(other["id"])).json() == {"removed": False}
    assert MethodTick.objects.filter(pk=other["id"]).exists()
    assert api("worker_a").delete(url.format(mine["id"])).json() == {"removed": True}
    assert not MethodTick.objects.filter(pk=mine["id"]).exists()
    # Two months back is closed, like ticking.
    old = MethodTick.objects.get(pk=other["id"])
    old.month = months.previous_month(months.previous_month(months.this_month()))
    old.save(update_fields=["month"])
    response = api("worker_b").delete(url.format(other["id"]))
    assert response.status_code == 409 and response.json()["fields"]["month"] == [
        "只能撤销本月或上月的勾选"
    ]
    assert MethodTick.objects.filter(pk=other["id"]).exists()


# --- worklist and every endpoint as every role ------------------------------------------------


def test_worklist_shows_the_unticked_553_items(world: World) -> None:
    from wangge.workforce.worklist import work_items

    now = timezone.now()
    items = work_items(world["worker_a"], now=now)
    assert [(i.region_code, i.kind) for i in items] == [(GRID_A, "workforce")]
    assert "13" in items[0].title
    assert work_items(world["community"], now=now) == []


def test_every_get_endpoint_as_every_role_stays_in_scope(world: World, api: ApiFactory) -> None:
    from wangge.testing import USERS
    from wangge.workforce.testing import sample_workforce

    sample = sample_workforce(world)
    urls = [
        "/api/v1/workforce/roster",
        "/api/v1/workforce/coverage",
        "/api/v1/workforce/method/progress",
        "/api/v1/workforce/training/sessions",
        "/api/v1/workforce/training/totals",
        "/api/v1/workforce/scorecards",
        "/api/v1/workforce/scorecards/me",
        *[f"/api/v1/workforce/scorecards/{pk}" for pk in sample.scorecards],
    ]
    for username in USERS:
        for url in urls:
            response = api(username).get(url)
            assert response.status_code in (200, 403, 404), (username, url)
            if response.status_code == 200 and username == "other_district":
                assert "440704" not in response.content.decode(), url
            if response.status_code == 200 and username == "street_b":
                assert GRID_A not in response.content.decode(), url


def test_assess_command_and_task_store_the_month(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    from wangge.workforce.tasks import compute_monthly_scorecards

    out = StringIO()
    call_command("assess_workers", "--month", "2026-09", "--district", "440704", stdout=out)
    assert "2026-09: 3 scorecards" in out.getvalue()
    assert compute_monthly_scorecards.call(month="2026-08") == 3
    assert Scorecard.objects.filter(month__in=["2026-09-01", "2026-08-01"]).count() == 6
