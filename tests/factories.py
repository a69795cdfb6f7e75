"""factory_boy factories for the core models; apps add theirs in tests/<app>/factories.py."""

import factory
from django.contrib.auth import get_user_model

from core.models import Membership, Municipality, Role

PASSWORD = "test-passwort-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    slug = factory.Sequence(lambda n: f"gemeinde-{n}")
    ags = factory.Sequence(lambda n: f"05{n:06d}")
    land = "NW"
    kind = Municipality.Kind.KREISANGEHOERIGE_GEMEINDE
    population = 50000


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Role.PLANNER
