"""The API under /api/v1/: one NinjaAPI, routers from each app."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from wangge.api.auth import BearerAuth, SessionAuth
from wangge.api.errors import ApiError


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Chinese text as is, not as ``\\uXXXX`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="wangge API",
    version="1",
    description="网格化服务管理平台 API。所有列表与详情均按用户在层级中的位置过滤。",
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found, or you may not see it."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Please sign in (with a valid token)."))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        parts = [str(part) for part in err.get("loc", [])]
        # The first part says where the value came from (body, query, form, file…).
        if parts and parts[0] in _SOURCES:
            parts = parts[1:]
        loc = [part for part in parts if part not in ("body", "query", "path", "payload")]
        name = ".".join(loc) or "__all__"
        fields.setdefault(name, []).append(_message(err))
    return _error(request, 422, "invalid", _("Invalid input: please check the fields."), fields)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A number or text the database cannot hold (an id beyond 64 bits, a too long value
    under PostgreSQL) is the caller's input, not a server fault: 422, logged for a fix."""
    logging.getLogger("wangge.api").warning("input out of range: %s %s", request.path, exc)
    return _error(
        request, 422, "invalid", _("Input out of the allowed range: please check the fields.")
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))


_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})

#: Schema errors in the user's language (pydantic's own wording for the other kinds).
_MESSAGES: dict[str, Promise] = {
    "missing": gettext_lazy("Required"),
    "float_parsing": gettext_lazy("Must be a number."),
    "int_parsing": gettext_lazy("Must be a whole number."),
    "string_too_short": gettext_lazy("Too short."),
    "string_too_long": gettext_lazy("Too long."),
    "greater_than_equal": gettext_lazy("Too small."),
    "less_than_equal": gettext_lazy("Too large."),
    "finite_number": gettext_lazy("Must be a finite number."),
    "string_pattern_mismatch": gettext_lazy("Wrong format."),
    "enum": gettext_lazy("Not an allowed value."),
    "literal_error": gettext_lazy("Not an allowed value."),
    "json_invalid": gettext_lazy("Not valid JSON."),
}


def _message(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    message = _MESSAGES.get(kind)
    if message is None:
        return str(err.get("msg", _("Invalid.")))
    ctx = err.get("ctx") or {}
    if kind == "greater_than_equal" and "ge" in ctx:
        return _("Must be at least %(limit)s.") % {"limit": ctx["ge"]}
    if kind == "less_than_equal" and "le" in ctx:
        return _("Must be at most %(limit)s.") % {"limit": ctx["le"]}
    if kind in ("enum", "literal_error") and "expected" in ctx:
        # pydantic says "'a', 'b' or 'c'"
        choices = str(ctx["expected"]).replace("'", "").replace(" or ", ", ").split(", ")
        return _("Must be one of %(choices)s.") % {
            "choices": pgettext("list separator", ", ").join(choices)
        }
    return str(message)


def _register_routers() -> None:
    from wangge.accounts.api import router as accounts_router
    from wangge.events.api import router as events_router
    from wangge.regions.api import router as regions_router

    api.add_router("", accounts_router)
    api.add_router("", regions_router)
    api.add_router("", events_router)
    from wangge.people.api import router as people_router
    from wangge.places.api import router as places_router

    api.add_router("", people_router)
    api.add_router("", places_router)
    from wangge.assets.api import router as assets_router
    from wangge.basedata.api import router as basedata_router
    from wangge.organisations.api import router as organisations_router

    api.add_router("", assets_router)
    api.add_router("", organisations_router)
    api.add_router("", basedata_router)
    from wangge.ledgers.api import router as ledgers_router

    api.add_router("", ledgers_router)
    from wangge.campaigns.api import router as campaigns_router

    api.add_router("", campaigns_router)
    from wangge.arrivals.api import router as arrivals_router

    api.add_router("", arrivals_router)
    from wangge.care.api import router as care_router

    api.add_router("", care_router)
    from wangge.emergency.api import router as emergency_router

    api.add_router("", emergency_router)
    from wangge.inspections.api import router as inspections_router

    api.add_router("", inspections_router)
    from wangge.fieldwork.api import router as fieldwork_router

    api.add_router("", fieldwork_router)
    api.add_router("", "wangge.dashboards.api.router")
    from wangge.maps.api import router as maps_router

    api.add_router("", maps_router)
    api.add_router("", "wangge.notifications.api.router")
    api.add_router("", "wangge.workforce.api.router")
    api.add_router("", "wangge.triage.api.router")
    api.add_router("", "wangge.reports.api.router")
    api.add_router("", "wangge.suggestions.api.router")


_register_routers()
