"""The board's front end in headless Chromium: drag and drop (also by two people at once), the card menu,
inline cluster naming, phase-aware controls, presentation mode, invites with copy and QR, and every board
page at 390 and 1366 px without sideways scrolling, console errors or raw event keys.

Set SWOT_SCREENSHOTS=/some/dir to keep screenshots of the pages at both widths."""

import os
import re

import pytest

from swot import services
from swot.models import Card, Cluster
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.swot.conftest import card, set_phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_expect():
    """The live server shares a busy machine (CI, nine engineers): wait up to 15 s for a live update."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15000)
    yield
    expect.set_options(timeout=5000)


SHOTS = os.environ.get("SWOT_SCREENSHOTS")


@pytest.fixture
def open_page(browser, asgi_live_server):
    opened = []

    def new(username, path, width=1366, height=1400):  # tall enough to see all four quadrants
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height})
        context.set_default_timeout(10000)
        opened.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        login(page, asgi_live_server, username, PASSWORD)
        page.wait_for_url(re.compile(r".*/kommunen/.*"))
        page.goto(asgi_live_server + path)
        return page

    yield new
    for context in opened:
        context.close()


def _online(page):
    from playwright.sync_api import expect

    expect(page.locator("#swot-status")).to_have_attribute("data-state", "online")


def _drag(page, source, target, *, to_top=False, to_middle=False):
    """Drag with the mouse (pointer events), as a person would: press, move in steps, release."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2 + 10, steps=3)
    tbox = target.bounding_box()
    y = (
        tbox["y"] + 4
        if to_top
        else tbox["y"] + tbox["height"] / 2
        if to_middle
        else tbox["y"] + tbox["height"] - 6
    )
    page.mouse.move(tbox["x"] + tbox["width"] / 2, y, steps=8)
    page.mouse.up()


@pytest.fixture
def busy_board(board, fac, part):
    """A board in the middle of a workshop: cards in every quadrant, a cluster, votes."""
    cards = {
        "S1": card(fac, "S", "Engagierte Vereine und Ehrenamt"),
        "S2": card(part, "S", "Gute Anbindung an A2 und A43"),
        "S3": card(fac, "S", "Historischer Marktplatz"),
        "W1": card(part, "W", "Leerstand in der Fußgängerzone"),
        "W2": card(fac, "W", "Barrierewirkung des Rings"),
        "O1": card(fac, "O", "Städtebauförderung 2027 bis 2031"),
        "T1": card(part, "T", "Online-Handel verdrängt Einzelhandel"),
    }
    services.cluster_create(board_id=board.pk, actor=fac, quadrant="S", title="Menschen",
                            card_ids=[cards["S1"].pk])  # fmt: skip
    return cards


def test_drag_and_drop_within_between_quadrants_and_onto_a_cluster(asgi_live_server, open_page, board,
                                                                   busy_board):  # fmt: skip
    from playwright.sync_api import expect

    page = open_page("moderation", board.get_absolute_url())
    _online(page)
    s2, s3, w2 = busy_board["S2"], busy_board["S3"], busy_board["W2"]
    # Within a quadrant: S3 above S2
    _drag(
        page,
        page.locator(f'[data-card-id="{s3.pk}"]'),
        page.locator(f'[data-card-id="{s2.pk}"]'),
        to_top=True,
    )
    expect(page.locator('[data-quadrant="S"] [data-group="none"] .swot-card').first).to_have_attribute(
        "data-card-id", str(s3.pk)
    )
    # Between quadrants: W2 into opportunities
    _drag(page, page.locator(f'[data-card-id="{w2.pk}"]'), page.locator('[data-quadrant="O"] [data-list]'))
    expect(page.locator(f'[data-quadrant="O"] [data-card-id="{w2.pk}"]')).to_be_visible()
    assert Card.objects.get(pk=w2.pk).quadrant == "O"
    # Onto a cluster
    cluster = Cluster.objects.get(title="Menschen")
    _drag(
        page,
        page.locator(f'[data-card-id="{s2.pk}"]'),
        page.locator(f'[data-group="{cluster.pk}"]'),
        to_middle=True,
    )
    expect(page.locator(f'[data-group="{cluster.pk}"] [data-card-id="{s2.pk}"]')).to_be_visible()
    assert Card.objects.get(pk=s2.pk).cluster_id == cluster.pk
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/swot-board-collect-1366.png")
    assert page.errors == []


