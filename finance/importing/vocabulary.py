"""The words German and English budget exports use for columns, phases and directions.

Matching is exact on a normalised form (``normalize``: case-folded, punctuation to single spaces,
units like ``EUR``/``€`` and ``in`` dropped), so ``Objektnr.``, ``objektnr`` and ``OBJEKTNR`` are the
same header, while ``Kostenart Beschreibung`` never matches ``Kostenart`` by accident. Exact matching
is predictable: a header that is not recognised is reported as unmapped, never guessed.
"""

from __future__ import annotations

import re
import unicodedata

from .reference import (
    EXPENSE,
    FINANCIAL,
    KAMERAL_ADMIN,
    KAMERAL_CAPITAL,
    KAMERAL_COMBINED,
    RESULTS,
    REVENUE,
)

ACTUAL = "actual"
PLAN = "plan"
COMMITMENT = "commitment"  # Verpflichtungsermächtigung: kept apart from a year's expenses
PHASES = (ACTUAL, PLAN, COMMITMENT)

MIN_YEAR = 1990
MAX_YEAR = 2100

_NON_WORD = re.compile(r"[\W_]+")
_UNIT_WORDS = frozenset({"eur", "euro", "in"})


def normalize(text: object) -> str:
    """Normalised header/value text used for every vocabulary lookup and for header fingerprints."""
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold().replace("€", " eur ")
    words = _NON_WORD.sub(" ", folded).split()
    while len(words) > 1 and words[-1] in _UNIT_WORDS:
        words.pop()
    return " ".join(words)


def _keys(*names: str) -> tuple[str, ...]:
    return tuple(normalize(n) for n in names)


# Role -> header synonyms, most specific first: when several columns match one role the earlier
# synonym wins. Profit centres come before PSP elements/object numbers because in the SAP exports
# seen (Moers, Wesel) the profit centre is the product and always filled, while PSP elements and
# object numbers are cost objects below it and often empty.
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "product_code": _keys(
        "Produkt",
        "Produktnummer",
        "Produkt-Nr.",
        "Produktnr",
        "Produktcode",
        "Produktschlüssel",
        "Product",
        "Product code",
        "Product number",
        "Product no",
        "Product ID",
        "Profitcenter",
        "Profit Center",
        "Profitcenter-Nummer",
        "PSP-Element",
        "PSP",
        "Objektnr.",
        "Objektnummer",
        "Objekt-Nr.",
        "Kostenträger",
        "Cost object",
    ),
    "product_name": _keys(
        "Produktbezeichnung",
        "Produktname",
        "Produkt Bezeichnung",
        "Bezeichnung Produkt",
        "Product name",
        "Product description",
        "Profitcenter-Bezeichnung",
        "Profitcenter Name",
        "Profit Center Name",
        "PSP-Bezeichnung",
        "Objektbezeichnung",
        "Bezeichnung",
        "Name",
        "Description",
    ),
    "account_code": _keys(
        "Konto",
        "Kontonummer",
        "Konto-Nr.",
        "Kontonr",
        "Sachkonto",
        "Sachkontonummer",
        "Kostenart",
        "Kostenartennummer",
        "Kostenart-Nummer",
        "Account",
        "Account code",
        "Account number",
        "Account no",
        "Cost element",
        "Cost type",
        "Finanzposition",
    ),
    "account_group_code": _keys(
        "Kontengruppe-Nummer",
        "Kontengruppennummer",
        "Kontengruppe-Nr.",
        "Kontengruppe Nr",
        "Kontenart-Nummer",
        "Account group code",
        "Account group number",
    ),
    "account_name": _keys(
        "Kostenart Beschreibung",
        "Kostenartbeschreibung",
        "Kostenart Bezeichnung",
        "Kostenartenbezeichnung",
        "Kontobezeichnung",
        "Konto Bezeichnung",
        "Kontenbezeichnung",
        "Sachkontobezeichnung",
        "Sachkonto Bezeichnung",
        "Account name",
        "Account description",
        "Cost element name",
        "Cost type description",
    ),
    "account_group_name": _keys(
        "Kontengruppe",
        "Kontengruppe Bezeichnung",
        "Kontengruppenbezeichnung",
        "Account group",
        "Account group name",
    ),
    "year": _keys(
        "Jahr", "Haushaltsjahr", "Geschäftsjahr", "Rechnungsjahr", "Year", "Fiscal year", "Budget year", "FY"
    ),
    "date": _keys("Datum", "Buchungsdatum", "Belegdatum", "Stichtag", "Date", "Posting date"),
    "phase": _keys(
        "Phase", "Wertart", "Werttyp", "Wertetyp", "Planart", "Haushaltsphase", "Value type", "Stage"
    ),
    "amount": _keys("Betrag", "Wert", "Amount", "Value", "Summe", "Betrag in EUR", "Betrag (EUR)"),
    "direction": _keys(
        "Aufwand/Ertrag",
        "Ertrag/Aufwand",
        "E/A",
        "A/E",
        "Einzahlung/Auszahlung",
        "Auszahlung/Einzahlung",
        "Richtung",
        "Direction",
        "Revenue/Expense",
        "Expense/Revenue",
        "Income/Expense",
    ),
}

