"""The inspection pages: who gets which page, ticking a checklist, and the hazard page's forms."""

from typing import Any

import pytest
from django.test import Client

from wangge.inspections.models import EnforcementRecord, Hazard, Inspection, ItemResult
from wangge.testing import GRID_A

from .conftest import ENTERPRISE_A, ENTERPRISE_B, inspect, ok

NO_VIEW = ("part_time_a", "dept", "resident")


@pytest.fixture
def two(api, samples) -> dict[str, dict[str, Any]]:
    """An open hazard in grid A and one in grid B."""
    return {
        "a": ok(inspect(api("worker_a"), samples.enterprises[ENTERPRISE_A], hose=2.5), 201),
        "b": ok(inspect(api("worker_b"), samples.enterprises[ENTERPRISE_B], hose=2.5), 201),
    }


def html(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:2000]
    text: str = response.content.decode()
    return text


def test_the_hazard_list_shows_the_users_area_with_deadlines(login, two):
    page = html(login("worker_a").get("/inspections/"))
    hazard_a, hazard_b = two["a"]["hazards"][0], two["b"]["hazards"][0]
    assert (
        f'data-hazard="{hazard_a["id"]}"' in page and f'data-hazard="{hazard_b["id"]}"' not in page
    )
    assert hazard_a["deadline"] in page and "样例企业1" in page
    page_b = html(login("street_b").get("/inspections/"))
    assert (
        f'data-hazard="{hazard_b["id"]}"' in page_b
        and f'data-hazard="{hazard_a["id"]}"' not in page_b
    )
    community = html(login("community").get(f"/inspections/?under={GRID_A}"))
    assert f'data-hazard="{hazard_a["id"]}"' in community
    partial = html(login("worker_a").get("/inspections/?state=all", headers={"HX-Request": "true"}))
    assert partial.lstrip().startswith('<section id="hazard-list"')
    for user in NO_VIEW:
        assert login(user).get("/inspections/").status_code == 403
        assert login(user).get("/inspections/done/").status_code == 403
    assert Client().get("/inspections/").status_code == 302


def test_the_inspection_pages_follow_the_tree(login, two):
    listed = html(login("worker_a").get("/inspections/done/"))
    assert f'data-inspection="{two["a"]["id"]}"' in listed
    assert f'data-inspection="{two["b"]["id"]}"' not in listed
    page = html(login("community").get(f"/inspections/{two['a']['id']}/"))
    assert "软管长度不超过规定" in page and "2.5 m" in page
    assert login("worker_b").get(f"/inspections/{two['a']['id']}/").status_code == 404
    assert login("resident").get(f"/inspections/{two['a']['id']}/").status_code == 404
    assert login("worker_a").get("/inspections/999999/").status_code == 404


def test_a_worker_picks_a_target_in_the_grid(login, samples, places):
    page = html(login("worker_a").get("/inspections/new/"))
    assert f'data-target="enterprise-{samples.enterprises[ENTERPRISE_A]}"' in page
    assert f'data-target="enterprise-{samples.enterprises[ENTERPRISE_B]}"' not in page
    buildings = html(login("worker_a").get("/inspections/new/?kind=building"))
    assert f'data-target="building-{places.buildings["A"]}"' in buildings
    assert f'data-target="building-{places.buildings["B"]}"' not in buildings
    for user in ("street", "district", *NO_VIEW):
        assert login(user).get("/inspections/new/").status_code == 403, user


def test_ticking_the_gas_checklist_stores_one_inspection(login, samples):
    client = login("worker_a")
    url = f"/inspections/new/enterprise/{samples.enterprises[ENTERPRISE_A]}/"
    page = html(client.get(url))
    assert "燃气报警器已安装" in page and "≤2 m" in page
    items = list(
        ItemResult._meta.apps.get_model("inspections", "ChecklistItem")
        .objects.filter(checklist__code="restaurant-gas", is_active=True)
        .order_by("sort_order")
    )
    form: dict[str, str] = {
        "checklist": "restaurant-gas",
        "request_id": "5c1bd4a0c7e34d5f9c3a2b1d0e9f8a7b",
        "owner_name": "样例企业1",
        "responsible_person": "样例法人",
    }
    for item in items:
        if item.answer_type == "number":
            form[f"value_{item.pk}"] = "2.6"
        else:
            form[f"outcome_{item.pk}"] = "fail" if item.code == "alarm-installed" else "pass"
    response = client.post(url, form)
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inspections/{inspection.pk}/"
    assert sorted(Hazard.objects.values_list("result__item__code", flat=True)) == [
        "alarm-installed",
        "hose-length",
    ]
    again = client.post(url, form)
    assert again.status_code == 302 and Inspection.objects.count() == 1
    # A missing answer is shown at its item; nothing is stored.
    del form[f"outcome_{items[0].pk}"]
    form["request_id"] = "6c1bd4a0c7e34d5f9c3a2b1d0e9f8a7b"
    refused = html(client.post(url, form), 422)
    assert "请选择合格、不合格或不适用" in refused and Inspection.objects.count() == 1
    assert login("worker_b").get(url).status_code == 404
    assert login("street").get(url).status_code == 403
    assert login("worker_a").get("/inspections/new/enterprise/999999/").status_code == 404
    assert login("worker_a").get("/inspections/new/nothing/1/").status_code == 404


