"""factory_boy factories of the stakeholder registry."""

import datetime as dt

import factory

from stakeholders.models import Assessment, Engagement, Relationship, Stakeholder
from tests.factories import MunicipalityFactory


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Verein {n}")
    sector = "third"
    kind = "club"
    district_note = "Innenstadt"


class PersonFactory(StakeholderFactory):
    entity = Stakeholder.Entity.PERSON
    name = factory.Sequence(lambda n: f"Erika Mustermann {n}")
    sector = "informal"
    kind = "citizen"
    email = factory.Sequence(lambda n: f"erika{n}@beispiel.example")
    phone = "0171 4455667"
    contact_person = "Erika selbst"
    interests = "Spielplatz im Ringviertel"
    legal_basis = Stakeholder.LegalBasis.CONSENT
    purpose = "Beteiligung"
    consent_given_on = dt.date(2025, 1, 1)
    consent_scope = "Einladungen"
    retention_until = dt.date(2030, 1, 1)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    stakeholder = factory.SubFactory(StakeholderFactory)
    assessed_on = dt.date(2026, 1, 1)
    influence = 3
    interest = 3
    strategy = "manage_closely"


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    source = factory.SubFactory(StakeholderFactory)
    target = factory.SubFactory(
        StakeholderFactory, municipality=factory.SelfAttribute("..source.municipality")
    )
    municipality = factory.SelfAttribute("source.municipality")
    valid_from = dt.date(2025, 1, 1)


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    stakeholder = factory.SubFactory(StakeholderFactory)
    municipality = factory.SelfAttribute("stakeholder.municipality")
    occurred_on = dt.date(2026, 1, 1)
    topic = "Gespräch"
