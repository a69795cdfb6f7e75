"""The board websocket: permissions on connect and per message, sequence numbers, catch-up, conflicts."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from config.asgi import application
from core.models import Role
from swot import services
from swot.access import guest_token
from swot.models import Board, Card
from tests.swot.conftest import card

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(board_id, user=None, *, query="", expect=True, headers=()):
    communicator = WebsocketCommunicator(
        application,
        f"/ws/swot/boards/{board_id}/{query}",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost"), *headers],
    )
    if user is not None:
        communicator.scope["user"] = user
    connected, code = await communicator.connect()
    assert connected, code  # refusals too are accepted first, then closed with 4403 (see _refused)
    if not expect:
        return communicator
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    await communicator.receive_json_from(timeout=5)  # own presence broadcast
    return communicator, hello


async def _refused(board_id, user=None, *, query="", headers=()) -> bool:
    """The connection is accepted, answered with ``forbidden`` and closed with 4403 (what clients see)."""
    communicator = await _connect(board_id, user, query=query, expect=False, headers=headers)
    error = await communicator.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "forbidden"), error
    close = await communicator.receive_output(timeout=5)
    return close == {"type": "websocket.close", "code": 4403}


async def _until(communicator, kind, timeout=5):
    """Next message of a type (skipping presence updates and broadcast events)."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message
        assert message["type"] in ("presence", "event"), message


async def test_member_connects_syncs_and_sees_others_changes_in_sequence(
    board, facilitator, participant_user
):
    alice, hello = await _connect(board.pk, facilitator)
    assert hello["seq"] == 0 and "facilitate" in hello["capabilities"]
    bob, _ = await _connect(board.pk, participant_user)
    await _until(alice, "presence")
    # When Bob adds a card over the socket
    await bob.send_json_to({"type": "card.create", "id": "r1", "quadrant": "S", "text": "Prägende Gebäude"})
    # Then Bob gets an ack with the event's number, and both receive the event numbered 1
    ack = await _until(bob, "ack")
    assert (ack["id"], ack["seq"], ack["version"]) == ("r1", 1, 1)
    event = (await _until(alice, "event"))["event"]
    assert (event["seq"], event["kind"]) == (1, "card.created")
    assert event["payload"]["card"]["text"] == "Prägende Gebäude"
    assert event["payload"]["card"]["author_name"] == "Karl Kämmerer" and not event["payload"]["card"]["mine"]
    own = (await _until(bob, "event"))["event"]
    assert own["payload"]["card"]["mine"] and own["actor"]["mine"]
    # A sync from 0 replays it; a sync from the current number returns nothing
    await alice.send_json_to({"type": "sync", "id": "s1", "since": 0})
    replay = await _until(alice, "events")
    assert [e["seq"] for e in replay["events"]] == [1]
    await alice.send_json_to({"type": "sync", "since": 1})
    assert (await _until(alice, "events"))["events"] == []
    await alice.disconnect()
    await bob.disconnect()


async def test_changes_made_while_disconnected_are_caught_up(board, participant_user, facilitator):
    # Given a client at seq 1 that disconnects
    client, _ = await _connect(board.pk, participant_user)
    await client.send_json_to(
        {"type": "card.create", "id": "a", "quadrant": "O", "text": "Soziales Laboratorium"}
    )
    await _until(client, "ack")
    await client.disconnect()
    # When others make changes meanwhile (REST or another socket: the same services)
    fac_actor = await sync_to_async(_actor)(board, facilitator)
    for i in range(3):
        await sync_to_async(card)(fac_actor, "T", f"Risiko {i}")
    # Then on reconnect the client learns the current number and replays exactly what it missed
    client, hello = await _connect(board.pk, participant_user)
    assert hello["seq"] == 4
    await client.send_json_to({"type": "sync", "since": 1})
    replay = await _until(client, "events")
    assert [e["seq"] for e in replay["events"]] == [2, 3, 4]
    # And a client far behind (or with no state) gets a snapshot
    await client.send_json_to({"type": "sync", "since": -1})
    snapshot = await _until(client, "snapshot")
    assert snapshot["seq"] == 4 and len(snapshot["cards"]) == 4
    await client.disconnect()


