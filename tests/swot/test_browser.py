"""The live board in headless Chromium against Daphne: two people, conflicts, offline and catch-up, guests."""

import json
import re
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from swot import services
from swot.models import Card
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.swot.conftest import card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contexts(browser):
    opened = []

    def new():
        context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(10000)
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def _open_board(contexts, base, username, board):
    context = contexts()
    page = context.new_page()
    login(page, base, username, PASSWORD)
    page.wait_for_url(re.compile(r".*/kommunen/.*"))
    page.goto(base + board.get_absolute_url())
    _expect_online(page)
    return context, page


def _expect_online(page, timeout=10000):
    from playwright.sync_api import expect

    expect(page.locator("#swot-status")).to_have_attribute("data-state", "online", timeout=timeout)


def _api_post(base, token, path, data):
    """A script's request through the live server (the test thread never writes while Daphne serves)."""
    request = urllib.request.Request(  # noqa: S310  (http to the local test server)
        base + path,
        data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def _add_card(page, quadrant, text):
    form = page.locator(f'[data-quadrant="{quadrant}"] [data-add-form]')
    form.locator("textarea").fill(text)
    form.get_by_role("button", name="Karte hinzufügen").click()


def test_two_people_see_each_others_cards_within_a_second(asgi_live_server, contexts, board, facilitator,
                                                          participant_user):  # fmt: skip
    from playwright.sync_api import expect

    _, alice = _open_board(contexts, asgi_live_server, "moderation", board)
    _, bob = _open_board(contexts, asgi_live_server, "kaemmerer", board)
    expect(alice.locator("#swot-presence")).to_contain_text("Karl Kämmerer")
    _add_card(bob, "S", "Vielfältige Kultur- und Sportangebote")
    expect(alice.locator('[data-quadrant="S"] .swot-card')).to_contain_text(
        "Vielfältige Kultur- und Sportangebote", timeout=1000
    )
    _add_card(alice, "T", "Verödung der Innenstadt")
    expect(bob.locator('[data-quadrant="T"] .swot-card')).to_contain_text(
        "Verödung der Innenstadt", timeout=1000
    )
    assert alice.evaluate("SwotBoard.seq()") == bob.evaluate("SwotBoard.seq()") == 2


def test_conflicting_edit_shows_the_conflict_and_can_be_reapplied(asgi_live_server, contexts, board, fac,
                                                                  facilitator, participant_user):  # fmt: skip
    from playwright.sync_api import expect

    c = card(fac, text="Gute Verkehrserschließung")
    _, alice = _open_board(contexts, asgi_live_server, "moderation", board)
    _, bob = _open_board(contexts, asgi_live_server, "moderation", board)
    # Both open the editor on the same card at version 1
    for page in (alice, bob):
        page.locator(f'[data-card-id="{c.pk}"]').get_by_role("button", name="Bearbeiten").click()
    alice.locator(f'[data-card-id="{c.pk}"] .swot-editor textarea[name=text]').fill(
        "Gute Anbindung an A2 und A43"
    )
    alice.locator(f'[data-card-id="{c.pk}"] .swot-editor').get_by_role("button", name="Speichern").click()
    expect(bob.locator(f'[data-card-id="{c.pk}"] .swot-text')).to_have_text("Gute Anbindung an A2 und A43")
    # Bob saves his edit based on version 1: the conflict dialog shows the other version
    bob.locator(f'[data-card-id="{c.pk}"] .swot-editor textarea[name=text]').fill("Guter ÖPNV")
    bob.locator(f'[data-card-id="{c.pk}"] .swot-editor').get_by_role("button", name="Speichern").click()
    dialog = bob.locator("#swot-conflict")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-theirs]")).to_have_text("Gute Anbindung an A2 und A43")
    expect(dialog.locator("[data-yours]")).to_have_text("Guter ÖPNV")
    assert Card.objects.get(pk=c.pk).text == "Gute Anbindung an A2 und A43"  # nothing overwritten
    # He re-applies his version on top of the current one
    dialog.get_by_role("button", name="Meine Fassung trotzdem übernehmen").click()
    expect(alice.locator(f'[data-card-id="{c.pk}"] .swot-text')).to_have_text("Guter ÖPNV")
    assert Card.objects.get(pk=c.pk).version == 3


