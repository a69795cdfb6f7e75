import pytest

from core.models import Role


@pytest.fixture
def viewer(municipality, member_factory):
    return member_factory(municipality, Role.VIEWER, username="leser")


@pytest.fixture
def facilitator(municipality, member_factory):
    return member_factory(municipality, Role.FACILITATOR, username="moderatorin")


@pytest.fixture
def admin(municipality, member_factory):
    return member_factory(municipality, Role.ADMIN, username="verwaltung")
