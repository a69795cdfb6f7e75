"""Financing models of a coproduced service: who pays what, the municipality's net burden, present values.

Why this module exists: the report's answer to scarce money is to provide a social service (its example is
a socio-cultural centre) together with welfare associations, volunteers and the market, so that the
municipal budget is relieved. A council committee compares alternative models of the same service side by
side: what it costs each year, who pays which share, what the municipality pays compared with providing the
service alone (the public sector comparator), and the present value of both over the horizon. This module
does that arithmetic on plain values; Django code loads the model and stores or renders the result.
The method is documented in docs/coproduction-method.md.

Money is :class:`~decimal.Decimal` throughout and rounded to the cent per year; present values are rounded
once, at the end.

Terms (per year ``y`` of the horizon)::

    economic_cost[y] = running[y] + one_off[y] - synergies[y]   # Ressourcenverbrauch, incl. valued in-kind
    covered[y]       = sum of all sources' contributions in y    # cash, in kind at value, volunteer hours
    gap[y]           = economic_cost[y] - covered[y]             # > 0: nobody pays this yet (shown)
    municipal[y]     = the municipal budget's contribution in y  # Zuschuss aus dem Haushalt
    net_burden[y]    = municipal[y] - baseline[y]                # < 0: the model relieves the budget

Volunteer hours are valued with a dated shadow wage (the statutory minimum wage of the year, see
DOMAIN.md); grants stop after their end year. Present values use the official nominal discount rate with
``t = year - base_year`` (the first horizon year is not discounted)::

    PV(x) = sum_y x[y] / (1 + i) ** (y - base_year)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

#: A partner whose share of the non-municipal financing exceeds this is a dependence risk.
DEPENDENCE_SHARE = Decimal("0.5")


class CoproductionError(ValueError):
    """An input that cannot be computed (no parameter valid at a date, a negative amount, ...)."""


@dataclass(frozen=True)
class DatedValue:
    """One value of a dated parameter (e.g. the minimum wage) valid from ``valid_from`` on."""

    valid_from: date
    value: Decimal


def value_on(series: Iterable[DatedValue], day: date) -> Decimal:
    """The value valid on ``day``: the one with the latest ``valid_from`` not after ``day``."""
    valid = [item for item in series if item.valid_from <= day]
    if not valid:
        raise CoproductionError(f"no value valid on {day.isoformat()}")
    return max(valid, key=lambda item: item.valid_from).value


def value_for_year(series: Iterable[DatedValue], year: int) -> Decimal:
    """The value that applies to a budget year: the one valid on 1 January of that year."""
    return value_on(series, date(year, 1, 1))


class SourceKind(StrEnum):
    """Where money or resources of a model come from."""

    MUNICIPAL_BUDGET = "municipal_budget"  # Zuschuss aus dem kommunalen Haushalt
    GRANT = "grant"  # Fördermittel Land/Bund/EU (with an end year)
    PPP_FEE = "ppp_fee"
    SPONSORING = "sponsoring"
    DONATIONS = "donations"
    CROWDFUNDING = "crowdfunding"
    FEES = "fees"  # Entgelte, Teilnahmebeiträge
    PARTNER_CASH = "partner_cash"
    PARTNER_IN_KIND = "partner_in_kind"  # rooms, staff, material at value
    VOLUNTEER_HOURS = "volunteer_hours"  # valued with the shadow wage of the year


@dataclass(frozen=True)
class Source:
    """One financing source or contribution. ``amounts`` per year (EUR); volunteer sources give ``hours``."""

    name: str
    kind: SourceKind
    amounts: Mapping[int, Decimal] = field(default_factory=dict)
    hours: Mapping[int, Decimal] = field(default_factory=dict)
    partner: str = ""  # the stakeholder behind it, for the dependence check
    end_year: int | None = None  # last year a grant is paid

    def value_in(self, year: int, shadow_wage: Decimal) -> Decimal:
        """This source's contribution in ``year`` at value (0 after a grant's end year)."""
        if self.end_year is not None and year > self.end_year:
            return Decimal(0)
        if self.kind is SourceKind.VOLUNTEER_HOURS:
            return _cents(Decimal(self.hours.get(year, 0)) * shadow_wage)
        return _cents(Decimal(self.amounts.get(year, 0)))


@dataclass(frozen=True)
class Model:
    """One organisational and financing model of a service (e.g. "Verein mit Ehrenamt")."""

    name: str
    running_costs: Mapping[int, Decimal]
    sources: Sequence[Source]
    one_off_costs: Mapping[int, Decimal] = field(default_factory=dict)
    synergies: Mapping[int, Decimal] = field(default_factory=dict)  # savings from co-location


@dataclass(frozen=True)
class Risk:
    """A risk of a model, rendered in words by the presenter: ``code`` with its subject and year."""

    code: str  # coverage_gap | grant_ends | dependence
    subject: str = ""
    year: int | None = None


@dataclass(frozen=True)
class YearResult:
    """The arithmetic of one year of one model."""

    year: int
    economic_cost: Decimal
    covered: Decimal
    gap: Decimal
    municipal: Decimal
    baseline: Decimal
    net_burden: Decimal
    shadow_wage: Decimal
    by_source: dict[str, Decimal]

    def share(self, source_name: str) -> Decimal:
        """Percent of this year's economic cost carried by one source (0 when the cost is 0)."""
        if not self.economic_cost:
            return Decimal(0)
        return (self.by_source.get(source_name, Decimal(0)) * HUNDRED / self.economic_cost).quantize(CENT)


