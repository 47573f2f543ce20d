"""Party organisations, property companies and social organisations through the API."""

import pytest

from wangge.organisations.actions import do_create_party_organisation
from wangge.organisations.models import PartyOrganisation, PropertyCompany
from wangge.testing import GRID_A, GRID_A2, GRID_B, GRID_OTHER

from .conftest import ok, post

PARTY = "/api/v1/organisations/party"
COMPANIES = "/api/v1/organisations/property-companies"
SOCIAL = "/api/v1/organisations/social"


def listed(client, url, **query):
    return {row["id"]: row for row in ok(client.get(url, query))["items"]}


# --- the party chain ---------------------------------------------------------------


def test_it_links_the_party_chain_from_the_hierarchy(api, world):
    admin = api("admin")
    street = ok(
        post(
            admin,
            PARTY,
            {
                "kind": "street_committee",
                "name": "中共东街道工作委员会",
                "region_code": "440704001",
            },
        ),
        201,
    )
    # The grid branch comes before its community organisation: it is adopted later.
    branch = ok(
        post(
            admin, PARTY, {"kind": "grid_branch", "name": "东一网格党支部", "region_code": GRID_A}
        ),
        201,
    )
    assert branch["parent"] is None
    community = ok(
        post(
            admin,
            PARTY,
            {
                "kind": "community",
                "name": "中共东社区委员会",
                "region_code": "440704001001",
                "member_count": 120,
            },
        ),
        201,
    )
    assert community["parent"]["id"] == street["id"]
    assert [c["id"] for c in community["children"]] == [branch["id"]]
    household = ok(
        post(
            api("worker_a"),
            PARTY,
            {
                "kind": "member_household",
                "name": "党员陈伟联系户",
                "region_code": GRID_A + "001",
                "secretary_name": "陈伟",
                "member_count": 12,
            },
        ),
        201,
    )
    assert household["parent"] == {
        "id": branch["id"],
        "kind": "grid_branch",
        "name": "东一网格党支部",
        "region_code": GRID_A,
    }
    assert household["kind_label"] == "党员联系户"
    chain = PartyOrganisation.objects.get(pk=household["id"])
    assert chain.parent.parent.parent.pk == street["id"]


def test_it_checks_the_level_and_uniqueness_of_party_organisations(api, world, samples):
    admin = api("admin")
    wrong = post(admin, PARTY, {"kind": "grid_branch", "name": "x", "region_code": "440704001001"})
    assert wrong.status_code == 422
    assert wrong.json()["fields"]["region_code"] == ["「网格党组织」应设在网格"]
    twice = post(admin, PARTY, {"kind": "grid_branch", "name": "x", "region_code": GRID_A})
    assert twice.json()["fields"]["region_code"] == ["该节点已有网格党组织"]
    household = post(
        admin, PARTY, {"kind": "member_household", "name": "x", "region_code": "440704001"}
    )
    assert household.json()["fields"]["region_code"] == ["「党员联系户」应设在网格或最小单元"]
    outside = post(
        api("worker_a"),
        PARTY,
        {"kind": "member_household", "name": "x", "region_code": GRID_B + "001"},
    )
    assert outside.json()["fields"]["region_code"] == ["该节点不存在，或不在您的管辖范围内"]
    forbidden = post(
        api("district"), PARTY, {"kind": "member_household", "name": "x", "region_code": GRID_A}
    )
    assert forbidden.status_code == 403


def test_it_shows_a_worker_the_grids_links_and_their_parents_by_name(api, samples):
    worker = api("worker_a")
    rows = listed(worker, PARTY)
    assert {r["kind"] for r in rows.values()} == {"grid_branch", "member_household"}
    assert {r["region_code"][:15] for r in rows.values()} == {GRID_A}
    branch = next(r for r in rows.values() if r["kind"] == "grid_branch")
    assert branch["parent"]["kind"] == "community"
    # The community organisation itself lies above the worker's grid.
    assert worker.get(f"{PARTY}/{branch['parent']['id']}").status_code == 404
    detail = ok(worker.get(f"{PARTY}/{branch['id']}"))
    assert [c["kind"] for c in detail["children"]] == ["member_household"]
    community = ok(api("community").get(f"{PARTY}/{branch['parent']['id']}"))
    assert {c["region_code"] for c in community["children"]} == {GRID_A, GRID_A2}
    assert {r["kind"] for r in listed(api("street"), PARTY).values()} == {
        "street_committee",
        "community",
        "grid_branch",
        "member_household",
    }
    assert set(listed(api("street"), PARTY, kind="grid_branch")) == {
        pk
        for pk, r in listed(api("admin"), PARTY, kind="grid_branch").items()
        if r["region_code"].startswith("440704001")
    }
    assert listed(api("resident"), PARTY) == {}