def test_card_menu_moves_clusters_and_names_clusters_inline_by_keyboard(asgi_live_server, open_page, board,
                                                                         busy_board):  # fmt: skip
    from playwright.sync_api import expect

    page = open_page("moderation", board.get_absolute_url())
    _online(page)
    w1 = busy_board["W1"]
    menu_button = page.locator(f'[data-card-id="{w1.pk}"] .swot-menu-btn')
    # One menu per card instead of a row of selects
    assert page.locator(".swot-card select").count() == 0
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menu")).to_be_visible()
    page.get_by_role("menuitem", name="Neuer Cluster …").click()
    # Inline naming (no prompt())
    page.get_by_role("textbox", name="Überschrift des Clusters").fill("Innenstadt")
    page.keyboard.press("Enter")
    expect(page.locator('[data-quadrant="W"] .swot-cluster-title')).to_have_text("Innenstadt")
    assert Card.objects.get(pk=w1.pk).cluster.title == "Innenstadt"
    # Move by keyboard: menu, arrow keys, Enter
    menu_button.click()
    item = page.get_by_role("menuitem", name="→ Risiken")
    item.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f'[data-quadrant="T"] [data-card-id="{w1.pk}"]')).to_be_visible()
    # Escape closes the menu and gives focus back to its button
    menu_button.click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_be_hidden()
    expect(menu_button).to_be_focused()
    assert page.errors == []


def test_two_people_drag_the_same_card_at_once_conflict_shown_nothing_lost(asgi_live_server, open_page, board,
                                                                             busy_board):  # fmt: skip
    """Alice and Bob drag the same card at the same moment, Alice to opportunities, Bob to threats. Bob's
    browser gets Alice's move only after his own drop (his socket is held back for a moment), so both
    moves are under way at once: both are told, the board is the same for both, and the card exists once."""
    from playwright.sync_api import expect

    s2 = busy_board["S2"]  # written by Karl (participant) -> he and the facilitator may move it anywhere
    alice = open_page("moderation", board.get_absolute_url())
    bob_context_page = open_page("kaemmerer", "/")
    held, routes, holding = [], [], {"on": False}

    def route(ws):
        server = ws.connect_to_server()
        routes.append(ws)
        server.on_message(lambda message: held.append(message) if holding["on"] else ws.send(message))
        ws.on_message(lambda message: server.send(message))

    bob = bob_context_page
    bob.route_web_socket(re.compile(r".*/ws/swot/boards/.*"), route)
    bob.goto(asgi_live_server + board.get_absolute_url())
    _online(alice)
    _online(bob)
    holding["on"] = True  # from now on Bob sees nothing from the server until he has dropped
    _drag(alice, alice.locator(f'[data-card-id="{s2.pk}"]'), alice.locator('[data-quadrant="O"] [data-list]'))
    expect(alice.locator(f'[data-quadrant="O"] [data-card-id="{s2.pk}"]')).to_be_visible()
    _drag(bob, bob.locator(f'[data-card-id="{s2.pk}"]'), bob.locator('[data-quadrant="T"] [data-list]'))
    expect(alice.locator(f'[data-quadrant="T"] [data-card-id="{s2.pk}"]')).to_be_visible()
    # Deliver what Bob's browser was held back from, in order (Playwright's callbacks run only inside
    # Playwright calls of this thread, so nothing can overtake the held frames)
    while held:
        routes[-1].send(held.pop(0))
    holding["on"] = False
    # Both end with the card in threats (Bob's move was stored last) and the card exists once
    expect(bob.locator(f'[data-quadrant="T"] [data-card-id="{s2.pk}"]')).to_be_visible()
    expect(bob.locator(f'[data-card-id="{s2.pk}"]')).to_have_count(1)
    assert alice.evaluate("SwotBoard.seq()") == bob.evaluate("SwotBoard.seq()")
    assert Card.objects.get(pk=s2.pk).quadrant == "T"
    assert Card.objects.filter(board=board, text=s2.text, deleted_at__isnull=True).count() == 1
    # Alice is told that her move was overtaken and may repeat it
    notice = alice.locator("#swot-move-conflict")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Karl Kämmerer")
    expect(notice.get_by_role("button", name="Meine Verschiebung wiederholen")).to_be_visible()
    # Bob is told too: someone moved it at the same time, his move came last
    expect(bob.locator("#swot-move-conflict")).to_contain_text("Mia Moderat")
    expect(bob.locator("#swot-move-conflict [data-repeat]")).to_be_hidden()
    # Alice repeats her move: nothing was lost, the card goes where she wanted it
    notice.get_by_role("button", name="Meine Verschiebung wiederholen").click()
    expect(bob.locator(f'[data-quadrant="O"] [data-card-id="{s2.pk}"]')).to_be_visible()
    assert alice.errors == [] and bob.errors == []


