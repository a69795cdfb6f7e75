"""The friendly 404 page also in development (DEBUG), where Django would show its technical page.

Django answers an unknown address with its debug page when DEBUG is on, which is how run.sh starts the
app for people trying it: they should see the page a user sees. Developers can still get the technical
page with ``?debug-404`` in the address. Pages that render their own 404 (an invalid invitation) keep it.

The API answers in JSON also where Django answers before any API view runs: an address under ``/api/``
that matches no route (``/boards/abc/`` where an id belongs) gets ``{"detail": "Nicht gefunden."}`` like
any other unknown object, a request Django refuses as malformed (more than ``DATA_UPLOAD_MAX_NUMBER_FIELDS``
fields or ``DATA_UPLOAD_MAX_NUMBER_FILES`` files) a 400 with a message; never an HTML page.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

_TECHNICAL = b"because you have <code>DEBUG = True</code>"


class FriendlyNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code in (400, 404)
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            if response.status_code == 404:
                return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
            detail = _("Die Anfrage ist fehlerhaft aufgebaut oder hat zu viele Felder oder Dateien.")
            return JsonResponse({"detail": detail}, status=400)
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
