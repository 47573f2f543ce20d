"""Canvassing campaigns (摸排、敲门行动) under /api/v1/campaigns.

``POST /campaigns/attempts`` is what the phone's offline outbox sends: its body
(``request_id, target_id, channel, outcome, note, follow_up_at, answers``) is a
contract; the same ``request_id`` from the same user stores one attempt and
answers with it again (200 instead of 201, the same body).
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import field_validator

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.basedata.schemas import ErrorOut
from wangge.campaigns import actions, importing, selectors
from wangge.campaigns.choices import (
    CampaignState,
    Channel,
    ProgressBy,
    QuestionKind,
    TargetFilter,
    TargetKind,
    TargetStatus,
)
from wangge.campaigns.models import Attempt, Campaign, Outcome, Question, Target
from wangge.lib.crypto import mask_phone

router = Router(tags=["campaigns"])

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.CampaignError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


# --- schemas ------------------------------------------------------------------------------


class OutcomeOut(Schema):
    code: str
    label: str
    is_final: bool = Field(..., description="The target is done after this outcome")
    needs_follow_up: bool
    requires_follow_up_time: bool = Field(..., description="follow_up_at must be given")
    follow_up_delay_minutes: int | None
    collects_answers: bool = Field(..., description="Required questions must be answered")

    @staticmethod
    def of(o: Outcome) -> dict[str, Any]:
        return {
            "code": o.code,
            "label": o.label,
            "is_final": o.is_final,
            "needs_follow_up": o.needs_follow_up,
            "requires_follow_up_time": o.requires_follow_up_time,
            "follow_up_delay_minutes": o.follow_up_delay_minutes,
            "collects_answers": o.collects_answers,
        }


class QuestionIn(Schema):
    key: str = Field(..., max_length=32, description="Lower-case letters, digits, underscores")
    label: str = Field(..., max_length=100)
    kind: QuestionKind
    required: bool = False
    choices: list[str] = Field(default_factory=list, description="For choice questions")
    show_if_key: str = Field("", max_length=32, description="Shown only if this earlier answer…")
    show_if_value: str = Field("", max_length=50, description="…equals this value")
    maps_to: str = Field(
        "",
        max_length=32,
        description="person.phone / person.residence_address: the answer updates the person",
    )


class QuestionOut(QuestionIn):
    kind_label: str

    @staticmethod
    def of(q: Question) -> dict[str, Any]:
        return {
            "key": q.key,
            "label": q.label,
            "kind": q.kind,
            "kind_label": q.get_kind_display(),
            "required": q.required,
            "choices": list(q.choices or []),
            "show_if_key": q.show_if_key,
            "show_if_value": q.show_if_value,
            "maps_to": q.maps_to,
        }


class CampaignIn(Schema):
    name: str = Field(..., max_length=100)
    description: str = Field("", max_length=2000)
    area_code: str = Field(..., max_length=18, description="District, street, community or grid")
    target_kind: TargetKind
    tag: str | None = Field(None, max_length=32, description="Special group, for tagged_people")
    deadline: date
    assign_part_time: bool = False
    questions: list[QuestionIn] = Field(default_factory=list)
    launch: bool = Field(False, description="Launch at once (not for imported lists)")


class ProgressOut(Schema):
    total: int
    done: int = Field(..., description="Final outcome")
    pending: int = Field(..., description="No attempt yet")
    contacted: int
    follow_up: int = Field(..., description="Not done, a follow-up scheduled")
    overdue: int = Field(..., description="Follow-up time passed")
    done_rate: float


class TagRef(Schema):
    code: str
    name: str


class CampaignOut(Schema):
    id: int
    name: str
    description: str
    area_code: str
    area_name: str
    target_kind: TargetKind
    target_kind_label: str
    tag: TagRef | None
    deadline: date
    state: CampaignState
    state_label: str
    assign_part_time: bool
    created_at: datetime
    launched_at: datetime | None
    closed_at: datetime | None
    progress: ProgressOut = Field(..., description="Over the targets the user sees")

    @staticmethod
    def of(c: Campaign, progress: selectors.ProgressRow, area_name: str) -> dict[str, Any]:
        return {
            "id": c.pk,
            "name": c.name,
            "description": c.description,
            "area_code": c.area_code,
            "area_name": area_name,
            "target_kind": c.target_kind,
            "target_kind_label": c.get_target_kind_display(),
            "tag": {"code": c.tag.code, "name": c.tag.name} if c.tag else None,
            "deadline": c.deadline,
            "state": c.state,
            "state_label": c.get_state_display(),
            "assign_part_time": c.assign_part_time,
            "created_at": c.created_at,
            "launched_at": c.launched_at,
            "closed_at": c.closed_at,
            "progress": progress.as_dict(),
        }


class CampaignDetailOut(CampaignOut):
    questions: list[QuestionOut]
    actions: list[str] = Field(..., description="What the user may do: import, launch, close")


class ProgressRowOut(ProgressOut):
    key: str | None = Field(..., description="Grid or unit code, or the worker's user id")
    label: str


class ProgressTableOut(Schema):
    by: ProgressBy
    rows: list[ProgressRowOut]
    total: ProgressOut


class OutcomeRef(Schema):
    code: str
    label: str
    is_final: bool


class TargetOut(Schema):
    id: int
    campaign_id: int
    kind: TargetKind
    name: str
    address: str
    phone: str = Field(..., description="Masked (imported lists only)")
    person_id: int | None
    region_code: str
    grid_code: str
    place: str
    status: TargetStatus
    status_label: str
    attempt_count: int
    last_outcome: OutcomeRef | None
    last_channel: str
    last_attempt_at: datetime | None
    follow_up_at: datetime | None
    assignee: str | None
    helper: str | None

    @staticmethod
    def of(t: Target, place: str, now: datetime) -> dict[str, Any]:
        status = selectors.status_of(t, now)
        o = t.last_outcome
        return {
            "id": t.pk,
            "campaign_id": t.campaign_id,
            "kind": t.kind,
            "name": t.name,
            "address": t.address,
            "phone": mask_phone(t.phone),
            "person_id": t.person_id,
            "region_code": t.region_code,
            "grid_code": t.grid_code,
            "place": place,
            "status": status,
            "status_label": str(TargetStatus(status).label),
            "attempt_count": t.attempt_count,
            "last_outcome": (
                {"code": o.code, "label": o.label, "is_final": o.is_final} if o else None
            ),
            "last_channel": t.last_channel,
            "last_attempt_at": t.last_attempt_at,
            "follow_up_at": t.follow_up_at,
            "assignee": _user_label(t.assignee) if t.assignee_id else None,
            "helper": _user_label(t.helper) if t.helper_id else None,
        }


def _user_label(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_username())


class AttemptIn(Schema):
    request_id: str = Field(..., max_length=64, description="A UUID made by the client")
    target_id: int
    channel: str = Field(..., max_length=8, description="phone or visit")
    outcome: str = Field(..., max_length=32, description="Outcome code, see /campaigns/outcomes")
    note: str = Field("", max_length=2000)
    follow_up_at: datetime | None = Field(
        None, description="When to try again; default from the outcome"
    )
    answers: dict[str, Any] = Field(default_factory=dict, description="Question key → value")
    at: datetime | None = Field(None, description="When the contact took place (default: now)")

    @field_validator("follow_up_at", "at", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """A form's empty time field (the outbox sends inputs as they are) means none."""
        return None if isinstance(value, str) and not value.strip() else value


