"""The resident portal's pages (mobile web, no app): sign in by SMS, report, follow, rate.

``/portal/login/`` (phone → code), ``/portal/`` (my reports and followed events),
``/portal/report/`` (plain-language choice, words, photos, map pin or "use my
location"; an htmx fragment offers open events of the same kind nearby to join),
``/portal/track/<number>/`` (tracking number, state, the public timeline, the
rating form once closed).  Every page but the login needs the resident role;
another resident's number answers 404 like a missing one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.scope import scope_for
from wangge.arrivals.guard import client_ip
from wangge.events import actions as event_actions
from wangge.events.choices import EventState
from wangge.events.models import Event
from wangge.lib.crypto import mask_phone
from wangge.portal import actions, forms, selectors

BACKEND = "wangge.accounts.backends.RoleBackend"
HOME_LIMIT = 100
#: Form fields of the report page an action's field name is shown under.
REPORT_FIELDS: dict[str, str | None] = {
    "choice": "choice",
    "category": "choice",
    "description": "description",
    "title": "title",
    "address": "address",
    "contact": "contact",
    "reporter_contact": "contact",
    "photos": "photos",
    "attachments": "photos",
    "file": "photos",
    "lng": "location",
    "lat": "location",
    "location": "location",
    "source": None,
    "request_id": None,
}

View = Callable[..., HttpResponse]


def resident_required(view: View) -> View:
    """Signed in (else to the portal's login) and holding the resident role (else 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_resident(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped, login_url="portal:login")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _throttled(
    request: HttpRequest, template: str, context: dict[str, Any], exc: actions.PortalThrottled
) -> HttpResponse:
    response = render(request, template, {**context, "alert": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("portal:home")


# --- sign in by SMS code -------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number (a code is texted); step 2: the code (signed in)."""
    template = "portal/login.html"
    if request.user.is_authenticated and selectors.is_resident(request.user):
        return redirect(_next(request))
    step = request.POST.get("step", "phone") if request.method == "POST" else "phone"
    context: dict[str, Any] = {"next": _next(request) if "next" in request.GET else ""}
    if request.method == "POST":
        context["next"] = request.POST.get("next", "")
    if request.method != "POST":
        context.update(form=forms.PhoneForm(), step="phone")
        return render(request, template, context)
    if step == "code":
        form = forms.CodeForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        context.update(form=form, step="code", masked=mask_phone(data.get("phone", "")))
        try:
            user = actions.do_verify_login_code(data.get("phone", ""), data.get("code", ""))
        except actions.PortalError as exc:
            _add_errors(form, exc.fields, exc.message, {"phone": "phone", "code": "code"})
            return render(request, template, context, status=exc.status)
        login(request, user, backend=BACKEND)
        return redirect(_next(request))
    phone_form = forms.PhoneForm(request.POST)
    phone_form.is_valid()
    phone = phone_form.cleaned_data.get("phone", "")
    try:
        actions.do_send_login_code(phone, ip=client_ip(request))
    except actions.PortalThrottled as exc:
        context.update(form=phone_form, step="phone")
        return _throttled(request, template, context, exc)
    except actions.PortalError as exc:
        _add_errors(phone_form, exc.fields, exc.message, {"phone": "phone"})
        context.update(form=phone_form, step="phone")
        return render(request, template, context, status=exc.status)
    phone = actions.normalise_phone(phone)
    context.update(
        form=forms.CodeForm(initial={"phone": phone}),
        step="code",
        masked=mask_phone(phone),
        sent=True,
    )
    return render(request, template, context)


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:login")


def _add_errors(form: Any, fields: dict[str, str], message: str, names: dict[str, str]) -> None:
    """An action's refusal onto the form: field by field where the form shows it, else on top."""
    for name, text in fields.items():
        target = names.get(name)
        if target and target in form.fields:
            form.add_error(target, text)
        else:
            form.add_error(None, text)
    if not fields:
        form.add_error(None, message)


def _report_errors(fields: dict[str, str], message: str) -> dict[str, list[str]]:
    """An action's refusal by the report page's parts (choice, location, photos…)."""
    errors: dict[str, list[str]] = {}
    for name, text in fields.items():
        target = REPORT_FIELDS.get(name) or "top"
        if text not in errors.get(target, []):
            errors.setdefault(target, []).append(text)
    if not fields:
        errors["top"] = [message]
    return errors


# --- my reports -------------------------------------------------------------------------------


@never_cache
@resident_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    events = list(selectors.resident_events(user)[:HOME_LIMIT])
    own = [e for e in events if e.reporter_id == user.pk]
    followed = [e for e in events if e.reporter_id != user.pk]
    return render(
        request,
        "portal/home.html",
        {
            "own": own,
            "followed": followed,
            "to_rate": [
                e.number for e in own if e.state == EventState.CLOSED and e.visited_at is None
            ],
        },
    )


# --- reporting --------------------------------------------------------------------------------


def _map_code(user: Any) -> str | None:
    districts = [d.code for d in actions.resident_districts()]
    held = scope_for(user).map_roots
    for code in held:
        if code in districts or not districts:
            return code
    return held[0] if held else None


def _report_context(request: HttpRequest, form: forms.ReportForm, **extra: Any) -> dict[str, Any]:
    return {
        "form": form,
        "choices": form.choice_rows,
        "map_code": _map_code(request.user),
        "max_photos": event_actions.MAX_ATTACHMENTS,
        "errors": {},
        **extra,
    }


@never_cache
@resident_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    user = request.user
    template = "portal/report.html"
    choices = selectors.plain_choices()
    phone = actions.phone_of(user)
    if request.method != "POST":
        form = forms.ReportForm(choices=choices, phone=phone)
        return render(request, template, _report_context(request, form))
    form = forms.ReportForm(request.POST, choices=choices, phone=phone)
    form.is_valid()
    photos = [f for f in request.FILES.getlist("photos") if f]
    portal_report = form.report()
    if not portal_report.contact.strip() and phone:
        # The centre can always reach a resident who signed in by SMS.
        portal_report = replace(portal_report, contact=phone)
    try:
        result = actions.do_report(portal_report, actor=user, photos=photos)
    except actions.PortalThrottled as exc:
        return _throttled(request, template, _report_context(request, form), exc)
    except (actions.PortalError, event_actions.EventError) as exc:
        errors = _report_errors(exc.fields, exc.message)
        return render(
            request, template, _report_context(request, form, errors=errors), status=exc.status
        )
    event = result.event
    if result.created:
        messages.success(
            request, _("Reported. Tracking number %(number)s.") % {"number": event.number}
        )
    else:
        messages.info(
            request,
            _("This report was already stored. Tracking number %(number)s.")
            % {"number": event.number},
        )
    return redirect("portal:track", number=event.number)


def _point(request: Any) -> tuple[float, float] | None:
    try:
        lng, lat = float(request.get("lng", "")), float(request.get("lat", ""))
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lng) and math.isfinite(lat)):
        return None
    return lng, lat


