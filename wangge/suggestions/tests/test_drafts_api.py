"""Drafts and opinions (立法联系点) through the API: deadline, figures, export, scope."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from wangge.audit.models import AuditEntry
from wangge.suggestions import actions
from wangge.suggestions.models import Draft, Opinion
from wangge.suggestions.testing import COMMUNITY_A, COMMUNITY_B

URL = "/api/v1/drafts"


def post(client: Any, url: str, payload: dict[str, Any]) -> Any:
    return client.post(
        url, json.dumps(payload, ensure_ascii=False), content_type="application/json"
    )


@pytest.fixture
def draft(world) -> Draft:
    """A published draft of the district, sent to a point in each street."""
    a = actions.do_create_liaison_point(
        actor=world["district"],
        name="东社区立法联系点",
        node=COMMUNITY_A,
        contact_name="李明",
        contact_phone="13900001111",
    )
    b = actions.do_create_liaison_point(
        actor=world["district"], name="西村立法联系点", node=COMMUNITY_B
    )
    found = actions.do_create_draft(
        actor=world["district"],
        title="《广东省物业管理条例（修订草案）》",
        body="第一条 为了规范物业管理活动……",
        issuing_body="省人大常委会法工委",
        deadline=timezone.now() + timedelta(days=10),
        points=[a.pk, b.pk],
    )
    return actions.do_publish_draft(found, actor=world["district"])


def opinion(client: Any, draft: Draft, point: int, **overrides: Any) -> Any:
    payload = {
        "point": point,
        "content": "建议明确业主委员会的备案期限",
        "article": "第十二条",
        "request_id": uuid.uuid4().hex,
        **overrides,
    }
    return post(client, f"{URL}/{draft.pk}/opinions", payload)


def points_of(draft: Draft) -> tuple[int, int]:
    a, b = draft.points.order_by("node").values_list("pk", flat=True)
    return a, b


def test_opinions_answers_and_per_point_figures(api, draft) -> None:
    a, b = points_of(draft)
    resident, community, district = api("resident"), api("community"), api("district")
    r = opinion(resident, draft, a)
    assert r.status_code == 201, r.content
    assert r.json()["author_name"] == "陈静" and not r.json()["on_paper"]
    # The point's staff type in a paper opinion under the author's name.
    r = opinion(community, draft, a, author_name="王大爷", content="纸质意见")
    assert r.status_code == 201, r.content
    paper = r.json()
    assert paper["on_paper"] and paper["author_name"] == "王大爷"
    r = opinion(resident, draft, b)
    assert r.status_code == 201
    # Answers: managers only (the point's staff see it but may not answer), once.
    assert (
        post(
            community,
            f"{URL}/{draft.pk}/opinions/{paper['id']}/answer",
            {"adopted": True, "answer": "x"},
        ).status_code
        == 403
    )
    r = post(
        district,
        f"{URL}/{draft.pk}/opinions/{paper['id']}/answer",
        {"adopted": True, "answer": "已吸收"},
    )
    assert r.status_code == 200 and r.json()["state"] == "adopted"
    r = post(
        district,
        f"{URL}/{draft.pk}/opinions/{paper['id']}/answer",
        {"adopted": False, "answer": "再答"},
    )
    assert r.status_code == 409
    detail = district.get(f"{URL}/{draft.pk}").json()
    figures = {p["name"]: (p["opinions"], p["adopted"], p["pending"]) for p in detail["points"]}
    assert figures == {"东社区立法联系点": (2, 1, 1), "西村立法联系点": (1, 0, 1)}
    assert (detail["total_opinions"], detail["total_adopted"]) == (3, 1)
    assert detail["points"][0]["contact_phone"] == "139****1111"
    # A street's staff see only their point and its figures.
    street = api("street").get(f"{URL}/{draft.pk}").json()
    assert [p["name"] for p in street["points"]] == ["东社区立法联系点"]
    # The resident sees the answer to nothing of theirs yet, and only their own opinions.
    mine = resident.get(f"{URL}/{draft.pk}/opinions").json()["items"]
    assert len(mine) == 2 and all(o["mine"] for o in mine)
    # The point's staff see the opinions of their point.
    seen = {o["point"] for o in community.get(f"{URL}/{draft.pk}/opinions").json()["items"]}
    assert seen == {"东社区立法联系点"}


def test_opinion_after_the_deadline_is_refused(api, draft) -> None:
    a, _b = points_of(draft)
    Draft.objects.filter(pk=draft.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    r = opinion(api("resident"), draft, a)
    assert r.status_code == 422
    message = r.json()["fields"]["draft"][0]
    assert "截止" in message and "不再接受意见" in message
    assert Opinion.objects.count() == 0


def test_opinion_on_a_closed_or_unpublished_draft_is_refused(api, world, draft) -> None:
    a, _b = points_of(draft)
    r = post(api("district"), f"{URL}/{draft.pk}/close", {})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    r = opinion(api("resident"), draft, a)
    assert r.status_code == 422 and "draft" in r.json()["fields"]


def test_opinion_input_and_idempotence(api, draft) -> None:
    a, _b = points_of(draft)
    resident = api("resident")
    r = opinion(resident, draft, a, content=" ", article="x" * 51)
    assert r.status_code == 422
    r = opinion(resident, draft, a, content=" ")
    assert r.json()["fields"] == {"content": ["请填写意见内容"]}
    r = opinion(resident, draft, 999999)
    assert r.json()["fields"] == {"point": ["该草案未发往此联系点"]}
    # A resident cannot type in somebody else's opinion.
    r = opinion(resident, draft, a, author_name="别人")
    assert r.json()["fields"] == {"author_name": ["只有该联系点的工作人员可以代录意见"]}
    rid = uuid.uuid4().hex
    first = opinion(resident, draft, a, request_id=rid)
    again = opinion(resident, draft, a, request_id=rid)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Opinion.objects.count() == 1


def test_export_is_masked_and_audited(api, draft) -> None:
    a, _b = points_of(draft)
    opinion(api("community"), draft, a, author_name="王大爷", content='=HYPERLINK("x")')
    r = api("district").get(f"{URL}/{draft.pk}/opinions/export")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2] == "意见人"
    assert rows[2][2] == "王**"
    assert rows[2][5].startswith("'=")
    entry = AuditEntry.objects.get(action="suggestions.export_opinions")
    assert entry.object_id == str(draft.pk) and entry.actor_id is not None
    assert entry.after == {"rows": 1, "masked": True}
    # Not a manager of the draft: refused (and seen as such), nothing audited.
    assert api("street").get(f"{URL}/{draft.pk}/opinions/export").status_code == 403
    assert api("other_district").get(f"{URL}/{draft.pk}/opinions/export").status_code == 404
    assert AuditEntry.objects.filter(action="suggestions.export_opinions").count() == 1


def test_draft_scope(api, world, draft) -> None:
    ids = lambda c: {d["id"] for d in c.get(URL).json()["items"]}  # noqa: E731
    assert ids(api("resident")) == {draft.pk}
    assert ids(api("street_b")) == {draft.pk}
    assert ids(api("other_district")) == set()
    assert api("other_district").get(f"{URL}/{draft.pk}").status_code == 404
    # Unpublished drafts are seen by their managers only.
    hidden = actions.do_create_draft(
        actor=world["district"],
        title="未发布",
        body="x",
        issuing_body="y",
        deadline=timezone.now() + timedelta(days=3),
        points=list(draft.points.values_list("pk", flat=True)),
    )
    assert hidden.pk in ids(api("district"))
    assert hidden.pk not in ids(api("resident"))
    assert api("resident").get(f"{URL}/{hidden.pk}").status_code == 404
    # Only managers create and publish.
    r = post(api("street"), f"{URL}/{hidden.pk}/publish", {})
    assert r.status_code == 404
    r = post(
        api("resident"),
        URL,
        {
            "title": "t",
            "body": "b",
            "issuing_body": "i",
            "deadline": "2099-01-01T00:00:00+08:00",
            "points": [1],
        },
    )
    assert r.status_code == 403


def test_create_draft_refusals(api, world, draft) -> None:
    district = api("district")
    a, b = points_of(draft)
    r = post(
        district,
        URL,
        {
            "title": " ",
            "body": "b",
            "issuing_body": " ",
            "deadline": "2000-01-01T00:00:00+08:00",
            "points": [],
        },
    )
    assert r.status_code == 422
    assert r.json()["fields"] == {
        "title": ["请填写草案标题"],
        "issuing_body": ["请填写征求意见单位"],
        "deadline": ["截止时间须晚于现在"],
        "points": ["请至少选择一个立法联系点"],
    }
    # A street manages drafts for points under it only.
    r = post(
        api("street"),
        URL,
        {
            "title": "t",
            "body": "b",
            "issuing_body": "i",
            "deadline": "2099-01-01T00:00:00+08:00",
            "points": [a, b],
        },
    )
    assert r.status_code == 422 and "points" in r.json()["fields"]
    r = post(
        api("street"),
        URL,
        {
            "title": "t",
            "body": "b",
            "issuing_body": "i",
            "deadline": "2099-01-01T00:00:00+08:00",
            "points": [a],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["node"] == "440704001" and r.json()["state"] == "draft"