# Phase words in wide headers (``Ist 2015``) and in phase cells of long layouts.
PHASE_WORDS: dict[str, str] = {
    **dict.fromkeys(
        _keys(
            "Ist",
            "Ergebnis",
            "Rechnungsergebnis",
            "Jahresergebnis",
            "Ist-Ergebnis",
            "Ist-Wert",
            "Istwert",
            "Rechnung",
            "RE",
            "Erg",
            "Ergebn",
            "Rechnungsergebnisse",
            "Jahresabschluss",
            "Actual",
            "Actuals",
            "Result",
            "Outturn",
        ),
        ACTUAL,
    ),
    **dict.fromkeys(
        _keys(
            "Ansatz",
            "Haushaltsansatz",
            "Haushaltsansätze",
            "HH-Ansatz",
            "HHAnsatz",
            "Ans",
            "Ansätze",
            "Plan",
            "Planansatz",
            "Soll",
            "Planwerte",
            "Planung",
            "Planwert",
            "Fortgeschriebener Ansatz",
            "Finanzplanung",
            "Entwurf",
            "Budget",
            "Planned",
            "Estimate",
        ),
        PLAN,
    ),
    **dict.fromkeys(
        _keys(
            "VE",
            "Verpflichtungsermächtigung",
            "Verpflichtungsermaechtigung",
            "Verpflichtungsermächtigungen",
            "VEs",
            "Commitment",
            "Commitments",
            "Commitment appropriation",
        ),
        COMMITMENT,
    ),
    **{p: p for p in PHASES},
}
# Words that only a phase column uses, never an amount header of a wide file: ``Soll`` and ``RE`` are
# too short to trust in a header like ``Soll 2017`` (Soll also means debit).
_CELL_ONLY_PHASES = frozenset(_keys("Soll", "RE", "Erg", "Ans", "Rechnung"))

# Direction words: (statement or None when the word does not say, direction).
DIRECTION_WORDS: dict[str, tuple[str | None, str]] = {
    **dict.fromkeys(
        _keys("Ertrag", "Erträge", "Ertraege", "Revenue", "Revenues", "Income"), (RESULTS, REVENUE)
    ),
    **dict.fromkeys(
        _keys("Aufwand", "Aufwendungen", "Aufwendung", "Expense", "Expenses"), (RESULTS, EXPENSE)
    ),
    **dict.fromkeys(
        _keys("Einzahlung", "Einzahlungen", "inv. Einzahlungen", "Receipt", "Receipts", "Cash in", "Inflow"),
        (FINANCIAL, REVENUE),
    ),
    **dict.fromkeys(
        _keys(
            "Auszahlung", "Auszahlungen", "inv. Auszahlungen", "Payment", "Payments", "Cash out", "Outflow"
        ),
        (FINANCIAL, EXPENSE),
    ),
    # E/A columns: Einnahme/Ausgabe or Ertrag/Aufwand; the statement then comes from the account.
    **dict.fromkeys(_keys("E", "Einnahme", "Einnahmen", "Einnahmen/Erträge"), (None, REVENUE)),
    **dict.fromkeys(_keys("A", "Ausgabe", "Ausgaben", "Expenditure", "Expenditures"), (None, EXPENSE)),
}

