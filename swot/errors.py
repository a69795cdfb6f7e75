"""The one exception type of board operations: a code the client can act on and a German message."""

from __future__ import annotations


class BoardError(Exception):
    """A refused board operation. ``code`` is stable (protocol), ``message`` is for people."""

    FORBIDDEN = "forbidden"
    LOCKED = "locked"
    WRONG_PHASE = "wrong_phase"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    BUDGET = "budget_exhausted"
    UNAUTHENTICATED = "unauthenticated"

    def __init__(self, code: str, message: str, **data):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, **self.data}
