"""Who changed what and when, for budgets, scenarios, measures and boards (memberships:
tests/core/test_administration.py): every change made through a page or the API writes an audit entry
with its author, and the entry is shown on the audit page and in the audit API to the municipality's
administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import audit
from core.models import AuditEntry, Role
from finance import services as finance_services
from finance.models import BudgetVersion
from planning.measures.models import Measure
from swot import services as swot_services
from swot.access import actor_for_user
from tests.finance.factories import import_bytes, sample_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(municipality, member_factory):
    return member_factory(municipality, Role.ADMIN, username="verwaltung")


@pytest.fixture
def planner(municipality, member_factory):
    return member_factory(municipality, Role.PLANNER, username="plan")


@pytest.fixture
def treasurer(municipality, member_factory):
    return member_factory(municipality, Role.FINANCE, username="kasse")


@pytest.fixture
def facilitator(municipality, member_factory):
    return member_factory(municipality, Role.FACILITATOR, username="moderation")


def assert_logged(action, label, *, author, municipality, admin, outsider, client, api_client, changes=None):
    """The entry exists with its author, the municipality's admin sees it on the page and in the API, the
    admin of another municipality sees it nowhere, and a member who is not an admin may not read the log."""
    entry = AuditEntry.objects.filter(action=action).latest("created_at")
    assert (entry.municipality_id, entry.actor_name) == (municipality.pk, author)
    if changes is not None:
        assert entry.changes == changes
    client.force_login(admin)
    page = client.get(reverse("audit-log", kwargs={"slug": municipality.slug})).content.decode()
    assert label in page and action not in page
    api_client.force_authenticate(admin)
    rows = api_client.get(f"/api/v1/municipalities/{municipality.slug}/audit/").json()["results"]
    assert any(r["action"] == action and r["actor"] == author for r in rows), rows
    # another municipality's admin: its own log has nothing of this one, and this one is closed to it
    api_client.force_authenticate(outsider)
    own = api_client.get("/api/v1/municipalities/anderstadt/audit/").json()["results"]
    assert not any(r["action"] == action for r in own)
    assert api_client.get(f"/api/v1/municipalities/{municipality.slug}/audit/").status_code in (403, 404)
    client.force_login(outsider)
    assert client.get(reverse("audit-log", kwargs={"slug": municipality.slug})).status_code in (403, 404)
    return entry


def test_budget_import_status_change_and_delete_are_logged(
    client, api_client, municipality, admin, treasurer, outsider
):
    # Given a budget imported by the treasurer
    version = import_bytes(municipality, sample_csv(), user=treasurer).version
    logged = {"author": "kasse", "municipality": municipality, "admin": admin, "outsider": outsider,
              "client": client, "api_client": api_client}  # fmt: skip
    assert_logged("budget.imported", "Haushaltsdaten importiert", **logged)

    # When it is adopted and made the current budget in the browser
    client.force_login(treasurer)
    url = reverse("finance:version-status", kwargs={"slug": municipality.slug, "version_id": version.pk})
    client.post(url, {"status": "adopted", "make_current": "on"})
    assert BudgetVersion.objects.get(pk=version.pk).is_current

    # Then the change says from what to what; and a deletion through the API is logged too
    entry = assert_logged(
        "budget.status_changed", "Status der Haushaltsversion geändert", **logged,
        changes={"status": ["draft", "adopted"], "is_current": [False, True]},
    )  # fmt: skip
    assert "Status: Entwurf → Beschlossen" in audit.change_lines(entry)
    api_client.force_authenticate(treasurer)
    response = api_client.delete(f"/api/v1/municipalities/{municipality.slug}/budget/versions/{version.pk}/")
    assert response.status_code == 204
    assert_logged("budget.deleted", "Haushaltsdaten gelöscht", **logged)


def test_scenario_delete_through_the_api_is_logged(
    client, api_client, municipality, admin, planner, outsider
):
    from planning.projection import services as projection_services
    from tests.planning.factories import FOUR_BANDS, budget_version, population_variant

    version = budget_version(municipality, [("01.01.01", "5011", 2025, "plan", "100.00")])
    series = population_variant(municipality, [2025, 2026], [[1, 1, 1, 1], [1, 1, 1, 1]], bands=FOUR_BANDS)
    scenario = projection_services.scenario_create(
        municipality=municipality, name="Basis", budget_version=version, population=series, actor=planner
    )
    api_client.force_authenticate(planner)
    url = f"/api/v1/municipalities/{municipality.slug}/scenarios/{scenario.pk}/"
    assert api_client.delete(url).status_code == 204
    entry = assert_logged(
        "scenario.deleted", "Szenario gelöscht", author="plan", municipality=municipality, admin=admin,
        outsider=outsider, client=client, api_client=api_client,
    )  # fmt: skip
    assert entry.target_label == "Basis"


def test_measure_create_change_status_and_delete_are_logged(
    client, api_client, municipality, admin, planner, outsider
):
    logged = {"author": "plan", "municipality": municipality, "admin": admin, "outsider": outsider,
              "client": client, "api_client": api_client}  # fmt: skip
    base = f"/api/v1/municipalities/{municipality.slug}/measures/"
    # created and changed through the API
    api_client.force_authenticate(planner)
    created = api_client.post(base, {"title": "Sozialticket", "owner": "FB 50"}, format="json")
    assert created.status_code == 201, created.content
    measure_id = created.json()["id"]
    assert_logged("measure.created", "Maßnahme angelegt", **logged)
    api_client.force_authenticate(planner)
    assert api_client.patch(f"{base}{measure_id}/", {"owner": "FB 51"}, format="json").status_code == 200
    assert_logged("measure.updated", "Maßnahme geändert", **logged, changes={"owner": ["FB 50", "FB 51"]})

    # status and deletion on the pages
    client.force_login(planner)
    kwargs = {"slug": municipality.slug, "measure_id": measure_id}
    client.post(reverse("planning:measure-status", kwargs=kwargs), {"status": "running"})
    assert Measure.objects.get(pk=measure_id).status == "running"
    assert_logged(
        "measure.status_changed", "Status der Maßnahme geändert", **logged,
        changes={"status": ["planned", "running"]},
    )  # fmt: skip
    client.force_login(planner)
    client.post(reverse("planning:measure-delete", kwargs=kwargs))
    assert not Measure.objects.filter(pk=measure_id).exists()
    assert_logged("measure.deleted", "Maßnahme gelöscht", **logged)


def test_board_create_phase_secrecy_and_reveal_are_logged(
    client, api_client, municipality, admin, facilitator, outsider
):
    logged = {"author": "moderation", "municipality": municipality, "admin": admin, "outsider": outsider,
              "client": client, "api_client": api_client}  # fmt: skip
    # a board created on the page
    client.force_login(facilitator)
    new_board = reverse("swot:board-new", kwargs={"slug": municipality.slug})
    client.post(new_board, {"title": "Innenstadt", "vote_budget": 3})
    assert_logged("board.created", "SWOT-Board angelegt", **logged)

    # steered through the API: secret collecting switched on, next phase, cards revealed
    from swot.models import Board

    board = Board.objects.get(title="Innenstadt")
    base = f"/api/v1/municipalities/{municipality.slug}/swot/boards/{board.pk}/"
    api_client.force_authenticate(facilitator)
    assert api_client.patch(base, {"hide_while_collecting": True}, format="json").status_code == 200
    assert_logged(
        "board.updated", "SWOT-Board geändert", **logged, changes={"hide_while_collecting": [False, True]}
    )
    api_client.force_authenticate(facilitator)
    response = api_client.post(f"{base}actions/", {"type": "board.phase", "phase": "cluster"}, format="json")
    assert response.status_code == 200, response.content
    assert_logged("board.phase_changed", "Phase des SWOT-Boards gewechselt", **logged,
                  changes={"phase": ["collect", "cluster"]})  # fmt: skip
    swot_services.board_reveal(board_id=board.pk, actor=actor_for_user(board, facilitator))
    assert_logged("board.revealed", "Karten des SWOT-Boards aufgedeckt", **logged)


def test_an_unchanged_phase_or_status_writes_no_entry(municipality, facilitator, treasurer):
    board = swot_services.board_create(municipality=municipality, title="Leer", created_by=facilitator)
    actor = actor_for_user(board, facilitator)
    swot_services.board_set_phase(board_id=board.pk, actor=actor, phase="collect")
    version = import_bytes(municipality, sample_csv(), user=treasurer).version
    finance_services.version_set_status(version=version, status="draft", actor=treasurer)
    assert not AuditEntry.objects.filter(action__in=["board.phase_changed", "budget.status_changed"]).exists()


def test_changing_a_scenarios_measures_in_the_browser_is_logged(
    client, api_client, municipality, admin, planner, outsider
):
    from planning.measures import services as measure_services
    from planning.projection import services as projection_services
    from tests.planning.factories import FOUR_BANDS, budget_version, population_variant

    # Given a scenario without measures and two measures of the municipality
    version = budget_version(municipality, [("01.01.01", "5011", 2025, "plan", "100.00")])
    series = population_variant(municipality, [2025, 2026], [[1, 1, 1, 1], [1, 1, 1, 1]], bands=FOUR_BANDS)
    scenario = projection_services.scenario_create(
        municipality=municipality, name="Basis", budget_version=version, population=series, actor=planner
    )
    centre = measure_services.measure_create(municipality=municipality, title="Soziokulturelles Zentrum")
    fees = measure_services.measure_create(municipality=municipality, title="Gebühren")
    kwargs = {"slug": municipality.slug, "scenario_id": scenario.pk}
    url = reverse("planning:scenario-measures", kwargs=kwargs)

    # When the planner includes both in the browser
    client.force_login(planner)
    client.post(url, {"measure": [centre.pk, fees.pk], "revision": scenario.revision})

    # Then the change is logged with the measures before and after, for this municipality's admins only
    entry = assert_logged(
        "scenario.updated", "Szenario geändert", author="plan", municipality=municipality, admin=admin,
        outsider=outsider, client=client, api_client=api_client,
        changes={"measures": [None, "Gebühren, Soziokulturelles Zentrum"]},
    )  # fmt: skip
    assert entry.target_label == "Basis"
    client.force_login(admin)
    page = client.get(reverse("audit-log", kwargs={"slug": municipality.slug})).content.decode()
    assert "Maßnahmen: Gebühren, Soziokulturelles Zentrum" in page

    # and posting the same set again writes no second entry
    client.force_login(planner)
    client.post(url, {"measure": [centre.pk, fees.pk]})
    assert AuditEntry.objects.filter(action="scenario.updated", target_id=str(scenario.pk)).count() == 1
