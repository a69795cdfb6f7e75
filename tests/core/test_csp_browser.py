"""Issue 14 items 11 and 16 in a real browser: the pages pass the Content-Security-Policy (no console
violation, no script error) when served by uvicorn, the deployment server, and Channels websockets work
through it (the job progress socket sends its snapshot)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.jobs import job_create
from core.models import Municipality
from planning.models import Scenario
from swot.models import Board
from tests.browser.conftest import login
from tests.conftest import _test_database_url, require_postgres

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def uvicorn_url(tmp_path):
    require_postgres()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "SPIELRAUM_TASK_MODE": "eager"}
    env["SPIELRAUM_VAR_DIR"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
         "--ws", "websockets-sansio", "--log-level", "error"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def test_pages_pass_the_csp_and_websockets_work_under_uvicorn(uvicorn_url, page):
    # Given the demo data, served by uvicorn, and the demo planner logged in with Chromium
    call_command("load_demo", verbosity=0)
    municipality = Municipality.objects.get(slug="musterstadt")
    slug = {"slug": municipality.slug}
    scenario = Scenario.objects.filter(municipality=municipality).exclude(computed_at=None).first()
    board = Board.objects.filter(municipality=municipality).first()
    job = job_create(kind="core.selftest", municipality=municipality, params={})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    login(page, uvicorn_url, "planung", "spielraum-demo")
    pages = [
        reverse("municipality-overview", kwargs=slug),
        reverse("finance:index", kwargs=slug),
        reverse("planning:population-index", kwargs=slug),
        reverse("planning:projection-index", kwargs=slug),
        reverse("planning:projection-compare", kwargs=slug),
        reverse("planning:room-index", kwargs=slug),
        reverse("planning:resilience-index", kwargs=slug),
        reverse("planning:resilience-comparison", kwargs=slug),
        reverse("planning:balance-sheets", kwargs=slug),
        reverse("swot:index", kwargs=slug),
        reverse("api-docs"),
    ]
    if scenario is not None:
        pages.append(reverse("planning:scenario-detail", kwargs={**slug, "scenario_id": scenario.pk}))
    if board is not None:
        pages += [board.get_absolute_url(), reverse("swot:history", kwargs={**slug, "pk": board.pk})]
    # When every page is opened
    for path in pages:
        response = page.goto(f"{uvicorn_url}{path}")
        assert response.status < 400, path
        assert "script-src" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # Then no page reported a CSP violation or a script error
    violations = [p for p in problems if "Content Security Policy" in p or p.startswith("pageerror")]
    assert not violations, violations
    # and the job progress websocket answers with its snapshot through uvicorn
    snapshot = page.evaluate(
        """(url) => new Promise((resolve, reject) => {
            const ws = new WebSocket(url);
            ws.onmessage = (ev) => { resolve(JSON.parse(ev.data)); ws.close(); };
            ws.onerror = () => reject("websocket error");
            setTimeout(() => reject("no message"), 10000);
        })""",
        uvicorn_url.replace("http", "ws") + f"/ws/jobs/{job.pk}/",
    )
    assert snapshot["id"] == job.pk
