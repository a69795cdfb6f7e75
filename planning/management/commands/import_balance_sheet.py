"""python manage.py import_balance_sheet --municipality SLUG FILE [--dry-run] [--json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from planning.resilience.services import balance_sheets_import


class Command(BaseCommand):
    help = "Import opening balance sheets (one row per year) from CSV or XLSX; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="slug")
        parser.add_argument("--dry-run", action="store_true", help="check the file, store nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        outcome = balance_sheets_import(municipality=municipality, source=path, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(outcome.to_json(), ensure_ascii=False))
        elif outcome.ok:
            self.stdout.write(f"{outcome.status}: {', '.join(map(str, outcome.years))}")
        if not outcome.ok:
            raise CommandError("; ".join(outcome.errors))
