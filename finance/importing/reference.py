"""Reference data of German municipal budgets: product areas, account classes, account groups.

Pure data plus a few lookup functions, no Django. Everything that differs by Land (federal state) is
kept in a ``BudgetScheme`` so that adding a Land means adding a table entry, not code.

Two product frames exist in practice:

* NRW (NKF): 17 product areas ``01``-``17`` (Produktbereiche), product codes like ``05.01.02``
  (area.group.product) or ``050102``.
* The two-digit frame of the IMK Produktrahmen used by Baden-Württemberg and Schleswig-Holstein:
  areas ``11``, ``12``, ``21``-``28``, ``31``-``37``, ``41``, ``42``, ``51``-``57``, ``61``.

Account classes (first digit of the account code) decide the statement (results = Ergebnisplan,
financial = Finanzplan) and the direction (revenue/expense) of a budget line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

RESULTS = "results"  # Ergebnisplan / Ergebnisrechnung
FINANCIAL = "financial"  # Finanzplan / Finanzrechnung
# Kameral budgets (Kameralistik) are never doppik statements: their two parts are stored as what they are.
KAMERAL_ADMIN = "kameral_vwh"  # Verwaltungshaushalt: current receipts and spending
KAMERAL_CAPITAL = "kameral_vmh"  # Vermögenshaushalt: capital receipts and spending
KAMERAL_COMBINED = "kameral"  # both parts together, when the file does not separate them (user's word)
STATEMENTS = (RESULTS, FINANCIAL, KAMERAL_ADMIN, KAMERAL_CAPITAL, KAMERAL_COMBINED)
KAMERAL_STATEMENTS = frozenset({KAMERAL_ADMIN, KAMERAL_CAPITAL, KAMERAL_COMBINED})
DOPPIK = "doppik"
KAMERAL = "kameral"
REVENUE = "revenue"
EXPENSE = "expense"

NRW_PRODUCT_AREAS: dict[str, str] = {
    "01": "Innere Verwaltung",
    "02": "Sicherheit und Ordnung",
    "03": "Schulträgeraufgaben",
    "04": "Kultur und Wissenschaft",
    "05": "Soziale Leistungen",
    "06": "Kinder-, Jugend- und Familienhilfe",
    "07": "Gesundheitsdienste",
    "08": "Sportförderung",
    "09": "Räumliche Planung und Entwicklung",
    "10": "Bauen und Wohnen",
    "11": "Ver- und Entsorgung",
    "12": "Verkehrsflächen und -anlagen, ÖPNV",
    "13": "Natur- und Landschaftspflege",
    "14": "Umweltschutz",
    "15": "Wirtschaft und Tourismus",
    "16": "Allgemeine Finanzwirtschaft",
    "17": "Stiftungen",
}

# Two-digit areas of the IMK Produktrahmen (BW, SH). Names in parentheses narrow a range that the
# frame names jointly (e.g. "21-24 Schulträgeraufgaben"). ``None`` = official name not known to us:
# shown as the bare code rather than guessed.
TWO_DIGIT_PRODUCT_AREAS: dict[str, str | None] = {
    "11": "Innere Verwaltung",
    "12": "Sicherheit und Ordnung",
    "21": "Schulträgeraufgaben",
    "22": "Schulträgeraufgaben",
    "23": "Schulträgeraufgaben",
    "24": "Schulträgeraufgaben",
    "25": "Kultur und Wissenschaft (Wissenschaft, Museen, Ausstellungen)",
    "26": "Kultur und Wissenschaft (Theater, Musikpflege, Musikschulen)",
    "27": "Kultur und Wissenschaft (Volksbildung, Büchereien)",
    "28": "Kultur und Wissenschaft (Heimat- und sonstige Kulturpflege)",
    "31": "Soziale Hilfen",
    "32": "Soziale Hilfen",
    "33": "Soziale Hilfen",
    "34": "Soziale Hilfen",
    "35": "Soziale Hilfen",
    "36": "Kinder-, Jugend- und Familienhilfe",
    "37": None,
    "41": "Gesundheitsdienste",
    "42": "Sportförderung",
    "51": "Räumliche Planung und Entwicklung, Geoinformationen",
    "52": "Bauen und Wohnen",
    "53": "Ver- und Entsorgung",
    "54": "Verkehrsflächen und -anlagen, ÖPNV",
    "55": "Natur- und Landschaftspflege",
    "56": "Umweltschutz",
    "57": "Wirtschaft und Tourismus",
    "61": "Allgemeine Finanzwirtschaft",
}

# NKF (NRW) account groups. ``None`` = group not assigned in the NKF frame (local use seen in the wild,
# e.g. Wesel books interest on 56).
NKF_ACCOUNT_GROUPS: dict[str, str | None] = {
    "40": "Steuern und ähnliche Abgaben",
    "41": "Zuwendungen und allgemeine Umlagen",
    "42": "Sonstige Transfererträge",
    "43": "Öffentlich-rechtliche Leistungsentgelte",
    "44": "Privatrechtliche Leistungsentgelte, Kostenerstattungen und Kostenumlagen",
    "45": "Sonstige ordentliche Erträge",
    "46": "Finanzerträge",
    "47": "Aktivierte Eigenleistungen und Bestandsveränderungen",
    "48": "Erträge aus internen Leistungsbeziehungen",
    "49": "Außerordentliche Erträge",
    "50": "Personalaufwendungen",
    "51": "Versorgungsaufwendungen",
    "52": "Aufwendungen für Sach- und Dienstleistungen",
    "53": "Transferaufwendungen",
    "54": "Sonstige ordentliche Aufwendungen",
    "55": "Zinsen und sonstige Finanzaufwendungen",
    "56": None,
    "57": "Bilanzielle Abschreibungen",
    "58": "Aufwendungen aus internen Leistungsbeziehungen",
    "59": "Außerordentliche Aufwendungen",
    "60": "Steuern und ähnliche Abgaben (Einzahlungen)",
    "61": "Zuwendungen und allgemeine Umlagen (Einzahlungen)",
    "62": "Sonstige Transfereinzahlungen",
    "63": "Öffentlich-rechtliche Leistungsentgelte (Einzahlungen)",
    "64": "Privatrechtliche Leistungsentgelte, Kostenerstattungen und Kostenumlagen (Einzahlungen)",
    "65": "Sonstige Einzahlungen",
    "66": "Zinsen und sonstige Finanzeinzahlungen",
    "67": None,
    "68": "Einzahlungen aus Investitionstätigkeit",
    "69": "Einzahlungen aus Finanzierungstätigkeit",
    "70": "Personalauszahlungen",
    "71": "Versorgungsauszahlungen",
    "72": "Auszahlungen für Sach- und Dienstleistungen",
    "73": "Transferauszahlungen",
    "74": "Sonstige Auszahlungen",
    "75": "Zinsen und sonstige Finanzauszahlungen",
    "76": None,
    "77": None,
    "78": "Auszahlungen aus Investitionstätigkeit",
    "79": "Auszahlungen aus Finanzierungstätigkeit",
}


@dataclass(frozen=True, slots=True)
class AccountClass:
    """What an account class (first digit of the account code) means for the budget.

    ``kind`` is ``budget`` (statement and direction set), ``skip`` (legitimately present in exports
    but outside the budget, e.g. class 9 cost accounting: counted and reported, not stored) or
    ``invalid`` (balance-sheet classes: a budget file should not contain them, so it is an error).
    """

    kind: str
    name: str
    statement: str | None = None
    direction: str | None = None


def _budget(name: str, statement: str, direction: str) -> AccountClass:
    return AccountClass("budget", name, statement, direction)


_NKF_CLASSES: dict[str, AccountClass] = {
    "0": AccountClass("invalid", "Immaterielle Vermögensgegenstände und Sachanlagen (Bilanz)"),
    "1": AccountClass("invalid", "Finanzanlagen, Umlaufvermögen, aktive Rechnungsabgrenzung (Bilanz)"),
    "2": AccountClass("invalid", "Eigenkapital, Sonderposten, Rückstellungen (Bilanz)"),
    "3": AccountClass("invalid", "Verbindlichkeiten, passive Rechnungsabgrenzung (Bilanz)"),
    "4": _budget("Erträge", RESULTS, REVENUE),
    "5": _budget("Aufwendungen", RESULTS, EXPENSE),
    "6": _budget("Einzahlungen", FINANCIAL, REVENUE),
    "7": _budget("Auszahlungen", FINANCIAL, EXPENSE),
    "8": AccountClass("skip", "Abschlusskonten"),
    "9": AccountClass("skip", "Kosten- und Leistungsrechnung (kalkulatorische Kosten)"),
}

# NKHR (Baden-Württemberg) as given in the project brief: 3 revenue, 4 expense, 7 cash in, 8 cash out.
# Classes 5 and 6 are not mapped here on purpose: verify against the VwV Produkt- und Kontenrahmen
# before relying on cash-flow lines of BW files.
_NKHR_BW_CLASSES: dict[str, AccountClass] = {
    "0": AccountClass("invalid", "Immaterielles Vermögen und Sachvermögen (Bilanz)"),
    "1": AccountClass("invalid", "Finanzvermögen (Bilanz)"),
    "2": AccountClass("invalid", "Kapitalposition (Bilanz)"),
    "3": _budget("Erträge", RESULTS, REVENUE),
    "4": _budget("Aufwendungen", RESULTS, EXPENSE),
    "7": _budget("Einzahlungen", FINANCIAL, REVENUE),
    "8": _budget("Auszahlungen", FINANCIAL, EXPENSE),
    "9": AccountClass("skip", "Kosten- und Leistungsrechnung (kalkulatorische Kosten)"),
}


@dataclass(frozen=True)
class BudgetScheme:
    """Product frame and chart of accounts of one Land."""

    key: str
    name: str
    product_areas: dict[str, str | None]
    two_digit_areas: bool
    account_classes: dict[str, AccountClass]
    account_groups: dict[str, str | None] = field(default_factory=dict)


NKF_NRW = BudgetScheme(
    "nkf_nrw", "NKF Nordrhein-Westfalen", NRW_PRODUCT_AREAS, False, _NKF_CLASSES, NKF_ACCOUNT_GROUPS
)
NKHR_BW = BudgetScheme("nkhr_bw", "NKHR Baden-Württemberg", TWO_DIGIT_PRODUCT_AREAS, True, _NKHR_BW_CLASSES)
# Schleswig-Holstein: two-digit product areas, account classes numbered like the NKF (4/5/6/7).
DOPPIK_SH = BudgetScheme(
    "doppik_sh", "Doppik Schleswig-Holstein", TWO_DIGIT_PRODUCT_AREAS, True, _NKF_CLASSES, NKF_ACCOUNT_GROUPS
)

SCHEMES_BY_LAND: dict[str, BudgetScheme] = {"NW": NKF_NRW, "BW": NKHR_BW, "SH": DOPPIK_SH}

# Kameral Gruppierung (the same frame in every Land that still budgets kamerally): the main group, the
# first digit, says part and direction. 0-2 receipts and 4-8 spending of the Verwaltungshaushalt (86:
# Zuführung to the capital budget), 3 receipts and 9 spending of the Vermögenshaushalt.
_KAMERAL_CLASSES: dict[str, AccountClass] = {
    "0": _budget("Steuern, allgemeine Zuweisungen", KAMERAL_ADMIN, REVENUE),
    "1": _budget("Einnahmen aus Verwaltung und Betrieb", KAMERAL_ADMIN, REVENUE),
    "2": _budget("Sonstige Finanzeinnahmen", KAMERAL_ADMIN, REVENUE),
    "3": _budget("Einnahmen des Vermögenshaushalts", KAMERAL_CAPITAL, REVENUE),
    "4": _budget("Personalausgaben", KAMERAL_ADMIN, EXPENSE),
    "5": _budget("Sächlicher Verwaltungs- und Betriebsaufwand", KAMERAL_ADMIN, EXPENSE),
    "6": _budget("Sächlicher Verwaltungs- und Betriebsaufwand", KAMERAL_ADMIN, EXPENSE),
    "7": _budget("Zuweisungen und Zuschüsse (nicht für Investitionen)", KAMERAL_ADMIN, EXPENSE),
    "8": _budget("Sonstige Finanzausgaben (86: Zuführung zum Vermögenshaushalt)", KAMERAL_ADMIN, EXPENSE),
    "9": _budget("Ausgaben des Vermögenshaushalts", KAMERAL_CAPITAL, EXPENSE),
}
KAMERAL_GRUPPIERUNG = BudgetScheme(
    "kameral", "Kameraler Gruppierungsplan", NRW_PRODUCT_AREAS, False, _KAMERAL_CLASSES
)


def scheme_for_land(land: str | None) -> tuple[BudgetScheme, bool]:
    """Return the scheme for an ISO 3166-2 Land suffix (``NW``, ``BW``, ``DE-SH``...).

    The second value is True when the Land is unknown and NRW was used as the fallback: callers
    report that to the user instead of failing, because most German Länder number accounts like NKF.
    """
    code = (land or "NW").strip().upper().removeprefix("DE-")
    scheme = SCHEMES_BY_LAND.get(code)
    if scheme is None:
        return NKF_NRW, True
    return scheme, False


def classify_account(code: str, scheme: BudgetScheme = NKF_NRW) -> AccountClass | None:
    """Account class of an account code by its first digit; None for an empty or non-numeric code."""
    first = code.strip()[:1]
    if not first.isdigit():
        return None
    return scheme.account_classes.get(first, AccountClass("invalid", f"Kontenklasse {first}"))


def account_group_name(code: str, scheme: BudgetScheme = NKF_NRW) -> str | None:
    """Name of the two-digit account group of ``code`` (``41410000`` -> Zuwendungen ...), if known."""
    return scheme.account_groups.get(code.strip()[:2])


@dataclass(frozen=True, slots=True)
class ProductPath:
    """A product code placed in the product hierarchy (Produktbereich > Produktgruppe > Produkt).

    Codes are normalised: NRW ``05``, ``05.01``, ``05.01.02``. Parts that cannot be placed are None.
    """

    area: str | None
    group: str | None = None
    product: str | None = None

    @property
    def area_known(self) -> bool:
        return self.area is not None


_NOT_PLACED = ProductPath(None)
# SAP object numbers ``1.100.05.02`` (Moers PSP element) and ``1.100.01.01.01`` (Wesel): a one-digit
# object type (1 = product), a three-digit entity (100 = core administration) and then the product
# code area.group[.product]. Both files confirm it: Wesel ``1.100.10.01.01`` belongs to profit centre
# 100101 (area 10 Bauen und Wohnen) and Moers ``1.100.05.02`` to profit centre 502.
_SAP_OBJECT = re.compile(r"^\d\.\d{3}\.(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?$")
_DOTTED = re.compile(r"^(\d{1,2})(?:[.\-/ ](\d{1,2})(?:[.\-/ ](\d{1,2})(?:[.\-/ ]\d+)*)?)?$")


def derive_product_path(code: str | None, land: str | None = "NW") -> ProductPath:
    """Place a product code in the hierarchy of the Land's product frame.

    NRW rules (17 areas):

    * dotted ``05.01.02`` / ``5.1.2`` -> area 05, group 05.01, product 05.01.02;
    * SAP object numbers ``1.100.05.01.02`` -> the leading ``1.100.`` (object type, entity) is dropped;
    * digits only, read from the right in pairs: ``050102``/``50102`` -> 05.01.02; ``1001`` -> area 10,
      group 10.01 (Moers' profit centres ``104`` = area 01, group 01.04); ``05`` -> area 05.

    Two-digit frame (BW, SH): the area is the first two digits; dotted codes give group and product
    (``31.10.01``), digit strings of 4/6 digits are read in BW notation ``XX.XX``/``XX.XX.XX``. Only
    the area is reliable there: the IMK frame writes groups with three digits (``361``), BW with four.

    A code that does not fit (letters, an area outside the frame) gives ``area=None``: not an error,
    the line is still a valid budget line, it just is not placed in the hierarchy.
    """
    text = (code or "").strip()
    if not text:
        return _NOT_PLACED
    scheme, _ = scheme_for_land(land)
    if scheme.two_digit_areas:
        return _derive_two_digit(text, scheme)
    return _derive_nrw(text, scheme)


def _path(area: str, group: str | None, product: str | None, areas: dict[str, str | None]) -> ProductPath:
    area = area.zfill(2)
    if area not in areas:
        return _NOT_PLACED
    group_code = f"{area}.{group.zfill(2)}" if group else None
    product_code = f"{group_code}.{product.zfill(2)}" if group_code and product else None
    return ProductPath(area, group_code, product_code)


def _derive_nrw(text: str, scheme: BudgetScheme) -> ProductPath:
    match = _SAP_OBJECT.match(text)
    if match:
        return _path(match[1], match[2], match[3], scheme.product_areas)
    if text.isdigit():
        # Pairs from the right: the area keeps whatever is left (one or two digits).
        if len(text) <= 2:
            return _path(text, None, None, scheme.product_areas)
        if len(text) <= 4:
            return _path(text[:-2], text[-2:], None, scheme.product_areas)
        if len(text) <= 6:
            return _path(text[:-4], text[-4:-2], text[-2:], scheme.product_areas)
        return _NOT_PLACED
    match = _DOTTED.match(text)
    if match:
        return _path(match[1], match[2], match[3], scheme.product_areas)
    return _NOT_PLACED


def _derive_two_digit(text: str, scheme: BudgetScheme) -> ProductPath:
    match = _DOTTED.match(text)
    if match and not text.isdigit():
        return _path(match[1], match[2], match[3], scheme.product_areas)
    if text.isdigit() and len(text) >= 2:
        area = text[:2]
        if len(text) in (4, 6):
            group, product = text[2:4], (text[4:6] if len(text) == 6 else None)
            return _path(area, group, product, scheme.product_areas)
        return _path(area, None, None, scheme.product_areas)
    return _NOT_PLACED


def product_area_name(area: str | None, land: str | None = "NW") -> str | None:
    """Official name of a product area in the Land's frame (None when unknown)."""
    if area is None:
        return None
    scheme, _ = scheme_for_land(land)
    return scheme.product_areas.get(area)
