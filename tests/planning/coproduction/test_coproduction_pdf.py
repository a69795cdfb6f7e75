"""The comparison as a PDF for a council committee: it opens (pypdf), has the models side by side with
their figures in German format, the sensitivity table and the risks in words; isolated per municipality."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from planning.coproduction import services
from tests.planning.coproduction.test_coproduction import centre  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    # cells wrap: compare with the line breaks folded into spaces
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def url(municipality, facility) -> str:
    return reverse(
        "planning:coproduction-facility-pdf", kwargs={"slug": municipality.slug, "facility_id": facility.pk}
    )


def test_comparison_pdf_has_the_figures_in_german_format(client, municipality, planner, centre):  # noqa: F811
    facility, _verein, _regie = centre
    client.force_login(planner)
    response = client.get(url(municipality, facility))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pages, text = pdf_text(response.content)
    assert pages >= 1 and f"Seite 1 von {pages}" in text
    # title, both models side by side, the discount rate
    assert "Finanzierungsmodelle im Vergleich: Soziokulturelles Zentrum" in text
    assert "Verein mit Ehrenamt" in text and "Eigenregie" in text and "0,90 %" in text
    # PV of the net burden (hand-computed: -79,643.21 EUR) and the budget's PV, whole euros, German
    assert "-79.643 €" in text and "119.465 €" in text and "199.108 €" in text
    # per year: the coverage gap of 2027 is not hidden; cost per year 120.000 €
    assert "120.000 €" in text and "35.400 €" in text
    # sensitivity table and risks in words
    assert "Zins + 1 Punkt" in text and "alle Fördermittel fallen weg" in text
    assert "Förderung „Landesförderung“ endet 2026" in text
    assert "Finanzierungslücke ab 2027" in text


def test_comparison_pdf_isolated_and_missing_parameter_is_a_message(
    client,
    municipality,
    other_municipality,
    outsider,
    planner,
    centre,  # noqa: F811
):
    facility, _verein, _regie = centre
    client.force_login(outsider)
    assert client.get(url(municipality, facility)).status_code in (403, 404)
    # the outsider's own municipality does not know this facility's id
    assert client.get(url(other_municipality, facility)).status_code == 404
    # without parameters: back to the page with the message, no 500
    bare = services.facility_create(municipality=other_municipality, name="Leer", first_year=2026, horizon=2)
    response = client.get(url(other_municipality, bare), follow=True)
    assert response.status_code == 200 and "Parameterverzeichnis" in response.content.decode()
