"""python manage.py export_stakeholders --municipality SLUG [--format csv|xlsx] [--output FILE]
[--with-personal-data]: the registry with each stakeholder's newest assessment."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.cli import municipality_by_slug
from stakeholders import exports, selectors


class Command(BaseCommand):
    help = "Export the stakeholder registry as CSV or XLSX (persons pseudonymised unless asked)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output, CSV only)")
        parser.add_argument(
            "--with-personal-data", action="store_true", help="include persons' names and contacts"
        )

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        personal = options["with_personal_data"]
        rows = list(selectors.stakeholder_search(municipality, {}, personal=personal))
        latest = selectors.latest_assessments(municipality, timezone.localdate(), [s.pk for s in rows])
        headers, table = exports.registry_table(rows, latest, personal=personal)
        data = (
            exports.to_xlsx(headers, table) if options["format"] == "xlsx" else exports.to_csv(headers, table)
        )
        if options["output"]:
            options["output"].write_bytes(data)
            self.stdout.write(f"{len(rows)} stakeholder(s) written to {options['output']}")
        else:
            sys.stdout.buffer.write(data)
