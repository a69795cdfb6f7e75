"""The API's exception handler: DRF's, plus a last line for input that got past the edge checks.

Edge validation (``core.api.parsers``, ``core.api.fields``, bounded serializer fields) is the first line.
Should a value still reach the database or a computation in a form it cannot take, the answer is a 4xx
with a message, never a 500: a ``DataError`` (numeric overflow, NUL byte) or an arithmetic overflow is
the client's input (400); an ``IntegrityError`` is a concurrent write of the same unique thing (409).
Each such case is logged, because it means an edge check is missing.
"""

from __future__ import annotations

import decimal
import logging

from django.db import DataError, IntegrityError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

_BAD_INPUT = (DataError, OverflowError, RecursionError, decimal.InvalidOperation, decimal.Overflow)


def api_exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    view = context.get("view").__class__.__name__ if context.get("view") else "?"
    if isinstance(exc, _BAD_INPUT):
        logger.warning("Input reached %s unchecked: %r", view, exc)
        return Response(
            {"detail": _("Ein Wert liegt außerhalb des speicherbaren Bereichs oder ist ungültig.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        logger.warning("Concurrent write in %s: %r", view, exc)
        return Response(
            {"detail": _("Gleichzeitig wurde derselbe Eintrag angelegt oder geändert. Bitte neu laden.")},
            status=status.HTTP_409_CONFLICT,
        )
    return None
