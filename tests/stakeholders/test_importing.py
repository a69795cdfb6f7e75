"""CSV/XLSX import: preview with every problem by line, column and reason; all or nothing."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from stakeholders import services
from stakeholders.models import Assessment, ImportBatch, Stakeholder
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "Name;Typ;Sektor;Art;Sozialraum;Schlagworte;Haltung;Ehrenamtsstunden;Geld;Personal;Einfluss;Interesse\n"
    "AWO Ortsverein;Organisation;Dritter Sektor;Wohlfahrtsverband;Nord;Senioren, Kita;unterstützend;"
    "2.400;5.000,50;2,5;4;5\n"
    "Sparkasse;;Markt;Unternehmen;;;neutral;;15000;;4;1\n"
)


def test_a_good_csv_is_previewed_then_applied(municipality, planner):
    batch = services.import_check(
        municipality=municipality, data=GOOD.encode("cp1252"), filename="a.csv", user=planner
    )
    assert batch.problems == [] and len(batch.rows) == 2
    assert Stakeholder.objects.count() == 0  # checking writes nothing
    assert services.import_apply(batch=batch, user=planner) == 2
    awo = Stakeholder.objects.get(name="AWO Ortsverein")
    assert (awo.sector, awo.kind, awo.volunteer_hours, str(awo.money), str(awo.staff)) == (
        "third", "welfare", 2400, "5000.50", "2.50"
    )  # fmt: skip
    assert awo.tags == ["Kita", "Senioren"] and awo.attitude == "supportive"
    assessment = Assessment.objects.get(stakeholder=awo)
    assert (assessment.influence, assessment.interest, assessment.strategy) == (4, 5, "manage_closely")
    batch.refresh_from_db()
    assert batch.rows == [{"_count": 2}]  # no second copy of the data stays behind
    with pytest.raises(ValueError, match="schon übernommen"):
        services.import_apply(batch=batch)


def test_bad_rows_are_named_by_line_column_and_reason_and_nothing_is_imported(municipality):
    StakeholderFactory(municipality=municipality, name="Caritas")
    data = (
        b"Name,Sektor,Einfluss,Interesse,Ehrenamtsstunden,E-Mail,Typ\n"
        b"Gut e.V.,third,2,2,10,,\n"
        b",third,,,,,\n"
        b"Caritas,third,,,,,\n"
        b"Kirche,Kirche,,,,,\n"
        b"Zahl e.V.,market,7,2,zehn,,\n"
        b"Mail e.V.,market,,,,keine-mail,\n"
        b"Erika,informal,,,,,Person\n"
        b"Gut e.V.,public,,,,,\n"
    )
    batch = services.import_check(municipality=municipality, data=data, filename="b.csv")
    problems = {(p["line"], p["column"]): p["reason"] for p in batch.problems}
    assert "Name fehlt" in problems[(3, "Name")]
    assert "schon" in problems[(4, "Name")]
    assert "Kirche" in problems[(5, "Sektor")] and "erlaubt" in problems[(5, "Sektor")]
    assert "1 und 5" in problems[(6, "Einfluss")]
    assert "keine Zahl" in problems[(6, "Ehrenamtsstunden")]
    assert (7, "E-Mail") in problems
    assert (8, "Rechtsgrundlage") in problems or (8, "legal_basis") in problems
    assert "doppelt" in problems[(9, "Name")] and "Zeile 2" in problems[(9, "Name")]
    with pytest.raises(ValueError, match="nichts übernommen"):
        services.import_apply(batch=batch)
    assert not Stakeholder.objects.filter(name="Gut e.V.").exists()


def test_missing_required_columns(municipality):
    batch = services.import_check(municipality=municipality, data=b"Bezeichnung;Ort\nA;B\n", filename="c.csv")
    assert {(p["line"], p["column"]) for p in batch.problems} == {(1, "sector")}
    batch = services.import_check(municipality=municipality, data=b"", filename="d.csv")
    assert "leer" in batch.problems[0]["reason"]


def test_xlsx_import(municipality):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Sektor", "Typ", "Rechtsgrundlage", "Zweck", "Einwilligung am", "Aufbewahren bis"])
    sheet.append(
        [
            "Erika Beispiel",
            "informell",
            "Person",
            "Art. 6 Abs. 1 lit. a",
            "Beteiligung",
            "01.02.2026",
            "31.12.2027",
        ]
    )
    sheet.append(["Bad", "informell", "Person", "lit. a", "Beteiligung", "morgen", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = services.import_check(municipality=municipality, data=buffer.getvalue(), filename="e.xlsx")
    assert [(p["line"], p["column"]) for p in batch.problems] == [(3, "Einwilligung am")]
    batch.problems = []
    batch.rows = batch.rows[:1]
    batch.save()
    services.import_apply(batch=batch)
    erika = Stakeholder.objects.get(name="Erika Beispiel")
    assert erika.is_person and erika.legal_basis == "a" and erika.consent_given_on.isoformat() == "2026-02-01"


def test_import_pages(client, municipality, planner):
    client.force_login(planner)
    url = reverse("stakeholders:import", kwargs={"slug": municipality.slug})
    response = client.post(url, {"file": io.BytesIO(b"Name;Sektor\nTafel;dritter Sektor\nX;Kirche\n")})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{batch.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "Zeile" in page and "Kirche" in page and "import-apply" not in page
    assert client.post(response["Location"]).status_code == 302
    assert not Stakeholder.objects.exists()
    response = client.post(url, {"file": io.BytesIO(b"Name;Sektor\nTafel;dritter Sektor\n")})
    assert 'id="import-apply"' in client.get(response["Location"]).content.decode()
    client.post(response["Location"])
    assert Stakeholder.objects.get().name == "Tafel"
