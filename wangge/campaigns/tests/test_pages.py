"""The campaign pages through the Django test client: scope, the create form, progress, the
worker's targets with their outbox-ready outcome forms, and the plain (no JavaScript) post."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wangge.campaigns.models import Attempt, Campaign, Photo, Target
from wangge.testing import GRID_A, GRID_A2, USERS

from .conftest import COMMUNITY_A, STREET_A, create_campaign, deadline, png_bytes

#: Who opens the list (200) or not (403), and sees the community-A campaign in it.
LIST = {
    "admin": True,
    "district": True,
    "street": True,
    "street_b": False,
    "community": True,
    "worker_a": True,
    "worker_a2": True,
    "worker_b": False,
    "part_time_a": True,
    "other_district": False,
    "dept": None,
    "resident": None,
}


def html(response):
    return response.content.decode()


@pytest.fixture
def campaign(api, world, elderly):
    return create_campaign(
        api("community"),
        questions=[
            {
                "key": "lives_alone",
                "label": "是否仍独居",
                "kind": "choice",
                "required": True,
                "choices": ["是", "否"],
            },
            {
                "key": "who",
                "label": "同住人",
                "kind": "text",
                "show_if_key": "lives_alone",
                "show_if_value": "否",
            },
            {"key": "phone", "label": "新电话", "kind": "text", "maps_to": "person.phone"},
        ],  # fmt: skip
    )


def forms_of(page):
    return re.findall(r"<form[^>]*data-outbox[^>]*>.*?</form>", page, flags=re.S)


def names_in(form):
    return set(re.findall(r'name="([^"]+)"', form))


def fields_of(form):
    """The values a browser would send for the form as rendered (first option / checked)."""
    values = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return values


def test_every_role_is_covered():
    assert set(LIST) == set(USERS)


@pytest.mark.parametrize("username", sorted(LIST))
def test_the_list_shows_campaigns_in_scope(login, campaign, username):
    client = login(username)
    response = client.get("/campaigns/")
    sees = LIST[username]
    detail = client.get(f"/campaigns/{campaign['id']}/")
    if sees is None:
        assert response.status_code == 403
        assert detail.status_code == 404
        return
    assert response.status_code == 200
    listed = set(re.findall(r'data-campaign="(\d+)"', html(response)))
    assert listed == ({str(campaign["id"])} if sees else set())
    assert detail.status_code == (200 if sees else 404)


def test_the_campaign_page_shows_the_progress_table(login, api, campaign):
    client = login("street")
    page = html(client.get(f"/campaigns/{campaign['id']}/"))
    assert 'data-testid="progress-table"' in page
    rows = dict(re.findall(r'<tr data-row="(\d+)">\s*<td>([^<]+)</td>', page))
    assert rows == {GRID_A: "东一网格", GRID_A2: "东二网格"}
    assert re.search(r'data-figure="total">5<', page)
    workers = html(client.get(f"/campaigns/{campaign['id']}/?by=worker"))
    assert "张伟" in workers and "王芳" in workers
    partial = client.get(f"/campaigns/{campaign['id']}/?by=unit", headers={"HX-Request": "true"})
    assert html(partial).lstrip().startswith('<section id="progress"')
    # A worker's page counts the worker's grid only.
    mine = html(login("worker_a").get(f"/campaigns/{campaign['id']}/"))
    assert re.search(r'data-figure="total">3<', mine)
    assert GRID_A2 not in mine


def test_the_workers_targets_carry_outbox_ready_outcome_forms(login, campaign):
    client = login("worker_a")
    first = html(client.get(f"/campaigns/{campaign['id']}/mine/"))
    listed = re.findall(r'<li class="ev-item cp-target" id="target-(\d+)"', first)
    expected = Target.objects.filter(campaign_id=campaign["id"], assignee__username="worker_a")
    assert sorted(map(int, listed)) == sorted(expected.values_list("pk", flat=True))
    forms = forms_of(first)
    assert len(forms) == 3
    for form in forms:
        assert 'data-outbox-url="/api/v1/campaigns/attempts"' in form
        assert re.search(r'action="/campaigns/\d+/targets/\d+/attempt/"', form)
        assert {
            "request_id",
            "target_id",
            "channel",
            "outcome",
            "note",
            "follow_up_at",
            "answers.lives_alone",
            "answers.who",
            "answers.phone",
        } <= names_in(form)
        assert 'data-show-if="answers.lives_alone"' in form
    ids = [fields_of(f)["request_id"] for f in forms]
    assert all(uuid.UUID(i).version == 4 for i in ids) and len(set(ids)) == 3
    second = html(client.get(f"/campaigns/{campaign['id']}/mine/"))
    again = [fields_of(f)["request_id"] for f in forms_of(second)]
    assert not set(ids) & set(again)
    # Grid A2's worker sees grid A2's targets only.
    other = html(login("worker_a2").get(f"/campaigns/{campaign['id']}/mine/"))
    assert len(forms_of(other)) == 2
    assert not set(listed) & set(re.findall(r'id="target-(\d+)"', other))
    # The whole community, for its staff.
    everyone = html(login("community").get(f"/campaigns/{campaign['id']}/mine/?all=1"))
    assert len(forms_of(everyone)) == 5


def post_form(client, campaign_id, target_id, **values):
    body = {
        "request_id": str(uuid.uuid4()),
        "target_id": str(target_id),
        "channel": "visit",
        "outcome": "",
        "follow_up_at": "",
        "note": "",
        "answers.lives_alone": "",
        "answers.who": "",
        "answers.phone": "",
        "next": f"/campaigns/{campaign_id}/mine/",
    }
    body.update(values)
    return client.post(f"/campaigns/{campaign_id}/targets/{target_id}/attempt/", body)


def test_the_outcome_form_works_without_javascript_and_once_per_request_id(login, campaign):
    client = login("worker_a")
    cid = campaign["id"]
    target = Target.objects.filter(campaign_id=cid, assignee__username="worker_a").first()
    request_id = str(uuid.uuid4())
    first = post_form(client, cid, target.pk, request_id=request_id, outcome="notified")
    assert first.status_code == 302 and first["Location"] == f"/campaigns/{cid}/mine/"
    second = post_form(client, cid, target.pk, request_id=request_id, outcome="notified")
    assert second.status_code == 302
    assert Attempt.objects.filter(target=target).count() == 1
    target.refresh_from_db()
    assert target.is_done and target.last_outcome.code == "notified"
    # 今晚回 with a local time from a datetime-local input.
    other = Target.objects.filter(campaign_id=cid, assignee__username="worker_a").exclude(
        pk=target.pk
    )[0]
    tonight = (timezone.localtime() + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    ok = post_form(client, cid, other.pk, outcome="back_tonight", follow_up_at=tonight)
    assert ok.status_code == 302
    other.refresh_from_db()
    assert timezone.localtime(other.follow_up_at).strftime("%Y-%m-%dT%H:%M") == tonight


def test_a_refused_outcome_form_comes_back_with_the_messages(login, campaign):
    client = login("worker_a")
    cid = campaign["id"]
    target = Target.objects.filter(campaign_id=cid, assignee__username="worker_a").first()
    request_id = str(uuid.uuid4())
    response = post_form(
        client,
        cid,
        target.pk,
        request_id=request_id,
        outcome="back_tonight",
        **{"answers.phone": "123"},
    )
    assert response.status_code == 422
    page = html(response)
    assert "「今晚回」需要填写回访时间" in page
    assert "电话号码格式不正确" in page
    # The same request id stays in the form: nothing was stored, a resend is safe.
    assert f'value="{request_id}"' in page
    missing = post_form(client, cid, target.pk, outcome="registered")
    assert "此项为必填" in html(missing)
    assert not Attempt.objects.exists()


def test_nobody_records_on_targets_outside_their_grid(login, campaign):
    cid = campaign["id"]
    target = Target.objects.filter(campaign_id=cid, region_code__startswith=GRID_A).first()
    assert post_form(login("worker_b"), cid, target.pk, outcome="notified").status_code == 404
    assert post_form(login("worker_a2"), cid, target.pk, outcome="notified").status_code == 404
    assert post_form(login("street_b"), cid, target.pk, outcome="notified").status_code == 404
    assert post_form(login("street"), cid, target.pk, outcome="notified").status_code == 403
    assert login("worker_b").get(f"/campaigns/{cid}/targets/{target.pk}/").status_code == 404
    assert login("worker_b").get(f"/campaigns/{cid}/mine/").status_code == 404
    assert login("street").get(f"/campaigns/{cid}/mine/").status_code == 403
    # A target of another campaign is not found through this one.
    other = create_campaign_direct(login, cid)
    assert login("worker_a").get(f"/campaigns/{other}/targets/{target.pk}/").status_code == 404
    assert not Attempt.objects.exists()


def create_campaign_direct(login, cid):
    from wangge.campaigns.actions import do_create_campaign

    campaign = Campaign.objects.get(pk=cid)
    return do_create_campaign(
        actor=None,
        name="另一个",
        area_code=COMMUNITY_A,
        target_kind="tagged_people",
        tag=campaign.tag.code,
        deadline=campaign.deadline,
        launch=True,
    ).pk


def test_the_target_page_shows_the_contacts_and_takes_a_photo(login, api, world, elderly):
    campaign = create_campaign(
        api("community"),
        questions=[{"key": "door", "label": "门牌照片", "kind": "photo"}],
    )
    cid = campaign["id"]
    client = login("worker_a")
    target = Target.objects.filter(campaign_id=cid, assignee__username="worker_a").first()
    page = html(client.get(f"/campaigns/{cid}/targets/{target.pk}/"))
    assert 'enctype="multipart/form-data"' in page and 'name="answers.door"' in page
    response = client.post(
        f"/campaigns/{cid}/targets/{target.pk}/attempt/",
        {
            "request_id": str(uuid.uuid4()),
            "target_id": str(target.pk),
            "channel": "visit",
            "outcome": "registered",
            "answers.door": SimpleUploadedFile("d.png", png_bytes(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.attempt.target_id == target.pk and photo.uploader == world["worker_a"]
    page = html(client.get(f"/campaigns/{cid}/targets/{target.pk}/"))
    assert f'src="/campaigns/photos/{photo.pk}/"' in page and "已登记" in page
    assert client.get(f"/campaigns/photos/{photo.pk}/").status_code == 200
    assert login("worker_b").get(f"/campaigns/photos/{photo.pk}/").status_code == 404


def question_rows(rows, total=5):
    data = {
        "q-TOTAL_FORMS": str(total),
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "30",
    }
    for i in range(total):
        row = rows[i] if i < len(rows) else {}
        data[f"q-{i}-label"] = row.get("label", "")
        data[f"q-{i}-kind"] = row.get("kind", "text")
        data[f"q-{i}-choices"] = row.get("choices", "")
        data[f"q-{i}-show_if"] = row.get("show_if", "")
        data[f"q-{i}-show_if_value"] = row.get("show_if_value", "")
        data[f"q-{i}-maps_to"] = row.get("maps_to", "")
        if row.get("required"):
            data[f"q-{i}-required"] = "on"
    return data


def test_a_centre_defines_and_launches_a_campaign_on_the_page(login, elderly):
    client = login("street")
    assert client.get("/campaigns/new/").status_code == 200
    body = {
        "name": "独居老人寒潮走访",
        "description": "寒潮来临前逐户走访",
        "area_code": STREET_A,
        "target_kind": "tagged_people",
        "tag": "elderly_alone",
        "deadline": deadline(),
        "launch": "1",
        **question_rows(
            [
                {
                    "label": "是否有取暖设备",
                    "kind": "choice",
                    "choices": "有、没有",
                    "required": True,
                },
                {"label": "需要什么帮助", "kind": "text", "show_if": "1", "show_if_value": "没有"},
            ]
        ),
    }
    response = client.post("/campaigns/new/", body)
    assert response.status_code == 302, html(response)
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.state == "running" and campaign.area_code == STREET_A
    questions = list(campaign.questions.order_by("sort_order"))
    assert [(q.key, q.kind, q.required, q.choices) for q in questions] == [
        ("q1", "choice", True, ["有", "没有"]),
        ("q2", "text", False, []),
    ]
    assert (questions[1].show_if_key, questions[1].show_if_value) == ("q1", "没有")
    assert campaign.targets.count() == 5


def test_the_create_page_explains_refusals_field_by_field(login, elderly):
    client = login("street")
    body = {
        "name": "坏的",
        "area_code": STREET_A,
        "target_kind": "tagged_people",
        "tag": "",
        "deadline": "2000-01-01",
        "launch": "0",
        **question_rows([{"label": "选一个", "kind": "choice", "choices": "只有一个"}]),
    }
    response = client.post("/campaigns/new/", body)
    assert response.status_code == 422
    page = html(response)
    for message in ("请选择人群标签", "截止日期不能早于今天", "单选题至少需要两个选项"):
        assert message in page
    assert not Campaign.objects.exists()
    for username in ("worker_a", "dept", "resident", "part_time_a"):
        assert login(username).get("/campaigns/new/").status_code == 403


def test_an_imported_list_on_the_create_page(login, outcomes):
    client = login("community")
    csv = f"姓名,地址,电话,最小单元编码\n甲,一号,13600000001,{GRID_A}001\n乙,二号,,{GRID_A2}001\n"
    body = {
        "name": "返乡人员敲门",
        "area_code": COMMUNITY_A,
        "target_kind": "imported",
        "tag": "",
        "deadline": deadline(),
        "launch": "1",
        "file": SimpleUploadedFile("list.csv", csv.encode(), content_type="text/csv"),
        **question_rows([]),
    }
    response = client.post("/campaigns/new/", body)
    assert response.status_code == 302, html(response)
    campaign = Campaign.objects.get()
    assert campaign.state == "running"
    assert dict(campaign.targets.values_list("name", "assignee__username")) == {
        "甲": "worker_a",
        "乙": "worker_a2",
    }


def test_launching_and_closing_on_the_page(login, api, elderly):
    draft = create_campaign(api("street"), area_code=STREET_A, launch=False)
    cid = draft["id"]
    assert login("community").post(f"/campaigns/{cid}/launch/").status_code == 404
    response = login("street").post(f"/campaigns/{cid}/launch/")
    assert response.status_code == 302
    assert Campaign.objects.get(pk=cid).state == "running"
    assert login("community").post(f"/campaigns/{cid}/close/").status_code == 403
    assert login("worker_a").post(f"/campaigns/{cid}/close/").status_code == 403
    again = login("street").post(f"/campaigns/{cid}/launch/", follow=True)
    assert "该行动已启动" in html(again)
    login("street").post(f"/campaigns/{cid}/close/")
    assert Campaign.objects.get(pk=cid).state == "closed"


def test_the_pages_make_no_query_per_target(login, campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cid = campaign["id"]
    counts = []
    for username, path in (
        ("worker_a", f"/campaigns/{cid}/mine/"),  # 3 targets
        ("community", f"/campaigns/{cid}/mine/?all=1"),  # 5 targets
    ):
        client = login(username)
        client.get(path)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    client = login("street")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/campaigns/{cid}/")
    assert len(queries) <= 12, [q["sql"] for q in queries]
