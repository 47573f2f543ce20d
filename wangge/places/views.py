"""The places pages (地): buildings, the building page with its rooms and occupants, and
the occupancy ledger kept from it (move in, move out, the landlord's report).

Views are thin: buildings and rooms are found through ``wangge.places.selectors``
(out of scope answers 404 like a missing one), people through
``wangge.people.selectors``; one action per form, its refusal shown field by
field.  Phones and ID numbers are masked; the landlord's phone is shown in
clear once, in the answer to the unmask form (reason required, audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.scope import scope_for
from wangge.lib.crypto import mask_id_number, mask_phone
from wangge.people import selectors as people_selectors
from wangge.people.actions import do_create_person
from wangge.people.errors import RecordError, RecordForbidden
from wangge.people.forms import scope_roots
from wangge.people.models import Person
from wangge.people.views import (
    add_errors,
    basedata_tabs,
    can_view_buildings,
    is_htmx,
    place_names,
)
from wangge.places import actions, forms, selectors
from wangge.places.choices import TenantChange
from wangge.places.models import Building, Occupancy, Room
from wangge.privacy.actions import do_unmask_landlord_phone

PAGE_SIZE = 20
HISTORY_LIMIT = 50
PICK_LIMIT = 10


def _check_viewer(user: Any) -> None:
    if not can_view_buildings(user):
        raise PermissionDenied


# --- the list ------------------------------------------------------------------------------


@login_required
@require_GET
def building_list(request: HttpRequest) -> HttpResponse:
    """房屋: buildings with their rooms and the people living there now; filter, page."""
    user = request.user
    _check_viewer(user)
    filters = forms.BuildingFilterForm(request.GET, roots=scope_roots(user, selectors.VIEW))
    qs = selectors.buildings_filtered(user, **filters.selection())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    buildings: list[Building] = list(page.object_list)
    names = place_names(b.region_code for b in buildings)
    context = {
        "tabs": basedata_tabs(user, "places"),
        "filters": filters,
        "page": page,
        "rows": [(b, names.get(b.region_code, b.region_code)) for b in buildings],
    }
    if is_htmx(request):
        return render(request, "places/list.html#building-list", context)
    return render(request, "places/list.html", context)


# --- the building page ----------------------------------------------------------------------


@dataclass
class Occupant:
    stay: Occupancy
    id_number: str
    phone: str
    #: The refusal of a move-out tried from this row, with the form that was sent.
    form: forms.MoveOutForm | None = None


@dataclass
class RoomCard:
    load: selectors.RoomLoad
    occupants: list[Occupant] = field(default_factory=list)


@dataclass
class LedgerRow:
    stay: Occupancy
    linked: bool


def _building_context(
    request: HttpRequest,
    building: Building,
    *,
    alert: str | None = None,
    flash: str | None = None,
    failed: tuple[int, forms.MoveOutForm] | None = None,
    unmask_form: forms.UnmaskForm | None = None,
    revealed: str | None = None,
) -> dict[str, Any]:
    user = request.user
    scope = scope_for(user)
    summary = selectors.building_summary(building)
    cards = {load.room_id: RoomCard(load) for load in summary.loads}
    for stay in selectors.current_occupancies(building):
        person = stay.person
        occupant = Occupant(stay, mask_id_number(person.id_number), mask_phone(person.phone))
        if failed is not None and failed[0] == stay.pk:
            occupant.form = failed[1]
        cards[stay.room_id].occupants.append(occupant)
    history: list[Occupancy] = list(selectors.building_ledger(building)[: HISTORY_LIMIT + 1])
    visible = set(
        people_selectors.people_visible_to(user)
        .filter(pk__in={o.person_id for o in history})
        .values_list("pk", flat=True)
    )
    rental = getattr(building, "rental", None)
    names = place_names([building.region_code])
    return {
        "tabs": basedata_tabs(user, "places"),
        "building": building,
        "place": names.get(building.region_code, building.region_code),
        "summary": summary,
        "rooms": list(cards.values()),
        "history": [LedgerRow(o, o.person_id in visible) for o in history[:HISTORY_LIMIT]],
        "history_more": len(history) > HISTORY_LIMIT,
        "rental": rental,
        "landlord_phone": mask_phone(rental.landlord_phone) if rental else "",
        "can_record": scope.can(selectors.RECORD, building.region_code),
        "can_unmask": rental is not None
        and bool(rental.landlord_phone)
        and scope.can(people_selectors.UNMASK, building.region_code),
        "unmask_form": unmask_form if unmask_form is not None else forms.UnmaskForm(),
        "revealed": revealed,
        "alert": alert,
        "flash": flash,
    }


def _building(request: HttpRequest, pk: int) -> Building:
    _check_viewer(request.user)
    return selectors.get_building_for_user(request.user, pk)


@login_required
@require_GET
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    building = _building(request, pk)
    return render(request, "places/building.html", _building_context(request, building))


@login_required
@require_POST
@never_cache
def landlord_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """The landlord's phone in clear, once, in this answer: with a reason, audited."""
    building = _building(request, pk)
    rental = getattr(building, "rental", None)
    if rental is None:
        raise Http404("not rental housing")
    form = forms.UnmaskForm(request.POST)
    status = 422
    revealed: str | None = None
    if form.is_valid():
        try:
            revealed = do_unmask_landlord_phone(
                rental, reason=form.cleaned_data["reason"], actor=request.user
            )
        except RecordForbidden:
            raise PermissionDenied from None
        except RecordError as exc:
            add_errors(form, exc.fields, exc.message)
        else:
            status = 200
            form = forms.UnmaskForm()
    context = _building_context(request, building, unmask_form=form, revealed=revealed)
    template = "places/building.html#landlord" if is_htmx(request) else "places/building.html"
    return render(request, template, context, status=status)


