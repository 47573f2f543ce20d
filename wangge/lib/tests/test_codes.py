import pytest

from wangge.lib import codes
from wangge.lib.codes import Level


@pytest.mark.parametrize(
    ("prefix", "bound"),
    [
        ("440704", "440705"),
        ("440704001", "440704002"),
        ("440709", "44071"),
        ("440799999", "4408"),
        ("440704009", "44070401"),
        ("0", "1"),
        ("8", "9"),
    ],
)
def test_it_gives_the_next_prefix_as_upper_bound(prefix, bound):
    assert codes.prefix_upper_bound(prefix) == bound


@pytest.mark.parametrize("prefix", ["", "9", "999", "999999999999999999"])
def test_it_has_no_upper_bound_for_empty_or_all_nines(prefix):
    assert codes.prefix_upper_bound(prefix) is None


@pytest.mark.parametrize(
    "prefix", ["440704", "440709", "440799999", "440704001", "440704999", "000000", "1"]
)
def test_it_bounds_exactly_the_strings_with_the_prefix(prefix):
    """Every code starting with the prefix is in [prefix, bound); nothing else is."""
    bound = codes.prefix_upper_bound(prefix)
    assert bound is not None
    samples = {
        prefix,
        prefix + "0",
        prefix + "9" * 12,
        bound,
        bound + "0",
        prefix[:-1],
        prefix[:-1] + "9" * 12,
    }
    for digit in "0123456789":
        samples.add(prefix[:-1] + digit + "000")
    for sample in samples:
        inside = prefix <= sample < bound
        assert inside == sample.startswith(prefix), sample


def test_it_keeps_only_minimal_roots():
    assert codes.minimal_roots(
        ["440704001001", "440704001", "440704001001001", "440703", "440703001", "440704002"]
    ) == ["440703", "440704001", "440704002"]
    assert codes.minimal_roots([]) == []
    assert codes.minimal_roots({"440704", "440704001"}) == ["440704"]
    # Siblings whose codes share leading digits are not nested.
    assert codes.minimal_roots(["440704001", "440704001001", "4407040010"]) == ["440704001"]
    assert codes.minimal_roots(["440704001", "440704002001"]) == ["440704001", "440704002001"]


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("440704", None),
        ("440704001", "440704"),
        ("440704001002", "440704001"),
        ("440704001002003", "440704001002"),
        ("440704001002003004", "440704001002003"),
    ],
)
def test_it_finds_the_parent(code, parent):
    assert codes.parent_of(code) == parent


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("440704", Level.DISTRICT),
        ("440704001", Level.STREET),
        ("440704001001", Level.COMMUNITY),
        ("440704001001001", Level.GRID),
        ("440704001001001001", Level.UNIT),
    ],
)
def test_it_knows_the_level(code, level):
    assert codes.level_of(code) is level
    assert codes.is_valid(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "4407",
        "44070",
        "4407040",
        "44070400",
        "4407040010",
        "4407040010010010010",
        "440704001001001001001",
        "44070a",
        "440704 001",
        " 440704",
        "440704\n",
        "-44070",
        "４４０７０４",  # full-width digits
    ],
)
def test_it_rejects_invalid_codes(code):
    assert not codes.is_valid(code)
    with pytest.raises(ValueError):
        codes.level_of(code)
    with pytest.raises(ValueError):
        codes.parent_of(code)
    with pytest.raises(ValueError):
        codes.ancestors_of(code)


def test_it_lists_ancestors_from_the_district_down():
    assert codes.ancestors_of("440704001002003004") == [
        "440704",
        "440704001",
        "440704001002",
        "440704001002003",
    ]
    assert codes.ancestors_of("440704") == []


def test_it_builds_child_codes():
    assert codes.child_code("440704", 1) == "440704001"
    assert codes.child_code("440704001", 999) == "440704001999"
    for bad in (0, 1000, -1):
        with pytest.raises(ValueError):
            codes.child_code("440704", bad)


def test_it_tests_membership_by_prefix():
    assert codes.is_within("440704001001", "440704")
    assert codes.is_within("440704", "440704")
    assert not codes.is_within("440703001", "440704")
