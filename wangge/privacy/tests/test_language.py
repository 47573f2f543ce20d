"""Unmasking refusals in the user's language; the audit row keeps the reason as typed."""

import pytest
from django.conf import settings
from django.utils import translation

from wangge.audit.models import AuditEntry
from wangge.people.actions import do_create_person
from wangge.people.errors import RecordError
from wangge.privacy.actions import do_unmask_person
from wangge.testing import CJK, GRID_A, make_id_number

ID_NUMBER = make_id_number("440704", "19561224", "013")


@pytest.fixture
def resident(world):
    return do_create_person(
        actor=None,
        name="黄婆婆",
        id_number=ID_NUMBER,
        phone="13912345678",
        region_code=GRID_A + "001",
        residence_address="新塘里96号101室",
    )


def unmask(client, person, body):
    return client.post(f"/api/v1/people/{person.pk}/unmask", body, content_type="application/json")


def test_a_missing_reason_is_refused_in_english_in_english_mode(api, resident):
    client = api("worker_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = unmask(client, resident, {"field": "id_number", "reason": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["fields"] == {
        "reason": ["Please give the reason for viewing (at least 2 characters)."]
    }
    assert not CJK.search(body["message"])
    chinese = unmask(api("worker_a"), resident, {"field": "id_number", "reason": "x"}).json()
    assert chinese["fields"] == {"reason": ["请填写查看原因（至少 2 个字）"]}
    assert chinese["message"] == "输入有误，请检查各字段"


def test_refusals_follow_the_language(world, resident):
    with translation.override("en"), pytest.raises(RecordError) as forbidden:
        do_unmask_person(resident, field="phone", reason="call back", actor=world["worker_b"])
    assert forbidden.value.message == "You may not see the full personal details."
    with translation.override("en"), pytest.raises(RecordError) as wrong_field:
        do_unmask_person(resident, field="name", reason="call back", actor=world["worker_a"])
    assert wrong_field.value.fields == {"field": "Only the ID number or the phone can be viewed."}
    with translation.override("zh-hans"), pytest.raises(RecordError) as chinese:
        do_unmask_person(resident, field="phone", reason="x" * 501, actor=world["worker_a"])
    assert chinese.value.fields == {"reason": "原因不能超过 500 字"}


def test_an_english_mode_unmask_is_audited_with_the_reason_as_typed(world, resident):
    with translation.override("en"):
        do_unmask_person(resident, field="phone", reason="回访独居老人", actor=world["worker_a"])
    entry = AuditEntry.objects.get(action="people.unmask")
    assert entry.reason == "回访独居老人"
