"""German-aware number input and one formatting for exports and prints."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from core.api.fields import LocalizedDecimalField, LocalizedFloatField
from core.forms import NumberField, PercentField, year_choices
from core.numbers import NumberFormatError, format_date, format_money, format_number, parse_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85.000", Decimal("85000")),
        ("85.000,50", Decimal("85000.50")),
        ("1.234.567", Decimal("1234567")),
        ("0,025", Decimal("0.025")),
        ("2,5 %", Decimal("2.5")),
        ("2.5", Decimal("2.5")),
        ("0.025", Decimal("0.025")),
        ("85,000.50", Decimal("85000.50")),
        ("-3,5", Decimal("-3.5")),
        ("1.234,56-", Decimal("-1234.56")),
        ("85 000 €", Decimal("85000")),
        ("", None),
        (12, Decimal(12)),
    ],
)
def test_parse_decimal_reads_german_and_international_input(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["abc", "1.2.3", "1.23,4", "2,5,0"])
def test_parse_decimal_refuses_garbage(text):
    with pytest.raises(NumberFormatError):
        parse_decimal(text)


def test_formatting_is_german_for_exports_and_prints():
    assert format_number(Decimal("85000"), 2) == "85.000,00"
    assert format_money(Decimal("85000.5")) == "85.000,50\u00a0€"
    assert format_number(1234567.891, 0, language="en") == "1,234,568"
    assert format_date("2026-12-06") == "06.12.2026"
    assert format_date(dt.date(2026, 12, 6), language="en") == "6 Dec 2026"


def test_number_field_takes_a_cost_estimate_the_german_way():
    field = NumberField(max_digits=14, decimal_places=2, min_value=0)
    assert field.clean("85.000") == Decimal("85000")
    assert field.clean("85.000,50") == Decimal("85000.50")
    with translation.override("de"):
        assert field.widget.format_value(Decimal("85000.5")) == "85.000,5"
    assert field.widget.attrs["inputmode"] == "decimal"


def test_percent_field_takes_percent_and_returns_a_fraction():
    field = PercentField(min_value=0, max_value=100)
    assert field.clean("2,5") == Decimal("0.025")
    assert field.prepare_value(Decimal("0.025")) == Decimal("2.5")


def test_year_choices_have_no_thousands_separator():
    assert year_choices([2025, 2026]) == [("2025", "2025"), ("2026", "2026")]


def test_api_fields_accept_german_strings_and_json_numbers():
    assert LocalizedDecimalField(max_digits=14, decimal_places=2).run_validation("85.000,50") == Decimal(
        "85000.50"
    )
    assert LocalizedFloatField().run_validation("2,5") == 2.5
    assert LocalizedFloatField().run_validation(2.5) == 2.5


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("0.5"), "1"), (Decimal("-0.5"), "-1"), (Decimal("1234567.5"), "1.234.568"),
     (Decimal("1234567.4999"), "1.234.567"), (Decimal("-1234567.5"), "-1.234.568"), (0.5, "1"),
     (1234567.5, "1.234.568"), (Decimal("-0.4"), "0"), ("2.5", "3"), (Decimal("NaN"), "–")],
)  # fmt: skip
def test_whole_euros_are_rounded_half_up_not_cut_off(value, expected):
    from core.templatetags.spielraum import eur0

    with translation.override("de"):
        assert eur0(value) == f"{expected}\u00a0€"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(Decimal("1.995"), 2, "2,00"), (2.675, 2, "2,68"), (Decimal("0.05"), 1, "0,1"), (Decimal("1e30"), 0,
     "1.000.000.000.000.000.000.000.000.000.000")],
)  # fmt: skip
def test_numbers_in_templates_are_rounded_half_up(value, decimals, expected):
    from core.templatetags.spielraum import num

    with translation.override("de"):
        assert num(value, decimals) == expected
