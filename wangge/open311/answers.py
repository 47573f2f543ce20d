"""The GeoReport v2 elements built from our rows: services, definitions, requests.

Public answers carry no personal data: never the reporter, their contact, the
Open311 submitter's name, e-mail, phone, account or device; the point is rounded
(``conf.coordinate_decimals``) and events of the private groups are not listed at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wangge.events.choices import EventState, TimeUnit
from wangge.events.models import Category, Event, EventStep
from wangge.open311 import conf, selectors
from wangge.open311.choices import LIST_TYPES, status_of
from wangge.open311.models import ServiceAttribute, ServiceRequest
from wangge.open311.params import format_datetime

MAX_NOTE = 200
GEOREPORT_SPEC = "http://wiki.open311.org/GeoReport_v2"


def _unit(unit: str) -> str:
    return str(TimeUnit(unit).label) if unit in TimeUnit.values else unit


def keywords(category: Category) -> str:
    words = [w.strip() for w in category.name.replace("、", "/").split("/") if w.strip()]
    if category.parent is not None:
        words.append(category.parent.name)
    return ", ".join(dict.fromkeys(words))


def service_notice(category: Category) -> str:
    notice = (
        f"{category.accept_limit}{_unit(category.accept_unit)}内受理，"
        f"{category.handle_limit}{_unit(category.handle_unit)}内处置"
    )
    if category.close_condition:
        notice += f"；办结标准：{category.close_condition}"
    return notice


def service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.register_condition or category.name,
        "metadata": bool(getattr(category, "has_attributes", False)),
        "type": "realtime",
        "keywords": keywords(category),
        "group": category.parent.name if category.parent is not None else "",
    }


def attribute(attr: ServiceAttribute) -> dict[str, Any]:
    item: dict[str, Any] = {
        "variable": attr.variable,
        "code": attr.code,
        "datatype": attr.datatype,
        "required": attr.required,
        "datatype_description": attr.datatype_description or None,
        "order": attr.order,
        "description": attr.description,
    }
    if attr.datatype in LIST_TYPES:
        item["values"] = [
            {"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
            for v in attr.values
            if isinstance(v, dict)
        ]
    return item


def definition(category: Category, attrs: list[ServiceAttribute]) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": [attribute(a) for a in attrs]}


def status_notes(event: Event, step: EventStep | None) -> str:
    """Where the event stands, with the reason or result of its latest public step:
    ``已派遣``, ``不予立案：重复上报``, ``已结案：井盖已更换``."""
    text = str(EventState(event.state).label) if event.state in EventState.values else event.state
    if step is not None and step.action in selectors.NOTE_ACTIONS and step.note.strip():
        text = f"{text}：{step.note.strip()[:MAX_NOTE]}"
    return text


def _round(value: float) -> float:
    return round(value, conf.coordinate_decimals())


def _address(event: Event, names: dict[str, str]) -> str:
    code = event.region_code
    areas = [names[code[:n]] for n in (15, 12, 9, 6) if code[:n] in names]
    parts = [event.address.strip()] if event.address.strip() else []
    return ", ".join(parts + areas)


def request(
    event: Event,
    step: EventStep | None,
    submission: ServiceRequest | None,
    names: dict[str, str],
) -> dict[str, Any]:
    """One ``request`` of GET requests: the public facts of an event."""
    category = event.category
    closed = status_of(event.state) == "closed"
    updated = (event.closed_at or event.updated_at) if closed else event.updated_at
    return {
        "service_request_id": event.number,
        "status": status_of(event.state),
        "status_notes": status_notes(event, step),
        "service_name": category.name,
        "service_code": category.code,
        "description": event.description,
        "agency_responsible": event.current_department.name if event.current_department else None,
        "service_notice": service_notice(category),
        "requested_datetime": format_datetime(event.reported_at),
        "updated_datetime": format_datetime(updated),
        "expected_datetime": format_datetime(event.handle_due),
        "address": _address(event, names) or None,
        "address_id": None,
        "zipcode": None,
        "lat": _round(event.lat),
        "long": _round(event.lng),
        "media_url": (submission.media_url or None) if submission is not None else None,
    }


def requests(events: Iterable[Event]) -> list[dict[str, Any]]:
    events = list(events)
    steps = selectors.public_steps(events)
    submissions = selectors.open311_rows(events)
    names = selectors.place_names(events)
    return [request(e, steps.get(e.pk), submissions.get(e.pk), names) for e in events]


def created(submission: ServiceRequest) -> dict[str, Any]:
    """The answer to POST requests: we create at once, so both the id and the token."""
    return {
        "service_request_id": submission.event.number,
        "token": submission.token,
        "service_notice": service_notice(submission.event.category),
        "account_id": submission.account_id or None,
    }
