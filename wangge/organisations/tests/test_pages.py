"""The organisation pages through the Django test client: scope, kinds, masked phones."""

import re

import pytest

from wangge.organisations import selectors
from wangge.testing import SAMPLE_PHONE

#: Which sample enterprises (1–4: grids A, A2, B, the other district) each user sees;
#: ``None``: no organisation pages (no right to read them).
ENTERPRISES = {
    "admin": {1, 2, 3, 4},
    "district": {1, 2, 3},
    "street": {1, 2},
    "street_b": {3},
    "community": {1, 2},
    "worker_a": {1},
    "worker_a2": {2},
    "worker_b": {3},
    "other_district": {4},
    "part_time_a": None,
    "dept": None,
    "resident": None,
}
KINDS = {
    "enterprises": ("enterprises", selectors.enterprises_visible_to),
    "party": ("party", selectors.party_visible_to),
    "property-companies": ("companies", selectors.property_companies_visible_to),
    "social": ("social", selectors.social_visible_to),
}


def html(response):
    return response.content.decode()


def listed(response):
    return {int(pk) for pk in re.findall(r'data-org="(\d+)"', html(response))}


@pytest.mark.parametrize("username", sorted(ENTERPRISES))
def test_it_lists_and_opens_only_the_organisations_in_scope(samples, login, world, username):
    client = login(username)
    sees = ENTERPRISES[username]
    index = client.get("/organisations/")
    if sees is None:
        assert index.status_code == 403
        for path in KINDS:
            assert client.get(f"/organisations/{path}/").status_code == 403
        assert (
            client.get(f"/organisations/enterprises/{samples.enterprises[0]}/").status_code == 403
        )
        return
    assert index.status_code == 302 and index.url == "/organisations/enterprises/"
    numbers = {pk: i + 1 for i, pk in enumerate(samples.enterprises)}
    response = client.get("/organisations/enterprises/")
    assert {numbers[pk] for pk in listed(response)} == sees
    every = {
        "enterprises": samples.enterprises,
        "party": samples.party,
        "property-companies": samples.companies,
        "social": samples.social,
    }
    for path, (_slug, visible_to) in KINDS.items():
        visible = set(visible_to(world[username]).values_list("pk", flat=True))
        response = client.get(f"/organisations/{path}/")
        assert response.status_code == 200, path
        assert listed(response) == visible & set(every[path]), path
        for pk in every[path]:
            expected = 200 if pk in visible else 404
            assert client.get(f"/organisations/{path}/{pk}/").status_code == expected, (path, pk)


def test_it_masks_phones_on_lists_and_pages(samples, login):
    client = login("worker_a")
    masked = f"{SAMPLE_PHONE[:3]}****{SAMPLE_PHONE[-4:]}"
    for path in (
        "/organisations/enterprises/",
        f"/organisations/enterprises/{samples.enterprises[0]}/",
        "/organisations/property-companies/",
        f"/organisations/property-companies/{samples.companies[0]}/",
    ):
        text = html(client.get(path))
        assert SAMPLE_PHONE not in text, path
        assert masked in text, path


def test_it_shows_a_property_company_only_with_the_places_the_user_sees(samples, login):
    text = html(login("worker_a").get(f"/organisations/property-companies/{samples.companies[0]}/"))
    assert "第1单元" in text
    assert "440704002001001001" not in text
    text_b = html(
        login("worker_b").get(f"/organisations/property-companies/{samples.companies[0]}/")
    )
    assert "440704001001001001" not in text_b


def test_it_links_the_party_chain_where_the_user_sees_it(samples, login):
    community_org = samples.party[1]
    grid_org = samples.party[2]
    text = html(login("worker_a").get(f"/organisations/party/{grid_org}/"))
    assert "样例党组织440704001001" in text  # the link up, named
    assert f'href="/organisations/party/{community_org}/"' not in text  # but not opened
    text = html(login("community").get(f"/organisations/party/{community_org}/"))
    assert f'href="/organisations/party/{grid_org}/"' in text


def test_it_filters_enterprises_by_kind(samples, login):
    response = login("district").get("/organisations/enterprises/", {"kind": "individual"})
    assert listed(response) == {samples.enterprises[2]}


def test_it_shows_organisations_in_english_when_chosen(samples, login):
    client = login("worker_a")
    enterprise = f"/organisations/enterprises/{samples.enterprises[0]}/"
    party = f"/organisations/party/{samples.party[2]}/"
    chinese = html(client.get(enterprise)) + html(client.get(party))
    assert "住宿和餐饮业" in chinese and "瓶装液化石油气" in chinese and "网格党组织" in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = html(client.get(enterprise)) + html(client.get(party))
    assert "Accommodation and catering" in english and "Bottled LPG" in english
    assert "Grid Party organisation" in english
    assert "住宿和餐饮业" not in english and "瓶装液化石油气" not in english
    assert "网格党组织" not in english
