"""Refuse API input that holds NUL characters before any view sees it.

PostgreSQL text can neither store nor compare a NUL (``\\x00``): a query filtered by,
or a row saved with, such a string fails with a database error (a 500).  Django's
form fields refuse NULs themselves; django-ninja's schemas do not, so under
``/api/`` a NUL anywhere in the path, the query string, a form body or a JSON body
(``\\u0000``) is answered here with the API's usual 422 ``invalid``.  Uploaded
files (multipart) are not looked at: binary content may hold any byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy

from wangge.web.middleware import chosen_language

PREFIX = "/api/"
MESSAGE = gettext_lazy(
    "The input holds a NUL character (\\0), which is not allowed: remove it and try again."
)


def has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return True
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        return any(
            "\x00" in key or any("\x00" in v for v in values)
            for key, values in request.POST.lists()
        )
    if "json" in content_type:
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PREFIX) and has_nul(request):
            # This runs before the language is chosen: answer in the user's all the same.
            with translation.override(chosen_language(request)):
                message = str(MESSAGE)
            body = {"code": "invalid", "message": message, "fields": {"__all__": [message]}}
            return HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=422,
                content_type="application/json; charset=utf-8",
            )
        return self.get_response(request)
