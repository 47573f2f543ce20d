import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wangge.accounts.actions import do_assign_role
from wangge.regions.actions import RegionSpec, do_create_regions
from wangge.testing import GRID_A, GRID_B, PASSWORD, box

DISTRICT = "440704"
STREET_1 = "440704001"
STREET_2 = "440704002"
COMMUNITY_1 = "440704001001"
COMMUNITY_2 = "440704002001"


def tree_codes(response):
    """Codes of the tree rows on an area page."""
    return re.findall(r'class="tree-item" data-region="(\d+)"', response.content.decode())


# --- landing --------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))
    assert client.get(f"/grid/{GRID_A}/").status_code == 302
    # The address people type out of habit leads to the same page, keeping where to go next.
    response = client.get("/accounts/login/", {"next": "/dashboards/"})
    assert response.status_code == 301
    assert response.url == reverse("web:login") + "?next=%2Fdashboards%2F"


@pytest.mark.parametrize(
    ("username", "target"),
    [
        ("worker_a", f"/grid/{GRID_A}/"),
        ("worker_b", f"/grid/{GRID_B}/"),
        ("part_time_a", f"/grid/{GRID_A}001/"),
        ("street", f"/area/{STREET_1}/"),
        ("community", f"/area/{COMMUNITY_1}/"),
        ("district", f"/area/{DISTRICT}/"),
        ("dept", "/me/"),
        ("resident", "/portal/"),
    ],
)
def test_it_lands_each_role_on_its_page(login, username, target):
    response = login(username).get("/")
    assert response.status_code == 302
    assert response.url == target


def test_it_shows_my_grid_to_a_grid_worker(login, world):
    response = login("worker_a").get(f"/grid/{GRID_A}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的网格" in html
    assert "东一网格" in html
    # breadcrumb: ancestors by name, not linked where the worker may not go
    for name in ("测试区", "东街道", "东社区"):
        assert f"<span>{name}</span>" in html
    # units of the grid, and the two workers' counts
    assert "第1单元" in html and "第2单元" in html
    assert "张伟" in html and "专职网格员" in html
    assert f'data-geojson="/area/{GRID_A}/geojson/"' in html


def test_it_counts_the_units_area_and_workers_of_a_grid(login, world):
    do_assign_role(
        user=world["worker_a2"], role="grid_worker", region=world.regions[GRID_A], actor=None
    )
    response = login("worker_a").get(f"/grid/{GRID_A}/")
    stats = {s.label: s.value for s in response.context["stats"]}
    assert stats["最小单元"] == "2"
    assert stats["网格员"] == "2"
    assert float(stats["面积（km²）"]) > 0
    assert [str(w) for w in response.context["workers"]] == ["张伟", "王芳"]


def test_it_offers_a_chooser_for_several_roots(login, world):
    client = login("admin")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/area/{DISTRICT}/"' in html
    assert 'href="/area/440703/"' in html


def test_it_shows_a_department_its_district_with_an_empty_state(login, world):
    response = login("dept").get("/me/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "城管局" in html
    assert f'data-geojson="/area/{DISTRICT}/geojson/"' in html
    assert 'data-testid="events-empty"' in html


def test_it_sends_someone_with_a_place_in_the_tree_from_me_to_their_page(login, world):
    for username in ("worker_a", "street"):
        response = login(username).get("/me/")
        assert response.status_code == 302 and response.url == "/", username


def test_it_shows_a_resident_their_district(login, world):
    html = login("resident").get("/me/").content.decode()
    assert "测试区" in html
    assert 'data-testid="events-empty"' in html


# --- scope ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/grid/{GRID_B}/",
        f"/area/{GRID_B}/",
        f"/area/{STREET_2}/",
        f"/area/{STREET_2}/geojson/",
        f"/area/{GRID_B}/geojson/",
        f"/area/{COMMUNITY_1}/",
        "/area/440703/",
        "/grid/999999001001001/",
        "/grid/not-a-code/",
    ],
)
def test_it_answers_404_outside_a_workers_scope(login, path):
    client = login("worker_a")
    assert client.get(path).status_code == 404
    assert client.get(path, headers={"HX-Request": "true"}).status_code == 404


def test_it_shows_a_street_only_its_communities(login, world):
    client = login("street")
    response = client.get(f"/area/{STREET_1}/")
    assert response.status_code == 200
    assert tree_codes(response) == [COMMUNITY_1]
    assert "西村" not in response.content.decode()
    assert client.get(f"/area/{DISTRICT}/").status_code == 404
    assert client.get(f"/area/{COMMUNITY_2}/").status_code == 404


