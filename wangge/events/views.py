"""The event pages: command-centre queue, department inbox, "my events", reporting, one event.

Views are thin: they parse a form, find the event through ``wangge.events.selectors``
(out of scope answers 404 like a missing event), call one action from
``wangge.events.actions`` and render.  An action's refusal comes back field by
field in Chinese; a conflict (somebody else moved the event first) says so.
Every page works without JavaScript; htmx swaps the parts that change.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.scope import scope_for
from wangge.events import actions, attachments, forms, selectors
from wangge.events.api import PUBLIC_ACTOR, mask_contact
from wangge.events.choices import (
    OPEN_STATES,
    EventAction,
    EventState,
    HandlingLevel,
    Satisfaction,
    TimeUnit,
)
from wangge.events.models import Event, EventStep

PAGE_SIZE = 20
VERIFY_LIMIT = 50
BULK_LIMIT = 100
OVERVIEW_LIMIT = 5


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request: HttpRequest) -> str | None:
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None


def _page(request: HttpRequest, qs: QuerySet[Event]) -> Page[Event]:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@dataclass
class Row:
    """One event in a list, with what the list needs beside it."""

    event: Event
    grid_name: str
    selectable: bool = False
    can_accept: bool = False
    can_send_back: bool = False


def _rows(user: Any, events: list[Event], *, inbox: bool = False) -> list[Row]:
    names = selectors.grid_names(e.grid_code for e in events)
    rows = []
    for e in events:
        row = Row(e, names.get(e.grid_code, e.grid_code))
        if e.state == EventState.REGISTERED and not inbox:
            row.selectable = selectors.may(user, EventAction.DISPATCH, e)
        if inbox and e.state == EventState.DISPATCHED:
            row.can_accept = selectors.may(user, EventAction.ACCEPT, e)
            row.can_send_back = selectors.may(user, EventAction.SEND_BACK, e)
        rows.append(row)
    return rows


def _list_qs(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("category__parent", "current_department")


# --- the command-centre queue ---------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """/events/: the list the user works from — the command queue, a department's inbox,
    or "my events"."""
    user = request.user
    if selectors.can_use_queue(user):
        return redirect("events:queue")
    if selectors.can_use_inbox(user):
        return redirect("events:inbox")
    return redirect("events:mine")


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Events under the user's command: filter, page, and dispatch several at once."""
    user = request.user
    if not selectors.can_use_queue(user):
        raise PermissionDenied
    filters = forms.QueueFilterForm(request.GET, areas=selectors.queue_area_choices(user))
    qs = selectors.event_queue(user, **filters.selection())
    page = _page(request, _list_qs(qs).order_by("-overdue", "-reported_at", "-id"))
    rows = _rows(user, list(page.object_list))
    context = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "selectable": any(r.selectable for r in rows),
        "bulk": forms.BulkDispatchForm(departments=_bulk_departments(user)),
        "here": request.get_full_path(),
        "can_report": selectors.can_report(user),
    }
    if _is_htmx(request):
        return render(request, "events/queue.html#queue-list", context)
    return render(request, "events/queue.html", context)


def _bulk_departments(user: Any) -> list[tuple[str, str]]:
    roots = selectors.queue_roots(user)
    districts = {root[:6] for root in roots} if roots is not None else None
    if districts is None:
        scope_districts = selectors.queue_area_choices(user)
        districts = {code for code, _name, level in scope_districts if level == "district"}
    seen: dict[str, str] = {}
    for d in selectors.departments_for_districts(sorted(districts)):
        seen.setdefault(d.code, d.name)
    return list(seen.items())