@dataclass(frozen=True)
class ModelResult:
    """A model over the horizon: per-year results, present values and the risks in words."""

    name: str
    years: list[YearResult]
    pv_municipal: Decimal  # present value of the municipal contributions (budget perspective)
    pv_baseline: Decimal  # present value of providing the service alone
    pv_net_burden: Decimal  # pv_municipal - pv_baseline (< 0: relief)
    pv_economic_cost: Decimal  # present value of all resources used (all parties' perspective)
    risks: list[Risk]

    @property
    def total_gap(self) -> Decimal:
        return sum((row.gap for row in self.years), Decimal(0))


def evaluate(
    model: Model,
    *,
    years: Sequence[int],
    baseline: Mapping[int, Decimal],
    discount_rate: Decimal,
    shadow_wages: Sequence[DatedValue],
    base_year: int | None = None,
) -> ModelResult:
    """Compute one model over ``years`` against the municipality's cost of providing the service alone.

    ``discount_rate`` is a fraction (0.009 for 0.9 %). ``baseline`` is what the municipal budget would pay
    per year without the model (the public sector comparator).
    """
    if not years:
        raise CoproductionError("the horizon has no years")
    if discount_rate <= Decimal(-1):
        raise CoproductionError("the discount rate must be above -100 %")
    _check_not_negative(model)
    base = years[0] if base_year is None else base_year
    rows: list[YearResult] = []
    for year in years:
        wage = value_for_year(shadow_wages, year)
        cost = _cents(
            Decimal(model.running_costs.get(year, 0))
            + Decimal(model.one_off_costs.get(year, 0))
            - Decimal(model.synergies.get(year, 0))
        )
        by_source: dict[str, Decimal] = {}
        for source in model.sources:
            by_source[source.name] = by_source.get(source.name, Decimal(0)) + source.value_in(year, wage)
        covered = sum(by_source.values(), Decimal(0))
        municipal = sum(
            (s.value_in(year, wage) for s in model.sources if s.kind is SourceKind.MUNICIPAL_BUDGET),
            Decimal(0),
        )
        base_cost = _cents(Decimal(baseline.get(year, 0)))
        rows.append(
            YearResult(
                year=year,
                economic_cost=cost,
                covered=covered,
                gap=cost - covered,
                municipal=municipal,
                baseline=base_cost,
                net_burden=municipal - base_cost,
                shadow_wage=wage,
                by_source=by_source,
            )
        )
    pv_municipal = present_value({r.year: r.municipal for r in rows}, discount_rate, base)
    pv_baseline = present_value({r.year: r.baseline for r in rows}, discount_rate, base)
    return ModelResult(
        name=model.name,
        years=rows,
        pv_municipal=pv_municipal,
        pv_baseline=pv_baseline,
        pv_net_burden=pv_municipal - pv_baseline,
        pv_economic_cost=present_value({r.year: r.economic_cost for r in rows}, discount_rate, base),
        risks=risks(model, rows),
    )


def present_value(flows: Mapping[int, Decimal], rate: Decimal, base_year: int) -> Decimal:
    """sum_y flows[y] / (1 + rate) ** (y - base_year), rounded to the cent once at the end."""
    one_plus = Decimal(1) + Decimal(rate)
    total = sum((Decimal(v) / one_plus ** (y - base_year) for y, v in flows.items()), Decimal(0))
    return _cents(total)


