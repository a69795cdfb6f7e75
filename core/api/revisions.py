"""Optimistic concurrency in the API: an update that names an outdated ``revision`` is answered 409.

Scenarios, measures, stakeholders (and balance sheets) carry a ``revision``; their update service raises
its app's conflict error, which holds the object as it is now (``current``). ``RevisionedUpdateMixin``
turns that error into the one 409 body the API documents: ``{"detail": ..., "current_revision": n}``.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response


class RevisionedUpdateMixin:
    """For DRF update views: ``conflict_error`` is the service's conflict exception (with ``current``)."""

    conflict_error: type[Exception]

    def update(self, request, *args, **kwargs):
        try:
            return super().update(request, *args, **kwargs)
        except self.conflict_error as exc:
            body = {"detail": str(exc), "current_revision": exc.current.revision}
            return Response(body, status=status.HTTP_409_CONFLICT)
