"""Product hierarchy and account classes by Land."""

import pytest

from finance.importing import ProductPath, classify_account, derive_product_path, scheme_for_land
from finance.importing.reference import (
    NKF_ACCOUNT_GROUPS,
    NRW_PRODUCT_AREAS,
    TWO_DIGIT_PRODUCT_AREAS,
    account_group_name,
    product_area_name,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("05.01.02", ProductPath("05", "05.01", "05.01.02")),
        ("5.1.2", ProductPath("05", "05.01", "05.01.02")),
        ("050102", ProductPath("05", "05.01", "05.01.02")),
        ("10101", ProductPath("01", "01.01", "01.01.01")),  # Wesel profit centre
        ("100101", ProductPath("10", "10.01", "10.01.01")),
        ("1.100.01.01.01", ProductPath("01", "01.01", "01.01.01")),  # Wesel object number
        ("1.100.10.01.01", ProductPath("10", "10.01", "10.01.01")),
        ("1.100.05.02", ProductPath("05", "05.02", None)),  # Moers PSP element
        ("104", ProductPath("01", "01.04", None)),  # Moers profit centre
        ("1001", ProductPath("10", "10.01", None)),
        ("150204", ProductPath("15", "15.02", "15.02.04")),
        ("05", ProductPath("05", None, None)),
        ("17.01", ProductPath("17", "17.01", None)),
    ],
)
def test_nrw_product_codes_are_placed(code, expected):
    assert derive_product_path(code, "NW") == expected


@pytest.mark.parametrize(
    "code",
    ["", None, "A010102", "L01010300001", "3.00110.01", "7.200001.700", "FB015400", "1801", "99.01.01"],
)
def test_codes_that_cannot_be_placed_have_no_area(code):
    # not an error: the line is still a valid budget line
    assert derive_product_path(code, "NW").area is None


@pytest.mark.parametrize(
    ("code", "land", "area", "group"),
    [("31.10.01", "BW", "31", "31.10"), ("311001", "BW", "31", "31.10"), ("05.01.02", "BW", None, None)],
)
def test_two_digit_product_areas(code, land, area, group):
    path = derive_product_path(code, land)
    assert (path.area, path.group) == (area, group)


@pytest.mark.parametrize(("code", "area"), [("3611", "36"), ("611", "61"), ("2110", "21"), ("1701", None)])
def test_schleswig_holstein_areas_come_from_the_first_two_digits(code, area):
    # group notation differs between frames (IMK "361" vs BW "36.10"): only the area is relied on
    assert derive_product_path(code, "SH").area == area


@pytest.mark.parametrize(
    ("land", "key", "fallback"),
    [("NW", "nkf_nrw", False), ("DE-NW", "nkf_nrw", False), ("bw", "nkhr_bw", False),
     ("SH", "doppik_sh", False), ("BY", "nkf_nrw", True), (None, "nkf_nrw", False)],
)  # fmt: skip
def test_scheme_for_land_falls_back_to_nrw_with_a_flag(land, key, fallback):
    scheme, used_fallback = scheme_for_land(land)
    assert (scheme.key, used_fallback) == (key, fallback)


@pytest.mark.parametrize(
    ("code", "land", "kind", "statement", "direction"),
    [
        ("41410000", "NW", "budget", "results", "revenue"),
        ("53110000", "NW", "budget", "results", "expense"),
        ("68100000", "NW", "budget", "financial", "revenue"),
        ("78500000", "NW", "budget", "financial", "expense"),
        ("97110000", "NW", "skip", None, None),
        ("21100000", "NW", "invalid", None, None),
        ("30000000", "BW", "budget", "results", "revenue"),
        ("40000000", "BW", "budget", "results", "expense"),
        ("78710000", "BW", "budget", "financial", "revenue"),
        ("88000000", "BW", "budget", "financial", "expense"),
    ],
)
def test_account_classes_are_table_driven(code, land, kind, statement, direction):
    account_class = classify_account(code, scheme_for_land(land)[0])
    assert (account_class.kind, account_class.statement, account_class.direction) == (
        kind,
        statement,
        direction,
    )


def test_reference_tables_are_complete():
    assert list(NRW_PRODUCT_AREAS) == [f"{n:02d}" for n in range(1, 18)]
    assert list(NKF_ACCOUNT_GROUPS) == [str(n) for n in range(40, 80)]
    expected_two_digit = ["11", "12", *map(str, range(21, 29)), *map(str, range(31, 38)), "41", "42",
                          *map(str, range(51, 58)), "61"]  # fmt: skip
    assert list(TWO_DIGIT_PRODUCT_AREAS) == expected_two_digit
    assert product_area_name("05") == "Soziale Leistungen"
    assert product_area_name("37", "SH") is None  # unknown official name: shown as the code, not guessed
    assert account_group_name("53110000") == "Transferaufwendungen"
    assert classify_account("") is None
