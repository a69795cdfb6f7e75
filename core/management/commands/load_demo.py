"""python manage.py load_demo [--if-missing]: create or refresh the demo municipality "Musterstadt"."""

from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, DEMO_SLUG, DEMO_USERS, demo_load
from core.models import Municipality


class Command(BaseCommand):
    help = "Create or refresh the demo municipality with a user for every role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when the demo municipality exists (run.sh: never reset what users changed)",
        )

    def handle(self, *args, **options):
        if options["if_missing"] and Municipality.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write(f"Demo municipality {DEMO_SLUG} exists: left as it is.")
            return
        municipality = demo_load()
        self.stdout.write(f"Demo municipality: {municipality.name} ({municipality.slug})")
        for username, role in DEMO_USERS.items():
            self.stdout.write(f"  user {username:<11} role {role:<12} password {DEMO_PASSWORD}")
