"""Writes of the workforce app: 553 ticks, training sessions and attendance, assessments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.models import Assignment
from wangge.accounts.scope import prefix_q, scope_for
from wangge.audit.actions import record
from wangge.lib.errors import Refusal
from wangge.regions.models import Region
from wangge.workforce import assessment, months, selectors
from wangge.workforce.choices import FULL_TIME
from wangge.workforce.models import (
    AssessmentScheme,
    Attendance,
    MethodItem,
    MethodTick,
    Scorecard,
    TrainingSession,
)

INVALID = gettext_lazy("Invalid input: please check the fields")
WEIGHT_FIELDS = (
    "weight_reported",
    "weight_self_handled",
    "weight_verification",
    "weight_visits",
    "weight_campaigns",
    "weight_freshness",
    "weight_satisfaction",
)


class WorkforceError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages (in the user's language)."""

    def __init__(
        self,
        message: str | Promise,
        fields: dict[str, str] | None = None,
        *,
        status: int = 422,
        code: str = "invalid",
    ) -> None:
        super().__init__(message, fields)
        self.status = status
        self.code = code


def _request_id(value: str) -> str:
    value = (value or "").strip()
    if len(value) > 64:
        raise WorkforceError(INVALID, {"request_id": _("The request id is too long")})
    return value


# --- 553 ticks ------------------------------------------------------------------------------


@dataclass
class TickResult:
    tick: MethodTick
    created: bool


def do_tick_method(
    *,
    actor: Any,
    item_code: str,
    month: date | None = None,
    grid_code: str | None = None,
    note: str = "",
    request_id: str = "",
    now: datetime | None = None,
) -> TickResult:
    """Tick a "553" item for a month.  The same ``request_id`` twice, or the same item, month
    and grid ticked again, answers with the stored tick."""
    now = now or timezone.now()
    request_id = _request_id(request_id)
    if request_id:
        existing = MethodTick.objects.filter(worker_id=actor.pk, request_id=request_id).first()
        if existing is not None:
            return TickResult(existing, False)
    errors: dict[str, str] = {}
    item = MethodItem.objects.filter(code=item_code, is_active=True).first()
    if item is None:
        errors["item"] = _("There is no such “553” item")
    current = months.this_month(now)
    month = month or current
    if month not in (current, months.previous_month(current)):
        errors["month"] = _("Only items of this month or last month can be ticked")
    grids = selectors.worker_grids(actor)
    if grid_code is None:
        if len(grids) == 1:
            grid_code = grids[0]
        elif not grids:
            raise WorkforceError(
                _("You are not a full-time grid worker"), status=403, code="forbidden"
            )
        else:
            errors["grid"] = _("Please choose a grid")
    if grid_code is not None and (
        grid_code not in grids or not scope_for(actor).can(selectors.TICK, grid_code)
    ):
        raise WorkforceError(
            _("Grid not found"), {"grid": _("Grid not found")}, status=404, code="not_found"
        )
    if len(note) > 200:
        errors["note"] = _("The note can be at most 200 characters")
    if errors or item is None or grid_code is None:
        raise WorkforceError(INVALID, errors)
    same = MethodTick.objects.filter(
        worker_id=actor.pk, item=item, month=month, region_code=grid_code
    ).first()
    if same is not None:
        return TickResult(same, False)
    tick = MethodTick(
        worker=actor,
        item=item,
        month=month,
        region_code=grid_code,
        note=note.strip(),
        request_id=request_id,
        ticked_at=now,
    )
    try:
        with transaction.atomic():
            tick.save(force_insert=True)
            record("workforce.tick_method", actor=actor, obj=tick, after={"item": item.code})
    except IntegrityError:
        # The same request (or the same item) raced in from a second connection.
        again = (
            MethodTick.objects.filter(worker_id=actor.pk, request_id=request_id).first()
            if request_id
            else None
        ) or MethodTick.objects.filter(
            worker_id=actor.pk, item=item, month=month, region_code=grid_code
        ).first()
        if again is None:
            raise
        return TickResult(again, False)
    return TickResult(tick, True)


