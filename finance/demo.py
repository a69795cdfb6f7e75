"""Demo budget of Musterstadt (NRW, about 61,000 inhabitants): a synthetic but plausible results budget.

Products of the NRW product areas 01-17, NKF accounts of groups 40-57, actuals 2022-2024 and plans
2025-2029, total expense about 250 million EUR, deficits in the later plan years (trade tax dip,
rising transfer expenses). It is written in memory as the CSV an SAP system exports (Windows-1252,
``;``, ``1.234,56``, revenue with SAP's trailing minus) and imported through the real import service,
so the demo exercises the importer. Two versions: the draft plan and the adopted plan. Idempotent:
the generator is deterministic, and a re-import of an identical file is ``unchanged``.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from core.models import Municipality

YEARS_ACTUAL = (2022, 2023, 2024)
YEARS_PLAN = (2025, 2026, 2027, 2028, 2029)
TARGET_EXPENSE_2024 = Decimal("248000000")
DATASET = "Haushalt"

# product code, name, [(account, share of the area's expense or a fixed revenue in EUR)]
PRODUCTS: dict[str, list[tuple[str, str]]] = {
    "01": [("010101", "Rat und Ausschüsse"), ("010201", "Personalservice"), ("010301", "Finanzservice"),
           ("010401", "Gebäudemanagement"), ("010501", "IT-Service")],
    "02": [("020101", "Ordnungsangelegenheiten"), ("020201", "Feuerwehr"), ("020301", "Rettungsdienst"),
           ("020401", "Bürgerservice")],
    "03": [("030101", "Grundschulen"), ("030201", "Realschulen"), ("030301", "Gymnasien"),
           ("030401", "Gesamtschulen"), ("030501", "Offener Ganztag")],
    "04": [("040101", "Stadtbibliothek"), ("040201", "Musikschule"), ("040301", "Kulturförderung")],
    "05": [("050101", "Grundsicherung im Alter und bei Erwerbsminderung"),
           ("050201", "Hilfe zum Lebensunterhalt"),
           ("050301", "Leistungen nach dem Asylbewerberleistungsgesetz"), ("050401", "Wohngeld"),
           ("050501", "Seniorenarbeit")],
    "06": [("060101", "Kindertagesbetreuung"), ("060201", "Hilfen zur Erziehung"), ("060301", "Jugendarbeit"),
           ("060401", "Unterhaltsvorschuss")],
    "07": [("070101", "Gesundheitsschutz")],
    "08": [("080101", "Sportstätten"), ("080201", "Sportförderung")],
    "09": [("090101", "Stadtplanung"), ("090201", "Vermessung und Geoinformation")],
    "10": [("100101", "Bauaufsicht"), ("100201", "Wohnungsbauförderung"), ("100301", "Denkmalschutz")],
    "11": [("110101", "Abfallwirtschaft"), ("110201", "Stadtentwässerung")],
    "12": [("120101", "Gemeindestraßen"), ("120201", "Straßenbeleuchtung"), ("120301", "ÖPNV")],
    "13": [("130101", "Öffentliches Grün"), ("130201", "Friedhöfe")],
    "14": [("140101", "Klimaschutz und Umweltberatung")],
    "15": [("150101", "Wirtschaftsförderung"), ("150201", "Stadtmarketing und Tourismus")],
    "16": [("160101", "Steuern, allgemeine Zuweisungen"), ("160201", "Zinsen und Finanzierung"),
           ("160301", "Allgemeine Umlagen")],
    "17": [("170101", "Unselbständige Stiftungen")],
}  # fmt: skip

ACCOUNTS = {
    "40120000": "Grundsteuer B",
    "40130000": "Gewerbesteuer",
    "40210000": "Gemeindeanteil an der Einkommensteuer",
    "40220000": "Gemeindeanteil an der Umsatzsteuer",
    "41110000": "Schlüsselzuweisungen vom Land",
    "41410000": "Zuweisungen für laufende Zwecke vom Land",
    "42110000": "Kostenerstattungen für Sozialleistungen",
    "43110000": "Verwaltungsgebühren",
    "43210000": "Benutzungsgebühren und ähnliche Entgelte",
    "44110000": "Mieten und Pachten",
    "45610000": "Erträge aus der Auflösung von Sonderposten",
    "46110000": "Zinserträge",
    "50120000": "Dienstaufwendungen tariflich Beschäftigte",
    "50110000": "Dienstaufwendungen Beamte",
    "51100000": "Versorgungsaufwendungen",
    "52110000": "Unterhaltung der Grundstücke und Gebäude",
    "52410000": "Bewirtschaftung der Grundstücke und Gebäude",
    "52910000": "Sonstige Sach- und Dienstleistungen",
    "53110000": "Zuweisungen und Zuschüsse für laufende Zwecke",
    "53310000": "Sozialtransferaufwendungen",
    "53720000": "Kreisumlage",
    "54310000": "Geschäftsaufwendungen",
    "55110000": "Zinsaufwendungen",
    "57110000": "Bilanzielle Abschreibungen",
}

# Expense of each area in 2024 (million EUR) split over accounts; revenue items of areas (million EUR).
AREA_EXPENSE: dict[str, tuple[float, dict[str, float]]] = {
    "01": (24.0, {"50120000": 0.45, "50110000": 0.15, "51100000": 0.1, "52910000": 0.15, "54310000": 0.1,
                  "57110000": 0.05}),
    "02": (16.0, {"50120000": 0.35, "50110000": 0.25, "52910000": 0.2, "54310000": 0.05, "57110000": 0.15}),
    "03": (19.0, {"50120000": 0.15, "52110000": 0.25, "52410000": 0.25, "53110000": 0.15, "57110000": 0.2}),
    "04": (4.5, {"50120000": 0.55, "52910000": 0.2, "53110000": 0.2, "57110000": 0.05}),
    "05": (33.0, {"50120000": 0.1, "53310000": 0.88, "54310000": 0.02}),
    "06": (46.0, {"50120000": 0.18, "53110000": 0.32, "53310000": 0.45, "52910000": 0.05}),
    "07": (0.8, {"50120000": 0.8, "52910000": 0.2}),
    "08": (3.2, {"52110000": 0.35, "52410000": 0.3, "53110000": 0.2, "57110000": 0.15}),
    "09": (2.6, {"50120000": 0.7, "52910000": 0.3}),
    "10": (2.4, {"50120000": 0.6, "52910000": 0.25, "53110000": 0.15}),
    "11": (17.5, {"52910000": 0.7, "50120000": 0.1, "57110000": 0.2}),
    "12": (12.0, {"52110000": 0.35, "52410000": 0.15, "53110000": 0.2, "57110000": 0.3}),
    "13": (4.0, {"50120000": 0.5, "52910000": 0.35, "57110000": 0.15}),
    "14": (0.7, {"50120000": 0.6, "52910000": 0.4}),
    "15": (1.3, {"50120000": 0.5, "53110000": 0.5}),
    "16": (60.0, {"53720000": 0.93, "55110000": 0.07}),
    "17": (0.1, {"52910000": 1.0}),
}  # fmt: skip
REVENUE: list[tuple[str, str, float]] = [
    ("160101", "40120000", 14.5),
    ("160101", "40130000", 52.0),
    ("160101", "40210000", 39.0),
    ("160101", "40220000", 7.5),
    ("160101", "41110000", 58.0),
    ("060101", "41410000", 22.0),
    ("030501", "41410000", 4.0),
    ("050101", "42110000", 17.0),
    ("050301", "41410000", 3.5),
    ("020401", "43110000", 1.8),
    ("110101", "43210000", 9.2),
    ("110201", "43210000", 10.4),
    ("130201", "43210000", 1.6),
    ("060101", "43210000", 3.1),
    ("010401", "44110000", 2.2),
    ("120101", "45610000", 2.9),
    ("160201", "46110000", 0.6),
]
# Growth per year from 2024 (plans) and extra effects: trade tax dip, Kreisumlage and youth welfare rising.
EXPENSE_GROWTH = 0.034
REVENUE_GROWTH = 0.027
ONLY_IN = {"53720000": "160301", "55110000": "160201"}  # Kreisumlage and interest: one product each
SPECIAL = {("40130000", 2026): 0.86, ("40130000", 2027): 0.92, ("53720000", 2027): 1.06}


def _amount(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _german(amount: Decimal) -> str:
    """SAP style: 1.234,56 and negative values with a trailing minus (1.234,56-)."""
    text = f"{abs(amount):,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text + "-" if amount < 0 else text


def budget_rows(*, adopted: bool = True) -> list[tuple[str, str, str, str, dict[str, Decimal]]]:
    """(product code, product name, account, account name, {column: amount}) of the demo budget;
    the draft (``adopted=False``) differs in some plan values, as drafts do."""
    rng = random.Random(61240)
    names = {code: name for products in PRODUCTS.values() for code, name in products}
    items: list[tuple[str, str, float, bool]] = []  # product, account, base 2024 (EUR), revenue?
    for area, (million, split) in AREA_EXPENSE.items():
        products = PRODUCTS[area]
        weights = [rng.uniform(0.6, 1.4) for _ in products]
        total_weight = sum(weights)
        for (code, _name), weight in zip(products, weights, strict=True):
            for account, share in split.items():
                if account in ONLY_IN and code != ONLY_IN[account]:
                    continue
                product_share = 1.0 if account in ("53720000", "55110000") else weight / total_weight
                items.append((code, account, million * 1_000_000 * share * product_share, False))
    items += [(code, account, million * 1_000_000, True) for code, account, million in REVENUE]
    expense_2024 = sum(base for _, _, base, revenue in items if not revenue)
    scale = float(TARGET_EXPENSE_2024) / expense_2024
    rows = []
    for code, account, base, revenue in items:
        base *= scale
        values: dict[str, Decimal] = {}
        for year in YEARS_ACTUAL + YEARS_PLAN:
            growth = (1 + (REVENUE_GROWTH if revenue else EXPENSE_GROWTH)) ** (year - 2024)
            noise = rng.uniform(0.97, 1.03) if year in YEARS_ACTUAL else 1.0
            factor = growth * noise * SPECIAL.get((account, year), 1.0)
            if not adopted and year in YEARS_PLAN and account in ("53310000", "52910000"):
                factor *= 1.02  # the council cut these in the adopted plan
            amount = _amount(base * factor)
            column = f"{'Ist' if year in YEARS_ACTUAL else 'Plan'} {year}"
            values[column] = -amount if revenue else amount
        rows.append((code, names[code], account, ACCOUNTS[account], values))
    return rows


def budget_csv(*, adopted: bool = True) -> bytes:
    """The demo budget as an SAP-style CSV export (Windows-1252, ``;``, CRLF)."""
    columns = [f"Ist {y}" for y in YEARS_ACTUAL] + [f"Plan {y}" for y in YEARS_PLAN]
    header = ["Profitcenter", "Profitcenter-Bezeichnung", "Kostenart", "Kostenart Beschreibung", *columns]
    lines = [";".join(header)]
    for code, name, account, account_name, values in budget_rows(adopted=adopted):
        lines.append(";".join([code, name, account, account_name, *(_german(values[c]) for c in columns)]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def load_finance_demo(municipality: Municipality) -> None:
    """Import the draft and the adopted plan as two versions of the dataset "Haushalt" (idempotent)."""
    from finance.services import ImportSpec, budget_import  # services import models; keep app loading light

    for adopted, name, label in (
        (False, "musterstadt_haushalt_entwurf.csv", "Entwurf 2025"),
        (True, "musterstadt_haushalt_2025.csv", "Beschlossen 2025"),
    ):
        outcome = budget_import(
            municipality=municipality,
            source=budget_csv(adopted=adopted),
            spec=ImportSpec(
                filename=name,
                dataset_name=DATASET,
                label=label,
                status="adopted" if adopted else "draft",
                make_current=adopted,
            ),
        )
        if not outcome.ok:
            raise RuntimeError(f"demo budget rejected: {[i.message_en for i in outcome.errors[:3]]}")
