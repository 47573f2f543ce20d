"""Writes to canvassing campaigns: define, import a list, launch, close; record a contact.

Each action runs in one transaction, checks the actor's rights at the place,
validates with field-level Chinese messages (nothing is stored when one fails)
and writes an audit row.  ``actor=None`` is the system (seed, demo).

Recording a contact (``do_record_attempt``) is what phones send, possibly
several times over a bad connection: it is idempotent on the recorder and the
client's ``request_id``, also when two identical requests race in on two
connections.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from wangge.accounts.scope import prefix_q
from wangge.audit.actions import record
from wangge.campaigns import selectors
from wangge.campaigns.answers import clean_answers
from wangge.campaigns.choices import (
    PEOPLE_KINDS,
    CampaignState,
    Channel,
    MapsTo,
    QuestionKind,
    TargetKind,
)
from wangge.campaigns.importing import ListRow
from wangge.campaigns.models import Attempt, Campaign, Outcome, Photo, Question, Target
from wangge.lib import codes
from wangge.lib.crypto import mask_phone
from wangge.lib.errors import Refusal
from wangge.people.validation import InvalidValue, parse_phone

INVALID = gettext_lazy("The input is invalid; please check the fields.")
NOT_FOUND = gettext_lazy("Not found, or you may not see it.")
OUTSIDE = gettext_lazy("Unknown area, or outside your area.")
MAX_NAME = 100
MAX_NOTE = 2000
MAX_QUESTIONS = 30
MAX_CHOICES = 20
KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
#: How far in the future a contact time may lie (phone clocks drift).
CLOCK_SKEW = timedelta(minutes=5)
BATCH = 1000
MAX_REQUEST_ID = 100


class CampaignError(Refusal):
    """A request we refuse; ``fields`` maps field names to messages in the user's language."""

    default_message = INVALID


class CampaignConflict(CampaignError):
    """Not possible in the campaign's current state."""

    status = 409
    code = "conflict"


class CampaignForbidden(CampaignError):
    """The user sees it but may not do this."""

    status = 403
    code = "forbidden"


class CampaignNotFound(CampaignError):
    """Missing or out of scope: answered alike."""

    status = 404
    code = "not_found"

    def __init__(self) -> None:
        super().__init__(NOT_FOUND)


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _actor_label(actor: Any) -> str:
    if not _is_user(actor):
        return "系统"  # stored with the attempt: in the installation's language
    return str(getattr(actor, "display_name", "") or actor.get_username())[:150]


def _text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _only_imported_lists() -> str:
    return _("Only a campaign of the kind “%(kind)s” takes an uploaded list.") % {
        "kind": TargetKind.IMPORTED.label
    }


# --- defining a campaign ------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the centre writes it (API body, form, demo)."""

    key: str
    label: str
    kind: str
    required: bool = False
    choices: Sequence[str] = ()
    show_if_key: str = ""
    show_if_value: str = ""
    maps_to: str = ""


