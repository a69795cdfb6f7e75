"""Amounts as exported by German accounting systems, parsed to ``Decimal`` exact to the cent.

Accepted: ``1.234,56`` ``1234,56`` ``1234.56`` ``1,234.56``, SAP's trailing minus ``1.234,56-``, a
leading ``-`` or ``+``, surrounding spaces, empty = 0. Never via float: a budget must add up to the cent.

The decimal convention is decided once per FILE, not per cell, because ``1.234`` means 1234 in a
German file and 1.234 in an English one; cell by cell the question cannot be answered. Rule of
``detect_decimal_convention``: every sampled amount that is unambiguous votes (``206,41`` and
``1.234.567`` vote German, ``1234.5`` and ``1,234,567`` vote English, ``1.234,56`` votes for the
separator that comes last); the majority wins; with no votes at all the German convention is used for
semicolon and tab separated files and the English one for comma separated files.

Values with more than two decimal places are rejected, not rounded: rounding would make the imported
totals differ from the accounting system's, and a three-decimal value is usually a misread convention.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, Decimal

DECIMAL_COMMA = "de"  # 1.234,56
DECIMAL_POINT = "en"  # 1,234.56
CONVENTIONS = (DECIMAL_COMMA, DECIMAL_POINT)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_FLOAT_NOISE = Decimal("0.000001")
# Thousands grouped by (no-break) spaces or apostrophes, as some exports and Swiss systems write them.
_SPACE_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009']\d{3})+(?:[.,]\d*)?-?$")
_GROUP_CHARS = re.compile(r"[ \u00a0\u202f\u2009']")
_CENTS_FORMS = {
    DECIMAL_COMMA: re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+),\d\d-?"),
    DECIMAL_POINT: re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d\d-?"),
}


class NumberFormatError(ValueError):
    """A cell that is not an amount; ``code`` is a message code of ``issues.MESSAGES``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_MEMO_LIMIT = 20_000


def _zero_forms(decimal: str) -> frozenset[str]:
    zero_2 = "0" + decimal + "00"
    # ``nan``: pandas' missing value, written by exports made with it (Wuppertal): an empty cell.
    empty = {"nan", "NaN", "NAN", "-nan"}
    return frozenset(
        {"", "0", "-", "0-", "-0", "0" + decimal + "0", zero_2, "-" + zero_2, zero_2 + "-", *empty}
    )


def _make_text_parser(convention: str) -> Callable[[str], Decimal]:
    """The explicit parser for every accepted form; also tells why a cell is not a number."""
    thousands, decimal = (".", ",") if convention == DECIMAL_COMMA else (",", ".")
    dec_ = Decimal

    def parse_text(text: str) -> Decimal:
        s = text.strip()
        if not s:
            return ZERO
        sign = ""
        if s[-1] == "-":  # SAP: 1.234,56-
            sign = "-"
            s = s[:-1].rstrip()
        first = s[:1]
        if first == "-":
            if sign:
                raise NumberFormatError("not_a_number")
            sign = "-"
            s = s[1:].lstrip()
        elif first == "+":
            s = s[1:].lstrip()
        integer, sep, fraction = s.partition(decimal)
        if thousands in integer:
            # Separators must sit exactly every fourth character from the right: 1.234.567
            marks = integer[-4::-4]
            if integer[0] == thousands or marks.strip(thousands) or integer.count(thousands) != len(marks):
                digits_only = integer.replace(thousands, "")
                raise NumberFormatError(
                    "bad_grouping" if digits_only.isdigit() and sep != thousands else "not_a_number"
                )
            integer = integer.replace(thousands, "")
        if not (integer.isdigit() and integer.isascii()):
            if integer or not sep:
                raise NumberFormatError("not_a_number")
            integer = "0"  # ,5
        if sep:
            if not (fraction.isdigit() and fraction.isascii()):
                raise NumberFormatError("not_a_number")
            size = len(fraction)
            if size == 2:
                return dec_(sign + integer + "." + fraction)
            if size > 2:
                raise NumberFormatError("too_many_decimals")
            return dec_(sign + integer + "." + fraction + "0")
        return dec_(sign + integer + ".00")

    return parse_text


