"""Writes to the organisation registries: register, and verify (核实) a record.

Each action runs in one transaction, checks the actor's right at the place,
validates with field-level messages in the user's language (统一社会信用代码 through
``stdnum.cn.uscc``, phone numbers) and writes an audit row, in which phones
appear masked.  ``actor=None`` is the system (seed, imports).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from wangge.accounts.scope import prefix_q
from wangge.audit.actions import record
from wangge.lib import codes
from wangge.lib.crypto import mask_phone
from wangge.lib.errors import Refusal
from wangge.organisations import selectors
from wangge.organisations.choices import (
    PARTY_LEVELS,
    PARTY_ONE_PER_PLACE,
    PARTY_PARENT,
    EnterpriseKind,
    FireRisk,
    GasUse,
    Industry,
    PartyOrgKind,
    SocialOrgKind,
)
from wangge.organisations.models import (
    Enterprise,
    ManagedUnit,
    PartyOrganisation,
    PropertyCompany,
    SocialOrganisation,
)
from wangge.regions.models import Region

INVALID = gettext_lazy("The input is invalid; please check the fields.")
OUTSIDE = gettext_lazy("No such grid or minimal unit, or it is outside your area.")
MAX_NOTE = 2000
MAX_MANAGED = 500
#: Where a kind of party organisation is set up, by its levels (``%(kind)s``: its label).
PLACED_AT = {
    (codes.Level.STREET,): gettext_lazy("A %(kind)s is set up at a street (town)."),
    (codes.Level.COMMUNITY,): gettext_lazy("A %(kind)s is set up at a village (community)."),
    (codes.Level.GRID,): gettext_lazy("A %(kind)s is set up at a grid."),
    (codes.Level.GRID, codes.Level.UNIT): gettext_lazy(
        "%(kind)s are set up at a grid or minimal unit."
    ),
}
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")


class OrganisationError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages in the user's language."""


class OrganisationForbidden(OrganisationError):
    status = 403
    code = "forbidden"


def _text(value: str | None, *, limit: int = 200) -> str:
    return (value or "").strip()[:limit]


def _forbid_unless(actor: Any, perm: str, message: str) -> None:
    if actor is not None and not selectors.can(actor, perm):
        raise OrganisationForbidden(message)


def clean_uscc(value: str | None, *, required: bool = False) -> tuple[str, str | None]:
    """The compact code and ``None``, or the value as given and a message for the user."""
    raw = (value or "").strip()
    if not raw:
        return "", (_("Please enter the unified social credit code.") if required else None)
    try:
        return str(stdnum_uscc.validate(raw)), None
    except InvalidLength:
        return raw, _("A unified social credit code has 18 characters.")
    except InvalidChecksum:
        return raw, _(
            "The check character of the unified social credit code is wrong; please check it."
        )
    except ValidationError:
        return (
            raw,
            _(
                "Invalid unified social credit code: the first 8 characters are digits, the "
                "others digits or capital letters (not I, O, Z, S, V)."
            ),
        )


def clean_phone(value: str | None) -> tuple[str, str | None]:
    """A mobile (13812341234) or landline (0750-1234567) number, or a message for the user."""
    raw = re.sub(r"[\s()（）]", "", value or "")
    if not raw:
        return "", None
    if raw.startswith("+86"):
        raw = raw[3:]
    if MOBILE.match(raw.replace("-", "")):
        return raw.replace("-", ""), None
    if LANDLINE.match(raw):
        return raw, None
    return raw, _(
        "Invalid phone number (a mobile number has 11 digits; a landline is area code-number)."
    )


def _place(actor: Any, perm: str, code: str | None, levels: Sequence[codes.Level]) -> str | None:
    """``code`` if it is a node of one of ``levels`` that exists and the actor may write at."""
    wanted = (code or "").strip()
    if not codes.is_valid(wanted) or codes.level_of(wanted) not in levels:
        return None
    if actor is not None and not selectors.can(actor, perm, wanted):
        return None
    return wanted if Region.objects.filter(code=wanted).exists() else None


def _locate(lng: float | None, lat: float | None) -> str | None:
    if lng is None or lat is None:
        return None
    from wangge.regions import spatial

    location = spatial.locate(lng, lat)
    return location.unit_code or location.grid_code


