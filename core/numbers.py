"""German-aware numbers and dates: one parser for every input, one formatter for every export and print.

Pure module (no Django import): forms (``core.forms``), API fields (``core.api.fields``), websocket
services and exports all call these, so that "85.000" means 85000 everywhere and a record prints
"85.000,00" and "06.12.2026" instead of "85.00" and "2026-12-06".

Reading rules (what a German user types, and what an English user or a machine sends):

- both "." and "," present: the one that comes last is the decimal separator ("85.000,50", "85,000.50");
- only ",": decimal comma ("0,025", "2,5"), unless it groups thousands as "1,234,567" (several commas);
- only ".": thousands separators when every group after a dot has exactly three digits and the first
  group does not start with 0 ("85.000" = 85000, "1.234.567"); otherwise a decimal point ("2.5", "0.025");
- spaces, non-breaking spaces, "€", "EUR" and a trailing "%" are ignored; a leading "+"/"-" or SAP's
  trailing "-" gives the sign.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_STRIP = re.compile(r"[\s\u00a0\u202f']|€|EUR|%", re.IGNORECASE)
_GROUPED_DOTS = re.compile(r"^[1-9]\d{0,2}(\.\d{3})+$")
_GROUPED_COMMAS = re.compile(r"^[1-9]\d{0,2}(,\d{3}){2,}$")
_PLAIN = re.compile(r"^\d*\.?\d*$")


class NumberFormatError(ValueError):
    """The text is not a number; ``str()`` is a short English reason (callers show their own message)."""


def parse_decimal(text: str | int | float | Decimal | None) -> Decimal | None:
    """German or international number text -> Decimal; None for empty input; NumberFormatError if bad.

    >>> parse_decimal("85.000"), parse_decimal("85.000,50"), parse_decimal("0,025"), parse_decimal("2.5")
    (Decimal('85000'), Decimal('85000.50'), Decimal('0.025'), Decimal('2.5'))
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise NumberFormatError("boolean is not a number")
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    raw = _STRIP.sub("", str(text))
    if not raw:
        return None
    sign = ""
    if raw[0] in "+-−":
        sign, raw = ("-" if raw[0] in "-−" else ""), raw[1:]
    elif raw.endswith("-"):  # SAP: 1.234,56-
        sign, raw = "-", raw[:-1]
    if "," in raw and "." in raw:
        decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        integer, _, fraction = raw.rpartition(decimal_sep)
        if not (_GROUPED_DOTS if thousands == "." else re.compile(r"^[1-9]\d{0,2}(,\d{3})+$")).match(integer):
            raise NumberFormatError("misplaced thousands separator")
        normal = integer.replace(thousands, "") + "." + fraction
    elif "," in raw:
        normal = raw.replace(",", "") if _GROUPED_COMMAS.match(raw) else raw.replace(",", ".", 1)
        if "," in normal:
            raise NumberFormatError("more than one decimal comma")
    elif raw.count(".") >= 1 and _GROUPED_DOTS.match(raw):
        normal = raw.replace(".", "")
    else:
        normal = raw
    if not _PLAIN.match(normal) or normal in (".", ""):
        raise NumberFormatError("not a number")
    try:
        value = Decimal(sign + normal)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already refuses
        raise NumberFormatError("not a number") from exc
    return value


def parse_percent(text: str | int | float | Decimal | None) -> Decimal | None:
    """Percent text -> fraction: "2,5" and "2,5 %" -> Decimal("0.025")."""
    value = parse_decimal(text)
    return None if value is None else value / 100


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    return sep.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def format_number(value: Decimal | float | int | None, decimals: int = 0, *, language: str = "de") -> str:
    """12345.678 -> "12.345,68" (de) or "12,345.68" (en), rounded half up; "" for None."""
    if value is None or value == "":
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    negative = rounded < 0
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    thousands, point = (",", ".") if language.startswith("en") else (".", ",")
    text = _group(integer, thousands) + (point + fraction if decimals > 0 else "")
    return ("-" if negative and rounded != 0 else "") + text


def format_money(value: Decimal | float | int | None, decimals: int = 2, *, language: str = "de") -> str:
    """85000 -> "85.000,00 €"."""
    text = format_number(value, decimals, language=language)
    return f"{text}\u00a0€" if text else ""


def format_percent(value: Decimal | float | None, decimals: int = 1, *, language: str = "de") -> str:
    """A fraction as percent: 0.025 -> "2,5 %"."""
    if value is None or value == "":
        return "–"
    return f"{format_number(Decimal(str(value)) * 100, decimals, language=language)}\u00a0%"


def format_date(value: dt.date | dt.datetime | str | None, *, language: str = "de") -> str:
    """2026-12-06 -> "06.12.2026" (de) or "6 Dec 2026" (en); ISO strings are accepted; "" for None."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if language.startswith("en"):
        return f"{value.day} {value.strftime('%b')} {value.year}"
    return value.strftime("%d.%m.%Y")


def format_datetime(value: dt.datetime | str | None, *, language: str = "de") -> str:
    """A point in time as "06.12.2026, 14:05" (de) or "6 Dec 2026, 14:05" (en); give local time."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{format_date(value, language=language)}, {value.strftime('%H:%M')}"
