"""The report's path in headless Chromium, every step in the browser, starting on the SWOT board.

On the demo (without its coproduction part, which would build this path by itself): the facilitator
derives the TOWS strategy "Soziokulturelles Zentrum als Koproduktion" on the Herten board (weakness x
opportunity); a planner creates the facility from that strategy, enters two financing models side by side
(the municipality alone; a welfare association with grant, AWO rooms linked to the stakeholder registry
and volunteer hours), compares them (table, chart, committee PDF), takes the association model as a
measure and gives it indicators, includes it in the scenario, recomputes the projection, and starts a
Monte Carlo run: the run page shows the first trigger year and P(§76 trigger) without and with it.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRATEGY = "Soziokulturelles Zentrum als Koproduktion"
FACILITY = "Soziokulturelles Zentrum am Rathaus"


@pytest.fixture
def demo_without_coproduction(monkeypatch):
    from core import demo

    monkeypatch.delitem(demo._loaders, "coproduction")
    return demo.demo_load()


def _context_page(browser, base: str, username: str):
    context = browser.new_context(locale="de-DE", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    login(page, base, username, "spielraum-demo")
    page.wait_for_url(re.compile(r".*/kommunen/.*"))
    return context, page


def _fill_form(form, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value) if not value.isdigit() else field.select_option(value)
        else:
            field.fill(value)


def test_report_path_from_the_swot_board_to_resilience(browser, asgi_live_server, demo_without_coproduction):
    from playwright.sync_api import expect

    from planning.coproduction.models import Facility, FinancingModel
    from planning.models import Scenario
    from planning.resilience.models import ResilienceRun
    from swot.demo import DEMO_TITLE
    from swot.models import Board, Strategy

    expect.set_options(timeout=20000)
    municipality = demo_without_coproduction
    base = asgi_live_server
    board = Board.objects.get(municipality=municipality, title=DEMO_TITLE)
    scenario = Scenario.objects.get(municipality=municipality, name="Basis")
    first = scenario.base_year + 1

    # 1. The facilitator derives the TOWS strategy on the Herten board (W x O)
    context, page = _context_page(browser, base, "moderation")
    page.goto(base + board.get_absolute_url())
    expect(page.locator("#swot-status")).to_have_attribute("data-state", "online")
    if page.locator("#swot-board").get_attribute("data-phase") != "derive":
        page.locator("#swot-phase-select").select_option("derive")
        page.get_by_role("button", name="Phase setzen").click()
        expect(page.locator("#swot-board")).to_have_attribute("data-phase", "derive")
    for text in (
        "Bausubstanz zum Teil in sehr schlechtem Zustand",
        "Vielzahl sozialer Akteure mit breitem Angebot",
    ):
        page.locator(".swot-card", has_text=text).get_by_label("für Strategie wählen").check()
    page.get_by_placeholder("Titel der Strategie").fill(STRATEGY)
    page.get_by_role("button", name="Strategie anlegen").click()
    expect(page.locator('.swot-tows-cell[data-kind="WO"]')).to_contain_text(STRATEGY)
    assert not page.errors, page.errors
    context.close()

    # 2. A planner creates the facility from that strategy
    context, page = _context_page(browser, base, "planung")
    planning = f"{base}/kommunen/{municipality.slug}/planung"
    # the dated parameters (BMF discount rate, allowances) are loaded once; the shadow wage has defaults
    page.goto(f"{planning}/koproduktion/parameter/")
    page.get_by_role("button", name="Dokumentierte Werte übernehmen (BMF, Pauschalen)").click()
    expect(page.locator("[data-table=parameters]")).to_contain_text("BMF")
    expect(page.locator("[data-table=shadow-wages]")).to_contain_text("13,90")
    page.goto(f"{planning}/koproduktion/")
    form = page.locator("main form.form")
    _fill_form(
        form,
        {
            "name": FACILITY,
            "first_year": str(first),
            "horizon": "10",
            "baseline": "520.000",
            "product_code": "060101",
            "source_strategy": str(Strategy.objects.get(board=board, title=STRATEGY).pk),
        },
    )
    form.get_by_role("button", name="Anlegen").click()
    expect(page.locator("h1")).to_have_text(FACILITY)
    expect(page.locator("[data-role=source-strategy]")).to_contain_text(STRATEGY)
    facility = Facility.objects.get(municipality=municipality, name=FACILITY)
    assert facility.source_strategy.title == STRATEGY

    # 3. Two financing models with their sources
    def add_model(values: dict[str, str]) -> FinancingModel:
        model_form = page.locator("form", has=page.locator("[name=running_costs]"))
        _fill_form(model_form, values)
        model_form.get_by_role("button", name="Hinzufügen").click()
        model = FinancingModel.objects.get(facility=facility, name=values["name"])
        expect(page.locator(f"section[data-model='{model.pk}']")).to_be_visible()
        return model

    def add_source(model: FinancingModel, values: dict[str, str]) -> None:
        section = page.locator(f"section[data-model='{model.pk}']")
        section.locator("summary", has_text="Quelle hinzufügen").click()
        source_form = section.locator("form")
        _fill_form(source_form, values)
        source_form.get_by_role("button", name="Hinzufügen").click()
        expect(page.locator(f"section[data-model='{model.pk}'] table").nth(1)).to_contain_text(values["name"])

    alone = add_model(
        {
            "name": "Kommunaler Regiebetrieb",
            "form": "Kommunaler Eigenbetrieb / Regiebetrieb",
            "running_costs": "520.000",
        }
    )
    add_source(alone, {"name": "Haushalt der Stadt", "kind": "Kommunaler Haushalt", "amounts": "520.000"})
    verein = add_model(
        {
            "name": "Trägerverein mit Wohlfahrtsverbänden",
            "form": "Eingetragener Verein",
            "running_costs": "560.000",
            "synergies": "60.000",
        }
    )
    add_source(verein, {"name": "Zuschuss der Stadt", "kind": "Kommunaler Haushalt", "amounts": "210.000"})
    add_source(
        verein,
        {
            "name": "Landesförderung Quartiersarbeit",
            "kind": "Fördermittel (Land/Bund/EU)",
            "amounts": "120.000",
            "end_year": str(first + 4),
        },
    )
    add_source(
        verein,
        {
            "name": "Räume und Personal der AWO",
            "kind": "Sachleistung eines Partners (Räume, Personal)",
            "stakeholder": "AWO Ortsverein Musterstadt",
            "amounts": "70.000",
        },
    )
    add_source(verein, {"name": "Ehrenamt", "kind": "Ehrenamtsstunden", "hours": "4.000"})

    # 4. Compared side by side: table, chart, the AWO linked to its stakeholder page, the committee PDF
    rows = page.locator("[data-table=models] tbody tr")
    expect(rows).to_have_count(2)
    page.wait_for_selector("[data-chart=coproduction] .main-svg")
    # net burden 210,000 - 520,000 = -310,000 a year: PV over 10 years at 0.9 % = -2,978,483.85 EUR
    expect(rows.nth(1).locator("[data-role=pv-net-burden]")).to_contain_text("-2.978.484")
    expect(page.locator("[data-role=partner-link]")).to_have_text("AWO Ortsverein Musterstadt")
    pdf = page.request.get(base + page.locator("[data-role=comparison-pdf]").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    # 5. The association model becomes a measure, with indicators
    rows.nth(1).get_by_role("button", name="Als Maßnahme übernehmen").click()
    page.wait_for_url(re.compile(r".*/massnahmen/\d+/"))
    for name, kind, unit, targets in (
        ("Besuche im Zentrum je Jahr", "Output", "Besuche", f"{first}=8.000; {first + 1}=9.000"),
        ("Ehrenamtsstunden je Jahr", "Input", "Stunden", f"{first}=4.000"),
    ):
        page.locator("summary", has_text="Kennzahl hinzufügen").click()
        indicator_form = page.locator("form", has=page.locator("[name=targets]"))
        _fill_form(indicator_form, {"name": name, "kind": kind, "unit": unit, "targets": targets})
        indicator_form.get_by_role("button", name="Hinzufügen").click()
        expect(page.locator("[data-role=indicators]")).to_contain_text(name)
    expect(page.locator("[data-role=indicators] tbody tr")).to_have_count(2)
    measure = FinancingModel.objects.get(pk=verein.pk).measure
    assert measure is not None and measure.effects.count() == 10

    # 6. The scenario with that measure, recomputed: the effect per year is the model's net burden
    page.goto(f"{planning}/szenarien/{scenario.pk}/")
    measures = page.locator("[data-role=scenario-measures]")
    measures.get_by_label(re.compile(re.escape(measure.title))).check()
    measures.get_by_role("button", name="Maßnahmen übernehmen").click()
    page.get_by_role("button", name="Neu berechnen").click()
    effects = page.locator("[data-table=measure-effects]")
    expect(effects).to_contain_text("310.000")

    # 7. Resilience with and without it: a Monte Carlo run from the resilience page of the scenario
    page.goto(f"{planning}/resilienz/?scenario={scenario.pk}")
    run_form = page.locator("[data-testid=run-form]")
    run_form.locator("input[name=paths]").fill("2000")
    run_form.locator("input[name=seed]").fill("2024")
    run_form.get_by_role("button", name="Simulation starten").click()
    page.wait_for_url(re.compile(r".*/resilienz/laeufe/\d+/"))
    section = page.locator("[data-role=measures-comparison]")
    expect(section).to_be_visible()
    from planning.resilience.selectors import measures_comparison

    run = ResilienceRun.objects.filter(scenario=scenario).latest("pk")
    result = measures_comparison(run)
    # the measure moves the first trigger year (or avoids it) and lowers P(§76) within the horizon
    assert result["first_trigger_status_quo"] is not None
    assert result["first_trigger_with"] != result["first_trigger_status_quo"]
    expect(section.locator("[data-role=first-trigger-status-quo]")).to_have_text(
        str(result["first_trigger_status_quo"])
    )
    expect(section.locator("[data-role=first-trigger-with]")).to_have_text(
        str(result["first_trigger_with"]) if result["first_trigger_with"] else "keiner"
    )
    assert result["p_within_horizon_with"] < result["p_within_horizon_status_quo"]
    p_text = section.locator("[data-role=p-horizon]").inner_text()
    assert re.fullmatch(r"\d+,\d\s%\s/\s\d+,\d\s%", p_text.strip()), p_text
    expect(section.locator("[data-table=measure-contributions]")).to_contain_text(measure.title)
    assert not page.errors, page.errors
    context.close()
