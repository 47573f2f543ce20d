"""Unmasking: seeing a personal identifier in clear is an action of its own.

Lists and details show ID numbers and phones masked (``440704********123X``,
``138****1234``).  The clear value comes only from these actions, which need
``people.unmask_person`` at the record's place and a reason, and which write
an audit row (who, which record, which field, why) before answering.  The
audit row never holds the value itself.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from wangge.accounts.scope import scope_for
from wangge.audit.actions import record
from wangge.people.choices import UnmaskField
from wangge.people.errors import INVALID, RecordError, RecordForbidden
from wangge.people.models import Person
from wangge.places.models import RentalHousing

UNMASK = "people.unmask_person"
MAX_REASON = 500


def _check(actor: Any, region_code: str, reason: str) -> str:
    if actor is not None and not scope_for(actor).can(UNMASK, region_code):
        raise RecordForbidden("您无权查看完整的个人信息")
    text = (reason or "").strip()
    if len(text) < 2:
        raise RecordError(INVALID, {"reason": "请填写查看原因（至少 2 个字）"})
    if len(text) > MAX_REASON:
        raise RecordError(INVALID, {"reason": f"原因不能超过 {MAX_REASON} 字"})
    return text


@transaction.atomic
def do_unmask_person(person: Person, *, field: str, reason: str, actor: Any) -> str:
    """The clear ID number or phone of ``person``; audited as ``people.unmask``."""
    text = _check(actor, person.region_code, reason)
    if field not in UnmaskField.values:
        raise RecordError(INVALID, {"field": "只能查看身份证号或联系电话"})
    value = str(getattr(person, field) or "")
    record(
        "people.unmask",
        actor=actor,
        obj=person,
        reason=text,
        after={"field": field, "empty": not value},
    )
    return value


@transaction.atomic
def do_unmask_landlord_phone(rental: RentalHousing, *, reason: str, actor: Any) -> str:
    """The clear phone of a rental building's landlord; audited as ``places.unmask``."""
    building = rental.building
    text = _check(actor, building.region_code, reason)
    value = rental.landlord_phone or ""
    record(
        "places.unmask",
        actor=actor,
        obj=building,
        reason=text,
        after={"field": "landlord_phone", "empty": not value},
    )
    return value
