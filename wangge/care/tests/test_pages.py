"""The care pages through the Django test client: scope, one-tap outcomes, history, coverage."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from wangge.care.actions import do_record_visit, generate_visit_tasks
from wangge.care.choices import TaskKind, TaskStatus
from wangge.care.models import VisitPhoto, VisitRecord, VisitTask
from wangge.events.models import Event
from wangge.people.models import Person
from wangge.testing import GRID_A, GRID_A2, GRID_B

from .conftest import UNIT_A, UNIT_B, UNIT_OTHER, bulk_people, make_person
from .test_api import PEOPLE, RECORDERS, SEES


@pytest.fixture
def people(world) -> dict[str, Person]:
    found = {
        label: make_person(f"关爱{label}", code, ["elderly_alone"])
        for label, code in PEOPLE.items()
    }
    generate_visit_tasks()
    return found


def html(response) -> str:
    return response.content.decode()


def listed(response, people) -> set[str]:
    by_pk = {p.pk: label for label, p in people.items()}
    return {by_pk[int(pk)] for pk in re.findall(r'data-person="(\d+)"', html(response))}


def tap(client, person: Person, outcome: str, **extra):
    data = {"outcome": outcome, "request_id": uuid.uuid4().hex, "next": "/care/"}
    data.update(extra)
    return client.post(f"/care/people/{person.pk}/visit/", data)


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_lists_and_opens_only_what_is_in_scope(login, people, username):
    client = login(username)
    response = client.get("/care/")
    if SEES[username] is None:
        assert response.status_code == 403
        assert client.get(f"/care/people/{people['a'].pk}/").status_code == 403
        assert client.get("/care/coverage/").status_code == 403
        assert tap(client, people["a"], "seen").status_code == 403
        return
    assert response.status_code == 200
    assert listed(response, people) == SEES[username]
    # One-tap outcomes only for those who record visits.
    assert ('data-outcome="seen"' in html(response)) is (username in RECORDERS)
    for label, person in people.items():
        page = client.get(f"/care/people/{person.pk}/")
        assert page.status_code == (200 if label in SEES[username] else 404), label
    assert client.get("/care/coverage/").status_code == 200


@pytest.mark.parametrize(
    ("username", "status"),
    [("worker_a", 302), ("community", 302), ("street", 403), ("district", 403)]
    + [(u, 404) for u in ("worker_b", "worker_a2", "street_b", "other_district")],
)
def test_it_lets_only_the_people_of_the_place_record(login, people, username, status):
    assert tap(login(username), people["a"], "seen").status_code == status
    assert VisitRecord.objects.count() == (1 if status == 302 else 0)


def test_it_records_with_one_tap_and_once_per_tap(login, people):
    client = login("worker_a")
    request_id = uuid.uuid4().hex
    response = tap(client, people["a"], "seen", request_id=request_id)
    assert response.status_code == 302 and response["Location"] == "/care/"
    again = tap(client, people["a"], "seen", request_id=request_id)
    assert again.status_code == 302
    assert VisitRecord.objects.count() == 1
    page = client.get("/care/")
    assert listed(page, people) == set()
    text = html(page)
    assert "已记录" in text or "already recorded" in text


def test_it_shows_the_follow_up_after_nobody_was_home(login, people):
    client = login("worker_a")
    response = tap(client, people["a"], "not_home")
    assert response.status_code == 302
    page = html(client.get("/care/", follow=True))
    assert "data-task" in page and 'data-outcome="not_home"' in page
    task = VisitTask.objects.get(person=people["a"], status=TaskStatus.OPEN)
    assert task.kind == TaskKind.FOLLOW_UP
    assert f'data-task="{task.pk}"' in page


def test_it_asks_what_help_is_needed(login, people):
    client = login("worker_a")
    response = tap(client, people["a"], "needs_help")
    assert response.status_code == 422
    assert "请说明需要什么帮助" in html(response)
    assert not VisitRecord.objects.exists()


def test_it_reports_help_from_the_list(ew, login, people):
    client = login("worker_a")
    response = tap(client, people["a"], "needs_help", note="腿脚不便，需要代购药品")
    assert response.status_code == 302
    event = Event.objects.get()
    page = html(client.get(f"/care/people/{people['a'].pk}/"))
    assert event.number in page and f"/events/{event.pk}/" in page
    assert "腿脚不便" in page


def test_it_ignores_a_next_elsewhere(login, people):
    response = tap(login("worker_a"), people["a"], "seen", next="https://evil.example/")
    assert response["Location"] == f"/care/people/{people['a'].pk}/"


def test_it_lists_overdue_visits_first(login, people, world):
    b2 = make_person("关爱b2", UNIT_B, ["disabled"])
    generate_visit_tasks()
    VisitTask.objects.filter(person=b2).update(
        due_on=timezone.localdate() - timezone.timedelta(days=2)
    )
    text = html(login("worker_b").get("/care/"))
    order = [int(pk) for pk in re.findall(r'data-person="(\d+)"', text)]
    assert order == [b2.pk, people["b"].pk]
    assert 'data-testid="overdue-count"' in text
    overdue_only = html(login("worker_b").get("/care/?overdue=1"))
    assert re.findall(r'data-person="(\d+)"', overdue_only) == [str(b2.pk)]


def test_it_shows_a_persons_history_and_records_with_a_photo(login, people):
    client = login("worker_a")
    person = people["a"]
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (1, 2, 3)).save(buffer, "JPEG")
    response = client.post(
        f"/care/people/{person.pk}/visit/",
        {
            "outcome": "seen",
            "note": "身体硬朗",
            "request_id": uuid.uuid4().hex,
            "photo": SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/care/people/{person.pk}/"
    visit = VisitRecord.objects.get()
    assert VisitPhoto.objects.get().visit == visit
    page = html(client.get(f"/care/people/{person.pk}/"))
    assert "身体硬朗" in page and "见到本人" in page and "独居老人" in page
    assert f"/care/visits/{visit.pk}/photo/" in page
    photo = client.get(f"/care/visits/{visit.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert login("worker_b").get(f"/care/visits/{visit.pk}/photo/").status_code == 404
    assert login("street").get(f"/care/visits/{visit.pk}/photo/").status_code == 200
    # The street sees the history, without the form to record.
    street = html(login("street").get(f"/care/people/{person.pk}/"))
    assert "身体硬朗" in street and 'data-testid="record"' not in street
    # In English, the outcome and the buttons are in English.
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = html(client.get(f"/care/people/{person.pk}/"))
    assert "Seen in person" in english and "Not at home" in english and "见到本人" not in english


def test_it_refuses_a_bad_photo_on_the_page(login, people):
    response = login("worker_a").post(
        f"/care/people/{people['a'].pk}/visit/",
        {
            "outcome": "seen",
            "request_id": uuid.uuid4().hex,
            "photo": SimpleUploadedFile("a.jpg", b"not a photo", "image/jpeg"),
        },
    )
    assert response.status_code == 422
    assert "文件不是可识别的图片" in html(response)
    assert not VisitRecord.objects.exists()


def test_it_shows_the_coverage_table(login, people):
    do_record_visit(people["a"], actor=None, outcome="seen")
    client = login("community")
    text = html(client.get("/care/coverage/"))
    assert 'data-row="440704001001"' in text
    text = html(client.get("/care/coverage/?under=440704001001"))
    assert f'data-row="{GRID_A}"' in text and f'data-row="{GRID_A2}"' in text
    assert f'data-row="{GRID_B}"' not in text
    assert re.search(r'data-figure="tagged">2<', text)
    assert re.search(r'data-figure="visited_on_time">1<', text)
    assert "50%" in text
    today = timezone.localdate()
    assert f'value="{today.replace(day=1).isoformat()}"' in text  # the period shown
    assert f'value="{today.isoformat()}"' in text
    assert client.get(f"/care/coverage/?under={GRID_B}").status_code == 404
    assert login("worker_a").get("/care/coverage/?under=440704001001").status_code == 404
    street = html(login("street").get("/care/coverage/?under=440704001"))
    assert 'data-row="440704001001"' in street and "?under=440704001001" in street
    bad = client.get("/care/coverage/?start=2026-03-05&end=2026-03-01")
    assert bad.status_code == 200 and "开始日期不能晚于结束日期" in html(bad)


def test_it_reads_the_list_in_a_bounded_number_of_queries(login, people):
    client = login("district")

    def count() -> int:
        client.get("/care/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/care/").status_code == 200
        return len(queries)

    small = count()
    bulk_people(40, UNIT_A, "elderly_alone", prefix="多人")
    generate_visit_tasks()
    assert count() == small


def test_it_never_lists_the_other_district(login, people):
    text = html(login("district").get("/care/"))
    assert str(people["other"].pk) not in re.findall(r'data-person="(\d+)"', text)
    assert UNIT_OTHER not in text
    assert login("district").get(f"/care/people/{people['other'].pk}/").status_code == 404
    assert UNIT_A in {p.region_code for p in Person.objects.filter(pk=people["a"].pk)}