def _check_questions(
    specs: Sequence[QuestionSpec], target_kind: str, errors: dict[str, str]
) -> list[Question]:
    if len(specs) > MAX_QUESTIONS:
        errors["questions"] = _("At most %(max)d questions.") % {"max": MAX_QUESTIONS}
        return []
    found: list[Question] = []
    by_key: dict[str, Question] = {}
    mapped: set[str] = set()
    for i, spec in enumerate(specs):
        where = f"questions.{i}"
        key = _text(spec.key, 64).lower()
        if not key or not key[0].isalpha() or not set(key) <= KEY_CHARS or len(key) > 32:
            errors[f"{where}.key"] = _(
                "The key starts with a letter and holds only lower-case letters, digits and "
                "underscores, at most 32."
            )
        elif key in by_key:
            errors[f"{where}.key"] = _("This key is used twice.")
        label = _text(spec.label, 1000)
        if not label:
            errors[f"{where}.label"] = _("Please enter the question.")
        elif len(label) > 100:
            errors[f"{where}.label"] = _("The question must be at most %(max)d characters.") % {
                "max": 100
            }
        kind = _text(spec.kind, 16)
        if kind not in QuestionKind.values:
            errors[f"{where}.kind"] = _("Unknown kind of question.")
        choices = list(dict.fromkeys(_text(c, 100) for c in spec.choices if _text(c, 100)))
        if kind == QuestionKind.CHOICE:
            if len(choices) < 2:
                errors[f"{where}.choices"] = _(
                    "A single-choice question needs at least two choices."
                )
            elif len(choices) > MAX_CHOICES or any(len(c) > 50 for c in choices):
                errors[f"{where}.choices"] = _(
                    "At most %(max)d choices, each at most 50 characters."
                ) % {"max": MAX_CHOICES}
        else:
            choices = []
        show_key = _text(spec.show_if_key, 64).lower()
        show_value = _text(spec.show_if_value, 100)
        if show_key:
            controlling = by_key.get(show_key)
            if controlling is None:
                errors[f"{where}.show_if_key"] = _("Only an earlier question can show this one.")
            elif not show_value:
                errors[f"{where}.show_if_value"] = _("Please enter the answer that shows it.")
            elif controlling.kind == QuestionKind.CHOICE and show_value not in controlling.choices:
                errors[f"{where}.show_if_value"] = _("Must be one of that question's choices.")
            elif controlling.kind == QuestionKind.PHOTO:
                errors[f"{where}.show_if_key"] = _("A photo question cannot show another one.")
        elif show_value:
            show_value = ""
        maps_to = _text(spec.maps_to, 32)
        if maps_to not in MapsTo.values:
            errors[f"{where}.maps_to"] = _("Unknown field to update.")
        elif maps_to:
            if kind != QuestionKind.TEXT:
                errors[f"{where}.maps_to"] = _("Only a text question can update base data.")
            elif target_kind not in PEOPLE_KINDS:
                errors[f"{where}.maps_to"] = _(
                    "Targets of this kind have no person's details to update."
                )
            elif maps_to in mapped:
                errors[f"{where}.maps_to"] = _(
                    "Each item of base data is updated by one question only."
                )
            mapped.add(maps_to)
        question = Question(
            key=key,
            label=label,
            kind=kind,
            required=bool(spec.required),
            choices=choices,
            show_if_key=show_key,
            show_if_value=show_value,
            maps_to=maps_to,
            sort_order=i + 1,
        )
        found.append(question)
        if key and key not in by_key:
            by_key[key] = question
    return found


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "area_code": campaign.area_code,
        "target_kind": campaign.target_kind,
        "tag": campaign.tag.code if campaign.tag else None,
        "deadline": campaign.deadline.isoformat(),
        "state": campaign.state,
        "assign_part_time": campaign.assign_part_time,
    }


@transaction.atomic
def do_create_campaign(
    *,
    actor: Any,
    name: str,
    area_code: str,
    target_kind: str,
    deadline: date | None,
    questions: Sequence[QuestionSpec] = (),
    description: str = "",
    tag: str | None = None,
    assign_part_time: bool = False,
    rows: Sequence[ListRow] | None = None,
    launch: bool = False,
    now: datetime | None = None,
) -> Campaign:
    """Define a campaign over a node the actor may define campaigns at.

    ``rows`` (an imported list) are its targets when ``target_kind`` is
    ``imported``; ``launch=True`` launches it in the same transaction.
    """
    from wangge.people.models import Tag
    from wangge.regions.models import Region

    if actor is not None and not selectors.can_create(actor):
        raise CampaignForbidden(_("You may not start canvassing campaigns."))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    title = _text(name, 1000)
    if not title:
        errors["name"] = _("Please enter the name of the campaign.")
    elif len(title) > MAX_NAME:
        errors["name"] = _("The name must be at most %(max)d characters long.") % {"max": MAX_NAME}
    area = _text(area_code, 32)
    if (
        not codes.is_valid(area)
        or codes.level_of(area) not in selectors.AREA_LEVELS
        or (actor is not None and not selectors.can_create_at(actor, area))
        or not Region.objects.filter(code=area).exists()
    ):
        errors["area_code"] = str(OUTSIDE)
    if target_kind not in TargetKind.values:
        errors["target_kind"] = _("Unknown kind of target.")
    found_tag: Tag | None = None
    if target_kind == TargetKind.TAGGED_PEOPLE:
        found_tag = Tag.objects.filter(code=_text(tag, 32), is_active=True).first()
        if found_tag is None:
            errors["tag"] = (
                _("Please choose the special group.") if not tag else _("Unknown special group.")
            )
    if deadline is None:
        errors["deadline"] = _("Please enter the deadline.")
    elif deadline < timezone.localdate(now):
        errors["deadline"] = _("The deadline cannot be earlier than today.")
    text = _text(description, MAX_NOTE + 1)
    if len(text) > MAX_NOTE:
        errors["description"] = _("The description must be at most %(max)d characters.") % {
            "max": MAX_NOTE
        }
    checked = _check_questions(questions, target_kind, errors)
    if rows is not None and target_kind != TargetKind.IMPORTED:
        errors["file"] = _only_imported_lists()
    if errors:
        raise CampaignError(INVALID, errors)
    assert deadline is not None  # noqa: S101 - narrowed by the checks above
    campaign = Campaign.objects.create(
        name=title,
        description=text,
        area_code=area,
        district_code=area[:6],
        target_kind=target_kind,
        tag=found_tag,
        deadline=deadline,
        assign_part_time=bool(assign_part_time),
        created_by=actor if _is_user(actor) else None,
        created_at=now,
    )
    for question in checked:
        question.campaign = campaign
    Question.objects.bulk_create(checked)
    record(
        "campaigns.create",
        actor=actor,
        obj=campaign,
        after={**_snapshot(campaign), "questions": [q.key for q in checked]},
        region_code=area,
    )
    if rows is not None:
        _replace_rows(campaign, rows, actor=actor)
    if launch:
        _launch(campaign, actor=actor, now=now)
    return campaign