def _actor(board, user):
    from swot.access import actor_for_user

    return actor_for_user(Board.objects.select_related("municipality").get(pk=board.pk), user)


async def test_stale_edit_gets_a_conflict_with_the_current_card(board, participant_user, facilitator):
    part_actor = await sync_to_async(_actor)(board, participant_user)
    c = await sync_to_async(card)(part_actor, "S", "Original")
    fac, _ = await _connect(board.pk, facilitator)
    bob, _ = await _connect(board.pk, participant_user)
    # Both edit from version 1; the facilitator is first
    await fac.send_json_to(
        {"type": "card.update", "id": "f", "card_id": c.pk, "expected_version": 1, "text": "Fac"}
    )
    assert (await _until(fac, "ack"))["version"] == 2
    await bob.send_json_to(
        {"type": "card.update", "id": "b", "card_id": c.pk, "expected_version": 1, "text": "Bob"}
    )
    error = await _until(bob, "error")
    assert error["code"] == "conflict" and error["id"] == "b"
    assert error["card"]["text"] == "Fac" and error["card"]["version"] == 2
    assert (await sync_to_async(Card.objects.get)(pk=c.pk)).text == "Fac"
    await fac.disconnect()
    await bob.disconnect()


async def test_viewer_watches_but_cannot_edit(board, viewer):
    client, hello = await _connect(board.pk, viewer)
    assert hello["capabilities"] == ["view"]
    await client.send_json_to({"type": "card.create", "id": "x", "quadrant": "S", "text": "Nein"})
    error = await _until(client, "error")
    assert error["code"] == "forbidden"
    assert await sync_to_async(Card.objects.count)() == 0
    await client.disconnect()


async def test_participant_cannot_steer_the_workshop(board, participant_user):
    client, _ = await _connect(board.pk, participant_user)
    for message in ({"type": "board.phase", "phase": "vote"}, {"type": "board.lock", "locked": True},
                    {"type": "timer.start", "seconds": 60}, {"type": "board.reveal"}):  # fmt: skip
        await client.send_json_to(message)
        assert (await _until(client, "error"))["code"] == "forbidden"
    await client.disconnect()


async def test_outsider_anonymous_and_unknown_boards_are_accepted_then_closed_with_4403(board, outsider):
    assert await _refused(board.pk, outsider)
    assert await _refused(board.pk, AnonymousUser())
    assert await _refused(board.pk + 1000, outsider)


async def test_guest_joins_own_board_only(board, municipality, facilitator):
    # Given a guest of board A and a second board B
    other = await sync_to_async(services.board_create)(municipality=municipality, title="B")
    fac = await sync_to_async(_actor)(board, facilitator)
    invite = await sync_to_async(services.invite_create)(board_id=board.pk, actor=fac, days=1)
    participant = await sync_to_async(services.guest_join)(code=invite.code, display_name="Gisela")
    token = await sync_to_async(guest_token)(participant)
    # Then the guest connects to A with the token and may write cards there
    client, hello = await _connect(board.pk, query=f"?guest={token}")
    assert hello["guest"] and hello["participant"]["name"] == "Gisela"
    await client.send_json_to({"type": "card.create", "id": "g", "quadrant": "W", "text": "Barriere Ring"})
    assert (await _until(client, "ack"))["seq"] >= 1
    # But not to B, nor with a forged token
    assert await _refused(other.pk, query=f"?guest={token}")
    assert await _refused(board.pk, query=f"?guest={token[:-2]}xx")
    # A guest cannot steer either
    await client.send_json_to({"type": "board.phase", "phase": "vote"})
    assert (await _until(client, "error"))["code"] == "forbidden"
    await client.disconnect()


async def test_revoking_an_invite_disconnects_its_guests_and_refuses_their_messages(board, facilitator):
    fac = await sync_to_async(_actor)(board, facilitator)
    invite = await sync_to_async(services.invite_create)(board_id=board.pk, actor=fac, days=1)
    participant = await sync_to_async(services.guest_join)(code=invite.code, display_name="Gisela")
    token = await sync_to_async(guest_token)(participant)
    client, _ = await _connect(board.pk, query=f"?guest={token}")
    await sync_to_async(services.invite_revoke)(board_id=board.pk, actor=fac, invite_id=invite.pk)
    error = await _until(client, "error")
    assert error["code"] == "forbidden"
    assert (await client.receive_output(timeout=5))["type"] == "websocket.close"


