"""The facilitator's whole workshop in headless Chromium: collect, cluster, vote, weight, derive, measure,
and back to the board (reload: online, controls enabled, no console errors)."""

import re

import pytest

from swot.models import Measure
from tests.browser.conftest import login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_expect():
    """The live server shares a busy machine (CI, nine engineers): wait up to 15 s for a live update."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15000)
    yield
    expect.set_options(timeout=5000)


@pytest.fixture
def facilitator_page(browser, asgi_live_server, board, facilitator):
    context = browser.new_context(locale="de-DE", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    login(page, asgi_live_server, "moderation", PASSWORD)
    page.wait_for_url(re.compile(r".*/kommunen/.*"))
    yield page
    context.close()


def _online(page):
    from playwright.sync_api import expect

    expect(page.locator("#swot-status")).to_have_attribute("data-state", "online")
    expect(page.locator("#swot-editable")).to_be_enabled()


def _phase(page, phase):
    from playwright.sync_api import expect

    page.locator("#swot-phase-select").select_option(phase)
    page.get_by_role("button", name="Phase setzen").click()
    expect(page.locator("#swot-board")).to_have_attribute("data-phase", phase)


def _card(page, text):
    return page.locator(".swot-card", has_text=text)


def test_facilitator_journey_from_collecting_to_a_measure_and_back(asgi_live_server, facilitator_page, board):
    from playwright.sync_api import expect

    page = facilitator_page
    page.goto(asgi_live_server + board.get_absolute_url())
    _online(page)
    # Collect
    for quadrant, text in [("S", "Engagierte Vereine"), ("O", "Förderprogramm Innenstadt")]:
        form = page.locator(f'[data-quadrant="{quadrant}"] [data-add-form]')
        form.locator("textarea").fill(text)
        form.get_by_role("button", name="Karte hinzufügen").click()
        expect(_card(page, text)).to_be_visible()
    # Vote
    _phase(page, "vote")
    _card(page, "Engagierte Vereine").get_by_role("button", name="Punkt geben").click()
    expect(_card(page, "Engagierte Vereine").locator(".swot-votes")).to_have_text("1")
    # Weight
    _phase(page, "weight")
    for text in ("Engagierte Vereine", "Förderprogramm Innenstadt"):
        _card(page, text).get_by_label("Gewicht").fill("1")
        _card(page, text).get_by_label("Gewicht").dispatch_event("change")
        _card(page, text).get_by_label("Bewertung").select_option("4")
        expect(_card(page, text).locator(".swot-meta")).to_contain_text("Bewertung 4")
    expect(page.locator("#swot-scores tr.complete")).to_have_count(2)
    # Derive a strategy, select it, make it a measure
    _phase(page, "derive")
    for text in ("Engagierte Vereine", "Förderprogramm Innenstadt"):
        _card(page, text).get_by_label("für Strategie wählen").check()
    page.get_by_placeholder("Titel der Strategie").fill("Vereine beleben die Innenstadt")
    page.get_by_role("button", name="Strategie anlegen").click()
    strategy = page.locator(".swot-strategy", has_text="Vereine beleben die Innenstadt")
    expect(strategy).to_be_visible()
    expect(page.locator('.swot-tows-cell[data-kind="SO"]')).to_contain_text("Vereine beleben die Innenstadt")
    strategy.get_by_role("button", name="Auswählen").click()
    strategy.get_by_label("Verantwortlich").fill("Amt 61")
    strategy.get_by_label("Kostenschätzung (EUR)").fill("85.000")
    strategy.get_by_role("button", name="Als Maßnahme übernehmen").click()
    expect(strategy.locator(".swot-measure")).to_contain_text("Amt 61")
    measure = Measure.objects.get()
    assert measure.owner == "Amt 61" and measure.cost_estimate == 85000  # German thousands separator
    # Back to the board: a fresh load with a strategy that has a measure works (the freeze of issue 15)
    page.reload()
    _online(page)
    expect(page.locator("#swot-phase-select")).to_be_enabled()
    expect(strategy.locator(".swot-measure")).to_contain_text("Amt 61")
    # ... also via the measures page, and the workshop can go on
    page.goto(f"{asgi_live_server}/kommunen/musterstadt/swot/massnahmen/")
    page.get_by_role("link", name=board.title).click()
    _online(page)
    _phase(page, "collect")
    form = page.locator('[data-quadrant="T"] [data-add-form]')
    form.locator("textarea").fill("Leerstand nach Filialschließungen")
    form.get_by_role("button", name="Karte hinzufügen").click()
    expect(_card(page, "Leerstand nach Filialschließungen")).to_be_visible()
    assert page.errors == []
