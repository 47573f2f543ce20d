"""The workforce pages beyond the scorecards: duties, "553" progress, training, the paged
roster and the weights of a scorecard as they were counted."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from wangge.testing import GRID_A, GRID_A2, GRID_B, World
from wangge.workforce import months, views
from wangge.workforce.actions import do_compute_scorecards, do_tick_method
from wangge.workforce.models import Attendance, Scorecard, TrainingSession
from wangge.workforce.tests.test_workforce import _fixture_month

Login = Callable[[str], Client]
STREET_A = GRID_A[:9]
COMMUNITY_A = GRID_A[:12]


def _zh(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    return client


def _cells(html: str, attr: str) -> dict[str, tuple[str, ...]]:
    """``data-<attr>="key"`` rows → their cells' text (tags stripped)."""
    rows = re.findall(rf'<tr {attr}="([^"]+)"[^>]*>(.*?)</tr>', html, re.S)
    out = {}
    for key, row in rows:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        out[key] = tuple(re.sub(r"<[^>]+>", "", c).strip() for c in cells)
    return out


# --- duties ---------------------------------------------------------------------------------


def test_it_lists_the_7_categories_and_19_duties(world: World, login: Login) -> None:
    page = login("worker_a").get("/workforce/duties/").content.decode()
    assert len(re.findall(r"data-category=", page)) == 7
    assert len(re.findall(r"data-duty=", page)) == 19
    assert "人口信息采集与动态更新" in page and "专项工作" in page
    # Reachable from the other workforce pages and from the list of everything.
    assert 'href="/workforce/duties/"' in login("worker_a").get("/workforce/").content.decode()
    assert 'href="/workforce/duties/"' in login("street").get("/all/").content.decode()


# --- 553 progress ---------------------------------------------------------------------------


def _tick(world: World, username: str, *items: str) -> None:
    for item in items:
        do_tick_method(actor=world[username], item_code=item, request_id=str(uuid.uuid4()))


def test_it_shows_553_progress_per_child_node_and_worker(world: World, login: Login) -> None:
    _tick(world, "worker_a", "K1", "K2", "V1")
    _tick(world, "worker_a2", "K1")
    _tick(world, "worker_b", "A1", "A2")
    month = f"{months.this_month():%Y-%m}"
    district = login("district").get(f"/workforce/progress/?month={month}").content.decode()
    rows = _cells(district, "data-node")
    # Street A: grids A (3 of 13) and A2 (1 of 13); street B: grid B (2 of 13).
    assert rows[STREET_A][1:] == ("4 / 26", "15.4%")
    assert rows[GRID_B[:9]][1:] == ("2 / 13", "15.4%")
    assert rows["440704"][1:] == ("6 / 39", "15.4%")
    assert f'href="?node={STREET_A}&amp;month={month}"' in district

    community = login("street").get(f"/workforce/progress/?node={COMMUNITY_A}&month={month}")
    rows = _cells(community.content.decode(), "data-node")
    assert rows[GRID_A][1:] == ("3 / 13", "23.1%") and rows[GRID_A2][1:] == ("1 / 13", "7.7%")

    grid = login("community").get(f"/workforce/progress/?node={GRID_A}&month={month}")
    workers = _cells(grid.content.decode(), "data-worker")
    assert workers == {f"{world['worker_a'].pk}@{GRID_A}": ("张伟", "3 / 13", "23.1%")}


@pytest.mark.parametrize(
    ("username", "node", "status"),
    [
        ("street_b", COMMUNITY_A, 404),
        ("street_b", GRID_A, 404),
        ("other_district", "440704", 404),
        ("community", GRID_B, 404),
        ("worker_a", None, 403),
        ("street", COMMUNITY_A, 200),
    ],
)
def test_it_keeps_553_progress_in_scope(
    world: World, login: Login, username: str, node: str | None, status: int
) -> None:
    url = "/workforce/progress/" + (f"?node={node}" if node else "")
    assert login(username).get(url).status_code == status


# --- training -------------------------------------------------------------------------------


def _session(code: str, title: str, held_on: date, *users: Any) -> TrainingSession:
    session = TrainingSession.objects.create(title=title, held_on=held_on, region_code=code)
    for user in users:
        Attendance.objects.create(session=session, user=user)
    return session


