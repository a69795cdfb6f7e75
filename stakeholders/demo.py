# ruff: noqa: E501 - demo data tables read best one row per line
"""Demo stakeholders of Musterstadt, after the actors the seed report names for the socio-cultural centre
in the inner city: the city's departments, the welfare associations, the Quartiersmanagement, clubs,
churches, businesses and a few citizens (fictitious persons, with consent). Assessments at two dates
(June 2025 and September 2026) show movement on the grid; ties added or ended between them change the
network. Idempotent: a municipality that already has stakeholders is left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.models import Municipality
from stakeholders.methods.grid import suggested_strategy
from stakeholders.models import Assessment, Engagement, Relationship, Stakeholder

FIRST = dt.date(2025, 6, 15)
SECOND = dt.date(2026, 9, 15)
REGISTERED = dt.datetime(2025, 1, 15, 9, 0)

# key, name, sector, kind, district, attitude, hours, money, staff, rooms, tags
ORGANISATIONS = [
    ("soz", "Fachbereich Soziales und Senioren", "public", "department", "Innenstadt", "supportive", 0, 0, 0, "", "Sozialplanung"),
    ("jug", "Fachbereich Kinder, Jugend und Familie (Jugendamt)", "public", "department", "Innenstadt", "supportive", 0, 0, 0, "", "Jugend, Familie"),
    ("stp", "Fachbereich Stadtentwicklung und Planung", "public", "department", "Innenstadt", "supportive", 0, 0, 0, "", "Städtebauförderung"),
    ("kae", "Kämmerei", "public", "department", "Innenstadt", "neutral", 0, 0, 0, "", "Haushalt"),
    ("buer", "Bürgermeisterin und Verwaltungsvorstand", "public", "political", "Innenstadt", "supportive", 0, 0, 0, "", "Steuerung"),
    ("rat", "Ausschuss für Soziales und Gesundheit", "public", "political", "", "neutral", 0, 0, 0, "", "Rat"),
    ("job", "Jobcenter Musterstadt", "public", "department", "Innenstadt", "neutral", 0, 0, 0, "", "SGB II"),
    ("vhs", "Volkshochschule Musterstadt", "public", "department", "Innenstadt", "supportive", 0, 0, 0.5, "Kursräume am Markt", "Bildung"),
    ("bib", "Stadtbibliothek", "public", "department", "Innenstadt", "supportive", 0, 0, 0.2, "Veranstaltungsraum", "Bildung, Kultur"),
    ("qm", "Quartiersmanagement Innenstadt", "public", "neighbourhood", "Innenstadt", "supportive", 0, 0, 1.5, "Stadtteilbüro", "Quartier, Beteiligung"),
    ("sen", "Seniorenbeirat", "public", "political", "", "supportive", 300, 0, 0, "", "Senioren"),
    ("int", "Integrationsrat", "public", "political", "", "neutral", 200, 0, 0, "", "Migration"),
    ("awo", "AWO Ortsverein Musterstadt", "third", "welfare", "Nordstadt", "supportive", 2400, 5000, 2.0, "Begegnungsstätte Nord", "Senioren, Kita"),
    ("car", "Caritasverband Musterstadt", "third", "welfare", "Innenstadt", "supportive", 1800, 8000, 3.0, "Beratungszentrum", "Schuldnerberatung, Migration"),
    ("dia", "Diakonisches Werk im Kirchenkreis", "third", "welfare", "Innenstadt", "supportive", 1500, 6000, 2.5, "", "Wohnungslosenhilfe, Drogenberatung"),
    ("drk", "DRK-Kreisverband", "third", "welfare", "Südpark", "neutral", 3200, 3000, 1.0, "Rotkreuzhaus", "Pflege, Ehrenamt"),
    ("par", "Der Paritätische, Kreisgruppe", "third", "welfare", "", "supportive", 400, 0, 0.5, "", "Dachverband, Selbsthilfe"),
    ("ev", "Evangelische Kirchengemeinde Musterstadt", "third", "church", "Innenstadt", "supportive", 1200, 2000, 0.5, "Gemeindehaus am Ring", "Kirche"),
    ("kath", "Katholische Pfarrei St. Antonius", "third", "church", "Westerfeld", "neutral", 900, 1500, 0.5, "Pfarrheim", "Kirche"),
    ("stift", "Bürgerstiftung Musterstadt", "third", "foundation", "", "supportive", 150, 25000, 0, "", "Förderung"),
    ("tv", "TV Musterstadt 1889 e.V.", "third", "club", "Ostheide", "neutral", 5200, 0, 0.5, "Turnhalle Ost", "Sport, Jugend"),
    ("tafel", "Musterstädter Tafel e.V.", "third", "club", "Nordstadt", "supportive", 6000, 0, 0, "Ausgabestelle Nord", "Armut"),
    ("kunst", "Kulturverein Alte Lohnhalle e.V.", "third", "club", "Innenstadt", "supportive", 1600, 1000, 0, "Saal für 120 Personen", "Kultur"),
    ("bruecke", "Brücke e.V. (Migrantenselbstorganisation)", "third", "club", "Innenstadt", "supportive", 1100, 0, 0, "", "Migration, Sprache"),
    ("hospiz", "Hospizverein Musterstadt e.V.", "third", "club", "Südpark", "neutral", 2000, 0, 0.5, "", "Pflege"),
    ("nach", "Nachbarschaftsinitiative Ringviertel", "informal", "initiative", "Innenstadt", "supportive", 800, 0, 0, "", "Quartier"),
    ("bi", "Bürgerinitiative Lebendige Innenstadt", "informal", "initiative", "Innenstadt", "opposed", 600, 0, 0, "", "Innenstadt, Verkehr"),
    ("eltern", "Elterninitiative Spielplatz Schlosspark", "informal", "initiative", "Innenstadt", "supportive", 350, 0, 0, "", "Familie"),
    ("lese", "Lesepaten-Netzwerk", "informal", "initiative", "", "supportive", 1400, 0, 0, "", "Bildung, Ehrenamt"),
    ("spk", "Sparkasse Musterstadt", "market", "business", "Innenstadt", "neutral", 0, 15000, 0, "Veranstaltungsraum Hauptstelle", "Sponsoring"),
    ("sw", "Stadtwerke Musterstadt GmbH", "market", "business", "", "neutral", 0, 10000, 0, "", "Sponsoring, Energie"),
    ("wohn", "Musterstädter Wohnungsbau GmbH", "market", "business", "Innenstadt", "supportive", 0, 5000, 0.5, "Ladenlokal Ringstraße", "Wohnen"),
    ("werbe", "Werbegemeinschaft Innenstadt e.V.", "market", "business", "Innenstadt", "opposed", 200, 2000, 0, "", "Einzelhandel"),
    ("pflege", "Pflegedienst Sonnenschein GmbH", "market", "business", "Südpark", "neutral", 0, 0, 1.0, "", "Pflege"),
    ("buch", "Buchhandlung am Markt", "market", "business", "Innenstadt", "supportive", 50, 500, 0, "Lesecafé", "Einzelhandel, Kultur"),
    ("volks", "Volksbank Ruhr-Mitte eG", "market", "business", "", "neutral", 0, 8000, 0, "", "Sponsoring"),
]  # fmt: skip
# key, name, district, attitude, hours, contact, consent date, retention, tags
PERSONS = [
    ("p1", "Maria Schneider", "Innenstadt", "supportive", 120, "maria.schneider@example.org", dt.date(2025, 3, 1), dt.date(2027, 12, 31), "Lesepatin"),
    ("p2", "Ahmet Yılmaz", "Innenstadt", "supportive", 200, "a.yilmaz@example.org", dt.date(2025, 4, 10), dt.date(2027, 12, 31), "Nachbarschaft"),
    ("p3", "Gisela Wagner", "Nordstadt", "neutral", 80, "0170 5550123", dt.date(2024, 5, 2), dt.date(2026, 6, 30), "Senioren"),
    ("p4", "Jonas Becker", "Ostheide", "opposed", 0, "jonas.becker@example.org", dt.date(2025, 9, 1), dt.date(2027, 6, 30), "Jugend"),
]  # fmt: skip
# key: (influence, interest, power, legitimacy, urgency) at FIRST and SECOND
SCORES = {
    "soz": ((5, 5, 1, 1, 1), (5, 5, 1, 1, 1)), "jug": ((4, 4, 1, 1, 0), (4, 5, 1, 1, 1)),
    "stp": ((4, 3, 1, 1, 0), (4, 4, 1, 1, 0)), "kae": ((5, 2, 1, 1, 0), (5, 3, 1, 1, 1)),
    "buer": ((5, 3, 1, 1, 0), (5, 4, 1, 1, 0)), "rat": ((5, 2, 1, 1, 0), (5, 3, 1, 1, 0)),
    "job": ((3, 2, 1, 1, 0), (3, 2, 1, 1, 0)), "vhs": ((2, 4, 0, 1, 0), (2, 4, 0, 1, 0)),
    "bib": ((1, 3, 0, 1, 0), (2, 4, 0, 1, 0)), "qm": ((3, 5, 0, 1, 1), (4, 5, 1, 1, 1)),
    "sen": ((2, 4, 0, 1, 1), (2, 4, 0, 1, 1)), "int": ((2, 3, 0, 1, 0), (2, 4, 0, 1, 1)),
    "awo": ((4, 5, 1, 1, 1), (4, 5, 1, 1, 1)), "car": ((4, 4, 1, 1, 0), (4, 5, 1, 1, 1)),
    "dia": ((3, 4, 0, 1, 1), (4, 4, 1, 1, 1)), "drk": ((3, 2, 1, 1, 0), (3, 3, 1, 1, 0)),
    "par": ((3, 3, 1, 1, 0), (3, 3, 1, 1, 0)), "ev": ((2, 3, 0, 1, 0), (2, 4, 0, 1, 0)),
    "kath": ((2, 2, 0, 1, 0), (2, 2, 0, 1, 0)), "stift": ((3, 2, 1, 0, 0), (3, 4, 1, 1, 0)),
    "tv": ((2, 2, 0, 1, 0), (2, 3, 0, 1, 0)), "tafel": ((1, 5, 0, 1, 1), (2, 5, 0, 1, 1)),
    "kunst": ((1, 4, 0, 1, 0), (2, 5, 0, 1, 1)), "bruecke": ((1, 4, 0, 0, 1), (2, 4, 0, 1, 1)),
    "hospiz": ((1, 2, 0, 1, 0), (1, 2, 0, 1, 0)), "nach": ((1, 5, 0, 0, 1), (2, 5, 0, 1, 1)),
    "bi": ((2, 5, 0, 0, 1), (3, 5, 1, 0, 1)), "eltern": ((1, 4, 0, 0, 1), (1, 3, 0, 0, 1)),
    "lese": ((1, 3, 0, 1, 0), (1, 4, 0, 1, 0)), "spk": ((4, 1, 1, 0, 0), (4, 2, 1, 0, 0)),
    "sw": ((3, 1, 1, 0, 0), (3, 1, 1, 0, 0)), "wohn": ((4, 3, 1, 1, 0), (4, 4, 1, 1, 1)),
    "werbe": ((3, 4, 1, 0, 1), (3, 4, 1, 0, 1)), "pflege": ((1, 2, 0, 0, 0), (1, 2, 0, 0, 0)),
    "buch": ((1, 2, 0, 0, 0), (1, 3, 0, 1, 0)), "volks": ((3, 1, 1, 0, 0), (3, 2, 1, 0, 0)),
    "p1": ((1, 4, 0, 1, 0), (1, 4, 0, 1, 0)), "p2": ((1, 4, 0, 0, 1), (2, 5, 0, 1, 1)),
    "p3": ((1, 3, 0, 1, 0), (1, 3, 0, 1, 0)), "p4": ((1, 3, 0, 0, 1), (1, 4, 0, 0, 1)),
}  # fmt: skip
# source, target, kind, strength, direction, valid_from, valid_until
TIES = [
    ("soz", "jug", "cooperation", 5, "mutual"), ("soz", "stp", "cooperation", 4, "mutual"),
    ("soz", "kae", "information", 3, "mutual"), ("buer", "soz", "information", 4, "directed"),
    ("buer", "kae", "information", 4, "directed"), ("rat", "buer", "information", 3, "mutual"),
    ("soz", "qm", "contract", 4, "directed"), ("stp", "qm", "funding", 4, "directed"),
    ("soz", "awo", "contract", 4, "directed"), ("soz", "car", "contract", 4, "directed"),
    ("soz", "dia", "contract", 4, "directed"), ("jug", "awo", "contract", 3, "directed"),
    ("jug", "tv", "funding", 2, "directed"), ("soz", "sen", "information", 3, "mutual"),
    ("soz", "int", "information", 2, "mutual"), ("job", "car", "contract", 3, "directed"),
    ("job", "dia", "contract", 3, "directed"), ("vhs", "bruecke", "cooperation", 3, "mutual"),
    ("bib", "lese", "cooperation", 4, "mutual"), ("par", "awo", "membership", 2, "mutual"),
    ("par", "tafel", "membership", 3, "mutual"), ("par", "bruecke", "membership", 2, "mutual"),
    ("par", "hospiz", "membership", 2, "mutual"), ("dia", "ev", "membership", 4, "mutual"),
    ("car", "kath", "membership", 4, "mutual"), ("drk", "hospiz", "cooperation", 2, "mutual"),
    ("awo", "car", "cooperation", 3, "mutual"), ("car", "dia", "cooperation", 3, "mutual"),
    ("dia", "tafel", "cooperation", 4, "mutual"), ("ev", "tafel", "cooperation", 3, "mutual"),
    ("qm", "nach", "cooperation", 4, "mutual"), ("qm", "bi", "information", 2, "mutual"),
    ("qm", "eltern", "cooperation", 3, "mutual"), ("qm", "kunst", "cooperation", 3, "mutual"),
    ("qm", "werbe", "information", 2, "mutual"), ("qm", "wohn", "cooperation", 3, "mutual"),
    ("bi", "werbe", "conflict", 3, "mutual"), ("bi", "rat", "information", 2, "directed"),
    ("werbe", "spk", "membership", 2, "mutual"), ("werbe", "buch", "membership", 2, "mutual"),
    ("stift", "kunst", "funding", 3, "directed"), ("stift", "lese", "funding", 2, "directed"),
    ("stift", "tafel", "funding", 2, "directed"), ("spk", "stift", "funding", 4, "directed"),
    ("volks", "tv", "funding", 2, "directed"), ("sw", "tv", "funding", 2, "directed"),
    ("wohn", "nach", "funding", 2, "directed"), ("pflege", "drk", "cooperation", 2, "mutual"),
    ("pflege", "sen", "information", 2, "mutual"), ("buch", "lese", "cooperation", 3, "mutual"),
    ("sen", "p3", "membership", 3, "mutual"), ("lese", "p1", "membership", 4, "mutual"),
    ("nach", "p2", "membership", 4, "mutual"), ("bi", "p4", "membership", 3, "mutual"),
    ("bruecke", "int", "information", 3, "mutual"), ("tv", "eltern", "information", 1, "mutual"),
    ("kunst", "vhs", "cooperation", 2, "mutual"), ("awo", "sen", "cooperation", 3, "mutual"),
]  # fmt: skip
# ties of the second period: the socio-cultural centre brings partners together
NEW_TIES = [
    ("qm", "awo", "cooperation", 4, "mutual"), ("qm", "car", "cooperation", 4, "mutual"),
    ("qm", "dia", "cooperation", 3, "mutual"), ("kunst", "bruecke", "cooperation", 3, "mutual"),
    ("wohn", "kunst", "funding", 3, "directed"), ("spk", "qm", "funding", 3, "directed"),
    ("p2", "bruecke", "cooperation", 2, "mutual"), ("stp", "wohn", "contract", 3, "mutual"),
]  # fmt: skip
ENDED_TIES = {("bi", "werbe")}  # the conflict was settled in the district forum
# stakeholder, date, format, topic, outcome, follow-up, due, done
ENGAGEMENTS = [
    ("awo", dt.date(2025, 5, 20), "meeting", "Soziokulturelles Zentrum: Bedarf und Räume", "AWO prüft Mitnutzung der Begegnungsstätte", "Raumplan schicken", dt.date(2025, 6, 30), dt.date(2025, 6, 25)),
    ("car", dt.date(2025, 9, 10), "workshop", "SWOT-Workshop Innenstadt", "Beratung unter einem Dach gewünscht", "Kostenschätzung Beratungsbüro", dt.date(2025, 11, 30), dt.date(2025, 12, 5)),
    ("dia", dt.date(2026, 2, 3), "meeting", "Drogenberatung im Zentrum", "Grundsätzlich bereit", "Trägervereinbarung entwerfen", dt.date(2026, 10, 31), None),
    ("qm", dt.date(2026, 3, 12), "event", "Stadtteilfest Innenstadt", "1.200 Besucher, 15 Vereine", "", None, None),
    ("spk", dt.date(2026, 4, 22), "letter", "Sponsoring-Anfrage Zentrum", "Zusage 15.000 EUR über drei Jahre", "Fördervertrag unterschreiben", dt.date(2026, 6, 30), dt.date(2026, 6, 18)),
    ("bi", dt.date(2026, 5, 5), "meeting", "Verkehr am Ring", "Ablehnung des Standorts am Ring", "Alternativstandorte prüfen", dt.date(2026, 8, 31), None),
    ("werbe", dt.date(2026, 6, 1), "meeting", "Leerstände am Markt", "Interesse an Zwischennutzung", "Liste der Ladenlokale", dt.date(2026, 7, 15), None),
    ("stift", dt.date(2026, 7, 9), "phone", "Förderantrag Lesecafé", "Antrag bis September", "Antrag einreichen", dt.date(2026, 9, 30), dt.date(2026, 9, 20)),
    ("tafel", dt.date(2026, 9, 2), "meeting", "Ausgabestelle im Zentrum", "Raumbedarf 80 m²", "Raumbedarf mit Wohnungsbau klären", dt.date(2027, 1, 31), None),
    ("p2", dt.date(2026, 5, 18), "workshop", "Beteiligungswerkstatt Ringviertel", "Wunsch: offener Treff am Abend", "Protokoll zusenden", dt.date(2026, 6, 1), dt.date(2026, 5, 29)),
    ("jug", dt.date(2026, 10, 14), "meeting", "Jugendangebote im Zentrum", "Offene Tür zwei Abende pro Woche", "Personalbedarf beziffern", dt.date(2026, 11, 30), None),
    ("kae", dt.date(2026, 10, 20), "meeting", "Finanzierungsmodell Zentrum", "Barwertvergleich Eigen- gegen Trägerbetrieb", "Varianten rechnen", dt.date(2027, 2, 28), None),
]  # fmt: skip


def load(municipality: Municipality) -> None:
    """Fill the municipality's registry with the demo actors (only if it is empty)."""
    if Stakeholder.objects.filter(municipality=municipality).exists():
        return
    registered = timezone.make_aware(REGISTERED)
    with transaction.atomic():
        by_key: dict[str, Stakeholder] = {}
        for key, name, sector, kind, district, attitude, hours, money, staff, rooms, tags in ORGANISATIONS:
            by_key[key] = Stakeholder.objects.create(
                municipality=municipality,
                name=name,
                sector=sector,
                kind=kind,
                district_note=district,  # placed in the district once the districts exist
                attitude=attitude,
                volunteer_hours=hours,
                money=Decimal(money),
                staff=Decimal(str(staff)),
                rooms=rooms,
                tags=sorted(t.strip() for t in tags.split(",")),
                contact_person="Geschäftsstelle",
                email=f"kontakt-{key}@musterstadt.example",
            )
        for key, name, district, attitude, hours, contact, consent, retention, tags in PERSONS:
            by_key[key] = Stakeholder.objects.create(
                municipality=municipality,
                entity=Stakeholder.Entity.PERSON,
                name=name,
                sector="informal",
                kind="citizen",
                district_note=district,  # placed in the district once the districts exist
                attitude=attitude,
                volunteer_hours=hours,
                tags=[tags],
                email=contact if "@" in contact else "",
                phone="" if "@" in contact else contact,
                legal_basis=Stakeholder.LegalBasis.CONSENT,
                purpose="Beteiligung an der Planung des soziokulturellen Zentrums",
                consent_given_on=consent,
                consent_scope="Kontaktaufnahme und Einladung zu Beteiligungsformaten",
                retention_until=retention,
            )
        Stakeholder.objects.filter(pk__in=[s.pk for s in by_key.values()]).update(created_at=registered)
        assessments = []
        for key, (first, second) in SCORES.items():
            for on, (influence, interest, power, legitimacy, urgency) in ((FIRST, first), (SECOND, second)):
                assessments.append(
                    Assessment(
                        stakeholder=by_key[key],
                        assessed_on=on,
                        influence=influence,
                        interest=interest,
                        power=bool(power),
                        legitimacy=bool(legitimacy),
                        urgency=bool(urgency),
                        strategy=suggested_strategy(influence, interest),
                        comment="Stakeholder-Workshop Innenstadt" if on == FIRST else "Fortschreibung",
                    )
                )
        Assessment.objects.bulk_create(assessments)
        ties = []
        for period, rows in ((dt.date(2025, 1, 15), TIES), (dt.date(2026, 3, 1), NEW_TIES)):
            for source, target, kind, strength, direction in rows:
                ties.append(
                    Relationship(
                        municipality=municipality,
                        source=by_key[source],
                        target=by_key[target],
                        kind=kind,
                        strength=strength,
                        direction=direction,
                        valid_from=period,
                        valid_until=dt.date(2026, 2, 28) if (source, target) in ENDED_TIES else None,
                    )
                )
        Relationship.objects.bulk_create(ties)
        Engagement.objects.bulk_create(
            Engagement(
                municipality=municipality,
                stakeholder=by_key[key],
                occurred_on=on,
                format=fmt,
                participants="Sozialplanung",
                topic=topic,
                outcome=outcome,
                follow_up=follow_up,
                due_on=due,
                done_on=done,
            )
            for key, on, fmt, topic, outcome, follow_up, due, done in ENGAGEMENTS
        )


load_stakeholder_demo = load