# --- an imported list ---------------------------------------------------------------------


MAX_ROW_ERRORS = 10


def _replace_rows(campaign: Campaign, rows: Sequence[ListRow], *, actor: Any) -> int:
    from wangge.regions.models import Region

    wanted = {r.unit_code for r in rows if codes.is_valid(r.unit_code)}
    known = set(
        Region.objects.filter(code__in=sorted(wanted), level__in=("grid", "unit")).values_list(
            "code", flat=True
        )
    )
    problems: list[str] = []
    targets: list[Target] = []
    for row in rows:
        found: list[str] = []
        name = row.name.strip()
        if not name:
            found.append(_("The name (or title) is missing."))
        elif len(name) > 200:
            found.append(
                _("The name (or title) must be at most %(max)d characters.") % {"max": 200}
            )
        code = row.unit_code.strip()
        if row.problem:
            found.append(row.problem)
        elif not code:
            found.append(_("The minimal unit code is missing."))
        elif code not in known or not code.startswith(campaign.area_code):
            found.append(
                _(
                    "The minimal unit code %(code)s does not exist or is outside the area of "
                    "this campaign."
                )
                % {"code": code}
            )
        phone = ""
        try:
            phone = parse_phone(row.phone)
        except InvalidValue as exc:
            found.append(str(exc))
        if len(row.address.strip()) > 200:
            found.append(_("The address must be at most %(max)d characters.") % {"max": 200})
        if found:
            problems.append(
                _("Row %(line)d: %(problems)s")
                % {"line": row.line, "problems": pgettext("between problems", ", ").join(found)}
            )
            continue
        targets.append(
            Target(
                campaign=campaign,
                kind=TargetKind.IMPORTED,
                name=name,
                address=row.address.strip(),
                phone=phone,
                region_code=code,
                grid_code=code[:15],
            )
        )
    if problems:
        shown = pgettext("between messages", "; ").join(problems[:MAX_ROW_ERRORS])
        if len(problems) > MAX_ROW_ERRORS:
            shown = _("%(rows)s (%(count)d rows with errors in all)") % {
                "rows": shown,
                "count": len(problems),
            }
        raise CampaignError(_("The list has errors; no row was imported."), {"file": shown})
    if not targets:
        raise CampaignError(INVALID, {"file": _("The file has no data rows.")})
    removed, _by_model = Target.objects.filter(campaign=campaign).delete()
    Target.objects.bulk_create(targets, batch_size=BATCH)
    record(
        "campaigns.import",
        actor=actor,
        obj=campaign,
        after={"rows": len(targets), "replaced": removed},
        region_code=campaign.area_code,
    )
    return len(targets)


def _locked_campaign(campaign: Campaign) -> Campaign:
    return (
        Campaign.objects.select_for_update(of=("self",)).select_related("tag").get(pk=campaign.pk)
    )


