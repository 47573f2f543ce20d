"""The people pages (人): the list with its search, one person, registering and changing.

Views are thin: they parse a form, find the person through
``wangge.people.selectors`` (out of scope answers 404 like a missing person),
call one action and render.  An action's refusal comes back field by field in
Chinese.  ID numbers and phones are shown masked; the clear value is shown
once, in the answer to the unmask form (reason required, audited by the
action), and never stored in a page that can be reloaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.scope import scope_for
from wangge.lib.crypto import mask_id_number, mask_phone
from wangge.people import actions, forms, selectors
from wangge.people.choices import UnmaskField
from wangge.people.errors import RecordError, RecordForbidden
from wangge.people.models import Person, PersonTag
from wangge.privacy.actions import do_unmask_person

PAGE_SIZE = 20

#: What a search box text was taken as (``selectors.parse_query``).
QUERY_KINDS = {
    "id_number": gettext_lazy("Exact ID number"),
    "phone": gettext_lazy("Exact phone number"),
    "pinyin": gettext_lazy("Pinyin or initials of the name"),
    "text": gettext_lazy("Start of the name, or part of the address"),
}

#: What an empty field means, where it reads better than the action's general message.
MISSING = {"region_code": gettext_lazy("Choose the grid or minimal unit the person lives in.")}


def is_htmx(request: HttpRequest) -> bool:
    """A part of the page asked for by htmx (not a whole page it restores from the history)."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != (
        "true"
    )


def add_errors(form: Any, fields: dict[str, str], message: str) -> None:
    """An action's refusal onto the form: by field where the form shows it, else on top."""
    shown = {name for name, f in form.fields.items() if not f.widget.is_hidden}
    for name, text in fields.items():
        form.add_error(name if name in shown else None, text)
    if not fields:
        form.add_error(None, message)


# --- the tabs of the base-data pages ------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    url: str
    active: bool


ORGANISATION_PERMS = (
    "organisations.view_enterprise",
    "organisations.view_partyorganisation",
    "organisations.view_propertycompany",
    "organisations.view_socialorganisation",
)


def can_view_buildings(user: Any) -> bool:
    from wangge.places.selectors import VIEW

    scope = scope_for(user)
    return scope.is_global or bool(scope.roots_with(VIEW))


def can_view_assets(user: Any) -> bool:
    return scope_for(user).can("assets.view_asset")


def can_view_organisations(user: Any) -> bool:
    scope = scope_for(user)
    return any(scope.can(perm) for perm in ORGANISATION_PERMS)


def can_view_basedata(user: Any) -> bool:
    return (
        selectors.can_view_people(user)
        or can_view_buildings(user)
        or can_view_assets(user)
        or can_view_organisations(user)
    )


def basedata_tabs(user: Any, active: str) -> list[Tab]:
    """People, buildings, city parts, organisations: those the user may read."""
    wanted = [
        ("people", gettext_lazy("People"), "people:list", selectors.can_view_people(user)),
        ("places", gettext_lazy("Buildings"), "places:list", can_view_buildings(user)),
        ("assets", gettext_lazy("City parts"), "assets:list", can_view_assets(user)),
        (
            "organisations",
            gettext_lazy("Organisations"),
            "organisations:index",
            can_view_organisations(user),
        ),
    ]
    return [
        Tab(key, label, reverse(name), key == active) for key, label, name, shown in wanted if shown
    ]


def place_names(region_codes: Iterable[str]) -> dict[str, str]:
    """What to call the places of rows the user already sees: ``东一网格 · 第1单元`` for a
    minimal unit (unit names repeat from grid to grid), the name for any other node."""
    wanted = set(region_codes)
    grids = {code[:15] for code in wanted if len(code) == 18}
    names = selectors.region_names(wanted | grids)
    return {
        code: (
            f"{names.get(code[:15], code[:15])} · {names.get(code, code)}"
            if len(code) == 18
            else names.get(code, code)
        )
        for code in wanted
    }


# --- the list -----------------------------------------------------------------------------


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass
class PersonRow:
    person: Person
    place: str
    age: int
    id_number: str
    phone: str
    tags: list[str] = field(default_factory=list)


