"""Settings for ``bench/finance_explorer.py``'s cold-cache figure: the app's settings with a cache that
never holds anything, so every request computes its page as on a first visit."""

from config.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
