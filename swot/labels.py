"""Texts of the live board's JavaScript, translated on the server (German msgids like the templates)."""

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def board_labels() -> dict[str, str]:
    return {
        "quadrants": {"S": _("Stärken"), "W": _("Schwächen"), "O": _("Chancen"), "T": _("Risiken")},
        # One factor of a TOWS strategy (singular, so that strengths and weaknesses read differently)
        "factor": {"S": _("Stärke"), "W": _("Schwäche"), "O": _("Chance"), "T": _("Risiko")},
        "phases": {
            "collect": _("Sammeln"),
            "cluster": _("Clustern"),
            "vote": _("Punkten"),
            "weight": _("Gewichten"),
            "derive": _("Strategien ableiten"),
        },
        "tows": {
            "SO": _("SO: Stärken nutzen, um Chancen zu ergreifen"),
            "ST": _("ST: Stärken nutzen, um Risiken abzuwehren"),
            "WO": _("WO: Schwächen durch Chancen abbauen"),
            "WT": _("WT: Schwächen und Risiken begrenzen"),
        },
        "online": _("Verbunden"),
        "offline": _("Keine Verbindung – Änderungen sind gesperrt, bis wieder synchronisiert ist."),
        "syncing": _("Synchronisiere …"),
        "reconnect_in": _("Neuer Verbindungsversuch in %s s"),
        "add": _("Karte hinzufügen"),
        "text": _("Text"),
        "note": _("Notiz (optional)"),
        "colour": _("Farbe/Schlagwort"),
        "save": _("Speichern"),
        "cancel": _("Abbrechen"),
        "edit": _("Bearbeiten"),
        "delete": _("Löschen"),
        "up": _("Nach oben"),
        "down": _("Nach unten"),
        "move_to": _("Verschieben nach"),
        "vote": _("Punkt geben"),
        "unvote": _("Punkt zurücknehmen"),
        "votes_left": _("Verbleibende Punkte: %s"),
        "hidden_card": _("Verdeckte Karte"),
        "conflict_title": _("Bearbeitungskonflikt"),
        "conflict_text": _(
            "Jemand anderes hat diese Karte geändert, während Sie sie bearbeitet haben. Aktuelle Fassung:"
        ),
        "conflict_yours": _("Ihre Fassung:"),
        "conflict_reapply": _("Meine Fassung trotzdem übernehmen"),
        "conflict_discard": _("Aktuelle Fassung behalten"),
        "merge": _("Zusammenführen mit …"),
        "merge_into": _("Ziel für Zusammenführen wählen"),
        "cluster": _("Cluster"),
        "cluster_new": _("Neuer Cluster"),
        "cluster_none": _("ohne Cluster"),
        "cluster_title": _("Überschrift des Clusters"),
        "cluster_dissolve": _("Cluster auflösen"),
        "weight": _("Gewicht"),
        "rating": _("Bewertung"),
        "score": _("Gewichtete Summe"),
        "weights_sum": _("Summe der Gewichte"),
        "internal": _("Intern (IFE)"),
        "external": _("Extern (EFE)"),
        "strategy_new": _("Strategie aus gewählten Karten"),
        "strategy_title": _("Titel der Strategie"),
        "select_for_strategy": _("für Strategie wählen"),
        "select": _("Auswählen"),
        "unselect": _("Auswahl aufheben"),
        "to_measure": _("Als Maßnahme übernehmen"),
        "owner": _("Verantwortlich"),
        "deadline": _("Frist"),
        "indicator": _("Kennzahl"),
        "cost": _("Kostenschätzung (EUR)"),
        "product": _("Haushaltsprodukt"),
        "measure_created": _("Maßnahme angelegt"),
        "lock": _("Sperren"),
        "unlock": _("Entsperren"),
        "locked": _("Das Board ist gesperrt."),
        "reveal": _("Karten aufdecken"),
        "timer_start": _("Timer starten"),
        "timer_stop": _("Timer stoppen"),
        "minutes": _("Minuten"),
        "by": _("von"),
        "mine": _("meine Karte"),
        "error": _("Fehler"),
        "remove": _("Entfernen"),
        "close": _("Schließen"),
        "guest": _("Gast"),
        "votes": _("Punkte"),
        "my_votes": _("davon meine: %s"),
        "card_actions": _("Aktionen für Karte"),
        "drag_hint": _("Ziehen, um die Karte zu verschieben"),
        "drop_here": _("Karten hierher ziehen"),
        "move_refused": _(
            "Nur wer die Karte geschrieben hat und die Moderation verschieben sie in einen anderen "
            "Quadranten."
        ),
        "move_conflict_lost": _(
            "%(name)s hat „%(card)s“ gleichzeitig nach %(theirs)s verschoben, nach Ihrer Verschiebung nach "
            "%(mine)s. Die Karte liegt jetzt in %(now)s."
        ),
        "move_conflict_won": _(
            "%(name)s hat „%(card)s“ gleichzeitig nach %(theirs)s verschoben; Ihre Verschiebung kam danach. "
            "Die Karte liegt jetzt in %(now)s."
        ),
        "someone": _("Jemand"),
        "cluster_into": _("In Cluster „%s“"),
        "cluster_leave": _("Aus dem Cluster lösen"),
        "cluster_rename": _("Cluster umbenennen"),
        "cluster_untitled": _("Cluster ohne Titel"),
        "cluster_empty": _("Karten hierher ziehen, um sie zu gruppieren"),
        "back": _("Zurück"),
        "present": _("Präsentation"),
        "present_leave": _("Präsentation beenden"),
    }


