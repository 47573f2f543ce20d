"""Writes to the population registry: one action per change, each with an audit row.

Every action runs in one transaction, validates its input with field-level
messages in the user's language (nothing is stored when one fails) and checks the actor's
rights at the person's place: ``people.add_person`` to register someone there,
``people.change_person`` to change or move them.  ``actor=None`` is the system
(imports, seed).  Audit rows never hold an ID number or phone in clear: they
carry the masked values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.audit.actions import record
from wangge.lib.crypto import mask_id_number, mask_phone
from wangge.people import selectors
from wangge.people.choices import PersonStatus, Relation, ResidenceType
from wangge.people.errors import INVALID, RecordConflict, RecordError, RecordForbidden
from wangge.people.models import Household, Person, PersonTag, ResidenceHistory, Tag
from wangge.people.pinyin import name_pinyin
from wangge.people.validation import InvalidValue, parse_id_number, parse_phone

MAX_NAME = 50
MAX_ADDRESS = 200
MAX_NOTES = 2000
UNKNOWN_REGION = gettext_lazy("Unknown grid or minimal unit, or outside your area.")
UNKNOWN_HOUSEHOLD = gettext_lazy("Unknown household.")

#: Fields ``do_update_person`` accepts.
UPDATABLE = frozenset(
    {
        "name",
        "id_number",
        "phone",
        "residence_type",
        "status",
        "registered_address",
        "residence_address",
        "notes",
        "tags",
        "household_id",
        "household_relation",
    }
)


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _user(actor: Any) -> Any:
    return actor if _is_user(actor) else None


def _text(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def snapshot(person: Person) -> dict[str, Any]:
    """The person as the audit log keeps it: identifiers masked."""
    return {
        "name": person.name,
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "residence_type": person.residence_type,
        "status": person.status,
        "region_code": person.region_code,
        "registered_address": person.registered_address,
        "residence_address": person.residence_address,
        "household_id": person.household_id,
        "household_relation": person.household_relation,
    }


def _check_name(name: str | None, errors: dict[str, str]) -> str:
    text = _text(name, 1000)
    if not text:
        errors["name"] = _("Please enter the name.")
    elif len(text) > MAX_NAME:
        errors["name"] = _("The name must be at most %(max)d characters.") % {"max": MAX_NAME}
    return text


def _check_choice(
    value: str | None, choices: Iterable[str], field: str, errors: dict[str, str]
) -> str:
    text = (value or "").strip()
    if text not in set(choices):
        errors[field] = _("Not one of the allowed values.")
    return text


def _check_tags(tag_codes: Sequence[str] | None, errors: dict[str, str]) -> list[Tag]:
    wanted = [c.strip() for c in tag_codes or [] if c and c.strip()]
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        return []
    found = {t.code: t for t in Tag.objects.filter(code__in=wanted, is_active=True)}
    missing = [c for c in wanted if c not in found]
    if missing:
        errors["tags"] = _("Unknown special groups: %(codes)s") % {"codes": _(", ").join(missing)}
        return []
    return [found[c] for c in wanted]


def _check_household(
    actor: Any, household_id: int | None, relation: str | None, errors: dict[str, str]
) -> tuple[Household | None, str]:
    if household_id is None:
        return None, ""
    qs = Household.objects.all() if actor is None else selectors.households_visible_to(actor)
    household = qs.filter(pk=household_id).first()
    if household is None:
        errors["household_id"] = str(UNKNOWN_HOUSEHOLD)
        return None, ""
    rel = (relation or "").strip()
    if not rel:
        errors["household_relation"] = _("Please choose the relation to the head of the household.")
    elif rel not in Relation.values:
        errors["household_relation"] = _("Not one of the allowed values.")
    return household, rel


def _set_tags(person: Person, tags: list[Tag], actor: Any) -> tuple[list[str], list[str]]:
    """Make the person's tags exactly ``tags``; (added, removed) codes."""
    current = {pt.tag.code: pt for pt in person.person_tags.select_related("tag")}
    wanted = {t.code: t for t in tags}
    removed = sorted(set(current) - set(wanted))
    added = [code for code in wanted if code not in current]
    if removed:
        PersonTag.objects.filter(pk__in=[current[c].pk for c in removed]).delete()
    PersonTag.objects.bulk_create(
        [PersonTag(person=person, tag=wanted[c], added_by=_user(actor)) for c in added]
    )
    return added, removed


