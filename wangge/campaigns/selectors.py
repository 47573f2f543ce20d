"""Reads of canvassing campaigns, always through the user's scope.

* A **campaign** is seen by whoever holds ``campaigns.view_campaign`` at a node
  that lies in its area or contains it: a grid worker sees the campaigns over
  their grid, their community, street or district; a street sees the campaigns
  of its communities and grids, and those of its district.  A street never sees
  another street's campaign.  Drafts are seen only by those who may launch them
  (``campaigns.change_campaign`` at or above the area).
* A **target** is seen where its ``region_code`` lies under such a node: in a
  district-wide campaign, a grid worker sees their grid's targets only, a
  street its streets'.  Progress figures count only those targets.

Anything out of scope is answered exactly like "does not exist" (404).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import pgettext

from wangge.accounts.scope import prefix_q, scope_for
from wangge.campaigns.choices import (
    CampaignState,
    ProgressBy,
    TargetFilter,
    TargetStatus,
)
from wangge.campaigns.models import Attempt, Campaign, Outcome, Photo, Question, Target
from wangge.lib import codes

VIEW = "campaigns.view_campaign"
ADD = "campaigns.add_campaign"
CHANGE = "campaigns.change_campaign"
RECORD = "campaigns.record_attempt"

#: Levels a campaign's area may be at.
AREA_LEVELS = (codes.Level.DISTRICT, codes.Level.STREET, codes.Level.COMMUNITY, codes.Level.GRID)


# --- who may do what --------------------------------------------------------------------


def can_view_campaigns(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_global or bool(scope.roots_with(VIEW))


def can_create(user: Any) -> bool:
    return scope_for(user).can(ADD)


def can_create_at(user: Any, code: str) -> bool:
    return scope_for(user).can(ADD, code)


def can_manage(user: Any, campaign: Campaign) -> bool:
    """Launch, import into, close: ``campaigns.change_campaign`` at or above the area."""
    return user is None or scope_for(user).can(CHANGE, campaign.area_code)


def can_record(user: Any, target: Target) -> bool:
    return user is None or scope_for(user).can(RECORD, target.region_code)


def can_record_anywhere(user: Any) -> bool:
    return scope_for(user).can(RECORD)


# --- campaigns ----------------------------------------------------------------------------


def _ancestors_and_self(roots: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for root in roots:
        found.add(root)
        found.update(codes.ancestors_of(root))
    return found


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    scope = scope_for(user)
    qs = Campaign.objects.all()
    if scope.is_global:
        return qs
    roots = scope.roots_with(VIEW)
    if not roots:
        return qs.none()
    # Over a node the user works in or above it, or under it.
    qs = qs.filter(
        Q(area_code__in=sorted(_ancestors_and_self(roots))) | prefix_q("area_code", roots)
    )
    manage_roots = scope.roots_with(CHANGE)
    drafts = prefix_q("area_code", manage_roots) if manage_roots else Q(pk__in=[])
    return qs.filter(~Q(state=CampaignState.DRAFT) | drafts)


def get_campaign_for_user(user: Any, pk: int) -> Campaign:
    try:
        return campaigns_visible_to(user).select_related("tag").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404("no such campaign") from None


def questions_of(campaign: Campaign) -> list[Question]:
    return list(Question.objects.filter(campaign=campaign).order_by("sort_order", "id"))


def active_outcomes() -> list[Outcome]:
    return list(Outcome.objects.filter(is_active=True).order_by("sort_order", "code"))


# --- targets --------------------------------------------------------------------------------


def _scoped(user: Any, qs: QuerySet[Target]) -> QuerySet[Target]:
    scope = scope_for(user)
    return scope.filter_by_code(qs, "region_code", scope.roots_with(VIEW))


def targets_of(user: Any, campaign: Campaign) -> QuerySet[Target]:
    """The targets of a campaign the user sees (the campaign itself already checked)."""
    return _scoped(user, Target.objects.filter(campaign=campaign))


def get_target_for_user(user: Any, pk: int) -> Target:
    """The target if the user sees it and its campaign; 404 otherwise."""
    try:
        target = (
            _scoped(user, Target.objects.all())
            .select_related("campaign", "last_outcome", "assignee", "helper")
            .get(pk=pk)
        )
    except (Target.DoesNotExist, ValueError, TypeError):
        raise Http404("no such target") from None
    if not campaigns_visible_to(user).filter(pk=target.campaign_id).exists():
        raise Http404("no such target")
    return target


def status_of(target: Target, now: datetime) -> str:
    if target.is_done:
        return TargetStatus.DONE
    if target.attempt_count == 0:
        return TargetStatus.PENDING
    if target.follow_up_at is not None:
        return TargetStatus.OVERDUE if target.follow_up_at < now else TargetStatus.FOLLOW_UP
    return TargetStatus.CONTACTED


def filter_status(qs: QuerySet[Target], wanted: str | None, now: datetime) -> QuerySet[Target]:
    if wanted == TargetFilter.OPEN:
        return qs.filter(is_done=False)
    if wanted == TargetFilter.PENDING:
        return qs.filter(attempt_count=0)
    if wanted == TargetFilter.FOLLOW_UP:
        return qs.filter(is_done=False, follow_up_at__isnull=False)
    if wanted == TargetFilter.OVERDUE:
        return qs.filter(is_done=False, follow_up_at__lt=now)
    if wanted == TargetFilter.DONE:
        return qs.filter(is_done=True)
    return qs


def in_work_order(qs: QuerySet[Target], now: datetime) -> QuerySet[Target]:
    """Overdue follow-ups first, then follow-ups by time, not yet contacted, the rest, done."""
    rank = Case(
        When(is_done=True, then=Value(4)),
        When(follow_up_at__lt=now, then=Value(0)),
        When(follow_up_at__isnull=False, then=Value(1)),
        When(attempt_count=0, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return qs.annotate(work_rank=rank).order_by("work_rank", "follow_up_at", "region_code", "id")


def worker_targets(
    user: Any, campaign: Campaign, *, now: datetime, status: str | None, everyone: bool = False
) -> QuerySet[Target]:
    """The targets assigned to the user (or, with ``everyone``, all they see) in work order."""
    qs = targets_of(user, campaign)
    if not everyone:
        qs = qs.filter(Q(assignee=user) | Q(helper=user))
    qs = filter_status(qs, status, now)
    return in_work_order(qs, now).select_related("last_outcome")


def attempts_of(target: Target) -> list[Attempt]:
    return list(
        Attempt.objects.filter(target=target)
        .select_related("outcome")
        .prefetch_related("photos")
        .order_by("-at", "-id")
    )


def get_photo_for_user(user: Any, pk: int) -> Photo:
    """A photo answer: its uploader's until claimed, then whoever sees its target."""
    try:
        photo = Photo.objects.select_related("attempt").get(pk=pk)
    except (Photo.DoesNotExist, ValueError, TypeError):
        raise Http404("no such photo") from None
    if photo.attempt is None:
        if user is not None and photo.uploader_id == getattr(user, "pk", None):
            return photo
        raise Http404("no such photo")
    get_target_for_user(user, photo.attempt.target_id)
    return photo


