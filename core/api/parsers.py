"""The API's request parsers: JSON that is safe to hand to serializers, the database and numpy.

Every API view parses with these (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``). What the JSON parser
rejects with 400 and a message, before any serializer runs:

- ``NaN``, ``Infinity`` and numbers that overflow a float (``1e400``): they are not JSON and break
  ``Decimal`` columns and the engines;
- nesting deeper than ``MAX_JSON_DEPTH`` (a deeply nested body would raise ``RecursionError`` in the
  parser or in every recursive consumer after it);
- NUL characters in any string or key (PostgreSQL text and ``jsonb`` cannot store them).

Form and multipart bodies go through DRF's parsers; their text fields reach ``CharField``, which refuses
NUL characters itself.
"""

from __future__ import annotations

import codecs
import json
import math
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(_("Zahl außerhalb des darstellbaren Bereichs: %(v)s") % {"v": text[:40]})
    return value


def _constant(name: str) -> float:
    raise ValueError(_("%(v)s ist keine Zahl im Sinne von JSON.") % {"v": name})


def check_json_value(value: Any, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise ``ValueError`` if ``value`` nests deeper than ``max_depth`` or holds a NUL character.

    Iterative, so that it cannot itself run out of stack.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError(_("Text darf kein Nullzeichen (\\u0000) enthalten."))
        elif isinstance(item, dict | list):
            if depth > max_depth:
                raise ValueError(
                    _("Die Daten sind tiefer als %(n)d Ebenen verschachtelt.") % {"n": max_depth}
                )
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)


def loads_strict(text: str | bytes) -> Any:
    """``json.loads`` with the checks above; ``ValueError`` with a message on any violation."""
    try:
        value = json.loads(text, parse_float=_finite_float, parse_constant=_constant)
    except RecursionError as exc:
        raise ValueError(_("Die Daten sind zu tief verschachtelt.")) from exc
    check_json_value(value)
    return value


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with the edge checks of this module (400 ``{"detail": ...}``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads_strict(text)
        except UnicodeDecodeError as exc:
            raise ParseError(_("Der JSON-Text ist kein gültiges %(enc)s.") % {"enc": encoding}) from exc
        except ValueError as exc:
            raise ParseError(_("Ungültiges JSON: %(reason)s") % {"reason": exc}) from exc
