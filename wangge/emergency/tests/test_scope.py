"""Who sees and does what, endpoint by endpoint and page by page, for every user of the world.

Sample emergencies: a typhoon in the east street (active), one in the west town
(switched back after one outcome) and one in the other district (active).
"""

import re

import pytest

from wangge.accounts.scope import scope_for
from wangge.emergency.models import Emergency, Task
from wangge.emergency.testing import sample_emergencies
from wangge.lib import codes
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER, USERS

from .conftest import activate, ok, post, rid, tap

EAST, WEST, OTHER = 0, 1, 2

#: Which sample emergencies each user sees.
SEES = {
    "admin": {EAST, WEST, OTHER},
    "district": {EAST, WEST},
    "street": {EAST},
    "street_b": {WEST},
    "community": {EAST},
    "worker_a": {EAST},
    "worker_a2": {EAST},
    "worker_b": {WEST},
    "part_time_a": {EAST},
    "dept": set(),
    "resident": set(),
    "other_district": {OTHER},
}

#: The places under which each user sees tasks (None: everywhere).
TASKS_UNDER = {
    "admin": None,
    "district": ["440704"],
    "street": ["440704001"],
    "street_b": ["440704002"],
    "community": ["440704001001"],
    "worker_a": [GRID_A],
    "worker_a2": [GRID_A2],
    "worker_b": [GRID_B],
    "part_time_a": [GRID_A + "001"],
    "dept": [],
    "resident": [],
    "other_district": ["440703"],
}

#: Who may record outcomes (at the places they see tasks).
RECORDS = {"admin", "community", "worker_a", "worker_a2", "worker_b", "part_time_a"}
#: Who may switch areas in and back.
ACTIVATES = {"admin", "district", "street", "street_b", "other_district"}


@pytest.fixture
def samples(world):
    return sample_emergencies(world)


def expected_tasks(username, emergency_ids):
    qs = Task.objects.filter(emergency_id__in=emergency_ids)
    roots = TASKS_UNDER[username]
    return {
        t.pk for t in qs if roots is None or any(t.region_code.startswith(root) for root in roots)
    }


def test_the_samples_have_tasks_everywhere(samples):
    for pk in samples:
        assert Task.objects.filter(emergency_id=pk).exists()
    assert set(Task.objects.values_list("grid_code", flat=True)) == {
        GRID_A,
        GRID_A2,
        GRID_B,
        GRID_OTHER,
    }


@pytest.mark.parametrize("username", sorted(USERS))
def test_it_shows_each_user_the_emergencies_and_tasks_of_their_area(api, samples, username):
    client = api(username)
    sees = {samples[i] for i in SEES[username]}
    listed = ok(client.get("/api/v1/emergency/emergencies?limit=100"))["items"]
    assert {e["id"] for e in listed} == sees
    for pk in samples:
        wanted = 200 if pk in sees else 404
        detail = client.get(f"/api/v1/emergency/emergencies/{pk}")
        assert detail.status_code == wanted
        coverage = client.get(f"/api/v1/emergency/emergencies/{pk}/coverage")
        assert coverage.status_code == wanted
        tasks = client.get(f"/api/v1/emergency/emergencies/{pk}/tasks?limit=500")
        assert tasks.status_code == wanted
        if pk in sees:
            ids = {t["id"] for t in tasks.json()["items"]}
            assert ids == expected_tasks(username, [pk])
            assert coverage.json()["tasks"] == len(ids) == detail.json()["tasks"]
            roots = TASKS_UNDER[username]
            for row in coverage.json()["rows"]:
                assert roots is None or any(row["code"].startswith(r) for r in roots)
    for task in Task.objects.all():
        wanted = 200 if task.pk in expected_tasks(username, samples) else 404
        assert client.get(f"/api/v1/emergency/tasks/{task.pk}").status_code == wanted
    # The user's own list: tasks of active emergencies where they may record outcomes.
    mine = {t["id"] for t in ok(client.get("/api/v1/emergency/tasks?limit=500"))["items"]}
    if username in RECORDS:
        active = [pk for pk in samples if Emergency.objects.get(pk=pk).is_active]
        assert mine == expected_tasks(username, active)
    else:
        assert mine == set()


def test_a_worker_sees_only_the_tasks_of_their_own_grid(api, samples):
    for username, grid in (("worker_a", GRID_A), ("worker_a2", GRID_A2)):
        items = ok(api(username).get("/api/v1/emergency/tasks?limit=500"))["items"]
        assert items and {t["grid_code"] for t in items} == {grid}
    # The west town's typhoon is over: nothing left for its worker.
    assert ok(api("worker_b").get("/api/v1/emergency/tasks"))["items"] == []


@pytest.mark.parametrize("username", sorted(USERS))
def test_it_lets_only_those_who_work_there_record_outcomes(api, samples, username):
    client = api(username)
    east = Task.objects.filter(emergency_id=samples[EAST])
    visible = expected_tasks(username, [samples[EAST]])
    for task in east:
        answer = tap(client, task.pk)
        if task.pk not in visible:
            assert answer.status_code == 404, (task.region_code, answer.content)
            assert answer.json()["code"] == "not_found"
        elif username in RECORDS:
            assert answer.status_code == 201, answer.content
        else:
            assert answer.status_code == 403
    other = Task.objects.filter(emergency_id=samples[OTHER]).first()
    expected = 201 if username in ("admin",) else (403 if username == "other_district" else 404)
    assert tap(client, other.pk).status_code == expected


