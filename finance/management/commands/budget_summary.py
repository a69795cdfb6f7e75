"""python manage.py budget_summary --municipality SLUG [--json] [--version ID]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from finance import selectors
from finance.services import totals_json


class Command(BaseCommand):
    help = (
        "Totals of the stored budget data: revenue and expense per year, phase and statement. By default "
        "over the latest version of each dataset; --version ID for one version."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # ``--version ID`` replaces Django's ``--version`` (print the Django version) for this command.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--version", type=int, help="id of one version (default: latest of each dataset)")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        if options["version"] is not None:
            versions = list(selectors.versions_of(municipality).filter(pk=options["version"]))
            if not versions:
                raise CommandError(f"no version {options['version']} in {municipality.slug}")
        else:
            versions = list(selectors.latest_versions(municipality))
        data = {
            "status": "ok",
            "municipality": municipality.slug,
            "versions": [
                {
                    "id": v.pk,
                    "dataset": v.dataset.name,
                    "number": v.number,
                    "label": v.label,
                    "source": v.source_name,
                    "lines": v.line_count,
                    "totals": totals_json(selectors.version_totals(v, stored=False)),
                }
                for v in versions
            ],
            "lines": sum(v.line_count for v in versions),
            "totals": totals_json(selectors.version_totals(versions)) if versions else [],
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        if not versions:
            self.stdout.write(f"{municipality.slug}: no budget data")
            return
        for version in data["versions"]:
            self.stdout.write(
                f"{version['dataset']} v{version['number']} (id {version['id']}): {version['lines']} lines"
            )
        for row in data["totals"]:
            self.stdout.write(
                f"  {row['year']} {row['phase']:<10} {row['statement']:<9} "
                f"revenue {row['revenue']:>18} expense {row['expense']:>18}"
            )
