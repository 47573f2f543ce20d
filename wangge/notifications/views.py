"""The notifications page (mobile first): mine, unread first; open one, or mark all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from wangge.notifications import actions, selectors

PAGE_SIZE = 20


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then go where the notification points (the event)."""
    found = selectors.notification_for(request.user, pk)
    if found is None:
        raise Http404
    actions.do_mark_read(found, actor=request.user)
    if found.link and url_has_allowed_host_and_scheme(found.link, allowed_hosts=None):
        return HttpResponseRedirect(found.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    actions.do_mark_all_read(actor=request.user)
    return redirect("notifications:list")
