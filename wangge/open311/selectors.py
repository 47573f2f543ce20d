"""Reads for Open311: jurisdictions, services, keys and the public view of events.

The GeoReport endpoints are public (no user): what a reader may see is scoped by
the jurisdiction — the events under its district (``prefix_q`` on ``region_code``,
the same range query the user scopes use), minus the private groups
(``conf.private_groups``).  Unknown and out-of-jurisdiction answer alike (404).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from wangge.accounts.scope import prefix_q
from wangge.events.choices import FINAL_STATES, OPEN_STATES, EventAction
from wangge.events.models import Category, Event, EventStep
from wangge.open311 import conf
from wangge.open311.choices import CLOSED, OPEN
from wangge.open311.formats import bad_request, not_found
from wangge.open311.models import ApiKey, ServiceAttribute, ServiceRequest
from wangge.regions.models import Region

DISTRICT_CODE = re.compile(r"^[0-9]{6}$")
#: Timeline steps whose action and note a member of the public may read (status_notes).
PUBLIC_ACTIONS = (
    EventAction.REPORT,
    EventAction.REGISTER,
    EventAction.REJECT,
    EventAction.DISPATCH,
    EventAction.REDISPATCH,
    EventAction.FORCE,
    EventAction.ACCEPT,
    EventAction.SUMMON,
    EventAction.FEEDBACK,
    EventAction.COMPLETE_PART,
    EventAction.VERIFY,
    EventAction.SELF_HANDLE,
    EventAction.ESCALATE,
)
#: Of those, the actions whose note is shown (a reason or a result, not an internal remark).
NOTE_ACTIONS = frozenset(
    {EventAction.REJECT, EventAction.FEEDBACK, EventAction.SELF_HANDLE, EventAction.VERIFY}
)


# --- jurisdictions --------------------------------------------------------------------------


def _district(code: str) -> Region | None:
    return (
        Region.objects.filter(code=code, level="district")
        .only("id", "code", "name", "level")
        .first()
    )


def resolve_jurisdiction(value: str | None, *, default: Region | None = None) -> Region:
    """The district a ``jurisdiction_id`` names: its 6-digit code or a configured alias.

    Without one: ``default`` if given (a POST: the key's district), else the only
    district of the installation; 400 when there are several, 404 when it names none.
    """
    value = (value or "").strip()
    if not value:
        if default is not None:
            return default
        districts = list(
            Region.objects.filter(level="district").only("id", "code", "name", "level")[:2]
        )
        if len(districts) == 1:
            return districts[0]
        raise bad_request(
            "jurisdiction_id_missing",
            "缺少参数 jurisdiction_id（本服务覆盖多个区，请指明区划代码）",
        )
    code = value if DISTRICT_CODE.match(value) else conf.jurisdiction_aliases().get(value.lower())
    district = _district(code) if code else None
    if district is None:
        raise not_found("jurisdiction_id_not_found", f"未找到管辖区 jurisdiction_id={value[:40]}")
    return district


# --- services -------------------------------------------------------------------------------


def services() -> QuerySet[Category]:
    """The active sub-categories, with ``has_attributes`` (GeoReport ``metadata``)."""
    return (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .annotate(
            has_attributes=Exists(
                ServiceAttribute.objects.filter(category_id=OuterRef("code"), is_active=True)
            )
        )
        .order_by("parent__sort_order", "parent__code", "sort_order", "code")
    )


def get_service(code: str) -> Category:
    """An active sub-category by code; 404 otherwise."""
    found = services().filter(code=code.strip()).first() if code.strip() else None
    if found is None:
        raise not_found("service_code_not_found", f"未找到服务类型 service_code={code[:20]}")
    return found


def attributes_of(category: Category) -> list[ServiceAttribute]:
    return list(
        ServiceAttribute.objects.filter(category_id=category.code, is_active=True).order_by(
            "order", "code"
        )
    )


# --- keys -----------------------------------------------------------------------------------


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def key_for(raw: str | None) -> ApiKey | None:
    """The active key (with its user and district) for a clear key, or None."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    return (
        ApiKey.objects.select_related("user", "district")
        .filter(key_hash=hash_key(raw), is_active=True, user__is_active=True)
        .first()
    )


