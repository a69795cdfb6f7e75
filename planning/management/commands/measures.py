"""python manage.py measures --municipality SLUG list [--json]
python manage.py measures --municipality SLUG create TITLE [--owner ..] [--deadline YYYY-MM-DD] [--product P]
    [--district CODE]
python manage.py measures --municipality SLUG status TITLE STATUS [--revision N]
python manage.py measures --municipality SLUG effect TITLE KIND AMOUNT START_YEAR [--once] [--end-year Y]
python manage.py measures --municipality SLUG actual TITLE INDICATOR YYYY-MM-DD VALUE
python manage.py measures --municipality SLUG include SCENARIO TITLE [TITLE ...]   (empty: none)
python manage.py measures --municipality SLUG district TITLE [CODE] [--revision N]   (no CODE: none)
python manage.py measures --municipality SLUG import-actuals FILE [--dry-run] [--json]
    (CSV/XLSX: Maßnahme;Kennzahl;Jahr;Wert; all or nothing, exit 1 with line-numbered errors)"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from core.models import District
from planning.measures import selectors, services
from planning.measures.importing import indicator_actuals_import
from planning.measures.models import Measure
from planning.projection.services import ProjectionError, scenario_measures_set


class Command(BaseCommand):
    help = "List and change measures (status, effects, indicator actuals) and the measures of a scenario."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list")
        ls.add_argument("--json", action="store_true")
        create = sub.add_parser("create")
        create.add_argument("title")
        create.add_argument("--owner", default="")
        create.add_argument("--deadline", type=date.fromisoformat)
        create.add_argument("--product", default="")
        create.add_argument("--goal", default="")
        create.add_argument("--district", help="code or name of the district the measure targets")
        dis = sub.add_parser("district", help="set (or with no CODE clear) the district a measure targets")
        dis.add_argument("title")
        dis.add_argument("code", nargs="?", help="code or name of a district of the municipality")
        dis.add_argument("--revision", type=int)
        st = sub.add_parser("status")
        st.add_argument("title")
        st.add_argument("status", choices=Measure.Status.values)
        st.add_argument("--revision", type=int)
        eff = sub.add_parser("effect")
        eff.add_argument("title")
        eff.add_argument("kind", choices=["extra_revenue", "lower_expense", "higher_expense"])
        eff.add_argument("amount")
        eff.add_argument("start_year", type=int)
        eff.add_argument("--once", action="store_true")
        eff.add_argument("--end-year", type=int)
        eff.add_argument("--account-group", default="")
        act = sub.add_parser("actual")
        act.add_argument("title")
        act.add_argument("indicator")
        act.add_argument("day", type=date.fromisoformat)
        act.add_argument("value")
        imp = sub.add_parser("import-actuals")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true")
        imp.add_argument("--json", action="store_true")
        inc = sub.add_parser("include")
        inc.add_argument("scenario")
        inc.add_argument("titles", nargs="*")

    def _measure(self, municipality, title: str) -> Measure:
        measure = Measure.objects.filter(municipality=municipality, title=title).first()
        if measure is None:
            raise CommandError(f"no measure {title!r} in {municipality.slug}")
        return measure

    def _district(self, municipality, code: str | None) -> District | None:
        if not code:
            return None
        districts = District.objects.filter(municipality=municipality)
        found = districts.filter(code=code).first() or districts.filter(name__iexact=code.strip()).first()
        if found is None:
            raise CommandError(f"no district {code!r} in {municipality.slug}")
        return found

    def handle(self, *args, **o):
        municipality = municipality_by_slug(o["municipality"])
        try:
            self._run(municipality, o)
        except (services.MeasureError, ProjectionError) as exc:
            raise CommandError(str(exc)) from exc

    def _run(self, municipality, o):
        action = o["action"]
        if action == "list":
            rows = selectors.measure_rows(municipality)
            data = [
                {
                    "id": r["measure"].pk,
                    "title": r["measure"].title,
                    "status": r["measure"].status,
                    "owner": r["measure"].owner,
                    "deadline": r["measure"].deadline.isoformat() if r["measure"].deadline else None,
                    "revision": r["measure"].revision,
                    "light": str(r["light"]),
                    "overdue": r["overdue"],
                }
                for r in rows
            ]
            if o["json"]:
                self.stdout.write(json.dumps(data, ensure_ascii=False))
            else:
                for d in data:
                    self.stdout.write(f"{d['id']}\t{d['status']}\t{d['light']}\t{d['title']}")
        elif action == "create":
            m = services.measure_create(
                municipality=municipality,
                title=o["title"],
                owner=o["owner"],
                deadline=o["deadline"],
                product_code=o["product"],
                goal=o["goal"],
                district=self._district(municipality, o["district"]),
            )
            self.stdout.write(f"created {m.pk}")
        elif action == "district":
            m = services.measure_update(
                measure=self._measure(municipality, o["title"]),
                expected_revision=o["revision"],
                district=self._district(municipality, o["code"]),
            )
            where = f"{m.district.code} {m.district.name}" if m.district else "-"
            self.stdout.write(f"{m.title}: {where} (revision {m.revision})")
        elif action == "status":
            m = services.measure_status_set(
                measure=self._measure(municipality, o["title"]),
                status=o["status"],
                expected_revision=o["revision"],
            )
            self.stdout.write(f"{m.title}: {m.status} (revision {m.revision})")
        elif action == "effect":
            services.effect_add(
                measure=self._measure(municipality, o["title"]),
                kind=o["kind"],
                amount=o["amount"],
                start_year=o["start_year"],
                recurring=not o["once"],
                end_year=o["end_year"],
                account_group=o["account_group"],
            )
            self.stdout.write("effect added")
        elif action == "actual":
            measure = self._measure(municipality, o["title"])
            indicator = measure.indicators.filter(name=o["indicator"]).first()
            if indicator is None:
                raise CommandError(f"no indicator {o['indicator']!r}")
            services.indicator_actual_set(indicator=indicator, day=o["day"], value=o["value"])
            self.stdout.write("actual stored")
        elif action == "import-actuals":
            self._import_actuals(municipality, o)
        elif action == "include":
            scenario = municipality.scenarios.filter(name=o["scenario"]).first()
            if scenario is None:
                raise CommandError(f"no scenario {o['scenario']!r}")
            chosen = [self._measure(municipality, t) for t in o["titles"]]
            scenario_measures_set(scenario=scenario, measures=chosen)
            self.stdout.write(f"{scenario.name}: {len(chosen)} measures (recompute with run_projection)")

    def _import_actuals(self, municipality, o):
        try:
            with open(o["file"], "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {o['file']}: {exc.strerror}") from exc
        outcome = indicator_actuals_import(municipality=municipality, source=data, dry_run=o["dry_run"])
        if o["json"]:
            self.stdout.write(json.dumps(outcome.to_json(), ensure_ascii=False))
        elif outcome.ok:
            self.stdout.write(
                f"{outcome.status}: {outcome.new} new, {outcome.changed} changed, "
                f"{outcome.unchanged} unchanged"
            )
        if not outcome.ok:
            if not o["json"]:
                for issue in outcome.errors:
                    self.stderr.write(str(issue))
            raise CommandError(f"rejected: {len(outcome.errors)} problem(s), nothing stored")