async def test_role_change_takes_effect_on_the_next_message(board, participant_user, municipality):
    from core.models import Membership

    client, _ = await _connect(board.pk, participant_user)
    await sync_to_async(Membership.objects.filter(user=participant_user).update)(role=Role.VIEWER)
    await client.send_json_to({"type": "card.create", "id": "x", "quadrant": "S", "text": "Nein"})
    assert (await _until(client, "error"))["code"] == "forbidden"
    await sync_to_async(Membership.objects.filter(user=participant_user).delete)()
    await client.send_json_to({"type": "card.create", "id": "y", "quadrant": "S", "text": "Nein"})
    assert (await _until(client, "error"))["code"] == "forbidden"
    assert (await client.receive_output(timeout=5))["type"] == "websocket.close"


async def test_presence_lists_connected_people(board, facilitator, participant_user):
    alice, _ = await _connect(board.pk, facilitator)
    bob, _ = await _connect(board.pk, participant_user)
    presence = await _until(alice, "presence")
    assert {p["name"] for p in presence["presence"]} == {"Mia Moderat", "Karl Kämmerer"}
    await bob.disconnect()
    presence = await _until(alice, "presence")
    assert [p["name"] for p in presence["presence"]] == ["Mia Moderat"]
    await alice.send_json_to({"type": "ping", "id": "p"})
    assert (await _until(alice, "pong"))["id"] == "p"
    await alice.disconnect()


async def test_bad_messages_get_errors_not_crashes(board, participant_user):
    client, _ = await _connect(board.pk, participant_user)
    await client.send_json_to({"type": "nonsense", "id": 1})
    assert (await _until(client, "error"))["code"] == "invalid"
    await client.send_json_to(
        {"type": "card.update", "id": 2, "card_id": 999999, "expected_version": 1, "text": "x"}
    )
    assert (await _until(client, "error"))["code"] == "not_found"
    await client.send_json_to({"type": "card.update", "id": 3})
    assert (await _until(client, "error"))["code"] == "invalid"
    await client.disconnect()


async def test_scripts_authenticate_with_the_api_token_and_guests_with_their_credential(
    board, participant_user, facilitator
):
    from rest_framework.authtoken.models import Token

    token = await sync_to_async(Token.objects.create)(user=participant_user)
    client, hello = await _connect(board.pk, headers=[(b"authorization", f"Token {token.key}".encode())])
    assert hello["participant"]["name"] == "Karl Kämmerer" and not hello["guest"]
    await client.disconnect()
    # A wrong token is not a fall-back to anything: refused
    assert await _refused(board.pk, headers=[(b"authorization", b"Token wrong")])
    # Guests send their credential as a header too
    fac = await sync_to_async(_actor)(board, facilitator)
    invite = await sync_to_async(services.invite_create)(board_id=board.pk, actor=fac, days=1)
    participant = await sync_to_async(services.guest_join)(code=invite.code, display_name="Gisela")
    credential = await sync_to_async(guest_token)(participant)
    client, hello = await _connect(board.pk, headers=[(b"authorization", f"Guest {credential}".encode())])
    assert hello["guest"] and hello["participant"]["name"] == "Gisela"
    await client.disconnect()


async def test_a_removed_member_receives_no_further_event_and_is_closed(
    board, participant_user, facilitator, monkeypatch
):
    from core.models import Membership
    from swot import consumers

    monkeypatch.setattr(consumers, "PUSH_RECHECK", 0)  # check before every push
    alice, _ = await _connect(board.pk, facilitator)
    bob, _ = await _connect(board.pk, participant_user)
    await _until(alice, "presence")
    # When Bob's membership is removed and Alice changes the board
    await sync_to_async(Membership.objects.filter(user=participant_user).delete)()
    await alice.send_json_to({"type": "card.create", "id": "a", "quadrant": "S", "text": "Geheim"})
    assert (await _until(alice, "ack"))["seq"] == 1
    # Then Bob gets no event, but forbidden and the close code 4403
    received = []
    while (message := await bob.receive_output(timeout=5))["type"] != "websocket.close":
        received.append(message)
    assert message["code"] == 4403
    texts = [m["text"] for m in received]
    assert not any("Geheim" in t for t in texts) and any('"forbidden"' in t for t in texts)
    await alice.disconnect()


