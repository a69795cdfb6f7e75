"""python manage.py stakeholder_districts --municipality SLUG [--match] [--json]: where the stakeholders
are placed. Counts per district and every place name that matches no district (``district_note``, e.g.
from the time the district was free text); ``--match`` assigns the notes that now name a district (by
name or code, case-insensitive), as after importing the districts."""

import json

from django.core.management.base import BaseCommand
from django.db.models import Count

from core.cli import municipality_by_slug
from stakeholders import services
from stakeholders.models import Stakeholder


class Command(BaseCommand):
    help = "Stakeholders per district and place names without a district; --match assigns matching ones."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--match", action="store_true", help="assign notes that name a district")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        matched = 0
        if options["match"]:
            matched, _unmatched = services.stakeholder_districts_match(municipality=municipality)
        rows = Stakeholder.objects.filter(municipality=municipality)
        placed = list(
            rows.filter(district__isnull=False)
            .values_list("district__code", "district__name")
            .annotate(n=Count("id"))
            .order_by("district__code")
        )
        unmatched = list(
            rows.filter(district__isnull=True)
            .exclude(district_note="")
            .values_list("district_note")
            .annotate(n=Count("id"))
            .order_by("district_note")
        )
        nowhere = rows.filter(district__isnull=True, district_note="").count()
        if options["json"]:
            data = {
                "matched": matched,
                "districts": [{"code": c, "name": n, "stakeholders": k} for c, n, k in placed],
                "unmatched": [{"name": n, "stakeholders": k} for n, k in unmatched],
                "without_place": nowhere,
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        if options["match"]:
            self.stdout.write(f"assigned: {matched}")
        for code, name, n in placed:
            self.stdout.write(f"{code}\t{name}\t{n}")
        for name, n in unmatched:
            self.stdout.write(f"no district: {name!r}\t{n}")
        self.stdout.write(f"without place: {nowhere}")
