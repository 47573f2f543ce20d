"""Who sees and does what, endpoint by endpoint, for every role of the test world.

Out of scope answers exactly like a missing record (404, same body); a record
the user sees but may not act on answers 403.
"""

from typing import Any

import pytest

from wangge.accounts.actions import do_assign_role, do_create_user
from wangge.inspections.models import EnforcementRecord, Hazard, Inspection, Reinspection
from wangge.testing import GRID_A, USERS

from .conftest import ENTERPRISE_A, ENTERPRISE_B, ENTERPRISE_OTHER, inspect, ok, patch, post, rid

NOT_FOUND = {"code": "not_found", "message": "未找到该对象，或您无权访问", "fields": {}}
EVERYONE = sorted(USERS)
#: Who sees a hazard in grid A, in grid B, in the other district.
SEES_A = {"admin", "district", "street", "community", "worker_a", "liaison_a"}
SEES_B = {"admin", "district", "street_b", "worker_b"}
SEES_OTHER = {"admin", "other_district"}


@pytest.fixture
def liaison(iw):
    """A grid liaison leader of grid A: sees its hazards, may not act on them."""
    user = do_create_user(username="liaison_a", password="x-pass-123", actor=None)
    do_assign_role(user=user, role="liaison_leader", region=iw.regions[GRID_A], actor=None)
    iw.users["liaison_a"] = user
    return user


@pytest.fixture
def three(api, samples, liaison) -> dict[str, dict[str, Any]]:
    """A hazard (and its inspection) in grid A, in grid B and in the other district."""
    found = {}
    for key, client, enterprise in (
        ("a", api("worker_a"), ENTERPRISE_A),
        ("b", api("worker_b"), ENTERPRISE_B),
        ("other", api("admin"), ENTERPRISE_OTHER),
    ):
        found[key] = ok(inspect(client, samples.enterprises[enterprise], hose=2.5), 201)
    return found


def visible(key: str) -> set[str]:
    return {"a": SEES_A, "b": SEES_B, "other": SEES_OTHER}[key]


CALLERS = [*EVERYONE, "liaison_a"]


def test_it_lists_only_hazards_and_inspections_in_the_users_area(api, three):
    for user in CALLERS:
        client = api(user)
        hazards = {
            h["id"] for h in ok(client.get("/api/v1/inspections/hazards?limit=500"))["items"]
        }
        inspections = {i["id"] for i in ok(client.get("/api/v1/inspections?limit=500"))["items"]}
        wanted = {k for k in three if user in visible(k)}
        assert hazards == {three[k]["hazards"][0]["id"] for k in wanted}, user
        assert inspections == {three[k]["id"] for k in wanted}, user


def test_one_hazard_or_inspection_out_of_scope_answers_like_a_missing_one(api, three):
    for user in CALLERS:
        client = api(user)
        for key, found in three.items():
            hazard = client.get(f"/api/v1/inspections/hazards/{found['hazards'][0]['id']}")
            inspection = client.get(f"/api/v1/inspections/{found['id']}")
            if user in visible(key):
                assert ok(hazard)["id"] == found["hazards"][0]["id"]
                assert ok(inspection)["id"] == found["id"]
            else:
                assert hazard.status_code == inspection.status_code == 404, (user, key)
                assert hazard.json() == inspection.json() == NOT_FOUND
        assert client.get("/api/v1/inspections/hazards/999999").json() == NOT_FOUND
        assert client.get("/api/v1/inspections/999999").json() == NOT_FOUND


def test_the_under_filter_stays_inside_the_area(api, three):
    client = api("worker_a")
    listed = ok(client.get("/api/v1/inspections/hazards?under=440704002"))["items"]
    assert listed == []
    assert ok(client.get("/api/v1/inspections?under=440704"))["count"] == 1
    bad = client.get("/api/v1/inspections/hazards?under=4407040")
    assert bad.status_code == 422