class AttemptOut(Schema):
    id: int
    request_id: str | None
    target_id: int
    campaign_id: int
    channel: Channel
    channel_label: str
    outcome: OutcomeRef
    note: str
    follow_up_at: datetime | None
    answers: dict[str, Any]
    at: datetime
    recorded_by: str
    created_at: datetime

    @staticmethod
    def of(a: Attempt) -> dict[str, Any]:
        o = a.outcome
        return {
            "id": a.pk,
            "request_id": str(a.request_id) if a.request_id else None,
            "target_id": a.target_id,
            "campaign_id": a.campaign_id,
            "channel": a.channel,
            "channel_label": a.get_channel_display(),
            "outcome": {"code": o.code, "label": o.label, "is_final": o.is_final},
            "note": a.note,
            "follow_up_at": a.follow_up_at,
            "answers": dict(a.answers or {}),
            "at": a.at,
            "recorded_by": a.by_label,
            "created_at": a.created_at,
        }


class TargetDetailOut(TargetOut):
    attempts: list[AttemptOut]
    can_record: bool


class PhotoOut(Schema):
    id: int
    width: int
    height: int
    content_type: str


class CampaignFilter(Schema):
    state: CampaignState | None = None


class TargetQuery(Schema):
    status: TargetFilter | None = Field(None, description="Default: all")
    mine: bool = Field(False, description="Only the targets assigned to me")


# --- helpers ----------------------------------------------------------------------------------


def _area_names(campaigns: list[Campaign]) -> dict[str, str]:
    from wangge.people.selectors import region_names

    return region_names(c.area_code for c in campaigns)


