"""The notifications API and page: only one's own notifications, unread first."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from wangge.notifications.models import Notification


def make(user, title, *, read=False):
    return Notification.objects.create(
        recipient=user,
        kind="dispatched",
        title=title,
        body="",
        link="/events/1/",
        read_at=timezone.now() if read else None,
    )


def test_anonymous_is_401():
    client = Client()
    for path in ("/api/v1/notifications", "/api/v1/notifications/unread-count"):
        assert client.get(path).status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401
    assert client.post("/api/v1/notifications/1/read").status_code == 401


def test_list_is_mine_unread_first(world, api):
    old_unread = make(world["dept"], "旧的未读")
    read = make(world["dept"], "已读", read=True)
    new_unread = make(world["dept"], "新的未读")
    make(world["street"], "别人的")
    data = api("dept").get("/api/v1/notifications").json()
    assert data["count"] == 3
    assert [i["id"] for i in data["items"]] == [new_unread.pk, old_unread.pk, read.pk]
    assert data["items"][0]["unread"] is True and data["items"][0]["kind_label"] == "新派遣事件"
    only = api("dept").get("/api/v1/notifications?unread=true").json()
    assert {i["id"] for i in only["items"]} == {new_unread.pk, old_unread.pk}
    assert api("dept").get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    assert api("worker_a").get("/api/v1/notifications").json()["count"] == 0


def test_read_one_and_all(world, api):
    a = make(world["dept"], "一")
    make(world["dept"], "二")
    theirs = make(world["street"], "别人的")
    client = api("dept")
    response = client.post(f"/api/v1/notifications/{a.pk}/read")
    assert response.status_code == 200 and response.json()["unread"] is False
    first_read = response.json()["read_at"]
    assert client.post(f"/api/v1/notifications/{a.pk}/read").json()["read_at"] == first_read
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_users_notification_is_not_found(world, api):
    theirs = make(world["street"], "别人的")
    for user in ("dept", "district", "admin", "resident"):
        response = api(user).post(f"/api/v1/notifications/{theirs.pk}/read")
        assert response.status_code == 404, user
        assert response.json()["code"] == "not_found"
    assert api("dept").post("/api/v1/notifications/999999/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_page_lists_mine_and_opens_the_link(world, login):
    mine = make(world["dept"], "我的通知")
    make(world["street"], "别人的通知")
    client = login("dept")
    page = client.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "我的通知" in html and "别人的通知" not in html
    response = client.post(f"/notifications/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/events/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_page_scope(world, login):
    theirs = make(world["street"], "别人的")
    assert login("dept").post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert login("dept").get(f"/notifications/{theirs.pk}/open/").status_code == 405
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().post("/notifications/read-all/").status_code == 302
    make(world["dept"], "x")
    make(world["dept"], "y")
    assert login("dept").post("/notifications/read-all/").status_code == 302
    assert Notification.objects.filter(recipient=world["dept"], read_at=None).count() == 0
    assert Notification.objects.filter(recipient=world["street"], read_at=None).count() == 1


def test_bell_shows_the_unread_count(world, rf):
    from django.template import Context, Template

    make(world["dept"], "一")
    make(world["dept"], "二")
    make(world["dept"], "三", read=True)
    template = Template("{% load notification_tags %}{% notification_bell %}")
    request = rf.get("/")
    request.user = world["dept"]
    html = template.render(Context({"request": request}))
    assert 'data-testid="bell-count">2<' in html and 'href="/notifications/"' in html
    # A drawn bell, not an emoji: district PCs often have no colour-emoji font.
    assert "<svg" in html and "\U0001f514" not in html
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert template.render(Context({"request": request})) == ""
