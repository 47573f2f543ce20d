"""ID numbers (居民身份证号码) and phone numbers: checks with messages in the user's language.

ID numbers are checked with ``stdnum.cn.ric``: length, format, check digit and
birth date.  Not the birth place against the year the county code was
assigned, as ``ric.validate`` does: the first six digits name the place where
the number was first issued, often years after birth and under a newer county
code, so that check rejects real numbers.  The province part must exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from wangge.people.choices import Gender

#: First two digits: provinces (GB/T 2260), Taiwan/Hong Kong/Macao residence permits (83),
#: and 9x for foreigners' permanent residence cards of the 2023 format.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83 91 92 93 94 95 96 97 98 99".split()
)
ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
#: Area code (3–4 digits, leading 0) and a 7–8 digit number.
LANDLINE = re.compile(r"^0[1-9][0-9]{8,10}$")


class InvalidValue(ValueError):
    """The value is wrong; ``str(exc)`` is the message for the user."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    gender: str


def clean_id_number(value: str) -> str:
    return ric.compact(value or "")


def looks_like_id_number(value: str) -> bool:
    return bool(ID_SHAPE.match(clean_id_number(value)))


def parse_id_number(value: str, *, today: date | None = None) -> IdNumber:
    number = clean_id_number(value)
    if not number:
        raise InvalidValue(_("Please enter the ID number."))
    if len(number) != 18:
        raise InvalidValue(_("An ID number has 18 characters."))
    if not ID_SHAPE.match(number):
        raise InvalidValue(
            _(
                "Invalid ID number: the first 17 characters must be digits, the last one a digit "
                "or X."
            )
        )
    if ric.calc_check_digit(number) != number[-1]:
        raise InvalidValue(_("The check digit of the ID number is wrong; please check it."))
    if number[:2] not in PROVINCES:
        raise InvalidValue(_("The region code of the ID number is wrong."))
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        raise InvalidValue(_("The birth date in the ID number is invalid.")) from None
    if birth.year < 1900 or birth > (today or timezone.localdate()):
        raise InvalidValue(_("The birth date in the ID number is invalid."))
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return IdNumber(number=number, birth_date=birth, gender=gender)


def clean_phone(value: str) -> str:
    """Digits only: spaces, dashes, brackets and a +86 prefix do not matter."""
    text = re.sub(r"[\s\-()（）]", "", value or "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def looks_like_phone(value: str) -> bool:
    text = clean_phone(value)
    return bool(MOBILE.match(text) or LANDLINE.match(text))


def parse_phone(value: str) -> str:
    """A mobile (13812341234) or landline (0750-1234567) number, digits only; "" for none."""
    text = clean_phone(value)
    if not text:
        return ""
    if MOBILE.match(text) or LANDLINE.match(text):
        return text
    raise InvalidValue(
        _(
            "Invalid phone number: a mobile number has 11 digits starting with 1, a landline "
            "needs its area code (e.g. 0750-1234567)."
        )
    )
