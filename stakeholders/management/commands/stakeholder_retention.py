"""python manage.py stakeholder_retention [--municipality SLUG]: list persons whose retention date is
reached (the reminder to anonymise them or renew the purpose); exit code 2 if there are any, for cron."""

from django.core.management.base import BaseCommand, CommandError

from core.cli import municipality_by_slug
from core.models import Municipality
from stakeholders import selectors


class Command(BaseCommand):
    help = "List persons whose retention date is reached (GDPR reminder)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="slug (default: all municipalities)")

    def handle(self, *args, **options):
        municipalities = (
            [municipality_by_slug(options["municipality"])]
            if options["municipality"]
            else list(Municipality.objects.all())
        )
        due = 0
        for municipality in municipalities:
            for person in selectors.retention_due(municipality):
                due += 1
                until = person.retention_until.strftime("%d.%m.%Y")
                self.stdout.write(f"{municipality.slug}: person {person.pk} retention until {until}")
        if due:
            raise CommandError(f"{due} person(s) past their retention date", returncode=2)
        self.stdout.write("no retention date reached")