@transaction.atomic
def do_import_targets(campaign: Campaign, *, actor: Any, rows: Sequence[ListRow]) -> int:
    """Replace the list of a draft ``imported`` campaign; every row is checked first."""
    if not selectors.can_manage(actor, campaign):
        raise CampaignForbidden(_("You may not change this campaign."))
    campaign = _locked_campaign(campaign)
    if campaign.target_kind != TargetKind.IMPORTED:
        raise CampaignConflict(_only_imported_lists())
    if campaign.state != CampaignState.DRAFT:
        raise CampaignConflict(_("The campaign has started: its list can no longer be replaced."))
    return _replace_rows(campaign, rows, actor=actor)


# --- launching ------------------------------------------------------------------------------


def _generated(campaign: Campaign) -> Iterable[Target]:
    """One unsaved target per matching record under the campaign's area."""
    from wangge.organisations.models import Enterprise
    from wangge.people.choices import PersonStatus
    from wangge.people.models import Household, Person, PersonTag
    from wangge.places.models import Building

    under = prefix_q("region_code", [campaign.area_code])

    def make(kind: str, region_code: str, name: str, address: str, **links: Any) -> Target:
        return Target(
            campaign=campaign,
            kind=kind,
            name=name[:200],
            address=(address or "")[:200],
            region_code=region_code,
            grid_code=region_code[:15],
            **links,
        )

    kind = campaign.target_kind
    if kind == TargetKind.HOUSEHOLDS:
        households = (
            Household.objects.filter(under)
            .select_related("head")
            .only("pk", "region_code", "number", "address", "head__name", "head__residence_address")
            .order_by("region_code", "pk")
        )
        for h in households.iterator(chunk_size=2000):
            head = h.head
            label = f"{head.name}户" if head else (h.number or f"户 {h.pk}")
            address = h.address or (head.residence_address if head else "")
            yield make(kind, h.region_code, label, address, household_id=h.pk, person=head)
    elif kind == TargetKind.TAGGED_PEOPLE:
        people = (
            Person.objects.filter(under, status=PersonStatus.ACTIVE)
            .filter(pk__in=PersonTag.objects.filter(tag=campaign.tag).values("person_id"))
            .only("pk", "region_code", "name", "residence_address")
            .order_by("region_code", "pk")
        )
        for p in people.iterator(chunk_size=2000):
            yield make(kind, p.region_code, p.name, p.residence_address, person_id=p.pk)
    elif kind == TargetKind.RENTAL_BUILDINGS:
        buildings = (
            Building.objects.filter(under, is_rental=True)
            .only("pk", "region_code", "name", "address")
            .order_by("region_code", "pk")
        )
        for b in buildings.iterator(chunk_size=2000):
            yield make(kind, b.region_code, b.name, b.address, building_id=b.pk)
    elif kind == TargetKind.ENTERPRISES:
        enterprises = (
            Enterprise.objects.filter(under, is_operating=True)
            .only("pk", "region_code", "name", "address")
            .order_by("region_code", "pk")
        )
        for e in enterprises.iterator(chunk_size=2000):
            yield make(kind, e.region_code, e.name, e.address, enterprise_id=e.pk)


def _workers(area_code: str, level: str) -> dict[str, list[int]]:
    """User ids holding ``campaigns.record_attempt`` at each grid (or unit) under the area."""
    from wangge.accounts.models import Assignment

    rows = (
        Assignment.objects.filter(
            prefix_q("region__code", [area_code]),
            is_active=True,
            user__is_active=True,
            region__level=level,
            role__permissions__content_type__app_label="campaigns",
            role__permissions__codename="record_attempt",
        )
        .values_list("region__code", "user_id")
        .distinct()
        .order_by("region__code", "user_id")
    )
    found: dict[str, list[int]] = defaultdict(list)
    for code, user_id in rows:
        if user_id not in found[code]:
            found[code].append(user_id)
    return found


def _assign(campaign: Campaign, targets: list[Target]) -> int:
    """Share each grid's targets out among its grid workers in turn (and units' part-time
    workers when the campaign asks for it); return how many have a grid worker."""
    grid_workers = _workers(campaign.area_code, "grid")
    unit_workers = _workers(campaign.area_code, "unit") if campaign.assign_part_time else {}
    turns: dict[str, int] = defaultdict(int)
    assigned = 0
    for target in targets:
        workers = grid_workers.get(target.grid_code)
        if workers:
            target.assignee_id = workers[turns[target.grid_code] % len(workers)]
            turns[target.grid_code] += 1
            assigned += 1
        helpers = unit_workers.get(target.region_code) if len(target.region_code) == 18 else None
        if helpers:
            target.helper_id = helpers[turns["unit:" + target.region_code] % len(helpers)]
            turns["unit:" + target.region_code] += 1
    return assigned