def _place_in_household(person: Person, household: Household | None, relation: str) -> None:
    """Attach the person to ``household`` with ``relation`` (keeps ``household.head`` right)."""
    old = person.household
    if old is not None and old != household and old.head_id == person.pk:
        Household.objects.filter(pk=old.pk).update(head=None)
    person.household = household
    person.household_relation = relation if household is not None else ""
    if household is None:
        return
    if relation == Relation.HEAD:
        if household.head_id not in (None, person.pk):
            raise RecordConflict(
                INVALID, {"household_relation": _("This household already has a head.")}
            )
        Household.objects.filter(pk=household.pk).update(head=person)
        household.head = person
    elif household.head_id == person.pk:
        Household.objects.filter(pk=household.pk).update(head=None)
        household.head = None


def relocate_person(
    person: Person,
    *,
    region_code: str,
    address: str,
    on: date,
    actor: Any,
    note: str = "",
) -> bool:
    """Record that ``person`` lives at ``region_code``/``address`` from ``on``.

    Closes the open residence and opens a new one when the place or address
    changes; the caller saves nothing else and writes the audit row.  Part of
    the calling action's transaction.
    """
    address = _text(address, MAX_ADDRESS)
    changed = region_code != person.region_code or address != person.residence_address
    Person.objects.filter(pk=person.pk).update(
        region_code=region_code,
        residence_address=address,
        status=PersonStatus.ACTIVE,
        updated_at=timezone.now(),
    )
    person.region_code, person.residence_address = region_code, address
    person.status = PersonStatus.ACTIVE
    if changed:
        current = ResidenceHistory.objects.filter(person=person, ended_on__isnull=True).first()
        if current is not None and on < current.started_on:
            # Back-dated (a move recorded after the registration): the current entry was
            # wrong from its start, so it is corrected rather than closed before it began.
            ResidenceHistory.objects.filter(pk=current.pk).update(
                region_code=region_code, address=address, started_on=on
            )
            return changed
        if current is not None:
            ResidenceHistory.objects.filter(pk=current.pk).update(ended_on=on)
        ResidenceHistory.objects.create(
            person=person,
            region_code=region_code,
            address=address,
            started_on=on,
            note=_text(note, 200),
            recorded_by=_user(actor),
        )
    return changed


# --- register ------------------------------------------------------------------------


@transaction.atomic
def do_create_person(
    *,
    actor: Any,
    name: str,
    id_number: str,
    region_code: str,
    phone: str = "",
    residence_type: str = ResidenceType.REGISTERED,
    registered_address: str = "",
    residence_address: str = "",
    household_id: int | None = None,
    household_relation: str = "",
    tags: Sequence[str] | None = None,
    notes: str = "",
    since: date | None = None,
) -> Person:
    """Register a person living at ``region_code`` (a grid or minimal unit)."""
    errors: dict[str, str] = {}
    name = _check_name(name, errors)
    ident = None
    try:
        ident = parse_id_number(id_number)
    except InvalidValue as exc:
        errors["id_number"] = str(exc)
    clean_phone = ""
    try:
        clean_phone = parse_phone(phone)
    except InvalidValue as exc:
        errors["phone"] = str(exc)
    region = selectors.region_for_write(
        actor, region_code, selectors.ADD, selectors.RESIDENCE_LEVELS
    )
    if region is None:
        errors["region_code"] = str(UNKNOWN_REGION)
    residence_type = _check_choice(residence_type, ResidenceType.values, "residence_type", errors)
    tag_rows = _check_tags(tags, errors)
    household, relation = _check_household(actor, household_id, household_relation, errors)
    if len((notes or "").strip()) > MAX_NOTES:
        errors["notes"] = _("The notes must be at most %(max)d characters.") % {"max": MAX_NOTES}
    if ident is not None and "id_number" not in errors:
        # Only among the people the actor sees: registration elsewhere is not revealed.
        existing = selectors.find_visible_by_id_number(actor, ident.number)
        if existing is not None:
            errors["id_number"] = _(
                "This ID number is already registered (%(name)s, no. %(id)s)."
            ) % {"name": existing.name, "id": existing.pk}
    if errors:
        raise RecordError(INVALID, errors)
    assert ident is not None and region is not None  # noqa: S101 - narrowed by the checks
    full, initials = name_pinyin(name)
    person = Person(
        name=name,
        name_pinyin=full,
        name_initials=initials,
        id_number=ident.number,
        phone=clean_phone,
        gender=ident.gender,
        birth_date=ident.birth_date,
        residence_type=residence_type,
        registered_address=_text(registered_address, MAX_ADDRESS),
        residence_address=_text(residence_address, MAX_ADDRESS),
        region_code=region.code,
        notes=_text(notes, MAX_NOTES),
        created_by=_user(actor),
    )
    person.save()
    if household is not None:
        _place_in_household(person, household, relation)
        person.save(update_fields=["household", "household_relation"])
    _set_tags(person, tag_rows, actor)
    ResidenceHistory.objects.create(
        person=person,
        region_code=person.region_code,
        address=person.residence_address,
        started_on=since or timezone.localdate(),
        note="登记",
        recorded_by=_user(actor),
    )
    record(
        "people.create",
        actor=actor,
        obj=person,
        after={**snapshot(person), "tags": [t.code for t in tag_rows]},
    )
    return person