def test_anonymous_callers_get_nothing(client, three):
    hazard = three["a"]["hazards"][0]["id"]
    for method, path in (
        ("get", "/api/v1/inspections/checklists"),
        ("get", "/api/v1/inspections"),
        ("get", f"/api/v1/inspections/{three['a']['id']}"),
        ("get", "/api/v1/inspections/hazards"),
        ("get", f"/api/v1/inspections/hazards/{hazard}"),
        ("post", "/api/v1/inspections"),
        ("patch", f"/api/v1/inspections/hazards/{hazard}"),
        ("post", f"/api/v1/inspections/hazards/{hazard}/reinspections"),
        ("post", f"/api/v1/inspections/hazards/{hazard}/enforcement"),
    ):
        response = getattr(client, method)(path, {}, content_type="application/json")
        assert response.status_code == 401, (method, path)


def test_checklists_are_there_for_everyone_signed_in(api, three):
    for user in CALLERS:
        assert len(ok(api(user).get("/api/v1/inspections/checklists"))) == 3


def test_who_may_inspect_an_enterprise_in_grid_a(api, samples, liaison):
    allowed = {"admin", "community", "worker_a"}
    #: Inspect somewhere, but not there: the target answers like a missing one.
    elsewhere = {"worker_a2", "worker_b"}
    target = samples.enterprises[ENTERPRISE_A]
    missing = None
    for user in CALLERS:
        response = inspect(api(user), target, hose=2.5)
        if user in allowed:
            assert response.status_code == 201, user
        elif user in elsewhere:
            assert response.status_code == 422, user
            assert response.json()["fields"] == {
                "enterprise": ["检查对象不存在，或不在您可检查的范围内"]
            }
            missing = missing or inspect(api(user), 999999).json()
            assert response.json() == missing
        else:
            assert response.status_code == 403, user
            assert response.json()["message"] == "您无权开展安全检查"
    assert Inspection.objects.count() == len(allowed)


def _fresh_hazard(api, samples) -> int:
    found = ok(inspect(api("worker_a"), samples.enterprises[ENTERPRISE_A], hose=2.5), 201)
    return int(found["hazards"][0]["id"])


@pytest.mark.parametrize(
    ("path", "body", "allowed", "forbidden"),
    [
        (
            "reinspections",
            {"passed": True},
            {"admin", "community", "worker_a"},
            {"district", "street", "liaison_a"},
        ),
        (
            "enforcement",
            {"kind": "seizure", "item": "液化石油气钢瓶", "quantity": 2, "department": "cg"},
            {"admin", "district", "street", "community"},
            {"worker_a", "liaison_a"},
        ),
        (
            "",
            {"reason": "延期", "responsible_person": "店长"},
            {"admin", "district", "street", "community", "worker_a"},
            {"liaison_a"},
        ),
    ],
)
def test_who_may_act_on_a_hazard_in_grid_a(api, samples, liaison, path, body, allowed, forbidden):
    assert allowed | forbidden == SEES_A
    hazard = _fresh_hazard(api, samples)
    url = f"/api/v1/inspections/hazards/{hazard}" + (f"/{path}" if path else "")

    def call(user: str, hazard_url: str) -> Any:
        client = api(user)
        payload = {**body, "request_id": rid()} if path else body
        return post(client, hazard_url, payload) if path else patch(client, hazard_url, payload)

    for user in CALLERS:
        if user in allowed:
            continue
        response = call(user, url)
        if user in forbidden:
            assert response.status_code == 403, user
        else:
            assert response.status_code == 404, user
            assert response.json() == NOT_FOUND
    assert Hazard.objects.get(pk=hazard).version == 1
    assert not Reinspection.objects.exists() and not EnforcementRecord.objects.exists()
    for user in allowed:
        response = call(
            user,
            f"/api/v1/inspections/hazards/{_fresh_hazard(api, samples)}"
            + (f"/{path}" if path else ""),
        )
        assert response.status_code in (200, 201), (user, response.content.decode())