def _actions(user: Any, campaign: Campaign) -> list[str]:
    found: list[str] = []
    if selectors.can_manage(user, campaign):
        if campaign.state == CampaignState.DRAFT:
            if campaign.target_kind == TargetKind.IMPORTED:
                found.append("import")
            found.append("launch")
        elif campaign.state == CampaignState.RUNNING:
            found.append("close")
    return found


def _campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    user = request.user
    campaign = selectors.get_campaign_for_user(user, campaign_id)
    totals = selectors.totals_for(user, [campaign.pk], now=timezone.now())
    return {
        **CampaignOut.of(
            campaign, totals[campaign.pk], _area_names([campaign]).get(campaign.area_code, "")
        ),
        "questions": [QuestionOut.of(q) for q in selectors.questions_of(campaign)],
        "actions": _actions(user, campaign),
    }


class _CampaignPage:
    def __init__(self, user: Any, qs: Any) -> None:
        self.user, self.qs = user, qs

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        campaigns = list(self.qs[window])
        totals = selectors.totals_for(self.user, [c.pk for c in campaigns], now=timezone.now())
        names = _area_names(campaigns)
        return [CampaignOut.of(c, totals[c.pk], names.get(c.area_code, "")) for c in campaigns]


class _TargetPage:
    def __init__(self, qs: Any) -> None:
        self.qs, self.now = qs, timezone.now()

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        targets = list(self.qs[window])
        places = selectors.place_names(t.region_code for t in targets)
        return [TargetOut.of(t, places.get(t.region_code, ""), self.now) for t in targets]


# --- endpoints --------------------------------------------------------------------------------


@router.get(
    "/campaigns/outcomes", response=list[OutcomeOut], summary="The contact outcomes (无人、已通知…)"
)
def list_outcomes(request: HttpRequest) -> list[dict[str, Any]]:
    return [OutcomeOut.of(o) for o in selectors.active_outcomes()]


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns the user sees")
@paginate(Paged)
def list_campaigns(request: HttpRequest, filters: Query[CampaignFilter]) -> Any:
    qs = selectors.campaigns_visible_to(request.user).select_related("tag")
    if filters.state:
        qs = qs.filter(state=filters.state)
    return _CampaignPage(request.user, qs.order_by("-created_at", "-id"))


@router.post(
    "/campaigns",
    response={201: CampaignDetailOut, **ERRORS},
    summary="Define a campaign (and launch it)",
    description=(
        "Over a district, street, community or grid where the user may define campaigns. "
        "An imported list is uploaded with POST /campaigns/{campaign_id}/import before launching."
    ),
)
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    if payload.launch and payload.target_kind == TargetKind.IMPORTED:
        raise ApiError(
            422,
            "invalid",
            str(actions.INVALID),
            {"launch": [_("Import the list first, then launch an imported-list campaign.")]},
        )
    campaign = _call(
        actions.do_create_campaign,
        actor=request.user,
        name=payload.name,
        description=payload.description,
        area_code=payload.area_code,
        target_kind=payload.target_kind,
        tag=payload.tag,
        deadline=payload.deadline,
        assign_part_time=payload.assign_part_time,
        questions=[actions.QuestionSpec(**q.dict()) for q in payload.questions],
        launch=payload.launch,
    )
    return Status(201, _campaign_detail(request, campaign.pk))


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignDetailOut, 404: ErrorOut},
    summary="One campaign with its form and its figures",
)
def get_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return _campaign_detail(request, campaign_id)


@router.post(
    "/campaigns/{int:campaign_id}/import",
    response={200: CampaignDetailOut, **ERRORS},
    summary="Upload the target list of a draft imported campaign (.xlsx or .csv)",
    description="Columns 姓名/名称, 地址, 电话, 最小单元编码; every row is checked, none stored if "
    "one is wrong.  Replaces a list uploaded before.",
)
def import_targets(
    request: HttpRequest, campaign_id: int, file: File[UploadedFile]
) -> dict[str, Any]:
    campaign = selectors.get_campaign_for_user(request.user, campaign_id)
    try:
        rows = importing.read_list(file, file.name or "")
    except importing.FileProblem as exc:
        raise ApiError(422, "invalid", str(actions.INVALID), {"file": [str(exc)]}) from None
    _call(actions.do_import_targets, campaign, actor=request.user, rows=rows)
    return _campaign_detail(request, campaign.pk)


@router.post(
    "/campaigns/{int:campaign_id}/launch",
    response={200: CampaignDetailOut, **ERRORS},
    summary="Launch: one target per matching record in the area, assigned to grid workers",
)
def launch_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = selectors.get_campaign_for_user(request.user, campaign_id)
    _call(actions.do_launch_campaign, campaign, actor=request.user)
    return _campaign_detail(request, campaign.pk)


