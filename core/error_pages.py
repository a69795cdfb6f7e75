"""The friendly 404 page also in development (DEBUG), where Django would show its technical page.

Django answers an unknown address with its debug page when DEBUG is on, which is how run.sh starts the
app for people trying it: they should see the page a user sees. Developers can still get the technical
page with ``?debug-404`` in the address. Pages that render their own 404 (an invalid invitation) keep it.

An address under ``/api/`` that matches no route (``/boards/abc/`` where an id belongs) is answered like any
other unknown object of the API: JSON ``{"detail": "Nicht gefunden."}``, never an HTML page.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.exceptions import NotFound

_TECHNICAL = b"because you have <code>DEBUG = True</code>"


class FriendlyNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not getattr(response, "streaming", False)
            and _TECHNICAL in response.content
            and "debug-404" not in request.GET
            and not request.path.startswith("/api/")
        ):
            return render(request, "404.html", status=404)
        return response
