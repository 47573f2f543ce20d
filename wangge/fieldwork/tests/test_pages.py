"""The today page, the menu tab, the service worker, the manifest and the offline page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from wangge.fieldwork import views, worklist
from wangge.fieldwork.tests import providers
from wangge.fieldwork.worklist import WorkItem
from wangge.testing import GRID_A, GRID_B

PROVIDER = "wangge.fieldwork.tests.providers:work_items"


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def items(monkeypatch):
    """Work items of grids A and B, from the test provider only."""
    now = timezone.now()
    providers.ITEMS[:] = [
        WorkItem(
            kind="campaign",
            title="敲门行动：礼华街 3 号 201",
            url="/campaigns/7/mine/",
            region_code=GRID_A + "001",
            due_at=now + timedelta(days=2),
            detail="冬季消防安全摸排",
        ),
        WorkItem(
            kind="arrival",
            title="返乡人员回访：陈某",
            url="/arrivals/3/",
            region_code=GRID_A,
            due_at=now - timedelta(hours=3),
            overdue=True,
        ),
        WorkItem(kind="care", title="探访独居老人", url="/care/9/", region_code=GRID_A),
        WorkItem(
            kind="inspection",
            title="燃气复查：海港餐厅",
            url="/inspections/4/",
            region_code=GRID_B,
            due_at=now + timedelta(hours=1),
        ),
        WorkItem(
            kind="emergency",
            title="外链不缓存",
            url="https://example.org/x",
            region_code=GRID_A,
        ),
    ]
    monkeypatch.setattr(worklist, "PROVIDERS", (PROVIDER,))
    yield providers.ITEMS
    providers.ITEMS.clear()


def titles(response) -> list[str]:
    return re.findall(r'<span class="ev-title">([^<]+)</span>', html(response))


def test_it_lists_the_workers_items_overdue_first(ew, login, items):
    response = login("worker_a").get("/fieldwork/")
    assert response.status_code == 200
    assert titles(response) == [
        "返乡人员回访：陈某",
        "敲门行动：礼华街 3 号 201",
        "外链不缓存",
        "探访独居老人",
    ]
    page = html(response)
    assert page.index('data-testid="today-overdue"') < page.index('data-testid="today-later"')
    assert 'class="ev-item today-item is-overdue"' in page
    assert "燃气复查" not in page  # grid B is not worker A's
    # What the phone keeps for offline use: today, the report form, the items' own pages.
    pages = json.loads(re.search(r'id="offline-pages"[^>]*>([^<]+)<', page).group(1))
    assert pages == [
        "/fieldwork/",
        "/events/new/",
        "/arrivals/3/",
        "/campaigns/7/mine/",
        "/care/9/",
    ]
    # The outbox panel is there for the script to fill.
    assert "data-outbox-panel" in page and 'rel="manifest"' in page


def test_it_shows_each_user_the_items_of_their_scope(ew, login, items):
    assert titles(login("worker_b").get("/fieldwork/")) == ["燃气复查：海港餐厅"]
    assert len(titles(login("street").get("/fieldwork/"))) == 4
    assert len(titles(login("admin").get("/fieldwork/"))) == 5
    assert titles(login("other_district").get("/fieldwork/")) == []
    assert 'data-testid="today-empty"' in html(login("other_district").get("/fieldwork/"))


def test_it_groups_items_due_today(ew, login, items):
    page = html(login("worker_b").get("/fieldwork/"))
    local = timezone.localtime(items[3].due_at)
    if local.date() == timezone.localtime().date():
        assert 'data-testid="today-today"' in page
    else:  # an hour before midnight: due tomorrow
        assert 'data-testid="today-later"' in page


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("worker_a", 200),
        ("worker_a2", 200),
        ("part_time_a", 200),
        ("community", 200),
        ("street", 200),
        ("district", 200),
        ("admin", 200),
        ("dept", 403),
        ("resident", 403),
    ],
)
def test_it_opens_the_today_page_to_those_who_work_in_the_tree(ew, login, username, status):
    assert login(username).get("/fieldwork/").status_code == status


def test_it_sends_anonymous_visitors_to_the_login_page(db):
    response = Client().get("/fieldwork/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def nav(response) -> list[str]:
    return re.findall(r'data-nav="([a-z]+)"', html(response))


@pytest.mark.parametrize(
    ("username", "shown"),
    [
        ("worker_a", True),
        ("part_time_a", True),
        ("street", False),
        ("community", False),
        ("dept", False),
        ("resident", False),
    ],
)
def test_it_gives_field_workers_a_today_tab(ew, login, username, shown):
    response = login(username).get("/events/mine/")
    assert ("today" in nav(response)) is shown
    if shown:
        assert nav(response)[:2] == ["home", "today"]
        assert 'href="/fieldwork/"' in html(response)
        today = login(username).get("/fieldwork/")
        assert 'data-nav="today" aria-current="page"' in html(today)


# --- the service worker, the manifest, the offline page -------------------------------------


@pytest.fixture
def built():
    if not finders.find("sw.js"):
        pytest.fail("the frontend is not built: run `npm install && npm run build` (or `make`).")


def sw_config(response) -> dict:
    first = response.content.decode().split("\n", 1)[0]
    assert first.startswith("self.WANGGE_SW = ") and first.endswith(";")
    return json.loads(first[len("self.WANGGE_SW = ") : -1])


def test_it_serves_the_service_worker_from_the_root(db, built):
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    config = sw_config(response)
    assert config["precache"] == [
        "/static/app.js",
        "/static/app.css",
        "/static/fieldwork/icons/icon-192.png",
        "/static/fieldwork/icons/icon-512.png",
        "/static/fieldwork/icons/icon-maskable-512.png",
        "/fieldwork/manifest.webmanifest",
        "/fieldwork/offline/",
    ]
    assert config["offline"] == "/fieldwork/offline/"
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert "^/events/new/$" in config["pages"] and "^/campaigns/" in config["pages"]
    # The pages' patterns are kept as they are, for JavaScript's RegExp.
    for pattern in config["pages"]:
        re.compile(pattern)
    body = response.content.decode()
    assert "addEventListener" in body and "fetch" in body
    # Every file of the shell is there to be cached (static files: served by whitenoise).
    for url in config["precache"]:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert Client().get(url).status_code == 200, url


def test_it_changes_the_service_worker_version_with_the_shell(db, built, tmp_path, monkeypatch):
    before = sw_config(Client().get("/sw.js"))["version"]
    assert sw_config(Client().get("/sw.js"))["version"] == before
    # Another build of app.js: same names, other contents.
    copy = tmp_path / "build"
    copy.mkdir()
    for name in ("sw.js", "app.js", "app.css"):
        (copy / name).write_bytes(open(finders.find(name), "rb").read())
    (copy / "app.js").write_text("console.log('a new build');")
    monkeypatch.setattr(views.finders, "find", lambda name: str(copy / name))
    assert sw_config(Client().get("/sw.js"))["version"] != before


def test_it_describes_the_app_in_its_manifest(db):
    response = Client().get("/fieldwork/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "网格通" and data["short_name"] == "网格通"
    assert data["lang"] == "zh-CN" and data["start_url"] == "/fieldwork/" and data["scope"] == "/"
    assert data["display"] == "standalone"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    from PIL import Image

    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_it_shows_an_offline_page_with_nobodys_data(ew, login):
    response = login("worker_a").get("/fieldwork/offline/")
    assert response.status_code == 200
    page = html(response)
    assert 'data-testid="offline-page"' in page
    assert ew["worker_a"].display_name not in page and "logout" not in page
    assert Client().get("/fieldwork/offline/").status_code == 200


def test_every_item_of_the_real_providers_is_labelled_in_words(ew, login):
    # The "553" checklist of worker A's grid is on the list, called by its name.
    page = html(login("worker_a").get("/fieldwork/"))
    shown = re.findall(
        r'data-kind="([^"]+)" data-testid="today-item">\s*<a[^>]*>\s*<span class="ev-top">\s*'
        r'<span class="today-kind">([^<]+)</span>',
        page,
    )
    assert ("workforce", "“553”工作清单") in shown
    assert all(label != kind for kind, label in shown), shown