def test_a_rental_building_is_inspected_against_the_fire_checklist(login, places):
    client = login("worker_a")
    url = f"/inspections/new/building/{places.buildings['A']}/"
    page = html(client.get(url))
    assert "出租屋消防安全检查" in page and "样例房东" in page
    items = ItemResult._meta.apps.get_model("inspections", "ChecklistItem").objects.filter(
        checklist__code="rental-fire", is_active=True
    )
    form = {"checklist": "rental-fire", "request_id": "7c1bd4a0c7e34d5f9c3a2b1d0e9f8a7b"}
    for item in items:
        form[f"outcome_{item.pk}"] = "fail" if item.code == "ev-charging" else "pass"
    assert client.post(url, form).status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.building_id == places.buildings["A"] and hazard.owner_name == "样例房东"
    assert hazard.region_code == GRID_A + "001"


def test_the_hazard_page_offers_what_the_user_may_do(login, two):
    hazard = two["a"]["hazards"][0]["id"]
    worker = html(login("worker_a").get(f"/inspections/hazards/{hazard}/"))
    assert 'data-action="reinspect"' in worker and 'data-action="change"' in worker
    assert 'data-action="enforce"' not in worker
    street = html(login("street").get(f"/inspections/hazards/{hazard}/"))
    assert 'data-action="reinspect"' not in street and 'data-action="enforce"' in street
    for user in ("worker_b", "street_b", "other_district", *NO_VIEW):
        assert login(user).get(f"/inspections/hazards/{hazard}/").status_code == 404, user


def test_a_reinspection_from_the_page_closes_the_hazard(login, two):
    hazard = two["a"]["hazards"][0]["id"]
    url = f"/inspections/hazards/{hazard}/reinspect/"
    body = {"value": "1.8", "note": "已更换", "request_id": "8c1bd4a0c7e34d5f9c3a2b1d0e9f8a7b"}
    assert login("worker_b").post(url, body).status_code == 404
    assert login("street").post(url, body).status_code == 403
    assert Hazard.objects.get(pk=hazard).state == "open"
    client = login("worker_a")
    response = client.post(url, body)
    assert response.status_code == 302 and response["Location"] == f"/inspections/hazards/{hazard}/"
    assert Hazard.objects.get(pk=hazard).state == "rectified"
    page = html(client.get(response["Location"]))
    assert "已整改销号" in page and "已更换" in page
    late = html(client.post(url, {**body, "request_id": "9c1bd4a0c7e34d5f9c3a2b1d0e9f8a7b"}), 409)
    assert "该隐患当前状态为「已整改销号」，不能复查" in late


def test_a_failed_reinspection_from_the_page_links_the_event(login, two):
    hazard = two["a"]["hazards"][0]["id"]
    client = login("worker_a")
    response = client.post(f"/inspections/hazards/{hazard}/reinspect/", {"value": "2.5"})
    assert response.status_code == 302
    found = Hazard.objects.select_related("event").get(pk=hazard)
    assert found.state == "escalated" and found.event is not None
    page = html(client.get(f"/inspections/hazards/{hazard}/"))
    assert f"/events/{found.event_id}/" in page and found.event.number in page


def test_the_hazard_page_speaks_english_and_the_event_stays_chinese(login, two):
    hazard = two["a"]["hazards"][0]["id"]
    client = login("worker_a")
    assert "整改中" in html(client.get(f"/inspections/hazards/{hazard}/"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get(f"/inspections/hazards/{hazard}/"))
    assert "Being rectified" in page and "整改中" not in page
    response = client.post(f"/inspections/hazards/{hazard}/reinspect/", {"value": "2.5"})
    assert response.status_code == 302
    page = html(client.get(f"/inspections/hazards/{hazard}/"))
    assert "Turned into an event" in page and "Failed the re-inspection" in page
    assert "已转事件" not in page and "复查不合格" not in page
    # The event's description is stored for everybody: in Chinese.
    found = Hazard.objects.select_related("event").get(pk=hazard)
    assert found.event is not None and "复查不合格" in found.event.description


def test_enforcement_and_changes_from_the_page(login, two):
    hazard = two["a"]["hazards"][0]["id"]
    body = {
        "kind": "seizure",
        "item": "液化石油气钢瓶",
        "quantity": "45",
        "unit": "个",
        "details": "实瓶5个，空瓶40个",
        "department": "cg",
        "request_id": "ac1bd4a0c7e34d5f9c3a2b1d0e9f8a7b",
    }
    url = f"/inspections/hazards/{hazard}/enforce/"
    assert login("worker_a").post(url, body).status_code == 403
    assert login("worker_b").post(url, body).status_code == 404
    community = login("community")
    assert community.post(url, body).status_code == 302
    assert community.post(url, body).status_code == 302
    record = EnforcementRecord.objects.get()
    assert record.quantity == 45 and record.details == "实瓶5个，空瓶40个"
    page = html(community.get(f"/inspections/hazards/{hazard}/"))
    assert "液化石油气钢瓶 45个" in page and "实瓶5个，空瓶40个" in page
    refused = html(login("worker_a").post(f"/inspections/hazards/{hazard}/change/", {}), 422)
    assert "请说明修改原因" in refused
    assert login("worker_a").post(f"/inspections/hazards/{hazard}/nothing/", {}).status_code == 404


def test_the_overdue_filter_of_the_hazard_list(login, two):
    from datetime import timedelta

    from django.utils import timezone

    hazard = two["a"]["hazards"][0]["id"]
    client = login("worker_a")
    assert f'data-hazard="{hazard}"' not in html(client.get("/inspections/?state=overdue"))
    Hazard.objects.filter(pk=hazard).update(deadline=timezone.localdate() - timedelta(days=2))
    page = html(client.get("/inspections/?state=overdue"))
    assert f'data-hazard="{hazard}"' in page and "flag-danger" in page
    assert f'data-hazard="{hazard}"' not in html(client.get("/inspections/?state=rectified"))
