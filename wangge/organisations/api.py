"""Organisations under /api/v1/organisations: enterprises and shops, party organisations,
property companies, social organisations.  Phones are always shown masked."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.api.errors import ApiError
from wangge.api.pagination import Paged
from wangge.basedata.schemas import ErrorOut
from wangge.basedata.staleness import stale_before
from wangge.lib import codes
from wangge.lib.crypto import mask_phone
from wangge.organisations import actions, selectors
from wangge.organisations.choices import (
    EnterpriseKind,
    FireRisk,
    GasUse,
    Industry,
    PartyOrgKind,
    SocialOrgKind,
)
from wangge.organisations.models import (
    Enterprise,
    PartyOrganisation,
    PropertyCompany,
    SocialOrganisation,
)
from wangge.privacy.fields import blind_index

router = Router(tags=["organisations"])
GRID_OR_UNIT = r"^[0-9]{15}([0-9]{3})?$"
UNDER = Field(None, pattern=r"^[0-9]{6,18}$", description="Only entries under this node")


def _call[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an action, answering its refusals as ``{code, message, fields}``."""
    try:
        return fn(*args, **kwargs)
    except actions.OrganisationError as exc:
        raise ApiError(
            exc.status, exc.code, exc.message, {k: [v] for k, v in exc.fields.items()}
        ) from None


def _check_under(under: str | None) -> None:
    if under and not codes.is_valid(under):
        raise ApiError(
            422, "invalid", str(actions.INVALID), {"under": [_("Not a valid area code.")]}
        )


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class _Page[M: Model]:
    """A queryset the paginator slices in the database, serialising only the page it keeps."""

    def __init__(self, qs: QuerySet[M], out: Callable[[M, datetime], dict[str, Any]]) -> None:
        self.qs = qs
        self.out = out
        self.stale_from = stale_before()

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.out(row, self.stale_from) for row in self.qs[window]]


def _stale(verified_at: datetime | None, stale_from: datetime) -> bool:
    return verified_at is None or verified_at < stale_from


class VerifyIn(Schema):
    note: str = Field("", max_length=2000, description="What was checked")


VERIFY_DESCRIPTION = (
    "Records that the entry was checked and is still right; it stops counting as stale "
    "in the base-data checklist."
)


# --- enterprises ------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str = Field(..., description="统一社会信用代码")
    kind: EnterpriseKind
    kind_label: str
    industry: str = Field(..., description="GB/T 4754 section letter, empty if unknown")
    industry_label: str
    legal_person: str
    legal_person_phone: str = Field(..., description="Masked: 138****1234")
    address: str
    region_code: str
    grid_code: str
    lng: float | None
    lat: float | None
    employee_count: int
    uses_gas: GasUse
    uses_gas_label: str
    has_gas_alarm: bool
    hazardous_chemicals: bool
    fire_risk_level: FireRisk
    fire_risk_label: str
    is_operating: bool
    verified_at: datetime | None
    stale: bool = Field(..., description="Not verified within WANGGE_BASEDATA_STALE_DAYS")
    updated_at: datetime

    @staticmethod
    def from_enterprise(e: Enterprise, stale_from: datetime) -> dict[str, Any]:
        return {
            "id": e.pk,
            "name": e.name,
            "uscc": e.uscc,
            "kind": e.kind,
            "kind_label": e.get_kind_display(),
            "industry": e.industry,
            "industry_label": e.get_industry_display() if e.industry else "",
            "legal_person": e.legal_person,
            "legal_person_phone": mask_phone(e.legal_person_phone),
            "address": e.address,
            "region_code": e.region_code,
            "grid_code": e.region_code[:15],
            "lng": e.lng,
            "lat": e.lat,
            "employee_count": e.employee_count,
            "uses_gas": e.uses_gas,
            "uses_gas_label": e.get_uses_gas_display(),
            "has_gas_alarm": e.has_gas_alarm,
            "hazardous_chemicals": e.hazardous_chemicals,
            "fire_risk_level": e.fire_risk_level,
            "fire_risk_label": e.get_fire_risk_level_display(),
            "is_operating": e.is_operating,
            "verified_at": e.verified_at,
            "stale": _stale(e.verified_at, stale_from),
            "updated_at": e.updated_at,
        }


class EnterpriseDetailOut(EnterpriseOut):
    notes: str


class EnterpriseFilter(Schema):
    kind: EnterpriseKind | None = None
    industry: Industry | None = None
    under: str | None = UNDER
    uses_gas: GasUse | None = None
    hazardous_chemicals: bool | None = None
    fire_risk_level: FireRisk | None = None
    legal_person_phone: str | None = Field(
        None, max_length=20, description="Exact phone number of the legal person (searched by hash)"
    )


class EnterpriseIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: EnterpriseKind
    region_code: str | None = Field(
        None, pattern=GRID_OR_UNIT, description="Grid or unit; or give lng/lat"
    )
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    uscc: str = Field("", max_length=32, description="统一社会信用代码; required for enterprises")
    industry: Industry | None = None
    legal_person: str = Field("", max_length=64)
    legal_person_phone: str = Field("", max_length=32)
    address: str = Field("", max_length=200)
    employee_count: int = Field(0, ge=0, le=1_000_000)
    uses_gas: GasUse = GasUse.NONE
    has_gas_alarm: bool = False
    hazardous_chemicals: bool = False
    fire_risk_level: FireRisk | None = Field(
        None, description="Derived from the safety attributes when not given"
    )
    is_operating: bool = True
    notes: str = Field("", max_length=2000)


def _enterprise(request: HttpRequest, pk: int) -> dict[str, Any]:
    e = selectors.get_enterprise_for_user(request.user, pk)
    return {**EnterpriseOut.from_enterprise(e, stale_before()), "notes": e.notes}


@router.get(
    "/organisations/enterprises",
    response=list[EnterpriseOut],
    summary="Enterprises, shops and individual businesses in the user's scope",
)
@paginate(Paged)
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseFilter]) -> Any:
    _check_under(filters.under)
    phone, _message = actions.clean_phone(filters.legal_person_phone)
    qs = selectors.enterprises_filtered(
        request.user,
        kind=filters.kind,
        industry=filters.industry,
        under=filters.under,
        uses_gas=filters.uses_gas,
        hazardous_chemicals=filters.hazardous_chemicals,
        fire_risk_level=filters.fire_risk_level,
        phone_hash=blind_index(phone) if phone else None,
    )
    return _Page(qs, EnterpriseOut.from_enterprise)


@router.post(
    "/organisations/enterprises",
    response={201: EnterpriseDetailOut, **ERRORS},
    summary="Register an enterprise, shop or individual business",
)
def create_enterprise(request: HttpRequest, payload: EnterpriseIn) -> Status[dict[str, Any]]:
    e = _call(
        actions.do_create_enterprise,
        actor=request.user,
        name=payload.name,
        kind=payload.kind,
        region_code=payload.region_code,
        lng=payload.lng,
        lat=payload.lat,
        uscc=payload.uscc,
        industry=payload.industry or "",
        legal_person=payload.legal_person,
        legal_person_phone=payload.legal_person_phone,
        address=payload.address,
        employee_count=payload.employee_count,
        uses_gas=payload.uses_gas,
        has_gas_alarm=payload.has_gas_alarm,
        hazardous_chemicals=payload.hazardous_chemicals,
        fire_risk_level=payload.fire_risk_level,
        is_operating=payload.is_operating,
        notes=payload.notes,
    )
    return Status(201, _enterprise(request, e.pk))


