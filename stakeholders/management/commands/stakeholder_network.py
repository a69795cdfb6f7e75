"""python manage.py stakeholder_network --municipality SLUG [--date YYYY-MM-DD] [--top N]: compute the
network measures and brokerage on the graph of the date, store them as a snapshot and print them."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.cli import municipality_by_slug
from stakeholders import services
from stakeholders.methods.brokerage import ROLES
from stakeholders.models import Stakeholder


class Command(BaseCommand):
    help = "Compute and store the stakeholder network's centralities and brokerage roles for a date."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--date", help="graph as of this date (default: today)")
        parser.add_argument("--top", type=int, default=10, help="how many stakeholders to list")

    def handle(self, *args, **options):
        municipality = municipality_by_slug(options["municipality"])
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        snapshot = services.network_snapshot_create(municipality=municipality, on=on)
        total = snapshot.brokerage["_total"]
        self.stdout.write(
            f"graph of {on}: {snapshot.nodes} nodes, {snapshot.edges} edges (snapshot {snapshot.pk})"
        )
        self.stdout.write("brokerage: " + ", ".join(f"{r} {total[r]}" for r in ROLES))
        names = {s.pk: s for s in Stakeholder.objects.filter(municipality=municipality)}
        ranked = sorted(snapshot.measures.items(), key=lambda kv: -kv[1]["betweenness"])[: options["top"]]
        for key, m in ranked:
            s = names.get(int(key))
            label = s.name if s and not s.is_person else f"Person #{key}"
            self.stdout.write(
                f"  {label[:40]:<40} degree {m['degree']:.3f}  betweenness {m['betweenness']:.3f}"
                f"  closeness {m['closeness']:.3f}  eigenvector {m['eigenvector']:.3f}"
            )