class AmountParser:
    """Parses amounts of one decimal convention (``de`` or ``en``); call it with a cell.

    Cost matters (a wide file has millions of cells), so: zero cells (``0,00``, empty) are one set
    lookup; repeated cells one dict lookup (budget exports repeat amounts a lot: the same plan value
    for several years, flat rates), bounded to ``_MEMO_LIMIT`` entries; new cells in the form almost
    every export uses (exactly two decimals) are validated by one C-level regex and converted by one
    ``Decimal()`` call; everything else goes through the explicit parser, which also names the reason
    for a rejection. Typed cells (int, float, Decimal from XLSX) are accepted too.
    ``zeros``, ``memo`` and ``fresh`` are public so that a hot loop can inline the cheap checks.
    """

    __slots__ = ("_cents", "_german", "_text", "convention", "memo", "zeros")

    def __init__(self, convention: str) -> None:
        if convention not in CONVENTIONS:
            raise ValueError(f"unknown decimal convention {convention!r}")
        self.convention = convention
        self._german = convention == DECIMAL_COMMA
        self.zeros = _zero_forms("," if self._german else ".")
        self.memo: dict[str, Decimal] = {}
        self._cents = _CENTS_FORMS[convention].fullmatch
        self._text = _make_text_parser(convention)

    def __call__(self, raw: object) -> Decimal:
        if raw.__class__ is str:
            if raw in self.zeros:
                return ZERO
            value = self.memo.get(raw)  # type: ignore[call-overload]
            return value if value is not None else self.fresh(raw)  # type: ignore[arg-type]
        return _parse_typed(raw)

    def fresh(self, raw: str) -> Decimal:
        """Parse a text cell not seen before (and remember it). Raises NumberFormatError."""
        if self._cents(raw) and not (raw[0] == "-" and raw[-1] == "-"):
            text = raw.replace(".", "").replace(",", ".") if self._german else raw.replace(",", "")
            value = Decimal("-" + text[:-1] if text[-1] == "-" else text)
        else:
            try:
                value = self._text(raw)
            except NumberFormatError:
                scientific = _scientific(raw)
                if scientific is not None:
                    value = scientific
                else:
                    cleaned = _strip_noise(raw)
                    if cleaned == raw.strip() and cleaned == raw:
                        raise
                    value = self._text(cleaned)
        memo = self.memo
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[raw] = value
        return value


def make_amount_parser(convention: str) -> AmountParser:
    """A parser for one decimal convention (``de``/``en``); raises ValueError for another name."""
    return AmountParser(convention)


_SCIENTIFIC = re.compile(r"^\s*[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d{1,3}\s*$")


def _scientific(text: str) -> Decimal | None:
    """``1.5E+06`` / ``2,5e3`` (spreadsheets and pandas write large numbers so): exact, at most cents.

    The mantissa's decimal mark is unambiguous here (no grouping in scientific notation). A value
    with more than two decimals after scaling is refused like any other (``too_many_decimals``).
    """
    if not _SCIENTIFIC.match(text):
        return None
    value = Decimal(text.strip().replace(",", "."))
    rounded = value.quantize(CENT)
    if rounded != value:
        raise NumberFormatError("too_many_decimals")
    return rounded


def _strip_noise(text: str) -> str:
    """Second chance for ``1 234,56 €``, ``EUR 12,00``, ``1'234.50``: drop currency marks, and spaces or
    apostrophes only where they group thousands (``12 34`` stays invalid)."""
    cleaned = text.strip().removesuffix("EUR").removeprefix("EUR").replace("€", "").strip()
    if _SPACE_GROUPED.match(cleaned):
        cleaned = _GROUP_CHARS.sub("", cleaned)
    return cleaned


def _parse_typed(raw: object) -> Decimal:
    """Cells that are already numbers (XLSX). Floats are Excel's binary doubles: rounded to the cent
    when the difference is float noise, rejected when the value really has more decimals."""
    if raw is None:
        return ZERO
    if isinstance(raw, bool):
        raise NumberFormatError("not_a_number")
    if isinstance(raw, int):
        return Decimal(raw).quantize(CENT)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NumberFormatError("not_a_number")
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NumberFormatError("not_a_number")
        value = raw
    else:
        raise NumberFormatError("not_a_number")
    rounded = value.quantize(CENT, rounding=ROUND_HALF_EVEN)
    if abs(rounded - value) > _FLOAT_NOISE:
        raise NumberFormatError("too_many_decimals")
    return rounded


def parse_amount(raw: object, convention: str = DECIMAL_COMMA) -> Decimal:
    """Parse one amount (convenience; in loops use ``make_amount_parser`` once)."""
    return make_amount_parser(convention)(raw)


def _vote(text: str) -> str | None:
    """Which convention an amount proves, or None when it is ambiguous (``1.234``) or not a number."""
    s = text.strip().strip("+-").strip()
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        return DECIMAL_COMMA if s.rfind(",") > s.rfind(".") else DECIMAL_POINT
    if not (has_dot or has_comma):
        return None
    sep = "." if has_dot else ","
    if s.count(sep) > 1:  # repeated separator can only be grouping
        return DECIMAL_COMMA if sep == "." else DECIMAL_POINT
    if len(s) - s.rfind(sep) - 1 == 3:
        return None  # 1.234 / 1,234: ambiguous
    return DECIMAL_POINT if sep == "." else DECIMAL_COMMA


def detect_decimal_convention(values: Iterable[object], delimiter: str | None = None) -> tuple[str, int, int]:
    """Decide the file's decimal convention from sampled amount cells (see module docstring).

    Returns ``(convention, german_votes, english_votes)``.
    """
    german = english = 0
    for value in values:
        if value.__class__ is not str:
            continue
        vote = _vote(value)  # type: ignore[arg-type]
        if vote == DECIMAL_COMMA:
            german += 1
        elif vote == DECIMAL_POINT:
            english += 1
    if german != english:
        return (DECIMAL_COMMA if german > english else DECIMAL_POINT), german, english
    return (DECIMAL_POINT if delimiter == "," else DECIMAL_COMMA), german, english
