"""python manage.py import_stakeholders --municipality SLUG FILE [--check]: check a CSV/XLSX file and
import it, all or nothing (problems are printed by line, column and reason; exit code 1)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from stakeholders import services


class Command(BaseCommand):
    help = "Import stakeholders from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--check", action="store_true", help="only check, import nothing")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"file not found: {path}")
        batch = services.import_check(municipality=municipality, data=path.read_bytes(), filename=path.name)
        if batch.problems:
            for p in batch.problems:
                self.stderr.write(f"line {p['line']}, column {p['column']!r}: {p['reason']}")
            batch.delete()
            raise CommandError(f"{len(batch.problems)} problem(s): nothing imported")
        if options["check"]:
            self.stdout.write(f"{len(batch.rows)} row(s) would be imported")
            batch.delete()
            return
        created = services.import_apply(batch=batch)
        self.stdout.write(f"{created} stakeholder(s) imported into {municipality.slug}")
