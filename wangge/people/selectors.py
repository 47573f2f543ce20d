"""Reads of the population registry, always through the user's scope.

A user sees the people living under the nodes where one of their roles grants
``people.view_person``; everybody else, and everything else, is answered like
a missing record (404).  Search never looks beyond that: an exact ID number of
a resident of another grid finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from wangge.accounts.scope import prefix_q, scope_for
from wangge.lib import codes
from wangge.people.models import Household, Person, PersonTag, ResidenceHistory, Tag
from wangge.people.validation import (
    clean_id_number,
    clean_phone,
    looks_like_id_number,
    looks_like_phone,
)
from wangge.privacy.fields import blind_index

VIEW = "people.view_person"
ADD = "people.add_person"
CHANGE = "people.change_person"
UNMASK = "people.unmask_person"

#: Levels a person (or household) can be attached to.
RESIDENCE_LEVELS = (codes.Level.GRID, codes.Level.UNIT)


def people_visible_to(user: Any) -> QuerySet[Person]:
    scope = scope_for(user)
    return scope.filter_by_code(Person.objects.all(), "region_code", scope.roots_with(VIEW))


def get_person_for_user(user: Any, pk: int) -> Person:
    try:
        return people_visible_to(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("no such person") from None


def may(user: Any, perm: str, region_code: str) -> bool:
    """Does the user hold ``perm`` at ``region_code``?  ``None`` is the system: yes."""
    return user is None or scope_for(user).can(perm, region_code)


def can_view_people(user: Any) -> bool:
    return scope_for(user).is_global or bool(scope_for(user).roots_with(VIEW))


# --- search ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What a search box text means: ``kind`` is id_number, phone, pinyin or text."""

    kind: str
    value: str


def parse_query(text: str) -> Query | None:
    text = (text or "").strip()
    if not text:
        return None
    if looks_like_id_number(text):
        return Query("id_number", clean_id_number(text))
    if looks_like_phone(text):
        return Query("phone", clean_phone(text))
    if text.isascii() and text.replace(" ", "").isalpha():
        return Query("pinyin", text.replace(" ", "").lower())
    return Query("text", text)


def search_q(query: Query) -> Q:
    """The filter for a search: exact (blind index) for ID numbers and phones, else prefixes."""
    if query.kind == "id_number":
        return Q(id_number_hash=blind_index(query.value))
    if query.kind == "phone":
        return Q(phone_hash=blind_index(query.value))
    if query.kind == "pinyin":
        return Q(name_initials__startswith=query.value) | Q(name_pinyin__startswith=query.value)
    by_name = Q(name__startswith=query.value)
    if looks_like_address(query.value):
        # No index serves "contains": only pay for it when the text reads like an address.
        return by_name | Q(residence_address__contains=query.value)
    return by_name


_ADDRESS_MARKS = set("0123456789号路街巷弄栋幢楼室村里坊苑")


def looks_like_address(text: str) -> bool:
    """Addresses carry numbers or place words (号, 路, 栋…); personal names almost never do."""
    return any(ch in _ADDRESS_MARKS for ch in text)


def search_people(
    user: Any,
    *,
    q: str | None = None,
    under: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    residence_type: str | None = None,
) -> QuerySet[Person]:
    qs = people_visible_to(user)
    query = parse_query(q or "")
    if query is not None:
        qs = qs.filter(search_q(query))
    if under:
        qs = qs.filter(prefix_q("region_code", [under]))
    if tag:
        qs = qs.filter(pk__in=PersonTag.objects.filter(tag__code=tag).values("person_id"))
    if status:
        qs = qs.filter(status=status)
    if residence_type:
        qs = qs.filter(residence_type=residence_type)
    return qs.order_by("region_code", "name", "id")


def find_visible_by_id_number(user: Any, id_number: str) -> Person | None:
    """The person with this ID number among those the user sees (``None``: the system sees all)."""
    qs = Person.objects.all() if user is None else people_visible_to(user)
    return qs.filter(id_number_hash=blind_index(clean_id_number(id_number))).first()


# --- details ----------------------------------------------------------------------------


def tags_of(person: Person) -> list[PersonTag]:
    return list(person.person_tags.select_related("tag").order_by("tag__sort_order", "tag__code"))


def active_tags() -> QuerySet[Tag]:
    return Tag.objects.filter(is_active=True).order_by("sort_order", "code")


def residence_history(user: Any, person: Person) -> list[dict[str, Any]]:
    """The person's residences, newest first.  Where and at which address they lived is shown
    only for places the user sees; elsewhere only the dates ("Outside your area", in the user's
    language)."""
    scope = scope_for(user)
    roots = scope.roots_with(VIEW)
    rows: list[ResidenceHistory] = list(person.residences.order_by("-started_on", "-id"))
    result = []
    for row in rows:
        inside = scope.is_global or any(row.region_code.startswith(root) for root in roots)
        result.append(
            {
                "region_code": row.region_code if inside else None,
                "address": row.address if inside else _("Outside your area"),
                "started_on": row.started_on,
                "ended_on": row.ended_on,
                "note": row.note if inside else "",
            }
        )
    return result


def region_names(region_codes: Iterable[str]) -> dict[str, str]:
    """Names of regions by code (one query), for rows the user already sees."""
    from wangge.regions.models import Region

    wanted = sorted(set(region_codes))
    if not wanted:
        return {}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


def region_for_write(user: Any, code: str, perm: str, levels: Iterable[codes.Level]) -> Any:
    """The region at ``code`` if it is of one of ``levels`` and the user holds ``perm`` there.

    ``None`` otherwise, whether it does not exist or lies outside the user's scope:
    callers answer both alike.
    """
    from wangge.regions.models import Region

    code = (code or "").strip()
    if not codes.is_valid(code) or codes.level_of(code) not in tuple(levels):
        return None
    if not may(user, perm, code):
        return None
    return Region.objects.filter(code=code).only("id", "code", "name", "level").first()


# --- households ---------------------------------------------------------------------------


def households_visible_to(user: Any) -> QuerySet[Household]:
    scope = scope_for(user)
    return scope.filter_by_code(Household.objects.all(), "region_code", scope.roots_with(VIEW))


def get_household_for_user(user: Any, pk: int) -> Household:
    try:
        return households_visible_to(user).get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise Http404("no such household") from None


def household_members(user: Any, household: Household) -> QuerySet[Person]:
    """Members the user sees (a member may live in another grid)."""
    return people_visible_to(user).filter(household=household).order_by("id")
