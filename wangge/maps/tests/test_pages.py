"""The map page for each role: where it opens, what it offers, what it refuses."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from wangge.testing import GRID_A, GRID_B

DISTRICT = "440704"
STREET_1 = "440704001"
STREET_2 = "440704002"
COMMUNITY_1 = "440704001001"


def config_of(response):
    found = re.search(
        r'<script id="cm-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the page carries no map settings"
    return json.loads(found.group(1))


def test_it_sends_anonymous_visitors_to_the_login_page(client, world):
    for path in ("/map/", f"/map/{GRID_A}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize(
    ("username", "target"),
    [
        ("district", f"/map/{DISTRICT}/"),
        ("street", f"/map/{STREET_1}/"),
        ("street_b", f"/map/{STREET_2}/"),
        ("community", f"/map/{COMMUNITY_1}/"),
        ("worker_a", f"/map/{GRID_A}/"),
        ("part_time_a", f"/map/{GRID_A}001/"),
        ("dept", f"/map/{DISTRICT}/"),
        ("other_district", "/map/440703/"),
    ],
)
def test_it_opens_the_map_on_the_users_node(login, username, target):
    response = login(username).get("/map/")
    assert response.status_code == 302
    assert response.url == target
    page = login(username).get(target)
    assert page.status_code == 200
    assert config_of(page)["node"] == target.strip("/").split("/")[-1]


def test_it_shows_an_administrator_every_district_first(login):
    response = login("admin").get("/map/")
    assert response.status_code == 200
    config = config_of(response)
    assert config["node"] is None
    assert config["several"] is True
    # The breadcrumb starts above the districts.
    assert 'href="/map/" data-code=""' in response.content.decode()


def test_it_refuses_residents(login):
    assert login("resident").get("/map/").status_code == 403
    assert login("resident").get(f"/map/{DISTRICT}/").status_code == 403


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("street", DISTRICT),
        ("street", STREET_2),
        ("street_b", GRID_A),
        ("worker_a", COMMUNITY_1),
        ("worker_a", GRID_B),
        ("other_district", DISTRICT),
        ("district", "440703"),
        ("district", "440704009"),
        ("district", "not-a-code"),
    ],
)
def test_it_answers_a_node_out_of_scope_like_a_missing_one(login, username, code):
    assert login(username).get(f"/map/{code}/").status_code == 404


def test_it_draws_the_page_of_a_node(login):
    response = login("district").get(f"/map/{GRID_A}/")
    html = response.content.decode()
    assert "<title>东一网格 · " in html
    # The breadcrumb leads back up, to the map of each ancestor.
    crumbs = re.findall(r'<a href="(/map/\d+/)">([^<]+)</a>', html)
    assert crumbs == [
        (f"/map/{DISTRICT}/", "测试区"),
        (f"/map/{STREET_1}/", "东街道"),
        (f"/map/{COMMUNITY_1}/", "东社区"),
    ]
    assert 'data-testid="command-map"' in html
    assert "commandmap.js" in html and "commandmap.css" in html
    config = config_of(response)
    assert config["urls"]["node"] == "/map/{code}/"
    assert config["urls"]["api"] == "/api/v1/map/"
    assert config["tiles"]["url"] == ""
    assert config["defaults"] == ["events"]
    assert ["reported", "已上报"] in config["states"]


def test_it_names_the_ancestors_a_grid_worker_may_not_open_without_links(login):
    html = login("worker_a").get(f"/map/{GRID_A}/").content.decode()
    assert "<span>测试区</span>" in html and "<span>东社区</span>" in html
    assert 'href="/map/440704/"' not in html


@pytest.mark.parametrize(
    ("username", "layers"),
    [
        ("district", ["events", "heat", "assets", "rentals", "hazards", "care", "campaigns"]),
        ("worker_a", ["events", "heat", "assets", "rentals", "hazards", "care", "campaigns"]),
        ("part_time_a", ["events", "heat", "assets", "rentals", "campaigns"]),
        ("dept", ["events", "heat", "assets"]),
    ],
)
def test_it_offers_the_layers_the_role_may_see(login, username, layers):
    response = login(username).get("/map/", follow=True)
    assert [layer["key"] for layer in config_of(response)["layers"]] == layers


def test_it_takes_the_tile_server_from_the_settings(login, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = login("street").get(f"/map/{STREET_1}/")
    assert config_of(response)["tiles"]["url"] == settings.MAP_TILE_URL