# --- property companies -------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "units"),
    [
        ("admin", [GRID_A + "001", GRID_B + "001"]),
        ("district", [GRID_A + "001", GRID_B + "001"]),
        ("worker_a", [GRID_A + "001"]),
        ("worker_b", [GRID_B + "001"]),
        ("worker_a2", None),
        ("dept", None),
        ("other_district", None),
    ],
)
def test_it_shows_a_company_with_only_the_places_the_reader_may_see(api, samples, username, units):
    pk = samples.companies[0]
    response = api(username).get(f"{COMPANIES}/{pk}")
    if units is None:
        assert response.status_code == 404
        assert pk not in listed(api(username), COMPANIES)
        return
    company = ok(response)
    assert company["managed_units"] == units
    assert company["contact_phone"] == "138****8000"
    assert listed(api(username), COMPANIES)[pk]["managed_units"] == units


def test_it_registers_a_company_only_for_places_in_the_workers_area(api, world):
    worker = api("worker_a")
    refused = post(
        worker,
        COMPANIES,
        {"name": "江门市华盛物业服务有限公司", "managed_units": [GRID_A + "001", GRID_B + "001"]},
    )
    assert refused.status_code == 422
    assert refused.json()["fields"]["managed_units"] == [
        f"该网格或最小单元不存在，或不在您的管辖范围内：{GRID_B}001"
    ]
    assert not PropertyCompany.objects.exists()
    created = ok(
        post(
            worker,
            COMPANIES,
            {
                "name": "江门市华盛物业服务有限公司",
                "managed_units": [GRID_A + "001", GRID_A + "002"],
                "contact_phone": "0750-3212345",
            },
        ),
        201,
    )
    assert created["managed_units"] == [GRID_A + "001", GRID_A + "002"]
    assert created["contact_phone"] == "075*****2345"
    assert created["id"] not in listed(api("worker_b"), COMPANIES)
    assert post(worker, f"{COMPANIES}/{created['id']}/verify", {}).status_code == 200
    assert post(api("worker_b"), f"{COMPANIES}/{created['id']}/verify", {}).status_code == 404


# --- social organisations -----------------------------------------------------------


def test_it_registers_and_scopes_social_organisations(api, samples):
    community = api("community")
    created = ok(
        post(
            community,
            SOCIAL,
            {
                "name": "东社区长者协会",
                "kind": "community_group",
                "region_code": "440704001001",
                "contact_name": "黄敏",
                "contact_phone": "13712345678",
            },
        ),
        201,
    )
    assert created["kind_label"] == "社区社会组织"
    assert created["contact_phone"] == "137****5678"
    assert created["id"] in listed(community, SOCIAL)
    # A grid worker does not see the community-level organisations above the grid.
    assert created["id"] not in listed(api("worker_a"), SOCIAL)
    assert set(listed(api("worker_b"), SOCIAL)) == {samples.social[1]}
    assert set(listed(api("other_district"), SOCIAL)) == {samples.social[2]}
    wrong = post(
        api("worker_a"), SOCIAL, {"name": "x", "kind": "volunteer", "region_code": GRID_OTHER}
    )
    assert wrong.status_code == 422
    bad_code = post(
        community,
        SOCIAL,
        {"name": "x", "kind": "volunteer", "region_code": "440704001001", "uscc": "123"},
    )
    assert bad_code.json()["fields"]["uscc"] == ["统一社会信用代码应为 18 位"]


def test_it_creates_orphans_when_no_parent_is_registered_yet(world):
    household = do_create_party_organisation(
        actor=None, kind="member_household", name="x", region_code=GRID_A2
    )
    assert household.parent is None
