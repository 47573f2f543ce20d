"""The organisation pages (组织): enterprises and shops, party organisations, property
companies and social organisations — a list with filters and a page for each.

Read-only.  Every row is found through ``wangge.organisations.selectors``; out
of scope answers 404 like a missing one.  Phones are shown masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from wangge.accounts.scope import scope_for
from wangge.basedata.staleness import is_stale
from wangge.lib.crypto import mask_phone
from wangge.organisations import forms, selectors
from wangge.organisations.choices import FireRisk, GasUse
from wangge.organisations.models import (
    Enterprise,
    PartyOrganisation,
    PropertyCompany,
    SocialOrganisation,
)
from wangge.people.forms import RegistryFilterForm, node_roots
from wangge.people.views import Tab, basedata_tabs, is_htmx, place_names

PAGE_SIZE = 20


@dataclass(frozen=True)
class Kind:
    slug: str
    label: Promise
    perm: str
    list_url: str
    detail_url: str


KINDS = (
    Kind(
        "enterprises",
        _("Enterprises and shops"),
        "organisations.view_enterprise",
        "organisations:enterprises",
        "organisations:enterprise",
    ),
    Kind(
        "party",
        _("Party organisations"),
        "organisations.view_partyorganisation",
        "organisations:party",
        "organisations:party-detail",
    ),
    Kind(
        "companies",
        _("Property companies"),
        "organisations.view_propertycompany",
        "organisations:companies",
        "organisations:company",
    ),
    Kind(
        "social",
        _("Social organisations"),
        "organisations.view_socialorganisation",
        "organisations:social",
        "organisations:social-detail",
    ),
)
KINDS_BY_SLUG = {k.slug: k for k in KINDS}


def _allowed(user: Any) -> list[Kind]:
    scope = scope_for(user)
    return [k for k in KINDS if scope.can(k.perm)]


def _kind(user: Any, slug: str) -> Kind:
    kind = KINDS_BY_SLUG[slug]
    if not scope_for(user).can(kind.perm):
        raise PermissionDenied
    return kind


def _kind_tabs(user: Any, active: str) -> list[Tab]:
    return [Tab(k.slug, k.label, reverse(k.list_url), k.slug == active) for k in _allowed(user)]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The first registry the user may read."""
    allowed = _allowed(request.user)
    if not allowed:
        raise PermissionDenied
    return redirect(allowed[0].list_url)


# --- rows and facts -----------------------------------------------------------------------


@dataclass
class Row:
    """One organisation in a list."""

    pk: int
    url: str
    title: str
    badge: str
    lines: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    stale: bool = False


@dataclass
class Fact:
    label: Any
    value: Any
    mono: bool = False
    key: str = ""


def _join(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p)


def _contact(name: str, phone: str) -> str:
    return _join(name, mask_phone(phone))


def _enterprise_flags(e: Enterprise) -> list[str]:
    flags = []
    if e.fire_risk_level != FireRisk.LOW:
        flags.append(str(e.get_fire_risk_level_display()))
    if e.hazardous_chemicals:
        flags.append(gettext("Hazardous chemicals"))
    if e.uses_gas == GasUse.LPG:
        flags.append(str(e.get_uses_gas_display()))
    if not e.is_operating:
        flags.append(gettext("Not operating"))
    return flags


def _enterprise_rows(items: list[Enterprise]) -> list[Row]:
    names = place_names(e.region_code for e in items)
    return [
        Row(
            e.pk,
            reverse("organisations:enterprise", args=[e.pk]),
            e.name,
            str(e.get_kind_display()),
            [
                _join(names.get(e.region_code, e.region_code), e.address),
                _contact(e.legal_person, e.legal_person_phone),
            ],
            _enterprise_flags(e),
            is_stale(e.verified_at),
        )
        for e in items
    ]


def _party_rows(items: list[PartyOrganisation]) -> list[Row]:
    names = place_names(o.region_code for o in items)
    return [
        Row(
            o.pk,
            reverse("organisations:party-detail", args=[o.pk]),
            o.name,
            str(o.get_kind_display()),
            [
                names.get(o.region_code, o.region_code),
                _join(
                    o.secretary_name,
                    ngettext("%(n)d member", "%(n)d members", o.member_count)
                    % {"n": o.member_count},
                ),
            ],
            [],
            is_stale(o.verified_at),
        )
        for o in items
    ]


def _company_rows(items: list[PropertyCompany]) -> list[Row]:
    units = {c.pk: selectors.visible_units_of(c) for c in items}
    names = place_names(code for codes in units.values() for code in codes)
    return [
        Row(
            c.pk,
            reverse("organisations:company", args=[c.pk]),
            c.name,
            "",
            [
                "、".join(names.get(code, code) for code in units[c.pk]),
                _contact(c.contact_name, c.contact_phone),
            ],
            [],
            is_stale(c.verified_at),
        )
        for c in items
    ]


def _social_rows(items: list[SocialOrganisation]) -> list[Row]:
    names = place_names(o.region_code for o in items)
    return [
        Row(
            o.pk,
            reverse("organisations:social-detail", args=[o.pk]),
            o.name,
            str(o.get_kind_display()),
            [
                names.get(o.region_code, o.region_code),
                _contact(o.contact_name, o.contact_phone),
            ],
            [],
            is_stale(o.verified_at),
        )
        for o in items
    ]


# --- lists ---------------------------------------------------------------------------------


