"""REST API: a script creates boards, cards and invites and drives a workshop; same services, same events."""

import pytest
from rest_framework.authtoken.models import Token

from core.models import Role
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