# --- the ledger: move out, move in, the landlord's report --------------------------------------


def _room(request: HttpRequest, pk: int) -> tuple[Room, Building]:
    """The room (404 out of scope) and its building, for a user who may record moves there."""
    _check_viewer(request.user)
    room = selectors.get_room_for_user(request.user, pk)
    building = selectors.get_building_for_user(request.user, room.building_id)
    if not selectors.may(request.user, selectors.RECORD, building.region_code):
        raise PermissionDenied
    return room, building


def _building_url(building: Building, room: Room | None = None) -> str:
    url = reverse("places:building", args=[building.pk])
    return f"{url}#room-{room.pk}" if room is not None else url


def _messages(exc: RecordError) -> str:
    return pgettext("between messages", "; ").join(exc.fields.values()) or exc.message


@login_required
@require_POST
def move_out(request: HttpRequest, pk: int) -> HttpResponse:
    """搬离: the person's stay in the room ends (the ledger keeps it)."""
    room, building = _room(request, pk)
    form = forms.MoveOutForm(request.POST, auto_id=False)
    status = 422
    alert: str | None = None
    failed: tuple[int, forms.MoveOutForm] | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            stay = actions.do_move_out(
                room,
                data["person_id"],
                actor=request.user,
                move_out=data["move_out"],
                note=data["note"],
                left_area=data["left_area"],
            )
        except RecordForbidden:
            raise PermissionDenied from None
        except RecordError as exc:
            status, alert = exc.status, _messages(exc)
            add_errors(form, exc.fields, exc.message)
        else:
            text = _("%(name)s moved out of room %(number)s.") % {
                "name": stay.person.name,
                "number": room.number,
            }
            if is_htmx(request):
                context = _building_context(request, building, flash=text)
                return render(request, "places/building.html#building-body", context)
            messages.success(request, text)
            return redirect(_building_url(building, room))
    else:
        alert = _("Please check the fields marked below.")
    person_id = str(form.data.get("person_id") or "")
    if person_id.isdigit():
        stay_pk = (
            selectors.ledger(room, current=True)
            .filter(person_id=int(person_id))
            .values_list("pk", flat=True)
            .first()
        )
        if stay_pk is not None:
            failed = (stay_pk, form)
    context = _building_context(request, building, alert=alert, failed=failed)
    template = "places/building.html#building-body" if is_htmx(request) else "places/building.html"
    return render(request, template, context, status=status)


def _picked(user: Any, pk: int | None) -> Person | None:
    if pk is None:
        return None
    return people_selectors.people_visible_to(user).filter(pk=pk).first()


def _pick_choices(user: Any, q: str) -> tuple[list[Person], dict[str, str]]:
    if not q.strip():
        return [], {}
    found = list(people_selectors.search_people(user, q=q)[:PICK_LIMIT])
    return found, place_names(p.region_code for p in found)


