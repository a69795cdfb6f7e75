"""Coproduction through the database: dated parameters (audited; the same volunteer hours valued at
different rates in different years), a hand-computed two-model comparison, the chosen model becoming a
measure with its net burden as effect, pages, API and bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.models import Role
from planning.coproduction import selectors, services
from planning.coproduction.models import DatedParameter, ParameterChange
from planning.engine.measures import effect_cents

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(municipality):
    services.parameters_defaults_load(municipality=municipality)
    facility = services.facility_create(
        municipality=municipality,
        name="Soziokulturelles Zentrum",
        first_year=2026,
        horizon=2,
        baseline={"2026": "100000", "2027": "100000"},
        product_code="060101",
    )
    verein = services.model_create(
        facility=facility,
        name="Verein mit Ehrenamt",
        form="association",
        running_costs={"2026": "120000", "2027": "120000"},
    )
    services.source_add(
        model=verein,
        name="Zuschuss Stadt",
        kind="municipal_budget",
        amounts={"2026": "60000", "2027": "60000"},
    )
    services.source_add(
        model=verein, name="Ehrenamt", kind="volunteer_hours", hours={"2026": "1000", "2027": "1000"}
    )
    services.source_add(
        model=verein,
        name="Landesförderung",
        kind="grant",
        amounts={"2026": "40000", "2027": "40000"},
        end_year=2026,
    )
    services.source_add(
        model=verein,
        name="AWO",
        kind="partner_cash",
        partner="AWO",
        amounts={"2026": "10000", "2027": "10000"},
    )
    regie = services.model_create(
        facility=facility,
        name="Eigenregie",
        form="municipal",
        running_costs={"2026": "100000", "2027": "100000"},
    )
    services.source_add(
        model=regie, name="Haushalt", kind="municipal_budget", amounts={"2026": "100000", "2027": "100000"}
    )
    return facility, verein, regie


def test_hand_computed_comparison_with_dated_wages(centre):
    facility, _verein, _regie = centre
    data = selectors.facility_comparison(facility)
    assert data["discount_rate"] == D("0.009")
    v = data["models"][0]
    rows = {r.year: r for r in v["years"]}
    # the same 1,000 volunteer hours: 13,900 EUR in 2026 (13.90 EUR/h), 14,600 EUR in 2027 (14.60 EUR/h)
    assert rows[2026].by_source["Ehrenamt"] == D("13900.00") and rows[2027].by_source["Ehrenamt"] == D(
        "14600.00"
    )
    # the grant ends after 2026: a coverage gap in 2027 (120,000 - 60,000 - 14,600 - 10,000)
    assert (rows[2026].gap, rows[2027].gap) == (D("-3900.00"), D("35400.00"))
    assert (rows[2026].net_burden, rows[2027].net_burden) == (D("-40000.00"), D("-40000.00"))
    # PV at 0.9 %: 60,000 + 60,000/1.009 and 100,000 + 100,000/1.009
    assert v["result"].pv_municipal == D("119464.82")
    assert v["result"].pv_baseline == D("199108.03")
    assert v["result"].pv_net_burden == D("-79643.21")
    assert any("Landesförderung" in r and "2026" in r for r in v["risks"])
    assert data["models"][1]["result"].pv_net_burden == D("0.00")
    # a changed minimum wage recomputes (and is audited)
    services.parameter_set(
        municipality=facility.municipality,
        key="minimum_wage",
        valid_from=date(2027, 1, 1),
        value="15,00",
        source="Test",
    )
    rows = {r.year: r for r in selectors.facility_comparison(facility)["models"][0]["years"]}
    assert rows[2027].by_source["Ehrenamt"] == D("15000.00")
    change = ParameterChange.objects.filter(key="minimum_wage", valid_from=date(2027, 1, 1)).first()
    assert (change.old_value, change.new_value) == (D("14.6000"), D("15.0000"))


def test_missing_parameter_is_a_clear_message(municipality):
    facility = services.facility_create(
        municipality=municipality, name="Ohne Parameter", first_year=2026, horizon=2
    )
    with pytest.raises(selectors.CoproductionError, match="Parameterverzeichnis"):
        selectors.facility_comparison(facility)


def test_chosen_model_becomes_a_measure_with_its_net_burden(centre):
    _facility, verein, _regie = centre
    measure = services.model_to_measure(model=verein)
    assert measure.product_code == "060101"
    effects = [e.as_engine() for e in measure.effects.all()]
    assert effect_cents([effects], [2026, 2027]).tolist() == [[4_000_000, 4_000_000]]
    verein.refresh_from_db()
    assert verein.chosen and verein.measure == measure
    # choosing again updates the same measure instead of adding a second one
    assert services.model_to_measure(model=verein).pk == measure.pk
    assert measure.effects.count() == 2


def test_year_amounts_parsing_and_bad_input():
    years = [2026, 2027]
    assert services.parse_year_amounts("180.000", years, "x") == {"2026": "180000", "2027": "180000"}
    assert services.parse_year_amounts("2027=1.234,5", years, "x") == {"2027": "1234.5"}
    with pytest.raises(services.CoproductionInputError, match="2030"):
        services.parse_year_amounts("2030=5", years, "Kosten")
    with pytest.raises(services.CoproductionInputError, match="keine Zahl"):
        services.parse_year_amounts("viel", years, "Kosten")
    with pytest.raises(services.CoproductionInputError, match="negative"):
        services.parse_year_amounts("-5", years, "Kosten")


def url(name, municipality, **kw):
    return reverse(f"planning:{name}", kwargs={"slug": municipality.slug, **kw})


def test_pages_and_api(client, api_client, municipality, planner, member_factory, centre):
    facility, verein, _regie = centre
    client.force_login(planner)
    page = client.get(url("coproduction-facility", municipality, facility_id=facility.pk)).content.decode()
    assert (
        "Verein mit Ehrenamt" in page and "coproduction-data" in page and "−79.643" in page.replace("-", "−")
    )
    response = client.post(
        url("coproduction-model-add", municipality, facility_id=facility.pk),
        {"name": "gGmbH", "form": "ggmbh", "running_costs": "2030=5"},
        follow=True,
    )
    assert "2030" in response.content.decode() and not facility.models.filter(name="gGmbH").exists()
    response = client.post(
        url("coproduction-model-measure", municipality, facility_id=facility.pk, model_id=verein.pk)
    )
    assert response.status_code == 302 and "/massnahmen/" in response["Location"]
    params = client.get(url("coproduction-parameters", municipality)).content.decode()
    assert "13,9000" in params or "13,90" in params
    viewer = member_factory(municipality, Role.VIEWER)
    client.force_login(viewer)
    assert client.post(url("coproduction-parameters", municipality), {"defaults": "1"}).status_code == 403
    api_client.force_authenticate(planner)
    data = api_client.get(
        f"/api/v1/municipalities/{municipality.slug}/facilities/{facility.pk}/comparison/"
    ).json()
    assert data["models"][0]["pv_net_burden"] == "-79643.21"
    bad = api_client.post(
        f"/api/v1/municipalities/{municipality.slug}/dated-parameters/",
        {"key": "minimum_wage", "valid_from": "2028-01-01", "value": "15.00", "source": ""},
        format="json",
    )
    assert bad.status_code == 400
    assert DatedParameter.objects.filter(valid_from=date(2028, 1, 1)).count() == 0
