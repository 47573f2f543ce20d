"""What the phone's outbox relies on: the session + CSRF API, photos stored once per request id,
and the report page taking a photo without JavaScript."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wangge.audit.models import AuditEntry
from wangge.events import attachments
from wangge.events.models import Attachment, Event
from wangge.fieldwork.tests.conftest import photo_bytes, stored_files
from wangge.testing import GRID_A, POINT_A, POINT_OUTSIDE


def report_body(**extra):
    body = {
        "category": "0601",
        "description": "井盖松动，车辆经过时哐哐响",
        "lng": POINT_A[0],
        "lat": POINT_A[1],
        "request_id": uuid.uuid4().hex,
    }
    body.update(extra)
    return body


def upload(client: Client, request_id: str = "", data: bytes | None = None, **headers):
    file = SimpleUploadedFile("IMG_0001.jpg", photo_bytes() if data is None else data)
    body = {"file": file, "kind": "report"}
    if request_id:
        body["request_id"] = request_id
    return client.post("/api/v1/events/attachments", body, **headers)


# --- the session and its CSRF token (the phone's pages) --------------------------------------


def csrf_token(client: Client) -> str:
    page = client.get("/events/new/").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_the_api_takes_the_session_with_the_csrf_header(ew, csrf_login, media):
    client = csrf_login("worker_a")
    body = report_body()
    refused = client.post("/api/v1/events", body, content_type="application/json")
    assert refused.status_code == 403 and not Event.objects.exists()
    token = csrf_token(client)
    created = client.post(
        "/api/v1/events", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert created.status_code == 201, created.content.decode()
    again = client.post(
        "/api/v1/events", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert Event.objects.get().reporter == ew["worker_a"]
    # Photos too.
    assert upload(client, "p1").status_code == 403
    assert upload(client, "p1", HTTP_X_CSRFTOKEN=token).status_code == 201


def test_the_api_refuses_a_visitor_without_a_session(ew):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/events", report_body(), content_type="application/json"
    )
    assert response.status_code in (401, 403) and not Event.objects.exists()


# --- photos stored once per request id -------------------------------------------------------


def test_it_stores_a_photo_once_per_request_id(ew, api, media):
    worker = api("worker_a")
    first = upload(worker, "rid-photo-0")
    assert first.status_code == 201
    again = upload(worker, "rid-photo-0")
    assert again.status_code == 200 and again.json() == first.json()
    # Even another file: the request id names the submission, the first one counts.
    other = upload(worker, "rid-photo-0", data=photo_bytes((0, 0, 255)))
    assert other.status_code == 200 and other.json()["id"] == first.json()["id"]
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1
    assert AuditEntry.objects.filter(action="events.upload_attachment").count() == 1
    # Without a request id every upload is a new photo; another id, another photo.
    assert upload(worker).status_code == 201 and upload(worker).status_code == 201
    assert upload(worker, "rid-photo-1").status_code == 201
    assert Attachment.objects.count() == 4


def test_it_keeps_request_ids_per_uploader(ew, api, media):
    mine = upload(api("worker_a"), "same-id").json()["id"]
    theirs = upload(api("worker_b"), "same-id")
    assert theirs.status_code == 201 and theirs.json()["id"] != mine
    assert Attachment.objects.get(pk=mine).uploader == ew["worker_a"]


def test_it_answers_with_the_photo_after_a_report_claimed_it(ew, api, media):
    """The phone lost the answer to the report: the next try uploads and reports again."""
    worker = api("worker_a")
    photo = upload(worker, "r9-photo-0").json()["id"]
    body = report_body(request_id="r9", attachments=[photo])
    created = worker.post("/api/v1/events", body, content_type="application/json")
    assert created.status_code == 201
    retried = upload(worker, "r9-photo-0")
    assert retried.status_code == 200 and retried.json()["id"] == photo
    again = worker.post("/api/v1/events", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert Event.objects.count() == 1 and Attachment.objects.count() == 1
    assert Attachment.objects.get().event_id == created.json()["id"]


def test_it_answers_a_racing_twin_with_the_first_photo(ew, media, monkeypatch):
    """Two identical uploads at once: the second insert hits the unique constraint."""
    worker = ew["worker_a"]
    first = attachments.store_attachment(
        SimpleUploadedFile("a.jpg", photo_bytes()), actor=worker, request_id="twin"
    )
    # The twin checked before the first was committed: it saw nothing.
    monkeypatch.setattr(attachments, "_uploaded", _once_none(attachments._uploaded))
    twin = attachments.store_attachment(
        SimpleUploadedFile("a.jpg", photo_bytes()), actor=worker, request_id="twin"
    )
    assert twin.created is False and twin.attachment.pk == first.attachment.pk
    assert first.created is True
    assert Attachment.objects.count() == 1
    assert len(stored_files(media)) == 1  # the twin's file was removed


def _once_none(real):
    calls = []

    def lookup(actor, request_id):
        calls.append(request_id)
        return None if len(calls) == 1 else real(actor, request_id)

    return lookup


def test_it_refuses_a_request_id_that_is_too_long(ew, api, media):
    response = upload(api("worker_a"), "x" * 65)
    assert response.status_code == 422 and "request_id" in response.json()["fields"]
    assert not Attachment.objects.exists()


# --- the report page with a photo, without JavaScript ----------------------------------------


def page_body(client: Client, **extra):
    page = client.get("/events/new/").content.decode()
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)
    body = {
        "category": "0601",
        "description": "井盖松动",
        "lng": str(POINT_A[0]),
        "lat": str(POINT_A[1]),
        "request_id": request_id,
    }
    body.update(extra)
    return body


def photo_file(color=(200, 40, 40)):
    return SimpleUploadedFile("IMG_0002.jpg", photo_bytes(color), content_type="image/jpeg")


def test_the_report_page_takes_a_photo_and_stores_it_once(ew, login, media):
    client = login("worker_a")
    page = client.get("/events/new/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photo"' in page
    assert 'data-outbox-url="/api/v1/events"' in page
    assert 'data-outbox-upload="/api/v1/events/attachments"' in page
    body = page_body(client)
    first = client.post("/events/new/", {**body, "photo": photo_file()})
    assert first.status_code == 302
    event = Event.objects.get()
    assert first.url == f"/events/{event.pk}/" and event.region_code.startswith(GRID_A)
    photo = Attachment.objects.get()
    assert photo.event == event and photo.uploader == ew["worker_a"] and photo.kind == "report"
    # A double tap: the same form again, photo and all.
    again = client.post("/events/new/", {**body, "photo": photo_file()})
    assert again.status_code == 302 and again.url == first.url
    assert Event.objects.count() == 1 and Attachment.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_the_report_page_shows_a_bad_photo_and_stores_nothing(ew, login, media):
    client = login("worker_a")
    body = page_body(client)
    bad = SimpleUploadedFile("notes.jpg", b"not a picture", content_type="image/jpeg")
    response = client.post("/events/new/", {**body, "photo": bad})
    assert response.status_code == 422
    assert "文件不是可识别的图片" in response.content.decode()
    assert not Event.objects.exists() and not Attachment.objects.exists()


def test_the_report_page_takes_another_photo_after_a_refusal(ew, login, media):
    client = login("worker_a")
    body = page_body(client, lng=str(POINT_OUTSIDE[0]), lat=str(POINT_OUTSIDE[1]))
    red, green = (200, 40, 40), (10, 200, 10)
    refused = client.post("/events/new/", {**body, "photo": photo_file(red)})
    assert refused.status_code == 422 and not Event.objects.exists()
    # Another photo on the next try is another photo…
    refused = client.post("/events/new/", {**body, "photo": photo_file(green)})
    assert refused.status_code == 422 and Attachment.objects.count() == 2
    # …and the first photo again is the one stored then: it goes with the report.
    fixed = {**body, "lng": str(POINT_A[0]), "lat": str(POINT_A[1])}
    done = client.post("/events/new/", {**fixed, "photo": photo_file(red)})
    assert done.status_code == 302
    event = Event.objects.get()
    assert Attachment.objects.count() == 2
    claimed = Attachment.objects.get(event=event)
    assert claimed.pk == Attachment.objects.order_by("pk").first().pk


@pytest.mark.parametrize("username", ["dept", "resident"])
def test_the_report_page_takes_photos_from_every_reporter(ew, login, media, username):
    client = login(username)
    body = page_body(client, description="路灯不亮")
    response = client.post("/events/new/", {**body, "photo": photo_file()})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Attachment.objects.get().event == Event.objects.get()


def test_it_answers_a_report_whose_twin_claimed_its_photo_meanwhile(ew, media, monkeypatch):
    """A phone tries again while its first try is still being answered: the first try stores
    the event and claims the photo between the second's request-id check and its photo
    check.  The second answers with the event, not with "photo already used"."""
    from wangge.events import actions

    worker = ew["worker_a"]
    photo = attachments.store_attachment(
        SimpleUploadedFile("a.jpg", photo_bytes()), actor=worker, request_id="twin-photo-0"
    ).attachment
    body = {
        "category": "0601",
        "description": "井盖松动",
        "lng": POINT_A[0],
        "lat": POINT_A[1],
        "request_id": "twin",
        "attachments": [photo.pk],
    }
    first = actions.do_report_event(actor=worker, **body)
    assert first.created
    # The twin checked its request id before the first try was committed: it saw nothing.
    monkeypatch.setattr(actions, "_reported", _once_none(actions._reported))
    twin = actions.do_report_event(actor=worker, **body)
    assert twin.created is False and twin.event.pk == first.event.pk
    assert Event.objects.count() == 1
    # Another request id with a used photo is still refused.
    with pytest.raises(actions.EventError) as refused:
        actions.do_report_event(actor=worker, **{**body, "request_id": "other"})
    assert "照片不存在或已被使用" in refused.value.fields["attachments"]
