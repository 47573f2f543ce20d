"""The worker's open campaign work: follow-ups due, and targets not contacted yet.

Follow-ups are one item each (due at their time, overdue once it passes);
targets not contacted yet are one item per campaign ("12 not contacted yet"),
due at the end of the campaign's deadline.  Only targets assigned to the user
(as grid worker or part-time worker) in running campaigns, inside their scope.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wangge.accounts.scope import scope_for
from wangge.campaigns.choices import CampaignState, TargetFilter
from wangge.campaigns.models import Target
from wangge.campaigns.selectors import VIEW
from wangge.fieldwork.worklist import WorkItem

MAX_FOLLOW_UPS = 200


def work_items(user: Any, *, now: datetime) -> list[WorkItem]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    scope = scope_for(user)
    roots = scope.roots_with(VIEW)
    if not scope.is_global and not roots:
        return []
    base = scope.filter_by_code(
        Target.objects.filter(
            Q(assignee=user) | Q(helper=user),
            campaign__state=CampaignState.RUNNING,
            is_done=False,
        ),
        "region_code",
        roots,
    )
    items: list[WorkItem] = []
    follow_ups = (
        base.filter(follow_up_at__isnull=False)
        .select_related("campaign", "last_outcome")
        .order_by("follow_up_at", "pk")[:MAX_FOLLOW_UPS]
    )
    for t in follow_ups:
        assert t.follow_up_at is not None  # noqa: S101 - filtered above
        last = t.last_outcome.label if t.last_outcome else ""
        items.append(
            WorkItem(
                kind="campaign",
                title=_("Follow up: %(name)s") % {"name": t.name},
                url=reverse("campaigns:target", args=[t.campaign_id, t.pk]),
                region_code=t.region_code,
                due_at=t.follow_up_at,
                overdue=t.follow_up_at < now,
                detail="· ".join(part for part in (t.campaign.name, last, t.address) if part),
            )
        )
    pending = (
        base.filter(attempt_count=0)
        .order_by()
        .values("campaign_id", "campaign__name", "campaign__deadline")
        .annotate(n=Count("pk"), place=Min("region_code"))
        .order_by("campaign__deadline", "campaign_id")
    )
    zone = timezone.get_current_timezone()
    for row in pending:
        due = datetime.combine(row["campaign__deadline"], time(23, 59), tzinfo=zone)
        n = int(row["n"])
        items.append(
            WorkItem(
                kind="campaign",
                title=ngettext(
                    "%(campaign)s: %(n)d target not contacted yet",
                    "%(campaign)s: %(n)d targets not contacted yet",
                    n,
                )
                % {"campaign": row["campaign__name"], "n": n},
                url=reverse("campaigns:mine", args=[row["campaign_id"]])
                + f"?status={TargetFilter.PENDING}",
                region_code=str(row["place"]),
                due_at=due,
                overdue=due < now,
                detail=_("Canvassing campaign"),
            )
        )
    return items
