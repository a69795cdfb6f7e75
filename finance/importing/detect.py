"""Detection by content: every column is profiled, and the header is one signal among others.

``profile_columns`` looks at the sampled cells of every column: how many are years, phase words
(``Ist``, ``Ansatz``, ``Rechnungsergebnis``, ``Plan``), direction words (``Ertrag``, ``Aufwendungen``,
``Einnahmen``), statement words (``Ergebnishaushalt``, ``VwH``), numbers, codes (``01.01.01``, ``1110``,
``Produktgruppe 01.01``), names, running numbers. ``detect_long`` then assigns roles for long layouts
(one amount per row) with a confidence (``high``: header and content agree; ``medium``: content
alone, or header alone with fitting content) and a reason per column, in German and English; a
column without a role says why it did not qualify. When two columns are equally plausible for a role
nothing is guessed: the role stays empty and an ``ambiguous_role`` error names both.

Rules (in this order, a column gets at most one role):

* year: >= 95 % of cells are years 1990-2100 (also ``2017.0``) and at most 40 distinct values;
* phase / direction / statement: >= 90 % of cells are words of that kind;
* amount: the header is an amount word (``Betrag``), a phase word (``Ansatz``: the phase is taken
  from it) or a direction word (``ausgabe``: an amount column per direction); else the one numeric
  column left. A second numeric column filled exactly where a direction column is empty is its
  counterpart (Griesheim's ``eingabe`` next to ``ausgabe``);
* product code: columns of a product hierarchy (header ``Produktbereich``/``Produktgruppe``/``Produkt``
  with code cells) are joined (``61.04.01``) unless the finest level already holds the full dotted
  code; else a header synonym with code cells; else dotted codes; else one code column whose header
  says number/index/code;
* names: the text column whose header continues the code column's header (``ProduktNR`` ->
  ``Produkt``, ``Produktgruppe`` -> ``Produktgruppenbezeichnung``), a header synonym, or the text
  column right of the code column;
* accounts: a header synonym with digit codes; a header synonym with names = accounts given by name;
* running numbers (``1, 2, 3 ...``) are never amounts or codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .issues import ImportIssue, make_issue
from .long import clean_code, read_year
from .reference import REVENUE
from .sources import cell_text
from .vocabulary import ROLE_SYNONYMS, direction_of, normalize, phase_of, statement_of

HIGH, MEDIUM, LOW = "high", "medium", "low"
_NUMBER = re.compile(
    r"^[+-]?(?:\d{1,3}(?:[.,' ]\d{3})+|\d+)(?:[.,]\d+)?-?$|^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$"
)
_CODE = re.compile(r"^[A-Za-z]{0,4}\d[\w./-]{0,24}$")
_DOTTED = re.compile(r"^\d{1,3}(?:\.\d{1,4})+$")
_CODE_SUFFIXES = ("nr", "nummer", "code", "schlussel", "schlüssel", "kennung", "no", "id")
_NAME_WORDS = ("bezeichnung", "bez", "name", "text", "beschreibung")
_PHASE_HEADERS = ("phase", "art", "typ", "hhart", "status", "wertart", "betrag typ", "stage", "type")
ROLE_LABELS = {
    "year": ("Jahr", "year"),
    "date": ("Datum", "date"),
    "phase": ("Phase (Ist/Plan)", "phase (actual/plan)"),
    "direction": ("Richtung (Ertrag/Aufwand)", "direction (revenue/expense)"),
    "statement": ("Haushaltsart", "statement"),
    "amount": ("Betrag", "amount"),
    "revenue_amount": ("Betrag Ertrag/Einnahme", "revenue amount"),
    "expense_amount": ("Betrag Aufwand/Ausgabe", "expense amount"),
    "product_code": ("Produktnummer", "product code"),
    "product_code_part": ("Teil der Produktnummer", "part of the product code"),
    "product_name": ("Produktbezeichnung", "product name"),
    "account_code": ("Kontonummer", "account number"),
    "account_code_fallback": ("Kontengruppe", "account group"),
    "account_name": ("Kontobezeichnung", "account name"),
    "account_name_fallback": ("Kontengruppe (Name)", "account group name"),
    "value_column": ("Wertspalte", "value column"),
}


@dataclass
class ColumnProfile:
    """What the sampled cells of one column look like, and the role detection gave it."""

    index: int
    header: str
    key: str
    samples: list[str]
    filled: int
    distinct: int
    shares: dict[str, float]
    role: str | None = None
    confidence: str | None = None
    reason_de: str = ""
    reason_en: str = ""

    @property
    def role_de(self) -> str:
        return ROLE_LABELS.get(self.role or "", (self.role or "", ""))[0]

    @property
    def role_en(self) -> str:
        return ROLE_LABELS.get(self.role or "", ("", self.role or ""))[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "column": self.header,
            "samples": self.samples,
            "filled": self.filled,
            "role": self.role,
            "confidence": self.confidence,
            "reason": self.reason_de,
            "reason_en": self.reason_en,
        }


@dataclass
class Detection:
    """Column profiles with their roles, plus ambiguities found (errors) for the preview."""

    columns: list[ColumnProfile] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [c.to_dict() for c in self.columns]}

    def summary(self, german: bool = True) -> str:
        """One line per column: header, samples, role or why not (for whole-file rejections)."""
        parts = []
        for c in self.columns:
            sample = ", ".join(c.samples[:3])
            reason = c.reason_de if german else c.reason_en
            parts.append(
                f"„{c.header}“ ({sample}): {reason}" if german else f'"{c.header}" ({sample}): {reason}'
            )
        return "; ".join(parts)


def _share(values: list[str], test: Any) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _is_row_id(values: list[str]) -> bool:
    if len(values) < 5 or not all(v.isdigit() for v in values):
        return False
    numbers = [int(v) for v in values]
    return (
        numbers == sorted(numbers)
        and len(set(numbers)) == len(numbers)
        and numbers[-1] - numbers[0] == len(numbers) - 1
    )


def _is_name(value: str) -> bool:
    letters = sum(ch.isalpha() for ch in value)
    return letters >= 3 and not _CODE.match(clean_code(value))


def profile_columns(
    header: Sequence[str], rows: Sequence[Sequence[Any]], value_maps: dict | None = None
) -> list[ColumnProfile]:
    """Profile every column from the sample rows (raw cells)."""
    maps = {
        role: {normalize(k): v for k, v in (value_maps or {}).get(role, {}).items()}
        for role in ("phase", "direction", "statement")
    }
    profiles = []
    for index, name in enumerate(header):
        values = [cell_text(row[index]) for row in rows if index < len(row)]
        values = [v for v in values if v and v.casefold() != "nan"]
        distinct = list(dict.fromkeys(values))
        shares = {
            "year": _share(values, lambda v: isinstance(read_year(v), int)),
            "phase": _share(values, lambda v: bool(maps["phase"].get(normalize(v)) or phase_of(v))),
            "direction": _share(
                values, lambda v: bool(maps["direction"].get(normalize(v)) or direction_of(v))
            ),
            "statement": _share(
                values, lambda v: bool(maps["statement"].get(normalize(v)) or statement_of(v))
            ),
            "number": _share(values, lambda v: bool(_NUMBER.match(v.replace("€", "").strip()))),
            "code": _share(values, lambda v: bool(_CODE.match(clean_code(v)))),
            "dotted": _share(values, lambda v: bool(_DOTTED.match(clean_code(v)))),
            "digits": _share(values, lambda v: v.isdigit()),
            "name": _share(values, _is_name),
            "row_id": 1.0 if _is_row_id(values) else 0.0,
        }
        profiles.append(
            ColumnProfile(index, name, normalize(name), distinct[:5], len(values), len(distinct), shares)
        )
    return profiles


def _set(profile: ColumnProfile, role: str, confidence: str, de: str, en: str) -> None:
    profile.role, profile.confidence, profile.reason_de, profile.reason_en = role, confidence, de, en


def _samples(profile: ColumnProfile) -> str:
    return ", ".join(profile.samples[:3])


def _header_role(profile: ColumnProfile) -> str | None:
    for role, synonyms in ROLE_SYNONYMS.items():
        if profile.key in synonyms:
            return role
    return None


def _stem(key: str) -> str:
    words = key.replace(" ", "")
    for suffix in _CODE_SUFFIXES:
        if words.endswith(suffix) and len(words) > len(suffix) + 2:
            return words[: -len(suffix)]
    return words


def _hierarchy_rank(key: str) -> int | None:
    flat = key.replace(" ", "")
    if not flat.startswith("produkt"):
        return None
    if "bereich" in flat:
        return 0
    if "gruppe" in flat:
        return 1
    return 2


def detect_long(
    header: Sequence[str], rows: Sequence[Sequence[Any]], value_maps: dict | None = None
) -> tuple[dict[str, Any], Detection]:
    """Roles for a long layout from content and header. Returns (mapping fields, detection)."""
    profiles = profile_columns(header, rows, value_maps)
    detection = Detection(profiles)
    free = [p for p in profiles if p.filled]
    fields: dict[str, Any] = {}

    def take(role: str, candidates: list[tuple[int, ColumnProfile, str, str, str]]) -> ColumnProfile | None:
        """Best candidate (higher score wins); a tie between the best two is an ambiguity."""
        candidates = [c for c in candidates if c[1].role is None]
        if not candidates:
            return None
        candidates.sort(key=lambda c: -c[0])
        if len(candidates) > 1 and candidates[0][0] == candidates[1][0]:
            columns = " | ".join(f"„{c[1].header}“" for c in candidates if c[0] == candidates[0][0])
            detection.issues.append(
                make_issue(
                    "ambiguous_role",
                    role_de=ROLE_LABELS[role][0],
                    role_en=ROLE_LABELS[role][1],
                    columns=columns,
                )
            )
            for c in candidates:
                if c[0] == candidates[0][0]:
                    c[1].reason_de = f"mehrdeutig: könnte {ROLE_LABELS[role][0]} sein (wie {columns})"
                    c[1].reason_en = f"ambiguous: could be the {ROLE_LABELS[role][1]} (as could {columns})"
            return None
        _score, profile, confidence, de, en = candidates[0]
        _set(profile, role, confidence, de, en)
        fields[role] = profile.header
        return profile

    for p in free:  # running numbers first: never amounts or codes
        if p.shares["row_id"]:
            p.reason_de = "laufende Nummer (1, 2, 3 …): keine Rolle"
            p.reason_en = "running number (1, 2, 3 ...): no role"

    def open_(p: ColumnProfile) -> bool:
        return p.role is None and not p.shares["row_id"]

    # year
    take(
        "year",
        [
            (
                2 if ("jahr" in p.key or "year" in p.key) else 1,
                p,
                HIGH if ("jahr" in p.key or "year" in p.key) else MEDIUM,
                f"Jahreszahlen ({_samples(p)})",
                f"years ({_samples(p)})",
            )
            for p in free
            if open_(p) and p.shares["year"] >= 0.95 and p.distinct <= 40
        ],
    )
    # words: phase, direction, statement
    for role, share, words_de, words_en in (
        ("phase", "phase", "Phasenwörter", "phase words"),
        ("direction", "direction", "Richtungswörter", "direction words"),
        ("statement", "statement", "Haushaltsarten", "statement words"),
    ):
        take(
            role,
            [
                (
                    2 if (_header_role(p) == role or p.key in _PHASE_HEADERS) else 1,
                    p,
                    HIGH if _header_role(p) == role else MEDIUM,
                    f"Zellen sind {words_de} ({_samples(p)})",
                    f"cells are {words_en} ({_samples(p)})",
                )
                for p in free
                if open_(p) and p.shares[share] >= 0.9
            ],
        )
    # amounts: header says amount, phase or direction
    numeric = [p for p in free if open_(p) and p.shares["number"] >= 0.9]
    for p in numeric:
        header_role = _header_role(p)
        found_phase = phase_of(p.header)
        found_direction = direction_of(p.header) if normalize(p.header) in _direction_headers() else None
        if header_role == "amount":
            _set(
                p,
                "amount",
                HIGH,
                f"Überschrift „{p.header}“ und Zahlen ({_samples(p)})",
                f'header "{p.header}" and numbers ({_samples(p)})',
            )
            fields.setdefault("amount", p.header)
        elif found_phase and "amount" not in fields:
            _set(
                p,
                "amount",
                HIGH,
                f"Zahlen; die Überschrift nennt die Phase ({found_phase})",
                f"numbers; the header states the phase ({found_phase})",
            )
            fields["amount"], fields["header_phase"] = p.header, found_phase
        elif found_direction:
            role = "revenue_amount" if found_direction[1] == REVENUE else "expense_amount"
            if role not in fields:
                _set(
                    p,
                    role,
                    HIGH,
                    f"Zahlen; die Überschrift nennt die Richtung ({found_direction[1]})",
                    f"numbers; the header states the direction ({found_direction[1]})",
                )
                fields[role] = p.header
    if "revenue_amount" in fields or "expense_amount" in fields:
        _pair_direction_columns(header, rows, numeric, fields)
    if not any(k in fields for k in ("amount", "revenue_amount", "expense_amount")):
        left = [p for p in numeric if p.role is None and p.shares["digits"] < 1.0 and p.distinct > 3]
        if len(left) == 1:
            p = left[0]
            _set(
                p,
                "amount",
                MEDIUM,
                f"einzige Spalte mit Beträgen ({_samples(p)})",
                f"the only column with amounts ({_samples(p)})",
            )
            fields["amount"] = p.header
        elif len(left) > 1:
            take("amount", [(1, p, MEDIUM, "Beträge", "amounts") for p in left])

    _detect_kameral(free, fields)
    _detect_levels(free, fields)
    if "product_code" not in fields:
        _detect_products(free, fields, open_, take)
    _detect_accounts(free, fields, open_)

    for p in profiles:
        if p.role is None and not p.reason_de:
            p.reason_de, p.reason_en = _why_not(p)
    return fields, detection


def _direction_headers() -> set[str]:
    return {
        normalize(w)
        for w in (
            "Ausgabe",
            "Ausgaben",
            "Einnahme",
            "Einnahmen",
            "Ertrag",
            "Erträge",
            "Aufwand",
            "Aufwendungen",
            "Einzahlungen",
            "Auszahlungen",
            "Revenue",
            "Expense",
            "Expenditure",
            "Income",
        )
    }


def _pair_direction_columns(
    header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: list[ColumnProfile], fields: dict[str, Any]
) -> None:
    """One direction column known: a numeric column filled exactly where it is empty is the other one."""
    known_role = "expense_amount" if "expense_amount" in fields else "revenue_amount"
    other_role = "revenue_amount" if known_role == "expense_amount" else "expense_amount"
    if other_role in fields:
        return
    known = header.index(fields[known_role])
    for p in numeric:
        if p.role is not None or (p.shares["digits"] == 1.0 and p.distinct <= 40):
            continue
        complementary = all(
            bool(cell_text(row[known]) if known < len(row) else "")
            != bool(cell_text(row[p.index]) if p.index < len(row) else "")
            for row in rows
        )
        if complementary:
            word = "Ertrag/Einnahme" if other_role == "revenue_amount" else "Aufwand/Ausgabe"
            _set(
                p,
                other_role,
                MEDIUM,
                f"Zahlen, genau dort gefüllt, wo „{fields[known_role]}“ leer ist: Gegenstück ({word})",
                f'numbers filled exactly where "{fields[known_role]}" is empty: '
                f"its counterpart ({other_role})",
            )
            fields[other_role] = p.header
            return


def _detect_products(free: list[ColumnProfile], fields: dict[str, Any], open_: Any, take: Any) -> None:
    levels = [
        (rank, p)
        for p in free
        if open_(p)
        and (rank := _hierarchy_rank(p.key)) is not None
        and p.shares["code"] >= 0.9
        and p.shares["name"] < 0.5
    ]
    code_profile = None
    if levels:
        levels.sort(key=lambda item: item[0])
        finest = levels[-1][1]
        if finest.shares["dotted"] >= 0.9 or len(levels) == 1:
            _set(
                finest,
                "product_code",
                HIGH,
                f"Produktnummern ({_samples(finest)})",
                f"product codes ({_samples(finest)})",
            )
            fields["product_code"] = finest.header
            for _, p in levels[:-1]:
                p.reason_de = f"übergeordnete Ebene; in „{finest.header}“ enthalten"
                p.reason_en = f'higher level; contained in "{finest.header}"'
            code_profile = finest
        else:
            fields["product_code_parts"] = [p.header for _, p in levels]
            for _, p in levels:
                _set(
                    p,
                    "product_code_part",
                    HIGH,
                    "Ebene der Produktnummer (Teile werden mit „.“ verbunden)",
                    "level of the product code (parts joined with '.')",
                )
            code_profile = finest
    if code_profile is None:
        synonym = [
            p for p in free if open_(p) and _header_role(p) == "product_code" and p.shares["code"] >= 0.8
        ]
        if synonym:
            code_profile = synonym[0]
            _set(
                code_profile,
                "product_code",
                HIGH,
                f"Überschrift und Codes ({_samples(code_profile)})",
                f"header and codes ({_samples(code_profile)})",
            )
            fields["product_code"] = code_profile.header
    if code_profile is None:
        dotted = [p for p in free if open_(p) and p.shares["dotted"] >= 0.9]
        if len(dotted) == 1:
            code_profile = dotted[0]
            _set(
                code_profile,
                "product_code",
                MEDIUM,
                f"gegliederte Produktnummern ({_samples(code_profile)})",
                f"structured product codes ({_samples(code_profile)})",
            )
            fields["product_code"] = code_profile.header
        elif len(dotted) > 1:
            code_profile = take(
                "product_code", [(1, p, MEDIUM, "gegliederte Codes", "structured codes") for p in dotted]
            )
    if code_profile is None:
        hinted = [
            p
            for p in free
            if open_(p)
            and p.shares["code"] >= 0.9
            and p.shares["name"] < 0.5
            and (
                p.key in ("nr", "index", "code", "nummer", "kennung", "schlussel")
                or p.key.endswith(_CODE_SUFFIXES)
            )
            and _header_role(p) not in ("account_code", "account_group_code")
        ]
        if hinted:
            code_profile = take(
                "product_code",
                [
                    (
                        1,
                        p,
                        MEDIUM,
                        f"Codes ({_samples(p)}); Überschrift „{p.header}“ nennt eine Nummer",
                        f'codes ({_samples(p)}); header "{p.header}" names a number',
                    )
                    for p in hinted
                ],
            )
    # the product name: continues the code column's header, a synonym, or the text column to the right
    names = [p for p in free if open_(p) and p.shares["name"] >= 0.6]
    chosen = None
    if code_profile is not None:
        stem = _stem(code_profile.key)
        flat = {p.header: p.key.replace(" ", "") for p in names}
        chosen = next((p for p in names if flat[p.header] == stem and p is not code_profile), None)
        if chosen is None:
            chosen = next(
                (p for p in names if flat[p.header].startswith(stem) and p is not code_profile), None
            )
    if chosen is None:
        for synonym in ROLE_SYNONYMS["product_name"] + ROLE_SYNONYMS["product_code"]:
            chosen = next((p for p in names if p.key == synonym), None)
            if chosen:
                break
    if chosen is None:
        chosen = next((p for p in names if "produkt" in p.key or "product" in p.key), None)
    if chosen is None and code_profile is not None:
        chosen = next((p for p in names if p.index == code_profile.index + 1), None)
    if chosen is not None:
        _set(
            chosen,
            "product_name",
            MEDIUM if _header_role(chosen) != "product_name" else HIGH,
            f"Namen ({_samples(chosen)})",
            f"names ({_samples(chosen)})",
        )
        fields["product_name"] = chosen.header


_LEVEL_NAME = re.compile(r"^ebene (\d+) bezeichnung (.+)$")
_LEVEL_ROLES = {  # label of a level -> (code role, name role), finest first within products
    "profitcenter": ("product_code", "product_name"),
    "produkt": ("product_code", "product_name"),
    "kostenart": ("account_code", "account_name"),
    "konto": ("account_code", "account_name"),
    "sachkonto": ("account_code", "account_name"),
    "kontengruppe": ("account_code_fallback", "account_name_fallback"),
}


def _detect_levels(free: list[ColumnProfile], fields: dict[str, Any]) -> None:
    """Generic level columns (the Offener Haushalt standard dataset): ``Ebene 2 – Code`` takes its role
    from the label of ``Ebene 2 – Bezeichnung (Profitcenter)``."""
    codes = {p.key: p for p in free if p.role is None}
    for p in free:
        match = _LEVEL_NAME.match(p.key)
        if not match or p.role is not None:
            continue
        roles = _LEVEL_ROLES.get(match[2].replace(" ", ""))
        code = codes.get(f"ebene {match[1]} code")
        if roles is None:
            if code is not None:
                code.reason_de = f"übergeordnete Ebene ({match[2]})"
                code.reason_en = f"higher level ({match[2]})"
            p.reason_de, p.reason_en = (
                f"Name der übergeordneten Ebene ({match[2]})",
                f"name of a higher level ({match[2]})",
            )
            continue
        code_role, name_role = roles
        if code is not None and code_role not in fields:
            _set(
                code,
                code_role,
                HIGH,
                f"Ebene {match[1]} = {match[2]} ({_samples(code)})",
                f"level {match[1]} = {match[2]} ({_samples(code)})",
            )
            fields[code_role] = code.header
        if name_role not in fields:
            _set(p, name_role, HIGH, f"Namen der Ebene {match[2]}", f"names of level {match[2]}")
            fields[name_role] = p.header


def _detect_kameral(free: list[ColumnProfile], fields: dict[str, Any]) -> None:
    """Kameral budgets: ``Gruppierung`` numbers are the accounts (part and direction by main group),
    ``Gliederung`` numbers the tasks (stored as product codes)."""
    for p in free:
        if p.role is not None or p.shares["code"] < 0.9:
            continue
        if p.key.startswith("gruppierung") or p.key in ("gr nr", "grp"):
            _set(
                p,
                "account_code",
                HIGH,
                f"kamerale Gruppierungsnummern ({_samples(p)}): Teil und Richtung aus der Hauptgruppe",
                f"kameral Gruppierung numbers ({_samples(p)}): part and direction from the main group",
            )
            fields["account_code"], fields["system"] = p.header, "kameral"
        elif p.key.startswith("gliederung") and "product_code" not in fields:
            reason = f"kamerale Gliederung ({_samples(p)})", f"kameral Gliederung ({_samples(p)})"
            _set(p, "product_code", HIGH, *reason)
            fields["product_code"] = p.header


def _detect_accounts(free: list[ColumnProfile], fields: dict[str, Any], open_: Any) -> None:
    for p in free:
        if not open_(p):
            continue
        role = _header_role(p)
        if role in ("account_code", "account_group_code"):
            if p.shares["code"] >= 0.9 and p.shares["name"] < 0.5:
                target = (
                    "account_code"
                    if role == "account_code" or "account_code" not in fields
                    else "account_code_fallback"
                )
                _set(p, target, HIGH, f"Kontonummern ({_samples(p)})", f"account numbers ({_samples(p)})")
                fields[target] = p.header
            elif p.shares["name"] >= 0.6 and "account_name" not in fields:
                _set(
                    p,
                    "account_name",
                    MEDIUM,
                    f"Konten mit Namen statt Nummern ({_samples(p)})",
                    f"accounts given by name, not number ({_samples(p)})",
                )
                fields["account_name"] = p.header
        elif role in ("account_name", "account_group_name") and p.shares["name"] >= 0.5:
            target = "account_name" if "account_name" not in fields else "account_name_fallback"
            _set(p, target, HIGH, f"Kontobezeichnungen ({_samples(p)})", f"account names ({_samples(p)})")
            fields[target] = p.header


def _why_not(p: ColumnProfile) -> tuple[str, str]:
    s = p.shares
    if not p.filled:
        return "leer", "empty"
    best = max(("phase", "direction", "statement"), key=lambda k: s[k])
    if s[best] >= 0.3:
        kind_de, kind_en = {
            "phase": ("Phasenwörter (Ist/Plan)", "phase words (actual/plan)"),
            "direction": ("Richtungswörter (Ertrag/Aufwand)", "direction words (revenue/expense)"),
            "statement": ("Haushaltsarten", "statement words"),
        }[best]
        return (
            f"nur {s[best]:.0%} der Zellen sind bekannte {kind_de} (mindestens 90 % nötig); "
            "die übrigen Werte können in der Zuordnung übersetzt werden",
            f"only {s[best]:.0%} of the cells are known {kind_en} (90 % needed); "
            "the other values can be translated in the mapping",
        )
    if s["name"] >= 0.6:
        return (
            "Text; keine Phasen-, Richtungs- oder Haushaltsartwörter",
            "text; no phase, direction or statement words",
        )
    if s["year"] >= 0.95:
        return (
            "Jahreszahlen, aber das Jahr kommt schon aus einer anderen Spalte",
            "years, but the year already comes from another column",
        )
    if s["number"] >= 0.9:
        return (
            "Zahlen, aber weder Überschrift (Betrag, Ansatz, Ausgabe …) noch Inhalt machen sie eindeutig "
            "zum Betrag",
            "numbers, but neither header (amount, plan, expense ...) nor content makes it clearly the amount",
        )
    if s["code"] >= 0.9:
        return (
            "Codes, aber keine Produkt- oder Kontonummer nach Überschrift oder Muster",
            "codes, but no product or account number by header or pattern",
        )
    return "kein erkennbares Muster", "no recognisable pattern"
