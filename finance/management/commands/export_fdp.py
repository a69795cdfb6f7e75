"""python manage.py export_fdp --municipality SLUG [--version ID] OUT.zip

Write a budget version (default: the municipality's current budget) as a Fiscal Data Package."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from finance import selectors
from finance.models import BudgetVersion
from finance.services import version_fdp


class Command(BaseCommand):
    help = "Export a budget version as a Fiscal Data Package (ZIP: datapackage.json + budget.csv)."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)
        parser.add_argument("--municipality", required=True)
        parser.add_argument("--version", type=int, help="version id (default: the current budget)")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        if options["version"]:
            version = BudgetVersion.objects.filter(municipality=municipality, pk=options["version"]).first()
        else:
            version = selectors.current_budget_version(municipality)
        if version is None:
            raise CommandError("no such budget version")
        options["out"].write_bytes(version_fdp(version))
        self.stdout.write(f"{version} -> {options['out']}")