# --- change ----------------------------------------------------------------------------


def _lock(person: Person) -> Person:
    return (
        Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person.pk)
    )


@transaction.atomic
def do_update_person(person: Person, *, actor: Any, **changes: Any) -> Person:
    """Change some of ``UPDATABLE``; a new ID number also changes gender and birth date.

    ``tags`` replaces the person's special groups; ``household_id=None`` takes
    the person out of their household.
    """
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"not updatable: {sorted(unknown)}")
    if not selectors.may(actor, selectors.CHANGE, person.region_code):
        raise RecordForbidden(_("You may not change this person's details."))
    person = _lock(person)
    before = snapshot(person)
    errors: dict[str, str] = {}
    if "name" in changes:
        person.name = _check_name(changes["name"], errors)
        person.name_pinyin, person.name_initials = name_pinyin(person.name)
    if "id_number" in changes:
        try:
            ident = parse_id_number(changes["id_number"])
        except InvalidValue as exc:
            errors["id_number"] = str(exc)
        else:
            existing = selectors.find_visible_by_id_number(actor, ident.number)
            if existing is not None and existing.pk != person.pk:
                errors["id_number"] = _(
                    "This ID number is already registered (%(name)s, no. %(id)s)."
                ) % {"name": existing.name, "id": existing.pk}
            person.id_number = ident.number
            person.gender, person.birth_date = ident.gender, ident.birth_date
    if "phone" in changes:
        try:
            person.phone = parse_phone(changes["phone"] or "")
        except InvalidValue as exc:
            errors["phone"] = str(exc)
    if "residence_type" in changes:
        person.residence_type = _check_choice(
            changes["residence_type"], ResidenceType.values, "residence_type", errors
        )
    if "status" in changes:
        person.status = _check_choice(changes["status"], PersonStatus.values, "status", errors)
    for field in ("registered_address", "residence_address"):
        if field in changes:
            if len((changes[field] or "").strip()) > MAX_ADDRESS:
                errors[field] = _("The address must be at most %(max)d characters.") % {
                    "max": MAX_ADDRESS
                }
            setattr(person, field, _text(changes[field], MAX_ADDRESS))
    if "notes" in changes:
        if len((changes["notes"] or "").strip()) > MAX_NOTES:
            errors["notes"] = _("The notes must be at most %(max)d characters.") % {
                "max": MAX_NOTES
            }
        person.notes = _text(changes["notes"], MAX_NOTES)
    tag_rows: list[Tag] | None = None
    if "tags" in changes:
        tag_rows = _check_tags(changes["tags"], errors)
    household_change = "household_id" in changes or "household_relation" in changes
    household: Household | None = person.household
    relation = person.household_relation
    if household_change:
        household_id = changes.get("household_id", person.household_id)
        household, relation = _check_household(
            actor, household_id, changes.get("household_relation", relation), errors
        )
    if errors:
        raise RecordError(INVALID, errors)
    if household_change:
        _place_in_household(person, household, relation)
    address_changed = person.residence_address != before["residence_address"]
    person.save()
    if address_changed:
        # Through a change (not a move) the address is corrected: so is the current entry.
        ResidenceHistory.objects.filter(person=person, ended_on__isnull=True).update(
            address=person.residence_address
        )
    added: list[str] = []
    removed: list[str] = []
    if tag_rows is not None:
        added, removed = _set_tags(person, tag_rows, actor)
    after = snapshot(person)
    diff_before = {k: v for k, v in before.items() if after[k] != v}
    diff_after = {k: after[k] for k in diff_before}
    if added or removed:
        diff_after["tags_added"], diff_after["tags_removed"] = added, removed
    if diff_after:
        record("people.update", actor=actor, obj=person, before=diff_before, after=diff_after)
    return person


