"""ASGI entry point: HTTP through Django, websockets through Channels with session authentication
(browsers) or an API token (``Authorization: Token <key>``, scripts; ``core.websocket_auth``).

Served by uvicorn in deployment (``scripts/serve.sh``; it streams request bodies, which the body limit
needs: docs/security.md); ``manage.py runserver`` and the browser tests' live server use Daphne.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # what django.core.asgi.get_asgi_application() does before its handler

from core.asgi import SyncASGIHandler  # noqa: E402  (Django's ASGIHandler with pooled request threads)

django_asgi_app = SyncASGIHandler()

from django.conf import settings  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

if settings.PRODUCTION and not (settings.STATIC_ROOT / "staticfiles.json").exists():
    # Without the collected files and their manifest every page would answer 500: refuse to start instead.
    raise ImproperlyConfigured(
        f"Static files are not collected ({settings.STATIC_ROOT}/staticfiles.json is missing): run "
        "`python manage.py collectstatic --no-input` before starting the server (scripts/serve.sh does)."
    )

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from core.limits import BodySizeLimitMiddleware  # noqa: E402
from core.websocket_auth import TokenAuthMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimitMiddleware(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
