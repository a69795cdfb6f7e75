"""python manage.py create_municipality --name NAME --slug SLUG --ags 05562014 --land NW [...]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import LAND_CHOICES, Municipality
from core.services import municipality_create_or_update


class Command(BaseCommand):
    help = "Create a municipality, or update it if the slug exists (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--ags", required=True, help="8-digit Amtlicher Gemeindeschlüssel, e.g. 05562014")
        parser.add_argument(
            "--land",
            required=True,
            choices=[code for code, _ in LAND_CHOICES],
            help="ISO 3166-2 code without DE-, e.g. NW, BW, SH, BY",
        )
        parser.add_argument("--kind", choices=Municipality.Kind.values, default=None)
        parser.add_argument("--population", type=int, default=None)

    def handle(self, *args, **options):
        try:
            municipality, created = municipality_create_or_update(
                slug=options["slug"],
                name=options["name"],
                ags=options["ags"],
                land=options["land"],
                kind=options["kind"],
                population=options["population"],
            )
        except ValidationError as exc:
            messages = "; ".join(
                f"{field}: {' '.join(str(m) for m in errs)}" for field, errs in exc.message_dict.items()
            )
            raise CommandError(messages) from None
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} {municipality.slug} ({municipality.name}, AGS {municipality.ags})")
