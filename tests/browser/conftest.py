"""Playwright in Debian's headless Chromium (never a downloaded browser)."""

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls between
# Playwright calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