def _count(value: int | None, field_name: str, errors: dict[str, str]) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or value < 0 or value > 1_000_000:
        errors[field_name] = _("Must be a whole number from 0 to 1000000.")
        return 0
    return value


def _choice(value: str, allowed: Sequence[str], field_name: str, errors: dict[str, str]) -> None:
    if value not in allowed:
        errors[field_name] = _("Not one of the allowed values.")


def derive_fire_risk(
    *, uses_gas: str, has_gas_alarm: bool, hazardous_chemicals: bool, employee_count: int
) -> str:
    """高: hazardous chemicals, or bottled gas without an alarm; 中: gas, or 50+ people; else 低."""
    if hazardous_chemicals or (uses_gas == GasUse.LPG and not has_gas_alarm):
        return FireRisk.HIGH
    if uses_gas != GasUse.NONE or employee_count >= 50:
        return FireRisk.MEDIUM
    return FireRisk.LOW


def _saved[M: Model](obj: M, uscc_field: str = "uscc") -> M:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise OrganisationError(
            INVALID, {uscc_field: _("This unified social credit code is already registered.")}
        ) from None
    return obj


# --- enterprises ------------------------------------------------------------------


@transaction.atomic
def do_create_enterprise(
    *,
    actor: Any,
    name: str,
    kind: str,
    region_code: str | None = None,
    lng: float | None = None,
    lat: float | None = None,
    uscc: str = "",
    industry: str = "",
    legal_person: str = "",
    legal_person_phone: str = "",
    address: str = "",
    employee_count: int | None = 0,
    uses_gas: str = GasUse.NONE,
    has_gas_alarm: bool = False,
    hazardous_chemicals: bool = False,
    fire_risk_level: str | None = None,
    is_operating: bool = True,
    notes: str = "",
    now: datetime | None = None,
) -> Enterprise:
    """Register an enterprise, shop or individual business at a grid or unit.

    The place is ``region_code`` or, without one, the unit (grid) holding
    ``lng``/``lat``.  Enterprises need a valid 统一社会信用代码; shops and individual
    businesses may leave it empty.  Without ``fire_risk_level`` it is derived
    from the safety attributes (``derive_fire_risk``).
    """
    perm = "organisations.add_enterprise"
    _forbid_unless(actor, perm, _("You may not register enterprises or shops."))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = _text(name)
    if not title:
        errors["name"] = _("Please enter its name.")
    _choice(kind, EnterpriseKind.values, "kind", errors)
    if industry:
        _choice(industry, Industry.values, "industry", errors)
    code, message = clean_uscc(uscc, required=kind == EnterpriseKind.ENTERPRISE)
    if message:
        errors["uscc"] = message
    phone, message = clean_phone(legal_person_phone)
    if message:
        errors["legal_person_phone"] = message
    _choice(uses_gas, GasUse.values, "uses_gas", errors)
    if fire_risk_level is not None:
        _choice(fire_risk_level, FireRisk.values, "fire_risk_level", errors)
    employees = _count(employee_count, "employee_count", errors)
    point_given = lng is not None and lat is not None
    place = _place(
        actor, perm, region_code or _locate(lng, lat), (codes.Level.GRID, codes.Level.UNIT)
    )
    if place is None:
        if region_code or point_given:
            errors["region_code" if region_code else "lng"] = str(OUTSIDE)
        else:
            errors["region_code"] = _("Please give the grid or minimal unit, or the coordinates.")
    if errors:
        raise OrganisationError(INVALID, errors)
    assert place is not None  # noqa: S101 - narrowed above
    enterprise = _saved(
        Enterprise(
            name=title,
            uscc=code,
            kind=kind,
            industry=industry,
            legal_person=_text(legal_person, limit=64),
            legal_person_phone=phone,
            address=_text(address),
            district_code=place[:6],
            region_code=place,
            lng=lng,
            lat=lat,
            employee_count=employees,
            uses_gas=uses_gas,
            has_gas_alarm=bool(has_gas_alarm),
            hazardous_chemicals=bool(hazardous_chemicals),
            fire_risk_level=fire_risk_level
            or derive_fire_risk(
                uses_gas=uses_gas,
                has_gas_alarm=bool(has_gas_alarm),
                hazardous_chemicals=bool(hazardous_chemicals),
                employee_count=employees,
            ),
            is_operating=bool(is_operating),
            notes=_text(notes, limit=MAX_NOTE),
            verified_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    record(
        "organisations.create_enterprise",
        actor=actor,
        obj=enterprise,
        after={
            "name": enterprise.name,
            "kind": kind,
            "uscc": code,
            "legal_person_phone": mask_phone(phone),
            "region_code": place,
        },
    )
    return enterprise


# --- party organisations ------------------------------------------------------------


def _party_parent(kind: str, code: str) -> PartyOrganisation | None:
    parent_kind = PARTY_PARENT[kind]
    if parent_kind is None:
        return None
    level = PARTY_LEVELS[parent_kind][0]
    return (
        PartyOrganisation.objects.filter(
            kind=parent_kind, region_code=code[: codes.CODE_LENGTH[level]]
        )
        .order_by("id")
        .first()
    )


@transaction.atomic
def do_create_party_organisation(
    *,
    actor: Any,
    kind: str,
    name: str,
    region_code: str,
    secretary_name: str = "",
    member_count: int | None = 0,
    now: datetime | None = None,
) -> PartyOrganisation:
    """Register a link of the party chain at its node; its parent is found from the hierarchy.

    Organisations registered earlier one link down, under the same node and
    still without a parent, are attached to the new one.
    """
    perm = "organisations.add_partyorganisation"
    _forbid_unless(actor, perm, _("You may not register Party organisations."))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if kind not in PartyOrgKind.values:
        errors["kind"] = _("Not one of the allowed values.")
        raise OrganisationError(INVALID, errors)
    label = PartyOrgKind(kind).label
    title = _text(name)
    if not title:
        errors["name"] = _("Please enter its name.")
    members = _count(member_count, "member_count", errors)
    levels = PARTY_LEVELS[kind]
    wanted = (region_code or "").strip()
    if codes.is_valid(wanted) and codes.level_of(wanted) not in levels:
        errors["region_code"] = str(PLACED_AT[levels]) % {"kind": label}
    else:
        place = _place(actor, perm, wanted, levels)
        if place is None:
            errors["region_code"] = _("No such node, or it is outside your area.")
        elif (
            kind in PARTY_ONE_PER_PLACE
            and PartyOrganisation.objects.filter(kind=kind, region_code=place).exists()
        ):
            errors["region_code"] = _("This node already has its %(kind)s.") % {"kind": label}
    if errors:
        raise OrganisationError(INVALID, errors)
    org = PartyOrganisation(
        kind=kind,
        name=title,
        parent=_party_parent(kind, wanted),
        region_code=wanted,
        secretary_name=_text(secretary_name, limit=64),
        member_count=members,
        verified_at=now,
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise OrganisationError(
            INVALID, {"region_code": _("This node already has its %(kind)s.") % {"kind": label}}
        ) from None
    child_kind = next((k for k, p in PARTY_PARENT.items() if p == kind), None)
    adopted = 0
    if child_kind is not None:
        adopted = PartyOrganisation.objects.filter(
            prefix_q("region_code", [wanted]), kind=child_kind, parent__isnull=True
        ).update(parent=org, updated_at=now)
    record(
        "organisations.create_party",
        actor=actor,
        obj=org,
        after={
            "kind": kind,
            "name": org.name,
            "parent": org.parent_id,
            "member_count": members,
            "adopted": adopted,
        },
    )
    return org


# --- property companies -------------------------------------------------------------


@transaction.atomic
def do_create_property_company(
    *,
    actor: Any,
    name: str,
    managed_units: Sequence[str],
    uscc: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    now: datetime | None = None,
) -> PropertyCompany:
    """Register a property company with the grids or units (小区、楼栋) it manages."""
    perm = "organisations.add_propertycompany"
    _forbid_unless(actor, perm, _("You may not register property companies."))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = _text(name)
    if not title:
        errors["name"] = _("Please enter its name.")
    code, message = clean_uscc(uscc)
    if message:
        errors["uscc"] = message
    phone, message = clean_phone(contact_phone)
    if message:
        errors["contact_phone"] = message
    places: list[str] = []
    refused: list[str] = []
    for item in managed_units or []:
        wanted = str(item).strip()
        if wanted in places:
            continue
        place = _place(actor, perm, wanted, (codes.Level.GRID, codes.Level.UNIT))
        if place is None:
            refused.append(wanted[:18])
        else:
            places.append(place)
    if refused:
        errors["managed_units"] = _(
            "No such grid or minimal unit, or it is outside your area: %(codes)s"
        ) % {"codes": _(", ").join(refused[:20])}
    elif not places:
        errors["managed_units"] = _("Choose at least one grid or minimal unit that it manages.")
    elif len(places) > MAX_MANAGED:
        errors["managed_units"] = _("At most %(max)d.") % {"max": MAX_MANAGED}
    if errors:
        raise OrganisationError(INVALID, errors)
    company = _saved(
        PropertyCompany(
            name=title,
            uscc=code,
            contact_name=_text(contact_name, limit=64),
            contact_phone=phone,
            address=_text(address),
            verified_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    ManagedUnit.objects.bulk_create([ManagedUnit(company=company, region_code=p) for p in places])
    record(
        "organisations.create_property_company",
        actor=actor,
        obj=company,
        region_code=places[0],
        after={
            "name": company.name,
            "uscc": code,
            "contact_phone": mask_phone(phone),
            "managed_units": places,
        },
    )
    return company


# --- social organisations -----------------------------------------------------------


@transaction.atomic
def do_create_social_organisation(
    *,
    actor: Any,
    name: str,
    kind: str,
    region_code: str,
    uscc: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    member_count: int | None = 0,
    activities: str = "",
    now: datetime | None = None,
) -> SocialOrganisation:
    """Register a social organisation active in a community, grid or unit."""
    perm = "organisations.add_socialorganisation"
    _forbid_unless(actor, perm, _("You may not register social organisations."))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = _text(name)
    if not title:
        errors["name"] = _("Please enter its name.")
    _choice(kind, SocialOrgKind.values, "kind", errors)
    code, message = clean_uscc(uscc)
    if message:
        errors["uscc"] = message
    phone, message = clean_phone(contact_phone)
    if message:
        errors["contact_phone"] = message
    members = _count(member_count, "member_count", errors)
    place = _place(
        actor, perm, region_code, (codes.Level.COMMUNITY, codes.Level.GRID, codes.Level.UNIT)
    )
    if place is None:
        errors["region_code"] = _(
            "No such village (community), grid or minimal unit, or it is outside your area."
        )
    if errors:
        raise OrganisationError(INVALID, errors)
    assert place is not None  # noqa: S101 - narrowed above
    org = _saved(
        SocialOrganisation(
            name=title,
            kind=kind,
            uscc=code,
            contact_name=_text(contact_name, limit=64),
            contact_phone=phone,
            region_code=place,
            member_count=members,
            activities=_text(activities, limit=MAX_NOTE),
            verified_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    record(
        "organisations.create_social",
        actor=actor,
        obj=org,
        after={
            "name": org.name,
            "kind": kind,
            "uscc": code,
            "contact_phone": mask_phone(phone),
        },
    )
    return org


# --- verification ---------------------------------------------------------------------

Verifiable = Enterprise | PartyOrganisation | PropertyCompany | SocialOrganisation


@transaction.atomic
def do_verify_organisation[V: Verifiable](
    obj: V, *, actor: Any, note: str = "", now: datetime | None = None
) -> V:
    """Record that the entry was checked on site and is still right (核实): ``verified_at``."""
    model = obj._meta.model_name
    perm = f"organisations.change_{model}"
    if actor is not None:
        if isinstance(obj, PropertyCompany):
            allowed = selectors.can_change_company(actor, obj)
        else:
            allowed = selectors.can(actor, perm, obj.region_code)
        if not allowed:
            raise OrganisationForbidden(_("You may not verify this entry."))
    now = now or timezone.now()
    type(obj).objects.filter(pk=obj.pk).update(verified_at=now, updated_at=now)
    obj.verified_at = obj.updated_at = now
    region_code = "" if isinstance(obj, PropertyCompany) else obj.region_code
    record(
        f"organisations.verify_{model}",
        actor=actor,
        obj=obj,
        region_code=region_code,
        reason=_text(note, limit=MAX_NOTE),
        after={"verified_at": now.isoformat()},
    )
    return obj
