"""An installation admin creates a municipality, invites a colleague, who joins and sees only that one."""

import os

import pytest

from core.models import Membership, Role
from tests.browser.conftest import login
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_creates_municipality_and_invited_colleague_sees_only_it(
    browser, page, live_server, municipality, tmp_path
):
    shots = os.environ.get("SCREENSHOT_DIR", str(tmp_path))
    UserFactory(username="root", is_superuser=True, is_staff=True)
    # Given the installation admin, signed in
    login(page, live_server.url, "root", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")  # superusers see every municipality

    # When they create Moers through the user menu's administration page
    page.locator("details.usermenu summary").click()
    page.locator("details.usermenu").get_by_role("link", name="Verwaltung", exact=True).click()
    page.get_by_role("link", name="Neue Kommune anlegen").click()
    form = page.get_by_test_id("municipality-form")
    form.get_by_label("Name", exact=True).fill("Moers")
    form.get_by_label("Kurzname").fill("moers")
    form.get_by_label("Gemeindeschlüssel (AGS)").fill("05170024")
    form.get_by_label("Land").select_option("NW")
    form.get_by_label("Einwohner").fill("103.725")
    form.get_by_role("button", name="Anlegen").click()
    page.wait_for_url(f"{live_server.url}/kommunen/moers/verwaltung/")

    # ... and invite a colleague as planner, by link
    invite = page.get_by_test_id("invite-form")
    invite.get_by_label("Rolle").select_option(Role.PLANNER)
    invite.get_by_role("button", name="Einladung erstellen").click()
    link = page.get_by_test_id("new-invitation").locator("input").input_value()
    assert "/einladung/" in link
    page.screenshot(path=os.path.join(shots, "admin-municipality-1366.png"), full_page=True)

    # Then the colleague, in a fresh browser, sets a password and lands in Moers
    colleague = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})
    other = colleague.new_page()
    other.goto(link)
    accept = other.get_by_test_id("accept-form")
    accept.get_by_label("Benutzername").fill("kollegin")
    accept.get_by_label("Passwort", exact=True).fill("ein-gutes-Passwort-2026")
    accept.get_by_label("Passwort wiederholen").fill("ein-gutes-Passwort-2026")
    other.screenshot(path=os.path.join(shots, "invitation-accept-390.png"), full_page=True)
    accept.get_by_role("button", name="Zugang anlegen und beitreten").click()
    other.wait_for_url(f"{live_server.url}/kommunen/moers/")
    assert other.locator("h1").inner_text() == "Moers"

    # ... sees only Moers (the start page goes straight there, Musterstadt does not exist for her)
    other.goto(f"{live_server.url}/")
    other.wait_for_url(f"{live_server.url}/kommunen/moers/")
    other.locator("nav.switcher summary").click()
    assert other.locator("nav.switcher li").all_inner_texts() == ["Moers"]
    assert other.goto(f"{live_server.url}/kommunen/musterstadt/").status == 404
    assert Membership.objects.get(user__username="kollegin").municipality.slug == "moers"
    colleague.close()

    # And the admin's audit log of Moers names all three steps
    page.goto(f"{live_server.url}/kommunen/moers/protokoll/")
    log = page.get_by_test_id("audit-log").inner_text()
    for text in ("Kommune angelegt", "Einladung erstellt", "Einladung angenommen", "kollegin"):
        assert text in log


def test_explanations_open_with_the_keyboard_and_link_to_the_glossary(
    page, live_server, municipality, planner
):
    login(page, live_server.url, "planer", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    page.goto(f"{live_server.url}/kommunen/musterstadt/planung/bilanz/")
    summary = page.locator("details.explain summary").first
    body = page.locator("details.explain .explain-body").first
    assert not body.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert body.is_visible() and "Eröffnungsbilanz" in body.inner_text()
    body.get_by_role("link", name="Im Glossar").click()
    page.wait_for_url("**/hilfe/glossar/#eroeffnungsbilanz")