@router.get(
    "/organisations/enterprises/{enterprise_id}",
    response={200: EnterpriseDetailOut, 404: ErrorOut},
    summary="One enterprise or shop",
)
def get_enterprise(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    return _enterprise(request, enterprise_id)


@router.post(
    "/organisations/enterprises/{enterprise_id}/verify",
    response={200: EnterpriseDetailOut, **ERRORS},
    summary="Verify an enterprise's entry (核实)",
    description=VERIFY_DESCRIPTION,
)
def verify_enterprise(
    request: HttpRequest, enterprise_id: int, payload: VerifyIn
) -> dict[str, Any]:
    e = selectors.get_enterprise_for_user(request.user, enterprise_id)
    _call(actions.do_verify_organisation, e, actor=request.user, note=payload.note)
    return _enterprise(request, e.pk)


# --- party organisations ------------------------------------------------------------


class PartyRef(Schema):
    id: int
    kind: PartyOrgKind
    name: str
    region_code: str


def _party_ref(o: PartyOrganisation) -> dict[str, Any]:
    return {"id": o.pk, "kind": o.kind, "name": o.name, "region_code": o.region_code}


class PartyOut(Schema):
    id: int
    kind: PartyOrgKind
    kind_label: str
    name: str
    region_code: str = Field(..., description="The street, community, grid or unit it sits at")
    parent: PartyRef | None = Field(..., description="One link up the chain")
    secretary_name: str
    member_count: int
    verified_at: datetime | None
    stale: bool
    updated_at: datetime

    @staticmethod
    def from_org(o: PartyOrganisation, stale_from: datetime) -> dict[str, Any]:
        return {
            "id": o.pk,
            "kind": o.kind,
            "kind_label": o.get_kind_display(),
            "name": o.name,
            "region_code": o.region_code,
            "parent": _party_ref(o.parent) if o.parent else None,
            "secretary_name": o.secretary_name,
            "member_count": o.member_count,
            "verified_at": o.verified_at,
            "stale": _stale(o.verified_at, stale_from),
            "updated_at": o.updated_at,
        }


class PartyDetailOut(PartyOut):
    children: list[PartyRef] = Field(..., description="The links below it the user may see")


class PartyFilter(Schema):
    kind: PartyOrgKind | None = None
    under: str | None = UNDER


class PartyIn(Schema):
    kind: PartyOrgKind
    name: str = Field(..., min_length=1, max_length=200)
    region_code: str = Field(
        ...,
        pattern=r"^[0-9]{9}([0-9]{3}){0,3}$",
        description="Street for 党工委, community, grid; grid or unit for 党员联系户",
    )
    secretary_name: str = Field("", max_length=64)
    member_count: int = Field(0, ge=0, le=1_000_000)


def _party(request: HttpRequest, pk: int) -> dict[str, Any]:
    o = selectors.get_party_for_user(request.user, pk)
    return {
        **PartyOut.from_org(o, stale_before()),
        "children": [_party_ref(c) for c in selectors.visible_children(request.user, o)],
    }


@router.get(
    "/organisations/party",
    response=list[PartyOut],
    summary="Party organisations in the user's scope (党工委 → 社区 → 网格 → 联系户)",
)
@paginate(Paged)
def list_party(request: HttpRequest, filters: Query[PartyFilter]) -> Any:
    _check_under(filters.under)
    qs = selectors.party_filtered(
        request.user, kind=filters.kind, under=filters.under
    ).select_related("parent")
    return _Page(qs, PartyOut.from_org)


@router.post(
    "/organisations/party",
    response={201: PartyDetailOut, **ERRORS},
    summary="Register a party organisation (its parent is found from the hierarchy)",
)
def create_party(request: HttpRequest, payload: PartyIn) -> Status[dict[str, Any]]:
    o = _call(
        actions.do_create_party_organisation,
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        region_code=payload.region_code,
        secretary_name=payload.secretary_name,
        member_count=payload.member_count,
    )
    return Status(201, _party(request, o.pk))


@router.get(
    "/organisations/party/{party_org_id}",
    response={200: PartyDetailOut, 404: ErrorOut},
    summary="One party organisation with the links below it",
)
def get_party(request: HttpRequest, party_org_id: int) -> dict[str, Any]:
    return _party(request, party_org_id)


@router.post(
    "/organisations/party/{party_org_id}/verify",
    response={200: PartyDetailOut, **ERRORS},
    summary="Verify a party organisation's entry (核实)",
    description=VERIFY_DESCRIPTION,
)
def verify_party(request: HttpRequest, party_org_id: int, payload: VerifyIn) -> dict[str, Any]:
    o = selectors.get_party_for_user(request.user, party_org_id)
    _call(actions.do_verify_organisation, o, actor=request.user, note=payload.note)
    return _party(request, o.pk)


# --- property companies -------------------------------------------------------------


class PropertyCompanyOut(Schema):
    id: int
    name: str
    uscc: str
    contact_name: str
    contact_phone: str = Field(..., description="Masked")
    address: str
    managed_units: list[str] = Field(
        ..., description="Grids and units it manages that the user may see"
    )
    verified_at: datetime | None
    stale: bool
    updated_at: datetime

    @staticmethod
    def from_company(c: PropertyCompany, stale_from: datetime) -> dict[str, Any]:
        return {
            "id": c.pk,
            "name": c.name,
            "uscc": c.uscc,
            "contact_name": c.contact_name,
            "contact_phone": mask_phone(c.contact_phone),
            "address": c.address,
            "managed_units": selectors.visible_units_of(c),
            "verified_at": c.verified_at,
            "stale": _stale(c.verified_at, stale_from),
            "updated_at": c.updated_at,
        }


class PropertyCompanyFilter(Schema):
    under: str | None = UNDER


class PropertyCompanyIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    managed_units: list[str] = Field(
        ..., min_length=1, max_length=500, description="Codes of the grids or units it manages"
    )
    uscc: str = Field("", max_length=32)
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=32)
    address: str = Field("", max_length=200)


def _company(request: HttpRequest, pk: int) -> dict[str, Any]:
    c = selectors.get_property_company_for_user(request.user, pk)
    return PropertyCompanyOut.from_company(c, stale_before())


@router.get(
    "/organisations/property-companies",
    response=list[PropertyCompanyOut],
    summary="Property companies managing places in the user's scope",
)
@paginate(Paged)
def list_property_companies(request: HttpRequest, filters: Query[PropertyCompanyFilter]) -> Any:
    _check_under(filters.under)
    qs = selectors.property_companies_filtered(request.user, under=filters.under)
    return _Page(qs, PropertyCompanyOut.from_company)


