"""Suggestions (金点子) under /api/v1/suggestions, drafts and opinions (立法联系点) under
/api/v1/drafts."""

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.api.types import Id
from wangge.basedata.schemas import ErrorOut
from wangge.lib import codes
from wangge.suggestions import actions, export, selectors, serialise
from wangge.suggestions.choices import DraftState, OpinionState, SuggestionState, Topic
from wangge.suggestions.models import Draft, Suggestion

router = Router(tags=["suggestions"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
XLSX = {"responses": {200: {"content": {export.XLSX_TYPE: {}}, "description": "An .xlsx workbook"}}}


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.SuggestionError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


# --- schemas ------------------------------------------------------------------------------


class StepOut(Schema):
    at: datetime
    actor: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str


class SuggestionOut(Schema):
    id: int
    title: str
    content: str
    node: str = Field(..., description="The district, street or community it is about")
    node_name: str
    topic: Topic
    topic_label: str
    state: SuggestionState
    state_label: str
    version: int = Field(..., description="Send it back with an action: 409 if it moved on")
    submitter: str = Field(..., description="匿名 to others when the submitter asked for it")
    mine: bool
    contact: str = Field(..., description="Masked phone")
    anonymous: bool
    assigned_department: str | None
    assigned_node: str | None
    assigned_node_name: str | None
    answer: str = Field(..., description="The answer (or the reason for not accepting it)")
    completion_note: str
    submitted_at: datetime
    triaged_at: datetime | None
    answered_at: datetime | None
    done_at: datetime | None


class SuggestionDetailOut(SuggestionOut):
    actions: list[str] = Field(..., description="What the caller may do now")
    steps: list[StepOut]


class SuggestionIn(Schema):
    title: str = Field(..., max_length=100)
    content: str = Field(..., max_length=2000)
    topic: Topic
    node: str | None = Field(
        None,
        pattern=r"^[0-9]{6}([0-9]{3}){0,2}$",
        description="District, street or community (staff: default their node)",
    )
    contact: str = Field("", max_length=32, description="Phone (stored encrypted, shown masked)")
    anonymous: bool = Field(False, description="Hide the name from others")
    request_id: str = Field(
        ...,
        min_length=1,
        max_length=64,
        description="Client-chosen id (a UUID): repeating the request returns the same row",
    )


class StateFilter(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    REJECTED = "rejected"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class SuggestionFilter(Schema):
    state: StateFilter | None = Field(None, description="A state, or open (everything not final)")
    topic: Topic | None = None
    under: str | None = Field(None, pattern=r"^[0-9]{6,18}$", description="Only under this node")
    mine: bool = Field(False, description="Only what I submitted")


class VersionIn(Schema):
    version: int | None = Field(None, description="The version the client saw; 409 if it moved on")


class TriageIn(VersionIn):
    department: str | None = Field(None, max_length=32, description="Department code, or…")
    node: str | None = Field(None, max_length=18, description="…the node whose centre handles it")
    note: str = Field("", max_length=2000)


class ReasonIn(VersionIn):
    reason: str = Field(..., max_length=2000)


class AnswerIn(VersionIn):
    adopted: bool
    answer: str = Field(..., max_length=2000)


class NoteIn(VersionIn):
    note: str = Field("", max_length=2000)


class NodeOut(Schema):
    code: str
    name: str


class PointOut(Schema):
    id: int
    name: str
    node: str
    address: str
    contact_name: str
    contact_phone: str = Field(..., description="Masked")
    is_active: bool


class PointFiguresOut(PointOut):
    opinions: int
    adopted: int
    not_adopted: int
    pending: int


class PointIn(Schema):
    name: str = Field(..., max_length=100)
    node: str | None = Field(None, max_length=18)
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=32)


class DraftOut(Schema):
    id: int
    title: str
    issuing_body: str
    node: str
    state: DraftState
    state_label: str
    version: int
    accepting: bool = Field(..., description="Published and before the deadline")
    published_at: datetime | None
    deadline: datetime
    closed_at: datetime | None
    created_at: datetime


class DraftDetailOut(DraftOut):
    body: str
    can_manage: bool
    can_comment: bool
    points: list[PointFiguresOut] = Field(..., description="With the opinions collected at each")
    total_opinions: int
    total_adopted: int


class DraftIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=100_000)
    issuing_body: str = Field(..., max_length=100)
    node: str | None = Field(None, max_length=18)
    deadline: datetime
    points: list[Id] = Field(..., max_length=500)


class OpinionOut(Schema):
    id: int
    draft_id: int
    point_id: int
    point: str
    author_name: str
    on_paper: bool = Field(..., description="Typed in by the point's staff")
    mine: bool
    article: str
    content: str
    state: OpinionState
    state_label: str
    version: int
    answer: str
    answered_at: datetime | None
    submitted_at: datetime


class OpinionIn(Schema):
    point: int
    content: str = Field(..., max_length=2000)
    article: str = Field("", max_length=50, description="The article it is about (第X条)")
    author_name: str = Field(
        "", max_length=64, description="Point staff only: the name on a paper opinion"
    )
    request_id: str = Field(..., min_length=1, max_length=64)


# --- suggestions --------------------------------------------------------------------------


def _suggestion(request: HttpRequest, suggestion_id: int) -> Suggestion:
    return selectors.get_suggestion_for_user(request.user, suggestion_id)


def _detail(request: HttpRequest, s: Suggestion) -> dict[str, Any]:
    fresh = selectors.get_suggestion_for_user(request.user, s.pk)
    return serialise.suggestion_detail(request.user, fresh)


@router.get(
    "/suggestions",
    response={200: list[SuggestionOut], 422: ErrorOut},
    summary="Suggestions the caller sees (their own; staff: their area), newest first",
)
@paginate(Paged)
def list_suggestions(request: HttpRequest, filters: Query[SuggestionFilter]) -> Any:
    if filters.under and not codes.is_valid(filters.under):
        raise ApiError(
            422, "invalid", str(actions.INVALID), {"under": [_("Not a valid region code")]}
        )
    qs = selectors.suggestion_list(
        request.user,
        state=filters.state.value if filters.state else None,
        topic=filters.topic.value if filters.topic else None,
        under=filters.under,
        mine=filters.mine,
    )
    return _Page(request, qs)


class _Page:
    """A queryset the paginator slices in the database, serialising only the page it keeps."""

    def __init__(self, request: HttpRequest, qs: Any) -> None:
        self.request, self.qs = request, qs

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return serialise.suggestion_dicts(self.request.user, list(self.qs[window]))


@router.post(
    "/suggestions",
    response={200: SuggestionDetailOut, 201: SuggestionDetailOut, **ERRORS},
    summary="Submit a suggestion (金点子), idempotent by request_id",
)
def submit_suggestion(request: HttpRequest, payload: SuggestionIn) -> Status[dict[str, Any]]:
    result = _call(
        actions.do_submit_suggestion,
        actor=request.user,
        title=payload.title,
        content=payload.content,
        topic=payload.topic,
        node=payload.node,
        contact=payload.contact,
        anonymous=payload.anonymous,
        request_id=payload.request_id,
    )
    return Status(201 if result.created else 200, _detail(request, result.suggestion))


@router.get(
    "/suggestions/nodes",
    response={200: list[NodeOut]},
    summary="The districts, streets and communities the caller may submit suggestions about",
)
def suggestion_nodes(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": c, "name": n} for c, n in selectors.submit_choices(request.user)]


@router.get(
    "/suggestions/{suggestion_id}",
    response={200: SuggestionDetailOut, 404: ErrorOut},
    summary="A suggestion with its answer and timeline",
)
def suggestion_detail(request: HttpRequest, suggestion_id: int) -> dict[str, Any]:
    return serialise.suggestion_detail(request.user, _suggestion(request, suggestion_id))


@router.post(
    "/suggestions/{suggestion_id}/triage",
    response={200: SuggestionDetailOut, **ERRORS},
    summary="分办: to a department of the district or to a node's centre",
)
def triage_suggestion(
    request: HttpRequest, suggestion_id: int, payload: TriageIn
) -> dict[str, Any]:
    s = _call(
        actions.do_triage_suggestion,
        _suggestion(request, suggestion_id),
        actor=request.user,
        department=payload.department,
        node=payload.node,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, s)


@router.post(
    "/suggestions/{suggestion_id}/reject",
    response={200: SuggestionDetailOut, **ERRORS},
    summary="不予受理, with a reason",
)
def reject_suggestion(
    request: HttpRequest, suggestion_id: int, payload: ReasonIn
) -> dict[str, Any]:
    s = _call(
        actions.do_reject_suggestion,
        _suggestion(request, suggestion_id),
        actor=request.user,
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(request, s)


@router.post(
    "/suggestions/{suggestion_id}/answer",
    response={200: SuggestionDetailOut, **ERRORS},
    summary="答复: adopted or not, with the answer",
)
def answer_suggestion(
    request: HttpRequest, suggestion_id: int, payload: AnswerIn
) -> dict[str, Any]:
    s = _call(
        actions.do_answer_suggestion,
        _suggestion(request, suggestion_id),
        actor=request.user,
        adopted=payload.adopted,
        answer=payload.answer,
        version=payload.version,
    )
    return _detail(request, s)


@router.post(
    "/suggestions/{suggestion_id}/start",
    response={200: SuggestionDetailOut, **ERRORS},
    summary="开始落实 an adopted suggestion",
)
def start_suggestion(request: HttpRequest, suggestion_id: int, payload: NoteIn) -> dict[str, Any]:
    s = _call(
        actions.do_start_suggestion,
        _suggestion(request, suggestion_id),
        actor=request.user,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, s)


@router.post(
    "/suggestions/{suggestion_id}/complete",
    response={200: SuggestionDetailOut, **ERRORS},
    summary="落实完成, with a note on what was done",
)
def complete_suggestion(
    request: HttpRequest, suggestion_id: int, payload: NoteIn
) -> dict[str, Any]:
    s = _call(
        actions.do_complete_suggestion,
        _suggestion(request, suggestion_id),
        actor=request.user,
        note=payload.note,
        version=payload.version,
    )
    return _detail(request, s)


# --- liaison points and drafts ------------------------------------------------------------


def _draft(request: HttpRequest, draft_id: int) -> Draft:
    return selectors.get_draft_for_user(request.user, draft_id)


@router.get(
    "/drafts/liaison-points",
    response={200: list[PointOut]},
    summary="Legislative liaison points on the caller's part of the map",
)
def list_points(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        serialise.point_dict(p)
        for p in selectors.points_visible_to(request.user).order_by("node", "name", "id")[:1000]
    ]


@router.post(
    "/drafts/liaison-points",
    response={201: PointOut, **ERRORS},
    summary="Set up a liaison point (draft managers)",
)
def create_point(request: HttpRequest, payload: PointIn) -> Status[dict[str, Any]]:
    point = _call(
        actions.do_create_liaison_point,
        actor=request.user,
        name=payload.name,
        node=payload.node,
        address=payload.address,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
    )
    return Status(201, serialise.point_dict(point))


@router.get(
    "/drafts",
    response={200: list[DraftOut]},
    summary="Drafts: published ones sent to the caller's area; managers also see unpublished",
)
@paginate(Paged)
def list_drafts(request: HttpRequest) -> Any:
    drafts = selectors.drafts_visible_to(request.user).order_by("-created_at", "-id")
    return [serialise.draft_dict(request.user, d) for d in drafts[:500]]


@router.post(
    "/drafts",
    response={201: DraftDetailOut, **ERRORS},
    summary="Create a draft (not yet published) sent to liaison points",
)
def create_draft(request: HttpRequest, payload: DraftIn) -> Status[dict[str, Any]]:
    draft = _call(
        actions.do_create_draft,
        actor=request.user,
        title=payload.title,
        body=payload.body,
        issuing_body=payload.issuing_body,
        node=payload.node,
        deadline=payload.deadline,
        points=payload.points,
    )
    return Status(201, serialise.draft_detail(request.user, draft))


@router.get(
    "/drafts/{draft_id}",
    response={200: DraftDetailOut, 404: ErrorOut},
    summary="A draft with the opinions collected and adopted at each liaison point",
)
def draft_detail(request: HttpRequest, draft_id: int) -> dict[str, Any]:
    return serialise.draft_detail(request.user, _draft(request, draft_id))


@router.post(
    "/drafts/{draft_id}/publish",
    response={200: DraftDetailOut, **ERRORS},
    summary="Publish: opinions are accepted until the deadline",
)
def publish_draft(request: HttpRequest, draft_id: int, payload: VersionIn) -> dict[str, Any]:
    draft = _call(
        actions.do_publish_draft,
        _draft(request, draft_id),
        actor=request.user,
        version=payload.version,
    )
    return serialise.draft_detail(request.user, draft)


@router.post(
    "/drafts/{draft_id}/close",
    response={200: DraftDetailOut, **ERRORS},
    summary="Close the collection (before the deadline)",
)
def close_draft(request: HttpRequest, draft_id: int, payload: VersionIn) -> dict[str, Any]:
    draft = _call(
        actions.do_close_draft,
        _draft(request, draft_id),
        actor=request.user,
        version=payload.version,
    )
    return serialise.draft_detail(request.user, draft)


@router.get(
    "/drafts/{draft_id}/opinions",
    response={200: list[OpinionOut], 404: ErrorOut},
    summary="Opinions on a draft the caller sees (own; point staff: their points; managers: all)",
)
@paginate(Paged)
def list_opinions(request: HttpRequest, draft_id: int) -> Any:
    draft = _draft(request, draft_id)
    return [
        serialise.opinion_dict(request.user, o)
        for o in selectors.draft_opinions(request.user, draft)[:5000]
    ]


@router.post(
    "/drafts/{draft_id}/opinions",
    response={200: OpinionOut, 201: OpinionOut, **ERRORS},
    summary="An opinion at a liaison point (until the deadline), idempotent by request_id",
    description=(
        "A resident comments as themselves; the point's staff type in an opinion collected "
        "on paper with the author's name in `author_name`."
    ),
)
def submit_opinion(
    request: HttpRequest, draft_id: int, payload: OpinionIn
) -> Status[dict[str, Any]]:
    result = _call(
        actions.do_submit_opinion,
        _draft(request, draft_id),
        actor=request.user,
        point=payload.point,
        content=payload.content,
        article=payload.article,
        author_name=payload.author_name,
        request_id=payload.request_id,
    )
    opinion = selectors.get_opinion_for_user(request.user, result.opinion.draft, result.opinion.pk)
    return Status(201 if result.created else 200, serialise.opinion_dict(request.user, opinion))


@router.get(
    "/drafts/{draft_id}/opinions/export",
    response={200: None, **ERRORS},
    summary="The opinions of a draft as an .xlsx workbook (names masked; audited)",
    openapi_extra=XLSX,
)
def export_opinions(request: HttpRequest, draft_id: int) -> HttpResponse:
    found = _call(export.do_export_opinions, _draft(request, draft_id), actor=request.user)
    return export.xlsx_response(found)


@router.post(
    "/drafts/{draft_id}/opinions/{opinion_id}/answer",
    response={200: OpinionOut, **ERRORS},
    summary="Answer an opinion: adopted or not (draft managers)",
)
def answer_opinion(
    request: HttpRequest, draft_id: int, opinion_id: int, payload: AnswerIn
) -> dict[str, Any]:
    draft = _draft(request, draft_id)
    opinion = selectors.get_opinion_for_user(request.user, draft, opinion_id)
    answered = _call(
        actions.do_answer_opinion,
        opinion,
        actor=request.user,
        adopted=payload.adopted,
        answer=payload.answer,
        version=payload.version,
    )
    return serialise.opinion_dict(request.user, answered)
