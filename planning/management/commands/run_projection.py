"""python manage.py run_projection --municipality SLUG --scenario NAME [--json]
python manage.py run_projection --all [--json]"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from planning.models import Scenario
from planning.projection.selectors import scenario_results_json
from planning.projection.services import ProjectionError, projection_batch, projection_run


class Command(BaseCommand):
    help = (
        "Compute a scenario's status-quo projection now (synchronously) and replace its stored results; "
        "--all computes every scenario of the installation in one batch. Exit code 1 on failure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="slug of the municipality")
        parser.add_argument("--scenario", help="name of the scenario")
        parser.add_argument("--all", action="store_true", help="every scenario of every municipality")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args, **options):
        if options["all"]:
            report = projection_batch()
            data = report.to_json()
            self.stdout.write(json.dumps(data, ensure_ascii=False) if options["json"] else str(data))
            if report.errors:
                sys.exit(1)
            return
        if not (options["municipality"] and options["scenario"]):
            raise CommandError("give --municipality and --scenario, or --all")
        municipality = municipality_by_slug(options["municipality"])
        scenario = Scenario.objects.filter(municipality=municipality, name=options["scenario"]).first()
        if scenario is None:
            raise CommandError(f"no scenario {options['scenario']!r} in {municipality.slug}")
        try:
            scenario = projection_run(scenario=scenario)
        except ProjectionError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"status": "failed", "error": str(exc)}, ensure_ascii=False))
            else:
                self.stderr.write(str(exc))
            sys.exit(1)
        data = {"status": "computed", **scenario_results_json(scenario)}
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"{scenario.name}: {scenario.base_year}-{scenario.last_year}")
        for row in data["years"]:
            self.stdout.write(
                f"  {row['year']}: revenue {row['revenue']:>18} expense {row['expense']:>18} "
                f"balance {row['balance']:>18}"
            )
