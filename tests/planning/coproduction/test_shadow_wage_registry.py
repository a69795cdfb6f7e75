"""One registry of the shadow wage of a volunteer hour (stakeholders.ShadowWage): coproduction values
volunteer hours with it, the stakeholders' resource overview with the same rate; the parameter page and
API write to it (audited); the data migration moves the old minimum-wage rows of the parameter registry."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal as D

import pytest
from django.apps import apps

from planning.coproduction import selectors, services
from planning.coproduction.models import DatedParameter, ParameterChange
from stakeholders import selectors as stakeholder_selectors
from stakeholders import services as stakeholder_services
from stakeholders.models import ShadowWage

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteers(municipality):
    """1,000 volunteer hours a year, 2026 to 2028."""
    services.parameters_defaults_load(municipality=municipality)
    facility = services.facility_create(municipality=municipality, name="Treff", first_year=2026, horizon=3)
    model = services.model_create(facility=facility, name="Verein", form="association")
    hours = {"2026": "1000", "2027": "1000", "2028": "1000"}
    services.source_add(model=model, name="Ehrenamt", kind="volunteer_hours", hours=hours)
    return facility


def hours_value(facility) -> dict[int, D]:
    rows = selectors.facility_comparison(facility)["models"][0]["years"]
    return {r.year: r.by_source["Ehrenamt"] for r in rows}


def test_same_hours_valued_at_the_rate_of_each_year_from_the_one_registry(volunteers, municipality):
    # the installation's defaults (minimum wage): 13.90 EUR/h in 2026, 14.60 EUR/h from 2027
    assert hours_value(volunteers) == {2026: D("13900.00"), 2027: D("14600.00"), 2028: D("14600.00")}
    # the municipality sets its own rate from 2028 in the stakeholders registry: coproduction follows
    stakeholder_services.shadow_wage_set(
        municipality=municipality,
        valid_from=date(2028, 1, 1),
        eur_per_hour=D("16.50"),
        source="Ratsbeschluss",
    )
    assert hours_value(volunteers) == {2026: D("13900.00"), 2027: D("14600.00"), 2028: D("16500.00")}
    # ... and the stakeholders' own valuation answers the same rate for the same day
    for year in (2026, 2027, 2028):
        on = date(year, 1, 1)
        assert (
            stakeholder_selectors.shadow_wage(municipality, on).eur_per_hour * 1000
            == hours_value(volunteers)[year]
        )


def test_parameter_page_and_api_write_the_shadow_wage_registry_audited(
    client, api_client, volunteers, municipality, other_municipality, planner
):
    services.parameter_set(
        municipality=municipality,
        key="minimum_wage",
        valid_from=date(2027, 1, 1),
        value="15,00",
        source="Test",
    )
    # stored once, in stakeholders; nothing in the parameter registry
    assert not DatedParameter.objects.filter(key="minimum_wage").exists()
    own = ShadowWage.objects.get(municipality=municipality, valid_from=date(2027, 1, 1))
    assert own.eur_per_hour == D("15.00")
    assert hours_value(volunteers)[2027] == D("15000.00")
    change = ParameterChange.objects.get(key="minimum_wage", valid_from=date(2027, 1, 1))
    assert (change.old_value, change.new_value) == (D("14.6000"), D("15.0000"))  # 14.60: the default
    # the other municipality keeps the default
    assert stakeholder_selectors.shadow_wage(other_municipality, date(2027, 6, 1)).eur_per_hour == D("14.60")
    # the page shows the registry; the API lists it and sets a rate through dated-parameters
    client.force_login(planner)
    page = client.get(f"/kommunen/{municipality.slug}/planung/koproduktion/parameter/").content.decode()
    assert 'data-table="shadow-wages"' in page and "15,00" in page and "13,90" in page
    api_client.force_authenticate(planner)
    base = f"/api/v1/municipalities/{municipality.slug}/"
    created = api_client.post(
        f"{base}dated-parameters/",
        {"key": "minimum_wage", "valid_from": "2028-01-01", "value": "16.00", "source": "API"},
        format="json",
    )
    assert created.status_code == 201, created.content
    listed = api_client.get(f"{base}shadow-wages/").json()["results"]
    assert [(w["valid_from"], w["eur_per_hour"], w["own"]) for w in listed][-3:] == [
        ("2026-01-01", "13.90", False),
        ("2027-01-01", "15.00", True),
        ("2028-01-01", "16.00", True),
    ]
    bad = api_client.post(
        f"{base}dated-parameters/",
        {"key": "minimum_wage", "valid_from": "2029-01-01", "value": "0", "source": "API"},
        format="json",
    )
    assert bad.status_code == 400 and not ShadowWage.objects.filter(valid_from=date(2029, 1, 1)).exists()


def test_data_migration_moves_minimum_wage_rows_to_the_shadow_wage_registry(municipality):
    DatedParameter.objects.create(
        municipality=municipality,
        key="minimum_wage",
        valid_from=date(2026, 1, 1),
        value=D("13.5000"),
        source="alt",
    )
    DatedParameter.objects.create(
        municipality=municipality,
        key="discount_rate",
        valid_from=date(2026, 1, 1),
        value=D("0.0090"),
        source="BMF",
    )
    migration = importlib.import_module("planning.migrations.0010_shadow_wage_one_registry")
    migration.forwards(apps, None)
    assert list(DatedParameter.objects.values_list("key", flat=True)) == ["discount_rate"]
    moved = ShadowWage.objects.get(municipality=municipality)
    assert (moved.valid_from, moved.eur_per_hour, moved.source) == (date(2026, 1, 1), D("13.50"), "alt")


def test_defaults_load_restores_the_installation_shadow_wages_and_rates_are_bounded(municipality):
    # a flushed database (transactional tests) has lost the data migration's default rows
    ShadowWage.objects.all().delete()
    services.parameters_defaults_load(municipality=municipality)
    assert stakeholder_selectors.shadow_wage(municipality, date(2027, 1, 1)).eur_per_hour == D("14.60")
    assert services.parameters_defaults_load(municipality=municipality) == 0  # idempotent
    for value in ("0", "100000", "-1"):
        with pytest.raises(services.CoproductionInputError, match="Schattenlohn"):
            services.parameter_set(
                municipality=municipality,
                key="minimum_wage",
                valid_from=date(2030, 1, 1),
                value=value,
                source="x",
            )
    assert not ShadowWage.objects.filter(valid_from=date(2030, 1, 1)).exists()