def test_dropped_connection_shows_offline_blocks_editing_then_catches_up(
    asgi_live_server, contexts, board, fac, facilitator, participant_user
):
    from playwright.sync_api import expect

    token = Token.objects.create(user=facilitator).key
    _, alice = _open_board(contexts, asgi_live_server, "moderation", board)
    bob_context, bob = _open_board(contexts, asgi_live_server, "kaemmerer", board)
    # Bob's network goes away
    bob_context.set_offline(True)
    bob.evaluate("SwotBoard.dropConnection()")
    expect(bob.locator("#swot-status")).to_have_attribute("data-state", "offline")
    expect(bob.locator("#swot-offline")).to_be_visible()
    expect(bob.locator('[data-quadrant="S"] [data-add-form] textarea')).to_be_disabled()
    # Meanwhile others change the board (in the browser and by a script through the REST API)
    _add_card(alice, "O", "Soziales Laboratorium")
    _api_post(asgi_live_server, token, f"/api/v1/municipalities/musterstadt/swot/boards/{board.pk}/cards/",
              {"quadrant": "W", "text": "Barrierewirkung des Rings"})  # fmt: skip
    expect(alice.locator('[data-quadrant="W"] .swot-card')).to_contain_text("Barrierewirkung des Rings")
    # When the network returns, Bob reconnects by himself and catches up before editing again
    bob_context.set_offline(False)
    _expect_online(bob, timeout=20000)
    expect(bob.locator('[data-quadrant="O"] .swot-card')).to_contain_text("Soziales Laboratorium")
    expect(bob.locator('[data-quadrant="W"] .swot-card')).to_contain_text("Barrierewirkung des Rings")
    assert bob.evaluate("SwotBoard.seq()") == alice.evaluate("SwotBoard.seq()") == 2
    expect(bob.locator('[data-quadrant="S"] [data-add-form] textarea')).to_be_enabled()


def test_guest_joins_by_invite_link(asgi_live_server, contexts, board, fac, facilitator):
    from playwright.sync_api import expect

    invite = services.invite_create(board_id=board.pk, actor=fac, days=1)
    _, alice = _open_board(contexts, asgi_live_server, "moderation", board)
    guest = contexts().new_page()
    guest.goto(f"{asgi_live_server}/kommunen/musterstadt/swot/beitreten/{invite.code}/")
    guest.get_by_label("Ihr Anzeigename").fill("Gisela Gast")
    guest.get_by_role("button", name="Beitreten").click()
    guest.wait_for_url(re.compile(rf".*/boards/{board.pk}/$"))
    _expect_online(guest)
    expect(alice.locator("#swot-presence")).to_contain_text("Gisela Gast (Gast)")
    _add_card(guest, "W", "Schlechtes Image der Innenstadt")
    expect(alice.locator('[data-quadrant="W"] .swot-card')).to_contain_text("Schlechtes Image der Innenstadt")
    expect(alice.locator('[data-quadrant="W"] .swot-card .swot-meta')).to_contain_text("Gisela Gast")
    assert guest.locator("#swot-phase-select").count() == 0  # no facilitator controls for guests


def test_a_refused_board_client_stops_reconnecting(asgi_live_server, contexts, board, participant_user):
    from playwright.sync_api import expect

    from core.models import Membership

    _, bob = _open_board(contexts, asgi_live_server, "kaemmerer", board)
    sockets = []
    bob.on("websocket", lambda ws: sockets.append(ws))
    # Given Bob lost his membership, when his connection drops and the client reconnects
    Membership.objects.filter(user=participant_user).delete()
    bob.evaluate("SwotBoard.dropConnection()")
    # Then the reconnect is refused with 4403 and the client stays offline instead of retrying
    expect(bob.locator("#swot-status")).to_have_attribute("data-state", "offline")
    bob.wait_for_timeout(5000)  # without the 4403 branch: retries after ~0.5, 1, 2 and 4 s
    assert len(sockets) == 1
    expect(bob.locator("#swot-offline")).to_be_visible()
