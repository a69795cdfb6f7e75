"""The "Ziele und Kennzahlen" table as PDF per product area: it opens (pypdf), shows each area as a
section with its measures' indicators, targets and actuals in German number format and the light in
words; the area filter and isolation per municipality."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from planning.measures import services

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # cells wrap: compare with the line breaks folded into spaces
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def export_url(municipality, **query) -> str:
    base = reverse("planning:measure-goals-export", kwargs={"slug": municipality.slug, "fmt": "pdf"})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def goals(municipality):
    centre = services.measure_create(
        municipality=municipality,
        title="Soziokulturelles Zentrum",
        product_code="060101",
        goal="Begegnung im Quartier",
    )
    visits = services.indicator_create(
        measure=centre, name="Besuche je Jahr", unit="Besuche", targets={"2027": "12000", "2028": "15000"}
    )
    services.indicator_actual_set(indicator=visits, day=date(2027, 11, 30), value="11.250,5")
    roads = services.measure_create(
        municipality=municipality, title="Straßenerhaltung", product_code="120101"
    )
    services.indicator_create(measure=roads, name="Schlaglöcher", direction="lower", targets={"2027": "10"})
    return centre, roads


def test_goals_pdf_per_product_area_in_german_format(client, municipality, planner, goals):
    client.force_login(planner)
    response = client.get(export_url(municipality))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Ziele und Kennzahlen" in text and municipality.name in text, text
    # one section per product area, in order
    assert text.index("06 ") < text.index("Soziokulturelles Zentrum") < text.index("12 ")
    assert text.index("12 ") < text.index("Straßenerhaltung")
    # targets and the latest actual in German format, the light in words (11,250.5 of 12,000: yellow)
    assert "12.000" in text and "15.000" in text and "11.250,5" in text and "10 " in text
    assert "knapp verfehlt" in text and "Ziel: Begegnung im Quartier" in text
    # one area only
    only = pdf_text(client.get(export_url(municipality, bereich="12")).content)
    assert "Straßenerhaltung" in only and "Soziokulturelles Zentrum" not in only
    assert client.get(export_url(municipality, bereich='x"y')).status_code == 404


def test_goals_pdf_isolated_per_municipality(client, municipality, other_municipality, outsider, goals):
    client.force_login(outsider)
    assert client.get(export_url(municipality)).status_code in (403, 404)
    own = pdf_text(client.get(export_url(other_municipality)).content)
    assert "Soziokulturelles Zentrum" not in own and "Keine Kennzahlen" in own
