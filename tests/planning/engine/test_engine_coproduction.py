"""Financing models of a coproduced service against hand-computed cases (docs/coproduction-method.md)."""

from datetime import date
from decimal import Decimal as D

import pytest

from planning.engine.coproduction import (
    CoproductionError,
    DatedValue,
    Model,
    Risk,
    Source,
    SourceKind,
    evaluate,
    present_value,
    sensitivity,
    value_for_year,
)

YEARS = [2026, 2027, 2028]
#: Statutory minimum wage as shadow price of a volunteer hour (DOMAIN.md).
MINIMUM_WAGE = [
    DatedValue(date(2025, 1, 1), D("12.82")),
    DatedValue(date(2026, 1, 1), D("13.90")),
    DatedValue(date(2027, 1, 1), D("14.60")),
]
BASELINE = dict.fromkeys(YEARS, D(90000))  # the municipality runs the centre alone


def club_model(**changes):
    """A socio-cultural centre run by a registered association with volunteers (hand-computed below)."""
    fields = {
        "name": "Verein",
        "running_costs": dict.fromkeys(YEARS, D(100000)),
        "one_off_costs": {2026: D(20000)},
        "synergies": dict.fromkeys(YEARS, D(5000)),
        "sources": [
            Source("Zuschuss Stadt", SourceKind.MUNICIPAL_BUDGET, amounts=dict.fromkeys(YEARS, D(40000))),
            Source("Landesprogramm", SourceKind.GRANT, amounts=dict.fromkeys(YEARS, D(30000)), end_year=2027),
            Source("AWO", SourceKind.PARTNER_CASH, amounts=dict.fromkeys(YEARS, D(10000)), partner="AWO"),
            Source(
                "Ehrenamt",
                SourceKind.VOLUNTEER_HOURS,
                hours=dict.fromkeys(YEARS, D(1000)),
                partner="Bürgerverein",
            ),
        ],
    }
    fields.update(changes)
    return Model(**fields)


def test_dated_parameter_takes_the_value_valid_on_first_january():
    assert value_for_year(MINIMUM_WAGE, 2025) == D("12.82")
    assert value_for_year(MINIMUM_WAGE, 2026) == D("13.90")
    assert value_for_year(MINIMUM_WAGE, 2030) == D("14.60")
    with pytest.raises(CoproductionError, match="2024-01-01"):
        value_for_year(MINIMUM_WAGE, 2024)


def test_each_year_costs_sources_gap_and_net_burden_by_hand():
    # Given the club model, when evaluated at 0.9 %
    result = evaluate(
        club_model(), years=YEARS, baseline=BASELINE, discount_rate=D("0.009"), shadow_wages=MINIMUM_WAGE
    )
    first, second, third = result.years
    # then 2026: 100,000 + 20,000 one-off - 5,000 synergies; 1,000 h x 13.90 = 13,900 of volunteer value
    assert first.economic_cost == D("115000.00")
    assert first.by_source["Ehrenamt"] == D("13900.00")
    assert first.covered == D("93900.00")
    assert first.gap == D("21100.00")
    assert first.net_burden == D("-50000.00")
    # the same volunteer hours are worth more in 2027 (14.60 EUR/h)
    assert second.by_source["Ehrenamt"] == D("14600.00")
    assert second.gap == D("400.00")
    # the grant ends after 2027: its 30,000 become a gap
    assert third.by_source["Landesprogramm"] == D(0)
    assert third.gap == D("30400.00")
    # shares of the economic cost in percent
    assert first.share("Zuschuss Stadt") == D("34.78")  # 40,000 / 115,000
    assert first.share("Ehrenamt") == D("12.09")


def test_present_values_from_both_perspectives_by_hand():
    result = evaluate(
        club_model(), years=YEARS, baseline=BASELINE, discount_rate=D("0.009"), shadow_wages=MINIMUM_WAGE
    )
    # 40,000 x (1 + 1/1.009 + 1/1.009^2) = 118,932.8158
    assert result.pv_municipal == D("118932.82")
    assert result.pv_baseline == D("267598.84")
    assert result.pv_net_burden == D("-148666.02")
    # all parties: 115,000 + 95,000/1.009 + 95,000/1.009^2
    assert result.pv_economic_cost == D("302465.44")


def test_risks_name_the_gap_the_grant_end_and_a_dominant_partner():
    result = evaluate(
        club_model(), years=YEARS, baseline=BASELINE, discount_rate=D("0.009"), shadow_wages=MINIMUM_WAGE
    )
    assert result.risks == [Risk("coverage_gap", year=2026), Risk("grant_ends", "Landesprogramm", 2027)]

    # one partner paying more than half of everything that is not municipal money is a dependence
    sponsor = Source(
        "Stiftung", SourceKind.SPONSORING, amounts=dict.fromkeys(YEARS, D(200000)), partner="Stiftung"
    )
    model = club_model(sources=[*club_model().sources, sponsor])
    result = evaluate(
        model, years=YEARS, baseline=BASELINE, discount_rate=D("0.009"), shadow_wages=MINIMUM_WAGE
    )
    assert Risk("dependence", "Stiftung") in result.risks
    assert not any(r.code == "coverage_gap" for r in result.risks)


def test_present_value_at_zero_rate_is_the_plain_sum():
    assert present_value({2026: D(1), 2027: D(2), 2030: D(3)}, D(0), 2026) == D("6.00")


def test_sensitivity_moves_the_burden_the_expected_way():
    table = sensitivity(
        club_model(), years=YEARS, baseline=BASELINE, discount_rate=D("0.009"), shadow_wages=MINIMUM_WAGE
    )
    assert table["base"] == D("-148666.02")
    # the burden is negative (relief): a higher rate shrinks its present value, a lower one grows it
    assert table["rate_low"] < table["base"] < table["rate_high"]
    baseline = present_value(BASELINE, D("0.009"), 2026)
    # half the volunteer hours: the municipality pays 6,950 + 7,300 + 7,300 more than its 40,000
    paid = present_value({2026: D(46950), 2027: D(47300), 2028: D(47300)}, D("0.009"), 2026)
    assert table["hours_low"] == paid - baseline
    # losing the grant: the municipality pays its 30,000 in 2026 and 2027
    paid = present_value({2026: D(70000), 2027: D(70000), 2028: D(40000)}, D("0.009"), 2026)
    assert table["grant_loss"] == paid - baseline


@pytest.mark.parametrize("field", ["running_costs", "synergies"])
def test_negative_amounts_are_refused(field):
    with pytest.raises(CoproductionError, match="negative"):
        evaluate(
            club_model(**{field: {2026: D(-1)}}),
            years=YEARS,
            baseline=BASELINE,
            discount_rate=D("0.009"),
            shadow_wages=MINIMUM_WAGE,
        )