def _nearby_for(user: Any, data: Any) -> tuple[str, list[Any], tuple[float, float] | None]:
    category = actions.choice_category(str(data.get("choice", "")))
    point = _point(data)
    if not category or point is None:
        return category, [], point
    return category, selectors.nearby(user, category, point[0], point[1]), point


@resident_required
@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """The htmx fragment under the map: open events of the chosen kind near the pin."""
    _category, found, point = _nearby_for(request.user, request.GET)
    return render(
        request,
        "portal/_nearby.html",
        {
            "nearby": found,
            "point": point,
            "choice": request.GET.get("choice", "")[:20],
            "followed": _followed_numbers(request.user, found),
        },
    )


def _followed_numbers(user: Any, found: list[Any]) -> set[str]:
    numbers = [n.event.number for n in found]
    if not numbers:
        return set()
    mine = selectors.resident_events(user).filter(number__in=numbers)
    return set(mine.values_list("number", flat=True))


@resident_required
@require_POST
def join(request: HttpRequest, number: str) -> HttpResponse:
    """这是同一个问题，我也关注: follow one of the nearby open events offered for this place."""
    _category, found, _point_ = _nearby_for(request.user, request.POST)
    event = next((n.event for n in found if n.event.number == number), None)
    if event is None:
        # Not among the events offered for this kind and place: like a missing one.
        return render(request, "portal/_join_refused.html", status=404)
    try:
        actions.do_join(
            Event.objects.get(pk=event.pk),
            actor=request.user,
        )
    except (actions.PortalError, event_actions.EventError) as exc:
        messages.error(request, exc.message)
        return redirect("portal:report")
    messages.success(request, _("You now follow event %(number)s.") % {"number": event.number})
    target = reverse("portal:track", args=[event.number])
    if _is_htmx(request):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


# --- tracking and rating ------------------------------------------------------------------------


def _track_context(
    request: HttpRequest, event: Event, *, rating: forms.RatingForm | None = None
) -> dict[str, Any]:
    user = request.user
    own = event.reporter_id == user.pk
    can_rate = own and selectors.may_rate(user, event)
    if rating is None and can_rate:
        rating = forms.RatingForm(initial={"version": event.version})
    visit = getattr(event, "return_visit", None) if event.visited_at else None
    return {
        "event": event,
        "own": own,
        "timeline": selectors.public_timeline(event, own=own),
        "rating": rating if can_rate else None,
        "visit": visit,
        "point": f"{event.lng},{event.lat}",
        "is_open": selectors.is_open(event),
        "contact": mask_phone(event.reporter_contact) if own and event.reporter_contact else "",
        "anonymous": bool(getattr(event, "anonymous", False)),
    }


@never_cache
@resident_required
@require_GET
def track(request: HttpRequest, number: str) -> HttpResponse:
    event = selectors.get_tracked_event(request.user, number)
    return render(request, "portal/track.html", _track_context(request, event))


@resident_required
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    event = selectors.get_tracked_event(request.user, number)
    if event.reporter_id != request.user.pk:
        raise PermissionDenied
    form = forms.RatingForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        actions.do_rate(
            event,
            actor=request.user,
            satisfaction=data.get("satisfaction", ""),
            solved=form.solved_value(),
            note=data.get("note") or "",
            version=data.get("version"),
        )
    except event_actions.EventError as exc:
        _add_errors(
            form,
            exc.fields,
            exc.message,
            {"satisfaction": "satisfaction", "solved": "solved", "note": "note"},
        )
        event.refresh_from_db()
        return render(
            request,
            "portal/track.html",
            _track_context(request, event, rating=form),
            status=exc.status,
        )
    messages.success(request, _("Thank you for your rating."))
    return redirect("portal:track", number=event.number)
