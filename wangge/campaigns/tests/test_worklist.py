"""The worker's to-do items from campaigns: follow-ups due and targets not contacted yet."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.campaigns.actions import do_close_campaign
from wangge.campaigns.models import Campaign
from wangge.campaigns.worklist import work_items
from wangge.fieldwork import worklist as fieldwork

from .conftest import attempt, create_campaign, ok, targets


def test_follow_ups_and_targets_not_contacted_are_the_workers_to_do(api, world, elderly):
    campaign = create_campaign(api("community"))
    cid = campaign["id"]
    mine = {t["name"]: t for t in targets(api("worker_a"), cid)}
    now = timezone.now()
    ok(attempt(api("worker_a"), mine["独居甲"]["id"], "no_answer"), 201)
    ok(
        attempt(
            api("worker_a"),
            mine["独居丙"]["id"],
            "back_tonight",
            at=(now - timedelta(hours=3)).isoformat(),
            follow_up_at=(now - timedelta(hours=1)).isoformat(),
        ),
        201,
    )
    user = world["worker_a"]
    with CaptureQueriesContext(connection) as queries:
        items = work_items(user, now=timezone.now())
    assert len(queries) <= 3
    follow_ups = [i for i in items if i.url.endswith(f"/targets/{mine['独居丙']['id']}/")]
    assert len(follow_ups) == 1 and follow_ups[0].overdue
    assert "独居丙" in follow_ups[0].title and "今晚回" in follow_ups[0].detail
    later = [i for i in items if i.url.endswith(f"/targets/{mine['独居甲']['id']}/")]
    assert len(later) == 1 and not later[0].overdue
    [pending] = [i for i in items if "?status=pending" in i.url]
    assert pending.url == f"/campaigns/{cid}/mine/?status=pending"
    assert "独居老人寒潮走访" in pending.title and "1" in pending.title
    assert pending.due_at is not None and not pending.overdue
    assert all(i.kind == "campaign" for i in items) and len(items) == 3
    # Through the field-work list: overdue first.
    gathered = [i for i in fieldwork.work_items(user, now=timezone.now()) if i.kind == "campaign"]
    assert gathered[0].overdue and "独居丙" in gathered[0].title
    # Others have nothing of grid A; a closed campaign gives nothing.
    assert work_items(world["worker_b"], now=timezone.now()) == []
    assert work_items(world["dept"], now=timezone.now()) == []
    assert len(work_items(world["worker_a2"], now=timezone.now())) == 1  # their pending
    do_close_campaign(Campaign.objects.get(pk=cid), actor=None)
    assert work_items(user, now=timezone.now()) == []


def test_a_past_deadline_makes_the_pending_item_overdue(api, world, elderly):
    campaign = create_campaign(api("community"))
    Campaign.objects.filter(pk=campaign["id"]).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    [item] = work_items(world["worker_a"], now=timezone.now())
    assert item.overdue and "3" in item.title
