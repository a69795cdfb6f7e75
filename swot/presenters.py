"""How the board looks to one viewer: the one place that decides anonymity, face-down cards and "mine".

Pure functions on dicts (no Django import). Every way out of the server goes through them: the board
page and REST snapshot, live pushes, the catch-up, conflict errors, REST card answers, the history
page and the exports. The stored data keeps authors and voters (for permissions and restore); what a
viewer receives is decided here:

* anonymous board: no author names on cards, no actor names on card/cluster/vote events;
* anonymous votes: no voter names on vote events (``mine`` still tells you your own dots);
* collecting face down (``hide_while_collecting`` and not yet revealed): other people's cards,
  deleted ones included, arrive with ``hidden: true`` and empty text, note and previous text, except
  for facilitators;
* presence on an anonymous board: only your own entry is named.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, replace
from typing import Any

ANONYMOUS_KINDS = ("card.", "cards.", "cluster.", "vote.")


@dataclass(frozen=True)
class Viewer:
    """Who is looking (participant id, facilitating or not) and the board's visibility settings."""

    participant_id: int | None
    facilitator: bool
    anonymous: bool = False
    anonymous_votes: bool = True
    hidden: bool = False

    @classmethod
    def of(cls, actor: Any, visibility: dict) -> Viewer:
        """The viewer of a ``swot.access.Actor`` on a board with ``Board.visibility()``."""
        return cls(actor.participant.pk, actor.is_facilitator).seeing(visibility)

    def seeing(self, visibility: dict) -> Viewer:
        """The same person under other visibility settings (a live event carries those of its time)."""
        return replace(
            self,
            anonymous=bool(visibility.get("anonymous")),
            anonymous_votes=bool(visibility.get("anonymous_votes")),
            hidden=bool(visibility.get("hidden")),
        )


def present_card(card: dict, viewer: Viewer) -> dict:
    """A card as ``viewer`` may see it: author hidden on anonymous boards, text hidden while face down."""
    out = dict(card)
    author = out.pop("author", None) or {}
    mine = viewer.participant_id is not None and author.get("id") == viewer.participant_id
    out["mine"] = mine
    out["author_name"] = "" if viewer.anonymous else author.get("name", "")
    out["hidden"] = bool(viewer.hidden and not mine and not viewer.facilitator)
    if out["hidden"]:
        out["text"] = ""
        out["note"] = ""
    return out


def present_cards(cards: list[dict], viewer: Viewer) -> list[dict]:
    return [present_card(c, viewer) for c in cards]


def present_event(event: dict, viewer: Viewer) -> dict:
    """An event dict (``BoardEvent.as_dict``) as ``viewer`` may see it."""
    out = deepcopy(event)
    payload = out.get("payload", {})
    actor = out.get("actor") or {}
    mine = viewer.participant_id is not None and actor.get("id") == viewer.participant_id
    anonymous = viewer.anonymous and out["kind"].startswith(ANONYMOUS_KINDS)
    if out["kind"].startswith("vote.") and viewer.anonymous_votes:
        anonymous = True
    out["actor"] = {"mine": mine, "name": "" if anonymous else actor.get("name", "")}
    if "card" in payload:
        payload["card"] = present_card(payload["card"], viewer)
        if payload["card"]["hidden"]:
            payload.pop("previous", None)
    if "cards" in payload:
        payload["cards"] = present_cards(payload["cards"], viewer)
    if "voter" in payload:
        payload["mine"] = viewer.participant_id is not None and payload.pop("voter") == viewer.participant_id
    return out


def present_error(error: dict, viewer: Viewer) -> dict:
    """A refused request's answer (``BoardError.as_dict``): a conflict's current card, presented."""
    if "card" not in error:
        return error
    return {**error, "card": present_card(error["card"], viewer)}


def present_presence(presence: list[dict], viewer: Viewer, *, anonymous_name: str) -> list[dict]:
    """Who is connected (``[{id, name, guest}]``) as ``viewer`` may see it, with ``mine`` set.

    On an anonymous board only the viewer's own entry carries a name; the others are counted, not named
    (``anonymous_name``), as in the workshop record.
    """
    out = []
    for entry in presence:
        mine = viewer.participant_id is not None and entry["id"] == viewer.participant_id
        item = {**entry, "mine": mine}
        if viewer.anonymous and not mine:
            item["name"] = anonymous_name
        out.append(item)
    return out
