"""Campaigns refuse in the user's language (lists, fields, contacts); what they store stays
Chinese whoever acts."""

from wangge.campaigns.models import Campaign, Target
from wangge.testing import GRID_A, GRID_B, english, no_cjk

from .conftest import COMMUNITY_A, STREET_A, attempt, campaign_body, create_campaign, ok, post
from .conftest import targets as targets_of
from .test_import import upload, workbook

BAD_LIST = [
    ["姓名", "电话", "最小单元编码"],
    ["好人", "13600000001", GRID_A + "001"],
    ["", "13600000002", GRID_A + "001"],
    ["外区", "", GRID_B + "001"],
    ["坏号", "123", GRID_A + "002"],
]


def _draft(api):
    return create_campaign(
        api("street"), target_kind="imported", tag=None, launch=False, area_code=COMMUNITY_A
    )


def test_a_bad_list_is_refused_row_by_row_in_english(api, world, outcomes):
    draft = _draft(api)
    response = upload(english(api("street")), draft["id"], workbook(BAD_LIST))
    assert response.status_code == 422
    data = response.json()
    assert data["message"] == "The list has errors; no row was imported."
    [message] = data["fields"]["file"]
    assert message.startswith(
        "Row 3: The name (or title) is missing.; Row 4: The minimal unit code 440704002001001"
    )
    assert "Row 5: Invalid phone number" in message
    no_cjk(data)
    header = upload(english(api("street")), draft["id"], workbook([["name"], ["甲"]]))
    # The columns are named as the file must name them.
    assert header.json()["fields"]["file"][0].startswith("The first row must be the header")
    assert not Target.objects.exists()


def test_the_same_list_is_refused_in_chinese_by_default(api, world, outcomes):
    draft = _draft(api)
    data = upload(api("street"), draft["id"], workbook(BAD_LIST)).json()
    assert data["message"] == "名单有误，未导入任何一行"
    assert data["fields"]["file"][0].startswith("第 3 行：缺少姓名（名称）；第 4 行：")


def test_a_bad_campaign_is_refused_field_by_field_in_english(api, world, elderly):
    response = post(
        english(api("street")),
        "/api/v1/campaigns",
        campaign_body(
            name="",
            area_code="440704002",
            tag=None,
            deadline="2000-01-01",
            questions=[{"key": "1x", "label": "", "kind": "choice", "choices": ["x"]}],
        ),
    )
    assert response.status_code == 422
    data = response.json()
    assert data["fields"]["name"] == ["Please enter the name of the campaign."]
    assert data["fields"]["area_code"] == ["Unknown area, or outside your area."]
    assert data["fields"]["deadline"] == ["The deadline cannot be earlier than today."]
    assert data["fields"]["questions.0.choices"] == [
        "A single-choice question needs at least two choices."
    ]
    no_cjk(data)
    assert not Campaign.objects.exists()


def test_contacts_and_launches_are_refused_in_english(api, world, elderly):
    street = english(api("street"))
    draft = create_campaign(street, area_code=STREET_A, launch=False)
    ok(post(street, f"/api/v1/campaigns/{draft['id']}/launch"))
    again = post(street, f"/api/v1/campaigns/{draft['id']}/launch")
    assert again.status_code == 409
    assert again.json()["message"] == "This campaign has already started."
    worker = english(api("worker_a"))
    target = targets_of(worker, draft["id"])[0]
    bad = attempt(worker, target["id"], "", channel="fax")
    assert bad.json()["fields"] == {
        "channel": ["Choose phone or visit."],
        "outcome": ["Please choose the outcome."],
    }
    ok(post(street, f"/api/v1/campaigns/{draft['id']}/close"))
    late = attempt(worker, target["id"], "notified")
    assert late.status_code == 409
    assert late.json()["message"] == (
        "This campaign is not running; no more contacts can be recorded."
    )
    no_cjk(late.json())
    chinese = attempt(api("worker_a"), target["id"], "notified")
    assert chinese.json()["message"] == "该行动不在进行中，不能再记录"


def test_an_english_launch_names_household_targets_in_chinese(api, world, outcomes):
    from wangge.testing import sample_people

    sample_people(world)
    homes = create_campaign(
        english(api("district")), area_code=GRID_A, target_kind="households", tag=None
    )
    [home] = Target.objects.filter(campaign_id=homes["id"])
    assert home.name == "样例甲户"
