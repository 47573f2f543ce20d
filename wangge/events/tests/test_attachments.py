"""Photos: checked by decoding, served without metadata, the EXIF location kept server-side."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import ExifTags, Image

from wangge.accounts.actions import do_create_user
from wangge.accounts.tokens import issue_token
from wangge.audit.models import AuditEntry
from wangge.events.attachments import delete_unused_attachments
from wangge.events.models import Attachment, Event, EventStep
from wangge.testing import PASSWORD, POINT_A

from .conftest import act, ok, photo_bytes, photo_id, report, upload

GPS = (113.0212, 22.0537)


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def served(client, body):
    response = client.get(body["url"])
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def test_it_serves_the_photo_without_exif_but_keeps_the_location(ew, client_for, media):
    worker = client_for("worker_a")
    original = photo_bytes(gps=GPS, orientation=6, make="SecretCam")
    assert b"SecretCam" in original
    uploaded = upload(worker, original, name="我的照片.jpg")
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    assert body["event_id"] is None and body["url"] is None
    assert (body["kind"], body["content_type"]) == ("report", "image/jpeg")
    # The camera's orientation is applied: 40×20 turned upright is 20×40.
    assert (body["width"], body["height"]) == (20, 40)
    assert not {"gps_lng", "gps_lat", "taken_at"} & set(body)

    created = ok(report(worker, attachments=[body["id"]]), 201)
    photos = created["timeline"][0]["attachments"]
    assert [p["id"] for p in photos] == [body["id"]]
    response, data = served(worker, photos[0])
    assert response["Content-Type"] == "image/jpeg"
    assert response["ETag"] == f'"{body["sha256"]}"'
    assert b"SecretCam" not in data and b"Exif" not in data
    image = Image.open(io.BytesIO(data))
    assert image.size == (20, 40)
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.gps_lng == pytest.approx(GPS[0], abs=1e-4)
    assert attachment.gps_lat == pytest.approx(GPS[1], abs=1e-4)
    assert timezone.localtime(attachment.taken_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 09:30"
    assert attachment.event_id == created["id"]
    assert attachment.step == EventStep.objects.get(event_id=created["id"], action="report")
    assert attachment.size == len(data) and attachment.uploader == ew["worker_a"]
    # Stored under MEDIA_ROOT with a random name: nothing of the uploader's file name.
    (path,) = stored_files(media)
    assert path.read_bytes() == data
    assert "照片" not in str(path) and "IMG" not in str(path) and path.suffix == ".jpg"


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_it_accepts_png_and_webp_and_strips_them_too(ew, client_for, media, fmt, content_type):
    worker = client_for("worker_a")
    response = upload(worker, photo_bytes(fmt, gps=GPS, make="SecretCam"), name="x.jpg")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == content_type
    created = ok(report(worker, attachments=[body["id"]]), 201)
    _, data = served(worker, created["timeline"][0]["attachments"][0])
    assert b"SecretCam" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == fmt and len(image.getexif()) == 0
    assert Attachment.objects.get(pk=body["id"]).gps_lat == pytest.approx(GPS[1], abs=1e-4)


def _refused(response, message):
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["file"]
    assert message in body["fields"]["file"][0]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just some text, not a photo\n" * 10, "photo.jpg", "文件不是可识别的图片"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.png", "文件不是可识别的图片"),
        (b"", "empty.jpg", "文件为空"),
    ],
)
def test_it_refuses_what_is_not_an_image_whatever_its_name(
    ew, client_for, media, data, name, message
):
    _refused(upload(client_for("worker_a"), data, name=name), message)
    assert not Attachment.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_it_refuses_other_image_formats(ew, client_for, media, fmt):
    response = upload(client_for("worker_a"), photo_bytes(fmt), name="photo.jpg")
    _refused(response, f"不支持的图片格式（{fmt}）：仅支持 JPEG、PNG、WebP")
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_it_refuses_an_oversized_file(ew, client_for, media, settings):
    settings.MAX_PHOTO_MB = 1
    big = photo_bytes() + b"\0" * (1024 * 1024)
    _refused(upload(client_for("worker_a"), big), "照片过大：不能超过 1 MB")
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert not AuditEntry.objects.filter(action="events.upload_attachment").exists()


def test_it_refuses_too_many_pixels_and_broken_files(ew, client_for, media, settings):
    worker = client_for("worker_a")
    settings.MAX_PHOTO_PIXELS = 500
    _refused(upload(worker, photo_bytes(size=(40, 20))), "图片尺寸过大（40×20）")
    settings.MAX_PHOTO_PIXELS = 50_000_000
    truncated = photo_bytes(size=(400, 300))[:-400]
    _refused(upload(worker, truncated), "图片已损坏或不完整")
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_it_names_missing_and_bad_fields(ew, client_for, media):
    worker = client_for("worker_a")
    missing = worker.post("/api/v1/events/attachments", {"kind": "report"})
    assert missing.status_code == 422 and "file" in missing.json()["fields"]
    file = SimpleUploadedFile("a.jpg", photo_bytes())
    bad_kind = worker.post("/api/v1/events/attachments", {"file": file, "kind": "selfie"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["fields"]
    assert not Attachment.objects.exists()


def test_it_lets_only_people_with_event_rights_upload(ew, client_for, media):
    assert upload(Client()).status_code == 401
    nobody = do_create_user(username="nobody", password=PASSWORD, display_name="无角色", actor=None)
    key, _ = issue_token(nobody)
    response = upload(Client(headers={"Authorization": f"Bearer {key}"}))
    assert response.status_code == 403
    for username in ("resident", "dept", "worker_a", "street"):
        assert upload(client_for(username)).status_code == 201, username


def test_it_answers_404_to_users_who_cannot_see_the_event(ew, client_for, media):
    worker = client_for("worker_a")
    created = ok(report(worker, attachments=[photo_id(worker)]), 201)
    url = created["timeline"][0]["attachments"][0]["url"]
    for username in ("worker_a", "community", "street", "district", "admin"):
        assert client_for(username).get(url).status_code == 200, username
    for username in ("worker_b", "street_b", "other_district", "dept", "resident"):
        response = client_for(username).get(url)
        assert response.status_code == 404, username
        assert response.json()["code"] == "not_found"
    assert Client().get(url).status_code == 401
    # A visible event does not open another event's photo.
    other = ok(report(worker), 201)
    attachment_id = created["timeline"][0]["attachments"][0]["id"]
    wrong = f"/api/v1/events/{other['id']}/attachments/{attachment_id}"
    assert worker.get(wrong).status_code == 404


def test_it_self_handles_with_before_and_after_photos(ew, client_for, media):
    worker = client_for("worker_a")
    before = photo_id(worker, "before")
    created = ok(report(worker, attachments=[before]), 201)
    after = [photo_id(worker, "after"), photo_id(worker, "after")]
    closed = ok(act(worker, created["id"], "self-handle", {"note": "已清理", "attachments": after}))
    assert closed["state"] == "closed" and closed["self_handled"] is True
    kinds = [[p["kind"] for p in s["attachments"]] for s in closed["timeline"]]
    assert kinds == [["before"], ["after", "after"]]
    assert closed["timeline"][1]["attachments"][0]["kind_label"] == "处置后"
    for step in closed["timeline"]:
        for photo in step["attachments"]:
            response, data = served(worker, photo)
            assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert EventStep.objects.get(action="self_handle").attachments == after
    # The street follows the event and sees its photos too.
    assert (
        client_for("street").get(closed["timeline"][1]["attachments"][1]["url"]).status_code == 200
    )


def test_it_refuses_photos_that_are_not_the_actors_to_use(ew, client_for, media):
    worker, other = client_for("worker_a"), client_for("worker_a2")
    mine = photo_id(worker)
    theirs = photo_id(other)
    response = report(worker, attachments=[theirs])
    assert response.status_code == 422
    assert "照片不存在或已被使用" in response.json()["fields"]["attachments"][0]
    assert not Event.objects.exists()
    # A verification photo is not a report photo.
    wrong_kind = report(worker, attachments=[photo_id(worker, "verify")])
    assert wrong_kind.json()["fields"] == {"attachments": ["「核查照片」照片不能用于上报"]}
    assert not Event.objects.exists()
    # Used once, a photo cannot be used again.
    ok(report(worker, attachments=[mine]), 201)
    again = report(worker, attachments=[mine])
    assert again.status_code == 422 and "attachments" in again.json()["fields"]
    # Ids only: free text is refused by name.
    text = report(worker, attachments=["photo-1"])
    assert text.status_code == 422 and "attachments.0" in text.json()["fields"]
    assert Event.objects.count() == 1
    assert Attachment.objects.get(pk=theirs).event_id is None


def test_it_takes_photos_with_feedback_and_verification(ew, client_for, media):
    worker, street, sz = client_for("worker_a"), client_for("street"), client_for("dept_sz")
    event_id = ok(report(worker), 201)["id"]
    ok(act(street, event_id, "register"))
    ok(act(street, event_id, "dispatch", {"department": "sz"}))
    ok(act(sz, event_id, "accept"))
    fed = ok(
        act(sz, event_id, "feedback", {"note": "已修复", "attachments": [photo_id(sz, "feedback")]})
    )
    assert [p["kind"] for p in fed["timeline"][-1]["attachments"]] == ["feedback"]
    closed = ok(
        act(
            worker,
            event_id,
            "verify",
            {"passed": True, "attachments": [photo_id(worker, "verify")]},
        )
    )
    assert [p["kind"] for p in closed["timeline"][-1]["attachments"]] == ["verify"]
    assert Attachment.objects.filter(event_id=event_id).count() == 2


def test_it_deletes_photos_nobody_used(ew, client_for, media):
    worker = client_for("worker_a")
    used = photo_id(worker)
    ok(report(worker, attachments=[used]), 201)
    unused = photo_id(worker)
    fresh = photo_id(worker)
    Attachment.objects.filter(pk__in=[used, unused]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    assert len(stored_files(media)) == 3
    assert delete_unused_attachments() == 1
    assert set(Attachment.objects.values_list("pk", flat=True)) == {used, fresh}
    assert len(stored_files(media)) == 2


def test_it_reports_with_a_photo_at_the_point(ew, client_for, media):
    worker = client_for("worker_a")
    created = ok(report(worker, point=POINT_A, attachments=[photo_id(worker, "report")]), 201)
    assert created["timeline"][0]["attachments"][0]["url"].startswith(
        f"/api/v1/events/{created['id']}/attachments/"
    )


def test_it_shows_the_exif_location_to_admins_only_in_the_admin(ew, client_for, login, media):
    worker = client_for("worker_a")
    created = ok(report(worker, attachments=[photo_id(worker, data=photo_bytes(gps=GPS))]), 201)
    page = login("admin").get(f"/admin/events/event/{created['id']}/change/")
    assert page.status_code == 200
    assert "22.0537" in page.content.decode()
    detail = ok(worker.get(f"/api/v1/events/{created['id']}"))
    assert "22.0537" not in str(detail) and "gps" not in str(detail)
