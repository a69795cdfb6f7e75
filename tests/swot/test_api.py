"""REST API: a script creates boards, cards and invites and drives a workshop; same services, same events."""

import pytest
from rest_framework.authtoken.models import Token

from core.models import Role
from swot import services
from swot.models import BoardEvent, Card, Invite
from tests.swot.conftest import card

pytestmark = pytest.mark.django_db
BASE = "/api/v1/municipalities/musterstadt/swot"


def test_script_drives_a_workshop(api_client, municipality, facilitator):
    token = Token.objects.create(user=facilitator)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    # Create a board
    response = api_client.post(
        f"{BASE}/boards/", {"title": "Innenstadt Herten", "vote_budget": 3}, format="json"
    )
    assert response.status_code == 201, response.content
    board_id = response.json()["id"]
    # Add cards
    response = api_client.post(
        f"{BASE}/boards/{board_id}/cards/", {"quadrant": "S", "text": "Schlosspark"}, format="json"
    )
    assert response.status_code == 201
    created = response.json()
    assert created["version"] == 1 and created["mine"]
    # Edit with the right version, then with a stale one (409 with the current card)
    url = f"{BASE}/boards/{board_id}/cards/{created['id']}/"
    assert (
        api_client.patch(
            url, {"expected_version": 1, "text": "Nähe zum Schlosspark"}, format="json"
        ).status_code
        == 200
    )
    stale = api_client.patch(url, {"expected_version": 1, "text": "Alt"}, format="json")
    assert stale.status_code == 409 and stale.json()["card"]["text"] == "Nähe zum Schlosspark"
    # Any websocket message through the actions endpoint
    response = api_client.post(
        f"{BASE}/boards/{board_id}/actions/", {"type": "board.phase", "phase": "vote"}, format="json"
    )
    assert response.status_code == 200 and response.json()["phase"] == "vote"
    seq = response.json()["seq"]
    # Invites
    response = api_client.post(
        f"{BASE}/boards/{board_id}/invites/", {"days": 2, "label": "Workshop"}, format="json"
    )
    assert response.status_code == 201
    invite = response.json()
    assert invite["join_url"] == f"/kommunen/musterstadt/swot/beitreten/{invite['code']}/"
    revoke = api_client.post(f"{BASE}/boards/{board_id}/invites/{invite['id']}/revoke/")
    assert revoke.status_code == 200 and revoke.json()["revoked_at"]
    # Events and snapshot
    events = api_client.get(f"{BASE}/boards/{board_id}/events/?since=0").json()
    assert [e["seq"] for e in events["events"]][:seq] == list(range(1, seq + 1))
    snapshot = api_client.get(f"{BASE}/boards/{board_id}/snapshot/").json()
    assert snapshot["board"]["phase"] == "vote" and len(snapshot["cards"]) == 1
    assert BoardEvent.objects.filter(board_id=board_id).count() == snapshot["seq"]
    # Delete
    assert api_client.delete(url).status_code == 204
    assert not Card.objects.live().exists()


def test_api_permissions(api_client, board, fac, participant_user, viewer, outsider):
    api_client.force_authenticate(viewer)
    assert api_client.get(f"{BASE}/boards/").json()["count"] == 1
    assert (
        api_client.post(
            f"{BASE}/boards/{board.pk}/cards/", {"quadrant": "S", "text": "x"}, format="json"
        ).status_code
        == 403
    )
    assert api_client.post(f"{BASE}/boards/", {"title": "Neu"}, format="json").status_code == 403
    api_client.force_authenticate(participant_user)
    assert api_client.post(f"{BASE}/boards/", {"title": "Neu"}, format="json").status_code == 403
    assert api_client.get(f"{BASE}/boards/{board.pk}/invites/").status_code == 403
    response = api_client.post(
        f"{BASE}/boards/{board.pk}/actions/", {"type": "board.lock", "locked": True}, format="json"
    )
    assert response.status_code == 403
    api_client.force_authenticate(outsider)
    assert api_client.get(f"{BASE}/boards/").status_code == 404
    assert api_client.get(f"{BASE}/boards/{board.pk}/snapshot/").status_code == 404


def test_invite_list_has_no_n_plus_one(api_client, board, fac, facilitator, django_assert_max_num_queries):
    for _ in range(5):
        from swot import services

        services.invite_create(board_id=board.pk, actor=fac, days=1)
    api_client.force_authenticate(facilitator)
    with django_assert_max_num_queries(12):
        response = api_client.get(f"{BASE}/boards/{board.pk}/invites/")
    assert response.json()["count"] == Invite.objects.count() == 5


def test_measures_endpoint(api_client, board, fac, part, municipality, member_factory):
    from swot import services

    s, o = card(part, text="s"), card(part, quadrant="O", text="o")
    services.board_set_phase(board_id=board.pk, actor=fac, phase="derive")
    strategy = services.strategy_create(board_id=board.pk, actor=fac, title="Zentrum", card_ids=[s.pk, o.pk])
    services.strategy_select(board_id=board.pk, actor=fac, strategy_id=strategy.pk)
    services.strategy_to_measure(board_id=board.pk, actor=fac, strategy_id=strategy.pk, cost_estimate="1000")
    api_client.force_authenticate(member_factory(municipality, Role.VIEWER))
    data = api_client.get(f"{BASE}/measures/").json()
    assert data["count"] == 1
    assert data["results"][0]["cost_estimate"] == "1000.00" and data["results"][0]["board_id"] == board.pk


