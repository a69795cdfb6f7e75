"""python manage.py project_population --municipality SLUG [--base-year Y] [--horizon N] [--no-history]
[--fertility-factor F] [--mortality-factor F] [--net-migration N] [--json]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from planning.population.selectors import population_totals
from planning.population.services import ProjectionSettings, population_project


class Command(BaseCommand):
    help = (
        "Make Spielraum's cohort-component population projection (variants low, main, high) from the "
        "actual population; rates are estimated from imported movements unless --no-history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--base-year", type=int, help="default: the latest year of the actual population")
        parser.add_argument("--horizon", type=int, default=30, help="years ahead, 1..30 (default 30)")
        parser.add_argument("--no-history", action="store_true", help="national rates, no local estimate")
        parser.add_argument("--fertility-factor", type=float, help="x national fertility (1 = Germany)")
        parser.add_argument("--mortality-factor", type=float, help="x national mortality (1 = Germany)")
        parser.add_argument("--net-migration", type=float, help="persons per year (Zuzüge - Fortzüge)")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        settings = ProjectionSettings(
            base_year=options["base_year"],
            horizon=options["horizon"],
            use_history=not options["no_history"],
            fertility_factor=options["fertility_factor"],
            mortality_factor=options["mortality_factor"],
            net_migration=options["net_migration"],
        )
        try:
            series = population_project(municipality=municipality, settings=settings)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        data = {
            "status": "projected",
            "assumptions": series[0].assumptions if series else {},
            "variants": {
                s.variant: {str(y): round(t, 1) for y, t in population_totals(s).items()} for s in series
            },
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for name, totals in data["variants"].items():
            years = list(totals)
            self.stdout.write(
                f"{name}: {years[0]} {totals[years[0]]:,.0f} -> {years[-1]} {totals[years[-1]]:,.0f}"
            )