def test_it_shows_training_sessions_and_totals_per_child(world: World, login: Login) -> None:
    old = _session(COMMUNITY_A, "旧培训", date(2026, 3, 1), world["worker_a"])
    new = _session(GRID_A, "新培训", date(2026, 8, 1), world["worker_a"], world["part_time_a"])
    _session(GRID_B, "西镇培训", date(2026, 9, 1), world["worker_b"])
    page = login("district").get("/workforce/training/").content.decode()
    totals = _cells(page, "data-node")
    assert totals[STREET_A][1:] == ("2", "3")
    assert totals[GRID_B[:9]][1:] == ("1", "1")
    assert totals["440704"][1:] == ("3", "4")
    # Newest first.
    order = re.findall(r'data-session="(\d+)"', page)
    assert order[1:] == [str(new.pk), str(old.pk)]

    street = login("street").get("/workforce/training/").content.decode()
    assert re.findall(r'data-session="(\d+)"', street) == [str(new.pk), str(old.pk)]
    assert "西镇培训" not in street

    detail = login("community").get(f"/workforce/training/{new.pk}/").content.decode()
    assert set(re.findall(r'data-attendee="(\d+)"', detail)) == {
        str(world["worker_a"].pk),
        str(world["part_time_a"].pk),
    }
    # Everyone under grid A attends already; the older community session may add worker_a2.
    assert re.findall(r'data-candidate="(\d+)"', detail) == []
    detail = login("community").get(f"/workforce/training/{old.pk}/").content.decode()
    assert set(re.findall(r'data-candidate="(\d+)"', detail)) == {
        str(world["worker_a2"].pk),
        str(world["part_time_a"].pk),
        str(world["community"].pk),
    }


def test_it_pages_the_sessions(world: World, login: Login, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "TRAINING_PAGE_SIZE", 2)
    for day in (1, 2, 3):
        _session(COMMUNITY_A, f"第{day}期", date(2026, 5, day))
    first = login("community").get("/workforce/training/").content.decode()
    assert "第3期" in first and "第2期" in first and "第1期" not in first
    assert 'rel="next"' in first
    second = login("community").get("/workforce/training/?page=2").content.decode()
    assert "第1期" in second and "第3期" not in second


@pytest.mark.parametrize(
    ("username", "url", "status"),
    [
        ("street_b", f"/workforce/training/?node={COMMUNITY_A}", 404),
        ("other_district", "/workforce/training/?node=440704", 404),
        ("street_b", "session", 404),
        ("other_district", "session", 404),
        ("worker_a", "/workforce/training/", 403),
        ("street", "session", 200),
    ],
)
def test_it_keeps_training_in_scope(
    world: World, login: Login, username: str, url: str, status: int
) -> None:
    session = _session(COMMUNITY_A, "入户访谈技巧", date(2026, 8, 18), world["worker_a"])
    if url == "session":
        url = f"/workforce/training/{session.pk}/"
    assert login(username).get(url).status_code == status