def risks(model: Model, rows: Sequence[YearResult]) -> list[Risk]:
    """Plain-language risks: coverage gaps, grants ending inside the horizon, dependence on one partner."""
    found: list[Risk] = []
    gap_years = [r.year for r in rows if r.gap > 0]
    if gap_years:
        found.append(Risk("coverage_gap", year=gap_years[0]))
    last = rows[-1].year
    for source in model.sources:
        if source.kind is SourceKind.GRANT and source.end_year is not None and source.end_year < last:
            found.append(Risk("grant_ends", source.name, source.end_year))
    partner_totals: dict[str, Decimal] = {}
    external = Decimal(0)
    for row in rows:
        for source in model.sources:
            if source.kind is SourceKind.MUNICIPAL_BUDGET:
                continue
            value = source.value_in(row.year, row.shadow_wage)
            external += value
            if source.partner:
                partner_totals[source.partner] = partner_totals.get(source.partner, Decimal(0)) + value
    for partner, total in sorted(partner_totals.items()):
        if external and total / external > DEPENDENCE_SHARE:
            found.append(Risk("dependence", partner))
    return found


def sensitivity(
    model: Model,
    *,
    years: Sequence[int],
    baseline: Mapping[int, Decimal],
    discount_rate: Decimal,
    shadow_wages: Sequence[DatedValue],
    rate_delta: Decimal = Decimal("0.01"),
    hours_factor: Decimal = Decimal("0.5"),
) -> dict[str, Decimal]:
    """Present value of the net burden under the usual variations (the committee's sensitivity table).

    ``rate_low/high``: discount rate minus/plus ``rate_delta``; ``hours_low``: volunteer hours times
    ``hours_factor`` with the missing value paid from the municipal budget; ``grant_loss``: every grant
    stops before the first year, the municipal budget pays what it covered.
    """
    kwargs = {"years": years, "baseline": baseline, "shadow_wages": shadow_wages}
    base = evaluate(model, discount_rate=discount_rate, **kwargs).pv_net_burden
    low = evaluate(model, discount_rate=discount_rate - rate_delta, **kwargs).pv_net_burden
    high = evaluate(model, discount_rate=discount_rate + rate_delta, **kwargs).pv_net_burden
    fewer_hours = _shift_to_municipality(
        model,
        lambda s: s.kind is SourceKind.VOLUNTEER_HOURS,
        lambda s: Source(
            s.name,
            s.kind,
            hours={y: Decimal(h) * hours_factor for y, h in s.hours.items()},
            partner=s.partner,
        ),
        years,
        shadow_wages,
    )
    no_grants = _shift_to_municipality(
        model, lambda s: s.kind is SourceKind.GRANT, lambda s: None, years, shadow_wages
    )
    return {
        "base": base,
        "rate_low": low,
        "rate_high": high,
        "hours_low": evaluate(fewer_hours, discount_rate=discount_rate, **kwargs).pv_net_burden,
        "grant_loss": evaluate(no_grants, discount_rate=discount_rate, **kwargs).pv_net_burden,
    }


def _shift_to_municipality(model, selects, replace, years, shadow_wages) -> Model:
    """A variant of ``model`` where selected sources are replaced and the municipal budget pays the loss."""
    extra: dict[int, Decimal] = {}
    sources: list[Source] = []
    for source in model.sources:
        if not selects(source):
            sources.append(source)
            continue
        new = replace(source)
        if new is not None:
            sources.append(new)
        for year in years:
            wage = value_for_year(shadow_wages, year)
            lost = source.value_in(year, wage) - (new.value_in(year, wage) if new is not None else 0)
            extra[year] = extra.get(year, Decimal(0)) + lost
    sources.append(Source("__shift__", SourceKind.MUNICIPAL_BUDGET, amounts=extra))
    return Model(model.name, model.running_costs, sources, model.one_off_costs, model.synergies)


def _check_not_negative(model: Model) -> None:
    for label, series in (
        ("running_costs", model.running_costs),
        ("one_off_costs", model.one_off_costs),
        ("synergies", model.synergies),
    ):
        for year, value in series.items():
            if Decimal(value) < 0:
                raise CoproductionError(f"{label} {year}: negative amount {value}")
    for source in model.sources:
        for year, value in {**source.amounts, **source.hours}.items():
            if Decimal(value) < 0:
                raise CoproductionError(f"{source.name} {year}: negative amount {value}")


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
