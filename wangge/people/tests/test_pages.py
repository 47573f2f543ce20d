"""The people pages through the Django test client: scope, search, unmasking, forms, queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.audit.models import AuditEntry
from wangge.people.actions import do_create_person
from wangge.people.models import Person
from wangge.testing import GRID_A, SAMPLE_PEOPLE, make_id_number, sample_people

UNIT_A = GRID_A + "001"

#: Who sees which sample people (``wangge.testing.SAMPLE_PEOPLE``); ``None``: no people pages.
SEES = {
    "admin": {"a", "a_tenant", "a2", "b", "other"},
    "district": {"a", "a_tenant", "a2", "b"},
    "street": {"a", "a_tenant", "a2"},
    "street_b": {"b"},
    "community": {"a", "a_tenant", "a2"},
    "worker_a": {"a", "a_tenant"},
    "worker_a2": {"a2"},
    "worker_b": {"b"},
    "part_time_a": {"a", "a_tenant"},
    "other_district": {"other"},
    "dept": None,
    "resident": None,
}
#: Who may register people (somewhere), and change person "a".
ADDS = {"admin", "community", "worker_a", "worker_a2", "worker_b", "part_time_a"}
CHANGES_A = {"admin", "community", "worker_a"}


@pytest.fixture
def sp(world):
    return sample_people(world)


def html(response):
    return response.content.decode()


def without_tokens(response):
    """The page without its CSRF tokens (masked afresh on every response)."""
    return re.sub(
        r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html(response)
    )


def listed(response):
    return [
        int(pk) for pk in re.findall(r'<li class="ev-item" data-person="(\d+)"', html(response))
    ]


def labels(sp, response):
    by_pk = {pk: label for label, pk in sp.people.items()}
    return {by_pk[pk] for pk in listed(response)}


def unmask_rows():
    return AuditEntry.objects.filter(action="people.unmask")


# --- who opens which page ------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_lists_and_opens_only_the_people_in_scope(sp, login, username):
    client = login(username)
    sees = SEES[username]
    response = client.get("/people/")
    if sees is None:
        assert response.status_code == 403
        for pk in sp.people.values():
            assert client.get(f"/people/{pk}/").status_code == 403
        return
    assert response.status_code == 200
    assert labels(sp, response) == sees
    for label, pk in sp.people.items():
        expected = 200 if label in sees else 404
        assert client.get(f"/people/{pk}/").status_code == expected, label


@pytest.mark.parametrize("username", sorted(SEES))
def test_it_offers_registering_and_changing_by_role(sp, login, username):
    client = login(username)
    assert client.get("/people/new/").status_code == (200 if username in ADDS else 403)
    sees = SEES[username] or set()
    expected = 200 if username in CHANGES_A else 403 if "a" in sees else 404
    if SEES[username] is None:
        expected = 403
    assert client.get(f"/people/{sp.people['a']}/edit/").status_code == expected


def test_it_sends_anonymous_visitors_to_the_login_page(sp, client):
    for path in ("/people/", "/people/new/", f"/people/{sp.people['a']}/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_answers_out_of_scope_like_a_missing_person(sp, login):
    client = login("worker_a")
    outside = client.get(f"/people/{sp.people['b']}/")
    missing = client.get("/people/999999/")
    assert outside.status_code == missing.status_code == 404
    # The same page but for the address itself (the language switcher comes back to it).
    assert without_tokens(outside).replace(f"/people/{sp.people['b']}/", "/people/999999/") == (
        without_tokens(missing)
    )
    for path in ("edit/", "unmask/"):
        assert (
            client.post(f"/people/{sp.people['b']}/{path}", {"reason": "核对"}).status_code == 404
        )
    assert not unmask_rows().exists()


# --- search and filters ---------------------------------------------------------------------------


def test_it_finds_nobody_outside_the_scope_even_by_exact_id_number(sp, login):
    id_b = SAMPLE_PEOPLE["b"][2]
    response = login("worker_a").get("/people/", {"q": id_b})
    assert response.status_code == 200
    assert listed(response) == []
    assert "精确" in html(response)  # the box was read as an exact ID number
    assert listed(login("worker_b").get("/people/", {"q": id_b})) == [sp.people["b"]]
    assert listed(login("worker_a").get("/people/", {"q": SAMPLE_PEOPLE["b"][3]})) == []


def test_it_searches_by_name_initials_phone_and_address(sp, login):
    client = login("community")
    assert listed(client.get("/people/", {"q": "样例甲"})) == [sp.people["a"]]
    assert listed(client.get("/people/", {"q": "ylj"})) == [sp.people["a"]]
    assert listed(client.get("/people/", {"q": SAMPLE_PEOPLE["a2"][3]})) == [sp.people["a2"]]
    assert listed(client.get("/people/", {"q": SAMPLE_PEOPLE["a"][2].lower()})) == [sp.people["a"]]
    assert listed(client.get("/people/", {"q": "样例路1号"})) == [sp.people["a_tenant"]]


def test_it_filters_by_tag_residence_type_and_grid(sp, login):
    person = Person.objects.get(pk=sp.people["a2"])
    from wangge.people.actions import do_update_person

    do_update_person(person, actor=None, tags=["elderly_alone"])
    client = login("community")
    assert listed(client.get("/people/", {"tag": "elderly_alone"})) == [sp.people["a2"]]
    assert listed(client.get("/people/", {"residence_type": "floating"})) == [sp.people["a_tenant"]]
    assert set(listed(client.get("/people/", {"under": GRID_A}))) == {
        sp.people["a"],
        sp.people["a_tenant"],
    }
    # A grid outside the scope narrows nothing down to somebody else's people.
    assert listed(client.get("/people/", {"under": "440704002001001"})) == []
    # A value that does not parse is left out, not fatal.
    assert client.get("/people/", {"residence_type": "nonsense"}).status_code == 200


def test_it_answers_the_list_as_a_fragment_to_htmx(sp, login):
    response = login("worker_a").get("/people/", {"q": "样例"}, headers={"HX-Request": "true"})
    text = html(response)
    assert response.status_code == 200
    assert text.lstrip().startswith('<section id="people-list"')
    assert "<html" not in text


def test_it_pages_the_list(sp, login):
    for i in range(25):
        do_create_person(
            actor=None,
            name=f"居民{i:02d}",
            id_number=make_id_number("440704", "19700101", f"{200 + i:03d}"),
            region_code=UNIT_A,
        )
    client = login("worker_a")
    first = client.get("/people/")
    assert len(listed(first)) == 20
    assert 'rel="next"' in html(first)
    second = client.get("/people/", {"page": 2})
    assert len(listed(second)) == 7
    assert not set(listed(first)) & set(listed(second))


def test_it_reads_the_list_in_a_bounded_number_of_queries(sp, login):
    client = login("worker_a")

    def count():
        client.get("/people/")  # the session and the scope are loaded once
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/people/").status_code == 200
        return len(queries)

    few = count()
    for i in range(15):
        person = do_create_person(
            actor=None,
            name=f"居民{i:02d}",
            id_number=make_id_number("440704", "19700101", f"{300 + i:03d}"),
            region_code=UNIT_A if i % 2 else GRID_A + "002",
            tags=["disabled", "low_income"],
        )
        assert person.pk
    assert count() == few
    assert few <= 12


# --- one person ------------------------------------------------------------------------------------


def test_it_shows_a_person_masked_with_household_room_and_history(sp, login):
    _unit, _name, id_number, phone = SAMPLE_PEOPLE["a"]
    text = html(login("worker_a").get(f"/people/{sp.people['a']}/"))
    assert id_number not in text and phone not in text
    assert f"{id_number[:6]}********{id_number[-4:]}" in text
    assert f"{phone[:3]}****{phone[-4:]}" in text
    assert "样例户" in text and "户主" in text
    assert "居住历史" in text and "登记" in text

    tenant = html(login("worker_a").get(f"/people/{sp.people['a_tenant']}/"))
    assert f'href="/places/{sp.buildings["A"]}/"' in tenant
    assert "样例路1号101室" in tenant


def test_it_shows_a_persons_choices_in_english_when_chosen(sp, login):
    client = login("worker_a")
    path = f"/people/{sp.people['a']}/"
    chinese = html(client.get(path))
    assert "户主" in chinese and "户籍人口" in chinese and "在住" in chinese
    assert "Head of household" not in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = html(client.get(path))
    assert "Head of household" in english and "Registered resident" in english
    assert "Lives here" in english and "Show the ID number" in english
    assert "户主" not in english and "户籍人口" not in english and ">在住<" not in english


def test_it_shows_places_outside_the_scope_only_as_dates(sp, login, world):
    from wangge.people.actions import do_move_person

    person = Person.objects.get(pk=sp.people["a2"])
    do_move_person(person, actor=None, region_code=UNIT_A, address="新地址1号")
    text = html(login("worker_a").get(f"/people/{person.pk}/"))
    assert "新地址1号" in text
    assert "辖区外" in text


def test_it_offers_unmasking_only_where_the_user_may(sp, login):
    path = f"/people/{sp.people['a']}/"
    assert 'data-action="unmask"' in html(login("worker_a").get(path))
    assert 'data-action="unmask"' in html(login("community").get(path))
    for username in ("street", "district", "part_time_a"):
        assert 'data-action="unmask"' not in html(login(username).get(path)), username


def test_it_refuses_to_unmask_without_a_reason_and_writes_no_audit_row(sp, login):
    _unit, _name, id_number, _phone = SAMPLE_PEOPLE["a"]
    client = login("worker_a")
    response = client.post(
        f"/people/{sp.people['a']}/unmask/", {"field": "id_number", "reason": " "}
    )
    assert response.status_code == 422
    text = html(response)
    assert "请填写查看原因" in text
    assert id_number not in text
    assert not unmask_rows().exists()


def test_it_unmasks_once_with_a_reason_and_writes_one_audit_row(sp, login, world):
    _unit, _name, id_number, phone = SAMPLE_PEOPLE["a"]
    client = login("worker_a")
    response = client.post(
        f"/people/{sp.people['a']}/unmask/", {"field": "id_number", "reason": "办理低保核对身份"}
    )
    assert response.status_code == 200
    text = html(response)
    assert id_number in text
    assert phone not in text
    assert "no-store" in response["Cache-Control"]
    rows = list(unmask_rows())
    assert len(rows) == 1
    assert rows[0].actor == world["worker_a"]
    assert rows[0].reason == "办理低保核对身份"
    assert rows[0].after == {"field": "id_number", "empty": False}
    assert id_number not in str(rows[0].after)
    # Shown once: the page itself stays masked.
    assert id_number not in html(client.get(f"/people/{sp.people['a']}/"))


def test_it_unmasks_the_phone_as_an_htmx_fragment(sp, login):
    phone = SAMPLE_PEOPLE["a"][3]
    response = login("worker_a").post(
        f"/people/{sp.people['a']}/unmask/",
        {"field": "phone", "reason": "电话回访"},
        headers={"HX-Request": "true"},
    )
    text = html(response)
    assert response.status_code == 200
    assert text.lstrip().startswith('<section class="card" id="identifiers"')
    assert phone in text
    assert unmask_rows().count() == 1


@pytest.mark.parametrize("username", ["street", "part_time_a"])
def test_it_forbids_unmasking_to_readers_without_the_right(sp, login, username):
    response = login(username).post(
        f"/people/{sp.people['a']}/unmask/", {"field": "id_number", "reason": "想看看"}
    )
    assert response.status_code == 403
    assert SAMPLE_PEOPLE["a"][2] not in html(response)
    assert not unmask_rows().exists()


# --- registering and changing ------------------------------------------------------------------------


def test_it_registers_a_person_with_field_errors_first(sp, login):
    client = login("worker_a")
    form = html(client.get("/people/new/"))
    assert f'value="{UNIT_A}"' in form and "440704002001001" not in form

    response = client.post("/people/new/", {"id_number": "12345", "residence_type": "registered"})
    assert response.status_code == 422
    text = html(response)
    assert "请填写姓名" in text
    assert "请选择该人员居住的网格或最小单元" in text
    assert 'class="field has-error"' in text
    assert Person.objects.count() == len(SAMPLE_PEOPLE)

    id_number = make_id_number("440704", "19500202", "417")
    response = client.post(
        "/people/new/",
        {
            "name": "黄婆婆",
            "id_number": id_number,
            "phone": "13912345678",
            "region_code": UNIT_A,
            "residence_type": "registered",
            "residence_address": "新塘里96号101室",
            "tags": ["elderly_alone"],
        },
    )
    person = Person.objects.get(name="黄婆婆")
    assert response.status_code == 302 and response.url == f"/people/{person.pk}/"
    assert person.id_number == id_number and person.created_by.username == "worker_a"
    assert [pt.tag.code for pt in person.person_tags.all()] == ["elderly_alone"]
    page = html(client.get(response.url))
    assert "已登记" in page and "独居老人" in page


def test_it_refuses_registering_outside_the_area(sp, login):
    response = login("worker_a").post(
        "/people/new/",
        {
            "name": "外人",
            "id_number": make_id_number("440704", "19800101", "555"),
            "region_code": "440704002001001001",
            "residence_type": "registered",
        },
    )
    assert response.status_code == 422
    assert "不在您的管辖范围内" in html(response)
    assert not Person.objects.filter(name="外人").exists()


def test_it_changes_a_person_without_showing_the_id_number(sp, login):
    _unit, _name, id_number, _phone = SAMPLE_PEOPLE["a"]
    client = login("worker_a")
    path = f"/people/{sp.people['a']}/edit/"
    form = html(client.get(path))
    assert id_number not in form
    assert f"{id_number[:6]}********" in form

    response = client.post(
        path,
        {
            "name": "样例甲",
            "id_number": "",
            "phone": "",
            "residence_type": "registered",
            "status": "active",
            "residence_address": "新塘里96号",
            "tags": ["disabled"],
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=sp.people["a"])
    assert person.id_number == id_number  # kept
    assert person.phone == SAMPLE_PEOPLE["a"][3]
    assert person.residence_address == "新塘里96号"
    assert [pt.tag.code for pt in person.person_tags.all()] == ["disabled"]

    response = client.post(
        path, {"name": "", "id_number": "440704", "residence_type": "registered", "status": "x"}
    )
    assert response.status_code == 422
    text = html(response)
    assert "请填写姓名" in text
    assert Person.objects.get(pk=sp.people["a"]).name == "样例甲"


def test_it_removes_a_phone_on_request(sp, login):
    client = login("worker_a")
    response = client.post(
        f"/people/{sp.people['a']}/edit/",
        {
            "name": "样例甲",
            "residence_type": "registered",
            "status": "active",
            "remove_phone": "on",
        },
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=sp.people["a"]).phone == ""
