"""Token authentication for websockets, so that scripts can open the sockets the browser opens.

Browsers authenticate a websocket with the session cookie (Channels' ``AuthMiddlewareStack``); a
script sends the REST API's token instead: ``Authorization: Token <key>`` on the handshake. A present
but unknown token (or one of an inactive user) makes the connection anonymous, never falls back to the
cookie. The ``Origin`` check of ``config/asgi.py`` applies to both.
"""

from __future__ import annotations

import re

from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

from core.db import db_sync_to_async


def token_key(scope: dict) -> str | None:
    """The key of an ``Authorization: Token <key>`` header of the handshake, else None."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _sep, key = value.decode("latin-1").partition(" ")
            if scheme.lower() == "token":
                return key.strip()
    return None


# DRF's keys: 40 hexadecimal characters. Anything else (NUL characters, kilobytes of text) is no key and
# never reaches the database.
TOKEN_KEY = re.compile(r"[0-9A-Za-z]{1,40}")


@db_sync_to_async
def user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    if not TOKEN_KEY.fullmatch(key):
        return AnonymousUser()

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


class TokenAuthMiddleware(BaseMiddleware):
    """Sets ``scope["user"]`` from an API token when the handshake carries one (inside the session stack)."""

    async def __call__(self, scope, receive, send):
        key = token_key(scope)
        if key is not None:
            scope = dict(scope, user=await user_for_token(key))
        return await super().__call__(scope, receive, send)
