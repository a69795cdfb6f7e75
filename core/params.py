"""One parser for ids and years in query strings, path values and form values.

``str.isdigit()`` is true for ``"²"`` and ``"٣"`` and ``int()`` of a 30-digit string overflows every
database integer: both reached the database as 500s. Every view reads ids and years through these
functions. ``parse_*`` raise ``InvalidParameter`` (a ``ValueError`` with a German message); the API
helpers in ``core.api.fields`` turn it into a 400 ``{name: [message]}``, page views into Django's
``BadRequest`` (400) or ignore the value, as the page prefers.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

ID_MAX = 2**63 - 1  # PostgreSQL bigint, Django's BigAutoField
YEAR_MIN, YEAR_MAX = 1900, 2200
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


class InvalidParameter(ValueError):
    """A query, path or form value that is not what the parameter needs; the message says why."""


def parse_int(value: object, *, name: str, minimum: int, maximum: int) -> int:
    """An integer written with ASCII digits (optional leading minus), within ``minimum..maximum``."""
    text = str(value).strip() if value is not None else ""
    digits = text[1:] if text.startswith("-") else text
    if not _ASCII_DIGITS.fullmatch(digits):
        raise InvalidParameter(
            _("%(name)s: „%(value)s“ ist keine ganze Zahl.") % {"name": name, "value": text[:40]}
        )
    number = int(text)
    if not minimum <= number <= maximum:
        raise InvalidParameter(
            _("%(name)s: %(value)d liegt außerhalb von %(min)d bis %(max)d.")
            % {"name": name, "value": number, "min": minimum, "max": maximum}
        )
    return number


def parse_id(value: object, *, name: str = "id") -> int:
    """A database id: 1 .. 2**63-1."""
    return parse_int(value, name=name, minimum=1, maximum=ID_MAX)


def parse_year(value: object, *, name: str = "year") -> int:
    """A calendar year of planning data: 1900 .. 2200."""
    return parse_int(value, name=name, minimum=YEAR_MIN, maximum=YEAR_MAX)


def optional(parser, value: object, **kwargs) -> int | None:
    """``parser(value)`` or ``None`` for a missing/empty value or one that does not parse (pages that
    fall back to a default instead of answering 400)."""
    if value in (None, ""):
        return None
    try:
        return parser(value, **kwargs)
    except InvalidParameter:
        return None