def test_it_loads_tree_children_as_a_fragment(login, world):
    client = login("street")
    response = client.get(f"/area/{COMMUNITY_1}/children/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert tree_codes(response) == [GRID_A, "440704001001002"]
    # without htmx the same address leads to the node's page
    plain = client.get(f"/area/{COMMUNITY_1}/children/")
    assert plain.status_code == 302 and plain.url == f"/area/{COMMUNITY_1}/"


def test_it_links_the_tree_for_browsers_without_javascript(login, world):
    html = login("district").get(f"/area/{DISTRICT}/").content.decode()
    assert f'href="/area/{STREET_1}/"' in html
    assert f'hx-get="/area/{STREET_1}/children/"' in html
    assert "1 个社区" in html and "2 个网格" in html


def test_it_redirects_between_grid_and_area_pages_by_level(login, world):
    client = login("street")
    assert client.get(f"/area/{GRID_A}/").url == f"/grid/{GRID_A}/"
    assert client.get(f"/grid/{COMMUNITY_1}/").url == f"/area/{COMMUNITY_1}/"


def test_it_serves_scoped_geojson(login, world):
    client = login("street")
    data = client.get(f"/area/{STREET_1}/geojson/").json()
    assert data["type"] == "FeatureCollection"
    roles = [(f["properties"]["role"], f["id"]) for f in data["features"]]
    assert roles == [("node", STREET_1), ("child", COMMUNITY_1)]
    child = data["features"][1]
    assert child["properties"]["url"] == f"/area/{COMMUNITY_1}/"
    assert child["geometry"]["type"] == "Polygon"

    grid = login("worker_a").get(f"/area/{GRID_A}/geojson/").json()
    units = [f for f in grid["features"] if f["properties"]["role"] == "child"]
    assert [u["id"] for u in units] == [f"{GRID_A}001", f"{GRID_A}002"]
    assert all(u["properties"]["point"] and u["properties"]["url"] is None for u in units)


def test_it_shows_no_geojson_to_anonymous_visitors(client, world):
    assert client.get(f"/area/{DISTRICT}/geojson/").status_code == 302


# --- sign in and out ----------------------------------------------------------------


def test_it_signs_in_through_the_form(client, world):
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = client.post("/login/", {"username": "worker_a", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").url == f"/grid/{GRID_A}/"


def test_it_follows_next_after_sign_in(client, world):
    response = client.post(
        f"/login/?next=/area/{COMMUNITY_1}/",
        {"username": "street", "password": PASSWORD, "next": f"/area/{COMMUNITY_1}/"},
    )
    assert response.url == f"/area/{COMMUNITY_1}/"


def test_it_says_wrong_username_or_password(client, world):
    response = client.post("/login/", {"username": "worker_a", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    response = client.post("/login/", {"username": "nobody", "password": "nope"})
    assert "用户名或密码错误" in response.content.decode()


def test_it_locks_out_after_the_failure_limit(client, world):
    limit = settings.LOGIN_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = client.post("/login/", {"username": "worker_a", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": "worker_a", "password": "wrong"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    # even the right password is refused while locked
    response = client.post("/login/", {"username": "worker_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # another account is not affected
    assert (
        Client().post("/login/", {"username": "worker_b", "password": PASSWORD}).status_code == 302
    )


def test_it_answers_an_api_lockout_in_json(client, world):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/login/", {"username": "worker_a", "password": "wrong"})
    response = client.post(
        "/api/v1/auth/token",
        {"username": "worker_a", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_it_signs_out_with_a_post_only(login):
    client = login("worker_a")
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == reverse("web:login")
    assert client.get("/").status_code == 302
    assert client.get("/").url.startswith("/login/")


# --- page furniture -----------------------------------------------------------------


def test_it_puts_the_csrf_token_in_htmx_headers(login):
    html = login("street").get(f"/area/{STREET_1}/").content.decode()
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'", html)
    assert 'name="viewport"' in html
    assert "/static/app.js" in html and "/static/app.css" in html
    assert "//cdn" not in html and "unpkg" not in html


def test_it_switches_to_english(login):
    client = login("worker_a")
    assert "我的网格" in client.get(f"/grid/{GRID_A}/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": f"/grid/{GRID_A}/"})
    assert response.status_code == 302
    html = client.get(f"/grid/{GRID_A}/").content.decode()
    assert "My grid" in html and "Minimal units" in html and "Grid worker" in html
    assert '<html lang="en">' in html
    assert "我的网格" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "我的网格" in client.get(f"/grid/{GRID_A}/").content.decode()


def test_it_adds_a_tile_layer_only_when_configured(login, settings):
    client = login("street")
    assert "data-tile-url" not in client.get(f"/area/{STREET_1}/").content.decode()
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example"
    html = client.get(f"/area/{STREET_1}/").content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "© Example" in html


# --- queries ------------------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_it_reads_an_area_page_in_a_constant_number_of_queries(login, world):
    client = login("district")
    before = _queries(client, f"/area/{DISTRICT}/")
    assert before <= 12
    # two more streets, each with a community, two grids and their units
    specs = []
    for s in (3, 4):
        street = f"{DISTRICT}{s:03d}"
        specs.append(RegionSpec(street, f"新街道{s}", box(113.0, 22.0, 113.2, 22.2), kind="street"))
        community = f"{street}001"
        specs.append(
            RegionSpec(community, f"新社区{s}", box(113.0, 22.0, 113.2, 22.2), kind="community")
        )
        for g in (1, 2):
            grid = f"{community}{g:03d}"
            specs.append(
                RegionSpec(
                    grid,
                    f"新网格{s}-{g}",
                    box(113.0 + 0.1 * (g - 1), 22.0, 113.1 + 0.1 * (g - 1), 22.2),
                )
            )
            specs.append(
                RegionSpec(
                    f"{grid}001",
                    "单元",
                    box(113.0 + 0.1 * (g - 1), 22.0, 113.1 + 0.1 * (g - 1), 22.2),
                    point=(113.05 + 0.1 * (g - 1), 22.1),
                )
            )
    do_create_regions(specs, actor=None)
    assert _queries(login("district"), f"/area/{DISTRICT}/") == before
    assert _queries(login("district"), f"/area/{DISTRICT}/geojson/") <= 8
    assert _queries(login("worker_a"), f"/grid/{GRID_A}/") <= 12


def test_it_keeps_chinese_for_an_english_browser_until_switched(client, world, settings):
    settings.MIDDLEWARE = [
        "wangge.web.middleware.ChosenLanguageMiddleware"
        if m == "django.middleware.locale.LocaleMiddleware"
        else m
        for m in settings.MIDDLEWARE
    ]
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    html = client.get("/login/", headers=english_browser).content.decode()
    assert "用户名" in html and '<html lang="zh-CN">' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get("/login/", headers=english_browser).content.decode()
    assert "Username" in html and '<html lang="en">' in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert "用户名" in client.get("/login/").content.decode()
