"""The live board over websockets: authenticate, check permission on connect and per message, dispatch.

The consumer keeps no board state. Changes go through ``swot.dispatch`` (the same services the REST
API uses), which store a numbered event and publish it after commit; this consumer forwards published
events presented for its viewer. Clients detect gaps by sequence number and ask for ``sync``.
"""

from __future__ import annotations

import asyncio
import logging
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import db_sync_to_async
from swot import selectors, services
from swot.access import Actor, actor_refresh, actor_resolve, guest_cookie_name
from swot.dispatch import action_run
from swot.errors import BoardError
from swot.models import Board
from swot.presenters import Viewer, present_error, present_event, present_presence
from swot.services.events import deferred_broadcasts

logger = logging.getLogger(__name__)
CLOSE_FORBIDDEN = 4403
# How long a live event that overtook an earlier one waits for it before the gap is filled from the log.
GAP_WAIT = 0.25
# Access is re-checked before pushing when the connection's last check is older than this (seconds): a
# removed member, deactivated user or revoked guest receives nothing committed later than this after the
# change, at the cost of at most one indexed query per connection and interval, however busy the board.
PUSH_RECHECK = 1.0
# ... and, for idle boards, at every client ping and at least this often (seconds).
PERIODIC_RECHECK = 15.0


def _board(board_id: int) -> Board | None:
    return Board.objects.select_related("municipality").filter(pk=board_id).first()


@db_sync_to_async
def _connect(board_id: int, user, token: str | None, channel_name: str) -> tuple[Actor, int, dict] | None:
    board = _board(board_id)
    if board is None:
        return None
    actor = actor_resolve(board, user=user, guest_token_value=token)
    if actor is None:
        return None
    services.presence_enter(board_id=board.pk, participant=actor.participant, channel_name=channel_name)
    hello = {
        "type": "hello",
        "seq": board.seq,
        "participant": {"id": actor.participant.pk, "name": actor.participant.display_name},
        "guest": actor.is_guest,
        "capabilities": sorted(str(c) for c in actor.capabilities),
        "server_time": timezone.now().isoformat(),
    }
    return actor, board.municipality_id, hello


def _refresh(actor: Actor, municipality_id: int) -> Actor | None:
    return actor_refresh(actor, municipality_id)


# The access re-check runs in the executor's thread pool, not in the one thread that all of this process's
# other database work shares (``thread_sensitive``): a push must not wait behind requests that wait for a
# board's row lock. One indexed read, no transaction.
_checked = db_sync_to_async(_refresh, thread_sensitive=False)


@db_sync_to_async
def _act(actor: Actor, municipality_id: int, message: dict):
    """Check permission and run one action in one trip to the database thread.

    Returns ``(actor or None, result or exception, broadcasts)``; the after-commit broadcasts are
    collected (``deferred_broadcasts``) for the consumer to publish from its event loop.
    """
    actor = actor_refresh(actor, municipality_id)
    if actor is None:
        return None, None, []
    with deferred_broadcasts() as outbox:
        try:
            result = action_run(actor, message)
        except Exception as exc:  # handed to the consumer, with anything that committed before it
            return actor, exc, outbox
    return actor, result, outbox


@db_sync_to_async
def _sync(actor: Actor, since) -> dict:
    board = _board(actor.board_id)
    try:
        since = int(since)
    except (TypeError, ValueError, OverflowError):  # also NaN/Infinity, which JSON decoding lets through
        since = -1
    events = selectors.events_since(board, since, actor)
    if events is None:
        return {"type": "snapshot", **selectors.board_snapshot(board, actor)}
    return {"type": "events", "since": since, "events": events}


@db_sync_to_async
def _events_after(actor: Actor, since: int) -> list[dict] | None:
    """Live-gap repair: the events after ``since`` from the log, presented for ``actor``."""
    board = _board(actor.board_id)
    return selectors.events_since(board, since, actor) if board else None


@db_sync_to_async
def _present_error(actor: Actor, error: dict) -> dict:
    return present_error(error, Viewer.of(actor, _board(actor.board_id).visibility()))


@db_sync_to_async
def _presence(board_id: int, channel_name: str, *, leave: bool = False, touch: bool = False) -> dict:
    if leave:
        services.presence_leave(channel_name=channel_name)
    if touch:
        services.presence_touch(channel_name=channel_name)
    board = Board.objects.filter(pk=board_id).only("anonymous", "anonymous_votes", "hide_while_collecting",
                                                   "revealed").first()  # fmt: skip
    visibility = board.visibility() if board else {}
    return {"type": "board.presence", "presence": services.presence_list(board_id), "visibility": visibility}


class BoardConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/swot/boards/<id>/``: members by session or API token (``Authorization: Token``), guests by
    their signed credential (``Authorization: Guest``, ``?guest=`` or cookie). See docs/swot-protocol.md."""

    actor: Actor | None = None
    worker: asyncio.Task | None = None
    refused = False

    watchdog: asyncio.Task | None = None

    def _guest_token(self) -> str | None:
        """The guest credential: ``Authorization: Guest <token>``, ``?guest=<token>`` or the join cookie."""
        # raw bytes that are not UTF-8 (a client need not percent-encode) are no token, not a crash
        query = parse_qs(self.scope.get("query_string", b"").decode(errors="replace"))
        if query.get("guest"):
            return query["guest"][0]
        for name, value in self.scope.get("headers", []):
            if name == b"authorization":
                scheme, _sep, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "guest" and token.strip():
                    return token.strip()
            if name == b"cookie":
                cookie = SimpleCookie()
                cookie.load(value.decode("latin-1"))
                morsel = cookie.get(guest_cookie_name(self.board_id))
                if morsel:
                    return morsel.value
        return None

    async def connect(self):
        self.board_id = int(self.scope["url_route"]["kwargs"]["board_id"])
        result = await _connect(self.board_id, self.scope.get("user"), self._guest_token(), self.channel_name)
        if result is None:
            # Accept, then close with 4403, so that every client (browsers too) observes the code and
            # stops reconnecting; a refusal in the handshake would reach a browser as 1006.
            await self.accept()
            await self._refuse(None, _("Kein Zugang zu diesem Board."))
            return
        self.actor, self.municipality_id, hello = result
        self.group = f"swot-board-{self.board_id}"
        # Live events are forwarded strictly in sequence from the hello's number on (the client's sync
        # covers everything up to it); see ``board_event``.
        self.live_seq = hello["seq"]
        self.pending: dict[int, dict] = {}
        self.gap_timer: asyncio.TimerHandle | None = None
        self.forward_lock = asyncio.Lock()
        self.checked_at = asyncio.get_running_loop().time()
        # Join the group before anything else, so no event can fall between catch-up and live updates.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(hello)
        await self.channel_layer.group_send(self.group, await _presence(self.board_id, self.channel_name))
        self.watchdog = asyncio.ensure_future(self._watch())

    async def disconnect(self, code):
        for task in (self.worker, self.watchdog):
            if task is not None:
                task.cancel()
        if self.actor is None:
            return
        if self.gap_timer is not None:
            self.gap_timer.cancel()
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.channel_layer.group_send(
            self.group, await _presence(self.board_id, self.channel_name, leave=True)
        )

    async def _refuse(self, request_id, message: str) -> None:
        """Answer ``forbidden`` and close with 4403 (once); requests queued behind are dropped."""
        if self.refused:
            return
        self.refused = True
        await self.send_json(
            {"type": "error", "id": request_id, "code": BoardError.FORBIDDEN, "message": message}
        )
        await self.close(code=CLOSE_FORBIDDEN)

    async def _forbidden(self, request_id) -> None:
        await self._refuse(request_id, _("Ihr Zugang zu diesem Board ist nicht mehr gültig."))

    def _checked_now(self, actor: Actor) -> None:
        self.actor = actor
        self.checked_at = asyncio.get_running_loop().time()

    async def _still_allowed(self, max_age: float) -> bool:
        """Re-check access if the last check is older than ``max_age`` seconds; refuse and close if gone."""
        if self.refused:
            return False
        if asyncio.get_running_loop().time() - self.checked_at < max_age:
            return True
        actor = await _checked(self.actor, self.municipality_id)
        if actor is None:
            await self._forbidden(None)
            return False
        self._checked_now(actor)
        return True

    async def _watch(self) -> None:
        """Re-check access now and then, so that an idle socket of a removed member is closed too."""
        while not self.refused:
            await asyncio.sleep(PERIODIC_RECHECK)
            try:
                await self._still_allowed(PERIODIC_RECHECK / 2)
            except Exception:  # the next round tries again
                logger.warning("swot access re-check failed", exc_info=True)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Decode one frame; a frame that is not JSON gets ``invalid`` instead of closing the socket."""
        try:
            content = await self.decode_json(text_data if text_data is not None else bytes_data.decode())
        except (ValueError, UnicodeDecodeError, RecursionError):
            if self.actor is not None:
                await self.send_json({"type": "error", "id": None, "code": BoardError.INVALID,
                                      "message": _("Die Nachricht ist kein gültiges JSON.")})  # fmt: skip
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        """Queue the request for this connection's worker.

        Requests of one connection are handled one after the other, in order, but not in the consumer's
        dispatch loop: while a request waits for the database (and the board's row lock), live events
        keep flowing to this client.
        """
        if self.actor is None:
            return
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "id": None, "code": BoardError.INVALID,
                                  "message": _("Eine Nachricht ist ein JSON-Objekt.")})  # fmt: skip
            return
        if self.worker is None:
            self.requests: asyncio.Queue[dict] = asyncio.Queue()
            self.worker = asyncio.ensure_future(self._work())
        self.requests.put_nowait(content)

    async def _work(self) -> None:
        while True:
            content = await self.requests.get()
            try:
                await self._handle(content)
            except Exception:
                logger.exception("swot message %s failed", content.get("type"))

    async def _handle(self, content: dict) -> None:
        if self.refused:
            return
        request_id = content.get("id")
        kind = content.get("type")
        if kind == "ping":
            if not await self._still_allowed(0):  # every ping re-checks (browsers: every 20 s)
                return
            await _presence(self.board_id, self.channel_name, touch=True)
            await self.send_json(
                {"type": "pong", "id": request_id, "server_time": timezone.now().isoformat()}
            )
            return
        if kind == "sync":
            actor = await _checked(self.actor, self.municipality_id)
            if actor is None:
                await self._forbidden(request_id)
                return
            self._checked_now(actor)
            await self.send_json({"id": request_id, **await _sync(actor, content.get("since"))})
            return
        actor, result, outbox = await _act(self.actor, self.municipality_id, content)
        if actor is None:
            await self._forbidden(request_id)
            return
        self._checked_now(actor)
        # Publish from this event loop (after commit: the database thread has returned), then ack.
        for group, message in outbox:
            try:
                await self.channel_layer.group_send(group, message)
            except Exception:  # a lost broadcast is repaired by the receivers' gap fill and catch-up
                logger.warning("Could not publish to %s", group, exc_info=True)
        if isinstance(result, BoardError):
            error = result.as_dict()
            if "card" in error:
                error = await _present_error(actor, error)
            await self.send_json({"type": "error", "id": request_id, "request": kind, **error})
        elif isinstance(result, Exception):
            logger.error("swot message %s failed", kind, exc_info=result)
            await self.send_json(
                {"type": "error", "id": request_id, "request": kind, "code": "server_error",
                 "message": _("Ein unerwarteter Fehler ist aufgetreten.")}
            )  # fmt: skip
        else:
            await self.send_json({"type": "ack", "id": request_id, "request": kind, **_public(result)})

    # --- group messages ---------------------------------------------------------------------------
    async def board_event(self, message):
        """Forward live events strictly in sequence.

        Events are published after commit by whichever server process ran the change, so two of them
        can reach this process in the wrong order, and the layer may drop one. An event that overtakes
        is held until the missing ones arrive; if they have not after ``GAP_WAIT``, they are read from
        the event log. Numbers already forwarded are not sent again.
        """
        seq = message["event"]["seq"]
        async with self.forward_lock:
            if seq <= self.live_seq:
                return
            if not await self._still_allowed(PUSH_RECHECK):  # access is re-checked for what we push, too
                return
            if seq > self.live_seq + 1:
                self.pending[seq] = message
                if self.gap_timer is None:
                    self.gap_timer = asyncio.get_running_loop().call_later(
                        GAP_WAIT, lambda: asyncio.ensure_future(self._fill_gap())
                    )
                return
            await self._forward(message)
            while self.live_seq + 1 in self.pending:
                await self._forward(self.pending.pop(self.live_seq + 1))
            if not self.pending and self.gap_timer is not None:
                self.gap_timer.cancel()
                self.gap_timer = None

    async def _forward(self, message: dict) -> None:
        """Send one live event as this viewer may see it (visibility as of the event)."""
        viewer = Viewer.of(self.actor, message["visibility"])
        event = present_event(message["event"], viewer)
        self.live_seq = event["seq"]
        await self.send_json({"type": "event", "event": event})

    async def _fill_gap(self) -> None:
        async with self.forward_lock:
            self.gap_timer = None
            if not self.pending or not await self._still_allowed(PUSH_RECHECK):
                return
            events = await _events_after(self.actor, self.live_seq)
            if events is not None:
                for event in events:
                    if event["seq"] > self.live_seq:
                        self.live_seq = event["seq"]
                        await self.send_json({"type": "event", "event": event})
            # Too far behind for the log (or gone): forward what we hold; the client syncs on the gap.
            for seq in sorted(self.pending):
                if seq > self.live_seq:
                    await self._forward(self.pending[seq])
            self.pending.clear()

    async def board_presence(self, message):
        if not await self._still_allowed(PUSH_RECHECK):
            return
        viewer = Viewer.of(self.actor, message.get("visibility", {}))
        presence = present_presence(message["presence"], viewer, anonymous_name=_("anonym"))
        await self.send_json({"type": "presence", "presence": presence})

    async def board_kick(self, message):
        """A revoked invite or excluded guest: close their sockets at once."""
        participant = self.actor.participant
        if not self.actor.is_guest:
            return
        if message.get("participant_id") == participant.pk or (
            message.get("invite_id") and message["invite_id"] == participant.invite_id
        ):
            await self._refuse(None, _("Ihre Einladung wurde widerrufen."))


def _public(result: dict) -> dict:
    """Acks carry ids and numbers; card contents reach everyone through the (presented) event."""
    out = dict(result)
    if "card" in out:
        card = out.pop("card")
        out["card_id"] = card["id"]
        out["version"] = card["version"]
    return out
