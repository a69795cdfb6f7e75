"""Pages: board list, board, guest join, history restore, invites, exports."""

import pytest

from core.models import Role
from swot import services
from swot.access import guest_cookie_name
from swot.models import Board, Card
from tests.swot.conftest import card

pytestmark = pytest.mark.django_db


def test_index_lists_boards_and_facilitators_create(client, municipality, board, facilitator, viewer):
    client.force_login(viewer)
    html = client.get("/kommunen/musterstadt/swot/").content.decode()
    assert "Innenstadt Herten" in html and "Board anlegen" not in html
    assert client.post("/kommunen/musterstadt/swot/neu/", {"title": "x"}).status_code == 403
    client.force_login(facilitator)
    response = client.post("/kommunen/musterstadt/swot/neu/", {"title": "Quartier Süd", "vote_budget": 5})
    new = Board.objects.get(title="Quartier Süd")
    assert response.status_code == 302 and response.url == new.get_absolute_url()


def test_board_page_embeds_snapshot_and_config(client, board, part, participant_user):
    card(part, text="Prägende Gebäude")
    client.force_login(participant_user)
    response = client.get(board.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="swot-snapshot"' in html and "swot/board.js" in html
    assert "Pr\\u00e4gende Geb\\u00e4ude" in html  # json_script escapes non-ASCII


def test_board_page_refuses_outsiders_and_sends_anonymous_to_login(client, board, outsider):
    response = client.get(board.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(outsider)
    assert client.get(board.get_absolute_url()).status_code == 404


def test_guest_joins_by_link_and_sees_only_that_board(client, municipality, board, fac, invite):
    join_url = f"/kommunen/musterstadt/swot/beitreten/{invite.code}/"
    assert "Workshop beitreten" in client.get(join_url).content.decode()
    response = client.post(join_url, {"display_name": "Gisela Gast"})
    assert response.status_code == 302 and response.url == board.get_absolute_url()
    assert guest_cookie_name(board.pk) in response.cookies
    assert client.get(board.get_absolute_url()).status_code == 200
    other = services.board_create(municipality=municipality, title="Anderes Board")
    assert client.get(other.get_absolute_url()).status_code == 302  # to login: the guest has no access
    assert client.get("/kommunen/musterstadt/swot/").status_code == 302
    assert client.get(f"/kommunen/musterstadt/swot/boards/{board.pk}/einladungen/").status_code == 403
    # An invalid code shows a page to enter another code
    assert client.get("/kommunen/musterstadt/swot/beitreten/FALSCH/").status_code == 404


def test_history_restore(client, board, fac, part, facilitator):
    c = card(part, text="Gelöscht")
    services.card_delete(board_id=board.pk, actor=part, card_id=c.pk)
    client.force_login(facilitator)
    url = f"/kommunen/musterstadt/swot/boards/{board.pk}/verlauf/"
    html = client.get(url).content.decode()
    assert "Gelöscht" in html and "card.deleted" in html
    client.post(url + "wiederherstellen/", {"card_id": c.pk})
    assert Card.objects.live().filter(pk=c.pk).exists()


def test_invites_page_creates_and_revokes(client, board, facilitator):
    client.force_login(facilitator)
    url = f"/kommunen/musterstadt/swot/boards/{board.pk}/einladungen/"
    client.post(url, {"days": 3, "label": "Bürgerwerkstatt"})
    invite = board.invites.get()
    assert invite.code in client.get(url).content.decode()
    client.post(url, {"revoke": invite.pk})
    invite.refresh_from_db()
    assert invite.revoked_at is not None


def test_csv_and_printable_record(client, board, part, participant_user):
    card(part, text="Gute Verkehrserschließung")
    card(part, quadrant="T", text="Prekäre kommunale Finanzlage")
    client.force_login(participant_user)
    csv = client.get(f"/kommunen/musterstadt/swot/boards/{board.pk}/export/csv/").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Typ;ID;Quadrant/Art")
    assert "Karte" in csv and "Prekäre kommunale Finanzlage" in csv and "Risiken" in csv
    html = client.get(f"/kommunen/musterstadt/swot/boards/{board.pk}/export/record/").content.decode()
    assert "Workshop-Protokoll" in html and "Gute Verkehrserschließung" in html


def test_measures_page(client, municipality, member_factory):
    client.force_login(member_factory(municipality, Role.VIEWER))
    assert client.get("/kommunen/musterstadt/swot/massnahmen/").status_code == 200


def test_demo_loader_is_idempotent(municipality, facilitator):
    from swot.demo import HERTEN_FACTORS, load_swot_demo

    board = load_swot_demo(municipality)
    assert load_swot_demo(municipality) is None
    assert Board.objects.filter(title="Innenstadt Herten").count() == 1
    assert board.cards.count() == sum(len(v) for v in HERTEN_FACTORS.values()) == 19
    board.refresh_from_db()
    assert board.seq == 19


def test_history_shows_what_the_visitor_may_see(client, board, fac, part, guest, viewer, facilitator):
    # Given a face-down board with anonymous votes, a participant's secret card and a vote on it
    services.board_update_settings(board_id=board.pk, actor=fac, hide_while_collecting=True)
    secret = card(part, "W", "Geheimer Text des Kämmerers")
    services.card_update(
        board_id=board.pk, actor=part, card_id=secret.pk, expected_version=1, text="Neu geheim"
    )
    url = f"/kommunen/musterstadt/swot/boards/{board.pk}/verlauf/"
    # Then a viewer sees neither the text nor the earlier text
    client.force_login(viewer)
    html = client.get(url).content.decode()
    assert "Geheimer Text" not in html and "Neu geheim" not in html and "verdeckt" in html
    # Nor does a guest (by their cookie)
    client.logout()
    from swot.access import guest_token

    client.cookies[guest_cookie_name(board.pk)] = guest_token(guest.participant)
    html = client.get(url).content.decode()
    assert "Geheimer Text" not in html and "Neu geheim" not in html
    # The facilitator does
    client.cookies.clear()
    client.force_login(facilitator)
    html = client.get(url).content.decode()
    assert "Neu geheim" in html and "Geheimer Text" in html


def test_history_does_not_name_voters_on_anonymous_vote_boards(client, board, fac, part, viewer):
    c = card(fac, "S", "Schlosspark")
    services.board_set_phase(board_id=board.pk, actor=fac, phase="vote")
    services.vote_cast(board_id=board.pk, actor=part, card_id=c.pk)
    client.force_login(viewer)
    html = client.get(f"/kommunen/musterstadt/swot/boards/{board.pk}/verlauf/").content.decode()
    assert "vote.cast" in html and "Karl Kämmerer" not in html


def test_deleted_face_down_cards_stay_hidden_in_the_history(client, board, fac, part, viewer):
    services.board_update_settings(board_id=board.pk, actor=fac, hide_while_collecting=True)
    c = card(part, "T", "Gelöschter geheimer Text")
    services.card_delete(board_id=board.pk, actor=part, card_id=c.pk)
    client.force_login(viewer)
    html = client.get(f"/kommunen/musterstadt/swot/boards/{board.pk}/verlauf/").content.decode()
    assert "Gelöschter geheimer Text" not in html


def test_csv_export_neutralises_formulas(client, board, guest, participant_user):
    card(guest, "S", '=HYPERLINK("http://evil.example","klick")')
    card(guest, "W", "+1+2")
    card(guest, "O", "@SUM(A1)")
    client.force_login(participant_user)
    text = client.get(f"/kommunen/musterstadt/swot/boards/{board.pk}/export/csv/").content.decode("utf-8-sig")
    import csv
    import io

    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert (
        '\'=HYPERLINK("http://evil.example","klick")' in cells and "'+1+2" in cells and "'@SUM(A1)" in cells
    )
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]


def test_binary_exports_belong_to_their_requester(
    client, board, facilitator, viewer, participant_user, monkeypatch, django_capture_on_commit_callbacks
):
    from core.models import Job
    from swot import exports

    def render(html, fmt, target):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"%PDF-1.4 as the facilitator saw it")

    monkeypatch.setattr(exports, "render_binary", render)
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/kommunen/musterstadt/swot/boards/{board.pk}/export/pdf/")
    job = Job.objects.get(kind="swot.export")
    assert response.status_code == 302 and job.status == Job.Status.SUCCEEDED, job.message
    base = f"/kommunen/musterstadt/swot/boards/{board.pk}/export"
    assert client.get(f"{base}/datei/{job.pk}/").status_code == 200
    for other in (viewer, participant_user):
        client.force_login(other)
        assert client.get(f"{base}/auftrag/{job.pk}/").status_code == 404
        assert client.get(f"{base}/datei/{job.pk}/").status_code == 404