# --- requests (events) as the public sees them ---------------------------------------------


def public_events(district: Region) -> QuerySet[Event]:
    """The events of ``district`` the public may read: never those of the private groups."""
    qs = Event.objects.filter(prefix_q("region_code", [district.code]))
    private = conf.private_groups()
    if private:
        qs = qs.exclude(Q(category__parent__code__in=private) | Q(category__code__in=private))
    return qs


def _with_public_data(qs: QuerySet[Event]) -> QuerySet[Event]:
    latest = (
        EventStep.objects.filter(event=OuterRef("pk"), action__in=PUBLIC_ACTIONS)
        .order_by("-at", "-id")
        .values("pk")[:1]
    )
    return qs.select_related("category__parent", "current_department").annotate(
        public_step_id=Subquery(latest)
    )


@dataclass(frozen=True)
class RequestQuery:
    """The filters of GET requests, parsed."""

    ids: Sequence[str] = ()
    codes: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: Sequence[str] = ()
    limit: int = 1000


def find_requests(district: Region, query: RequestQuery) -> list[Event]:
    """Events matching the GET requests filters, newest first, at most ``query.limit``.

    ``ids`` (event numbers) override every other filter, as the spec says.
    """
    qs = public_events(district)
    if query.ids:
        qs = qs.filter(number__in=list(query.ids))
    else:
        if query.codes:
            qs = qs.filter(category__code__in=list(query.codes))
        if query.start is not None:
            qs = qs.filter(reported_at__gte=query.start)
        if query.end is not None:
            qs = qs.filter(reported_at__lte=query.end)
        states: set[str] = set()
        if OPEN in query.statuses:
            states |= OPEN_STATES
        if CLOSED in query.statuses:
            states |= FINAL_STATES
        if query.statuses:
            qs = qs.filter(state__in=sorted(states))
    return list(_with_public_data(qs).order_by("-reported_at", "-id")[: query.limit])


def get_request(district: Region, number: str) -> Event:
    """One public event of the district by its number; 404 otherwise."""
    found = _with_public_data(public_events(district).filter(number=number.strip())).first()
    if found is None:
        raise not_found(
            "service_request_id_not_found", f"未找到服务请求 service_request_id={number[:30]}"
        )
    return found


def public_steps(events: Iterable[Event]) -> dict[int, EventStep]:
    """The latest public timeline step of each event (annotated by ``_with_public_data``)."""
    ids = [i for i in (getattr(e, "public_step_id", None) for e in events) if i is not None]
    if not ids:
        return {}
    return {s.event_id: s for s in EventStep.objects.filter(pk__in=ids)}


def open311_rows(events: Iterable[Event]) -> dict[int, ServiceRequest]:
    """The Open311 submissions behind events (for their media URL), by event id."""
    ids = [e.pk for e in events]
    if not ids:
        return {}
    return {
        r.event_id: r
        for r in ServiceRequest.objects.filter(event_id__in=ids).only("event_id", "media_url")
    }


def place_names(events: Iterable[Event]) -> dict[str, str]:
    """Names of the units, grids, communities, streets and districts of events (one query)."""
    wanted: set[str] = set()
    for event in events:
        code = event.region_code
        wanted |= {code[:n] for n in (6, 9, 12, 15, 18) if len(code) >= n}
    if not wanted:
        return {}
    return dict(Region.objects.filter(code__in=sorted(wanted)).values_list("code", "name"))


def request_for_token(district: Region, token: str) -> ServiceRequest:
    """The submission a token names, if its event lies in the district; 404 otherwise."""
    token = token.strip()
    found = (
        ServiceRequest.objects.select_related("event")
        .filter(token=token)
        .filter(prefix_q("event__region_code", [district.code]))
        .first()
        if token
        else None
    )
    if found is None:
        raise not_found("token_not_found", f"未找到令牌 token={token[:40]}")
    return found
