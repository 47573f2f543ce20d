"""Writes to assets: register, record an inspection (maintenance, repair), change the state.

Each action runs in one transaction, checks the actor's rights at the asset's
place, validates with field-level messages in the user's language and writes an audit
row (texts stored in the log stay in the installation's language).
``actor=None`` is the system (seed, imports).
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.models import Department
from wangge.assets import selectors
from wangge.assets.choices import RECORDED_KINDS, AssetState, InspectionResult, LogKind
from wangge.assets.models import Asset, AssetType, InspectionLog
from wangge.audit.actions import record
from wangge.lib import codes
from wangge.lib.errors import Refusal
from wangge.regions import spatial
from wangge.regions.models import Region

MAX_NOTE = 2000
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,31}$")
#: How far in the future a recorded time may lie (phone clocks drift).
CLOCK_SKEW = timedelta(minutes=5)

INVALID = gettext_lazy("The input is invalid; please check the fields.")
OUTSIDE = gettext_lazy("This place is not in a grid of your area.")


class AssetError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages in the user's language."""


class AssetConflict(AssetError):
    """Illegal in the asset's current state, or somebody else changed it first."""

    status = 409
    code = "conflict"


class AssetForbidden(AssetError):
    """The user sees the asset (or the form) but may not take this action."""

    status = 403
    code = "forbidden"


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _actor_label(actor: Any) -> str:
    if not _is_user(actor):
        return "系统"  # stored in the log: in the installation's language
    return str(getattr(actor, "display_name", "") or actor.get_username())[:150]


def _text(value: str | None, *, limit: int = MAX_NOTE) -> str:
    return (value or "").strip()[:limit]


def _state_label(state: str) -> str:
    return str(AssetState(state).label) if state in AssetState.values else state


def _valid_point(lng: Any, lat: Any) -> bool:
    return (
        isinstance(lng, int | float)
        and isinstance(lat, int | float)
        and math.isfinite(lng)
        and math.isfinite(lat)
        and -180 <= lng <= 180
        and -90 <= lat <= 90
    )


def _place(region_code: str | None, lng: float, lat: float) -> str | None:
    """The grid or unit the asset belongs to: the given code if it exists, else the point's."""
    wanted = (region_code or "").strip()
    if wanted:
        if not codes.is_valid(wanted) or codes.level_of(wanted) not in (
            codes.Level.GRID,
            codes.Level.UNIT,
        ):
            return None
        return wanted if Region.objects.filter(code=wanted).exists() else None
    location = spatial.locate(lng, lat)
    return location.unit_code or location.grid_code


def _department(value: str | int | Department | None, district_code: str) -> Department | None:
    if value is None or value == "":
        return None
    if isinstance(value, Department):
        found: Department | None = value if value.district.code == district_code else None
    elif isinstance(value, int) or str(value).isdigit():
        found = Department.objects.filter(pk=int(value), district__code=district_code).first()
    else:
        found = Department.objects.filter(
            code=str(value).strip(), district__code=district_code
        ).first()
    if found is None:
        raise AssetError(
            INVALID,
            {
                "owner_department": _(
                    "Unknown department, or it is not of the district the part is in."
                )
            },
        )
    return found


def _snapshot(asset: Asset) -> dict[str, Any]:
    return {
        "type": asset.type.code,
        "code": asset.code,
        "region_code": asset.region_code,
        "state": asset.state,
        "owner_department": asset.owner_department_id,
        "is_new": asset.is_new,
    }