def _login(api_client, user):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.mark.parametrize(
    "body",
    [
        {"type": ["card.create"]},
        {"type": 7},
        {"type": None},
        {"type": "card.create", "quadrant": "S", "text": {"x": 1}},
        {"type": "card.create", "quadrant": "S", "text": "a\x00"},
        {"type": "card.update", "card_id": "²", "expected_version": 1, "text": "x"},
        {"type": "card.update", "card_id": 1, "expected_version": 2**40, "text": "x"},
        {"type": "card.merge", "target_id": 1, "source_ids": [True]},
        {"type": "card.rate", "card_id": 1, "weight": "-Infinity"},
        {"type": "timer.start", "seconds": "NaN"},
        {"type": "strategy.create", "title": "x", "card_ids": [2**64, 1]},
        {"type": "strategy.measure", "strategy_id": 1, "cost_estimate": 1e308},
        {"type": "strategy.measure", "strategy_id": 1, "deadline": "31.12.2027"},
    ],
)
def test_actions_refuse_malformed_payloads_with_400_naming_the_field(api_client, board, facilitator, body):
    _login(api_client, facilitator)
    response = api_client.post(f"{BASE}/boards/{board.pk}/actions/", body, format="json")
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] == "invalid" and data["message"]
    assert BoardEvent.objects.count() == 0


def test_form_bodies_and_non_objects_are_400_not_500(api_client, board, facilitator):
    _login(api_client, facilitator)
    url = f"{BASE}/boards/{board.pk}/actions/"
    form = api_client.post(url, {"type": "card.create", "quadrant": "S", "text": ["a", "b"]})  # multipart
    assert form.status_code == 400 and form.json()["code"] == "invalid"
    urlencoded = api_client.post(
        url, "type=card.create&quadrant=S&text=a", content_type="application/x-www-form-urlencoded"
    )
    assert urlencoded.status_code == 400
    assert api_client.post(url, [1, 2], format="json").status_code == 400
    form_card = api_client.post(f"{BASE}/boards/{board.pk}/cards/", {"quadrant": "S", "text": "x"})
    assert form_card.status_code == 400
    assert api_client.post(f"{BASE}/boards/abc/actions/", {}, format="json").status_code == 404


def test_rest_and_websocket_share_one_schema_per_action():
    from swot.dispatch import ACTIONS
    from swot.schemas import ACTION_SCHEMAS

    assert set(ACTIONS) == set(ACTION_SCHEMAS)
    assert all("type" in schema().fields for schema in ACTION_SCHEMAS.values())


def test_actions_answer_presents_cards_for_the_caller(api_client, board, fac, part, participant_user):
    # Given a face-down board and the facilitator's card
    services.board_update_settings(board_id=board.pk, actor=fac, hide_while_collecting=True)
    secret = card(fac, "S", "Geheime Stärke")
    # When a participant moves it over the actions endpoint
    _login(api_client, participant_user)
    response = api_client.post(
        f"{BASE}/boards/{board.pk}/actions/", {"type": "card.move", "card_id": secret.pk}, format="json"
    )
    # Then the answer does not reveal its text or author
    assert response.status_code == 200, response.content
    assert response.json()["card"]["hidden"] and response.json()["card"]["text"] == ""
    assert "author" not in response.json()["card"]


def test_guest_joins_by_code_over_the_api_and_uses_the_credential_on_the_socket_only(
    api_client, board, invite
):
    # When a guest joins with the code (any case, spaces)
    body = {"code": f" {invite.code.lower()} ", "display_name": "Gisela Gast"}
    response = api_client.post("/api/v1/swot/join/", body, format="json")
    # Then they get the board, their participant and the guest credential
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["board"]["id"] == board.pk and data["participant"]["name"] == "Gisela Gast"
    assert data["ws_path"] == f"/ws/swot/boards/{board.pk}/" and data["guest_token"]
    from swot.access import guest_participant_id

    assert guest_participant_id(data["guest_token"], board.pk) == data["participant"]["id"]
    # REST does not accept the credential
    api_client.credentials(HTTP_AUTHORIZATION=f"Guest {data['guest_token']}")
    assert api_client.get(f"{BASE}/boards/{board.pk}/snapshot/").status_code in (401, 403)
    api_client.credentials()
    # An unknown or revoked code is a 404 with the protocol's body
    unknown = api_client.post("/api/v1/swot/join/", {"code": "NOPE", "display_name": "X"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert api_client.post("/api/v1/swot/join/", {"code": invite.code}, format="json").status_code == 400


def test_token_login_for_scripts(api_client, facilitator):
    facilitator.set_password("ein-sicheres-passwort")
    facilitator.save()
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "moderation", "password": "ein-sicheres-passwort"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=facilitator).key
    wrong = api_client.post("/api/v1/auth/token/", {"username": "moderation", "password": "x"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get(f"{BASE}/boards/").status_code == 200


def test_invite_create_answer_has_the_id_that_revoking_needs(api_client, board, facilitator):
    _login(api_client, facilitator)
    created = api_client.post(f"{BASE}/boards/{board.pk}/invites/", {"days": 1}, format="json").json()
    assert {"id", "code", "join_url", "expires_at"} <= set(created)
    revoked = api_client.post(f"{BASE}/boards/{board.pk}/invites/{created['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_event_log_over_rest_is_presented_for_the_caller(api_client, board, fac, part, viewer):
    services.board_update_settings(board_id=board.pk, actor=fac, hide_while_collecting=True)
    secret = card(part, "S", "Geheim über REST")
    services.board_set_phase(board_id=board.pk, actor=fac, phase="vote")
    services.vote_cast(board_id=board.pk, actor=part, card_id=secret.pk)
    _login(api_client, viewer)
    events = api_client.get(f"{BASE}/boards/{board.pk}/events/?since=0").json()["events"]
    assert "Geheim über REST" not in str(events)
    assert [e["kind"] for e in events][-2:] == ["board.phase", "vote.cast"]
    assert events[-1]["actor"]["name"] == "" and "voter" not in events[-1]["payload"]
