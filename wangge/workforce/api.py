"""Grid workers (网格员队伍) under /api/v1/workforce/: rosters and 一格两员 coverage, duties,
the "553" checklists, training, and monthly scorecards."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from wangge.api.errors import ApiError
from wangge.api.pagination import MAX_OFFSET
from wangge.api.types import Id
from wangge.basedata.schemas import ErrorOut
from wangge.workforce import actions, months, selectors
from wangge.workforce.choices import MethodKind
from wangge.workforce.models import MethodTick, Scorecard, TrainingSession

router = Router(tags=["workforce"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MONTH = r"^[0-9]{4}-[0-9]{2}$"
NODE = r"^[0-9]{6}([0-9]{3}){0,3}$"


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.WorkforceError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


def _month(value: str | None, *, default: date | None = None) -> date:
    if not value:
        return default or months.this_month()
    parsed = months.parse_month(value)
    if parsed is None:
        raise ApiError(
            422,
            "invalid",
            str(actions.INVALID),
            {"month": [_("The month must be given as YYYY-MM")]},
        )
    return parsed


# --- schemas ---------------------------------------------------------------------------------


class NodeRef(Schema):
    code: str
    name: str


class MemberOut(Schema):
    user_id: int
    name: str
    role: str
    node: str = Field(..., description="The grid, or the minimal unit of a part-time worker")


class GridRosterOut(Schema):
    code: str
    name: str
    ok: bool = Field(..., description="Passes 一格两员 (see docs/workforce.md)")
    problems: list[str]
    full_time: list[MemberOut]
    part_time: list[MemberOut]
    dept_members: list[MemberOut]
    liaison_leaders: list[MemberOut]


class RosterOut(Schema):
    node: NodeRef
    grids: list[GridRosterOut]


class CoverageGridOut(Schema):
    code: str
    name: str
    full_time: int
    members: int
    problems: list[str]


class CoverageOut(Schema):
    node: NodeRef
    rule: str
    grids: int
    passing: int
    failing: list[CoverageGridOut]


class DutyOut(Schema):
    code: str
    name: str
    description: str


class DutyCategoryOut(Schema):
    code: str
    name: str
    duties: list[DutyOut]


class MethodItemOut(Schema):
    code: str
    kind: MethodKind
    kind_label: str
    label: str


class TickIn(Schema):
    item: str = Field(..., description="The 553 item's code (K1…K5, V1…V5, A1…A3)")
    month: str | None = Field(None, pattern=MONTH, description="YYYY-MM; default this month")
    grid: str | None = Field(None, description="Needed only by a worker of several grids")
    note: str = ""
    request_id: str = Field("", max_length=64, description="Client-generated UUID")


class TickOut(Schema):
    id: int
    item: str
    kind: MethodKind
    label: str
    month: str
    grid: str
    note: str
    ticked_at: str


class MonthQuery(Schema):
    month: str | None = Field(None, pattern=MONTH)


class NodeMonthQuery(Schema):
    month: str | None = Field(None, pattern=MONTH)
    node: str | None = Field(None, pattern=NODE)


class RankingQuery(NodeMonthQuery):
    limit: int = Field(
        settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class NodeQuery(Schema):
    node: str | None = Field(None, pattern=NODE)


class ProgressOut(Schema):
    code: str
    name: str
    total: int
    ticked: int
    rate: float | None


class MethodProgressOut(Schema):
    month: str
    workers: list[ProgressOut]
    grids: list[ProgressOut]


class SessionIn(Schema):
    title: str
    held_on: date | None = None
    node: str = Field(..., pattern=NODE)
    trainer: str = ""
    attendee_ids: list[Id] = []
    request_id: str = Field("", max_length=64)


class SessionOut(Schema):
    id: int
    title: str
    held_on: date
    node: str
    trainer: str
    attendances: int


class AttendanceIn(Schema):
    user_ids: list[Id]


class AttendanceOut(Schema):
    added: int
    attendances: int


class TotalOut(Schema):
    code: str
    name: str
    sessions: int
    attendances: int


class TrainingTotalsOut(Schema):
    total: TotalOut
    children: list[TotalOut]


class ScorecardOut(Schema):
    id: int
    worker_id: int
    worker: str
    month: str
    grid: str
    grid_name: str
    score: float
    stars: int
    figures: dict[str, Any]
    components: dict[str, Any]
    scheme: str
    computed_at: str


class RankedOut(ScorecardOut):
    #: The place in the whole ranking (1: the best), whatever the page.
    rank: int


class RankingOut(Schema):
    node: NodeRef
    month: str
    #: Scorecards in the whole ranking; ``scorecards`` holds ``limit`` from ``offset``.
    count: int
    scorecards: list[RankedOut]


def _tick(t: MethodTick) -> dict[str, Any]:
    return {
        "id": t.pk,
        "item": t.item.code,
        "kind": t.item.kind,
        "label": t.item.label,
        "month": f"{t.month:%Y-%m}",
        "grid": t.region_code,
        "note": t.note,
        "ticked_at": t.ticked_at.isoformat(),
    }


def _session(s: TrainingSession, attendances: int | None = None) -> dict[str, Any]:
    return {
        "id": s.pk,
        "title": s.title,
        "held_on": s.held_on,
        "node": s.region_code,
        "trainer": s.trainer,
        "attendances": attendances if attendances is not None else s.attendances.count(),
    }


def scorecard_dicts(cards: list[Scorecard]) -> list[dict[str, Any]]:
    names = selectors.grid_names([c.region_code for c in cards])
    return [
        {
            "id": c.pk,
            "worker_id": c.worker_id,
            "worker": str(c.worker),
            "month": f"{c.month:%Y-%m}",
            "grid": c.region_code,
            "grid_name": names.get(c.region_code, c.region_code),
            "score": float(c.score),
            "stars": c.stars,
            "figures": c.figures,
            "components": c.components,
            "scheme": c.scheme.name,
            "computed_at": c.computed_at.isoformat(),
        }
        for c in cards
    ]


def _member(m: selectors.Member) -> dict[str, Any]:
    return {"user_id": m.user_id, "name": m.name, "role": m.role, "node": m.node}


# --- roster and coverage ---------------------------------------------------------------------

RULE = gettext_lazy(
    "Every grid has at least 1 full-time grid worker, and at least 2 full-time, part-time and "
    "department grid workers together (two per grid)"
)


@router.get(
    "/workforce/roster",
    response={200: RosterOut, 404: ErrorOut, 422: ErrorOut},
    summary="The people of every grid under a node, from the role assignments",
)
def roster(request: HttpRequest, query: Query[NodeQuery]) -> dict[str, Any]:
    node, grids = selectors.roster(request.user, query.node)
    return {
        "node": {"code": node.code, "name": node.name},
        "grids": [
            {
                "code": g.code,
                "name": g.name,
                "ok": g.ok,
                "problems": g.problems,
                "full_time": [_member(m) for m in g.full_time],
                "part_time": [_member(m) for m in g.part_time],
                "dept_members": [_member(m) for m in g.dept_members],
                "liaison_leaders": [_member(m) for m in g.liaison_leaders],
            }
            for g in grids
        ],
    }


@router.get(
    "/workforce/coverage",
    response={200: CoverageOut, 404: ErrorOut, 422: ErrorOut},
    summary="一格两员: the grids under a node that lack their full-time or second member",
)
def coverage(request: HttpRequest, query: Query[NodeQuery]) -> dict[str, Any]:
    node, grids = selectors.roster(request.user, query.node)
    failing = [g for g in grids if not g.ok]
    return {
        "node": {"code": node.code, "name": node.name},
        "rule": str(RULE),
        "grids": len(grids),
        "passing": len(grids) - len(failing),
        "failing": [
            {
                "code": g.code,
                "name": g.name,
                "full_time": len(g.full_time),
                "members": len(g.member_ids),
                "problems": g.problems,
            }
            for g in failing
        ],
    }


# --- duties and 553 --------------------------------------------------------------------------


@router.get(
    "/workforce/duties",
    response=list[DutyCategoryOut],
    summary="The grid worker's duties: 7 categories, 19 items",
)
def duties(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "name": c.name,
            "duties": [{"code": d.code, "name": d.name, "description": d.description} for d in ds],
        }
        for c, ds in selectors.duty_categories()
    ]


@router.get(
    "/workforce/method/items",
    response=list[MethodItemOut],
    summary='The "553" items: 五必知, 五必访, 三必到',
)
def method_items(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": i.code, "kind": i.kind, "kind_label": i.get_kind_display(), "label": i.label}
        for i in selectors.method_items()
    ]


@router.post(
    "/workforce/method/ticks",
    response={200: TickOut, 201: TickOut, **ERRORS},
    summary='Tick a "553" item for a month (idempotent by request_id)',
    description="The same request_id again, or the same item and month again, answers 200 "
    "with the tick first stored.",
)
def tick(request: HttpRequest, payload: TickIn) -> Status[dict[str, Any]]:
    result = _call(
        actions.do_tick_method,
        actor=request.user,
        item_code=payload.item,
        month=_month(payload.month),
        grid_code=payload.grid,
        note=payload.note,
        request_id=payload.request_id,
    )
    return Status(201 if result.created else 200, _tick(result.tick))


class UntickOut(Schema):
    #: False when there was nothing to take back (already gone, or not the user's).
    removed: bool


@router.delete(
    "/workforce/method/ticks/{tick_id}",
    response={200: UntickOut, **ERRORS},
    summary="Take back one's own tick of this month or last",
    description="200 with removed=false when the tick is already gone (a retry) or is not "
    "the user's.",
)
def untick(request: HttpRequest, tick_id: int) -> dict[str, Any]:
    return {"removed": _call(actions.do_untick_method, actor=request.user, tick_id=tick_id)}


@router.get(
    "/workforce/method/ticks",
    response={200: list[TickOut], 422: ErrorOut},
    summary="The user's own ticks of a month",
)
def my_ticks(request: HttpRequest, query: Query[MonthQuery]) -> list[dict[str, Any]]:
    return [_tick(t) for t in selectors.ticks_of(request.user, _month(query.month))]


@router.get(
    "/workforce/method/progress",
    response={200: MethodProgressOut, 404: ErrorOut, 422: ErrorOut},
    summary='"553" progress per worker and grid (a worker sees their own)',
)
def method_progress(request: HttpRequest, query: Query[NodeMonthQuery]) -> dict[str, Any]:
    month = _month(query.month)
    workers, grids = selectors.method_progress(request.user, month, query.node)

    def out(p: selectors.Progress) -> dict[str, Any]:
        return {
            "code": p.code,
            "name": p.name,
            "total": p.total,
            "ticked": p.ticked,
            "rate": p.rate,
        }

    return {
        "month": f"{month:%Y-%m}",
        "workers": [out(p) for p in workers],
        "grids": [out(p) for p in grids],
    }


# --- training --------------------------------------------------------------------------------


@router.get(
    "/workforce/training/sessions",
    response={200: list[SessionOut], 404: ErrorOut, 422: ErrorOut},
    summary="Training sessions held under a node (latest 200)",
)
def sessions(request: HttpRequest, query: Query[NodeQuery]) -> list[dict[str, Any]]:
    return [
        _session(s, s.attendance_count)  # type: ignore[attr-defined]
        for s in selectors.sessions_for(request.user, query.node)[:200]
    ]


@router.get(
    "/workforce/training/mine",
    response=list[SessionOut],
    summary="The sessions the user attended",
)
def my_sessions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_session(s) for s in selectors.attended_by(request.user)[:200]]


@router.post(
    "/workforce/training/sessions",
    response={200: SessionOut, 201: SessionOut, **ERRORS},
    summary="Record a training session and its attendees (idempotent by request_id)",
)
def create_session(request: HttpRequest, payload: SessionIn) -> Status[dict[str, Any]]:
    result = _call(
        actions.do_create_training_session,
        actor=request.user,
        title=payload.title,
        held_on=payload.held_on,
        node_code=payload.node,
        trainer=payload.trainer,
        attendee_ids=payload.attendee_ids,
        request_id=payload.request_id,
    )
    return Status(201 if result.created else 200, _session(result.session))


@router.post(
    "/workforce/training/sessions/{session_id}/attendances",
    response={200: AttendanceOut, **ERRORS},
    summary="Add attendees to a session (each person counted once)",
)
def add_attendance(request: HttpRequest, session_id: int, payload: AttendanceIn) -> dict[str, Any]:
    session = selectors.get_session_for_user(request.user, session_id, selectors.ADD_TRAINING)
    added = _call(
        actions.do_record_attendance, session, actor=request.user, user_ids=payload.user_ids
    )
    return {"added": added, "attendances": session.attendances.count()}


@router.get(
    "/workforce/training/totals",
    response={200: TrainingTotalsOut, 404: ErrorOut, 422: ErrorOut},
    summary="Sessions and attendances (参训人次) under a node and each of its children",
)
def training_totals(request: HttpRequest, query: Query[NodeQuery]) -> dict[str, Any]:
    total, children = selectors.training_totals(request.user, query.node)
    return {"total": total.__dict__, "children": [c.__dict__ for c in children]}


# --- scorecards ------------------------------------------------------------------------------


@router.get(
    "/workforce/scorecards/me",
    response={200: list[ScorecardOut], 422: ErrorOut},
    summary="The user's own stored scorecards (of a month, or all)",
)
def my_scorecards(request: HttpRequest, query: Query[MonthQuery]) -> list[dict[str, Any]]:
    month = _month(query.month) if query.month else None
    return scorecard_dicts(list(selectors.own_scorecards(request.user, month)))


@router.get(
    "/workforce/scorecards",
    response={200: RankingOut, 404: ErrorOut, 422: ErrorOut},
    summary="The ranking of the workers under a node for a month (default: last month), "
    "best first, a page at a time",
)
def ranking(request: HttpRequest, query: Query[RankingQuery]) -> dict[str, Any]:
    month = _month(query.month, default=months.previous_month(months.this_month()))
    node, cards = selectors.ranking(request.user, month, query.node)
    shown = list(cards[query.offset : query.offset + query.limit])
    return {
        "node": {"code": node.code, "name": node.name},
        "month": f"{month:%Y-%m}",
        # A first page that is not full is the whole ranking: no COUNT needed.
        "count": len(shown) if not query.offset and len(shown) < query.limit else cards.count(),
        "scorecards": [
            {**card, "rank": query.offset + i}
            for i, card in enumerate(scorecard_dicts(shown), start=1)
        ],
    }


@router.get(
    "/workforce/scorecards/{scorecard_id}",
    response={200: ScorecardOut, 404: ErrorOut},
    summary="One scorecard: the worker's own, or one in the ranking the user may see",
)
def scorecard(request: HttpRequest, scorecard_id: int) -> dict[str, Any]:
    return scorecard_dicts([selectors.get_scorecard_for_user(request.user, scorecard_id)])[0]
