"""The suggestion and draft pages through the Django test client."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from wangge.audit.models import AuditEntry
from wangge.suggestions import actions
from wangge.suggestions.models import Draft, Opinion, Suggestion
from wangge.suggestions.testing import COMMUNITY_A, COMMUNITY_B

XSS = "<script>alert(1)</script>"


def html(response) -> str:
    return response.content.decode()


def submit_page(client, **overrides):
    data = {
        "title": "路灯不亮",
        "content": "建议增设路灯",
        "topic": "city",
        "node": COMMUNITY_A,
        "contact": "13812345678",
        "request_id": uuid.uuid4().hex,
        **overrides,
    }
    return client.post("/suggestions/new/", data)


def test_resident_submits_and_follows_a_suggestion(world, login) -> None:
    resident = login("resident")
    page = resident.get("/suggestions/new/")
    assert page.status_code == 200
    assert f'value="{COMMUNITY_A}"' in html(page)
    r = submit_page(resident, title=XSS, content=XSS)
    assert r.status_code == 302
    s = Suggestion.objects.get()
    detail = resident.get(r["Location"])
    text = html(detail)
    assert XSS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "138****5678" in text and "13812345678" not in text
    listing = html(resident.get("/suggestions/"))
    assert f'data-suggestion="{s.pk}"' in listing and XSS not in listing
    # No actions for the submitter.
    assert 'data-action="triage"' not in text


def test_bad_input_shows_chinese_errors_by_field(world, login) -> None:
    r = submit_page(login("resident"), title=" ", node="440703001001")
    assert r.status_code == 422
    text = html(r)
    assert "请填写标题" in text or "这个字段是必填项" in text or "This field is required" in text
    assert Suggestion.objects.count() == 0


def test_staff_handle_a_suggestion_with_htmx(world, login) -> None:
    s = actions.do_submit_suggestion(
        actor=world["resident"], title="建议", content="内容", topic="other", node=COMMUNITY_A
    ).suggestion
    street = login("street")
    page = html(street.get(f"/suggestions/{s.pk}/"))
    assert 'data-action="triage"' in page and 'data-action="reject"' in page
    # Reject without a reason: the form comes back with the field error, nothing stored.
    r = street.post(
        f"/suggestions/{s.pk}/reject/",
        {"reject-reason": "", "reject-version": s.version},
        HTTP_HX_REQUEST="true",
    )
    assert "请填写不予受理的理由" in html(r)
    assert Suggestion.objects.get(pk=s.pk).state == "submitted"
    r = street.post(
        f"/suggestions/{s.pk}/triage/",
        {"triage-department": "cg", "triage-note": "请研究", "triage-version": s.version},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert 'data-state="triaged"' in html(r)
    r = street.post(
        f"/suggestions/{s.pk}/answer/",
        {"answer-adopted": "yes", "answer-answer": "采纳", "answer-version": 2},
    )
    assert r.status_code == 302
    # A stale page: the action answers with the suggestion as it is now.
    r = street.post(
        f"/suggestions/{s.pk}/start/",
        {"start-note": "", "start-version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="alert"' in html(r)
    assert Suggestion.objects.get(pk=s.pk).state == "adopted"
    street.post(
        f"/suggestions/{s.pk}/complete/", {"complete-note": "已完成", "complete-version": 3}
    )
    assert Suggestion.objects.get(pk=s.pk).state == "done"
    text = html(login("resident").get(f"/suggestions/{s.pk}/"))
    assert 'data-testid="completion"' in text and "已完成" in text


def test_page_scope(world, login) -> None:
    a = actions.do_submit_suggestion(
        actor=None, title="甲", content="c", topic="other", node=COMMUNITY_A
    ).suggestion
    b = actions.do_submit_suggestion(
        actor=None, title="乙", content="c", topic="other", node=COMMUNITY_B
    ).suggestion
    street, street_b = login("street"), login("street_b")
    assert street.get(f"/suggestions/{a.pk}/").status_code == 200
    assert street.get(f"/suggestions/{b.pk}/").status_code == 404
    assert street_b.get(f"/suggestions/{a.pk}/").status_code == 404
    assert street.post(f"/suggestions/{b.pk}/reject/", {"reject-reason": "x"}).status_code == 404
    assert login("resident").get(f"/suggestions/{a.pk}/").status_code == 404
    assert f'data-suggestion="{b.pk}"' not in html(street.get("/suggestions/"))
    assert login("dept").get("/suggestions/new/").status_code == 403
    assert login("resident").get("/suggestions/drafts/new/").status_code == 403


@pytest.fixture
def draft(world) -> Draft:
    a = actions.do_create_liaison_point(actor=None, name="东社区联系点", node=COMMUNITY_A)
    b = actions.do_create_liaison_point(actor=None, name="西村联系点", node=COMMUNITY_B)
    found = actions.do_create_draft(
        actor=None,
        title=f"条例草案{XSS}",
        body="正文",
        issuing_body="区人大常委会",
        deadline=timezone.now() + timedelta(days=5),
        points=[a.pk, b.pk],
        node="440704",
    )
    return actions.do_publish_draft(found, actor=None)


def test_draft_page_figures_opinions_and_export(world, login, draft) -> None:
    a = draft.points.get(node=COMMUNITY_A)
    resident = login("resident")
    r = resident.post(
        f"/suggestions/drafts/{draft.pk}/opinions/",
        {"point": a.pk, "content": XSS, "request_id": uuid.uuid4().hex},
    )
    assert r.status_code == 302
    district = login("district")
    page = html(district.get(f"/suggestions/drafts/{draft.pk}/"))
    assert XSS not in page
    assert f'data-point="{a.pk}"' in page
    o = Opinion.objects.get()
    r = district.post(
        f"/suggestions/drafts/{draft.pk}/opinions/{o.pk}/answer/",
        {f"o{o.pk}-adopted": "yes", f"o{o.pk}-answer": "已采纳", f"o{o.pk}-version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and 'data-state="adopted"' in html(r)
    r = district.get(f"/suggestions/drafts/{draft.pk}/opinions/export/")
    assert r.status_code == 200
    assert AuditEntry.objects.filter(action="suggestions.export_opinions").count() == 1
    assert (
        login("street").get(f"/suggestions/drafts/{draft.pk}/opinions/export/").status_code == 403
    )
    # After the deadline the page says so and the form is gone; a late post is refused.
    Draft.objects.filter(pk=draft.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    page = html(resident.get(f"/suggestions/drafts/{draft.pk}/"))
    assert 'data-testid="closed"' in page and 'data-testid="opinion-form"' not in page
    r = resident.post(
        f"/suggestions/drafts/{draft.pk}/opinions/",
        {"point": a.pk, "content": "晚了", "request_id": uuid.uuid4().hex},
    )
    assert r.status_code == 422 and "不再接受意见" in html(r)
    assert Opinion.objects.count() == 1


def test_the_pages_speak_english_when_chosen_and_the_export_stays_chinese(
    world, login, draft
) -> None:
    import io

    from openpyxl import load_workbook

    s = actions.do_submit_suggestion(
        actor=world["resident"], title="建议", content="内容", topic="city", node=COMMUNITY_A
    ).suggestion
    street = login("street")
    chinese = html(street.get(f"/suggestions/{s.pk}/"))
    assert "已提交" in chinese and "城市管理" in chinese and "Submitted" not in chinese
    street.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = html(street.get(f"/suggestions/{s.pk}/"))
    assert "Submitted" in english and "City management" in english and "Assign" in english
    assert "已提交" not in english and "城市管理" not in english and "分办" not in english

    a = draft.points.get(node=COMMUNITY_A)
    login("resident").post(
        f"/suggestions/drafts/{draft.pk}/opinions/",
        {"point": a.pk, "content": "意见", "request_id": uuid.uuid4().hex},
    )
    district = login("district")
    district.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(district.get(f"/suggestions/drafts/{draft.pk}/"))
    assert "Open for opinions" in page and "Awaiting an answer" in page
    assert "征集中" not in page and "待答复" not in page
    # The export is a Chinese document, sent on to the drafting body.
    r = district.get(f"/suggestions/drafts/{draft.pk}/opinions/export/")
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [row[7] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["待答复"]


def test_manager_creates_and_publishes_a_draft(world, login) -> None:
    point = actions.do_create_liaison_point(actor=None, name="东社区联系点", node=COMMUNITY_A)
    street = login("street")
    page = street.get("/suggestions/drafts/new/")
    assert page.status_code == 200
    deadline = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    r = street.post(
        "/suggestions/drafts/new/",
        {
            "title": "草案",
            "issuing_body": "市人大",
            "body": "正文",
            "node": "440704001",
            "deadline": deadline,
            "points": [str(point.pk)],
            "publish": "on",
        },
    )
    assert r.status_code == 302, html(r)
    draft = Draft.objects.get()
    assert draft.state == "published" and draft.node == "440704001"
    assert login("resident").get(f"/suggestions/drafts/{draft.pk}/").status_code == 200
    assert login("street_b").get(f"/suggestions/drafts/{draft.pk}/").status_code == 404


def test_managers_set_up_liaison_points(world, login) -> None:
    street = login("street")
    page = html(street.get("/suggestions/drafts/points/"))
    assert f'value="{COMMUNITY_A}"' in page and f'value="{COMMUNITY_B}"' not in page
    r = street.post(
        "/suggestions/drafts/points/",
        {"name": f"联系点{XSS}", "node": COMMUNITY_A, "contact_phone": "13900002222"},
    )
    assert r.status_code == 302
    page = html(street.get("/suggestions/drafts/points/"))
    assert XSS not in page and "139****2222" in page and "13900002222" not in page
    r = street.post("/suggestions/drafts/points/", {"name": " ", "node": COMMUNITY_A})
    assert r.status_code == 422
    # Another street's manager neither sees it nor may set one up there.
    assert (
        escape(f"联系点{XSS}")
        not in html(login("street_b").get("/suggestions/drafts/points/"))
        .split('data-testid="points"')[1]
        .split("</ul>")[0]
    )
    r = login("street_b").post("/suggestions/drafts/points/", {"name": "越界", "node": COMMUNITY_A})
    assert r.status_code == 422
    assert login("resident").get("/suggestions/drafts/points/").status_code == 403
    assert AuditEntry.objects.filter(action="suggestions.create_point").count() == 1
