"""The dashboard pages for each role, and every number leading to the events it counts."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from wangge.testing import GRID_A, GRID_B

from .conftest import Story
from .test_api import DEFAULT_NODES, OUT_OF_SCOPE

PAGES = ("/dashboards/", "/dashboards/screen/", "/dashboards/basedata/", "/dashboards/events/")
CARD = re.compile(
    r'<a class="dash-card[^"]*" href="([^"]+)">\s*'
    r'<span class="dash-card-label">([^<]+)</span>\s*'
    r'<span class="dash-card-value">([^<]+)</span>'
)
CELL = re.compile(r'<td class="num"><a href="(/dashboards/events/[^"]+)">([\d,]+)</a></td>')
COUNT = re.compile(r'data-testid="count">(\d+)<')


def days(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def listed(client: Client, url: str) -> int:
    response = client.get(html.unescape(url))
    assert response.status_code == 200, url
    found = COUNT.search(response.content.decode())
    assert found is not None
    return int(found.group(1))


@pytest.mark.parametrize("username", sorted(DEFAULT_NODES))
def test_pages_for_each_role(story: Story, login: Callable[[str], Client], username: str) -> None:
    client = login(username)
    for page in PAGES:
        response = client.get(page)
        if DEFAULT_NODES[username] is None:
            assert response.status_code == 403, (username, page)
        else:
            assert response.status_code == 200, (username, page)


@pytest.mark.parametrize("username", sorted(OUT_OF_SCOPE))
def test_pages_of_a_node_out_of_scope_are_not_found(
    story: Story, login: Callable[[str], Client], username: str
) -> None:
    client = login(username)
    for code in OUT_OF_SCOPE[username]:
        for page in PAGES:
            assert client.get(page, {"under": code}).status_code == 404, (username, code, page)


def test_anonymous_visitors_are_sent_to_log_in(story: Story) -> None:
    for page in PAGES:
        response = Client().get(page)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_number_lists_the_events_it_counts(
    story: Story, login: Callable[[str], Client]
) -> None:
    client = login("district")
    response = client.get("/dashboards/", {"period": "custom", "since": days(60), "until": days(0)})
    text = response.content.decode()
    cards = CARD.findall(text)
    assert len(cards) == 14
    # In the order of views.CARDS: reported, registered, handled, handling rate…
    assert [value for _url, _label, value in cards[:4]] == ["5", "4", "2", "50.0%"]
    for url, _label, value in cards:
        if value.replace(",", "").isdigit():
            assert listed(client, url) == int(value.replace(",", "")), url
    cells = CELL.findall(text)
    assert len(cells) > 20
    for url, value in cells:
        assert listed(client, url) == int(value.replace(",", "")), url
    # The trend as a table: every count but a zero links (reported, handled, closed, overdue).
    trend = re.search(r'data-testid="trend">(.+?)</table>', text, re.S)
    assert trend is not None
    numbers = re.findall(r'<td class="num">(.*?)</td>', trend.group(1))
    assert len(numbers) % 4 == 0 and any(n != "0" for n in numbers[1::4])
    assert all(n == "0" or n.startswith('<a href="/dashboards/events/') for n in numbers), numbers


def test_the_dashboard_page_of_a_street(story: Story, login: Callable[[str], Client]) -> None:
    client = login("street")
    response = client.get("/dashboards/", {"period": "7d"})
    text = response.content.decode()
    assert 'data-testid="node-name">东街道<' in text
    assert "东社区" in text  # the ranking of its communities
    assert "西镇" not in text and "440704002" not in text
    charts = re.search(r'<script id="dash-data" type="application/json">(.+?)</script>', text, re.S)
    assert charts is not None
    data = json.loads(charts.group(1))
    assert sum(data["trend"]["series"]["reported"]) == 3
    assert {row["name"] for row in data["source"]} == {"网格员上报", "群众上报"}
    assert all(row["url"].startswith("/dashboards/events/") for row in data["category"])
    # The ranking links to the communities' own dashboards, which open.
    link = re.search(r'href="(/dashboards/\?under=440704001001[^"]*)"', text)
    assert link is not None
    assert client.get(html.unescape(link.group(1))).status_code == 200


def test_a_custom_period_that_does_not_hold_says_why(
    story: Story, login: Callable[[str], Client]
) -> None:
    client = login("street")
    response = client.get("/dashboards/", {"period": "custom", "since": days(0), "until": days(9)})
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    # A day that does not parse says so, not "enter the day".
    text = client.get("/dashboards/", {"since": "abc", "until": days(0)}).content.decode()
    assert "请填写开始日期" not in text and "有效的日期" in text
    # In English, the reasons, the reports button and the labels are English.
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/dashboards/", {"period": "custom", "since": days(0), "until": days(9)})
    text = response.content.decode()
    assert "The last day cannot be before the first." in text
    assert "结束日期不能早于开始日期" not in text and "报备" not in text
    assert ">Reports</a>" in text


def test_the_reports_button_and_the_map_cards_use_their_own_words(
    story: Story, login: Callable[[str], Client]
) -> None:
    client = login("street")
    text = client.get("/dashboards/").content.decode()
    assert ">统计报表</a>" in text and "报备记录" not in text
    page = client.get("/map/", follow=True).content.decode()
    found = re.search(r'<script id="cm-config" type="application/json">(.*?)</script>', page)
    assert found is not None
    labels = json.loads(found.group(1))["labels"]
    assert (labels["visited"], labels["done"], labels["done_rate"]) == (
        "已走访",
        "已完成",
        "完成率",
    )


def test_the_list_behind_a_number_filters_by_figure_and_breakdown(
    story: Story, login: Callable[[str], Client]
) -> None:
    client = login("district")
    base = {"since": days(60), "until": days(0)}
    assert listed(client, "/dashboards/events/?" + _q(base)) == 5
    assert listed(client, "/dashboards/events/?" + _q(base, figure="handled")) == 2
    assert listed(client, "/dashboards/events/?" + _q(base, figure="self_handled")) == 1
    assert listed(client, "/dashboards/events/?" + _q(base, source="hotline")) == 1
    assert listed(client, "/dashboards/events/?" + _q(base, department="")) == 3
    assert listed(client, "/dashboards/events/?" + _q(base, under=GRID_B, category="06")) == 1
    response = client.get("/dashboards/events/", {**base, "figure": "handled"})
    assert "已办结" in response.content.decode() or "已结案" in response.content.decode()
    # A street sees its own events only, whatever it asks for.
    street = login("street")
    assert listed(street, "/dashboards/events/?" + _q(base)) == 3
    assert street.get("/dashboards/events/", {**base, "under": GRID_B}).status_code == 404


def _q(base: dict[str, str], **extra: str) -> str:
    from urllib.parse import urlencode

    return urlencode({**base, **extra})


def test_the_big_screen(story: Story, login: Callable[[str], Client]) -> None:
    client = login("district")
    response = client.get("/dashboards/screen/", {"under": "440704001"})
    text = response.content.decode()
    assert "东街道" in text and "charts.js" in text and "screen.js" in text
    config = re.search(r'<script id="sc-config" type="application/json">(.+?)</script>', text, re.S)
    assert config is not None
    data = json.loads(config.group(1))
    assert data["api"] == "/api/v1" and data["under"] == "440704001" and data["refresh"] == 30
    # The screen's own requests answer with the session.
    for path, query in (
        ("/api/v1/dashboards/summary", {"period": "today"}),
        ("/api/v1/dashboards/trend", {"period": "30d", "bucket": "day"}),
        ("/api/v1/dashboards/ranking", {"period": "30d", "of": "children"}),
    ):
        assert client.get(path, {**query, "under": data["under"]}).status_code == 200
    grid = login("worker_a").get("/dashboards/screen/")
    assert '"ranking": false' in grid.content.decode()


def test_the_base_data_panel(story: Story, login: Callable[[str], Client]) -> None:
    client = login("community")
    partial = client.get("/dashboards/basedata/", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    text = partial.content.decode()
    assert 'data-testid="basedata"' in text and "<html" not in text
    assert GRID_A in text or "东一网格" in text
    page = client.get("/dashboards/basedata/")
    assert "<html" in page.content.decode()


def test_it_rounds_the_figures_like_the_big_screen_and_the_reports() -> None:
    from django.utils import translation

    from wangge.dashboards.views import hours, one_decimal

    with translation.override("zh-hans"):
        assert one_decimal(82.857) == "82.9"
        assert one_decimal(82.84) == "82.8"
        assert hours(3.99) == "4.0 小时"
        assert one_decimal(4.19) == "4.2"
    with translation.override("en"):
        assert hours(32.68) == "32.7 h"