def do_untick_method(*, actor: Any, tick_id: int, now: datetime | None = None) -> bool:
    """Take back one's own tick of this month or last (a tap by mistake).  True if a tick
    was removed; False if there is none (already taken back: a retry is harmless)."""
    now = now or timezone.now()
    current = months.this_month(now)
    with transaction.atomic():
        tick = (
            MethodTick.objects.select_for_update()
            .filter(pk=tick_id, worker_id=actor.pk)
            .select_related("item")
            .first()
        )
        if tick is None:
            return False
        if tick.month not in (current, months.previous_month(current)):
            raise WorkforceError(
                INVALID,
                {"month": _("Only ticks of this month or last month can be taken back")},
                status=409,
                code="conflict",
            )
        record(
            "workforce.untick_method",
            actor=actor,
            obj=tick,
            before={"item": tick.item.code, "month": f"{tick.month:%Y-%m}"},
        )
        tick.delete()
    return True


# --- training -------------------------------------------------------------------------------


@dataclass
class SessionResult:
    session: TrainingSession
    created: bool
    added: int = 0


def _attendees(node_code: str, user_ids: list[int]) -> tuple[list[int], list[int]]:
    """(known, unknown): users holding an assignment in the node's subtree may attend."""
    # An id no database column holds is unknown without asking (SQLite cannot bind it).
    wanted = sorted(u for u in set(user_ids) if 0 < u < 2**63)
    known = set(
        Assignment.objects.filter(user_id__in=wanted, is_active=True)
        .filter(prefix_q("region__code", [node_code]))
        .values_list("user_id", flat=True)
    )
    return [u for u in wanted if u in known], sorted(u for u in set(user_ids) if u not in known)


def do_create_training_session(
    *,
    actor: Any,
    title: str,
    held_on: date | None,
    node_code: str,
    trainer: str = "",
    attendee_ids: list[int] | None = None,
    request_id: str = "",
) -> SessionResult:
    request_id = _request_id(request_id)
    if request_id and actor is not None:
        existing = TrainingSession.objects.filter(
            created_by_id=actor.pk, request_id=request_id
        ).first()
        if existing is not None:
            return SessionResult(existing, False)
    if actor is not None and not scope_for(actor).can(selectors.ADD_TRAINING, node_code):
        raise WorkforceError(_("Region not found"), status=404, code="not_found")
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Please enter the training's subject")
    elif len(title) > 200:
        errors["title"] = _("The subject can be at most 200 characters")
    if held_on is None:
        errors["held_on"] = _("Please enter the training's date")
    if len(trainer) > 100:
        errors["trainer"] = _("The trainer can be at most 100 characters")
    if not Region.objects.filter(code=node_code).exclude(level="unit").exists():
        errors["node"] = _("Please choose a district, street, community or grid")
    known, unknown = _attendees(node_code, attendee_ids or [])
    if unknown:
        errors["attendees"] = _("Attendees outside this area: %(ids)s") % {
            "ids": _(", ").join(str(u) for u in unknown)
        }
    if errors or held_on is None:
        raise WorkforceError(INVALID, errors)
    session = TrainingSession(
        title=title,
        held_on=held_on,
        region_code=node_code,
        trainer=trainer.strip(),
        created_by=actor,
        request_id=request_id,
    )
    try:
        with transaction.atomic():
            session.save(force_insert=True)
            Attendance.objects.bulk_create([Attendance(session=session, user_id=u) for u in known])
            record(
                "workforce.create_training",
                actor=actor,
                obj=session,
                after={"title": title, "attendees": len(known)},
            )
    except IntegrityError:
        again = TrainingSession.objects.filter(
            created_by_id=getattr(actor, "pk", None), request_id=request_id
        ).first()
        if not request_id or again is None:
            raise
        return SessionResult(again, False)
    return SessionResult(session, True, len(known))


