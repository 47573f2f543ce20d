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
from django.utils.translation import gettext as _

from wangge.accounts.scope import scope_for
from wangge.audit.actions import record
from wangge.people.choices import UnmaskField
from wangge.people.errors import RecordError, RecordForbidden
from wangge.people.models import Person
from wangge.places.models import RentalHousing

UNMASK = "people.unmask_person"
MAX_REASON = 500


def _invalid(field: str, message: str) -> RecordError:
    return RecordError(_("Invalid input: please check the fields."), {field: message})


def _check(actor: Any, region_code: str, reason: str) -> str:
    if actor is not None and not scope_for(actor).can(UNMASK, region_code):
        raise RecordForbidden(_("You may not see the full personal details."))
    text = (reason or "").strip()
    if len(text) < 2:
        raise _invalid("reason", _("Please give the reason for viewing (at least 2 characters)."))
    if len(text) > MAX_REASON:
        raise _invalid(
            "reason",
            _("The reason may have at most %(count)d characters.") % {"count": MAX_REASON},
        )
    return text


@transaction.atomic
def do_unmask_person(person: Person, *, field: str, reason: str, actor: Any) -> str:
    """The clear ID number or phone of ``person``; audited as ``people.unmask``."""
    text = _check(actor, person.region_code, reason)
    if field not in UnmaskField.values:
        raise _invalid("field", _("Only the ID number or the phone can be viewed."))
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