async def test_an_idle_socket_of_a_deactivated_user_is_closed_by_the_periodic_check(
    board, participant_user, monkeypatch
):
    from swot import consumers

    monkeypatch.setattr(consumers, "PERIODIC_RECHECK", 0.2)
    client, _ = await _connect(board.pk, participant_user)
    participant_user.is_active = False
    await sync_to_async(participant_user.save)(update_fields=["is_active"])
    while (message := await client.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    assert message["code"] == 4403


async def test_ping_rechecks_access(board, participant_user):
    from core.models import Membership

    client, _ = await _connect(board.pk, participant_user)
    await client.send_json_to({"type": "ping", "id": "p1"})
    assert (await _until(client, "pong"))["id"] == "p1"
    await sync_to_async(Membership.objects.filter(user=participant_user).delete)()
    await client.send_json_to({"type": "ping", "id": "p2"})
    assert (await _until(client, "error"))["code"] == "forbidden"
    assert (await client.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}


@pytest.mark.parametrize(
    "message",
    [
        {"type": ["card.create"]},
        {"type": 5},
        {"type": "card.create", "quadrant": "S", "text": ["a"]},
        {"type": "card.create", "quadrant": "S", "text": "x" * 501},
        {"type": "card.create", "quadrant": "S", "text": "a\x00b"},
        {"type": "card.update", "card_id": "1e308", "expected_version": 1, "text": "x"},
        {"type": "card.update", "card_id": 2**70, "expected_version": 1, "text": "x"},
        {"type": "card.merge", "target_id": 1, "source_ids": "1,2"},
        {"type": "card.merge", "target_id": 1, "source_ids": [1, "x"]},
        {"type": "card.rate", "card_id": 1, "weight": "NaN"},
        {"type": "card.rate", "card_id": 1, "weight": "Infinity"},
        {"type": "card.rate", "card_id": 1, "weight": 1e308},
        {"type": "timer.start", "seconds": 1e308},
        {"type": "strategy.measure", "strategy_id": 1, "cost_estimate": "1e308"},
        {"type": "strategy.measure", "strategy_id": 1, "deadline": 5},
        {"type": "board.phase", "phase": {"a": 1}},
    ],
)
async def test_malformed_messages_are_invalid_never_server_errors(board, facilitator, message):
    client, _ = await _connect(board.pk, facilitator)
    await client.send_json_to({**message, "id": "m"})
    error = await _until(client, "error")
    assert (error["code"], error["id"]) == ("invalid", "m"), error
    await client.disconnect()


async def test_frames_that_are_not_json_objects_get_invalid(board, facilitator):
    client, _ = await _connect(board.pk, facilitator)
    await client.send_to(text_data="{not json")
    assert (await _until(client, "error"))["code"] == "invalid"
    await client.send_json_to([1, 2])
    assert (await _until(client, "error"))["code"] == "invalid"
    await client.send_json_to({"type": "ping", "id": "still-open"})
    assert (await _until(client, "pong"))["id"] == "still-open"
    await client.disconnect()


async def test_presence_on_an_anonymous_board_names_only_yourself(board, facilitator, participant_user):
    board.anonymous = True
    await sync_to_async(board.save)(update_fields=["anonymous"])
    alice, _ = await _connect(board.pk, facilitator)
    bob, _ = await _connect(board.pk, participant_user)
    presence = (await _until(alice, "presence", timeout=15))["presence"]
    assert sorted((p["name"], p["mine"]) for p in presence) == [("Mia Moderat", True), ("anonym", False)]
    await bob.send_json_to({"type": "sync", "id": "s", "since": -1})
    snapshot = await _until(bob, "snapshot", timeout=15)
    assert sorted((p["name"], p["mine"]) for p in snapshot["presence"]) == [
        ("Karl Kämmerer", True),
        ("anonym", False),
    ]
    await alice.disconnect()
    await bob.disconnect()