def _launch(campaign: Campaign, *, actor: Any, now: datetime) -> int:
    if campaign.target_kind == TargetKind.IMPORTED:
        targets = list(Target.objects.filter(campaign=campaign).order_by("region_code", "pk"))
        assigned = _assign(campaign, targets)
        Target.objects.bulk_update(targets, ["assignee", "helper"], batch_size=BATCH)
    else:
        Target.objects.filter(campaign=campaign).delete()
        targets = list(_generated(campaign))
        assigned = _assign(campaign, targets)
        Target.objects.bulk_create(targets, batch_size=BATCH)
    if not targets:
        if campaign.target_kind == TargetKind.IMPORTED:
            raise CampaignError(INVALID, {"file": _("Please import the list first.")})
        raise CampaignError(INVALID, {"target_kind": _("No target in the campaign's area fits.")})
    campaign.state = CampaignState.RUNNING
    campaign.launched_at = now
    campaign.save(update_fields=["state", "launched_at"])
    record(
        "campaigns.launch",
        actor=actor,
        obj=campaign,
        before={"state": CampaignState.DRAFT},
        after={"state": campaign.state, "targets": len(targets), "assigned": assigned},
        region_code=campaign.area_code,
    )
    return len(targets)


@transaction.atomic
def do_launch_campaign(campaign: Campaign, *, actor: Any, now: datetime | None = None) -> Campaign:
    """Make one target per matching record (or take the imported list) and assign them."""
    if not selectors.can_manage(actor, campaign):
        raise CampaignForbidden(_("You may not launch this campaign."))
    campaign = _locked_campaign(campaign)
    if campaign.state != CampaignState.DRAFT:
        raise CampaignConflict(_("This campaign has already started."))
    _launch(campaign, actor=actor, now=now or timezone.now())
    return campaign


@transaction.atomic
def do_close_campaign(campaign: Campaign, *, actor: Any, now: datetime | None = None) -> Campaign:
    """End a running campaign: no more contacts are recorded; the figures stay."""
    if not selectors.can_manage(actor, campaign):
        raise CampaignForbidden(_("You may not close this campaign."))
    campaign = _locked_campaign(campaign)
    if campaign.state != CampaignState.RUNNING:
        raise CampaignConflict(_("Only a running campaign can be closed."))
    campaign.state = CampaignState.CLOSED
    campaign.closed_at = now or timezone.now()
    campaign.save(update_fields=["state", "closed_at"])
    record(
        "campaigns.close",
        actor=actor,
        obj=campaign,
        before={"state": CampaignState.RUNNING},
        after={"state": campaign.state},
        region_code=campaign.area_code,
    )
    return campaign


# --- recording a contact -------------------------------------------------------------------------


@dataclass
class AttemptResult:
    attempt: Attempt
    #: False when the same request id from the same recorder had already stored it.
    created: bool
    updated: list[str] = field(default_factory=list)


def _parse_request_id(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value or "").strip())
    except ValueError:
        return None


def _recorded(actor: Any, request_id: uuid.UUID) -> Attempt | None:
    """The attempt ``actor`` recorded with ``request_id``, if any."""
    found = list(
        Attempt.objects.filter(recorded_by=actor, request_id=request_id)
        .order_by()
        .values_list("pk", flat=True)[:1]
    )
    if not found:
        return None
    return Attempt.objects.select_related("outcome", "target").get(pk=found[0])


def _find_target(actor: Any, target_id: Any) -> Target:
    """The target, row-locked, if the actor sees it; missing and out of scope answer alike."""
    from django.http import Http404

    try:
        pk = int(target_id)
    except (TypeError, ValueError):
        raise CampaignNotFound from None
    if actor is not None:
        try:
            selectors.get_target_for_user(actor, pk)
        except Http404:
            raise CampaignNotFound from None
    try:
        return Target.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=pk)
    except Target.DoesNotExist:
        raise CampaignNotFound from None


