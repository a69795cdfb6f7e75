"""One small PDF presenter for every printable table (used by planning's "Ziele und Kennzahlen" and the
coproduction comparison for a council committee, and by the Art. 15 person record of stakeholders).

Rendered in-process with fpdf2 (no browser): A4, a title block with the municipality and the date of
printing, headings, paragraphs, tables whose cells wrap (the header row repeats on a new page), and
"Seite x von y" at the foot of every page. Numbers and dates are German (``core.numbers``: "85.000,00",
"06.12.2026"). The font is DejaVu Sans when it is installed (the Docker image installs
``fonts-dejavu-core``; it has umlauts, "€", „“ and –); without it the latin-1 core font Helvetica is
used, which still has umlauts and ß, and the few characters it lacks are replaced (€ -> EUR).

    doc = PdfDocument(_("Ziele und Kennzahlen"), subtitle=municipality.name)
    doc.heading("01 Innere Verwaltung")
    doc.table(["Kennzahl", "Ziel 2027"], [["Besuche", Decimal("9000")]], numeric={1})
    return pdf_response(doc.output(), "ziele.pdf")
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.numbers import format_date, format_number

# fontTools logs every glyph subset at INFO while fpdf2 embeds the font
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
}
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts/dejavu",
)
_CORE_REPLACEMENTS = str.maketrans(
    {
        "€": "EUR",
        "–": "-",
        "—": "-",
        "−": "-",
        "„": '"',
        "“": '"',
        "”": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "…": "...",
        "→": "->",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


def font_dir() -> Path | None:
    """The folder with DejaVu Sans (regular and bold), or None: settings.PDF_FONT_DIR first."""
    candidates = [getattr(settings, "PDF_FONT_DIR", None), *FONT_DIRS]
    for folder in candidates:
        if folder and all((Path(folder) / name).is_file() for name in FONT_FILES.values()):
            return Path(folder)
    return None


def cell_text(value: Any, decimals: int = 2) -> str:
    """A table cell in German: Decimal -> "1.234,56", int -> "1234" (years, counts as they are),
    date -> "06.12.2026", None -> "–"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, Decimal | float):
        return format_number(value, decimals)
    if isinstance(value, dt.datetime | dt.date):
        return format_date(value)
    return str(value)


def _pdf_class():
    """fpdf2's FPDF with our footer (imported late: fpdf2 is only loaded when a PDF is made)."""
    from fpdf import FPDF

    class _Pdf(FPDF):
        footer_text = ""
        presenter: PdfDocument | None = None

        def footer(self) -> None:
            doc = self.presenter
            self.set_y(-12)
            self.set_font(doc._family, "", 8)
            self.cell(0, 6, doc._text(self.footer_text), align="L")
            self.set_x(self.l_margin)
            pages = _("Seite %(page)s von %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
            self.cell(0, 6, doc._text(pages), align="R")

    return _Pdf


class PdfDocument:
    """An A4 document: title block, headings, paragraphs, wrapping tables, page numbers."""

    def __init__(self, title: str, *, subtitle: str = "", landscape: bool = False):
        self.pdf = _pdf_class()(orientation="L" if landscape else "P", format="A4")
        self.pdf.footer_text = title
        self.pdf.alias_nb_pages("{nb}")
        self.pdf.set_auto_page_break(auto=True, margin=18)
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_title(title)
        self.pdf.set_creator("Spielraum")
        folder = font_dir()
        if folder is not None:
            for style, name in FONT_FILES.items():
                self.pdf.add_font("DejaVu", style, str(folder / name))
            self._family, self.unicode = "DejaVu", True
        else:
            self._family, self.unicode = "Helvetica", False
        self.pdf.presenter = self
        self.pdf.add_page()
        self.pdf.set_font(self._family, "B", 15)
        self.pdf.multi_cell(0, 8, self._text(title), new_x="LMARGIN", new_y="NEXT", align="L")
        self.pdf.set_font(self._family, "", 9)
        stamp = _("Stand: %(day)s") % {"day": format_date(timezone.localdate())}
        line = f"{subtitle} · {stamp}" if subtitle else stamp
        self.pdf.multi_cell(0, 5, self._text(line), new_x="LMARGIN", new_y="NEXT", align="L")
        self.pdf.ln(2)

    def _text(self, value: Any) -> str:
        text = str(value if value is not None else "")
        if self.unicode:
            return text.replace("\u202f", " ")
        return text.translate(_CORE_REPLACEMENTS).encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, *, level: int = 1) -> None:
        self.pdf.ln(3)
        self.pdf.set_font(self._family, "B", 12 if level == 1 else 10)
        self.pdf.multi_cell(0, 6, self._text(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.pdf.set_font(self._family, "", 9)

    def paragraph(self, text: str) -> None:
        self.pdf.set_font(self._family, "", 9)
        self.pdf.multi_cell(0, 5, self._text(text), new_x="LMARGIN", new_y="NEXT", align="L")

    def line(self, label: str, value: Any) -> None:
        """ "label: value" as one wrapped line (empty values are left out)."""
        if value in (None, "", []):
            return
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        self.paragraph(f"{label}: {cell_text(value)}")

    def bullets(self, items: Iterable[str]) -> None:
        for item in items:
            self.paragraph(f"• {item}" if self.unicode else f"- {item}")

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        numeric: Collection[int] = (),
        widths: Sequence[float] | None = None,
        decimals: int = 2,
    ) -> None:
        """A table whose cells wrap; the columns in ``numeric`` are right-aligned. Cells are formatted
        by :func:`cell_text` (pass a str to print it as it is)."""
        from fpdf.fonts import FontFace

        self.pdf.set_font(self._family, "", 8)
        align = tuple("RIGHT" if i in numeric else "LEFT" for i in range(len(headers)))
        with self.pdf.table(
            col_widths=tuple(widths) if widths else None,
            text_align=align,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            line_height=4.5,
            padding=1,
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            head = table.row()
            for h in headers:
                head.cell(self._text(h))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self._text(cell_text(value, decimals)))
        self.pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def pdf_response(data: bytes, name: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    return response
