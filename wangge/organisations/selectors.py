"""Reads of the organisation registries, always through the user's scope.

Enterprises, party organisations and social organisations belong to the node
in their ``region_code``; a property company is seen by whoever works where it
manages a place, and then only with the places that user may see.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from wangge.accounts.scope import prefix_q, scope_for
from wangge.organisations.models import (
    Enterprise,
    ManagedUnit,
    PartyOrganisation,
    PropertyCompany,
    SocialOrganisation,
)


def _one[M: models.Model](qs: QuerySet[M], pk: int) -> M:
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("no such organisation") from None


def _under[M: models.Model](qs: QuerySet[M], under: str | None) -> QuerySet[M]:
    return qs.filter(prefix_q("region_code", [under])) if under else qs


# --- enterprises ------------------------------------------------------------------


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    return scope_for(user).nodes(Enterprise.objects.all(), "region_code")


def get_enterprise_for_user(user: Any, pk: int) -> Enterprise:
    return _one(enterprises_visible_to(user), pk)


def enterprises_filtered(
    user: Any,
    *,
    kind: str | None = None,
    industry: str | None = None,
    under: str | None = None,
    uses_gas: str | None = None,
    hazardous_chemicals: bool | None = None,
    fire_risk_level: str | None = None,
    phone_hash: str | None = None,
) -> QuerySet[Enterprise]:
    qs = _under(enterprises_visible_to(user), under)
    if kind:
        qs = qs.filter(kind=kind)
    if industry:
        qs = qs.filter(industry=industry)
    if uses_gas:
        qs = qs.filter(uses_gas=uses_gas)
    if hazardous_chemicals is not None:
        qs = qs.filter(hazardous_chemicals=hazardous_chemicals)
    if fire_risk_level:
        qs = qs.filter(fire_risk_level=fire_risk_level)
    if phone_hash:
        qs = qs.filter(legal_person_phone_hash=phone_hash)
    return qs


# --- party organisations ------------------------------------------------------------


def party_visible_to(user: Any) -> QuerySet[PartyOrganisation]:
    return scope_for(user).nodes(PartyOrganisation.objects.all(), "region_code")


def get_party_for_user(user: Any, pk: int) -> PartyOrganisation:
    return _one(party_visible_to(user).select_related("parent"), pk)


def party_filtered(
    user: Any, *, kind: str | None = None, under: str | None = None
) -> QuerySet[PartyOrganisation]:
    qs = _under(party_visible_to(user), under)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def visible_children(user: Any, org: PartyOrganisation) -> list[PartyOrganisation]:
    return list(party_visible_to(user).filter(parent=org).order_by("region_code", "kind", "id"))


# --- property companies -------------------------------------------------------------


def managed_units_visible_to(user: Any) -> QuerySet[ManagedUnit]:
    return scope_for(user).nodes(ManagedUnit.objects.all(), "region_code")


def property_companies_visible_to(user: Any) -> QuerySet[PropertyCompany]:
    scope = scope_for(user)
    qs = PropertyCompany.objects.all()
    if scope.is_global:
        return qs
    return qs.filter(pk__in=managed_units_visible_to(user).values("company_id"))


def property_companies_filtered(
    user: Any, *, under: str | None = None
) -> QuerySet[PropertyCompany]:
    qs = property_companies_visible_to(user)
    if under:
        units = managed_units_visible_to(user).filter(prefix_q("region_code", [under]))
        qs = qs.filter(pk__in=units.values("company_id"))
    return qs.prefetch_related(
        Prefetch(
            "managed_units",
            queryset=managed_units_visible_to(user).order_by("region_code"),
            to_attr="visible_units",
        )
    )


def get_property_company_for_user(user: Any, pk: int) -> PropertyCompany:
    return _one(property_companies_filtered(user), pk)


def visible_units_of(company: PropertyCompany) -> list[str]:
    """The places of ``company`` the reader may see (set by ``property_companies_filtered``)."""
    return [u.region_code for u in getattr(company, "visible_units", [])]


# --- social organisations -----------------------------------------------------------


def social_visible_to(user: Any) -> QuerySet[SocialOrganisation]:
    return scope_for(user).nodes(SocialOrganisation.objects.all(), "region_code")


def get_social_for_user(user: Any, pk: int) -> SocialOrganisation:
    return _one(social_visible_to(user), pk)


def social_filtered(
    user: Any, *, kind: str | None = None, under: str | None = None
) -> QuerySet[SocialOrganisation]:
    qs = _under(social_visible_to(user), under)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


# --- who may do what ----------------------------------------------------------------


def can(user: Any, perm: str, code: str | None = None) -> bool:
    return scope_for(user).can(perm, code)


def can_change_company(user: Any, company: PropertyCompany) -> bool:
    """Holding the right at one of the places the company manages."""
    scope = scope_for(user)
    if scope.is_global:
        return True
    perm = "organisations.change_propertycompany"
    return any(
        scope.can(perm, code)
        for code in ManagedUnit.objects.filter(company=company).values_list(
            "region_code", flat=True
        )
    )
