"""Demo data: the SWOT board "Innenstadt Herten" with the factors of the seed's Abbildung 1.

Source: DeWaK project report, Abbildung 1 "SWOT-Analyse der Innenstadt von Herten" (Eigene Darstellung).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from core.models import Municipality
from swot import services
from swot.access import actor_for_user
from swot.models import Board

DEMO_TITLE = "Innenstadt Herten"
HERTEN_FACTORS = {
    "S": [
        "Hoher Anteil Wohnen, preiswerter Wohnraum",
        "Nähe zum Schlosspark, größere Gärten",
        "Prägende Gebäude",
        "Vielfältige Kultur- und Sportangebote",
        "Gute Verkehrserschließung",
    ],
    "W": [
        "Konzentration sozialer Problemgruppen",
        "Zusammenhang zwischen gebautem Raum und geringer Aufenthaltsqualität",
        "Bausubstanz zum Teil in sehr schlechtem Zustand",
        "Schlechtes Image und mangelhafte Attraktivität der Innenstadt als zentraler Einkaufsbereich",
        "Barrierewirkung des Rings",
    ],
    "O": [
        "Vielzahl sozialer Akteure mit breitem Angebot",
        "Soziales Laboratorium",
        "Wiederbelebung als soziales, kulturelles und wirtschaftliches Zentrum",
    ],
    "T": [
        "Soziale Segregation",
        "Verödung der Innenstadt",
        "Bildung von Parallelgesellschaften",
        "Prekäre kommunale Finanzlage",
        "Fehlende rechtsübergreifende Beratung / Zersplitterung der Zuständigkeiten",
        "Fehlende Sozialraumorientierung der Sozialleistungen",
    ],
}
FACILITATOR_USERNAME = "moderation"


def load_swot_demo(municipality: Municipality) -> Board | None:
    """Create the Herten board once (idempotent: an existing board of that title is left alone)."""
    if Board.objects.filter(municipality=municipality, title=DEMO_TITLE).exists():
        return None
    user = get_user_model().objects.filter(username=FACILITATOR_USERNAME).first()
    board = services.board_create(
        municipality=municipality,
        title=DEMO_TITLE,
        description="SWOT-Analyse der Hertener Innenstadt (DeWaK-Projekt, Abbildung 1) als Ausgangspunkt "
        "für ein soziokulturelles Zentrum.",
        created_by=user,
    )
    actor = actor_for_user(board, user) if user else None
    if actor is None or not actor.is_facilitator:
        return board  # no facilitator to act as: an empty board to start the workshop with
    for quadrant, texts in HERTEN_FACTORS.items():
        for text in texts:
            services.card_create(board_id=board.pk, actor=actor, quadrant=quadrant, text=text)
    return board
