"""python manage.py import_movements PATH --municipality SLUG [--json]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from planning.population.services import movements_import


class Command(BaseCommand):
    help = (
        "Import population movements: births, deaths, in- and out-migration per year (GENESIS "
        "'Bevölkerungsbewegung', 12XXX-0010) or Zuzüge/Fortzüge by age group (GENESIS 12711-0011/-0012). "
        "The table type is recognised from its header. All-or-nothing; exit code 1 when rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args, **options):
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        municipality = municipality_by_slug(options["municipality"])
        outcome = movements_import(municipality=municipality, source=path, filename=path.name)
        data = outcome.to_json()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        elif outcome.ok:
            self.stdout.write(
                f"{data['status']} ({data['kind']}): years {', '.join(map(str, data['years']))}"
            )
        else:
            for error in data["errors"]:
                where = f"line {error['line']}: " if error["line"] else ""
                self.stderr.write(f"{where}{error['message']}")
        if not outcome.ok:
            sys.exit(1)
