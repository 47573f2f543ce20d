"""Who sees and records which campaigns and targets, endpoint by endpoint and role by role."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wangge.campaigns.models import Attempt
from wangge.testing import GRID_A, GRID_A2, GRID_B, USERS

from .conftest import COMMUNITY_A, STREET_A, attempt, create_campaign, ok, png_bytes, post, targets

NOT_FOUND = {"code": "not_found", "message": "未找到该对象，或您无权访问", "fields": {}}
CODE = re.compile(r"(?<![0-9])4407[0-9]{2,14}(?![0-9])")

#: Who sees a running campaign over community A (grids A and A2).
SEES_COMMUNITY_A = {
    "admin": True,
    "district": True,
    "street": True,
    "street_b": False,
    "community": True,
    "worker_a": True,
    "worker_a2": True,
    "worker_b": False,
    "part_time_a": True,
    "dept": False,
    "resident": False,
    "other_district": False,
}
#: Which targets (by grid) of a district-wide campaign each user sees.
GRIDS_SEEN = {
    "admin": {GRID_A, GRID_A2, GRID_B},
    "district": {GRID_A, GRID_A2, GRID_B},
    "street": {GRID_A, GRID_A2},
    "street_b": {GRID_B},
    "community": {GRID_A, GRID_A2},
    "worker_a": {GRID_A},
    "worker_a2": {GRID_A2},
    "worker_b": {GRID_B},
    "part_time_a": {GRID_A},  # only the targets of the unit: see below
    "dept": set(),
    "resident": set(),
    "other_district": set(),
}
#: Who may record a contact on a target in grid A (unit 1): 201, 403 (sees it), 404.
RECORDS_IN_A = {
    "admin": 201,
    "district": 403,
    "street": 403,
    "street_b": 404,
    "community": 201,
    "worker_a": 201,
    "worker_a2": 404,
    "worker_b": 404,
    "part_time_a": 201,
    "dept": 404,
    "resident": 404,
    "other_district": 404,
}


@pytest.fixture
def community_campaign(api, world, elderly):
    return create_campaign(api("community"))


@pytest.fixture
def district_campaign(api, world, elderly):
    return create_campaign(api("district"), area_code="440704", name="全区独居老人摸排")


def test_the_world_has_every_role():
    assert set(SEES_COMMUNITY_A) == set(USERS) == set(GRIDS_SEEN) == set(RECORDS_IN_A)


@pytest.mark.parametrize("username", sorted(SEES_COMMUNITY_A))
def test_it_shows_a_campaign_only_to_those_working_in_or_above_its_area(
    api, community_campaign, username
):
    client = api(username)
    cid = community_campaign["id"]
    listed = {c["id"] for c in ok(client.get("/api/v1/campaigns"))["items"]}
    detail = client.get(f"/api/v1/campaigns/{cid}")
    if SEES_COMMUNITY_A[username]:
        assert listed == {cid}
        assert detail.status_code == 200
        return
    assert listed == set()
    missing = client.get("/api/v1/campaigns/999999")
    assert detail.status_code == missing.status_code == 404
    assert detail.json() == missing.json() == NOT_FOUND
    for path in ("progress", "targets"):
        response = client.get(f"/api/v1/campaigns/{cid}/{path}")
        assert response.status_code == 404 and response.json() == NOT_FOUND
    for path in ("launch", "close", "import"):
        response = post(client, f"/api/v1/campaigns/{cid}/{path}")
        assert response.status_code in (404, 422), (path, response.status_code)
        if response.status_code == 404:
            assert response.json() == NOT_FOUND


@pytest.mark.parametrize("username", sorted(GRIDS_SEEN))
def test_targets_and_progress_show_only_the_users_part_of_a_district_campaign(
    api, district_campaign, username
):
    client = api(username)
    cid = district_campaign["id"]
    seen = GRIDS_SEEN[username]
    response = client.get(f"/api/v1/campaigns/{cid}/targets?limit=500")
    if not seen:
        assert response.status_code == 404
        return
    items = ok(response)["items"]
    assert {t["grid_code"] for t in items} == seen
    if username == "part_time_a":
        assert {t["region_code"] for t in items} == {GRID_A + "001"}
    table = ok(client.get(f"/api/v1/campaigns/{cid}/progress?by=grid"))
    assert {r["key"] for r in table["rows"]} == seen
    detail = ok(client.get(f"/api/v1/campaigns/{cid}"))
    assert detail["progress"]["total"] == len(items)
    # Nothing in the answers names a place the user does not see (or is not above them).
    for path in (f"/api/v1/campaigns/{cid}/progress?by=unit", f"/api/v1/campaigns/{cid}"):
        for code in CODE.findall(client.get(path).content.decode()):
            assert any(code.startswith(g) or g.startswith(code) for g in seen), (path, code)


@pytest.mark.parametrize("username", sorted(RECORDS_IN_A))
def test_only_those_working_at_a_target_record_contacts_on_it(
    api, world, district_campaign, username
):
    district = api("district")
    cid = district_campaign["id"]
    target = next(t for t in targets(district, cid) if t["region_code"] == GRID_A + "001")
    response = attempt(api(username), target["id"], "notified")
    expected = RECORDS_IN_A[username]
    assert response.status_code == expected, response.content.decode()
    if expected == 404:
        missing = attempt(api(username), 999999, "notified")
        assert response.json() == missing.json() == NOT_FOUND
        detail = api(username).get(f"/api/v1/campaigns/targets/{target['id']}")
        assert detail.status_code == 404 and detail.json() == NOT_FOUND
    else:
        detail = ok(api(username).get(f"/api/v1/campaigns/targets/{target['id']}"))
        assert detail["can_record"] is (expected == 201)
    assert Attempt.objects.count() == (1 if expected == 201 else 0)


def test_a_grid_worker_of_grid_b_neither_sees_nor_records_grid_as_targets(api, community_campaign):
    worker_b = api("worker_b")
    cid = community_campaign["id"]
    a_targets = targets(api("worker_a"), cid)
    for target in a_targets:
        assert worker_b.get(f"/api/v1/campaigns/targets/{target['id']}").status_code == 404
        assert attempt(worker_b, target["id"], "notified").status_code == 404
    # Nor does the other grid worker of the community: grid A2 is not grid A.
    assert attempt(api("worker_a2"), a_targets[0]["id"], "notified").status_code == 404
    assert not Attempt.objects.exists()


def test_a_street_never_sees_another_streets_campaign(api, world, elderly):
    mine = create_campaign(api("street"), area_code=STREET_A)
    theirs = create_campaign(api("street_b"), area_code="440704002", name="西镇摸排")
    street, street_b = api("street"), api("street_b")
    assert {c["id"] for c in ok(street.get("/api/v1/campaigns"))["items"]} == {mine["id"]}
    assert {c["id"] for c in ok(street_b.get("/api/v1/campaigns"))["items"]} == {theirs["id"]}
    assert street.get(f"/api/v1/campaigns/{theirs['id']}").json() == NOT_FOUND
    assert post(street, f"/api/v1/campaigns/{theirs['id']}/close").json() == NOT_FOUND
    # The district sees both.
    district = {c["id"] for c in ok(api("district").get("/api/v1/campaigns"))["items"]}
    assert district == {mine["id"], theirs["id"]}


def test_drafts_are_seen_only_by_those_who_may_launch_them(api, world, elderly):
    draft = create_campaign(api("street"), area_code=STREET_A, launch=False)
    for username, sees in {
        "street": True,
        "district": True,
        "admin": True,
        "community": False,
        "worker_a": False,
        "street_b": False,
    }.items():
        response = api(username).get(f"/api/v1/campaigns/{draft['id']}")
        assert (response.status_code == 200) is sees, username
    assert post(api("community"), f"/api/v1/campaigns/{draft['id']}/launch").json() == NOT_FOUND


def test_a_street_cannot_define_a_campaign_over_another_street(api, world, elderly):
    response = post(
        api("street"),
        "/api/v1/campaigns",
        {
            "name": "越界",
            "area_code": "440704002",
            "target_kind": "tagged_people",
            "tag": "elderly_alone",
            "deadline": "2999-01-01",
            "launch": True,
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"area_code": ["未知的区域，或不在您的管辖范围内"]}


def test_photos_are_the_uploaders_until_used_then_the_targets(api, world, community_campaign):
    worker_a = api("worker_a")
    upload = worker_a.post(
        "/api/v1/campaigns/photos",
        {"file": SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")},
    )
    photo = ok(upload, 201)
    path = f"/api/v1/campaigns/photos/{photo['id']}"
    assert worker_a.get(path).status_code == 200
    assert api("community").get(path).status_code == 404
    # Used as an answer: whoever sees the target sees it.
    from wangge.campaigns.actions import QuestionSpec
    from wangge.campaigns.models import Campaign, Question

    campaign = Campaign.objects.get(pk=community_campaign["id"])
    spec = QuestionSpec("door", "门牌", "photo")
    Question.objects.create(campaign=campaign, key=spec.key, label=spec.label, kind=spec.kind)
    target = targets(worker_a, campaign.pk)[0]
    ok(attempt(worker_a, target["id"], "registered", answers={"door": photo["id"]}), 201)
    assert api("community").get(path).status_code == 200
    assert api("street").get(path).status_code == 200
    assert api("worker_b").get(path).status_code == 404
    assert api("street_b").get(path).status_code == 404


def test_anonymous_callers_get_401(client, community_campaign):
    cid = community_campaign["id"]
    for path in ("/api/v1/campaigns", f"/api/v1/campaigns/{cid}", "/api/v1/campaigns/outcomes"):
        assert client.get(path).status_code == 401
    assert post(client, "/api/v1/campaigns/attempts", {}).status_code == 401


def test_community_progress_never_mentions_other_communities(api, world, elderly):
    campaign = create_campaign(api("district"), area_code="440704", name="全区")
    body = api("community").get(f"/api/v1/campaigns/{campaign['id']}/progress?by=unit")
    assert GRID_B not in body.content.decode()
    assert COMMUNITY_A  # the community's own grids are listed
    keys = {r["key"] for r in body.json()["rows"]}
    assert keys and all(k.startswith(COMMUNITY_A) for k in keys)