@router.post(
    "/organisations/property-companies",
    response={201: PropertyCompanyOut, **ERRORS},
    summary="Register a property company and the places it manages",
)
def create_property_company(
    request: HttpRequest, payload: PropertyCompanyIn
) -> Status[dict[str, Any]]:
    c = _call(
        actions.do_create_property_company,
        actor=request.user,
        name=payload.name,
        managed_units=payload.managed_units,
        uscc=payload.uscc,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        address=payload.address,
    )
    return Status(201, _company(request, c.pk))


@router.get(
    "/organisations/property-companies/{company_id}",
    response={200: PropertyCompanyOut, 404: ErrorOut},
    summary="One property company",
)
def get_property_company(request: HttpRequest, company_id: int) -> dict[str, Any]:
    return _company(request, company_id)


@router.post(
    "/organisations/property-companies/{company_id}/verify",
    response={200: PropertyCompanyOut, **ERRORS},
    summary="Verify a property company's entry (核实)",
    description=VERIFY_DESCRIPTION,
)
def verify_property_company(
    request: HttpRequest, company_id: int, payload: VerifyIn
) -> dict[str, Any]:
    c = selectors.get_property_company_for_user(request.user, company_id)
    _call(actions.do_verify_organisation, c, actor=request.user, note=payload.note)
    return _company(request, c.pk)


# --- social organisations -----------------------------------------------------------


class SocialOut(Schema):
    id: int
    name: str
    kind: SocialOrgKind
    kind_label: str
    uscc: str
    contact_name: str
    contact_phone: str = Field(..., description="Masked")
    region_code: str
    member_count: int
    activities: str
    verified_at: datetime | None
    stale: bool
    updated_at: datetime

    @staticmethod
    def from_org(o: SocialOrganisation, stale_from: datetime) -> dict[str, Any]:
        return {
            "id": o.pk,
            "name": o.name,
            "kind": o.kind,
            "kind_label": o.get_kind_display(),
            "uscc": o.uscc,
            "contact_name": o.contact_name,
            "contact_phone": mask_phone(o.contact_phone),
            "region_code": o.region_code,
            "member_count": o.member_count,
            "activities": o.activities,
            "verified_at": o.verified_at,
            "stale": _stale(o.verified_at, stale_from),
            "updated_at": o.updated_at,
        }


class SocialFilter(Schema):
    kind: SocialOrgKind | None = None
    under: str | None = UNDER


class SocialIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: SocialOrgKind
    region_code: str = Field(
        ..., pattern=r"^[0-9]{12}([0-9]{3}){0,2}$", description="Community, grid or unit"
    )
    uscc: str = Field("", max_length=32)
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=32)
    member_count: int = Field(0, ge=0, le=1_000_000)
    activities: str = Field("", max_length=2000)


def _social(request: HttpRequest, pk: int) -> dict[str, Any]:
    return SocialOut.from_org(selectors.get_social_for_user(request.user, pk), stale_before())


@router.get(
    "/organisations/social",
    response=list[SocialOut],
    summary="Social organisations in the user's scope",
)
@paginate(Paged)
def list_social(request: HttpRequest, filters: Query[SocialFilter]) -> Any:
    _check_under(filters.under)
    qs = selectors.social_filtered(request.user, kind=filters.kind, under=filters.under)
    return _Page(qs, SocialOut.from_org)


@router.post(
    "/organisations/social",
    response={201: SocialOut, **ERRORS},
    summary="Register a social organisation",
)
def create_social(request: HttpRequest, payload: SocialIn) -> Status[dict[str, Any]]:
    o = _call(
        actions.do_create_social_organisation,
        actor=request.user,
        name=payload.name,
        kind=payload.kind,
        region_code=payload.region_code,
        uscc=payload.uscc,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        member_count=payload.member_count,
        activities=payload.activities,
    )
    return Status(201, _social(request, o.pk))


@router.get(
    "/organisations/social/{social_org_id}",
    response={200: SocialOut, 404: ErrorOut},
    summary="One social organisation",
)
def get_social(request: HttpRequest, social_org_id: int) -> dict[str, Any]:
    return _social(request, social_org_id)


@router.post(
    "/organisations/social/{social_org_id}/verify",
    response={200: SocialOut, **ERRORS},
    summary="Verify a social organisation's entry (核实)",
    description=VERIFY_DESCRIPTION,
)
def verify_social(request: HttpRequest, social_org_id: int, payload: VerifyIn) -> dict[str, Any]:
    o = selectors.get_social_for_user(request.user, social_org_id)
    _call(actions.do_verify_organisation, o, actor=request.user, note=payload.note)
    return _social(request, o.pk)