def person_rows(people: list[Person]) -> list[PersonRow]:
    """People of a page with their place names (one query) and masked identifiers."""
    names = place_names(p.region_code for p in people)
    today = timezone.localdate()
    return [
        PersonRow(
            person=p,
            place=names.get(p.region_code, p.region_code),
            age=age_on(p.birth_date, today),
            id_number=mask_id_number(p.id_number),
            phone=mask_phone(p.phone),
            tags=[pt.tag.name for pt in p.person_tags.all()],
        )
        for p in people
    ]


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """人员：search by name, initials, exact ID number or phone, address; filter; page."""
    user = request.user
    if not selectors.can_view_people(user):
        raise PermissionDenied
    filters = forms.PersonFilterForm(request.GET, roots=forms.scope_roots(user, selectors.VIEW))
    selection = filters.selection()
    qs = selectors.search_people(user, **selection).prefetch_related(
        Prefetch("person_tags", queryset=PersonTag.objects.select_related("tag"))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = selectors.parse_query(selection["q"] or "")
    context = {
        "tabs": basedata_tabs(user, "people"),
        "filters": filters,
        "page": page,
        "rows": person_rows(list(page.object_list)),
        "query_kind": QUERY_KINDS[query.kind] if query else "",
        "can_add": scope_for(user).can(selectors.ADD),
    }
    if is_htmx(request):
        return render(request, "people/list.html#people-list", context)
    return render(request, "people/list.html", context)


# --- one person ---------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest,
    person: Person,
    *,
    unmask_form: forms.UnmaskForm | None = None,
    revealed: tuple[str, str] | None = None,
) -> dict[str, Any]:
    from wangge.places.selectors import VIEW as VIEW_BUILDING
    from wangge.places.selectors import current_occupancy

    user = request.user
    scope = scope_for(user)
    household = person.household
    members: list[Person] = []
    if household is not None:
        members = list(selectors.household_members(user, household))
    names = place_names([person.region_code])
    stay = current_occupancy(person.pk)
    can_unmask = scope.can(selectors.UNMASK, person.region_code)
    return {
        "tabs": basedata_tabs(user, "people"),
        "person": person,
        "place": names.get(person.region_code, person.region_code),
        "age": age_on(person.birth_date, timezone.localdate()),
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
        "tags": selectors.tags_of(person),
        "household": household,
        "members": [
            {
                "person": m,
                "id_number": mask_id_number(m.id_number),
                "is_head": household is not None and household.head_id == m.pk,
            }
            for m in members
        ],
        "stay": stay,
        "stay_linked": stay is not None
        and scope.can(VIEW_BUILDING, stay.room.building.region_code),
        "residences": selectors.residence_history(user, person),
        "can_change": scope.can(selectors.CHANGE, person.region_code),
        "can_unmask": can_unmask,
        "unmask_form": unmask_form if unmask_form is not None else forms.UnmaskForm(),
        "unmask_fields": [
            (value, str(label))
            for value, label in UnmaskField.choices
            if value != UnmaskField.PHONE or person.phone
        ],
        "revealed": revealed,
    }


def _person(request: HttpRequest, pk: int) -> Person:
    if not selectors.can_view_people(request.user):
        raise PermissionDenied
    person = selectors.get_person_for_user(request.user, pk)
    return Person.objects.select_related("household").get(pk=person.pk)


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return render(request, "people/detail.html", _detail_context(request, person))


@login_required
@require_POST
@never_cache
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """The clear ID number or phone, once, in this answer: with a reason, audited."""
    person = _person(request, pk)
    form = forms.UnmaskForm(request.POST)
    status = 422
    revealed: tuple[str, str] | None = None
    if form.is_valid():
        wanted = form.cleaned_data["field"]
        try:
            value = do_unmask_person(
                person, field=wanted, reason=form.cleaned_data["reason"], actor=request.user
            )
        except RecordForbidden:
            raise PermissionDenied from None
        except RecordError as exc:
            add_errors(form, exc.fields, exc.message)
        else:
            status = 200
            revealed = (str(UnmaskField(wanted).label), value or _("(none recorded)"))
            form = forms.UnmaskForm()
    context = _detail_context(request, person, unmask_form=form, revealed=revealed)
    template = "people/detail.html#identifiers" if is_htmx(request) else "people/detail.html"
    return render(request, template, context, status=status)


# --- registering and changing ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """登记: a person where they live, with their special groups."""
    user = request.user
    if not scope_for(user).can(selectors.ADD):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = forms.PersonForm(request.POST, user=user)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = actions.do_create_person(
                    actor=user,
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    region_code=data["region_code"],
                    residence_type=data["residence_type"],
                    registered_address=data["registered_address"],
                    residence_address=data["residence_address"],
                    tags=data["tags"],
                    notes=data["notes"],
                )
            except RecordError as exc:
                fields = dict(exc.fields)
                if not data["region_code"] and "region_code" in fields:
                    fields["region_code"] = str(MISSING["region_code"])
                add_errors(form, fields, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Registered: %(name)s.") % {"name": person.name})
                return redirect("people:detail", pk=person.pk)
    else:
        form = forms.PersonForm(user=user)
    context = {"tabs": basedata_tabs(user, "people"), "form": form}
    return render(request, "people/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = _person(request, pk)
    if not scope_for(user).can(selectors.CHANGE, person.region_code):
        raise PermissionDenied
    tags = [pt.tag.code for pt in selectors.tags_of(person)]
    status = 200
    if request.method == "POST":
        form = forms.EditPersonForm(request.POST, person=person, tags=tags)
        status = 422
        if form.is_valid():
            try:
                person = actions.do_update_person(person, actor=user, **form.changes())
            except RecordForbidden:
                raise PermissionDenied from None
            except RecordError as exc:
                add_errors(form, exc.fields, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": person.name})
                return redirect("people:detail", pk=person.pk)
    else:
        form = forms.EditPersonForm(person=person, tags=tags)
    context = {"tabs": basedata_tabs(user, "people"), "form": form, "person": person}
    return render(request, "people/form.html", context, status=status)