# --- progress ---------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    key: Any
    label: str = ""
    total: int = 0
    done: int = 0
    pending: int = 0
    follow_up: int = 0
    overdue: int = 0

    @property
    def contacted(self) -> int:
        return self.total - self.pending

    @property
    def done_rate(self) -> float:
        return round(100.0 * self.done / self.total, 1) if self.total else 0.0

    def add(self, other: ProgressRow) -> None:
        self.total += other.total
        self.done += other.done
        self.pending += other.pending
        self.follow_up += other.follow_up
        self.overdue += other.overdue

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "done": self.done,
            "pending": self.pending,
            "contacted": self.contacted,
            "follow_up": self.follow_up,
            "overdue": self.overdue,
            "done_rate": self.done_rate,
        }


@dataclass
class Progress:
    by: str
    rows: list[ProgressRow] = field(default_factory=list)
    total: ProgressRow = field(default_factory=lambda: ProgressRow(None))


def _counts(now: datetime) -> dict[str, Any]:
    return {
        "total": Count("pk"),
        "done": Count("pk", filter=Q(is_done=True)),
        "pending": Count("pk", filter=Q(attempt_count=0)),
        "follow_up": Count("pk", filter=Q(is_done=False, follow_up_at__isnull=False)),
        "overdue": Count("pk", filter=Q(is_done=False, follow_up_at__lt=now)),
    }