def do_record_attendance(session: TrainingSession, *, actor: Any, user_ids: list[int]) -> int:
    """Add attendees to a session (already recorded ones are kept once); returns how many new."""
    if actor is not None and not scope_for(actor).can(selectors.ADD_TRAINING, session.region_code):
        raise WorkforceError(_("Training session not found"), status=404, code="not_found")
    known, unknown = _attendees(session.region_code, user_ids)
    if unknown or not user_ids:
        raise WorkforceError(
            INVALID,
            {
                "user_ids": _("Attendees outside this area: %(ids)s")
                % {"ids": _(", ").join(str(u) for u in unknown)}
            }
            if unknown
            else {"user_ids": _("Please choose the attendees")},
        )
    with transaction.atomic():
        before = Attendance.objects.filter(session=session).count()
        Attendance.objects.bulk_create(
            [Attendance(session=session, user_id=u) for u in known], ignore_conflicts=True
        )
        added = Attendance.objects.filter(session=session).count() - before
        record("workforce.record_attendance", actor=actor, obj=session, after={"added": added})
    return added


# --- assessment -----------------------------------------------------------------------------


def validate_scheme(scheme: AssessmentScheme) -> dict[str, str]:
    errors: dict[str, str] = {}
    if sum(getattr(scheme, f) for f in WEIGHT_FIELDS) != 100:
        errors["weights"] = _("The weights must add up to 100")
    if not scheme.star2 <= scheme.star3 <= scheme.star4 <= scheme.star5 <= 100:
        errors["stars"] = _(
            "The star thresholds must rise from two to five stars and not exceed 100"
        )
    if scheme.verify_zero_hours <= scheme.verify_full_hours:
        errors["verify_zero_hours"] = _(
            "The zero-score limit must be longer than the full-score limit"
        )
    return errors


@dataclass
class AssessResult:
    month: date
    computed: int
    skipped: list[str] = field(default_factory=list)


def do_compute_scorecards(
    *, month: date, actor: Any, district_code: str | None = None
) -> AssessResult:
    """Compute and store the month's scorecard of every full-time grid worker (in a district).

    Re-running replaces the month's scorecards, so a correction of figures or weights is
    taken into account; until then the stored scorecard does not move.
    """
    if actor is not None:
        scope = scope_for(actor)
        allowed = scope.is_global or bool(
            district_code and scope.can("workforce.assess_workers", district_code)
        )
        if not allowed:
            raise WorkforceError(
                _("You may not compute the assessment"), status=403, code="forbidden"
            )
    assignments = Assignment.objects.filter(
        is_active=True, role__slug=FULL_TIME, region__level="grid"
    ).values_list("user_id", "region__code")
    if district_code:
        assignments = assignments.filter(prefix_q("region__code", [district_code]))
    schemes: dict[str, AssessmentScheme | None] = {}
    result = AssessResult(month=month, computed=0)
    now = timezone.now()
    cards: list[Scorecard] = []
    for user_id, grid in sorted(assignments):
        district = grid[:6]
        if district not in schemes:
            scheme = assessment.scheme_for(district)
            schemes[district] = scheme if scheme and not validate_scheme(scheme) else None
        scheme = schemes[district]
        if scheme is None:
            result.skipped.append(grid)
            continue
        measured = assessment.measure(user_id, grid, month, scheme)
        score, components = assessment.score(measured.ratios, scheme.weights())
        cards.append(
            Scorecard(
                worker_id=user_id,
                month=month,
                region_code=grid,
                scheme=scheme,
                figures=measured.figures,
                components=components,
                score=score,
                stars=assessment.stars(score, scheme),
                computed_at=now,
            )
        )
    with transaction.atomic():
        old = Scorecard.objects.filter(month=month)
        if district_code:
            old = old.filter(prefix_q("region_code", [district_code]))
        old.delete()
        Scorecard.objects.bulk_create(cards)
        record(
            "workforce.compute_scorecards",
            actor=actor,
            object_type="workforce.scorecard",
            object_repr=f"{month:%Y-%m} {district_code or '*'}",
            region_code=district_code or "",
            after={"computed": len(cards), "skipped": len(result.skipped)},
        )
    result.computed = len(cards)
    return result
