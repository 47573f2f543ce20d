"""The city-parts pages through the Django test client: scope, filters, the log, queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.assets.actions import do_create_asset, do_record_inspection
from wangge.assets.models import Asset
from wangge.testing import GRID_A, POINT_A

#: Which sample parts (by the grid they stand in) each user sees; ``None``: no pages.
SEES = {
    "admin": {"A", "A2", "B", "邻"},
    "district": {"A", "A2", "B"},
    "street": {"A", "A2"},
    "street_b": {"B"},
    "community": {"A", "A2"},
    "worker_a": {"A"},
    "worker_a2": {"A2"},
    "worker_b": {"B"},
    "part_time_a": {"A"},
    "dept": {"A"},  # 城管局 owns the hydrant in grid A
    "other_district": {"邻"},
    "resident": None,
}
KEYS = ("A", "A2", "B", "邻")


def html(response):
    return response.content.decode()


def listed(samples, response):
    by_pk = dict(zip(samples.assets, KEYS, strict=True))
    return {by_pk[int(pk)] for pk in re.findall(r'data-asset="(\d+)"', html(response))}


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_lists_and_opens_only_the_parts_in_scope(samples, login, username):
    client = login(username)
    sees = SEES[username]
    response = client.get("/assets/")
    if sees is None:
        assert response.status_code == 403
        assert client.get(f"/assets/{samples.assets[0]}/").status_code == 403
        return
    assert response.status_code == 200
    assert listed(samples, response) == sees
    for key, pk in zip(KEYS, samples.assets, strict=True):
        assert client.get(f"/assets/{pk}/").status_code == (200 if key in sees else 404), key


def test_it_filters_by_type_class_state_and_grid(samples, login):
    client = login("district")
    assert listed(samples, client.get("/assets/", {"asset_type": "0111"})) == {"A"}
    assert listed(samples, client.get("/assets/", {"asset_type": "01"})) == {"A", "A2", "B"}
    assert listed(samples, client.get("/assets/", {"under": GRID_A})) == {"A"}
    assert listed(samples, client.get("/assets/", {"state": "damaged"})) == set()
    assert client.get("/assets/", {"state": "broken"}).status_code == 200


def test_it_shows_a_part_with_its_inspection_log(samples, login, world):
    asset = Asset.objects.get(pk=samples.assets[0])
    do_record_inspection(asset, actor=world["worker_a"], result="damaged", note="栓帽缺失")
    text = html(login("worker_a").get(f"/assets/{asset.pk}/"))
    assert "样例部件A" in text and "城管局" in text
    assert "巡检" in text and "栓帽缺失" in text and "正常 → 损坏" in text
    assert 'data-testid="state">损坏<' in text


def test_it_shows_a_part_in_english_when_chosen(samples, login, world):
    asset = Asset.objects.get(pk=samples.assets[0])
    do_record_inspection(asset, actor=world["worker_a"], result="damaged", note="栓帽缺失")
    client = login("worker_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = html(client.get(f"/assets/{asset.pk}/"))
    assert "Public utilities" in text and "Inspection · Damaged" in text
    assert "Normal → Damaged" in text and 'data-testid="state">Damaged<' in text
    assert "公用设施类" not in text and "巡检" not in text and "损坏" not in text
    listing = html(client.get("/assets/"))
    assert "Public utilities" in listing and "Normal" in listing and "正常" not in listing


def test_it_reads_the_list_in_a_bounded_number_of_queries(samples, login):
    client = login("worker_a")

    def count():
        client.get("/assets/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/assets/").status_code == 200
        return len(queries)

    few = count()
    for i in range(10):
        do_create_asset(
            actor=None,
            type_code="0115" if i % 2 else "0101",
            lng=POINT_A[0] + i * 0.0001,
            lat=POINT_A[1],
            owner_department="sz" if i % 2 else None,
        )
    assert count() == few