@pytest.fixture
def workshop_board(board, fac, part, busy_board):
    """The busy board after voting, with a strategy that has become a measure (the freeze of issue 15)."""
    set_phase(fac, "vote")
    services.vote_cast(board_id=board.pk, actor=part, card_id=busy_board["S2"].pk)
    set_phase(fac, "derive")
    strategy = services.strategy_create(board_id=board.pk, actor=fac, title="Vereine beleben die Innenstadt",
                                        card_ids=[busy_board["S1"].pk, busy_board["O1"].pk])  # fmt: skip
    services.strategy_select(board_id=board.pk, actor=fac, strategy_id=strategy.pk)
    services.strategy_to_measure(board_id=board.pk, actor=fac, strategy_id=strategy.pk, owner="Amt 61")
    services.invite_create(board_id=board.pk, actor=fac, days=1, label="Bürgerwerkstatt Innenstadt Herten")
    return board


def _no_sideways_scroll(page):
    """Nothing of the board's page content reaches past the viewport (the top bar is base.html's)."""
    overflow = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const main = document.querySelector("main");
        let worst = main.scrollWidth - main.clientWidth;
        main.querySelectorAll("*").forEach((el) => {
            const r = el.getBoundingClientRect();
            if (r.width && getComputedStyle(el).position !== "fixed") {
                worst = Math.max(worst, r.right - width);
            }
        });
        return Math.ceil(worst);
    }""")
    assert overflow <= 0, f"{page.url} reaches {overflow} px past the right edge"


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("page_name", ["board", "verlauf", "einladungen", "index", "massnahmen"])
def test_board_pages_fit_the_width_without_errors_or_raw_keys(asgi_live_server, open_page, workshop_board,
                                                             width, page_name):  # fmt: skip
    from playwright.sync_api import expect

    path = {
        "board": workshop_board.get_absolute_url(),
        "index": "/kommunen/musterstadt/swot/",
        "massnahmen": "/kommunen/musterstadt/swot/massnahmen/",
    }.get(page_name, f"{workshop_board.get_absolute_url()}{page_name}/")
    page = open_page("moderation", path, width=width, height=900)
    if page_name == "board":
        _online(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/swot-{page_name}-{width}.png", full_page=True)
    if page_name == "board":
        expect(page.locator("#swot-editable")).to_be_enabled()
        # Results sorted by votes; add-card boxes hidden where adding is refused; factors named per quadrant
        expect(page.locator('[data-quadrant="S"] [data-group="none"] .swot-card').first).to_contain_text(
            "Gute Anbindung"
        )
        expect(page.locator("[data-add-form]:visible")).to_have_count(0)
        expect(page.locator(".swot-strategy").first).to_contain_text("Stärke: Engagierte Vereine")
        expect(page.locator(".swot-strategy").first).to_contain_text("Chance: Städtebauförderung")
        # The IFE/EFE table stays inside its card
        table, card_box = (
            page.locator("#swot-scores table").bounding_box(),
            page.locator("#swot-scores").bounding_box(),
        )
        assert table["x"] + table["width"] <= card_box["x"] + card_box["width"] + 1
    text = page.locator("main").inner_text()
    assert not re.search(r"\b(card|cards|vote|board|cluster|strategy|measure)\.[a-z]+\b", text), text
    _no_sideways_scroll(page)
    if page_name == "board":
        page.get_by_role("button", name="Präsentation").click()
        expect(page.locator(".topbar")).to_be_hidden()
        expect(page.locator(".swot-menu-btn").first).to_be_hidden()
        _no_sideways_scroll(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/swot-presentation-{width}.png", full_page=True)
        page.get_by_role("button", name="Präsentation beenden").click()
        expect(page.locator(".topbar")).to_be_visible()
    assert page.errors == []


def test_participant_sees_add_boxes_only_while_collecting(asgi_live_server, open_page, board, facilitator,
                                                          busy_board):  # fmt: skip
    from playwright.sync_api import expect
    from rest_framework.authtoken.models import Token

    from tests.swot.test_browser import _api_post

    page = open_page("kaemmerer", board.get_absolute_url())
    _online(page)
    expect(page.locator("[data-add-form]:visible")).to_have_count(4)
    token = Token.objects.create(user=facilitator).key  # the facilitator moves on (by a script, say)
    _api_post(asgi_live_server, token, f"/api/v1/municipalities/musterstadt/swot/boards/{board.pk}/actions/",
              {"type": "board.phase", "phase": "vote"})  # fmt: skip
    expect(page.locator("#swot-board")).to_have_attribute("data-phase", "vote")
    expect(page.locator("[data-add-form]:visible")).to_have_count(0)
    expect(
        page.locator(f'[data-card-id="{busy_board["S1"].pk}"]').get_by_role("button", name="Punkt geben")
    ).to_be_visible()


def test_collecting_on_a_phone_menu_fits_and_no_sideways_scroll(
    asgi_live_server, open_page, board, busy_board
):
    from playwright.sync_api import expect

    page = open_page("kaemmerer", board.get_absolute_url(), width=390, height=844)
    _online(page)
    expect(page.locator("[data-add-form]:visible")).to_have_count(4)
    button = page.locator(f'[data-card-id="{busy_board["W1"].pk}"] .swot-menu-btn')
    button.click()
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # A participant's menu offers only what they may do: their own card, no merge
    expect(page.get_by_role("menuitem", name="Bearbeiten")).to_be_visible()
    expect(page.get_by_role("menuitem", name="Zusammenführen mit …")).to_have_count(0)
    delete = page.get_by_role("menuitem", name="Löschen")
    style = "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    colour, background = delete.evaluate(style)
    assert colour != background  # readable, not red on red
    _no_sideways_scroll(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/swot-board-collect-menu-390.png", full_page=False)
    assert page.errors == []


@pytest.mark.parametrize("who", ["leser", "guest"])
def test_viewers_and_guests_get_a_working_board_without_facilitator_controls(asgi_live_server, open_page,
                                                                               browser, board, viewer, guest,
                                                                               busy_board, who):  # fmt: skip
    from playwright.sync_api import expect

    if who == "guest":
        context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(f"{asgi_live_server}/kommunen/musterstadt/swot/beitreten/{board.invites.get().code}/")
        page.get_by_label("Ihr Anzeigename").fill("Gerda Gast")
        page.get_by_role("button", name="Beitreten").click()
    else:
        page = open_page("leser", board.get_absolute_url(), width=390, height=844)
    _online(page)
    expect(page.locator(".swot-card")).to_have_count(len(busy_board))
    expect(page.locator("#swot-phase-select")).to_have_count(0)
    if who == "guest":  # guests participate while collecting
        expect(page.locator("[data-add-form]:visible")).to_have_count(4)
    else:  # viewers only look
        expect(page.locator(".swot-menu-btn:visible")).to_have_count(0)
        expect(page.locator("[data-add-form]:visible")).to_have_count(0)
    _no_sideways_scroll(page)
    assert page.errors == []
    if who == "guest":
        context.close()


def test_touch_drag_by_the_grip_moves_a_card_and_the_page_still_scrolls(asgi_live_server, open_page, board,
                                                                       busy_board):  # fmt: skip
    """On a phone a finger on the grip drags the note; a finger elsewhere on the note does not (the page
    scrolls). Touch pointer events are dispatched as a touch screen sends them."""
    from playwright.sync_api import expect

    page = open_page("moderation", board.get_absolute_url(), width=390, height=844)
    _online(page)
    w2 = busy_board["W2"]
    touch_drag = """([selector, target]) => {
        const from = document.querySelector(selector).getBoundingClientRect();
        const to = document.querySelector(target).getBoundingClientRect();
        const el = document.elementFromPoint(from.left + from.width / 2, from.top + from.height / 2);
        const at = (x, y, type) => (type === "pointerdown" ? el : document).dispatchEvent(
            new PointerEvent(type, {pointerId: 7, pointerType: "touch", isPrimary: true, button: 0,
                                    clientX: x, clientY: y, bubbles: true, cancelable: true}));
        const x0 = from.left + from.width / 2, y0 = from.top + from.height / 2;
        at(x0, y0, "pointerdown");
        for (let i = 1; i <= 10; i += 1) {
            at(x0 + (to.left + 20 - x0) * i / 10, y0 + (to.bottom - 10 - y0) * i / 10, "pointermove");
        }
        at(to.left + 20, to.bottom - 10, "pointerup");
    }"""
    page.set_viewport_size({"width": 390, "height": 3000})  # both quadrants on screen, as after scrolling
    strengths = '[data-quadrant="S"] [data-group="none"] ul'
    # A finger on the text: no drag (the page scrolls instead)
    page.evaluate(touch_drag, [f'[data-card-id="{w2.pk}"] .swot-text', strengths])
    page.wait_for_timeout(500)
    expect(page.locator(f'[data-quadrant="W"] [data-card-id="{w2.pk}"]')).to_be_visible()
    assert Card.objects.get(pk=w2.pk).quadrant == "W"
    # A finger on the grip: the note goes into strengths
    page.evaluate(touch_drag, [f'[data-card-id="{w2.pk}"] .swot-grip', strengths])
    expect(page.locator(f'[data-quadrant="S"] [data-card-id="{w2.pk}"]')).to_be_visible()
    assert Card.objects.get(pk=w2.pk).quadrant == "S"
    assert page.errors == []