@login_required
@require_POST
def queue_dispatch(request: HttpRequest) -> HttpResponse:
    """派遣 each selected registered event; report how each one went."""
    user = request.user
    if not selectors.can_use_queue(user):
        raise PermissionDenied
    form = forms.BulkDispatchForm(request.POST, departments=_bulk_departments(user))
    back = _safe_next(request) or reverse("events:queue")
    if not form.is_valid() or not form.cleaned_data["ids"]:
        messages.error(request, _("Select the events to dispatch."))
        return redirect(back)
    department = form.cleaned_data["department"] or None
    results: list[tuple[bool, str]] = []
    for pk in form.cleaned_data["ids"][:BULK_LIMIT]:
        try:
            event = selectors.get_event_for_user(user, pk)
        except Http404:
            results.append(
                (False, _("Event %(id)s: not found, or outside your area.") % {"id": pk})
            )
            continue
        try:
            actions.do_dispatch_event(event, actor=user, department=department)
        except actions.EventError as exc:
            reason = exc.fields.get("department") or exc.message
            results.append((False, f"{event.number} {event.title}：{reason}"))
        else:
            dept = event.current_department.name if event.current_department else ""
            text = _("%(number)s %(title)s: dispatched to %(department)s.")
            results.append(
                (True, text % {"number": event.number, "title": event.title, "department": dept})
            )
    done = sum(1 for ok, _text in results if ok)
    failed = len(results) - done
    summary = _("Dispatched %(done)d, failed %(failed)d.") % {"done": done, "failed": failed}
    (messages.success if not failed else messages.warning)(request, summary)
    for ok, text in results:
        (messages.success if ok else messages.error)(request, text)
    return redirect(back)


# --- the department inbox -------------------------------------------------------------