# Statement words (Haushaltsart / Teilhaushalt type). Kameral parts are their own statements.
STATEMENT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        _keys(
            "Ergebnishaushalt",
            "Ergebnisplan",
            "Ergebnisrechnung",
            "EH",
            "EP",
            "ER",
            "Ergebnis-HH",
            "Results",
            "Income statement",
            "results",
        ),
        RESULTS,
    ),
    **dict.fromkeys(
        _keys(
            "Finanzhaushalt",
            "Finanzplan",
            "Finanzrechnung",
            "FH",
            "FP",
            "FR",
            "Finanz-HH",
            "Cash flow",
            "Financial",
            "financial",
        ),
        FINANCIAL,
    ),
    **dict.fromkeys(
        _keys("Verwaltungshaushalt", "VwH", "VWHH", "Verw.-HH", "VerwHH", "kameral_vwh"), KAMERAL_ADMIN
    ),
    **dict.fromkeys(
        _keys("Vermögenshaushalt", "VmH", "VMHH", "Verm.-HH", "VermHH", "kameral_vmh"), KAMERAL_CAPITAL
    ),
    **dict.fromkeys(_keys("Gesamthaushalt", "kameral"), KAMERAL_COMBINED),
}


def statement_of(text: object) -> str | None:
    """Statement for a statement word (``VwH`` -> kameral_vwh, ``Ergebnishaushalt`` -> results), or None."""
    return STATEMENT_WORDS.get(normalize(text))


_YEAR_LAST = re.compile(r"^(?P<phase>\D+?) ?(?P<year>\d+)$")
_YEAR_FIRST = re.compile(r"^(?P<year>\d+) ?(?P<phase>\D+?)$")
_THOUSANDS = frozenset({"teur", "tsd", "tausend"})


def phase_of(text: object) -> str | None:
    """Canonical phase for a phase word (``Ansatz`` -> plan), or None."""
    return PHASE_WORDS.get(normalize(text))


def direction_of(text: object) -> tuple[str | None, str] | None:
    """(statement or None, direction) for a direction cell, or None when the word is unknown."""
    key = normalize(text)
    found = DIRECTION_WORDS.get(key)
    if found is not None:
        return found
    # Longer wordings ("Ordentliche Erträge", "Auszahlungen aus Investitionstätigkeit").
    for stem, result in (
        ("einzahl", (FINANCIAL, REVENUE)),
        ("auszahl", (FINANCIAL, EXPENSE)),
        ("ertr", (RESULTS, REVENUE)),
        ("aufw", (RESULTS, EXPENSE)),
    ):
        if stem in key:
            return result
    return None


def parse_value_header(header: object) -> tuple[int, str] | str | None:
    """Read a wide-layout header like ``Plan 2017`` / ``Ist-2015`` / ``2017 Ansatz``.

    Returns ``(year, phase)``; the string ``"bad_year"`` when the header starts or ends with a phase
    word but the rest is not a year in ``MIN_YEAR``..``MAX_YEAR`` (``Plan 20x7``, ``Plan 2300``): such
    a column must not be dropped silently, the caller reports it; None when it is no value column.
    Headers in thousands (``TEUR``) are not value columns: amounts are taken to the cent only.
    """
    key = normalize(header)
    if not key or set(key.split()) & _THOUSANDS:
        return None
    match = _YEAR_LAST.match(key) or _YEAR_FIRST.match(key)
    if match:
        phase = PHASE_WORDS.get(match["phase"].strip())
        if phase is None or match["phase"].strip() in _CELL_ONLY_PHASES:
            return None
        year_text = match["year"]
        if len(year_text) == 4 and MIN_YEAR <= int(year_text) <= MAX_YEAR:
            return int(year_text), phase
        return "bad_year"
    words = key.split()
    if (
        len(words) > 1
        and (PHASE_WORDS.get(words[0]) or PHASE_WORDS.get(words[-1]))
        and any(ch.isdigit() for ch in key)
    ):
        return "bad_year"
    return None
