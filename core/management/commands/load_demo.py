"""python manage.py load_demo: create or refresh the demo municipality "Musterstadt" and its users."""

from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Create or refresh the demo municipality with a user for every role (idempotent)."

    def handle(self, *args, **options):
        municipality = demo_load()
        self.stdout.write(f"Demo municipality: {municipality.name} ({municipality.slug})")
        for username, role in DEMO_USERS.items():
            self.stdout.write(f"  user {username:<11} role {role:<12} password {DEMO_PASSWORD}")