def _update_base_data(
    target: Target, updates: list[tuple[Question, str]], *, actor: Any
) -> tuple[list[str], dict[str, str]]:
    """Apply the answers that map to base data, through the people action (audited)."""
    from wangge.people.actions import do_update_person
    from wangge.people.errors import RecordError, RecordForbidden
    from wangge.people.models import Person

    done: list[str] = []
    errors: dict[str, str] = {}
    for question, value in updates:
        name = f"answers.{question.key}"
        field_name = question.maps_to.split(".", 1)[1]
        if target.person_id is not None:
            person = Person.objects.filter(pk=target.person_id).first()
            if person is None:
                errors[name] = _("This person is no longer registered and cannot be updated.")
                continue
            try:
                do_update_person(person, actor=actor, **{field_name: value})
            except RecordForbidden:
                errors[name] = _(
                    "You may not update this person's registration: leave it empty for the grid "
                    "worker."
                )
                continue
            except RecordError as exc:
                errors[name] = exc.fields.get(field_name, exc.message)
                continue
            done.append(question.maps_to)
        elif target.kind == TargetKind.IMPORTED:
            before = mask_phone(target.phone) if field_name == "phone" else target.address
            if field_name == "phone":
                target.phone = value
            else:
                target.address = value
            target.save(update_fields=[field_name])
            after = mask_phone(target.phone) if field_name == "phone" else target.address
            if before != after:
                record(
                    "campaigns.target_update",
                    actor=actor,
                    obj=target,
                    before={field_name: before},
                    after={field_name: after},
                )
            done.append(question.maps_to)
        else:
            errors[name] = _("This target has no person's details to update.")
    return done, errors


