"""The suggestion chips (an htmx partial for the event report form)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wangge.triage import selectors


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Chips for ``?text=`` (or ``?description=``, the report form's field name)."""
    if not selectors.can_suggest(request.user):
        raise PermissionDenied
    text = (request.GET.get("text") or request.GET.get("description") or "").strip()[:1000]
    suggestions = selectors.suggest(request.user, text)[1] if text else []
    return render(
        request,
        "triage/_chips.html",
        {"suggestions": suggestions, "target": request.GET.get("target", "id_category")},
    )
