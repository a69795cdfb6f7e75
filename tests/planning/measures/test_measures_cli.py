"""The measures command: list as JSON, status with revision check, effects, scenario inclusion."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from planning.measures import services

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("measures", *args, stdout=out)
    return out.getvalue()


def test_cli_lists_changes_status_and_adds_effects(municipality):
    slug = municipality.slug
    run("--municipality", slug, "create", "Zentrum", "--owner", "Amt 51", "--deadline", "2027-06-30")
    run("--municipality", slug, "effect", "Zentrum", "lower_expense", "1000,50", "2027", "--once")
    data = json.loads(run("--municipality", slug, "list", "--json"))
    assert [(d["title"], d["status"], d["revision"]) for d in data] == [("Zentrum", "planned", 2)]
    assert "running (revision 3)" in run(
        "--municipality", slug, "status", "Zentrum", "running", "--revision", "2"
    )
    with pytest.raises(CommandError, match="inzwischen"):
        run("--municipality", slug, "status", "Zentrum", "done", "--revision", "2")
    with pytest.raises(CommandError, match="keine Zahl"):
        run("--municipality", slug, "effect", "Zentrum", "lower_expense", "viel", "2027")
    measure = services.measure_create(municipality=municipality, title="Andere")
    assert str(measure)  # exists
    with pytest.raises(CommandError, match="no scenario"):
        run("--municipality", slug, "include", "Fehlt", "Zentrum")