def do_record_attempt(
    *,
    actor: Any,
    request_id: Any,
    target_id: Any,
    channel: str,
    outcome: str,
    note: str = "",
    follow_up_at: datetime | None = None,
    answers: dict[str, Any] | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> AttemptResult:
    """Record a phone call or visit to a target, with its outcome and the form's answers.

    The same ``request_id`` from the same recorder answers with the attempt the
    first request stored (``created=False``), whatever the second one says.
    The follow-up is the given time, or the outcome's default delay; a final
    outcome ends the target.  Answers mapped to base data update the person
    through ``do_update_person`` with the recorder as actor (audited).
    """
    rid = _parse_request_id(request_id)
    if rid is None:
        raise CampaignError(INVALID, {"request_id": _("The request id must be a UUID.")})
    if _is_user(actor):
        existing = _recorded(actor, rid)
        if existing is not None:
            return AttemptResult(existing, False)
    with transaction.atomic():
        return _record(
            actor=actor,
            rid=rid,
            target_id=target_id,
            channel=channel,
            outcome_code=outcome,
            note=note,
            follow_up_at=_aware(follow_up_at),
            answers=answers,
            at=_aware(at),
            now=now or timezone.now(),
        )


def _record(
    *,
    actor: Any,
    rid: uuid.UUID,
    target_id: Any,
    channel: str,
    outcome_code: str,
    note: str,
    follow_up_at: datetime | None,
    answers: dict[str, Any] | None,
    at: datetime | None,
    now: datetime,
) -> AttemptResult:
    target = _find_target(actor, target_id)
    if _is_user(actor):
        # The target's row lock orders identical requests racing in on two connections:
        # the second finds what the first stored (before its answers, photos included,
        # would be checked again and refused as used).
        existing = _recorded(actor, rid)
        if existing is not None:
            return AttemptResult(existing, False)
    if not selectors.can_record(actor, target):
        raise CampaignForbidden(_("You may not record contacts with this target."))
    campaign = target.campaign
    if campaign.state != CampaignState.RUNNING:
        raise CampaignConflict(_("This campaign is not running; no more contacts can be recorded."))
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose phone or visit.")
    found = Outcome.objects.filter(code=_text(outcome_code, 32), is_active=True).first()
    if found is None:
        errors["outcome"] = (
            _("Please choose the outcome.") if not outcome_code else _("Unknown outcome.")
        )
    when = at or now
    if when > now + CLOCK_SKEW:
        errors["at"] = _("The time of contact cannot be later than now.")
    follow_up: datetime | None = None
    if found is not None and not found.is_final:
        if follow_up_at is not None:
            if follow_up_at <= when:
                errors["follow_up_at"] = _("The follow-up must be later than this contact.")
            follow_up = follow_up_at
        elif found.requires_follow_up_time:
            errors["follow_up_at"] = _("“%(outcome)s” needs a follow-up time.") % {
                "outcome": found.label
            }
        elif found.needs_follow_up:
            follow_up = when + timedelta(minutes=found.follow_up_delay_minutes or 24 * 60)
    text = str(note or "").strip()
    if len(text) > MAX_NOTE:
        errors["note"] = _("The note must be at most %(max)d characters.") % {"max": MAX_NOTE}
    if answers is not None and not isinstance(answers, dict):
        errors["answers"] = _("The answers are not in the right form.")
        answers = None
    cleaned, answer_errors = clean_answers(
        selectors.questions_of(campaign),
        answers,
        actor=actor,
        enforce_required=bool(found and found.collects_answers),
    )
    errors.update(answer_errors)
    if errors:
        raise CampaignError(INVALID, errors)
    assert found is not None  # noqa: S101 - narrowed by the checks above
    attempt = Attempt(
        target=target,
        campaign=campaign,
        region_code=target.region_code,
        channel=channel,
        outcome=found,
        note=text,
        follow_up_at=follow_up,
        answers=cleaned.stored,
        at=when,
        recorded_by=actor if _is_user(actor) else None,
        by_label=_actor_label(actor),
        request_id=rid if _is_user(actor) else None,
        created_at=now,
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        # The same request id raced in from a second connection: answer with its attempt.
        existing = _recorded(actor, rid) if _is_user(actor) else None
        if existing is None:
            raise
        return AttemptResult(existing, False)
    updated, update_errors = _update_base_data(target, cleaned.updates, actor=actor)
    if update_errors:
        raise CampaignError(INVALID, update_errors)
    if cleaned.photo_ids:
        Photo.objects.filter(pk__in=cleaned.photo_ids).update(attempt=attempt)
    changes = ["attempt_count"]
    target.attempt_count += 1
    if target.last_attempt_at is None or when >= target.last_attempt_at:
        # The latest contact decides where the target stands (phones may send late).
        target.last_outcome = found
        target.last_channel = channel
        target.last_attempt_at = when
        target.is_done = found.is_final
        target.follow_up_at = None if found.is_final else follow_up
        changes += ["last_outcome", "last_channel", "last_attempt_at", "is_done", "follow_up_at"]
    target.save(update_fields=changes)
    record(
        "campaigns.attempt",
        actor=actor,
        obj=attempt,
        after={
            "target": target.pk,
            "campaign": campaign.pk,
            "channel": channel,
            "outcome": found.code,
            "follow_up_at": follow_up.isoformat() if follow_up else None,
            "answers": cleaned.stored,
            "updated": updated,
        },
        reason=text[:200],
    )
    return AttemptResult(attempt, True, updated)


# --- photo answers ----------------------------------------------------------------------------


def do_upload_photo(
    stream: IO[bytes], *, actor: Any, size: int | None = None, request_id: Any = None
) -> tuple[Photo, bool]:
    """Check, strip and store a photo answer; it waits until an attempt names it.

    Idempotent on the uploader and ``request_id`` when one is given (any text: the
    outbox sends ``<request id>-<field>-<n>``), also when two uploads race in.
    """
    from wangge.events.attachments import PhotoError, process_photo

    if actor is not None and not selectors.can_record_anywhere(actor):
        raise CampaignForbidden(_("You may not upload photos of contacts."))
    owned = _is_user(actor)
    rid = str(request_id or "").strip() if owned else ""
    if len(rid) > MAX_REQUEST_ID:
        raise CampaignError(
            INVALID,
            {
                "request_id": _("The request id must be at most %(max)d characters.")
                % {"max": MAX_REQUEST_ID}
            },
        )
    if rid:
        existing = Photo.objects.filter(uploader=actor, request_id=rid).first()
        if existing is not None:
            return existing, False
    try:
        checked = process_photo(stream, size)
    except PhotoError as exc:
        raise CampaignError(INVALID, {"file": str(exc)}) from None
    photo = Photo(
        content_type=checked.content_type,
        size=len(checked.data),
        width=checked.width,
        height=checked.height,
        sha256=checked.sha256,
        uploader=actor if owned else None,
        request_id=rid,
    )
    photo.file.save(
        f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.data), save=False
    )
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        photo.file.delete(save=False)
        existing = Photo.objects.filter(uploader=actor, request_id=rid).first() if rid else None
        if existing is None:
            raise
        return existing, False
    record(
        "campaigns.photo",
        actor=actor,
        obj=photo,
        after={"size": photo.size, "width": photo.width, "height": photo.height},
    )
    return photo, True
