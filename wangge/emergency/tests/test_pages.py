"""The emergency pages through the Django test client: scope, one-tap outcomes, the outbox
markup, switching in and back, the polled coverage."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.emergency.models import Emergency, OutcomeRecord, Task
from wangge.emergency.testing import STREET, sample_emergencies
from wangge.testing import GRID_A, USERS

from .test_scope import ACTIVATES, RECORDS, SEES, TASKS_UNDER

EAST, WEST, OTHER = 0, 1, 2


@pytest.fixture
def samples(world):
    return sample_emergencies(world)


def html(response):
    return response.content.decode()


def listed(response, attr="data-emergency"):
    return {int(pk) for pk in re.findall(rf'{attr}="(\d+)"', html(response))}


def visible_tasks(username, emergency_ids):
    roots = TASKS_UNDER[username]
    return {
        t.pk
        for t in Task.objects.filter(emergency_id__in=emergency_ids)
        if roots is None or any(t.region_code.startswith(r) for r in roots)
    }


@pytest.mark.parametrize("username", sorted(USERS))
def test_it_shows_each_user_their_emergencies(login, samples, username):
    client = login(username)
    response = client.get("/emergency/")
    sees = {samples[i] for i in SEES[username]}
    if not SEES[username] and username not in ACTIVATES:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert listed(response) == sees
        assert ('data-testid="activate"' in html(response)) == (username in ACTIVATES)
    for pk in samples:
        wanted = 200 if pk in sees else 404
        assert client.get(f"/emergency/{pk}/").status_code == wanted
        assert client.get(f"/emergency/{pk}/coverage/").status_code == wanted
        tasks = client.get(f"/emergency/{pk}/tasks/?show=all")
        assert tasks.status_code == wanted
        if pk in sees:
            assert listed(tasks, "data-task") == visible_tasks(username, [pk])


@pytest.mark.parametrize("username", sorted(USERS))
def test_the_worker_page_lists_their_open_tasks(login, samples, username):
    client = login(username)
    response = client.get("/emergency/tasks/")
    if username not in RECORDS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    active = [pk for pk in samples if Emergency.objects.get(pk=pk).is_active]
    assert listed(response, "data-task") == visible_tasks(username, active)


def test_each_outcome_is_a_form_for_the_outbox(login, samples):
    response = login("worker_a").get("/emergency/tasks/")
    text = html(response)
    forms = re.findall(r"<form[^>]*data-outbox[^>]*>.*?</form>", text, re.S)
    tasks = Task.objects.filter(region_code__startswith=GRID_A, emergency__status="active")
    options = {"person": 5, "building": 5, "enterprise": 4}
    # One form per outcome button, and one with a note, per task.
    assert len(forms) == sum(options[t.target_kind] + 1 for t in tasks)
    request_ids = []
    for form in forms:
        assert 'data-outbox-url="/api/v1/emergency/outcomes"' in form
        assert 'method="post"' in form and 'action="/emergency/outcome/"' in form
        names = set(re.findall(r'name="([a-z_]+)"', form))
        assert {"request_id", "task_id", "outcome", "note"} <= names
        value = re.search(r'name="request_id" value="([^"]+)"', form).group(1)
        assert uuid.UUID(value).version == 4
        request_ids.append(value)
    assert len(set(request_ids)) == len(request_ids)
    assert "已通知" in text and "无人" in text and "应急甲" in text
    assert "137****0001" in text and "13700000001" not in text


def test_one_tap_records_the_outcome_once(login, samples):
    client = login("worker_a")
    task = Task.objects.filter(region_code__startswith=GRID_A, emergency_id=samples[EAST]).first()
    body = {
        "request_id": str(uuid.uuid4()),
        "task_id": task.pk,
        "outcome": "notified",
        "note": "",
        "next": "/emergency/tasks/?show=all",
    }
    response = client.post("/emergency/outcome/", body)
    assert response.status_code == 302
    assert response["Location"] == f"/emergency/tasks/?show=all#task-{task.pk}"
    task.refresh_from_db()
    assert task.covered and task.outcome.code == "notified" and task.outcome_by_label == "张伟"
    again = client.post("/emergency/outcome/", body, follow=True)
    assert "This outcome was already recorded." in html(again) or "该结果已记录" in html(again)
    assert OutcomeRecord.objects.filter(task=task).count() == 1
    # Covered tasks leave the default list and stay under "all".
    assert task.pk not in listed(client.get("/emergency/tasks/"), "data-task")
    assert task.pk in listed(client.get("/emergency/tasks/?show=all"), "data-task")
    # A wrong outcome is refused with its message, nothing stored.
    bad = client.post(
        "/emergency/outcome/",
        {**body, "request_id": str(uuid.uuid4()), "outcome": "x"},
        follow=True,
    )
    assert "该任务没有这种结果" in html(bad)
    assert OutcomeRecord.objects.filter(task=task).count() == 1
    # An unsafe "next" is not followed.
    elsewhere = client.post(
        "/emergency/outcome/",
        {**body, "request_id": str(uuid.uuid4()), "next": "https://evil.example/"},
    )
    assert elsewhere["Location"].startswith("/emergency/tasks/")


def test_outcomes_out_of_scope_or_without_the_right_are_refused(login, samples):
    task = Task.objects.filter(region_code__startswith=GRID_A, emergency_id=samples[EAST]).first()
    body = {"request_id": str(uuid.uuid4()), "task_id": task.pk, "outcome": "notified"}
    assert login("worker_b").post("/emergency/outcome/", body).status_code == 404
    assert login("worker_a2").post("/emergency/outcome/", body).status_code == 404
    assert login("street").post("/emergency/outcome/", body).status_code == 403
    assert login("resident").post("/emergency/outcome/", body).status_code == 403
    assert not OutcomeRecord.objects.filter(task=task).exists()


def test_archived_tasks_are_read_only_on_the_page(login, samples):
    west = samples[WEST]
    response = login("worker_b").get(f"/emergency/{west}/tasks/?show=all")
    assert response.status_code == 200
    assert 'data-testid="archived-note"' in html(response)
    assert "data-outbox" not in html(response)
    assert listed(response, "data-task") == visible_tasks("worker_b", [west])


def test_the_centre_switches_an_area_in_and_back(login, world):
    from wangge.emergency.testing import emergency_ledgers

    emergency_ledgers(world)
    client = login("street")
    page = client.get("/emergency/")
    request_id = re.search(r'name="request_id" value="([^"]+)"', html(page)).group(1)
    assert f'<option value="{STREET}">' in html(page)
    assert '<option value="440704002">' not in html(page)
    body = {
        "region_code": STREET,
        "kind": "typhoon",
        "title": "防御台风「马鞍」",
        "request_id": request_id,
    }
    response = client.post("/emergency/activate/", body)
    emergency = Emergency.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/emergency/{emergency.pk}/"
    assert emergency.task_count == 8
    # A double submit stores one emergency.
    assert client.post("/emergency/activate/", body).status_code == 302
    assert Emergency.objects.count() == 1
    detail = html(client.get(f"/emergency/{emergency.pk}/"))
    assert 'hx-trigger="every 10s"' in detail
    assert f'hx-get="/emergency/{emergency.pk}/coverage/"' in detail
    assert 'data-testid="deactivate"' in detail
    assert "0 of 8 tasks covered" in detail or "8 项任务中已落实 0 项" in detail
    # An overlapping area is refused with the reason on the page.
    nested = client.post(
        "/emergency/activate/", {**body, "region_code": "440704001001", "request_id": ""}
    )
    assert nested.status_code == 409
    assert "同一区域同一时间只能有一个应急状态" in html(nested)
    # Outside the street: refused like an area that does not exist.
    outside = client.post(
        "/emergency/activate/", {**body, "region_code": "440704002", "request_id": ""}
    )
    assert outside.status_code == 422
    assert "该区域不存在，或不在您可以启动应急状态的范围内" in html(outside)
    # Workers may not switch back; the street may.
    assert login("worker_a").post(f"/emergency/{emergency.pk}/deactivate/").status_code == 403
    assert login("street_b").post(f"/emergency/{emergency.pk}/deactivate/").status_code == 404
    back = client.post(f"/emergency/{emergency.pk}/deactivate/", {"note": "台风已过境"})
    assert back.status_code == 302
    emergency.refresh_from_db()
    assert emergency.status == "archived" and emergency.closing_note == "台风已过境"
    detail = html(client.get(f"/emergency/{emergency.pk}/"))
    assert "every 10s" not in detail and 'data-testid="deactivate"' not in detail
    assert 'data-testid="final"' in detail
    assert client.post(f"/emergency/{emergency.pk}/deactivate/").status_code == 409


def test_only_command_centres_may_post_an_activation(login, world):
    for username in sorted(USERS):
        response = login(username).post(
            "/emergency/activate/", {"region_code": STREET, "kind": "typhoon"}
        )
        if username in ACTIVATES:
            assert response.status_code in (302, 409, 422), username
        else:
            assert response.status_code == 403, username
    # Only those who hold the street (admin, district, street) switched it in; once.
    assert Emergency.objects.count() == 1


def test_the_coverage_part_shows_the_rows_the_user_sees(login, samples):
    east = samples[EAST]
    text = html(login("worker_a").get(f"/emergency/{east}/coverage/"))
    assert 'id="coverage"' in text and 'hx-trigger="every 10s"' in text
    assert set(re.findall(r'data-code="(\d+)"', text)) == {GRID_A}
    text = html(login("street").get(f"/emergency/{east}/coverage/"))
    assert set(re.findall(r'data-code="(\d+)"', text)) == {
        "440704001001",
        GRID_A,
        "440704001001002",
    }


def test_the_task_list_reads_in_a_bounded_number_of_queries(login, samples):
    client = login("community")

    def count(path):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    few = count("/emergency/tasks/")
    for i in range(40):
        Task.objects.create(
            emergency_id=samples[EAST],
            target_kind="person",
            target_id=100000 + i,
            region_code=GRID_A + "001",
            grid_code=GRID_A,
            label=f"加测{i}",
        )
    assert count("/emergency/tasks/") == few
    assert count(f"/emergency/{samples[EAST]}/") <= 12