@router.post(
    "/campaigns/{int:campaign_id}/close",
    response={200: CampaignDetailOut, **ERRORS},
    summary="End a running campaign",
)
def close_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = selectors.get_campaign_for_user(request.user, campaign_id)
    _call(actions.do_close_campaign, campaign, actor=request.user)
    return _campaign_detail(request, campaign.pk)


@router.get(
    "/campaigns/{int:campaign_id}/progress",
    response={200: ProgressTableOut, 404: ErrorOut},
    summary="Progress per grid, minimal unit or worker (the targets the user sees)",
)
def campaign_progress(
    request: HttpRequest, campaign_id: int, by: ProgressBy | None = None
) -> dict[str, Any]:
    campaign = selectors.get_campaign_for_user(request.user, campaign_id)
    table = selectors.progress(request.user, campaign, by=by or ProgressBy.GRID, now=timezone.now())
    return {
        "by": table.by,
        "rows": [
            {
                "key": None if row.key is None else str(row.key),
                "label": row.label,
                **row.as_dict(),
            }
            for row in table.rows
        ],
        "total": table.total.as_dict(),
    }


@router.get(
    "/campaigns/{int:campaign_id}/targets",
    response=list[TargetOut],
    summary="Targets of a campaign the user sees, in work order",
)
@paginate(Paged)
def list_targets(request: HttpRequest, campaign_id: int, filters: Query[TargetQuery]) -> Any:
    campaign = selectors.get_campaign_for_user(request.user, campaign_id)
    qs = selectors.worker_targets(
        request.user,
        campaign,
        now=timezone.now(),
        status=filters.status or TargetFilter.ALL,
        everyone=not filters.mine,
    ).select_related("assignee", "helper")
    return _TargetPage(qs)


@router.get(
    "/campaigns/targets/{int:target_id}",
    response={200: TargetDetailOut, 404: ErrorOut},
    summary="One target with its contact attempts",
)
def get_target(request: HttpRequest, target_id: int) -> dict[str, Any]:
    user = request.user
    target = selectors.get_target_for_user(user, target_id)
    now = timezone.now()
    place = selectors.place_names([target.region_code]).get(target.region_code, "")
    return {
        **TargetOut.of(target, place, now),
        "attempts": [AttemptOut.of(a) for a in selectors.attempts_of(target)],
        "can_record": selectors.can_record(user, target)
        and target.campaign.state == CampaignState.RUNNING,
    }


@router.post(
    "/campaigns/attempts",
    response={200: AttemptOut, 201: AttemptOut, **ERRORS},
    summary="Record a phone call or visit (idempotent by request_id)",
    description=(
        "The same request_id from the same user stores one attempt: 201 the first time, "
        "200 with the same body after.  A follow-up is scheduled from the outcome unless "
        "follow_up_at is given; answers are checked against the campaign's questions."
    ),
)
def record_attempt(request: HttpRequest, payload: AttemptIn) -> Status[dict[str, Any]]:
    result = _call(
        actions.do_record_attempt,
        actor=request.user,
        request_id=payload.request_id,
        target_id=payload.target_id,
        channel=payload.channel,
        outcome=payload.outcome,
        note=payload.note,
        follow_up_at=payload.follow_up_at,
        answers=payload.answers,
        at=payload.at,
    )
    return Status(201 if result.created else 200, AttemptOut.of(result.attempt))


@router.post(
    "/campaigns/photos",
    response={200: PhotoOut, 201: PhotoOut, **ERRORS},
    summary="Upload a photo answer (JPEG, PNG or WebP); its id is the answer's value",
)
def upload_photo(
    request: HttpRequest, file: File[UploadedFile], request_id: Form[str] = ""
) -> Status[dict[str, Any]]:
    photo, created = _call(
        actions.do_upload_photo, file, actor=request.user, size=file.size, request_id=request_id
    )
    body = {
        "id": photo.pk,
        "width": photo.width,
        "height": photo.height,
        "content_type": photo.content_type,
    }
    return Status(201 if created else 200, body)


@router.get(
    "/campaigns/photos/{int:photo_id}",
    response={200: None, 404: ErrorOut},
    summary="A photo answer (its uploader's until used; then whoever sees the target)",
    openapi_extra={"responses": {200: {"content": {"image/jpeg": {}}, "description": "The photo"}}},
)
def get_photo(request: HttpRequest, photo_id: int) -> Any:
    photo = selectors.get_photo_for_user(request.user, photo_id)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
