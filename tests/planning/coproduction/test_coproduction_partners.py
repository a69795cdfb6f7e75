"""Partners as stakeholder links: a source's partner is an organisation of the registry of the same
municipality (or a free-text name); the dependence risk counts the registry's name; the partner page lists
who contributes to which model; a deleted stakeholder leaves the name behind."""

from __future__ import annotations

import pytest
from django.urls import reverse

from planning.coproduction import selectors, services
from stakeholders.models import Stakeholder

pytestmark = pytest.mark.django_db


def organisation(municipality, name: str, entity: str = "organisation") -> Stakeholder:
    return Stakeholder.objects.create(
        municipality=municipality, name=name, sector="third", kind="welfare", entity=entity
    )


@pytest.fixture
def model(municipality):
    services.parameters_defaults_load(municipality=municipality)
    facility = services.facility_create(
        municipality=municipality,
        name="Zentrum",
        first_year=2026,
        horizon=2,
        baseline={"2026": "100000", "2027": "100000"},
    )
    return services.model_create(
        facility=facility,
        name="Verein",
        form="association",
        running_costs={"2026": "100000", "2027": "100000"},
    )


def test_partner_linked_to_an_organisation_of_the_same_municipality(model, municipality, other_municipality):
    awo = organisation(municipality, "AWO Ortsverein")
    source = services.source_add(
        model=model, name="Räume der AWO", kind="partner_in_kind", amounts={"2026": "70000"}, stakeholder=awo
    )
    assert source.stakeholder == awo and source.partner == "AWO Ortsverein"
    # another municipality's organisation, or a person, is refused
    foreign = organisation(other_municipality, "Fremder Verein")
    with pytest.raises(services.CoproductionInputError, match="nicht zu dieser Kommune"):
        services.source_add(
            model=model, name="X", kind="partner_cash", amounts={"2026": "1"}, stakeholder=foreign
        )
    person = organisation(municipality, "Erika Muster", entity="person")
    with pytest.raises(services.CoproductionInputError, match="Organisationen"):
        services.source_add(
            model=model, name="Y", kind="partner_cash", amounts={"2026": "1"}, stakeholder=person
        )
    with pytest.raises(services.CoproductionInputError, match="nicht zu dieser Kommune"):
        services.source_partner_set(source=source, stakeholder=foreign)
    assert model.sources.count() == 1
    # a free-text partner stays possible
    free = services.source_add(
        model=model, name="Kiosk", kind="sponsoring", partner="Kiosk am Markt", amounts={}
    )
    assert free.stakeholder is None and free.partner_name == "Kiosk am Markt"


def test_dependence_risk_counts_the_registry_name_and_renamed_partners(model, municipality):
    awo = organisation(municipality, "AWO Ortsverein")
    services.source_add(
        model=model, name="Räume", kind="partner_in_kind", amounts={"2026": "70000"}, stakeholder=awo
    )
    services.source_add(
        model=model, name="Geld", kind="partner_cash", amounts={"2026": "30000"}, stakeholder=awo
    )
    services.source_add(
        model=model, name="Kiosk", kind="sponsoring", partner="Kiosk", amounts={"2026": "10000"}
    )
    awo.name = "AWO Kreisverband"
    awo.save()
    risks = selectors.facility_comparison(model.facility)["models"][0]["risks"]
    assert any("„AWO Kreisverband“" in r for r in risks)
    # the stakeholder goes: the name stays with the source
    awo.delete()
    source = model.sources.get(name="Räume")
    assert source.stakeholder is None and source.partner_name == "AWO Ortsverein"


def test_partner_page_form_and_isolation(client, model, municipality, other_municipality, planner, outsider):
    awo = organisation(municipality, "AWO Ortsverein")
    foreign = organisation(other_municipality, "Fremder Verein")
    facility = model.facility
    add = reverse(
        "planning:coproduction-source-add",
        kwargs={"slug": municipality.slug, "facility_id": facility.pk, "model_id": model.pk},
    )
    client.force_login(planner)
    # a foreign stakeholder id is not a valid choice: a message, nothing stored
    response = client.post(
        add,
        {"name": "Fremd", "kind": "partner_cash", "amounts": "1.000", "stakeholder": foreign.pk},
        follow=True,
    )
    assert response.status_code == 200 and not model.sources.filter(name="Fremd").exists()
    client.post(add, {"name": "Räume", "kind": "partner_in_kind", "amounts": "70.000", "stakeholder": awo.pk})
    assert model.sources.get(name="Räume").stakeholder == awo
    page = client.get(
        reverse(
            "planning:coproduction-facility", kwargs={"slug": municipality.slug, "facility_id": facility.pk}
        )
    ).content.decode()
    assert awo.get_absolute_url() in page and "Fremder Verein" not in page
    partners_url = reverse("planning:coproduction-partners", kwargs={"slug": municipality.slug})
    listing = client.get(partners_url).content.decode()
    assert "AWO Ortsverein" in listing and "Zentrum" in listing and "Räume" in listing
    # the other municipality's partner page shows nothing of this one; its members cannot open ours
    client.force_login(outsider)
    other = client.get(reverse("planning:coproduction-partners", kwargs={"slug": other_municipality.slug}))
    assert "AWO Ortsverein" not in other.content.decode()
    assert client.get(partners_url).status_code in (403, 404)
