"""ASGI middleware that bounds request bodies before Django reads them.

A body is refused with **413** as soon as it is known to be too large: at once by its declared
``Content-Length`` (nothing of it is read), or, for a chunked body without a length, as soon as the bytes
received pass the limit (the rest is not read). Only ``multipart/form-data`` bodies may carry files and get
the upload limit (``MAX_UPLOAD_MB`` plus room for the form fields); every other body gets
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (10 MB), enough for any JSON or form the app takes.

This only bounds memory if the server streams the body to the application in chunks: uvicorn does,
Daphne does not (it collects the whole body before calling the application); see docs/security.md.
Django then spools what it reads to a temporary file beyond ``FILE_UPLOAD_MAX_MEMORY_SIZE``.
"""

from __future__ import annotations

from django.conf import settings

_MESSAGE = (
    "Die Anfrage ist zu groß (höchstens %(mb)d MB). / The request body is too large (at most %(mb)d MB)."
)


def body_limit_for(headers: dict[bytes, bytes]) -> int:
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if content_type == b"multipart/form-data":
        return settings.MAX_UPLOAD_BYTES + 1024 * 1024
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodySizeLimitMiddleware:
    """Wraps the HTTP application; websockets and lifespan pass through."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        limit = body_limit_for(headers)
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or len(declared) > 18:
                return await _answer(send, 400, b"Invalid Content-Length.")
            if int(declared) > limit:
                return await _answer(send, 413, (_MESSAGE % {"mb": limit // 2**20}).encode())

        received = 0
        refused = False

        async def bounded_receive():
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await _answer(send, 413, (_MESSAGE % {"mb": limit // 2**20}).encode())
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not refused:  # the application's answer to a body we cut off goes nowhere
                await send(message)

        await self.app(scope, bounded_receive, guarded_send)


async def _answer(send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
