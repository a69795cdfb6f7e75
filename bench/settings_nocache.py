"""Settings for ``bench/finance_explorer.py``'s cold-cache figure: the app's settings with an explorer cache
that never holds anything, so every request computes its page as on a first visit. Sessions stay where
the deployment keeps them (Redis with ``REDIS_URL``): a first visit of a version is not a first login."""

from config.settings import *  # noqa: F403
from config.settings import CACHES as _APP_CACHES

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "sessions": _APP_CACHES["default"],
}
SESSION_CACHE_ALIAS = "sessions"
