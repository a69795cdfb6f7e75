"""Tailor stored events and cards to one viewer: anonymity, cards face down while collecting, "mine".

Pure functions on dicts (no Django import): the consumer, the catch-up and the REST snapshot all use
them, so what one viewer may see is decided in one place.
"""

from __future__ import annotations

from copy import deepcopy

ANONYMOUS_KINDS = ("card.", "cards.", "cluster.", "vote.")


def present_card(card: dict, *, viewer_id: int | None, facilitator: bool, visibility: dict) -> dict:
    """A card as ``viewer_id`` may see it: author hidden on anonymous boards, text hidden while face down."""
    out = dict(card)
    author = out.pop("author", None) or {}
    mine = viewer_id is not None and author.get("id") == viewer_id
    out["mine"] = mine
    out["author_name"] = "" if visibility.get("anonymous") else author.get("name", "")
    out["hidden"] = bool(visibility.get("hidden") and not mine and not facilitator and not out.get("deleted"))
    if out["hidden"]:
        out["text"] = ""
        out["note"] = ""
    return out


def present_event(event: dict, *, viewer_id: int | None, facilitator: bool, visibility: dict) -> dict:
    """An event dict (``BoardEvent.as_dict``) as one viewer may see it."""
    out = deepcopy(event)
    payload = out.get("payload", {})
    actor = out.get("actor") or {}
    mine = viewer_id is not None and actor.get("id") == viewer_id
    anonymous = visibility.get("anonymous") and out["kind"].startswith(ANONYMOUS_KINDS)
    if out["kind"].startswith("vote.") and visibility.get("anonymous_votes"):
        anonymous = True
    out["actor"] = {"mine": mine, "name": "" if anonymous else actor.get("name", "")}
    if "card" in payload:
        payload["card"] = present_card(
            payload["card"], viewer_id=viewer_id, facilitator=facilitator, visibility=visibility
        )
        if payload["card"]["hidden"]:
            payload.pop("previous", None)
    if "cards" in payload:
        payload["cards"] = [
            present_card(c, viewer_id=viewer_id, facilitator=facilitator, visibility=visibility)
            for c in payload["cards"]
        ]
    if "voter" in payload:
        payload["mine"] = viewer_id is not None and payload.pop("voter") == viewer_id
    return out