def _row(key: Any, values: dict[str, Any]) -> ProgressRow:
    return ProgressRow(
        key=key,
        total=int(values["total"]),
        done=int(values["done"]),
        pending=int(values["pending"]),
        follow_up=int(values["follow_up"]),
        overdue=int(values["overdue"]),
    )


GROUP_FIELDS = {
    ProgressBy.GRID: "grid_code",
    ProgressBy.UNIT: "region_code",
    ProgressBy.WORKER: "assignee_id",
}


def progress(user: Any, campaign: Campaign, *, by: str, now: datetime) -> Progress:
    """Targets total, done, not yet contacted, follow-ups due and overdue, per grid, unit or
    worker, over the targets the user sees: one aggregate query (and one for the labels)."""
    group = GROUP_FIELDS[ProgressBy(by)]
    found = (
        targets_of(user, campaign).order_by().values(group).annotate(**_counts(now)).order_by(group)
    )
    result = Progress(by=by)
    for values in found:
        row = _row(values[group], values)
        result.rows.append(row)
        result.total.add(row)
    _label(result)
    return result


def _label(result: Progress) -> None:
    keys = [row.key for row in result.rows if row.key is not None]
    if result.by == ProgressBy.WORKER:
        from wangge.accounts.models import User

        workers = {
            pk: (display or username)
            for pk, display, username in User.objects.filter(pk__in=keys).values_list(
                "pk", "display_name", "username"
            )
        }
        for row in result.rows:
            row.label = (
                workers.get(row.key, "")
                if row.key is not None
                else pgettext("campaign target", "Unassigned")
            )
        return
    names = place_names(str(k) for k in keys)
    for row in result.rows:
        row.label = names.get(str(row.key), str(row.key))


def totals_for(user: Any, campaign_ids: Sequence[int], *, now: datetime) -> dict[int, ProgressRow]:
    """Each campaign's figures over the targets the user sees: one aggregate query."""
    if not campaign_ids:
        return {}
    found = (
        _scoped(user, Target.objects.filter(campaign_id__in=list(campaign_ids)))
        .order_by()
        .values("campaign_id")
        .annotate(**_counts(now))
        .order_by("campaign_id")
    )
    rows = {int(v["campaign_id"]): _row(v["campaign_id"], dict(v)) for v in found}
    return {pk: rows.get(pk, ProgressRow(pk)) for pk in campaign_ids}


def place_names(region_codes: Iterable[str]) -> dict[str, str]:
    """``东一网格 · 第1单元`` for a minimal unit, the name for any other node (one query)."""
    from wangge.people.selectors import region_names

    wanted = set(region_codes)
    grids = {code[:15] for code in wanted if len(code) == 18}
    names = region_names(wanted | grids)
    return {
        code: (
            f"{names.get(code[:15], code[:15])} · {names.get(code, code)}"
            if len(code) == 18
            else names.get(code, code)
        )
        for code in wanted
    }


def mine_totals(user: Any, campaign: Campaign, *, now: datetime, everyone: bool) -> ProgressRow:
    """The figures of the worker's own targets (or all they see): one aggregate query."""
    qs = targets_of(user, campaign)
    if not everyone:
        qs = qs.filter(Q(assignee=user) | Q(helper=user))
    return _row(None, qs.order_by().aggregate(**_counts(now)))


# --- forms ----------------------------------------------------------------------------------


def area_choices(user: Any) -> list[tuple[str, str]]:
    """Nodes (district down to grid) where the user may define a campaign, in tree order."""
    from wangge.regions.selectors import choices_where

    return choices_where(user, ADD)
