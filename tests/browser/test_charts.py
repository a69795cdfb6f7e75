"""Charts read at a glance: round money ticks in millions, one table alternative per chart (kept in one block
with its chart), and the top bar's menus inside the window at 390 px."""

import pytest

from core.models import Role
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.finance.factories import import_bytes, sample_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(page, live_server, municipality, member_factory):
    member_factory(municipality, Role.ADMIN, username="chefin")
    login(page, live_server.url, "chefin", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    return page


def test_money_ticks_are_round_steps_labelled_in_millions(signed_in):
    # Given balances between -12.3 million and +0.5 million euros
    ticks = signed_in.evaluate("() => Spielraum.moneyTicks([-12309760, -8955434, 531629], ' €')")

    # Then the axis steps by 2.5 million from -12.5 to +2.5 million and says so in words, zero as "0 €"
    assert ticks["tickvals"] == [-12_500_000, -10_000_000, -7_500_000, -5_000_000, -2_500_000, 0, 2_500_000]
    assert ticks["ticktext"][0] == "-12,5 Mio. €"
    assert ticks["ticktext"][5] == "0 €"
    small = signed_in.evaluate("() => Spielraum.moneyTicks([0, 7300]).ticktext")
    assert small == ["0", "2.000", "4.000", "6.000", "8.000"]


def test_every_explorer_chart_has_one_table_alternative_next_to_it(signed_in, live_server, municipality):
    # Given a budget
    import_bytes(municipality, sample_csv(), status="adopted", make_current=True)

    # When the explorer is drawn
    signed_in.goto(f"{live_server.url}/kommunen/musterstadt/haushalt/")
    signed_in.wait_for_selector(".js-plotly-plot")
    signed_in.wait_for_timeout(300)
    charts = signed_in.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
            chart: gd.dataset.chart,
            toggles: gd.parentElement.querySelectorAll(':scope > .chart-table-toggle').length,
            details: gd.closest('section').querySelectorAll('details').length
                || (gd.closest('[data-no-table-toggle]') ? 1 : 0),
            wrapped: gd.parentElement.classList.contains('chart-with-table'),
        }))"""
    )

    # Then a chart whose table is already on the page below it gets no second one; every other chart gets a
    # toggle in one block with it (not a cell of its own in a grid)
    assert charts, "no chart drawn"
    for chart in charts:
        if chart["details"]:
            assert chart["toggles"] == 0, chart
        else:
            assert chart["toggles"] == 1 and chart["wrapped"], chart
    assert any(not c["details"] for c in charts)


def test_the_user_menu_opens_inside_the_window_on_a_phone(signed_in):
    # Given a 390 px screen, where the user menu wraps onto the second line of the top bar
    signed_in.set_viewport_size({"width": 390, "height": 800})

    # When it is opened
    signed_in.locator(".usermenu summary").click()
    box = signed_in.locator(".usermenu ul").bounding_box()

    # Then all of it is on the screen (it used to open off the left edge, where no scrollbar reaches)
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert signed_in.get_by_role("link", name="Passwort ändern").is_visible()
