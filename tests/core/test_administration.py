"""Administration in the browser: municipalities, invitations, roles, deactivation, and the audit log."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from core import audit
from core.models import AuditEntry, Invitation, Membership, Municipality, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "ein-gutes-Passwort-2026"


@pytest.fixture
def admin(municipality, member_factory):
    return member_factory(municipality, Role.ADMIN, username="chefin")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_installation_admin_creates_a_municipality_and_it_is_audited(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("municipality-create"),
        {"name": "Moers", "slug": "moers", "ags": "05170024", "land": "NW",
         "kind": "kreisangehoerige_gemeinde", "population": "103.725"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/kommunen/moers/verwaltung/"
    moers = Municipality.objects.get(slug="moers")
    assert moers.population == 103725
    entry = AuditEntry.objects.get(municipality=moers)
    assert (entry.action, entry.actor_name) == ("municipality.created", "root")


def test_municipality_admin_cannot_create_but_manages_their_own(client, admin, municipality):
    # The demo "admin" is a municipality admin, not a superuser: refused where it must be, allowed here.
    client.force_login(admin)
    assert client.get(reverse("municipality-create")).status_code == 403
    assert client.get(reverse("administration")).status_code == 200
    page = client.get(reverse("municipality-admin", kwargs={"slug": municipality.slug}))
    assert page.status_code == 200 and "chefin" in page.content.decode()


def test_ags_that_does_not_fit_the_land_is_refused_with_a_message(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("municipality-create"),
        {"name": "Falsch", "slug": "falsch", "ags": "08170024", "land": "NW", "kind": "kreis"},
    )
    assert response.status_code == 200
    assert "gehört zum Land BW" in response.content.decode()
    assert not Municipality.objects.filter(slug="falsch").exists()


@pytest.mark.parametrize("role", [Role.PLANNER, Role.VIEWER, Role.FINANCE])
def test_non_admins_cannot_manage(client, municipality, member_factory, role):
    user = member_factory(municipality, role)
    client.force_login(user)
    assert client.get(reverse("municipality-admin", kwargs={"slug": municipality.slug})).status_code == 403
    assert client.get(reverse("audit-log", kwargs={"slug": municipality.slug})).status_code == 403
    assert client.get(reverse("administration")).status_code == 403


def test_new_colleague_joins_by_e_mailed_link_and_sets_a_password(
    client, admin, municipality, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invitation-create", kwargs={"slug": municipality.slug}),
            {"role": Role.PLANNER, "email": "neu@example.org"},
        )
    invitation = Invitation.objects.get()
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body
    client.logout()

    url = reverse("invitation-accept", kwargs={"token": invitation.token})
    assert "Planung" in client.get(url).content.decode()
    weak = client.post(url, {"username": "neu", "password1": "123", "password2": "123"})
    assert weak.status_code == 200 and not get_user_model().objects.filter(username="neu").exists()
    response = client.post(url, {"username": "neu", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == municipality.get_absolute_url()
    assert Membership.objects.get(user__username="neu").role == Role.PLANNER
    # one use only
    assert client.get(url).status_code == 410
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["invitation.created", "membership.created", "invitation.accepted"]


def test_existing_user_joins_with_one_click(client, admin, municipality, other_municipality, member_factory):
    colleague = member_factory(other_municipality, Role.VIEWER, username="kollege")
    client.force_login(admin)
    client.post(reverse("invitation-create", kwargs={"slug": municipality.slug}), {"role": Role.FINANCE})
    token = Invitation.objects.get().token
    client.force_login(colleague)
    assert client.post(reverse("invitation-accept", kwargs={"token": token})).status_code == 302
    assert Membership.objects.get(user=colleague, municipality=municipality).role == Role.FINANCE


def test_revoked_or_unknown_invitation_is_refused(client, admin, municipality):
    client.force_login(admin)
    client.post(reverse("invitation-create", kwargs={"slug": municipality.slug}), {"role": Role.VIEWER})
    invitation = Invitation.objects.get()
    client.post(
        reverse("invitation-revoke", kwargs={"slug": municipality.slug, "invitation_id": invitation.pk})
    )
    client.logout()
    url = reverse("invitation-accept", kwargs={"token": invitation.token})
    assert (
        client.post(url, {"username": "x", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code
        == 410
    )
    assert client.get(reverse("invitation-accept", kwargs={"token": "nichts"})).status_code == 404


def test_admin_changes_a_role_and_deactivates_a_member(client, admin, municipality, member_factory):
    planner = member_factory(municipality, Role.PLANNER, username="plan")
    membership = Membership.objects.get(user=planner)
    client.force_login(admin)
    kwargs = {"slug": municipality.slug, "membership_id": membership.pk}
    client.post(reverse("membership-role", kwargs=kwargs), {"role": Role.VIEWER})
    assert Membership.objects.get(pk=membership.pk).role == Role.VIEWER
    client.post(reverse("membership-deactivate", kwargs=kwargs))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    planner.refresh_from_db()
    assert not planner.is_active  # no other membership: cannot sign in any more
    assert (
        client.get(reverse("audit-log", kwargs={"slug": municipality.slug})).content.decode().count("plan")
        >= 2
    )


def test_the_last_admin_keeps_the_role(client, admin, municipality):
    client.force_login(admin)
    membership = Membership.objects.get(user=admin)
    kwargs = {"slug": municipality.slug, "membership_id": membership.pk}
    response = client.post(reverse("membership-role", kwargs=kwargs), {"role": Role.VIEWER}, follow=True)
    assert "mindestens eine Person" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.ADMIN


def test_audit_log_page_and_api_show_readable_entries(client, api_client, admin, municipality):
    audit.record(action="scenario.updated", municipality=municipality, actor=admin, target_label="Basis",
                 changes={"horizon": (15, 20)})  # fmt: skip
    client.force_login(admin)
    html = client.get(reverse("audit-log", kwargs={"slug": municipality.slug})).content.decode()
    assert "Szenario geändert" in html and "scenario.updated" not in html
    api_client.force_authenticate(admin)
    data = api_client.get(f"/api/v1/municipalities/{municipality.slug}/audit/").json()
    assert data["results"][0]["action"] == "scenario.updated"
    assert data["results"][0]["action_label"] == "Szenario geändert"
    assert data["results"][0]["changes"] == {"horizon": [15, 20]}


def test_audit_api_is_for_admins_only(api_client, municipality, member_factory):
    api_client.force_authenticate(member_factory(municipality, Role.PLANNER))
    assert api_client.get(f"/api/v1/municipalities/{municipality.slug}/audit/").status_code == 403


def test_glossary_is_public_and_explains_the_terms(client):
    html = client.get(reverse("glossary")).content.decode()
    for term in (
        "Kostenremanenz",
        "TOWS",
        "IFE/EFE",
        "Haushaltssicherungskonzept (HSK)",
        "Ausgleichsrücklage",
    ):
        assert term in html


def test_scenario_changes_are_in_the_audit_log(client, municipality, member_factory):
    from planning.projection import services as projection_services
    from tests.planning.factories import FOUR_BANDS, budget_version, population_variant

    planner = member_factory(municipality, Role.PLANNER, username="plan")
    version = budget_version(municipality, [("01.01.01", "5011", 2025, "plan", "100.00")])
    series = population_variant(municipality, [2025, 2026], [[1, 1, 1, 1], [1, 1, 1, 1]], bands=FOUR_BANDS)
    scenario = projection_services.scenario_create(
        municipality=municipality,
        name="Basis",
        budget_version=version,
        population=series,
        horizon=15,
        actor=planner,
    )
    projection_services.scenario_update(scenario=scenario, actor=planner, horizon=20)
    assert AuditEntry.objects.filter(action="scenario.created", actor_name="plan").exists()
    entry = AuditEntry.objects.get(action="scenario.updated")
    assert (entry.actor_name, entry.changes) == ("plan", {"horizon": [15, 20]})
    assert audit.change_lines(entry)[0].endswith("15 → 20")
