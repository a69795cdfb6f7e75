"""Resilience pages: who may see and do what, and what the pages show."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import Role
from planning.resilience.models import BalanceSheet, ResilienceRun
from planning.resilience.services import resilience_run_create, resilience_run_execute
from tests.factories import MembershipFactory
from tests.planning.resilience.test_resilience_support import make_balance_sheet, make_plan


@pytest.fixture
def plan(municipality):
    return make_plan(municipality)


@pytest.fixture
def mc_run(municipality, plan):
    run = resilience_run_create(municipality=municipality, n_paths=1000, seed=3)
    return resilience_run_execute(run_id=run.pk)


def _pages(slug: str, run_id: int) -> list[str]:
    return [
        reverse("planning:resilience-index", kwargs={"slug": slug}),
        reverse("planning:resilience-run", kwargs={"slug": slug, "run_id": run_id}),
        reverse("planning:resilience-run-export", kwargs={"slug": slug, "run_id": run_id}),
        reverse("planning:resilience-indicators", kwargs={"slug": slug}),
        reverse("planning:resilience-comparison", kwargs={"slug": slug}),
        reverse("planning:balance-sheets", kwargs={"slug": slug}),
    ]


def _posts(slug: str) -> list[str]:
    return [
        reverse("planning:resilience-run-start", kwargs={"slug": slug}),
        reverse("planning:balance-sheet-save", kwargs={"slug": slug}),
        reverse("planning:balance-sheet-import", kwargs={"slug": slug}),
        reverse("planning:balance-sheet-delete", kwargs={"slug": slug, "year": 2025}),
    ]


def test_outsider_gets_404_on_every_page_export_and_action(client, municipality, outsider, mc_run):
    client.force_login(outsider)
    for url in _pages(municipality.slug, mc_run.pk):
        assert client.get(url).status_code == 404, url
    for url in _posts(municipality.slug):
        assert client.post(url, {"paths": 100, "seed": 1}).status_code == 404, url
    assert BalanceSheet.objects.count() == 1 and ResilienceRun.objects.count() == 1


def test_a_run_of_another_municipality_is_not_found_under_ones_own_slug(
    client, municipality, other_municipality, outsider, mc_run
):
    client.force_login(outsider)
    url = reverse("planning:resilience-run", kwargs={"slug": other_municipality.slug, "run_id": mc_run.pk})
    assert client.get(url).status_code == 404


def test_viewer_reads_every_page_but_cannot_run_or_edit(client, municipality, member_factory, mc_run):
    client.force_login(member_factory(municipality, Role.VIEWER))
    for url in _pages(municipality.slug, mc_run.pk):
        assert client.get(url).status_code == 200, url
    for url in _posts(municipality.slug):
        assert client.post(url, {"paths": 100, "seed": 1}).status_code == 403, url
    index = client.get(_pages(municipality.slug, mc_run.pk)[0]).content.decode()
    assert "Simulation starten" not in index


def test_index_shows_inputs_path_triggers_and_latest_monte_carlo(client, planner, municipality, mc_run):
    client.force_login(planner)
    html = client.get(
        reverse("planning:resilience-index", kwargs={"slug": municipality.slug})
    ).content.decode()
    assert "Haushaltssicherungskonzept (HSK) erforderlich ab 2027." in html
    assert "-30.000.000,00 €" in html  # German number format
    assert "Allgemeine Rücklage sinkt 2027 um 31,9 % (&gt; 25 %)" in html
    assert 'id="chart-result"' in html and "plotly/plotly.min.js" in html
    assert 'data-testid="probability-table"' in html
    assert "Simulation starten" in html
    assert "HSK ab 2027 · " in html and " % in 4 Jahren" in html  # the list of stored checks


def test_stress_preset_and_own_shock_on_the_page(client, planner, municipality, plan):
    client.force_login(planner)
    url = reverse("planning:resilience-index", kwargs={"slug": municipality.slug})
    html = client.get(url, {"stress": "social_transfers"}).content.decode()
    assert "unter Stress" in html and "-15.000.000,00 €" in html
    params = {"shock_group": "4013", "shock_kind": "percent", "shock_value": "-50", "shock_year": "2026"}
    html = client.get(url, {**params, "shock_duration": "1"}).content.decode()
    assert "-16.000.000,00 €" in html


def test_missing_balance_sheet_is_explained_on_the_page(client, planner, municipality):
    client.force_login(planner)
    html = client.get(
        reverse("planning:resilience-index", kwargs={"slug": municipality.slug})
    ).content.decode()
    assert "keine Haushaltsversion mit Planjahren" in html


def test_planner_starts_a_monte_carlo_run_and_lands_on_its_page(
    client, planner, municipality, plan, django_capture_on_commit_callbacks
):
    client.force_login(planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("planning:resilience-run-start", kwargs={"slug": municipality.slug}),
            {"paths": 500, "seed": 11, "stress": "recession", "shocks": "[]"},
        )
    run = ResilienceRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert run.status == ResilienceRun.Status.SUCCEEDED  # eager jobs in tests
    assert run.job.status == "succeeded" and run.job.result["run_id"] == run.pk
    html = client.get(response.url).content.decode()
    assert "Rezession" in html and 'data-testid="probability-table"' in html


def test_run_page_of_a_queued_job_shows_the_progress_bar(client, planner, municipality, plan):
    # Given a started run whose job has not run yet (jobs are dispatched on commit, which tests never reach)
    client.force_login(planner)
    client.post(
        reverse("planning:resilience-run-start", kwargs={"slug": municipality.slug}),
        {"paths": 500, "seed": 1},
    )
    run = ResilienceRun.objects.get()
    assert run.status == ResilienceRun.Status.QUEUED
    # Then its page follows the job and comes back to itself when it is done
    html = client.get(run.get_absolute_url()).content.decode()
    assert "data-job-progress" in html and f'data-redirect="{run.get_absolute_url()}"' in html


def test_export_is_german_csv(client, planner, municipality, mc_run):
    client.force_login(planner)
    response = client.get(
        reverse("planning:resilience-run-export", kwargs={"slug": municipality.slug, "run_id": mc_run.pk})
    )
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Jahr;Jahresergebnis;")
    assert lines[3].startswith("2027;-30000000,00;0,00;64000000,00;")
    assert "HSK" not in lines[1]


def test_balance_sheet_form_creates_and_updates(client, planner, municipality):
    client.force_login(planner)
    url = reverse("planning:balance-sheet-save", kwargs={"slug": municipality.slug})
    data = {"year": "2025", "equalisation_reserve": "107.200.000,00", "general_reserve": "690.000.000"}
    assert client.post(url, data).status_code == 302
    sheet = BalanceSheet.objects.get()
    assert str(sheet.equalisation_reserve) == "107200000.00" and sheet.equity is None
    assert sheet.total_equity == sheet.equalisation_reserve + sheet.general_reserve
    # The "new sheet" form for a year that exists now is refused (someone created it meanwhile) ...
    assert client.post(url, {**data, "equity": "800.000.000"}).status_code == 409
    # ... the edit form carries the revision it was loaded with and updates.
    assert client.post(url, {**data, "equity": "800.000.000", "revision": "1"}).status_code == 302
    assert BalanceSheet.objects.get().equity == 800_000_000
    bad = client.post(url, {"year": "2025", "equalisation_reserve": "-1", "general_reserve": "1"})
    assert bad.status_code == 400


def test_two_planners_editing_one_balance_sheet_do_not_overwrite_each_other(
    client, planner, municipality, member_factory
):
    other = member_factory(municipality, Role.PLANNER)
    make_balance_sheet(municipality, equity=None)
    page = reverse("planning:balance-sheets", kwargs={"slug": municipality.slug}) + "?year=2025"
    save = reverse("planning:balance-sheet-save", kwargs={"slug": municipality.slug})

    def form_data(response, **changes):
        """What the browser would post: the form as loaded (hidden revision included) plus the edits."""
        html = response.content.decode()
        data = {"revision": re.search(r'name="revision" value="(\d+)"', html).group(1)}
        data.update(year="2025", equalisation_reserve="20.000.000", general_reserve="60.000.000")
        data.update(changes)
        return data

    client.force_login(planner)
    mine = form_data(client.get(page), equity="90.000.000")
    client.force_login(other)
    theirs = form_data(client.get(page), equity="85.000.000")
    assert client.post(save, theirs).status_code == 302  # the other planner saves first

    client.force_login(planner)
    refused = client.post(save, mine)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "wurde inzwischen geändert" in html
    assert 'name="equity" value="90.000.000"' in html  # my input is still in the form
    assert BalanceSheet.objects.get().equity == 85_000_000

    # Saving again from the conflict page applies my change deliberately.
    resubmit = form_data(refused, equity="90.000.000")
    assert resubmit["revision"] != mine["revision"]
    assert client.post(save, resubmit).status_code == 302
    assert BalanceSheet.objects.get().equity == 90_000_000


def test_indicators_page_shows_formulas_and_values(client, planner, municipality, plan):
    client.force_login(planner)
    html = client.get(
        reverse("planning:resilience-indicators", kwargs={"slug": municipality.slug})
    ).content.decode()
    assert "Ordentliche Erträge / Ordentliche Aufwendungen × 100" in html
    # 2025 plan: revenue 80 M / expenses 90 M = 88.9 %
    assert "88,9 %" in html
    assert "Ist" in html and "Plan" in html


def test_comparison_ranks_visible_municipalities(client, municipality, other_municipality, member_factory):
    user = member_factory(municipality, Role.VIEWER)
    MembershipFactory(user=user, municipality=other_municipality, role=Role.VIEWER)
    make_plan(municipality)
    make_plan(other_municipality)
    client.force_login(user)
    html = client.get(
        reverse("planning:resilience-comparison", kwargs={"slug": municipality.slug})
    ).content.decode()
    assert "Anderstadt" in html and "Musterstadt" in html
    assert 'id="chart-comparison"' in html


def test_overview_panel_shows_the_summary(client, planner, municipality, mc_run):
    client.force_login(planner)
    html = client.get(municipality.get_absolute_url()).content.decode()
    assert "HSK erforderlich ab 2027 im Hauptszenario" in html
    assert "Zur Resilienzprüfung" in html


def test_balance_sheet_delete(client, planner, municipality):
    make_balance_sheet(municipality)
    client.force_login(planner)
    url = reverse("planning:balance-sheet-delete", kwargs={"slug": municipality.slug, "year": 2025})
    assert client.post(url).status_code == 302
    assert not BalanceSheet.objects.exists()


def test_balance_sheet_rates_are_entered_in_percent(client, planner, municipality):
    client.force_login(planner)
    url = reverse("planning:balance-sheet-save", kwargs={"slug": municipality.slug})
    data = {
        "year": "2025",
        "equalisation_reserve": "107.200.000,50",
        "general_reserve": "85.000",
        "investment_loans": "1.000.000",
        "investment_loans_rate": "2,5",
        "variable_rate_share": "20",
    }
    assert client.post(url, data).status_code == 302
    sheet = BalanceSheet.objects.get(year=2025)
    assert sheet.general_reserve == Decimal("85000")
    assert sheet.investment_loans_rate == Decimal("0.025") and sheet.variable_rate_share == Decimal("0.2")
    page = reverse("planning:balance-sheets", kwargs={"slug": municipality.slug})
    form_html = client.get(f"{page}?year=2025").content.decode()
    assert 'value="2,5"' in form_html
