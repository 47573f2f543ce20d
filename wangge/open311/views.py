"""The GeoReport v2 endpoints under ``/open311/v2/`` (see docs/open311.md).

Every resource takes a format suffix, ``.xml`` (the spec's required format) or
``.json``.  Each view parses, resolves the jurisdiction, calls one selector or
action and answers in the format asked for; every refusal is an ``errors``
answer in that format (XML when the format itself is unknown) with the HTTP
status the spec names: 400 bad or missing parameter, 403 bad ``api_key``,
404 unknown resource, 429 (with ``Retry-After``) past the rate limits (reads per address,
POSTs per address and per key).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from wangge.arrivals import guard
from wangge.arrivals.conf import Rate
from wangge.lib.language import data_language
from wangge.open311 import actions, answers, conf, selectors
from wangge.open311.formats import (
    FORMATS,
    MIME_TYPES,
    XML,
    Error,
    Open311Error,
    bad_request,
    error_response,
    forbidden,
    not_found,
    respond,
)
from wangge.open311.params import request_query, submit_params

View = Callable[..., HttpResponse]


def georeport(*methods: str) -> Callable[[View], View]:
    """Check the format and the method; answer Open311Error in the format asked for."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            # The callers are other systems: the answers (state labels, units…) are in the
            # installation's language whatever language cookie comes with the request.
            with data_language():
                return answer(request, *args, fmt=fmt, **kwargs)

        def answer(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return error_response(
                    XML,
                    not_found(
                        "format_not_supported", f"不支持的格式 .{fmt[:10]}：请用 .xml 或 .json"
                    ),
                )
            if request.method not in methods:
                response = error_response(
                    fmt,
                    Open311Error(
                        405, [Error("method_not_allowed", f"该资源不支持 {request.method} 请求")]
                    ),
                )
                response["Allow"] = ", ".join(methods)
                return response
            if _has_nul(request, kwargs):
                # PostgreSQL can neither store nor compare text holding NUL.
                return error_response(
                    fmt, bad_request("parameter_invalid", "参数含有不允许的空字符（\\0）")
                )
            try:
                if request.method == "GET":
                    _throttle("open311-read", guard.client_ip(request), conf.read_rate())
                return view(request, *args, fmt=fmt, **kwargs)
            except Throttled as exc:
                response = error_response(fmt, exc)
                response["Retry-After"] = str(exc.retry_after)
                return response
            except Open311Error as exc:
                return error_response(fmt, exc)

        return wrapper

    return decorate


def _has_nul(request: HttpRequest, kwargs: dict[str, Any]) -> bool:
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return True
    return any("\x00" in str(v) for v in kwargs.values())


@georeport("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
    return respond(
        fmt,
        "discovery",
        {
            "changeset": conf.CHANGESET,
            "contact": conf.contact(),
            "key_service": conf.key_service(),
            "endpoints": [
                {
                    "specification": answers.GEOREPORT_SPEC,
                    "url": base,
                    "changeset": conf.CHANGESET,
                    "type": "production",
                    "formats": list(MIME_TYPES),
                }
            ],
        },
    )


@georeport("GET")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    selectors.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    return respond(fmt, "services", [answers.service(c) for c in selectors.services()])


@georeport("GET")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    selectors.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    category = selectors.get_service(code)
    return respond(
        fmt, "service_definition", answers.definition(category, selectors.attributes_of(category))
    )


@csrf_exempt
@georeport("GET", "POST")
def service_requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    district = selectors.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    events = selectors.find_requests(district, request_query(request.GET))
    return respond(fmt, "service_requests", answers.requests(events))


def _throttle(kind: str, value: str, rate: Rate) -> None:
    """Take a token of the bucket (committed at once: every attempt counts); 429 when empty."""
    try:
        guard.take(kind, value, rate)
    except guard.Throttled as exc:
        raise Throttled(exc.message, exc.retry_after) from None


class Throttled(Open311Error):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(429, [Error("rate_limited", message)])
        self.retry_after = retry_after


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        return _submit(request, fmt)
    except Throttled as exc:
        response = error_response(fmt, exc)
        response["Retry-After"] = str(exc.retry_after)
        return response


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    _throttle("open311-ip", guard.client_ip(request), conf.ip_rate())
    params = submit_params(request.POST, request.GET)
    raw_key = str(params.pop("api_key", "") or "")
    jurisdiction = str(params.pop("jurisdiction_id", "") or "")
    district = selectors.resolve_jurisdiction(jurisdiction) if jurisdiction.strip() else None
    key = selectors.key_for(raw_key)
    if key is None:
        if not raw_key.strip():
            raise forbidden("api_key_missing", "缺少参数 api_key（接口密钥）")
        raise forbidden("api_key_invalid", "接口密钥无效或已停用")
    _throttle("open311-key", key.key_hash, conf.key_rate())
    fields = {name: str(params.get(name, "") or "") for name in _SUBMIT_FIELDS}
    data = actions.SubmitInput(attributes=params["attributes"], **fields)
    result = actions.do_submit_request(key, data, district=district)
    return respond(
        fmt,
        "service_requests",
        [answers.created(result.request)],
        status=201 if result.created else 200,
    )


_SUBMIT_FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "request_id",
)


@georeport("GET")
def service_request(request: HttpRequest, number: str, *, fmt: str) -> HttpResponse:
    district = selectors.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    event = selectors.get_request(district, number)
    return respond(fmt, "service_requests", answers.requests([event]))


@georeport("GET")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    district = selectors.resolve_jurisdiction(request.GET.get("jurisdiction_id"))
    found = selectors.request_for_token(district, token)
    return respond(
        fmt,
        "service_requests",
        [{"service_request_id": found.event.number, "token": found.token}],
    )


@csrf_exempt
def unknown(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in the spec's error format (XML)."""
    return error_response(XML, not_found("resource_not_found", "没有这个资源"))
