"""Amount parsing: every export notation to an exact Decimal, and clear rejection of the rest."""

from decimal import Decimal

import pytest

from finance.importing import DECIMAL_COMMA, DECIMAL_POINT, NumberFormatError, detect_decimal_convention
from finance.importing.numbers import make_amount_parser


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1.234,56-", "-1234.56"),  # SAP trailing minus
        ("-1.234,56", "-1234.56"),
        ("-22.000,00", "-22000.00"),
        ("  206,41  ", "206.41"),
        ("-206,4", "-206.40"),
        ("451", "451.00"),
        ("12.345.678,90", "12345678.90"),
        (",5", "0.50"),
        ("+5", "5.00"),
        ("", "0.00"),
        ("   ", "0.00"),
        ("0,00", "0.00"),
        ("-0,00", "0.00"),
        ("1 234,56 €", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
    ],
)
def test_german_amounts_are_exact_decimals(raw, expected):
    # given a parser for the German convention
    parse = make_amount_parser(DECIMAL_COMMA)
    # when a cell is parsed
    value = parse(raw)
    # then it is the exact Decimal, never a float
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,234.56", "1234.56"), ("1234.56", "1234.56"), ("1,234.56-", "-1234.56"), ("-0.5", "-0.50")],
)
def test_english_amounts(raw, expected):
    assert make_amount_parser(DECIMAL_POINT)(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12,3,4", "not_a_number"),
        ("abc", "not_a_number"),
        ("1.23,4", "bad_grouping"),
        ("1.2345,00", "bad_grouping"),
        ("1,234", "too_many_decimals"),
        ("1,2345", "too_many_decimals"),
        ("--5", "not_a_number"),
        ("-5-", "not_a_number"),
        ("1e-3", "too_many_decimals"),
        ("Infinity", "not_a_number"),
        ("1_000,00", "not_a_number"),
        ("12 34", "not_a_number"),
        ("١٢", "not_a_number"),
    ],
)
def test_invalid_german_amounts_are_rejected_with_a_reason(raw, code):
    # given / when / then
    with pytest.raises(NumberFormatError) as caught:
        make_amount_parser(DECIMAL_COMMA)(raw)
    assert caught.value.code == code


def test_german_notation_is_invalid_in_an_english_file():
    with pytest.raises(NumberFormatError):
        make_amount_parser(DECIMAL_POINT)("1.234,56")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(22000, "22000.00"), (1234.56, "1234.56"), (0.1 + 0.2, "0.30"), (Decimal("-5.5"), "-5.50"), (None, "0")],
)
def test_typed_xlsx_cells(raw, expected):
    # Excel stores doubles: float noise is rounded to the cent, real values are kept
    assert make_amount_parser(DECIMAL_COMMA)(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", [1.234, float("nan"), True])
def test_typed_cells_that_are_not_cent_amounts(raw):
    with pytest.raises(NumberFormatError):
        make_amount_parser(DECIMAL_COMMA)(raw)


def test_repeated_cells_come_from_the_memo_unchanged():
    # given a parser that has seen a value
    parse = make_amount_parser(DECIMAL_COMMA)
    first = parse("-22.000,00")
    # when the same cell text appears again
    again = parse("-22.000,00")
    # then the value is identical
    assert again == first == Decimal("-22000.00")


@pytest.mark.parametrize(
    ("values", "delimiter", "expected"),
    [
        (["1.234,56", "206,41"], ";", DECIMAL_COMMA),
        (["1,234.56", "206.41"], ",", DECIMAL_POINT),
        (["1.234.567"], ",", DECIMAL_COMMA),  # repeated dot can only be grouping
        (["1,234,567"], ";", DECIMAL_POINT),
        (["1.234", "5.678"], ";", DECIMAL_COMMA),  # ambiguous only: German default for ';'
        (["1.234", "5.678"], ",", DECIMAL_POINT),  # ambiguous only: English default for ','
        (["1.234", "5.678", "12,5"], ",", DECIMAL_COMMA),  # one clear vote decides
        ([], "\t", DECIMAL_COMMA),
    ],
)
def test_decimal_convention_is_decided_per_file(values, delimiter, expected):
    assert detect_decimal_convention(values, delimiter)[0] == expected


def test_unknown_convention_is_a_programming_error():
    with pytest.raises(ValueError, match="convention"):
        make_amount_parser("fr")
