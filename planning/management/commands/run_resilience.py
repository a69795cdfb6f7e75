"""python manage.py run_resilience --municipality SLUG [--budget-version NAME | --scenario NAME]
[--stress PRESET] [--shock JSON ...] [--paths [N]] [--seed S] [--json]"""

import json

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from planning.engine.montecarlo import DEFAULT_N_PATHS
from planning.engine.stress import PRESETS
from planning.resilience.selectors import run_json
from planning.resilience.services import ResilienceInputError, resilience_run_create, resilience_run_execute


class Command(BaseCommand):
    help = (
        "Check a municipality's multi-year plan against the GO NRW reserve rules (HSK triggers), "
        "optionally under stress and with Monte Carlo paths. Runs synchronously and stores the run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug")
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--budget-version", help="id, label, 'Dataset vN' or dataset name (default: latest)"
        )
        source.add_argument("--scenario", help="projection scenario name")
        parser.add_argument("--stress", choices=sorted(PRESETS), help="stress preset")
        parser.add_argument(
            "--shock",
            action="append",
            default=[],
            help='own shock as JSON, e.g. \'{"group": "53", "kind": "percent", "value": 5}\'',
        )
        parser.add_argument(
            "--paths",
            type=int,
            nargs="?",
            const=DEFAULT_N_PATHS,
            default=0,
            help="Monte Carlo paths (default 10000)",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        try:
            shocks = [json.loads(text) for text in options["shock"]]
        except ValueError as exc:
            raise CommandError(f"--shock is not valid JSON: {exc}") from None
        if not all(isinstance(s, dict) for s in shocks):
            raise CommandError("--shock must be a JSON object")
        try:
            run = resilience_run_create(
                municipality=municipality,
                budget_version=options["budget_version"],
                scenario=options["scenario"],
                stress_preset=options["stress"] or "",
                shocks=shocks,
                n_paths=options["paths"],
                seed=options["seed"],
            )
            run = resilience_run_execute(run_id=run.pk)
        except ResilienceInputError as exc:
            raise CommandError(str(exc)) from None
        data = run_json(run)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._table(run, data)

    def _table(self, run, data) -> None:
        self.stdout.write(f"{municipality_line(run)}")
        self.stdout.write(f"{'year':>6} {'annual result':>18} {'equalisation':>18} {'general':>18}  triggers")
        for row in data["years"]:
            prob = ""
            if "any_trigger_probability_cumulative" in row:
                prob = f"  P(any trigger so far) {row['any_trigger_probability_cumulative']:.0%}"
            self.stdout.write(
                f"{row['year']:>6} {row['annual_result']:>18} {row['equalisation_reserve_end']:>18} "
                f"{row['general_reserve_end']:>18}  {', '.join(row['triggers']) or '-'}{prob}"
            )
        verdict = (
            f"HSK required from {data['first_trigger_year']}" if data["hsk_required"] else "no HSK trigger"
        )
        self.stdout.write(verdict)
        if "monte_carlo" in data and data["monte_carlo"]["main_driver"]:
            self.stdout.write(f"main driver: group {data['monte_carlo']['main_driver']}")


def municipality_line(run) -> str:
    stress = f", stress {run.stress_preset}" if run.stress_preset else ""
    return f"{run.municipality.slug}: {run.source_label}{stress} (run {run.pk})"
