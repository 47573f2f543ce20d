"""Notifications (mine) and webhook subscriptions (administrators) under /api/v1/."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.accounts.scope import scope_for
from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.basedata.schemas import ErrorOut
from wangge.events.choices import EventAction
from wangge.notifications import actions, selectors
from wangge.notifications.choices import DeliveryState, NotificationKind
from wangge.notifications.models import Notification, Webhook, WebhookDelivery

router = Router(tags=["notifications"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    except actions.NotificationError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


# --- notifications --------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    kind_label: str
    title: str
    body: str
    link: str
    event_id: int | None
    created_at: datetime
    read_at: datetime | None
    unread: bool

    @staticmethod
    def resolve_kind_label(n: Notification) -> str:
        return str(n.get_kind_display())

    @staticmethod
    def resolve_unread(n: Notification) -> bool:
        return n.read_at is None


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only unread notifications")


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int
    unread: int


@router.get("/notifications", response=list[NotificationOut], summary="My notifications")
@paginate(Paged)
def list_notifications(
    request: HttpRequest, filters: Query[NotificationFilters]
) -> QuerySet[Notification]:
    """The signed-in user's own notifications: unread first, then newest first."""
    return selectors.notifications_for(request.user, unread_only=filters.unread)


@router.get("/notifications/unread-count", response=UnreadOut, summary="Unread count")
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(request.user)}


@router.post(
    "/notifications/read-all", response=MarkedOut, summary="Mark all my notifications read"
)
def read_all(request: HttpRequest) -> dict[str, int]:
    marked = actions.do_mark_all_read(actor=request.user)
    return {"marked": marked, "unread": selectors.unread_count(request.user)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, 404: ErrorOut},
    summary="Mark one notification read",
)
def read_one(request: HttpRequest, notification_id: int) -> Notification:
    found = selectors.notification_for(request.user, notification_id)
    if found is None:
        raise Http404
    return _call(actions.do_mark_read, found, actor=request.user)


# --- webhooks (administrators) ----------------------------------------------------------------


def _admin(request: HttpRequest, *, hide: bool = False) -> None:
    if not scope_for(request.user).is_global:
        if hide:
            raise Http404
        raise ApiError(403, "forbidden", _("Only administrators may manage webhooks."))


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    district_code: str
    actions: list[str]
    is_active: bool
    created_at: datetime

    @staticmethod
    def of(h: Webhook) -> dict[str, Any]:
        return {
            "id": h.pk,
            "name": h.name,
            "url": h.url,
            "district_code": h.district_code,
            "actions": list(h.actions or []),
            "is_active": h.is_active,
            "created_at": h.created_at,
        }


class WebhookSecretOut(WebhookOut):
    secret: str = Field(..., description="The signing secret: shown when created or rotated")


class WebhookIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    url: str = Field(..., min_length=1, max_length=500)
    district_code: str = Field("", max_length=6, description="Empty for every district")
    actions: list[EventAction] = Field(default_factory=list, description="Empty for all")
    request_id: str = Field("", max_length=64, description="Client-generated UUID")


class WebhookPatch(Schema):
    name: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=500)
    district_code: str | None = Field(None, max_length=6)
    actions: list[EventAction] | None = None
    is_active: bool | None = None
    rotate_secret: bool = False


class DeliveryOut(Schema):
    id: str
    action: str
    event_id: int | None
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_id(d: WebhookDelivery) -> str:
        return str(d.uuid)


def _hook(request: HttpRequest, webhook_id: int) -> Webhook:
    _admin(request, hide=True)
    found = Webhook.objects.filter(pk=webhook_id).first()
    if found is None:
        raise Http404
    return found


@router.get("/webhooks", response={200: list[WebhookOut], 403: ErrorOut}, summary="Webhooks")
def list_webhooks(request: HttpRequest) -> list[dict[str, Any]]:
    _admin(request)
    return [WebhookOut.of(h) for h in Webhook.objects.order_by("name", "pk")]


@router.post(
    "/webhooks",
    response={200: WebhookSecretOut, 201: WebhookSecretOut, **ERRORS},
    summary="Subscribe a webhook",
)
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[dict[str, Any]]:
    _admin(request)
    hook, created = _call(
        actions.do_create_webhook,
        actor=request.user,
        name=payload.name,
        url=payload.url,
        district_code=payload.district_code,
        actions=[str(a) for a in payload.actions],
        request_id=payload.request_id,
    )
    return Status(201 if created else 200, {**WebhookOut.of(hook), "secret": hook.secret})


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, 404: ErrorOut})
def get_webhook(request: HttpRequest, webhook_id: int) -> dict[str, Any]:
    return WebhookOut.of(_hook(request, webhook_id))


@router.patch(
    "/webhooks/{webhook_id}",
    response={200: WebhookSecretOut, **ERRORS},
    summary="Change a webhook (or rotate its secret)",
)
def change_webhook(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> dict[str, Any]:
    hook = _call(
        actions.do_change_webhook,
        _hook(request, webhook_id),
        actor=request.user,
        name=payload.name,
        url=payload.url,
        district_code=payload.district_code,
        actions=None if payload.actions is None else [str(a) for a in payload.actions],
        is_active=payload.is_active,
        rotate_secret=payload.rotate_secret,
    )
    return {**WebhookOut.of(hook), "secret": hook.secret if payload.rotate_secret else ""}


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=list[DeliveryOut],
    summary="Recent deliveries of a webhook",
)
@paginate(Paged)
def list_deliveries(request: HttpRequest, webhook_id: int) -> QuerySet[WebhookDelivery]:
    hook = _hook(request, webhook_id)
    return hook.deliveries.order_by("-created_at", "-pk")