@transaction.atomic
def do_create_asset(
    *,
    actor: Any,
    type_code: str,
    lng: float,
    lat: float,
    region_code: str | None = None,
    code: str = "",
    name: str = "",
    address: str = "",
    state: str = AssetState.NORMAL,
    owner_department: str | int | Department | None = None,
    installed_on: date | None = None,
    is_new: bool = False,
    notes: str = "",
    now: datetime | None = None,
) -> Asset:
    """Register a city part at a point (in a grid or unit the actor may add assets to)."""
    if actor is not None and not selectors.can_add_anywhere(actor):
        raise AssetForbidden(_("You may not register city parts."))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    found = AssetType.objects.filter(code=(type_code or "").strip(), is_active=True).first()
    if found is None:
        errors["type"] = _("Unknown type of city part.")
    place: str | None = None
    if not _valid_point(lng, lat):
        errors["lng"] = errors["lat"] = _("Invalid coordinates.")
    else:
        place = _place(region_code, lng, lat)
        if place is None or (actor is not None and not selectors.can_add_at(actor, place)):
            # A place that does not exist and one outside the actor's area answer alike.
            if region_code:
                errors["region_code"] = str(OUTSIDE)
            else:
                errors["lng"] = errors["lat"] = str(OUTSIDE)
    number = _text(code, limit=64).upper()
    if number and not CODE_RE.match(number):
        errors["code"] = _(
            "The number may hold only letters, digits and hyphens, at most 32 characters."
        )
    if state not in AssetState.values:
        errors["state"] = _("Unknown state.")
    elif state == AssetState.RETIRED:
        errors["state"] = _("A newly registered part cannot be “%(state)s”.") % {
            "state": AssetState.RETIRED.label
        }
    if installed_on is not None and installed_on > timezone.localdate(now):
        errors["installed_on"] = _("The installation date cannot be later than today.")
    department: Department | None = None
    if place is not None:
        try:
            department = _department(owner_department, place[:6])
        except AssetError as exc:
            errors.update(exc.fields)
    if errors:
        raise AssetError(INVALID, errors)
    assert found is not None and place is not None  # noqa: S101 - narrowed by the checks above
    asset = Asset(
        type=found,
        code=number or f"tmp-{uuid.uuid4().hex[:24]}",
        name=_text(name, limit=100),
        district_code=place[:6],
        region_code=place,
        lng=float(lng),
        lat=float(lat),
        address=_text(address, limit=200),
        state=state,
        owner_department=department,
        installed_on=installed_on,
        is_new=bool(is_new),
        notes=_text(notes),
        verified_at=now,
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        raise AssetError(
            INVALID, {"code": _("Another part of this district already has this number.")}
        ) from None
    if not number:
        # Numbers nobody typed are the type's prefix and the row id: unique by construction.
        asset.code = f"{found.prefix}-{asset.pk:07d}"
        Asset.objects.filter(pk=asset.pk).update(code=asset.code)
    record("assets.create", actor=actor, obj=asset, after=_snapshot(asset))
    return asset


def _locked(asset: Asset) -> Asset:
    """A fresh copy of the asset, row-locked until the transaction ends."""
    return (
        Asset.objects.select_for_update(of=("self",))
        .select_related("type", "owner_department")
        .get(pk=asset.pk)
    )


#: The state an observation points to.
_OBSERVED = {
    InspectionResult.NORMAL: AssetState.NORMAL,
    InspectionResult.FIXED: AssetState.NORMAL,
    InspectionResult.DAMAGED: AssetState.DAMAGED,
    InspectionResult.MISSING: AssetState.MISSING,
}


def _state_after(state: str, result: str) -> str:
    observed = _OBSERVED[InspectionResult(result)]
    if state == AssetState.UNDER_REPAIR and observed == AssetState.DAMAGED:
        return state  # still broken, and already being repaired
    if state == AssetState.UNDER_REPAIR and result == InspectionResult.NORMAL:
        return state  # only a repair or maintenance that fixed it ends the repair
    return observed


@transaction.atomic
def do_record_inspection(
    asset: Asset,
    *,
    actor: Any,
    result: str,
    kind: str = LogKind.INSPECTION,
    note: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
) -> InspectionLog:
    """Record what was found (巡检) or done (养护、维修) on site.

    The asset's state follows the observation: found damaged or missing, it becomes
    so; fixed by maintenance or repair, it is normal again.  The visit also counts
    as a verification of the record (``verified_at``).
    """
    if actor is not None and not selectors.may(actor, "assets.inspect_asset", asset):
        raise AssetForbidden(_("You may not record inspections or maintenance of this part."))
    now = now or timezone.now()
    asset = _locked(asset)
    if asset.state == AssetState.RETIRED:
        raise AssetConflict(_("A retired part takes no more inspections or maintenance."))
    errors: dict[str, str] = {}
    if kind not in RECORDED_KINDS:
        errors["kind"] = _("Must be an inspection, maintenance or a repair.")
    if result not in InspectionResult.values:
        errors["result"] = _("Unknown result.")
    elif result == InspectionResult.FIXED and kind == LogKind.INSPECTION:
        errors["result"] = _(
            "An inspection cannot find the part “%(fixed)s”: record maintenance or a repair."
        ) % {"fixed": InspectionResult.FIXED.label}
    text = _text(note)
    if result in (InspectionResult.DAMAGED, InspectionResult.MISSING) and not text:
        errors["note"] = _("Please describe the problem found.")
    when = at or now
    if when > now + CLOCK_SKEW:
        errors["at"] = _("The time cannot be later than now.")
    if errors:
        raise AssetError(INVALID, errors)
    before = asset.state
    after = _state_after(before, result)
    log = InspectionLog.objects.create(
        asset=asset,
        kind=kind,
        result=result,
        note=text,
        state_before=before,
        state_after=after,
        by=actor if _is_user(actor) else None,
        by_label=_actor_label(actor),
        at=when,
    )
    changes: dict[str, Any] = {"verified_at": now, "updated_at": now}
    if asset.last_inspected_at is None or when > asset.last_inspected_at:
        changes["last_inspected_at"] = when
    if after != before:
        changes["state"] = after
        changes["version"] = asset.version + 1
    Asset.objects.filter(pk=asset.pk).update(**changes)
    for name, value in changes.items():
        setattr(asset, name, value)
    record(
        f"assets.{kind}",
        actor=actor,
        obj=asset,
        before={"state": before},
        after={"state": after, "result": result, "log": log.pk},
        reason=text,
    )
    return log


@transaction.atomic
def do_change_asset_state(
    asset: Asset,
    *,
    actor: Any,
    state: str,
    reason: str,
    version: int | None = None,
    now: datetime | None = None,
) -> Asset:
    """Set the state (报修 → 维修中, 报废…) with a reason; 409 if somebody changed it first."""
    if actor is not None and not selectors.may(actor, "assets.change_asset", asset):
        raise AssetForbidden(_("You may not change the state of this part."))
    now = now or timezone.now()
    asset = _locked(asset)
    if version is not None and version != asset.version:
        raise AssetConflict(
            _("Someone else has changed this part; please reload and try again."),
            {"version": _("Out-of-date version.")},
        )
    if state not in AssetState.values:
        raise AssetError(INVALID, {"state": _("Unknown state.")})
    if asset.state == AssetState.RETIRED:
        raise AssetConflict(_("The state of a retired part cannot change any more."))
    if state == asset.state:
        raise AssetConflict(
            _("This part is already “%(state)s”.") % {"state": _state_label(state)},
            {"state": _("The state has not changed.")},
        )
    text = _text(reason)
    if not text:
        raise AssetError(INVALID, {"reason": _("Please give the reason.")})
    before = asset.state
    updated = Asset.objects.filter(pk=asset.pk, version=asset.version).update(
        state=state, version=asset.version + 1, updated_at=now
    )
    if updated != 1:  # pragma: no cover - the row lock makes this unreachable
        raise AssetConflict(_("Someone else has changed this part; please reload and try again."))
    asset.state, asset.version, asset.updated_at = state, asset.version + 1, now
    InspectionLog.objects.create(
        asset=asset,
        kind=LogKind.STATE_CHANGE,
        note=text,
        state_before=before,
        state_after=state,
        by=actor if _is_user(actor) else None,
        by_label=_actor_label(actor),
        at=now,
    )
    record(
        "assets.change_state",
        actor=actor,
        obj=asset,
        before={"state": before},
        after={"state": state, "version": asset.version},
        reason=text,
    )
    return asset
