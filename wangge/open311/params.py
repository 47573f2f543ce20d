"""Parsing the parameters of GeoReport v2 requests (query strings and form bodies)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from wangge.open311.choices import CLOSED, OPEN
from wangge.open311.formats import Error, Open311Error, bad_request
from wangge.open311.selectors import RequestQuery

#: The spec's default and widest window of GET requests, and its most results.
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 200
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
DATE_ONLY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
W3C_DATETIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)


def parse_datetime(value: str) -> datetime:
    """A W3C date-time (``2010-01-01T00:00:00Z``; the time zone is required) or a date
    (``2010-01-01``: its midnight in the server's time zone).  ValueError otherwise."""
    value = value.strip()
    if DATE_ONLY.match(value):
        return timezone.make_aware(datetime.combine(date.fromisoformat(value), time.min))
    if not W3C_DATETIME.match(value):
        raise ValueError(value)
    return datetime.fromisoformat(value)


def format_datetime(value: datetime | None) -> str | None:
    """W3C format with the offset of the server's time zone: 2026-07-01T09:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _comma_list(data: QueryDict, name: str) -> list[str]:
    """``a,b`` or the parameter declared several times, trimmed, empty items dropped."""
    items: list[str] = []
    for value in data.getlist(name):
        items += [v.strip() for v in value.split(",") if v.strip()]
    return list(dict.fromkeys(items))


def request_query(data: QueryDict, *, now: datetime | None = None) -> RequestQuery:
    """The filters of GET requests; 400 (all problems at once) for bad values."""
    now = now or timezone.now()
    errors: list[Error] = []
    ids = _comma_list(data, "service_request_id")
    if len(ids) > MAX_IDS:
        errors.append(
            Error("service_request_id_invalid", f"service_request_id 一次最多 {MAX_IDS} 个")
        )
    codes = _comma_list(data, "service_code")
    statuses = [s.lower() for s in _comma_list(data, "status")]
    wrong = [s for s in statuses if s not in (OPEN, CLOSED)]
    if wrong:
        errors.append(Error("status_invalid", "参数 status 只能是 open、closed（可用逗号分隔）"))
    dates: dict[str, datetime | None] = {}
    for name in ("start_date", "end_date"):
        raw = (data.get(name) or "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = parse_datetime(raw)
                if name == "end_date" and DATE_ONLY.match(raw):
                    # A date alone as the end takes in the whole of that day.
                    dates[name] = parse_datetime(raw) + timedelta(days=1, microseconds=-1)
            except ValueError:
                errors.append(
                    Error(
                        f"{name}_invalid",
                        f"参数 {name} 须为带时区的 W3C 日期时间，如 2026-07-01T00:00:00+08:00",
                    )
                )
    start, end = dates["start_date"], dates["end_date"]
    if start is None and end is None:
        start, end = now - WINDOW, None
    elif start is None and end is not None:
        start = end - WINDOW
    elif start is not None and end is None:
        end = start + WINDOW
    if start is not None and end is not None:
        if end < start:
            errors.append(Error("date_range_invalid", "end_date 不能早于 start_date"))
        elif end - start > WINDOW:
            errors.append(Error("date_range_too_long", "start_date 与 end_date 相隔不能超过 90 天"))
    if errors:
        raise Open311Error(400, errors)
    return RequestQuery(
        ids=ids, codes=codes, start=start, end=end, statuses=statuses, limit=MAX_RESULTS
    )


def submit_params(post: QueryDict, query: QueryDict) -> dict[str, Any]:
    """The POST parameters (form body first, the query string second) and the attributes."""
    merged: dict[str, list[str]] = {}
    for source in (query, post):
        for name in source:
            merged[name] = source.getlist(name)
    attributes: dict[str, list[str]] = {}
    plain: dict[str, str] = {}
    for name, values in merged.items():
        match = ATTRIBUTE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).extend(values)
        elif name.startswith("attribute"):
            raise bad_request(
                "attribute_invalid", f"属性参数格式应为 attribute[code]=value：{name[:40]}"
            )
        else:
            plain[name] = values[-1] if values else ""
    return {"attributes": attributes, **plain}
