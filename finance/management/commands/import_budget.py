"""python manage.py import_budget PATH --municipality SLUG [--phase actual|plan] [--profile NAME]
[--mapping FILE.json] [--dry-run] [--json] [--dataset NAME] [--label TEXT] [--save-profile NAME]
[--encoding ENC] [--delimiter CHAR] [--status draft|adopted|supplementary|final] [--current]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from finance.importing import Mapping, MappingError
from finance.models import ImportProfile
from finance.services import (
    DEFAULT_DATASET,
    DELIMITERS,
    ENCODINGS,
    ImportSpec,
    ReadOptions,
    budget_import,
    issue_json,
    profile_save,
    totals_json,
)


class Command(BaseCommand):
    help = (
        "Import a budget export (CSV or XLSX) as a new version of a dataset. All-or-nothing; an identical "
        "file already imported is reported as unchanged. Exit code 0 on success, 1 when the file is rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument(
            "--phase",
            choices=["actual", "plan", "commitment"],
            help="phase of the amounts where the file states none (ignored, with a note, where it does)",
        )
        parser.add_argument("--profile", help="name of a saved import profile of the municipality")
        parser.add_argument("--mapping", type=Path, help="mapping JSON file (docs/import-format.md)")
        parser.add_argument("--dry-run", action="store_true", help="check and total the file, store nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        parser.add_argument(
            "--dataset", default=DEFAULT_DATASET, help=f"dataset name (default {DEFAULT_DATASET!r})"
        )
        parser.add_argument("--label", default="", help="label of the new version, e.g. 'Entwurf'")
        parser.add_argument("--save-profile", default="", help="save the mapping used as a profile NAME")
        parser.add_argument(
            "--status",
            choices=["draft", "adopted", "supplementary", "final"],
            default="draft",
            help="what the figures are (default draft)",
        )
        parser.add_argument(
            "--current", action="store_true", help="make the new version the current adopted budget"
        )
        parser.add_argument("--encoding", choices=ENCODINGS, help="override the detected encoding (CSV)")
        parser.add_argument("--delimiter", choices=DELIMITERS, help="override the detected delimiter (CSV)")

    def handle(self, *args, **options):
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        municipality = municipality_by_slug(options["municipality"])
        mapping = profile = None
        if options["mapping"]:
            try:
                mapping = Mapping.from_dict(json.loads(options["mapping"].read_text(encoding="utf-8")))
            except (OSError, ValueError, MappingError) as exc:
                raise CommandError(f"mapping {options['mapping']}: {exc}") from None
        elif options["profile"]:
            profile = ImportProfile.objects.filter(municipality=municipality, name=options["profile"]).first()
            if profile is None:
                raise CommandError(f"no import profile {options['profile']!r} in {municipality.slug}")
        spec = ImportSpec(
            mapping=mapping,
            profile=profile,
            phase=options["phase"],
            dataset_name=options["dataset"],
            label=options["label"],
            status=options["status"],
            make_current=options["current"],
            read=ReadOptions(options["encoding"], options["delimiter"]),
            filename=path.name,
            dry_run=options["dry_run"],
        )
        outcome = budget_import(
            municipality=municipality,
            source=path,
            spec=spec,
            progress=self._progress if not options["json"] and self.stderr.isatty() else None,
        )
        if outcome.ok and options["save_profile"] and outcome.mapping is not None:
            profile_save(municipality=municipality, name=options["save_profile"], mapping=outcome.mapping)
        if options["json"]:
            self.stdout.write(json.dumps(outcome.to_json(), ensure_ascii=False))
        else:
            self._print(outcome)
        if not outcome.ok:
            sys.exit(1)

    def _progress(self, rows: int) -> None:
        self.stderr.write(f"\r{rows} rows", ending="")

    def _print(self, outcome) -> None:
        self.stderr.write("")
        if outcome.status == "rejected":
            self.stdout.write(f"rejected: {len(outcome.errors)} problem(s), nothing stored")
            for issue in outcome.errors:
                self.stdout.write(f"  {issue_json(issue)['message']}")
            return
        version = outcome.version
        where = f" as {version} (id {version.pk})" if version else ""
        verb = {"imported": "imported", "unchanged": "unchanged (identical file already imported)"}.get(
            outcome.status, outcome.status
        )
        self.stdout.write(f"{verb}{where}: {outcome.rows} rows, {outcome.lines} lines")
        for warning in outcome.warnings:
            self.stdout.write(f"  note: {warning.message_de}")
        for row in totals_json(outcome.totals):
            self.stdout.write(
                f"  {row['year']} {row['phase']:<10} {row['statement']:<9} "
                f"revenue {row['revenue']:>18} expense {row['expense']:>18}"
            )
