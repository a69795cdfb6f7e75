"""The "Ziele und Kennzahlen" table as a PDF for the budget document: one section per product area, one
row per indicator (the same rows as the CSV/XLSX export, ``selectors.goals_table``), through the one PDF
presenter of the project (``core.pdf``)."""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby
from typing import Any

from django.utils.translation import gettext as _

from core.models import Municipality
from core.numbers import format_number
from core.pdf import PdfDocument
from planning.measures import selectors as sel


def light_word(code: str) -> str:
    return str(
        {
            "green": _("erreicht"),
            "yellow": _("knapp verfehlt"),
            "red": _("verfehlt"),
        }.get(code, _("kein Wert"))
    )


def indicator_number(value: Any) -> Any:
    """Indicator values as they are meant: "12.000" for whole numbers, "11.250,5" otherwise."""
    if not isinstance(value, Decimal):
        return value
    places = max(0, min(4, -value.normalize().as_tuple().exponent))
    return format_number(value, places)


def goals_pdf(municipality: Municipality, area: str | None = None) -> bytes:
    """Per product area: measure, goal, indicator, type, unit, baseline, targets per year, latest actual
    and the traffic light in words; numbers in German format."""
    table = sel.goals_table(municipality, area)
    header, rows = table[0], table[1:]
    doc = PdfDocument(_("Ziele und Kennzahlen"), subtitle=municipality.name, landscape=len(header) > 9)
    if not rows:
        doc.paragraph(_("Keine Kennzahlen zu Maßnahmen erfasst."))
        return doc.output()
    # column 0 (the area) becomes the section heading; column 3 (the goal) a line under the measure
    columns = [h for i, h in enumerate(header) if i not in (0, 3)]
    numeric = {i for i, h in enumerate(columns) if i >= 5}
    numeric.discard(len(columns) - 1)  # the light is a word
    # relative widths: the measure (with its goal) and the indicator's name get the room
    widths = [1.3, 3.2, 2.6, 1.3, 1.3, 1.5, *[1.5] * (len(columns) - 8), 1.6, 1.6]
    for area_label, area_rows in groupby(rows, key=lambda r: r[0]):
        doc.heading(area_label or _("ohne Produktbereich"))
        body = []
        for row in area_rows:
            cells = [indicator_number(c) for i, c in enumerate(row) if i not in (0, 3)]
            cells[-1] = light_word(cells[-1])
            if row[3]:
                cells[1] = f"{cells[1]}\n{_('Ziel')}: {row[3]}"
            body.append(cells)
        doc.table(columns, body, numeric=numeric, widths=widths)
    return doc.output()