@transaction.atomic
def do_move_person(
    person: Person,
    *,
    actor: Any,
    region_code: str,
    address: str = "",
    on: date | None = None,
    note: str = "",
) -> Person:
    """Move a person to another grid or unit (not into a registered room: see
    ``wangge.places.actions.do_move_in``).  The open room occupancy, if any, ends."""
    from wangge.places.choices import OccupancySource
    from wangge.places.models import Occupancy

    if not selectors.may(actor, selectors.CHANGE, person.region_code):
        raise RecordForbidden(_("You may not move this person."))
    person = _lock(person)
    errors: dict[str, str] = {}
    region = selectors.region_for_write(
        actor, region_code, selectors.CHANGE, selectors.RESIDENCE_LEVELS
    )
    if region is None:
        errors["region_code"] = str(UNKNOWN_REGION)
    today = timezone.localdate()
    on = on or today
    if on > today:
        errors["on"] = _("The moving date cannot be later than today.")
    open_row = (
        ResidenceHistory.objects.filter(person=person, ended_on__isnull=True)
        .values_list("started_on", flat=True)
        .first()
    )
    if open_row is not None and on < open_row:
        errors["on"] = _(
            "The moving date cannot be earlier than the start of the current residence (%(date)s)."
        ) % {"date": f"{open_row:%Y-%m-%d}"}
    stay = (
        Occupancy.objects.filter(person=person, move_out__isnull=True)
        .values_list("move_in", flat=True)
        .first()
    )
    if stay is not None and on < stay:
        errors["on"] = _(
            "The moving date cannot be earlier than the day the person moved into the "
            "current room (%(date)s)."
        ) % {"date": f"{stay:%Y-%m-%d}"}
    if len((address or "").strip()) > MAX_ADDRESS:
        errors["address"] = _("The address must be at most %(max)d characters.") % {
            "max": MAX_ADDRESS
        }
    if errors:
        raise RecordError(INVALID, errors)
    assert region is not None  # noqa: S101 - narrowed by the checks
    before = snapshot(person)
    closed = Occupancy.objects.filter(person=person, move_out__isnull=True).update(
        move_out=on, out_source=OccupancySource.WORKER, updated_at=timezone.now()
    )
    relocate_person(
        person, region_code=region.code, address=address, on=on, actor=actor, note=note or "迁移"
    )
    record(
        "people.move",
        actor=actor,
        obj=person,
        before={"region_code": before["region_code"], "address": before["residence_address"]},
        after={
            "region_code": person.region_code,
            "address": person.residence_address,
            "on": on.isoformat(),
            "room_left": bool(closed),
            "source": OccupancySource.WORKER,
        },
        reason=_text(note, 200),
    )
    return person


# --- households --------------------------------------------------------------------------


@transaction.atomic
def do_create_household(
    *, actor: Any, head: Person, number: str = "", address: str = ""
) -> Household:
    """Open a household at the head's place, with ``head`` as its head (户主)."""
    if not selectors.may(actor, selectors.CHANGE, head.region_code):
        raise RecordForbidden(_("You may not open a household for this person."))
    head = _lock(head)
    errors: dict[str, str] = {}
    if head.household_id is not None:
        errors["head_id"] = _(
            "This person already belongs to a household; take them out of it first."
        )
    number = (number or "").strip()
    if len(number) > 32:
        errors["number"] = _("The household number must be at most %(max)d characters.") % {
            "max": 32
        }
    if len((address or "").strip()) > MAX_ADDRESS:
        errors["address"] = _("The address must be at most %(max)d characters.") % {
            "max": MAX_ADDRESS
        }
    if errors:
        raise RecordError(INVALID, errors)
    household = Household.objects.create(
        region_code=head.region_code,
        number=number,
        address=_text(address, MAX_ADDRESS) or head.residence_address,
        head=head,
    )
    Person.objects.filter(pk=head.pk).update(household=household, household_relation=Relation.HEAD)
    head.household, head.household_relation = household, Relation.HEAD
    record(
        "people.create_household",
        actor=actor,
        obj=household,
        after={"head_id": head.pk, "number": number, "address": household.address},
    )
    return household