@login_required
@require_http_methods(["GET", "POST"])
def move_in(request: HttpRequest, pk: int) -> HttpResponse:
    """入住登记: pick a registered person, or register a new one, and move them into the room."""
    user = request.user
    room, building = _room(request, pk)
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()[:100]
    found, names = _pick_choices(user, q)
    mode = request.POST.get("mode") if request.method == "POST" else None
    pick = forms.PickForm(request.POST if mode == "existing" else None, prefix="pick")
    new = forms.NewTenantForm(request.POST if mode == "new" else None, prefix="new")
    status = 200
    if mode in ("existing", "new"):
        status = 422
        bound = pick if mode == "existing" else new
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                if mode == "existing":
                    person = _picked(user, data["person_id"])
                    if person is None:
                        missing = data["person_id"] is None
                        raise RecordError(
                            fields={"person_id": _("Choose the person who moves in.")}
                            if missing
                            else {"person_id": str(actions.UNKNOWN_PERSON)}
                        )
                    stay = actions.do_move_in(
                        room, person, actor=user, move_in=data["move_in"], note=data["note"]
                    )
                else:
                    with transaction.atomic():
                        person = do_create_person(
                            actor=user,
                            name=data["name"],
                            id_number=data["id_number"],
                            phone=data["phone"],
                            region_code=building.region_code,
                            residence_type=data["residence_type"],
                            registered_address=data["registered_address"],
                            residence_address=actions._address_of(room),
                            since=data["move_in"],
                        )
                        stay = actions.do_move_in(
                            room, person, actor=user, move_in=data["move_in"], note=data["note"]
                        )
            except RecordForbidden:
                raise PermissionDenied from None
            except RecordError as exc:
                fields = dict(exc.fields)
                unit = fields.pop("region_code", None)  # the room's unit: not a field here
                if unit:
                    bound.add_error(None, unit)
                if fields or not unit:
                    add_errors(bound, fields, exc.message)
                status = exc.status
            else:
                text = _("%(name)s moved into room %(number)s.") % {
                    "name": stay.person.name,
                    "number": room.number,
                }
                messages.success(request, text)
                return redirect(_building_url(building, room))
    context = {
        "tabs": basedata_tabs(user, "places"),
        "building": building,
        "room": room,
        "q": q,
        "found": [
            {
                "person": p,
                "id_number": mask_id_number(p.id_number),
                "place": names.get(p.region_code, p.region_code),
            }
            for p in found
        ],
        "pick": pick,
        "new": new,
        "mode": mode,
        "can_add_person": people_selectors.may(user, people_selectors.ADD, building.region_code),
    }
    if is_htmx(request) and request.method == "GET":
        return render(request, "places/move_in.html#found", context)
    return render(request, "places/move_in.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tenant_report(request: HttpRequest, pk: int) -> HttpResponse:
    """租户变动申报: what a landlord reports, applied to the ledger at once."""
    user = request.user
    room, building = _room(request, pk)
    occupants = [(o.person_id, o.person.name) for o in selectors.ledger(room, current=True)]
    status = 200
    if request.method == "POST":
        form = forms.TenantReportForm(request.POST, occupants=occupants)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            change = data["change"]
            person = _picked(user, data["person_id"]) if change == TenantChange.MOVED_OUT else None
            new_tenant = None
            if change == TenantChange.MOVED_IN:
                new_tenant = actions.NewTenant(
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    registered_address=data["registered_address"],
                )
            try:
                report = actions.do_report_tenant_change(
                    room,
                    actor=user,
                    change=change,
                    person=person,
                    new_tenant=new_tenant,
                    on=data["changed_on"],
                    reporter_name=data["reporter_name"],
                    note=data["note"],
                )
            except RecordForbidden:
                raise PermissionDenied from None
            except RecordError as exc:
                fields = {k.removeprefix("person."): v for k, v in exc.fields.items()}
                unit = fields.pop("region_code", None)  # the room's unit: not a field here
                if unit:
                    form.add_error(None, unit)
                if fields or not unit:
                    add_errors(form, fields, exc.message)
                status = exc.status
            else:
                text = _("Report recorded: %(name)s %(change)s, room %(number)s.") % {
                    "name": report.person.name,
                    "change": report.get_change_display(),
                    "number": room.number,
                }
                messages.success(request, text)
                return redirect(_building_url(building, room))
    else:
        rental = getattr(building, "rental", None)
        form = forms.TenantReportForm(
            occupants=occupants,
            initial={"reporter_name": rental.landlord_name if rental else ""},
        )
    context = {
        "tabs": basedata_tabs(user, "places"),
        "building": building,
        "room": room,
        "form": form,
        "moved_in_fields": [form[name] for name in form.MOVED_IN_FIELDS],
        "moved_out_fields": [form[name] for name in form.MOVED_OUT_FIELDS],
        "common_fields": [form[name] for name in form.COMMON_FIELDS],
    }
    return render(request, "places/report.html", context, status=status)