def event_labels() -> tuple[dict[str, str], dict[str, str]]:
    """German words for the board history: event kinds (``card.created``) and phases (``vote``)."""
    kinds = {
        "card.created": _("Karte angelegt"),
        "card.updated": _("Karte geändert"),
        "card.moved": _("Karte verschoben"),
        "card.deleted": _("Karte gelöscht"),
        "card.restored": _("Karte wiederhergestellt"),
        "card.clustered": _("Karte gruppiert"),
        "card.rated": _("Karte gewichtet"),
        "cards.merged": _("Karten zusammengeführt"),
        "cluster.created": _("Cluster angelegt"),
        "cluster.renamed": _("Cluster umbenannt"),
        "cluster.deleted": _("Cluster aufgelöst"),
        "vote.cast": _("Punkt vergeben"),
        "vote.retracted": _("Punkt zurückgenommen"),
        "board.phase": _("Phase gewechselt"),
        "board.locked": _("Sperre geändert"),
        "board.settings": _("Einstellungen geändert"),
        "board.revealed": _("Karten aufgedeckt"),
        "timer.started": _("Timer gestartet"),
        "timer.stopped": _("Timer gestoppt"),
        "strategy.created": _("Strategie angelegt"),
        "strategy.rated": _("Strategie bewertet"),
        "strategy.selected": _("Strategieauswahl geändert"),
        "strategy.deleted": _("Strategie gelöscht"),
        "measure.created": _("Maßnahme angelegt"),
        "participant.joined": _("Person beigetreten"),
        "participant.revoked": _("Person ausgeschlossen"),
        "invite.created": _("Einladung erstellt"),
        "invite.revoked": _("Einladung widerrufen"),
    }
    return kinds, board_labels()["phases"]


def invite_qr_svg(url: str) -> SafeString:
    """The invite link as an inline SVG QR code (segno, rendered on the server: no script, no CDN)."""
    qr = segno.make(url, error="m")
    title = _("QR-Code der Einladung")
    svg = qr.svg_inline(scale=4, border=2, title=title, svgclass="swot-qr", omitsize=True)
    return mark_safe(svg)  # noqa: S308  (segno's own markup; the URL is encoded as modules, not as text)