@pytest.mark.parametrize("username", sorted(USERS))
def test_it_lets_only_command_centres_switch_their_own_areas(api, world, username):
    from wangge.emergency.testing import emergency_ledgers

    emergency_ledgers(world)
    client = api(username)
    answer = activate(client, "440704001001")
    if username in ("admin", "district", "street"):
        assert answer.status_code == 201
    elif username in ACTIVATES:
        assert answer.status_code == 422
        assert answer.json()["fields"] == {
            "region_code": ["该区域不存在，或不在您可以启动应急状态的范围内"]
        }
    else:
        assert answer.status_code == 403
        assert answer.json()["message"] == "您无权启动应急状态"
    assert Emergency.objects.count() == (1 if answer.status_code == 201 else 0)


@pytest.mark.parametrize("username", sorted(USERS))
def test_it_lets_only_the_area_command_centre_switch_back(api, samples, username):
    client = api(username)
    east = samples[EAST]
    answer = post(client, f"/api/v1/emergency/emergencies/{east}/deactivate")
    if EAST not in SEES[username]:
        assert answer.status_code == 404
    elif username in ("admin", "district", "street"):
        assert answer.status_code == 200
        assert answer.json()["status"] == "archived"
    else:
        assert answer.status_code == 403
    archived = Emergency.objects.get(pk=east).status == "archived"
    assert archived == (answer.status_code == 200)


def test_the_final_record_is_shown_to_who_sees_the_whole_area(api, samples):
    west = samples[WEST]
    record = ok(api("street_b").get(f"/api/v1/emergency/emergencies/{west}"))["final"]
    total = Task.objects.filter(emergency_id=west).count()
    assert record == {"tasks": total, "covered": 1, "percent": round(100 / total, 1)}
    assert ok(api("district").get(f"/api/v1/emergency/emergencies/{west}"))["final"] == record
    # A grid worker sees their grid's figures, not the whole town's record.
    worker = ok(api("worker_b").get(f"/api/v1/emergency/emergencies/{west}"))
    assert worker["final"] is None and worker["tasks"] == total  # the town has one grid


def test_a_district_emergency_counts_per_street(api, world):
    from wangge.emergency.testing import emergency_ledgers

    emergency_ledgers(world)
    emergency_id = ok(activate(api("district"), "440704"), 201)["id"]
    rows = ok(api("district").get(f"/api/v1/emergency/emergencies/{emergency_id}/coverage"))["rows"]
    assert [(r["code"], r["level"]) for r in rows] == [
        ("440704001", "street"),
        ("440704001001", "community"),
        (GRID_A, "grid"),
        (GRID_A2, "grid"),
        ("440704002", "street"),
        ("440704002001", "community"),
        (GRID_B, "grid"),
    ]
    # The east street sees the district's emergency, but only its own rows and tasks.
    street = ok(api("street").get(f"/api/v1/emergency/emergencies/{emergency_id}/coverage"))
    assert [r["code"] for r in street["rows"]] == ["440704001", "440704001001", GRID_A, GRID_A2]
    assert street["tasks"] == 8
    # …and may not switch the district back.
    answer = post(api("street"), f"/api/v1/emergency/emergencies/{emergency_id}/deactivate")
    assert answer.status_code == 403


def test_out_of_scope_answers_exactly_like_missing(api, samples):
    client = api("street_b")
    east = samples[EAST]
    task = Task.objects.filter(emergency_id=east).first()
    for template in (
        "/api/v1/emergency/emergencies/{e}",
        "/api/v1/emergency/emergencies/{e}/coverage",
        "/api/v1/emergency/emergencies/{e}/tasks",
        "/api/v1/emergency/tasks/{t}",
    ):
        hidden = client.get(template.format(e=east, t=task.pk))
        missing = client.get(template.format(e=999999, t=999999))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
    body = {"request_id": rid(), "task_id": task.pk, "outcome": "notified"}
    out = post(api("worker_b"), "/api/v1/emergency/outcomes", body)
    missing = post(
        api("worker_b"),
        "/api/v1/emergency/outcomes",
        {**body, "task_id": 999999, "request_id": rid()},
    )
    assert out.status_code == missing.status_code == 404
    assert out.json() == missing.json()


def test_anonymous_callers_are_refused(client, samples):
    assert client.get("/api/v1/emergency/emergencies").status_code == 401
    assert (
        client.post("/api/v1/emergency/outcomes", {}, content_type="application/json").status_code
        == 401
    )


CODE_IN_TEXT = re.compile(r"(?<![0-9])4407[0-9]{2,14}(?![0-9])")


@pytest.mark.parametrize("username", sorted(USERS))
def test_no_answer_names_a_place_the_user_may_not_see(api, world, samples, username):
    """As the project-wide leak test: every code in an answer is in the user's map, or an
    ancestor of one of their own nodes."""
    scope = scope_for(world[username])
    own = {a for root in scope.map_roots for a in codes.ancestors_of(root)}

    def allowed(code):
        return scope.is_global or code in own or any(code.startswith(r) for r in scope.map_roots)

    client = api(username)
    paths = [
        "/api/v1/emergency/catalogue",
        "/api/v1/emergency/emergencies?limit=500",
        "/api/v1/emergency/tasks?limit=500&open=false",
    ]
    for pk in samples:
        paths += [
            f"/api/v1/emergency/emergencies/{pk}",
            f"/api/v1/emergency/emergencies/{pk}/coverage",
            f"/api/v1/emergency/emergencies/{pk}/tasks?limit=500",
        ]
    paths += [f"/api/v1/emergency/tasks/{pk}" for pk in Task.objects.values_list("pk", flat=True)]
    for path in paths:
        text = client.get(path).content.decode()
        leaked = [c for c in CODE_IN_TEXT.findall(text) if not allowed(c)]
        assert not leaked, (path, leaked)
