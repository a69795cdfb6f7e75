"""Builders shared by the resilience and balance-sheet tests (no tests here).

``make_version`` writes budget lines and their rollup the way the finance import stores them, so the
tests exercise the resilience wiring without depending on the importer's internals (one test in
test_resilience_services.py goes through the real importer).

The hand-computed plan (``PLAN``) and opening sheet (``OPENING``): equity 120 M = 10 M
Ausgleichsrücklage + 100 M allgemeine Rücklage + 10 M other equity; results 2025-2028:
-10 M (taken from the Ausgleichsrücklage), -6 M (allgemeine Rücklage -6 %), -30 M (-31.9 %: both HSK
triggers), +3 M (into the Ausgleichsrücklage, cap 77 M / 3).
"""

from collections import defaultdict
from decimal import Decimal

from finance.models import BudgetDataset, BudgetLine, BudgetRollup, BudgetVersion
from planning.resilience.models import BalanceSheet

M = 1_000_000

# account code -> amount per year (EUR); 4013 Gewerbesteuer is part of group 40
PLAN = {
    "40130000": {2025: 20 * M, 2026: 20 * M, 2027: 20 * M, 2028: 20 * M},
    "40100000": {2025: 30 * M, 2026: 30 * M, 2027: 30 * M, 2028: 30 * M},
    "41110000": {2025: 30 * M, 2026: 30 * M, 2027: 30 * M, 2028: 33 * M},
    "50110000": {2025: 40 * M, 2026: 40 * M, 2027: 40 * M, 2028: 40 * M},
    "53310000": {2025: 50 * M, 2026: 46 * M, 2027: 70 * M, 2028: 40 * M},
}
PLAN_RESULTS = {2025: -10 * M, 2026: -6 * M, 2027: -30 * M, 2028: 3 * M}

# Actuals 2021-2024 with some volatility (for the covariance estimate)
ACTUAL = {
    "40130000": {2021: 17 * M, 2022: 22 * M, 2023: 15 * M, 2024: 19 * M},
    "40100000": {2021: 27 * M, 2022: 28 * M, 2023: 29 * M, 2024: 30 * M},
    "41110000": {2021: 27 * M, 2022: 29 * M, 2023: 28 * M, 2024: 30 * M},
    "50110000": {2021: 36 * M, 2022: 37 * M, 2023: 38 * M, 2024: 39 * M},
    "53310000": {2021: 44 * M, 2022: 45 * M, 2023: 48 * M, 2024: 47 * M},
}

OPENING = {
    "equity": Decimal(120 * M),
    "equalisation_reserve": Decimal(10 * M),
    "general_reserve": Decimal(100 * M),
    "balance_sheet_total": Decimal(400 * M),
    "investment_loans": Decimal(100 * M),
    "variable_rate_share": Decimal("0.2"),
    "liquidity_loans": Decimal(20 * M),
    "liquidity_loans_rate": Decimal("0.03"),
}

_counter = {"n": 0}


def _direction(code: str) -> tuple[str, str]:
    statement = "results" if code[0] in "45" else "financial"
    direction = "revenue" if code[0] in "46" else "expense"
    return statement, direction


def make_version(
    municipality,
    *,
    plan: dict | None = None,
    actual: dict | None = None,
    dataset: str = "Haushalt",
    label: str = "",
    rollup: bool = True,
) -> BudgetVersion:
    """A budget version with lines per account/year/phase and (by default) its rollup."""
    _counter["n"] += 1
    ds, _ = BudgetDataset.objects.get_or_create(municipality=municipality, name=dataset)
    number = ds.versions.count() + 1
    version = BudgetVersion.objects.create(
        dataset=ds,
        municipality=municipality,
        number=number,
        label=label,
        source_file=f"test/{_counter['n']}.csv",
        source_name=f"{_counter['n']}.csv",
        checksum=f"{_counter['n']:064d}",
        mapping={},
    )
    lines = []
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    for phase, table in (("plan", plan or {}), ("actual", actual or {})):
        for code, by_year in table.items():
            statement, direction = _direction(code)
            for year, amount in by_year.items():
                lines.append(
                    BudgetLine(
                        version=version,
                        line=len(lines) + 2,
                        product_code="16.01.01",
                        area="16",
                        product_group="16.01",
                        account_code=code,
                        account_group=code[:2],
                        year=year,
                        phase=phase,
                        statement=statement,
                        direction=direction,
                        amount=Decimal(amount),
                    )
                )
                sums[(code[:2], year, phase, statement, direction)] += Decimal(amount)
    BudgetLine.objects.bulk_create(lines)
    if rollup:
        BudgetRollup.objects.bulk_create(
            BudgetRollup(
                version=version,
                area="16",
                product_group="16.01",
                product_code="16.01.01",
                account_group=group,
                year=year,
                phase=phase,
                statement=statement,
                direction=direction,
                amount=amount,
                line_count=1,
            )
            for (group, year, phase, statement, direction), amount in sums.items()
        )
    return version


def make_balance_sheet(municipality, year: int = 2025, **overrides) -> BalanceSheet:
    return BalanceSheet.objects.create(municipality=municipality, year=year, **{**OPENING, **overrides})


def make_plan(municipality) -> BudgetVersion:
    """Actuals in an older version, the medium-term plan in a newer one, the opening sheet 2025."""
    make_version(municipality, actual=ACTUAL, dataset="Jahresabschluss")
    version = make_version(municipality, plan=PLAN, label="Entwurf 2025")
    make_balance_sheet(municipality)
    return version