def _inbox_order(qs: QuerySet[Event]) -> QuerySet[Event]:
    rank = Case(
        When(state=EventState.DISPATCHED, then=Value(0)),
        When(state=EventState.JOINT, then=Value(1)),
        When(state=EventState.HANDLING, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank).order_by(
        "rank",
        "-overdue",
        F("accept_due").asc(nulls_last=True),
        F("handle_due").asc(nulls_last=True),
        "-reported_at",
        "-id",
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """What was dispatched to the user's departments (and summoned parts): accept or send back."""
    user = request.user
    if not selectors.can_use_inbox(user):
        raise PermissionDenied
    show_all = request.GET.get("show") == "all"
    qs = _inbox_order(_list_qs(selectors.inbox_events(user, pending_only=not show_all)))
    page = _page(request, qs)
    context = {
        "page": page,
        "rows": _rows(user, list(page.object_list), inbox=True),
        "show_all": show_all,
        "counts": selectors.inbox_counts(user),
        "here": request.get_full_path(),
    }
    if _is_htmx(request):
        return render(request, "events/inbox.html#inbox-list", context)
    return render(request, "events/inbox.html", context)


# --- "my events" and reporting ----------------------------------------------------------


def _open_first(qs: QuerySet[Event]) -> QuerySet[Event]:
    rank = Case(
        When(state__in=list(OPEN_STATES), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.annotate(closed_rank=rank).order_by("closed_rank", "-reported_at", "-id")


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A grid worker's events: waiting for my verification first, then my grid and my reports."""
    user = request.user
    verify = list(
        _list_qs(selectors.waiting_for_verification(user)).order_by("handled_at", "id")[
            :VERIFY_LIMIT
        ]
    )
    rest = _open_first(_list_qs(selectors.my_events(user)).exclude(pk__in=[e.pk for e in verify]))
    page = _page(request, rest)
    context = {
        "verify_rows": _rows(user, verify),
        "page": page,
        "rows": _rows(user, list(page.object_list)),
        "can_report": selectors.can_report(user),
    }
    if _is_htmx(request):
        return render(request, "events/mine.html#mine-list", context)
    return render(request, "events/mine.html", context)


#: What an empty field means, where it reads better than the action's general message.
MISSING = {
    "category": gettext_lazy("Choose a category."),
    "lng": gettext_lazy("Pick the place on the map, or use your location."),
}


def _report_map_code(user: Any) -> str | None:
    scope = scope_for(user)
    roots = scope.roots_with("events.report_event") or scope.node_roots or scope.map_roots
    return roots[0] if roots else None


def _report_photos(photo: Any, user: Any, request_id: str) -> list[int]:
    """The report form's photo stored first (``[]`` without one), like the phone's outbox does.

    Its request id is the form's and the photo's digest: the same form sent twice
    stores the photo once, another photo chosen after a refusal is stored anew.
    """
    if not photo:
        return []
    digest = hashlib.sha256()
    for chunk in photo.chunks():
        digest.update(chunk)
    photo.seek(0)
    photo_request_id = f"{request_id[:40]}-photo-{digest.hexdigest()[:16]}" if request_id else None
    stored = attachments.store_attachment(
        photo, actor=user, size=photo.size, request_id=photo_request_id
    )
    return [stored.attachment.pk]


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """上报: category, what, where (map pin or the phone's location); stored once per form."""
    user = request.user
    if not selectors.can_report(user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = forms.ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            lng, lat = data.get("lng"), data.get("lat")
            try:
                photos = _report_photos(data["photo"], user, data["request_id"])
                result = actions.do_report_event(
                    actor=user,
                    category=data["category"],
                    description=data["description"],
                    lng=lng if lng is not None else math.nan,
                    lat=lat if lat is not None else math.nan,
                    title=data["title"],
                    address=data["address"],
                    reporter_contact=data["reporter_contact"],
                    request_id=data["request_id"] or None,
                    attachments=photos,
                    anonymous=bool(data.get("anonymous")),
                )
            except actions.EventError as exc:
                fields = dict(exc.fields)
                if "file" in fields:
                    fields["photo"] = fields.pop("file")
                if not data["category"] and "category" in fields:
                    fields["category"] = str(MISSING["category"])
                if (lng is None or lat is None) and "lng" in fields:
                    fields["lng"] = str(MISSING["lng"])
                if fields.get("lat") == fields.get("lng"):
                    fields.pop("lat", None)  # one place, one message
                _add_errors(form, fields, exc.message)
                status = exc.status
            else:
                event = result.event
                if result.created:
                    text = _("Reported. Tracking number %(number)s.")
                else:
                    text = _("This report was already stored. Tracking number %(number)s.")
                messages.success(request, text % {"number": event.number})
                return redirect("events:detail", pk=event.pk)
        else:
            status = 422
    else:
        form = forms.ReportForm()
    number = {"number": "{number}"}  # filled in by the phone's outbox from the API's answer
    return render(
        request,
        "events/new.html",
        {
            "form": form,
            "map_code": _report_map_code(user),
            "outbox_done": _("Reported. Tracking number %(number)s.") % number,
            "outbox_again": _("This report was already stored. Tracking number %(number)s.")
            % number,
        },
        status=status,
    )


# --- one event --------------------------------------------------------------------------


Runner = Callable[[Event, Any, Any], object]


@dataclass(frozen=True)
class ActionSpec:
    """An action offered on the event page: its form and how the form calls the action."""

    action: str
    slug: str
    form: type[forms.EventActionForm]
    run: Runner
    tone: str = "default"  # primary | default | danger
    #: ``(field, [(value, label, tone)])``: the form ends with one submit button per value.
    buttons: tuple[str, tuple[tuple[str, Promise, str], ...]] | None = None


def _cd(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = form.cleaned_data
    return data


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        EventAction.REGISTER,
        "register",
        forms.RegisterForm,
        lambda e, u, f: actions.do_register_event(
            e,
            actor=u,
            category=_cd(f)["category"] or None,
            note=_cd(f)["note"],
            version=f.seen_version(),
        ),
        tone="primary",
    ),
    ActionSpec(
        EventAction.DISPATCH,
        "dispatch",
        forms.DispatchForm,
        lambda e, u, f: actions.do_dispatch_event(
            e,
            actor=u,
            department=_cd(f)["department"] or None,
            note=_cd(f)["note"],
            version=f.seen_version(),
        ),
        tone="primary",
    ),
    ActionSpec(
        EventAction.ACCEPT,
        "accept",
        forms.NoteForm,
        lambda e, u, f: actions.do_accept_event(
            e, actor=u, note=_cd(f)["note"], version=f.seen_version()
        ),
        tone="primary",
    ),
    ActionSpec(
        EventAction.FEEDBACK,
        "feedback",
        forms.RequiredNoteForm,
        lambda e, u, f: actions.do_feedback_event(
            e, actor=u, note=_cd(f)["note"], version=f.seen_version()
        ),
        tone="primary",
    ),
    ActionSpec(
        EventAction.VERIFY,
        "verify",
        forms.VerifyForm,
        lambda e, u, f: actions.do_verify_event(
            e, actor=u, passed=_cd(f)["passed"], note=_cd(f)["note"], version=f.seen_version()
        ),
        tone="primary",
        buttons=(
            "passed",
            (
                ("1", gettext_lazy("Passed: close"), "primary"),
                ("0", gettext_lazy("Not passed: rework"), "danger"),
            ),
        ),
    ),
    ActionSpec(
        EventAction.SELF_HANDLE,
        "self-handle",
        forms.NoteForm,
        lambda e, u, f: actions.do_self_handle_event(
            e, actor=u, note=_cd(f)["note"], version=f.seen_version()
        ),
    ),
    ActionSpec(
        EventAction.REPORT_IN,
        "report-in",
        forms.PartForm,
        lambda e, u, f: actions.do_report_in_event(
            e, actor=u, department=_cd(f)["department"] or None, note=_cd(f)["note"]
        ),
        tone="primary",
    ),
    ActionSpec(
        EventAction.COMPLETE_PART,
        "complete-part",
        forms.CompletePartForm,
        lambda e, u, f: actions.do_complete_part_event(
            e, actor=u, department=_cd(f)["department"] or None, note=_cd(f)["note"]
        ),
        tone="primary",
    ),
    ActionSpec(
        EventAction.REDISPATCH,
        "redispatch",
        forms.DispatchForm,
        lambda e, u, f: actions.do_redispatch_event(
            e,
            actor=u,
            department=_cd(f)["department"] or None,
            note=_cd(f)["note"],
            version=f.seen_version(),
        ),
        tone="primary",
    ),
    ActionSpec(
        EventAction.FORCE,
        "force",
        forms.ForceForm,
        lambda e, u, f: actions.do_force_event(
            e,
            actor=u,
            reason=_cd(f)["reason"],
            department=_cd(f)["department"] or None,
            version=f.seen_version(),
        ),
    ),
    ActionSpec(
        EventAction.DECIDE_EXTENSION,
        "decide-extension",
        forms.DecideExtensionForm,
        lambda e, u, f: actions.do_decide_extension(
            e,
            actor=u,
            extension_id=_cd(f)["extension_id"] or 0,
            approve=_cd(f)["approve"],
            note=_cd(f)["note"],
            version=f.seen_version(),
        ),
        buttons=(
            "approve",
            (
                ("1", gettext_lazy("Grant"), "primary"),
                ("0", gettext_lazy("Refuse"), "danger"),
            ),
        ),
    ),
    ActionSpec(
        EventAction.REQUEST_EXTENSION,
        "request-extension",
        forms.ExtensionForm,
        lambda e, u, f: actions.do_request_extension(
            e,
            actor=u,
            amount=_cd(f)["amount"] or 0,
            unit=_cd(f)["unit"] or None,
            reason=_cd(f)["reason"],
            version=f.seen_version(),
        ),
    ),
    ActionSpec(
        EventAction.SEND_BACK,
        "send-back",
        forms.ReasonForm,
        lambda e, u, f: actions.do_send_back_event(
            e, actor=u, reason=_cd(f)["reason"], version=f.seen_version()
        ),
        tone="danger",
    ),
    ActionSpec(
        EventAction.SUMMON,
        "summon",
        forms.SummonForm,
        lambda e, u, f: actions.do_summon_event(
            e,
            actor=u,
            departments=_cd(f)["departments"],
            note=_cd(f)["note"],
            version=f.seen_version(),
        ),
    ),
    ActionSpec(
        EventAction.RETURN_VISIT,
        "return-visit",
        forms.ReturnVisitForm,
        lambda e, u, f: actions.do_return_visit_event(
            e,
            actor=u,
            contacted=_cd(f)["contacted"],
            solved=_cd(f)["solved"],
            satisfaction=_cd(f)["satisfaction"] or None,
            note=_cd(f)["note"],
            version=f.seen_version(),
        ),
        tone="primary",
    ),
    ActionSpec(
        EventAction.SUPERVISE,
        "supervise",
        forms.SuperviseForm,
        lambda e, u, f: actions.do_supervise_event(
            e, actor=u, note=_cd(f)["note"], version=f.seen_version()
        ),
    ),
    ActionSpec(
        EventAction.ESCALATE,
        "escalate",
        forms.ReasonForm,
        lambda e, u, f: actions.do_escalate_event(
            e, actor=u, reason=_cd(f)["reason"], version=f.seen_version()
        ),
    ),
    ActionSpec(
        EventAction.REJECT,
        "reject",
        forms.RejectForm,
        lambda e, u, f: actions.do_reject_event(
            e,
            actor=u,
            reason=_cd(f)["reason"],
            duplicate_of=f.duplicate_id(),
            version=f.seen_version(),
        ),
        tone="danger",
    ),
)
SPECS_BY_SLUG = {spec.slug: spec for spec in SPECS}

#: Shown when the event moved on since the page was loaded.
STALE = gettext_lazy(
    "This event has already been handled by someone else. Please refresh the page and try again."
)


@dataclass
class Panel:
    spec: ActionSpec
    form: forms.EventActionForm
    open: bool = False

    @property
    def label(self) -> str:
        return str(EventAction(self.spec.action).label)

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def button_field(self) -> str:
        return self.spec.buttons[0] if self.spec.buttons else ""


def _auto_id(spec: ActionSpec) -> str:
    """Field ids unique on a page that holds several action forms."""
    return f"{spec.slug}-%s"


def _panels(
    user: Any, event: Event, bound: tuple[str, forms.EventActionForm] | None = None
) -> list[Panel]:
    available = set(selectors.available_actions(user, event))
    panels = []
    for spec in SPECS:
        if spec.action not in available:
            continue
        if bound is not None and bound[0] == spec.slug:
            panels.append(Panel(spec, bound[1], open=True))
            continue
        form = spec.form(event=event, user=user, auto_id=_auto_id(spec))
        if form.relevant():
            panels.append(Panel(spec, form))
    return panels


def _add_errors(form: Any, fields: dict[str, str], message: str) -> None:
    """An action's refusal onto the form: by field where the form shows it, else on top."""
    shown = {name for name, field in form.fields.items() if not field.widget.is_hidden}
    placed = False
    for name, text in fields.items():
        if name in shown:
            form.add_error(name, text)
            placed = True
        else:
            form.add_error(None, text)
    if not placed and not fields:
        form.add_error(None, message)


def _step_detail(step: EventStep, departments: dict[str, str]) -> str:
    """What a timeline step did beyond its state change, in words."""
    data = step.data or {}
    action = step.action

    def dept(code: Any) -> str:
        return departments.get(str(code), str(code))

    if action in (EventAction.DISPATCH, EventAction.REDISPATCH, EventAction.FORCE):
        if data.get("department"):
            return _("To %(department)s") % {"department": dept(data["department"])}
    elif action in (EventAction.SEND_BACK, EventAction.REPORT_IN, EventAction.COMPLETE_PART):
        if data.get("department"):
            return dept(data["department"])
    elif action == EventAction.SUMMON:
        return "、".join(dept(code) for code in data.get("departments") or [])
    elif action == EventAction.REQUEST_EXTENSION and data.get("amount"):
        unit = data.get("unit", "")
        label = TimeUnit(unit).label if unit in TimeUnit.values else unit
        return f"+{data['amount']} {label}"
    elif action == EventAction.DECIDE_EXTENSION:
        return _("Granted") if data.get("approved") else _("Refused")
    elif action == EventAction.VERIFY:
        return _("Passed") if data.get("passed") else _("Not passed: back for rework")
    elif action == EventAction.RETURN_VISIT:
        satisfaction = data.get("satisfaction") or ""
        if satisfaction in Satisfaction.values:
            return str(Satisfaction(satisfaction).label)
        return _("Reporter not reached") if not data.get("contacted") else ""
    elif action == EventAction.ESCALATE and data.get("to_level") in HandlingLevel.values:
        return _("To the %(level)s level") % {"level": HandlingLevel(data["to_level"]).label}
    return ""


def _detail_context(
    request: HttpRequest,
    event: Event,
    *,
    bound: tuple[str, forms.EventActionForm] | None = None,
    alert: str | None = None,
) -> dict[str, Any]:
    user = request.user
    steps = list(event.steps.all())
    staff = selectors.is_staff(user)
    if not staff:
        for step in steps:
            _hide_other_residents(step, user)
    departments = {d.code: d.name for d in selectors.departments_for_event(event)}
    shows_contact = event.reporter_contact and (staff or selectors.is_reporter(user, event))
    return {
        "event": event,
        "point": f"{event.lng},{event.lat}",
        "contact": mask_contact(event.reporter_contact) if shows_contact else "",
        "followers_count": selectors.followers_count(event),
        "duplicates": selectors.possible_duplicates(user, event),
        "timeline": [(step, _step_detail(step, departments)) for step in steps],
        "parts": list(event.parts.all()),
        "extensions": list(event.extensions.all()),
        "visit": selectors.return_visit_of(event),
        "panels": _panels(request.user, event, bound),
        "alert": alert,
        "grid_name": selectors.grid_names([event.grid_code]).get(event.grid_code, ""),
        "can_see_grid": scope_for(request.user).can_see_region(event.grid_code),
        "is_open": event.state in OPEN_STATES,
    }


def _hide_other_residents(step: EventStep, user: Any) -> None:
    """On a resident's page: other members of the public (the reporter, other followers) are
    shown as such (群众), their notes on joining and rating left out (the step is not saved)."""
    by_public = step.action in (EventAction.REPORT, EventAction.JOIN) or (
        step.action == EventAction.RETURN_VISIT and (step.data or {}).get("by_reporter")
    )
    if by_public and step.actor_id != getattr(user, "pk", None):
        step.actor_label = str(PUBLIC_ACTOR)
        if step.action != EventAction.REPORT:
            step.note = ""


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_event_page_for_user(request.user, pk)
    return render(request, "events/detail.html", _detail_context(request, event))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """One transition from the event page (or a list): the form, one action, the page again."""
    spec = SPECS_BY_SLUG.get(slug)
    if spec is None:
        raise Http404("no such action")
    user = request.user
    event = selectors.get_event_page_for_user(user, pk)
    form = spec.form(request.POST, event=event, user=user, auto_id=_auto_id(spec))
    status = 422
    alert: str | None = None
    bound: tuple[str, forms.EventActionForm] | None = (spec.slug, form)
    if form.is_valid():
        try:
            spec.run(event, user, form)
        except actions.EventError as exc:
            status = exc.status
            fresh = selectors.get_event_page_for_user(user, pk)
            seen = form.seen_version()
            if (
                isinstance(exc, actions.EventConflict)
                and seen is not None
                and seen != fresh.version
            ):
                # Somebody else moved the event since this page was loaded: show it as it is now.
                alert, bound = str(STALE), None
            elif isinstance(exc, actions.EventConflict | actions.EventForbidden):
                alert, bound = exc.message, None
            else:
                _add_errors(form, exc.fields, exc.message)
                alert = exc.message
            event = fresh
        else:
            text = _("“%(action)s” done: %(title)s.") % {
                "action": EventAction(spec.action).label,
                "title": event.title,
            }
            if _is_htmx(request):
                fresh = selectors.get_event_page_for_user(user, pk)
                context = _detail_context(request, fresh)
                context["flash"] = text
                return render(request, "events/detail.html#event-body", context)
            messages.success(request, text)
            return redirect(_safe_next(request) or reverse("events:detail", args=[pk]))
    context = _detail_context(request, event, bound=bound, alert=alert)
    if _is_htmx(request):
        response = render(request, "events/detail.html#event-body", context)
        if bound is not None:
            # Errors are shown in the form: bring it, not the top of the page, into view.
            response["HX-Reswap"] = "outerHTML show:.act[open]:top"
        return response
    return render(request, "events/detail.html", context, status=status)


# --- the cards on the landing pages ---------------------------------------------------------


def event_card(user: Any, code: str | None = None) -> dict[str, Any] | None:
    """What the landing page of a node shows about events: the queue, or "my events"."""
    if selectors.can_use_queue(user):
        query = f"?under={code}" if code else ""
        return {
            "kind": "queue",
            "counts": selectors.queue_counts(user, under=code),
            "url": reverse("events:queue") + query,
            "can_report": selectors.can_report(user),
        }
    if scope_for(user).node_roots:
        return {
            "kind": "mine",
            "counts": selectors.my_event_counts(user),
            "url": reverse("events:mine"),
            "can_report": selectors.can_report(user),
        }
    return None


def overview_events(user: Any) -> dict[str, Any]:
    """/me/: a department's inbox, a resident's own reports."""
    context: dict[str, Any] = {"can_report": selectors.can_report(user)}
    if selectors.can_use_inbox(user):
        pending = list(_inbox_order(_list_qs(selectors.inbox_events(user)))[:OVERVIEW_LIMIT])
        context["inbox"] = {
            "counts": selectors.inbox_counts(user),
            "rows": _rows(user, pending, inbox=True),
        }
    else:
        reports = list(
            _list_qs(selectors.my_events(user)).order_by("-reported_at", "-id")[:OVERVIEW_LIMIT]
        )
        context["reports"] = _rows(user, reports)
    return context


# --- duplicates: nearby open events on the report form, joining, merging ---------------------


def _coordinate(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@login_required
@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """The report form's htmx fragment: open events of the chosen category near the pin."""
    user = request.user
    if not selectors.can_report(user):
        raise PermissionDenied
    code = (request.GET.get("category") or "").strip()
    lng, lat = _coordinate(request.GET.get("lng")), _coordinate(request.GET.get("lat"))
    rows: list[selectors.NearbyRow] = []
    category = selectors.report_categories([code]).get(code) if code else None
    if category is not None and lng is not None and lat is not None:
        rows = selectors.nearby_for_user(user, category, lng, lat)
    return render(request, "events/_nearby.html", {"rows": rows, "category": category})


@login_required
@require_POST
def join(request: HttpRequest, ref: str) -> HttpResponse:
    """附议 instead of reporting: follow the event, then show it (the reporter now sees it)."""
    user = request.user
    event = selectors.get_joinable_event(user, ref)
    note = (request.POST.get("description") or request.POST.get("note") or "").strip()
    try:
        actions.do_join_event(event, actor=user, note=note[:2000])
    except actions.EventError as exc:
        if _is_htmx(request):
            return render(request, "events/_nearby.html", {"rows": [], "alert": exc.message})
        messages.error(request, exc.message)
        return redirect("events:new")
    messages.success(
        request,
        _("You now follow %(number)s: you will see its progress in your events.")
        % {"number": event.number},
    )
    target = reverse("events:detail", args=[event.pk])
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """合并 from the "possible duplicates" list: event ``pk`` is closed into ``original``."""
    user = request.user
    event = selectors.get_event_page_for_user(user, pk)
    form = forms.MergeForm(request.POST)
    back = _safe_next(request) or reverse("events:detail", args=[pk])
    if not form.is_valid():
        messages.error(request, _("Choose the event to merge into."))
        return redirect(back)
    data = form.cleaned_data
    try:
        actions.do_merge_event(
            event,
            actor=user,
            original=data["original"],
            note=data["note"],
            version=data.get("version"),
        )
    except actions.EventError as exc:
        messages.error(request, " ".join([exc.message, *exc.fields.values()]))
        return redirect(back)
    messages.success(
        request,
        _("%(number)s merged: it is closed as a duplicate.") % {"number": event.number},
    )
    return redirect(back)
