"""python manage.py import_population PATH --municipality SLUG [--variant NAME] [--json]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from planning.population.services import population_import


class Command(BaseCommand):
    help = (
        "Import population by age group and year: a GENESIS 12411-0012 export (ISO-8859-1, ';', header "
        "lines and footnotes) or a plain CSV (year;age group;count). Without --variant it is the actual "
        "population, with --variant an official projection variant. All-or-nothing; exit code 1 when "
        "rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--variant", help="name of an official projection variant, e.g. main, low, high")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args, **options):
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        municipality = municipality_by_slug(options["municipality"])
        outcome = population_import(
            municipality=municipality, source=path, filename=path.name, variant=options["variant"]
        )
        data = outcome.to_json()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        elif outcome.ok:
            self.stdout.write(
                f"{data['status']}: {len(data['years'])} years, {len(data['age_groups'])} age groups"
            )
            for year, total in data["total_by_year"].items():
                self.stdout.write(f"  {year}: {total}")
        else:
            for error in data["errors"]:
                where = f"line {error['line']}: " if error["line"] else ""
                self.stderr.write(f"{where}{error['message']}")
        if not outcome.ok:
            sys.exit(1)
