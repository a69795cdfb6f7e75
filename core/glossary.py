# ruff: noqa: E501 - long translatable sentences read better unbroken
"""The glossary: the words of municipal finance and planning that Spielraum uses, in plain language.

The glossary page shows every entry; ``{% explain "hsk" %}`` (core ``spielraum`` tags) puts the short
text next to a label as a disclosure button that works with keyboard and touch, not only on hover.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    key: str  # the anchor on the glossary page
    term: str | Promise
    short: str | Promise


TERMS: tuple[Term, ...] = (
    Term("ausgleichsruecklage", _("Ausgleichsrücklage"), _(
        "Teil des Eigenkapitals, aus dem ein Fehlbetrag im Ergebnisplan gedeckt werden darf, ohne dass der "
        "Haushalt als unausgeglichen gilt (§ 75 GO NRW). Höchstens ein Drittel des Eigenkapitals."
    )),
    Term("allgemeine-ruecklage", _("Allgemeine Rücklage"), _(
        "Der übrige Teil des Eigenkapitals. Wird sie stark verringert, ist ein Haushaltssicherungskonzept nötig."
    )),
    Term("hsk", _("Haushaltssicherungskonzept (HSK)"), _(
        "Pflicht nach § 76 GO NRW, wenn die allgemeine Rücklage in einem Jahr um mehr als ein Viertel oder in "
        "zwei Jahren nacheinander um je mehr als 5 % sinkt oder das Eigenkapital aufgebraucht ist. Es muss den "
        "Haushaltsausgleich spätestens im zehnten Jahr wiederherstellen."
    )),
    Term("ueberschuldung", _("Überschuldung"), _(
        "Das Eigenkapital ist aufgebraucht (bilanzielle Überschuldung); nach § 75 Abs. 7 GO NRW verboten."
    )),
    Term("kostenremanenz", _("Kostenremanenz"), _(
        "Kosten sinken nicht im gleichen Maß, wie die Nachfrage sinkt: Gebäude, Personal und Verträge bleiben. "
        "Der Anteil in % sagt, wie viel eines Postens bei sinkender Einwohnerzahl bestehen bleibt."
    )),
    Term("status-quo-projektion", _("Status-quo-Projektion"), _(
        "Fortschreibung des Haushalts mit gleichbleibenden Ausgaben je Einwohner einer Altersgruppe: zeigt, "
        "was allein die Bevölkerungsentwicklung und die Preise bewirken."
    )),
    Term("altersprofil", _("Altersprofil"), _(
        "Wie sich ein Haushaltsposten auf Altersgruppen verteilt (z. B. Kita auf Kinder unter 6 Jahren). "
        "Daraus folgt, wie der Posten mit der Bevölkerung wächst oder schrumpft."
    )),
    Term("handlungsspielraum", _("Handlungsspielraum"), _(
        "Was nach Pflichtaufgaben und gebundenen Ausgaben übrig bleibt, um selbst zu gestalten."
    )),
    Term("swot", _("SWOT"), _(
        "Stärken (Strengths), Schwächen (Weaknesses), Chancen (Opportunities) und Risiken (Threats): "
        "innere und äußere Faktoren einer Kommune, im Workshop gesammelt."
    )),
    Term("tows", _("TOWS-Matrix"), _(
        "Aus der SWOT-Analyse abgeleitete Strategien: Stärken nutzen, um Chancen zu ergreifen (SO), Schwächen "
        "mit Chancen abbauen (WO), Stärken gegen Risiken einsetzen (ST), Schwächen und Risiken meiden (WT)."
    )),
    Term("ife-efe", _("IFE/EFE-Bewertung"), _(
        "Internal/External Factor Evaluation: jeder Faktor erhält ein Gewicht (zusammen 1,0) und eine Bewertung "
        "von 1 bis 4. Die gewichtete Summe (2,5 ist der Mittelwert) zeigt, wie gut die Kommune innen "
        "aufgestellt ist (IFE) und auf ihr Umfeld reagiert (EFE)."
    )),
    Term("doppik", _("Doppik / NKF"), _(
        "Doppelte Buchführung der Kommunen (in NRW: Neues Kommunales Finanzmanagement) mit Ergebnisplan "
        "(Erträge und Aufwendungen) und Finanzplan (Einzahlungen und Auszahlungen)."
    )),
    Term("finanzplan", _("Finanzplan"), _(
        "Plan der Einzahlungen und Auszahlungen (Zahlungsströme), anders als der Ergebnisplan mit Erträgen "
        "und Aufwendungen."
    )),
    Term("ansatz-ist", _("Ansatz und Ist"), _(
        "Ansatz (Plan) ist der beschlossene Betrag eines Haushaltsjahres, Ist (Rechnungsergebnis) der "
        "tatsächlich gebuchte."
    )),
    Term("ve", _("Verpflichtungsermächtigung (VE)"), _(
        "Erlaubnis, Verpflichtungen einzugehen, die erst in späteren Jahren zu Auszahlungen führen; "
        "kein Aufwand des laufenden Jahres."
    )),
    Term("produktbereich", _("Produktbereich"), _(
        "Oberste Gliederung des Haushalts nach Aufgaben (in NRW 01 bis 17, z. B. 05 Soziale Leistungen, "
        "06 Kinder-, Jugend- und Familienhilfe)."
    )),
    Term("kontengruppe", _("Kontengruppe"), _(
        "Gliederung nach der Art der Erträge und Aufwendungen (z. B. 40 Steuern, 50 Personal, "
        "53 Transferaufwendungen)."
    )),
    Term("eroeffnungsbilanz", _("Eröffnungsbilanz"), _(
        "Die Bilanzwerte zum 1. Januar eines Jahres: Eigenkapital mit Rücklagen, Kredite, Rückstellungen. "
        "Ausgangspunkt der Resilienzprüfung."
    )),
    Term("stresstest", _("Stresstest"), _(
        "Durchrechnen des Haushalts unter einem Schock, z. B. Steuereinbruch oder Zinsanstieg: Wann greift "
        "eine gesetzliche Schwelle?"
    )),
    Term("monte-carlo", _("Monte-Carlo-Simulation"), _(
        "Viele tausend zufällige, aber plausible Zukunftsverläufe: ergibt Wahrscheinlichkeiten, etwa dass ein "
        "HSK innerhalb von fünf Jahren nötig wird."
    )),
    Term("orientierungsdaten", _("Orientierungsdaten"), _(
        "Jährliche Vorgaben des Landes für die erwartete Entwicklung von Steuern, Zuweisungen und "
        "Personalkosten in der mittelfristigen Planung."
    )),
    Term("nkf-kennzahlen", _("NKF-Kennzahlen"), _(
        "Landeseinheitliche Kennzahlen wie Eigenkapitalquote, Fehlbetragsquote, Zinslastquote oder "
        "Aufwandsdeckungsgrad, mit denen Kommunen sich vergleichen."
    )),
    Term("szenario", _("Szenario"), _(
        "Eine Annahmenkombination (Preise, Löhne, Bevölkerungsvariante, Zinssatz), mit der Spielraum die "
        "Zukunft des Haushalts rechnet. Mehrere Szenarien lassen sich vergleichen."
    )),
)  # fmt: skip

BY_KEY = {term.key: term for term in TERMS}


def sorted_terms() -> list[Term]:
    return sorted(TERMS, key=lambda t: str(t.term).casefold())
