"""Django's ASGI handler, made cheaper for a code base whose views and middleware are all synchronous.

Django's ``ASGIHandler`` adds thread traffic to every request: for a cached explorer drill-down (about
1.5 ms of work) another 0.5 ms of CPU and 1 ms of wall time per request under 20 concurrent clients
(docs/benchmarks.md). This subclass changes two things, nothing about what a request sees:

- **A thread per request, reused.** Django gives every request a fresh single-thread executor
  (``asgiref.sync.ThreadSensitiveContext``) and, when the request ends, starts yet another thread to join
  it: two thread starts per request, each a wait of the event loop for the new thread to take the GIL.
  Here a request takes an idle executor from a per-process pool and gives it back when it ends (the same
  thread reuse as a threaded WSGI server). As in Django, all synchronous code of one request runs in one
  thread: the ``request_started``/``request_finished`` receivers, the middleware and the view, so its
  database connection is returned to the pool at the end of the request. An executor still busy with an
  aborted request's work (the client went away while the view ran) is not reused but shut down.
- **One hop into the synchronous code.** Django builds an asynchronous middleware chain; with our
  synchronous middleware it crosses from the event loop into a thread, back to the loop for the inner
  handler, and into the thread again for the view. Here the chain is built synchronous, as under WSGI,
  and the whole of it runs in one ``sync_to_async`` call.

Everything else (reading and bounding the body, disconnect handling, sending, streaming responses) is
Django's own ``ASGIHandler``.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import FileResponse

IDLE_THREADS_KEPT = 64  # beyond this many idle request threads, a returned one is shut down


class _RequestThread(ThreadPoolExecutor):
    """A single-thread executor that knows whether work submitted to it is still pending."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="django-request")
        self._lock = threading.Lock()
        self.pending = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._lock:
            self.pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future) -> None:
        with self._lock:
            self.pending -= 1


class RequestThreads:
    """Idle request threads of this process (used from the event loop's thread only)."""

    def __init__(self) -> None:
        self._idle: list[_RequestThread] = []

    def take(self) -> _RequestThread:
        return self._idle.pop() if self._idle else _RequestThread()

    def give(self, executor: _RequestThread) -> None:
        if executor.pending or len(self._idle) >= IDLE_THREADS_KEPT:
            executor.shutdown(wait=False)  # finishes what it runs, then its thread ends
        else:
            self._idle.append(executor)


class SyncASGIHandler(ASGIHandler):
    """``config.asgi``'s HTTP application (see the module docstring)."""

    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.threads = RequestThreads()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.take()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give(executor)

    async def run_get_response(self, request):
        response = await sync_to_async(self.get_response)(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        return response
