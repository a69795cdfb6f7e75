"""Import of indicator actuals (CSV/XLSX): German numbers and encodings, line-numbered errors, all or
nothing, replace on re-import, dry run; page, API and CLI; isolation per municipality."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from planning.measures import selectors, services
from planning.measures.importing import indicator_actuals_import
from planning.measures.models import MeasureIndicatorActual

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(municipality):
    measure = services.measure_create(municipality=municipality, title="Soziokulturelles Zentrum")
    visits = services.indicator_create(measure=measure, name="Besuche je Jahr", targets={"2027": "12000"})
    share = services.indicator_create(measure=measure, name="Anteil SGB II", unit="%")
    return measure, visits, share


GOOD = (
    "Maßnahme;Kennzahl;Jahr;Wert;Notiz\r\n"
    "Soziokulturelles Zentrum;Besuche je Jahr;2027;11.250,5;Zählung\r\n"
    "soziokulturelles zentrum;besuche je jahr;2028;12.400;\r\n"
    "Soziokulturelles Zentrum;Anteil SGB II;2027;18,5 %;\r\n"
)


def test_german_csv_in_windows_1252_is_imported_and_the_light_follows(municipality, centre):
    _measure, visits, share = centre
    outcome = indicator_actuals_import(municipality=municipality, source=GOOD.encode("cp1252"))
    assert outcome.status == "imported" and (outcome.new, outcome.changed) == (3, 0)
    stored = {(a.indicator_id, a.date): a.value for a in MeasureIndicatorActual.objects.all()}
    assert stored == {
        (visits.pk, date(2027, 12, 31)): D("11250.5"),
        (visits.pk, date(2028, 12, 31)): D("12400"),
        (share.pk, date(2027, 12, 31)): D("18.5"),
    }
    # 11,250.5 of a 12,000 target in 2027: within 10 % -> yellow
    assert str(selectors.indicator_state(visits, 2027).light) == "yellow"
    # the same file again: unchanged; a changed value replaces the stored one
    again = indicator_actuals_import(municipality=municipality, source=GOOD.encode("utf-8-sig"))
    assert again.status == "unchanged" and again.unchanged == 3
    changed = GOOD.replace("11.250,5", "12.100")
    assert indicator_actuals_import(municipality=municipality, source=changed.encode()).changed == 1
    assert MeasureIndicatorActual.objects.get(indicator=visits, date=date(2027, 12, 31)).value == D("12100")


def test_bad_rows_reject_the_whole_file_with_line_numbers(municipality, other_municipality, centre):
    services.measure_create(municipality=other_municipality, title="Fremde Maßnahme")
    bad = (
        "Maßnahme;Kennzahl;Jahr;Wert;Datum\n"
        "Soziokulturelles Zentrum;Besuche je Jahr;2027;100;\n"  # good, but the file fails as a whole
        "Fremde Maßnahme;Besuche je Jahr;2027;1;\n"  # line 3: another municipality's measure
        "Soziokulturelles Zentrum;Gibt es nicht;2027;1;\n"  # line 4
        "Soziokulturelles Zentrum;Besuche je Jahr;20x7;1;\n"  # line 5
        "Soziokulturelles Zentrum;Besuche je Jahr;2028;viel;\n"  # line 6
        "Soziokulturelles Zentrum;Besuche je Jahr;2029;1;01.01.2030\n"  # line 7: date outside the year
        "Soziokulturelles Zentrum;Besuche je Jahr;2027;5;\n"  # line 8: same as line 2
    )
    outcome = indicator_actuals_import(municipality=municipality, source=bad.encode())
    assert outcome.status == "rejected"
    errors = outcome.to_json()["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [
        (3, "Maßnahme"),
        (4, "Kennzahl"),
        (5, "Jahr"),
        (6, "Wert"),
        (7, "Datum"),
        (8, "Kennzahl"),
    ]
    assert "Keine Maßnahme „Fremde Maßnahme“" in errors[0]["message"] and errors[0]["message_en"]
    assert "Zeile 2" in errors[-1]["message"]
    assert not MeasureIndicatorActual.objects.exists()
    # a missing column is named in line 1
    missing = indicator_actuals_import(municipality=municipality, source=b"Massnahme;Jahr;Wert\nA;2027;1\n")
    assert [(e.line, e.column) for e in missing.errors] == [(1, "Kennzahl")]
    empty = indicator_actuals_import(municipality=municipality, source=b"")
    assert empty.status == "rejected"


def test_xlsx_with_numeric_cells_and_english_numbers(municipality, centre):
    _measure, visits, _share = centre
    book = Workbook()
    sheet = book.active
    sheet.append(["Measure", "Indicator", "Year", "Value", "Date"])
    sheet.append(["Soziokulturelles Zentrum", "Besuche je Jahr", 2027, 11250.5, date(2027, 6, 30)])
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = indicator_actuals_import(municipality=municipality, source=buffer.getvalue())
    assert outcome.status == "imported"
    assert MeasureIndicatorActual.objects.get(indicator=visits).date == date(2027, 6, 30)
    english = 'Measure,Indicator,Year,Value\nSoziokulturelles Zentrum,Besuche je Jahr,2028,"1,234.5"\n'
    assert indicator_actuals_import(municipality=municipality, source=english.encode()).status == "imported"
    assert MeasureIndicatorActual.objects.get(indicator=visits, date=date(2028, 12, 31)).value == D("1234.5")


def test_page_api_and_cli(
    client, api_client, municipality, other_municipality, planner, outsider, centre, tmp_path
):
    page_url = reverse("planning:measure-actuals-import", kwargs={"slug": municipality.slug})
    client.force_login(planner)
    assert client.get(page_url).status_code == 200
    bad = client.post(
        page_url, {"file": SimpleUploadedFile("ist.csv", b"Massnahme;Kennzahl;Jahr;Wert\nX;Y;2027;1\n")}
    )
    assert bad.status_code == 400 and "Zeile 2" in bad.content.decode()
    dry = client.post(page_url, {"file": SimpleUploadedFile("ist.csv", GOOD.encode()), "dry_run": "on"})
    assert dry.status_code == 200 and "nichts gespeichert" in dry.content.decode()
    assert not MeasureIndicatorActual.objects.exists()
    done = client.post(page_url, {"file": SimpleUploadedFile("ist.csv", GOOD.encode())})
    assert done.status_code == 302 and MeasureIndicatorActual.objects.count() == 3
    # API
    api = f"/api/v1/municipalities/{municipality.slug}/measures/actuals-import/"
    api_client.force_authenticate(planner)
    response = api_client.post(
        api, {"file": SimpleUploadedFile("ist.csv", GOOD.encode())}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["status"] == "unchanged"
    rejected = api_client.post(
        api,
        {"file": SimpleUploadedFile("ist.csv", b"Massnahme;Kennzahl;Jahr;Wert\nX;Y;2027;1\n")},
        format="multipart",
    )
    assert rejected.status_code == 400 and rejected.json()["errors"][0]["line"] == 2
    # another municipality's member cannot import into this one, and their own import does not see it
    api_client.force_authenticate(outsider)
    upload = SimpleUploadedFile("ist.csv", GOOD.encode())
    assert api_client.post(api, {"file": upload}, format="multipart").status_code in (403, 404)
    own = f"/api/v1/municipalities/{other_municipality.slug}/measures/actuals-import/"
    foreign = api_client.post(own, {"file": SimpleUploadedFile("ist.csv", GOOD.encode())}, format="multipart")
    assert foreign.status_code in (400, 403)  # unknown measure there (or no right to plan)
    # CLI
    path = tmp_path / "ist.csv"
    path.write_text(GOOD.replace("12.400", "13.000"), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "measures", "--municipality", municipality.slug, "import-actuals", str(path), "--json", stdout=out
    )
    assert json.loads(out.getvalue()) == {
        "status": "imported",
        "new": 0,
        "changed": 1,
        "unchanged": 2,
        "measures": ["Soziokulturelles Zentrum"],
    }
    path.write_text("Massnahme;Kennzahl;Jahr;Wert\nX;Y;2027;1\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing stored"):
        call_command("measures", "--municipality", municipality.slug, "import-actuals", str(path), stderr=err)
    assert "Zeile 2" in err.getvalue()
