"""ID numbers, phones, pinyin and what a search text means."""

from datetime import date

import pytest

from wangge.people.pinyin import name_pinyin
from wangge.people.selectors import parse_query
from wangge.people.validation import InvalidValue, parse_id_number, parse_phone
from wangge.testing import make_id_number


def test_it_reads_birth_date_and_gender_from_an_id_number():
    male = parse_id_number(make_id_number("440704", "19900307", "135"))
    assert (male.birth_date, male.gender) == (date(1990, 3, 7), "male")
    female = parse_id_number(" " + make_id_number("110101", "20000229", "002").lower())
    assert (female.birth_date, female.gender) == (date(2000, 2, 29), "female")
    assert female.number.endswith(female.number[-1].upper())


def test_it_accepts_numbers_issued_under_a_newer_county_code():
    # 江海区 (440704) exists since 1994; people born before got their number there later.
    assert parse_id_number(make_id_number("440704", "19500101", "123")).birth_date.year == 1950


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请填写身份证号"),
        ("4407041990", "身份证号应为 18 位"),
        (make_id_number("440704", "19000229", "123"), "身份证号中的出生日期无效"),
        (make_id_number("440704", "18991231", "123"), "身份证号中的出生日期无效"),
        (make_id_number("440704", "29990101", "123"), "身份证号中的出生日期无效"),
    ],
)
def test_it_refuses_bad_id_numbers(value, message):
    with pytest.raises(InvalidValue, match=message):
        parse_id_number(value)


def test_it_cleans_phones():
    assert parse_phone("138 1234-1234") == "13812341234"
    assert parse_phone("+86 13812341234") == "13812341234"
    assert parse_phone("(0750) 3456789") == "07503456789"
    assert parse_phone("") == ""
    for bad in ("12812341234", "1381234123", "0750-12", "phone"):
        with pytest.raises(InvalidValue):
            parse_phone(bad)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张伟", "zhangwei", "zw"),
        ("单雄信", "shanxiongxin", "sxx"),
        ("曾小贤", "zengxiaoxian", "zxx"),
        ("吕布", "lvbu", "lb"),
        ("Anna 李", "annali", "al"),
        ("", "", ""),
    ],
)
def test_it_spells_names_in_pinyin(name, full, initials):
    assert name_pinyin(name) == (full, initials)


def test_it_tells_what_a_search_text_is():
    number = make_id_number()
    assert parse_query(number.lower()).kind == "id_number"
    assert parse_query("138-1234-1234").value == "13812341234"
    assert parse_query("0750 3456789").kind == "phone"
    assert parse_query("Zhang W").value == "zhangw"
    assert parse_query("新塘里96号").kind == "text"
    assert parse_query("96").kind == "text"
    assert parse_query("   ") is None


def test_it_searches_addresses_only_for_address_like_text():
    from wangge.people.selectors import looks_like_address

    assert looks_like_address("新塘里96号")
    assert looks_like_address("金瓯路")
    assert not looks_like_address("张伟")
    assert not looks_like_address("王道明")