def test_it_records_a_session_once(world: World, login: Login) -> None:
    client = _zh(login("community"))
    form = client.get(f"/workforce/training/new/?node={COMMUNITY_A}").content.decode()
    request_id = re.search(r'name="request_id" value="([^"]+)"', form)
    assert request_id is not None
    data = {
        "title": "入户访谈技巧",
        "held_on": "2026-08-18",
        "node": COMMUNITY_A,
        "trainer": "专业导师",
        "request_id": request_id.group(1),
    }
    first = client.post("/workforce/training/new/", data)
    again = client.post("/workforce/training/new/", data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    session = TrainingSession.objects.get()
    assert (session.title, session.region_code, session.trainer) == (
        "入户访谈技巧",
        COMMUNITY_A,
        "专业导师",
    )
    assert first["Location"] == f"/workforce/training/{session.pk}/"


def test_it_refuses_an_invalid_session_field_by_field(world: World, login: Login) -> None:
    client = _zh(login("community"))
    response = client.post(
        "/workforce/training/new/",
        {"title": "  ", "held_on": "", "node": COMMUNITY_A, "request_id": "x"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写培训主题" in page and "请填写培训日期" in page
    assert TrainingSession.objects.count() == 0
    # A node out of the user's scope is not offered.
    other = client.post(
        "/workforce/training/new/",
        {"title": "x", "held_on": "2026-08-18", "node": GRID_B[:12], "request_id": "y"},
    )
    assert other.status_code == 422 and TrainingSession.objects.count() == 0
    assert login("worker_a").get("/workforce/training/new/").status_code == 403


def test_it_adds_attendances_once(world: World, login: Login) -> None:
    session = _session(COMMUNITY_A, "入户访谈技巧", date(2026, 8, 18), world["worker_a"])
    client = _zh(login("community"))
    a, a2 = world["worker_a"].pk, world["worker_a2"].pk
    page = client.get(f"/workforce/training/{session.pk}/").content.decode()
    assert f'data-candidate="{a2}"' in page and f'data-candidate="{a}"' not in page
    for _ in range(2):
        response = client.post(f"/workforce/training/{session.pk}/", {"user_ids": [a2]})
        assert response.status_code == 302
    assert sorted(Attendance.objects.filter(session=session).values_list("user_id", flat=True)) == (
        sorted([a, a2])
    )


def test_it_refuses_an_invalid_attendance(world: World, login: Login) -> None:
    session = _session(COMMUNITY_A, "入户访谈技巧", date(2026, 8, 18))
    client = _zh(login("community"))
    empty = client.post(f"/workforce/training/{session.pk}/", {})
    assert empty.status_code == 422 and "请选择参训人员" in empty.content.decode()
    stranger = client.post(
        f"/workforce/training/{session.pk}/", {"user_ids": [world["worker_b"].pk]}
    )
    assert stranger.status_code == 422 and "参训人员不在本辖区" in stranger.content.decode()
    # An id past what the database holds is an unknown person, not a server error.
    huge = "24669326854910951424"
    overflow = client.post(f"/workforce/training/{session.pk}/", {"user_ids": [huge]})
    assert overflow.status_code == 422 and huge in overflow.content.decode()
    api = login("community").post(
        f"/api/v1/workforce/training/sessions/{session.pk}/attendances",
        {"user_ids": [int(huge), world["worker_a"].pk]},
        content_type="application/json",
    )
    assert api.status_code == 422, api.content
    assert Attendance.objects.count() == 0
    # Who may only read training, or is in another street, adds no one.
    assert (
        login("street_b")
        .post(f"/workforce/training/{session.pk}/", {"user_ids": [world["worker_b"].pk]})
        .status_code
        == 404
    )
    assert Attendance.objects.count() == 0


# --- roster ---------------------------------------------------------------------------------


def test_it_pages_the_roster_and_keeps_the_node(
    world: World, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "ROSTER_PAGE_SIZE", 1)
    client = login("district")
    first = client.get(f"/workforce/roster/?node={STREET_A}").content.decode()
    assert re.findall(r'<tr data-grid="([^"]+)"', first) == [GRID_A]
    assert f'href="?node={STREET_A}&amp;page=2"' in first
    second = client.get(f"/workforce/roster/?node={STREET_A}&page=2").content.decode()
    assert re.findall(r'<tr data-grid="([^"]+)"', second) == [GRID_A2]
    # The failing grids are counted over every page.
    assert f'<li data-grid="{GRID_A2}">' in first
    # …and can be listed alone, paged like the roster.
    assert f'href="?node={STREET_A}&amp;failing=1"' in first
    failing = client.get(f"/workforce/roster/?node={STREET_A}&failing=1").content.decode()
    assert re.findall(r'<tr data-grid="([^"]+)"', failing) == [GRID_A2]
    assert f'href="?node={STREET_A}"' in failing  # back to every grid
    # The grid's name is the row's header (it keeps its width on a phone).
    assert re.search(r'<tr data-grid="[^"]+"[^>]*>\s*<th scope="row">', first)


def test_it_names_the_first_failing_grids_and_counts_the_rest(
    world: World, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "FAILING_NAMED", 1)
    page = login("district").get("/workforce/roster/").content.decode()
    named = re.findall(r'<li data-grid="([^"]+)"', page)
    assert len(named) == 1
    failing = login("district").get("/workforce/roster/?failing=1").content.decode()
    listed = re.findall(r'<tr data-grid="([^"]+)"', failing)
    assert named[0] in listed and len(listed) > 1
    more = re.search(r'data-testid="failing-more">(.*?)</p>', page, re.S)
    assert more and str(len(listed) - 1) in more.group(1)


# --- scorecard weights ----------------------------------------------------------------------


def test_it_shows_the_weight_each_component_counted_for(world: World, login: Login) -> None:
    month = _fixture_month(world)
    do_compute_scorecards(month=month, actor=None)
    card = Scorecard.objects.get(worker=world["worker_a"], month=month)
    page = _zh(login("worker_a")).get(f"/workforce/scorecards/{card.pk}/").content.decode()
    rows = _cells(page, "data-component")
    checked = 0
    for key, (_label, _basis, ratio, weight, points) in rows.items():
        if ratio == "—":
            continue
        shown = float(weight.split("（")[0])
        assert abs(float(ratio.rstrip("%")) / 100 * shown - float(points)) < 0.01, key
        checked += 1
    assert checked == 4
    # Reported: configured 20, counted 20 × 100 / 60 (only 60 of the weights had data).
    assert rows["reported"][3] == "33.33（配置 20）"
    assert rows["satisfaction"][3] == "25（配置 15）"
