"""The client's address as the login lockout (django-axes) sees it.

With ``TRUSTED_PROXY_COUNT = 0`` (no reverse proxy) it is the TCP peer, ``REMOTE_ADDR``. Behind N trusted
proxies, each appends the address it received from to ``X-Forwarded-For``; the N-th entry from the right
is the address the outermost trusted proxy saw, the first one a client cannot forge. Entries further left
come from the client and are ignored. A header shorter than N entries (a request that bypassed a proxy)
falls back to ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