def _list(
    request: HttpRequest,
    slug: str,
    form_class: type[RegistryFilterForm],
    query: Callable[..., QuerySet[Any]],
    rows: Callable[[list[Any]], list[Row]],
) -> HttpResponse:
    user = request.user
    kind = _kind(user, slug)
    filters = form_class(request.GET, roots=node_roots(user))
    page = Paginator(query(user, **forms.selection(filters)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "tabs": basedata_tabs(user, "organisations"),
        "kinds": _kind_tabs(user, slug),
        "kind": kind,
        "filters": filters,
        "page": page,
        "rows": rows(list(page.object_list)),
    }
    if is_htmx(request):
        return render(request, "organisations/list.html#org-list", context)
    return render(request, "organisations/list.html", context)


@login_required
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "enterprises",
        forms.EnterpriseFilterForm,
        selectors.enterprises_filtered,
        _enterprise_rows,
    )


@login_required
@require_GET
def party_list(request: HttpRequest) -> HttpResponse:
    def query(user: Any, **kwargs: Any) -> QuerySet[PartyOrganisation]:
        return selectors.party_filtered(user, **kwargs).select_related("parent")

    return _list(request, "party", forms.PartyFilterForm, query, _party_rows)


@login_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    def query(user: Any, **kwargs: Any) -> QuerySet[PropertyCompany]:
        return selectors.property_companies_filtered(user, **kwargs).order_by("name", "id")

    return _list(request, "companies", forms.CompanyFilterForm, query, _company_rows)


@login_required
@require_GET
def social_list(request: HttpRequest) -> HttpResponse:
    return _list(request, "social", forms.SocialFilterForm, selectors.social_filtered, _social_rows)


# --- one organisation ------------------------------------------------------------------------


@dataclass
class Link:
    label: str
    url: str | None
    note: str = ""


def _detail(
    request: HttpRequest,
    slug: str,
    obj: Any,
    *,
    badge: str,
    facts: list[Fact],
    sections: Iterable[tuple[Any, list[Link]]] = (),
    text: str = "",
) -> HttpResponse:
    user = request.user
    context = {
        "tabs": basedata_tabs(user, "organisations"),
        "kinds": _kind_tabs(user, slug),
        "kind": KINDS_BY_SLUG[slug],
        "obj": obj,
        "badge": badge,
        "stale": is_stale(obj.verified_at),
        "facts": facts,
        "sections": list(sections),
        "text": text,
    }
    return render(request, "organisations/detail.html", context)


def _place(code: str) -> str:
    return place_names([code]).get(code, code)


@login_required
@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _kind(request.user, "enterprises")
    e = selectors.get_enterprise_for_user(request.user, pk)
    facts = [
        Fact(_("Place"), _join(_place(e.region_code), e.address)),
        Fact(_("Unified social credit code"), e.uscc or "—", mono=True),
        Fact(_("Industry"), e.get_industry_display() if e.industry else "—"),
        Fact(_("Legal person / operator"), e.legal_person or "—"),
        Fact(_("Phone"), mask_phone(e.legal_person_phone) or "—", mono=True, key="phone"),
        Fact(_("Employees"), e.employee_count),
        Fact(_("Gas use"), e.get_uses_gas_display()),
        Fact(_("Gas alarm installed"), _("Yes") if e.has_gas_alarm else _("No")),
        Fact(_("Stores hazardous chemicals"), _("Yes") if e.hazardous_chemicals else _("No")),
        Fact(_("Fire risk"), e.get_fire_risk_level_display()),
        Fact(_("Operating"), _("Yes") if e.is_operating else _("No")),
    ]
    return _detail(request, "enterprises", e, badge=e.get_kind_display(), facts=facts, text=e.notes)


@login_required
@require_GET
def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _kind(request.user, "party")
    o = selectors.get_party_for_user(request.user, pk)
    parent = o.parent
    parent_link: list[Link] = []
    if parent is not None:
        visible = selectors.party_visible_to(request.user).filter(pk=parent.pk).exists()
        url = reverse("organisations:party-detail", args=[parent.pk]) if visible else None
        parent_link = [Link(parent.name, url, str(parent.get_kind_display()))]
    children = [
        Link(
            c.name,
            reverse("organisations:party-detail", args=[c.pk]),
            str(c.get_kind_display()),
        )
        for c in selectors.visible_children(request.user, o)
    ]
    facts = [
        Fact(_("Place"), _place(o.region_code)),
        Fact(_("Secretary"), o.secretary_name or "—"),
        Fact(_("Members"), o.member_count),
    ]
    sections = [(_("One link up"), parent_link), (_("Links below"), children)]
    return _detail(request, "party", o, badge=o.get_kind_display(), facts=facts, sections=sections)


@login_required
@require_GET
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _kind(request.user, "companies")
    c = selectors.get_property_company_for_user(request.user, pk)
    codes = selectors.visible_units_of(c)
    names = place_names(codes)
    facts = [
        Fact(_("Unified social credit code"), c.uscc or "—", mono=True),
        Fact(_("Contact"), c.contact_name or "—"),
        Fact(_("Phone"), mask_phone(c.contact_phone) or "—", mono=True, key="phone"),
        Fact(_("Address"), c.address or "—"),
    ]
    units = [Link(names.get(code, code), None, code) for code in codes]
    return _detail(
        request, "companies", c, badge="", facts=facts, sections=[(_("Places it manages"), units)]
    )


@login_required
@require_GET
def social_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _kind(request.user, "social")
    o = selectors.get_social_for_user(request.user, pk)
    facts = [
        Fact(_("Place"), _place(o.region_code)),
        Fact(_("Unified social credit code"), o.uscc or "—", mono=True),
        Fact(_("Contact"), o.contact_name or "—"),
        Fact(_("Phone"), mask_phone(o.contact_phone) or "—", mono=True, key="phone"),
        Fact(_("Members"), o.member_count),
    ]
    return _detail(request, "social", o, badge=o.get_kind_display(), facts=facts, text=o.activities)
