"""Workshop record (printable HTML), CSV, and PDF/PNG rendered from the record by headless Chromium."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format

from core.downloads import safe_row
from core.models import Job
from swot import logic, selectors
from swot.access import Actor
from swot.models import Board, Quadrant, Strategy

BINARY_FORMATS = ("pdf", "png")
CSV_HEADER = [
    "Typ", "ID", "Quadrant/Art", "Cluster", "Text", "Notiz", "Punkte", "Gewicht", "Bewertung", "Autor/in",
    "Verknüpfte Karten", "Ausgewählt/Frist",
]  # fmt: skip
PDF_MARGIN = {"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STATIC_CSS = Path(settings.BASE_DIR) / "static" / "swot" / "record.css"


def _record_context(board: Board, actor: Actor) -> dict:
    snapshot = selectors.board_snapshot(board, actor)
    clusters = {c["id"]: c["title"] for c in snapshot["clusters"]}
    quadrants = []
    for value, label in Quadrant.choices:
        cards = [
            dict(c, cluster=clusters.get(c["cluster_id"], ""))
            for c in snapshot["cards"]
            if c["quadrant"] == value
        ]
        cards.sort(key=lambda c: (c["cluster"], c["rank"]))
        quadrants.append({"key": value, "label": label, "cards": cards, "side": logic.side_of(value)})
    card_text = {c["id"]: c["text"] for c in snapshot["cards"]}
    kinds = dict(Strategy.Kind.choices)
    strategies = [
        dict(s, kind_label=kinds[s["kind"]], factors=[card_text.get(i, "–") for i in s["card_ids"]])
        for s in snapshot["strategies"]
    ]
    return {
        "board": board,
        "snapshot": snapshot,
        "quadrants": quadrants,
        "strategies": strategies,
        "measures": snapshot["measures"],
        "scores": snapshot["scores"],
        "participants": board.participants.filter(revoked_at__isnull=True).order_by("display_name"),
        "now": timezone.now(),
    }


def record_html(board: Board, actor: Actor, *, request=None, inline_css: bool = False) -> str:
    """The workshop record as one HTML page (``inline_css`` for rendering without a server)."""
    context = _record_context(board, actor)
    context["inline_css"] = STATIC_CSS.read_text(encoding="utf-8") if inline_css else ""
    return render_to_string("swot/record.html", context, request=request)


def _num(value) -> str:
    return "" if value in (None, "") else number_format(value, use_l10n=True)


def board_csv(board: Board, actor: Actor) -> str:
    """Cards, strategies and measures as CSV for spreadsheet users (semicolon, German decimals, BOM).

    As ``actor`` sees the board (face-down cards hidden, anonymous authors); every text cell is
    neutralised against formula injection (``core.downloads``): guests write card texts.
    """
    context = _record_context(board, actor)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    for quadrant in context["quadrants"]:
        for c in quadrant["cards"]:
            writer.writerow(safe_row([
                "Karte", c["id"], str(quadrant["label"]), c["cluster"], c["text"], c["note"], c["votes"],
                _num(c["weight"]), c["rating"] or "", c["author_name"], "", "",
            ]))  # fmt: skip
    for s in context["strategies"]:
        writer.writerow(safe_row([
            "Strategie", s["id"], s["kind"], "", s["title"], s["description"], "", "", s["rating"] or "", "",
            ", ".join(str(i) for i in s["card_ids"]), "ja" if s["selected"] else "nein",
        ]))  # fmt: skip
    for m in context["measures"]:
        writer.writerow(safe_row([
            "Maßnahme", m["id"], m["budget_product_code"], "", m["title"], m["indicator"], "", "", "",
            m["owner"], f"Strategie {m['source_strategy_id']}", m["deadline"] or "",
        ]))  # fmt: skip
    return out.getvalue()


def export_path(job: Job) -> Path:
    """Where a finished export job's file lives (MEDIA_ROOT, not served publicly)."""
    fmt = job.params.get("fmt", "pdf")
    return (
        Path(settings.MEDIA_ROOT) / "swot" / "exports" / f"swot-board-{job.params['board_id']}-{job.pk}.{fmt}"
    )


def render_binary(html: str, fmt: str, target: Path) -> None:
    """Render the record HTML to PDF (A4) or PNG (full page) with headless Chromium via Playwright.

    Call outside any database work: Playwright's sync API runs an event loop in this thread.
    """
    from playwright.sync_api import sync_playwright

    target.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page(viewport={"width": 1240, "height": 1754}, locale="de-DE")
            page.set_content(html, wait_until="load")
            if fmt == "pdf":
                page.pdf(path=str(target), format="A4", print_background=True, margin=PDF_MARGIN)
            else:
                page.screenshot(path=str(target), full_page=True)
        finally:
            browser.close()
